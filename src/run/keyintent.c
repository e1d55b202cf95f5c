/* keyintent.c - see keyintent.h. */
#include "run/keyintent.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/json.h"
#include "util/mem.h"
#include "util/paths.h"
#include "util/str.h"

/* Epoch seconds of an ISO-8601 UTC date ("2026-12-03T16:38:27Z", fractions ignored), -1. */
static long long iso_epoch(const char *s)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
	                 &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	time_t t = timegm(&tm);
	return t == (time_t)-1 ? -1 : (long long)t;
}

size_t keyintent_mark(struct plan_facts *f, const char *user, const char *state_dir)
{
	if (!f->account_id || !user || !f->nkeys)
		return 0;
	char *dir = state_dir ? xstrdup(state_dir) : paths_state_dir();
	char *path = dir ? xasprintf("%s/journal-%s.jsonl", dir, f->account_id) : NULL;
	free(dir);
	FILE *fp = path ? fopen(path, "r") : NULL;
	free(path);
	if (!fp)
		return 0;
	long long *intents = NULL;
	size_t nint = 0;
	struct strv named = STRV_INIT; /* key ids the journal says the wizard made */
	char line[4096];
	while (fgets(line, sizeof(line), fp)) {
		cJSON *o = cJSON_Parse(line);
		if (!o)
			continue;
		const char *ev = json_str(o, "event"), *id = json_str(o, "access_key_id");
		if (id && (str_eq(ev, "created_access_key") || str_eq(ev, "orphaned_access_key") ||
		           str_eq(ev, "lost_access_key") || str_eq(ev, "unsaved_access_key")))
			strv_push(&named, id);
		bool mine = str_eq(json_str(o, "user"), user);
		if (str_eq(ev, "creating_access_key") && mine) {
			intents = xrealloc(intents, (nint + 1) * sizeof(*intents));
			intents[nint++] = iso_epoch(json_str(o, "at"));
		} else if (mine && nint &&
		           (str_eq(ev, "created_access_key") || str_eq(ev, "unsaved_access_key") ||
		            str_eq(ev, "orphaned_access_key") || str_eq(ev, "lost_access_key") ||
		            str_eq(ev, "create_access_key_failed"))) {
			/* the outcome of the last intent is known: it left no unknown key */
			nint--;
		}
		cJSON_Delete(o);
	}
	fclose(fp);
	size_t marked = 0;
	for (size_t i = 0; i < f->nkeys; i++) {
		struct plan_key_fact *k = &f->keys[i];
		long long made = iso_epoch(k->create_date);
		if (k->owned || k->in_vault)
			continue;
		if (strv_has(&named, k->id)) {
			k->owned = true;
			marked++;
			continue;
		}
		if (made < 0)
			continue;
		for (size_t j = 0; j < nint; j++)
			if (intents[j] >= 0 && made >= intents[j] - KEYINTENT_SKEW_S &&
			    made <= intents[j] + KEYINTENT_WINDOW_S) {
				k->owned = true;
				marked++;
				break;
			}
	}
	free(intents);
	strv_free(&named);
	return marked;
}
