/* review_save.c - s/a/w on the Review page (tui/review_save.h). */
#include "tui/pages/review_save.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/answers.h"
#include "core/planfmt.h"
#include "tui/app.h"
#include "tui/modal.h"
#include "tui/widgets/theme.h"
#include "tui/wiz.h"
#include "util/mem.h"
#include "util/str.h"

/* Writes text to path (mode for a new file); asks before replacing an existing file. The status
 * line says what happened. */
static void save_text(struct wiz *w, const char *what, const char *dflt, const char *text,
                      mode_t mode)
{
	char label[160], name[256];
	snprintf(label, sizeof(label), "Save the %s as (Enter: %s): ", what, dflt);
	if (!tui_prompt(w->app, label, name, sizeof(name))) {
		tui_app_status(w->app, ROLE_NORMAL, "The %s was not saved.", what);
		return;
	}
	const char *path = name[0] ? name : dflt;
	struct stat sb;
	if (lstat(path, &sb) == 0) {
		if (!S_ISREG(sb.st_mode)) {
			tui_app_status(w->app, ROLE_ERROR, "%s: not a regular file; nothing saved.",
			               path);
			return;
		}
		char *q = xasprintf("%s exists. Replace it with the %s?", path, what);
		int yes = tui_confirm(w->app, "Replace?", q, false);
		free(q);
		if (yes != 1) {
			tui_app_status(w->app, ROLE_NORMAL, "The %s was not saved.", what);
			return;
		}
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	size_t n = strlen(text);
	bool ok = fd >= 0 && write(fd, text, n) == (ssize_t)n;
	int e = errno;
	if (fd >= 0 && close(fd) != 0 && ok) {
		ok = false;
		e = errno;
	}
	if (ok)
		tui_app_status(w->app, ROLE_OK, "Saved the %s to %s.", what, path);
	else
		tui_app_status(w->app, ROLE_ERROR, "Cannot write %s: %s", path, strerror(e));
}

int review_save_key(struct wiz *w, wchar_t ch)
{
	if (ch == L'w') {
		char *t = answers_to_text(&w->a);
		save_text(w, "answers file", "certerox-answers.json", t, 0600);
		free(t);
		return TUI_HANDLED;
	}
	if (ch != L's' && ch != L'a')
		return 0;
	if (!w->have_plan) {
		tui_app_status(w->app, ROLE_NORMAL, "The plan is not made yet; one moment.");
		return TUI_HANDLED;
	}
	if (ch == L's') {
		char *t = planfmt_json(&w->plan);
		save_text(w, "plan", "certerox-plan.json", t, 0600);
		free(t);
		return TUI_HANDLED;
	}
	char *t = planfmt_awscli(&w->plan);
	tui_show_text(w->app, "The plan as aws CLI commands", t);
	save_text(w, "awscli script", "certerox-plan.sh", t, 0700);
	free(t);
	return TUI_HANDLED;
}
