/* summary.h - the JSON summary of a run, printed by --batch on stdout and by the wizard after
 * it exits (the same document in both front ends). Holds no secret. */
#ifndef CX_RUN_SUMMARY_H
#define CX_RUN_SUMMARY_H

#include <cjson/cJSON.h>

#include "core/answers.h"
#include "core/plan.h"
#include "core/strv.h"
#include "run/engine.h"
#include "util/err.h"

/* {"status": "done"|"cancelled"|"failed", "error"?, "data_source_id", "account_id", "action",
 *  "connection", "export"?: {...}, "iam_user", "access_key_id"?, "vault"?, "warnings",
 *  "steps": [{"id", "title", "status", "ms"}]}. warnings (may be NULL) are discovery's;
 * the plan's are added. vault_path may be NULL. err is used when st != CX_OK. Caller frees. */
cJSON *run_summary(const struct answers *a, const struct plan_facts *facts, const struct plan *plan,
                   const struct strv *warnings, const struct engine *e, const char *vault_path,
                   enum cx_status st, const struct cx_err *err);

#endif
