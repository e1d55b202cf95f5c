/* batch.h - the non-interactive front ends: `--batch` (apply) and `--dry-run` (plan). */
#ifndef CX_BATCH_BATCH_H
#define CX_BATCH_BATCH_H

#include "options.h"

/* --batch --answers FILE: discovery, plan, apply, key check, vault, CerteroX. Progress lines
 * on stderr, one JSON summary on stdout. Returns the exit status (DESIGN section 3). */
int batch_apply(const struct cx_options *o);
/* --dry-run --answers FILE [--format json|awscli]: read-only discovery, then the plan on
 * stdout. Writes nothing anywhere. Returns the exit status. */
int batch_dry_run(const struct cx_options *o);

#endif
