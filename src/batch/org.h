/* org.h - `--batch` of the `organization` action (run/org.h). */
#ifndef CX_BATCH_ORG_H
#define CX_BATCH_ORG_H

#include <stdbool.h>

#include "options.h"

/* Whether --answers FILE asks for action "organization" (a file that does not load: false,
 * the ordinary path reports it). */
bool batch_org_wanted(const struct cx_options *o);
/* Runs it: progress lines on stderr, the JSON summary on stdout. Exit status: 0 all done, 75
 * some accounts failed or are left (a re-run continues), else the refusal's. */
int batch_org_apply(const struct cx_options *o);

#endif
