/* resume.c - remember where a wizard run stopped, and preload its answers next time. */
#include "tui/resume.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tui/wiz.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/paths.h"
#include "util/str.h"

#define JOURNAL_MAX (16 * 1024 * 1024)

void wiz_resume_record(struct wiz *w)
{
	if (!w->jn || !w->have_plan)
		return;
	if (w->apply_st == CX_OK) {
		journal_append(w->jn, "wizard_finished", NULL, NULL);
		return;
	}
	int at = -1;
	for (int i = 0; i < w->prog.n && at < 0; i++)
		if (w->prog.steps[i].state != STEP_DONE && w->prog.steps[i].state != STEP_SKIPPED)
			at = i;
	cJSON *d = cJSON_CreateObject();
	cJSON_AddNumberToObject(d, "step", at < 0 ? w->prog.n : at + 1);
	cJSON_AddNumberToObject(d, "steps", w->prog.n);
	if (at >= 0)
		cJSON_AddStringToObject(d, "title", w->prog.steps[at].label);
	cJSON *a = answers_to_json(&w->a);
	cJSON_DeleteItemFromObjectCaseSensitive(a, "certerox");
	cJSON_AddItemToObject(d, "answers", a);
	journal_append(w->jn, "wizard_stopped", d, NULL);
	cJSON_Delete(d);
}

/* The newest journal-*.jsonl in dir (by modification time), or NULL. Caller frees. */
static char *newest_journal(const char *dir)
{
	DIR *dp = opendir(dir);
	if (!dp)
		return NULL;
	char *best = NULL;
	struct timespec bt = {0, 0};
	struct dirent *de;
	while ((de = readdir(dp))) {
		size_t n = strlen(de->d_name);
		if (strncmp(de->d_name, "journal-", 8) != 0 || n < 6 ||
		    strcmp(de->d_name + n - 6, ".jsonl") != 0)
			continue;
		char *p = xasprintf("%s/%s", dir, de->d_name);
		struct stat sb;
		if (lstat(p, &sb) == 0 && S_ISREG(sb.st_mode) &&
		    (!best || sb.st_mtim.tv_sec > bt.tv_sec ||
		     (sb.st_mtim.tv_sec == bt.tv_sec && sb.st_mtim.tv_nsec > bt.tv_nsec))) {
			free(best);
			best = p;
			bt = sb.st_mtim;
		} else {
			free(p);
		}
	}
	closedir(dp);
	return best;
}

/* The last wizard_stopped / wizard_finished entry of a journal's text (caller frees). */
static cJSON *last_wizard_entry(char *text)
{
	cJSON *last = NULL;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		if (!strstr(line, "\"wizard_"))
			continue;
		cJSON *e = cJSON_Parse(line);
		const char *ev = json_str(e, "event");
		if (str_eq(ev, "wizard_stopped") || str_eq(ev, "wizard_finished")) {
			cJSON_Delete(last);
			last = e;
		} else {
			cJSON_Delete(e);
		}
	}
	return last;
}

void wiz_resume_load(struct wiz *w)
{
	char *dir = paths_state_dir();
	char *path = dir ? newest_journal(dir) : NULL;
	free(dir);
	size_t n = 0;
	char *text = path ? paths_read_file(path, JOURNAL_MAX, &n) : NULL;
	free(path);
	if (!text)
		return;
	cJSON *e = last_wizard_entry(text);
	free(text);
	const cJSON *a = json_obj(e, "answers");
	if (!str_eq(json_str(e, "event"), "wizard_stopped") || !a) {
		cJSON_Delete(e);
		return;
	}
	char *atext = json_compact(a);
	struct answers tmp;
	answers_init(&tmp);
	struct cx_err err;
	cx_err_clear(&err);
	/* the same structural checks as an answers file */
	if (answers_load_text(&tmp, atext, strlen(atext), &err) == CX_OK &&
	    tmp.action != ANSWERS_ORGANIZATION) {
		answers_free(&w->a);
		answers_copy(&w->a, &tmp);
		w->resume_step = (int)json_num(e, "step", 0);
		w->resume_steps = (int)json_num(e, "steps", 0);
		str_copy(w->resume_title, sizeof(w->resume_title),
		         json_str(e, "title") ? json_str(e, "title") : "");
	}
	answers_free(&tmp);
	free(atext);
	cJSON_Delete(e);
}
