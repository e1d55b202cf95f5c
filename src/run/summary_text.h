/* summary_text.h - the run's summary as a few lines for a person at a terminal (what was
 * connected and what happens next); the JSON summary (run/summary.h) is what scripts read. */
#ifndef CX_RUN_SUMMARY_TEXT_H
#define CX_RUN_SUMMARY_TEXT_H

#include <stdbool.h>

#include <cjson/cJSON.h>

/* The text of a run_summary document: the outcome ("done", "cancelled", "failed: ..."), the
 * CerteroX data source, the export, the bucket, the access key id, the vault, the bucket-policy
 * backup when there is one (may be NULL), and what happens next. Caller frees. */
char *run_summary_text(const cJSON *summary, const char *backup_file);
/* Text or JSON: JSON when asked for (--format json) or when stdout is not a terminal. */
bool run_summary_as_text(bool json_asked);

#endif
