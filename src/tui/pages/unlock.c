/* unlock.c - a vault being unlocked behind a page (see unlock.h). */
#include "tui/pages/unlock.h"

#include <string.h>
#include <unistd.h>

#include "tui/widgets/theme.h"

bool tui_unlock_start(struct tui_unlock *u, struct tui_app *app, const char *path,
                      const char *passphrase, const char *create_level, const char *busy_text,
                      int esc_after, const char *esc_text)
{
	memset(u, 0, sizeof(*u));
	cx_err_clear(&u->err);
	u->creating = create_level && access(path, F_OK) != 0;
	/* no waiting for another run's lock: the screen would freeze; the error says who
	 * holds it */
	u->status = vault_open_begin(path, passphrase, create_level, 0, &u->opening, &u->err);
	if (u->status != CX_OK) {
		u->opening = NULL;
		return false;
	}
	u->esc_after = esc_after;
	u->esc_text = esc_text;
	vault_open_derive(u->opening);
	tui_app_set_busy(app, true);
	tui_app_status(app, ROLE_NORMAL, "%s", busy_text);
	return true;
}

bool tui_unlock_running(const struct tui_unlock *u)
{
	return u->opening != NULL;
}

bool tui_unlock_action(struct tui_unlock *u, struct tui_app *app, const struct tui_event *ev,
                       int *answer)
{
	*answer = TUI_HANDLED;
	switch (ev->act) {
	case ACT_TICK:
		if (vault_open_ready(u->opening))
			return true;
		*answer = TUI_REDRAW;
		break;
	case ACT_BACK:
	case ACT_QUIT:
		u->after = ev->act == ACT_BACK ? u->esc_after : TUI_QUIT;
		tui_app_status(
		    app, ROLE_WARN,
		    "%s as soon as the key derivation ends (it cannot be interrupted)...",
		    ev->act == ACT_BACK ? u->esc_text : "Quitting");
		*answer = TUI_HANDLED | TUI_REDRAW;
		break;
	case ACT_INTERRUPT:
	case ACT_TERMINATE:
	case ACT_HELP:
		*answer = 0;
		break;
	default:
		break; /* other keys wait */
	}
	return false;
}

int tui_unlock_end(struct tui_unlock *u, struct tui_app *app, struct vault **out)
{
	*out = NULL;
	cx_err_clear(&u->err);
	u->status = vault_open_finish(u->opening, out, &u->err);
	u->opening = NULL;
	tui_app_set_busy(app, false);
	tui_app_status_clear(app);
	int after = u->after;
	u->after = 0;
	if (after) {
		/* Esc while creating: leave nothing behind (the lock is still ours) */
		if (*out && u->creating && vault_count(*out) == 0)
			unlink(vault_path(*out));
		vault_close(*out);
		*out = NULL;
	}
	return after;
}

void tui_unlock_abandon(struct tui_unlock *u)
{
	if (!u->opening)
		return;
	struct vault *v = NULL;
	vault_open_finish(u->opening, &v, NULL);
	vault_close(v);
	u->opening = NULL;
}

const char *tui_unlock_why(const struct tui_unlock *u)
{
	if (u->status == CX_E_CRYPTO)
		return "wrong passphrase (or a damaged vault)";
	const char *in_use = u->status == CX_E_LOCKED ? strstr(u->err.msg, "in use by") : NULL;
	return in_use ? in_use : u->err.msg;
}
