/* status_rows.c - see status_rows.h. */
#include "tui/pages/status_rows.h"

#include <stddef.h>

#include "util/str.h"

enum srow_state srow_code_state(const char *code)
{
	if (str_eq(code, "no_delivery_yet"))
		return SROW_WAITING;
	if (str_eq(code, "account_unreachable"))
		return SROW_UNREACHABLE;
	return SROW_PROBLEM;
}

/* the order of severity: a row shows its worst */
static int rank(enum srow_state s)
{
	return s == SROW_PROBLEM ? 3 : s == SROW_UNREACHABLE ? 2 : s == SROW_WAITING ? 1 : 0;
}

enum srow_state srow_state(const struct status_ds *d)
{
	if (!d->done)
		return SROW_CHECKING;
	enum srow_state st = SROW_OK;
	for (size_t k = 0; k < d->nproblems; k++) {
		enum srow_state c = srow_code_state(d->problems[k].code);
		if (rank(c) > rank(st))
			st = c;
	}
	return st;
}

const char *srow_symbol(enum srow_state s, bool ascii)
{
	static const char *const utf8[SROW_COUNT] = {
	    [SROW_OK] = "\u2714",      /* ✔ */
	    [SROW_PROBLEM] = "\u2718", /* ✘ */
	    [SROW_WAITING] = "\u29d7", /* ⧗ black hourglass (one column, not the emoji) */
	    [SROW_UNREACHABLE] = "?",
	};
	static const char *const asc[SROW_COUNT] = {
	    [SROW_OK] = "[ok]",
	    [SROW_PROBLEM] = "[!!]",
	    [SROW_WAITING] = "[~~]",
	    [SROW_UNREACHABLE] = "[??]",
	};
	if ((int)s < 0 || s >= SROW_COUNT)
		return NULL;
	return ascii ? asc[s] : utf8[s];
}

const char *srow_word(enum srow_state s)
{
	switch (s) {
	case SROW_OK:
		return "no problem";
	case SROW_PROBLEM:
		return "problem";
	case SROW_WAITING:
		return "waiting";
	case SROW_UNREACHABLE:
		return "unreachable";
	case SROW_CHECKING:
		return "checking";
	default:
		return "";
	}
}

enum srow_cell srow_code_cell(const char *code)
{
	if (str_eq(code, "export_missing") || str_eq(code, "export_unhealthy"))
		return SROW_CELL_EXPORT;
	if (str_eq(code, "no_delivery_yet") || str_eq(code, "bucket_missing") ||
	    str_eq(code, "bucket_policy_blocks_delivery"))
		return SROW_CELL_DELIVERY;
	if (str_eq(code, "key_missing") || str_eq(code, "key_inactive") || str_eq(code, "key_old"))
		return SROW_CELL_KEY;
	if (str_eq(code, "import_failed"))
		return SROW_CELL_IMPORT;
	return SROW_CELL_NONE;
}

const char *srow_fix_action(const struct status_ds *d)
{
	for (size_t k = 0; k < d->nproblems; k++) {
		const char *a = d->problems[k].action;
		if (str_eq(a, "connect") || str_eq(a, "migrate") || str_eq(a, "rotate"))
			return a;
	}
	return NULL;
}
