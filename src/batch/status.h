/* status.h - `--status`: the health of the organization's AWS data sources (run/status.h). */
#ifndef CX_BATCH_STATUS_H
#define CX_BATCH_STATUS_H

#include "options.h"

/* --status [--format text|json] [--data-source ID]: read-only checks of every AWS data source
 * of the CerteroX organization (or just one); the vault is opened with --passphrase-file when
 * it exists. Prints to stdout; messages to stderr. Returns 0 (no problem), 3 (a problem) or
 * the exit status of an error. */
int batch_status(const struct cx_options *o);

#endif
