/* plan_disconnect.c - disconnect a data source (plan_int.h). */
#include "core/plan_int.h"
#include "core/plan_life.h"

enum cx_status plan_build_disconnect(struct builder *b)
{
	return cx_err_set(b->err, CX_E_INPUT, "disconnect: not implemented yet");
}
