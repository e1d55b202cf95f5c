#include "util/status.h"

static const struct {
	int code;
	const char *msg;
	const char *name;
} status_table[] = {
#define CX_STATUS_ROW(name, code, msg) {code, msg, #name},
    CX_STATUS_LIST(CX_STATUS_ROW)
#undef CX_STATUS_ROW
};

int cx_status_exit(enum cx_status st)
{
	if ((unsigned)st >= CX_STATUS_COUNT)
		return CX_EXIT_SOFTWARE;
	return status_table[st].code;
}

const char *cx_status_msg(enum cx_status st)
{
	if ((unsigned)st >= CX_STATUS_COUNT)
		return "unknown status";
	return status_table[st].msg;
}

const char *cx_status_name(enum cx_status st)
{
	if ((unsigned)st >= CX_STATUS_COUNT)
		return "CX_E_UNKNOWN";
	return status_table[st].name;
}
