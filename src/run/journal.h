/* journal.h - what a run created or changed, kept in the state directory so that a re-run
 * can resume and an administrator can see what happened. Never holds a secret.
 *
 * Layout: <state>/ (0700), <state>/journal-<account>.jsonl (0600), one JSON object per
 * line: {"at": ISO-8601, "event": "...", ...detail}; <state>/backup/ (0700) holds the
 * bucket policies as they were before the wizard changed them (0600). */
#ifndef CX_RUN_JOURNAL_H
#define CX_RUN_JOURNAL_H

#include <cjson/cJSON.h>

#include "util/err.h"

struct journal;

/* Opens (creating dir and file with the modes above) the journal of an AWS account.
 * state_dir NULL = paths_state_dir(). */
enum cx_status journal_open(const char *state_dir, const char *account_id, struct journal **out,
                            struct cx_err *err);
void journal_close(struct journal *j);
/* Appends {"at", "event": event, ...members of detail} and fsyncs. detail may be NULL and is
 * not consumed. */
enum cx_status journal_append(struct journal *j, const char *event, const cJSON *detail,
                              struct cx_err *err);
/* Every entry so far, oldest first, as a JSON array (caller frees). Unparsable lines (a
 * crash mid-write) are skipped. */
cJSON *journal_entries(const struct journal *j);
/* The last entry whose event is `event` and whose member `key` equals `value` (NULL = any),
 * as a new object (caller frees), or NULL. */
cJSON *journal_find_last(const struct journal *j, const char *event, const char *key,
                         const char *value);
/* Saves the bucket policy text as it was before a change; *path_out (optional, free()) gets
 * the file name. policy NULL records "no policy". */
enum cx_status journal_backup_policy(struct journal *j, const char *bucket, const char *policy,
                                     char **path_out, struct cx_err *err);
const char *journal_path(const struct journal *j);
const char *journal_dir(const struct journal *j);

#endif
