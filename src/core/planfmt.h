/* planfmt.h - the plan as --dry-run prints it: JSON, or a bash script of aws commands. */
#ifndef CX_CORE_PLANFMT_H
#define CX_CORE_PLANFMT_H

#include <cjson/cJSON.h>

#include "core/plan.h"

/* {"account_id", "target": {...}, "critical_path": D, "critical_path_parts": {"discovery",
 *  "requests", "certerox_check"} (plan_critical_path), "writes": N, "needs_confirmation",
 *  "warnings": [...], "steps": [{"id", "title", "service", "operation", "kind",
 *  "depends_on": [...], "destructive", "requests", "server_requests"? (when not 0),
 *  "skip_reason"?, "request"?, "diff"?, "differences"?}]}. Caller frees. No secrets (the
 *  plan has none). */
cJSON *planfmt_json_object(const struct plan *p);
/* planfmt_json_object pretty-printed (2 spaces, trailing newline). Caller frees. */
char *planfmt_json(const struct plan *p);
/* A bash script (set -euo pipefail) of the equivalent aws CLI commands, for an
 * administrator who applies by hand: documents in quoted heredocs written to a temporary
 * directory; skipped steps as comments; the new access key saved to
 * ${CX_KEY_FILE:-./certerox-access-key.txt} (mode 0600), never printed; the CerteroX
 * submission as a comment with the data source configuration to enter. Passes bash -n.
 * Caller frees. */
char *planfmt_awscli(const struct plan *p);

#endif
