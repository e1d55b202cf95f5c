/* keyintent.h - a key whose CreateAccessKey was sent but whose answer the run never saw (it
 * was killed) carries no description yet; the journal's intent record ("creating_access_key",
 * written before the request goes out) tells that the wizard made it. */
#ifndef CX_RUN_KEYINTENT_H
#define CX_RUN_KEYINTENT_H

#include <stddef.h>

#include "core/plan.h"
#include "core/strv.h"

/* Marks as owned each key of user (facts->keys) not in the vault that the journal of
 * facts->account_id under state_dir (NULL = paths_state_dir()) says the wizard made: named
 * by a created/orphaned/lost/unsaved access key entry, or created between KEYINTENT_SKEW_S
 * before and KEYINTENT_WINDOW_S after a "creating_access_key" intent for that user whose
 * outcome the journal never recorded (the run died with the request in flight). Reads only:
 * no journal file, nothing marked. Returns the number of keys marked. */
#define KEYINTENT_WINDOW_S 600
#define KEYINTENT_SKEW_S   300
size_t keyintent_mark(struct plan_facts *f, const char *user, const char *state_dir);

#endif
