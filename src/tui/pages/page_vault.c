/* page_vault.c - the credential vault: create or unlock (page 10). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/flow.h"
#include "core/keyage.h"
#include "core/plan_life.h"
#include "core/planfmt.h"
#include "options.h"
#include "tui/modal.h"
#include "tui/widgets/theme.h"
#include "tui/pages/unlock.h"
#include "tui/pages/review_save.h"
#include "tui/resume.h"
#include "tui/wiz.h"
#include "tui/words.h"
#include "util/buf.h"
#include "util/mem.h"
#include "util/secmem.h"
#include "util/str.h"
#include "vault/strength.h"
#include "vault/vault.h"

#define W(pg) ((struct wiz *)(pg)->ctx)

/* ---- 10. vault ---- */

struct vault_state {
	struct tui_masked p1, p2;
	int focus;
	bool exists;
	struct tui_unlock unlock; /* the key derivation runs in a worker thread */
};

static void vault_init(struct tui_page *pg)
{
	struct vault_state *s = xcalloc(1, sizeof(*s));
	/* As long as a passphrase file's first line may be. */
	tui_masked_init(&s->p1, "Vault passphrase", VAULT_PASSPHRASE_MAX);
	tui_masked_init(&s->p2, "Once more", VAULT_PASSPHRASE_MAX);
	pg->state = s;
}

static void vault_destroy(struct tui_page *pg)
{
	struct vault_state *s = pg->state;
	tui_unlock_abandon(&s->unlock);
	tui_masked_free(&s->p1);
	tui_masked_free(&s->p2);
	free(s);
}

static void vault_enter(struct tui_page *pg, int how)
{
	(void)how;
	struct vault_state *s = pg->state;
	s->exists = access(W(pg)->vault_file, F_OK) == 0;
	s->focus = 0;
}

static void vault_draw(struct tui_page *pg, WINDOW *win, struct tui_rect b)
{
	struct vault_state *s = pg->state;
	struct wiz *w = W(pg);
	int x = b.x + 1, wd = b.w - 2, y = b.y + 1;
	char line[600];
	char path[512];
	tui_path_fit(w->vault_file, wd - 7, path, sizeof(path));
	snprintf(line, sizeof(line), "Vault: %s", path);
	tui_put(win, y++, x, wd, line, theme_attr(ROLE_LABEL));
	struct tui_rect r = {y, x, 3, wd};
	if (w->vault) {
		tui_put_wrapped(win, r, "The vault is unlocked. Enter continues to the apply.",
		                theme_attr(ROLE_OK));
		return;
	}
	if (tui_unlock_running(&s->unlock)) {
		static const char spin[] = "|/-\\";
		snprintf(line, sizeof(line), "%c %s the vault: deriving its key (Argon2id)...",
		         spin[tui_app_tick(w->app) % 4], s->exists ? "Unlocking" : "Creating");
		tui_put(win, y, x, wd, line, A_NORMAL);
		return;
	}
	y += tui_put_wrapped(
	    win, r,
	    s->exists ? "Unlock the existing vault. The new secret access key is saved in it the "
	                "moment AWS returns it."
	              : "A new encrypted vault is created. Choose a passphrase and type it twice; "
	                "the new secret access key is saved the moment AWS returns it.",
	    A_NORMAL);
	y++;
	tui_masked_draw(&s->p1, win, y, x, wd, s->focus == 0);
	y += 2;
	if (s->exists)
		return;
	tui_masked_draw(&s->p2, win, y, x, wd, s->focus == 1);
	y += 2;
	y += tui_strength_draw(win, y, x, wd, tui_masked_value(&s->p1)) + 1;
	struct tui_rect wr = {y, x, 2, wd};
	tui_put_wrapped(win, wr, VAULT_FORGOTTEN_WARNING, theme_attr(ROLE_WARN));
}

/* The derivation has ended: the vault is open, or the passphrase field says why not. */
static int vault_opened(struct vault_state *s, struct wiz *w)
{
	struct vault *v = NULL;
	int after = tui_unlock_end(&s->unlock, w->app, &v);
	if (after)
		return after; /* Esc or F10 meanwhile */
	if (!v) {
		tui_masked_set_error(&s->p1, tui_unlock_why(&s->unlock));
		s->focus = 0;
		return TUI_REDRAW;
	}
	w->vault = v;
	wiz_refresh(w); /* the vault tells which keys are ours */
	return TUI_NEXT;
}

static int vault_action(struct tui_page *pg, const struct tui_event *ev)
{
	struct vault_state *s = pg->state;
	struct wiz *w = W(pg);
	if (tui_unlock_running(&s->unlock)) {
		int answer;
		return tui_unlock_action(&s->unlock, w->app, ev, &answer) ? vault_opened(s, w)
		                                                          : answer;
	}
	if (w->vault)
		return ev->act == ACT_ENTER ? TUI_NEXT : 0;
	int r = s->focus == 0 ? tui_masked_action(&s->p1, ev) : tui_masked_action(&s->p2, ev);
	if (r)
		return r;
	switch (ev->act) {
	case ACT_NEXT:
	case ACT_PREV:
	case ACT_UP:
	case ACT_DOWN:
		if (!s->exists)
			s->focus = !s->focus;
		return TUI_HANDLED;
	case ACT_ENTER:
		break;
	default:
		return 0;
	}
	tui_masked_set_error(&s->p1, NULL);
	tui_masked_set_error(&s->p2, NULL);
	if (tui_masked_len(&s->p1) == 0) {
		tui_masked_set_error(&s->p1, "the passphrase must not be empty");
		s->focus = 0;
		return TUI_HANDLED;
	}
	if (!s->exists) {
		struct vault_strength vs;
		vault_passphrase_strength(tui_masked_value(&s->p1), &vs);
		if (vs.score < VAULT_STRENGTH_MIN) {
			char why[160];
			snprintf(why, sizeof(why), "too easy to guess (%s): see the hint below",
			         vs.label);
			tui_masked_set_error(&s->p1, why);
			s->focus = 0;
			return TUI_HANDLED;
		}
	}
	if (!s->exists && s->focus == 0 && tui_masked_len(&s->p2) == 0) {
		s->focus = 1;
		return TUI_HANDLED;
	}
	if (!s->exists && strcmp(tui_masked_value(&s->p1), tui_masked_value(&s->p2)) != 0) {
		tui_masked_set_error(&s->p2, "the two passphrases differ");
		tui_masked_clear(&s->p2);
		s->focus = 1;
		return TUI_HANDLED;
	}
	bool started = tui_unlock_start(
	    &s->unlock, w->app, w->vault_file, tui_masked_value(&s->p1),
	    w->o->vault_kdf ? w->o->vault_kdf : "moderate",
	    s->exists ? "Unlocking the vault..." : "Creating the vault...", TUI_BACK, "Going back");
	tui_masked_clear(&s->p1);
	tui_masked_clear(&s->p2);
	if (!started) {
		tui_masked_set_error(&s->p1, tui_unlock_why(&s->unlock));
		s->focus = 0;
		return TUI_HANDLED;
	}
	return TUI_REDRAW;
}

static bool vault_applies(struct tui_page *pg)
{
	return wiz_in_flow(W(pg), FLOW_VAULT);
}

const struct page_ops page_vault_ops = {
    .title = "Credential vault",
    .keys = "Tab move  Enter unlock/create  Esc back",
    .help = "The vault is an encrypted file (libsodium, Argon2id) that keeps the secret access "
            "keys of the data sources. The passphrase is masked, kept in secure memory and "
            "never written anywhere.\nThe vault comes before the apply because the new secret "
            "key is saved the moment AWS returns it.",
    .init = vault_init,
    .enter = vault_enter,
    .draw = vault_draw,
    .on_action = vault_action,
    .applies = vault_applies,
    .destroy = vault_destroy,
};
