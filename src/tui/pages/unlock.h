/* unlock.h - a vault being unlocked (or created) behind a page: Argon2id runs in a worker
 * thread (vault_open_begin/derive/finish) while the screen stays live, with the title's
 * spinner. Argon2id cannot be interrupted: Esc and F10 meanwhile are acknowledged at once and
 * done when it ends (the vault is then closed unused). */
#ifndef CX_TUI_UNLOCK_H
#define CX_TUI_UNLOCK_H

#include <stdbool.h>

#include "tui/app.h"
#include "tui/widgets/keys.h"
#include "util/err.h"
#include "vault/vault.h"

struct tui_unlock {
	struct vault_opening *opening; /* NULL: nothing running */
	int after;                     /* what Esc or F10 asked for meanwhile (0: nothing) */
	int esc_after;                 /* the page's answer to Esc once it ends */
	const char *esc_text;          /* "Going back", "Not showing the list" (static) */
	bool creating;                 /* the vault file did not exist: this opening creates it */
	enum cx_status status;         /* why the last start or end failed (tui_unlock_why) */
	struct cx_err err;
};

/* Starts opening path (create_level NULL: it must exist) without waiting for another run's
 * lock. On true the derivation runs and the status line says `busy_text`; esc_after and
 * esc_text say what Esc means meanwhile. False: vault_open_begin failed (tui_unlock_why),
 * nothing runs. */
bool tui_unlock_start(struct tui_unlock *u, struct tui_app *app, const char *path,
                      const char *passphrase, const char *create_level, const char *busy_text,
                      int esc_after, const char *esc_text);
bool tui_unlock_running(const struct tui_unlock *u);
/* While running, the page hands every event here first. Returns true when the derivation has
 * ended (on a tick): call tui_unlock_end. Otherwise *answer is the page's answer (0: the
 * default handling, for Ctrl-C, help and signals). */
bool tui_unlock_action(struct tui_unlock *u, struct tui_app *app, const struct tui_event *ev,
                       int *answer);
/* Ends it. Returns the page answer Esc or F10 asked for meanwhile (the vault closed unused;
 * one this opening created, still empty, is removed again), else 0 with *out the open vault
 * (caller's), or NULL when it did not open (tui_unlock_why). */
int tui_unlock_end(struct tui_unlock *u, struct tui_app *app, struct vault **out);
/* For a page's destroy: waits for a derivation still running and closes its vault. */
void tui_unlock_abandon(struct tui_unlock *u);
/* Why the vault did not open, short: the wrong passphrase, "in use by another ... (pid N)"
 * (the path is on the page already), else the error's message. Valid until the next start. */
const char *tui_unlock_why(const struct tui_unlock *u);

#endif
