/* page_certerox.c - CerteroX sign-in and organization (page 8, and its migrate form). */
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

/* ---- 8. CerteroX ---- */

static const char *const auth_items[] = {"API token (CERTEROX_TOKEN or --certerox-token-file)",
                                         "Email and password"};

enum { C_URL, C_AUTH, C_EMAIL, C_PASS, C_ORG, C_NAME, C_EDP, C_COUNT };

struct cx_state {
	struct tui_text url, email, name;
	struct tui_masked pass;
	struct tui_choice auth, org;
	struct tui_switch edp;
	const char **org_items;
	int norg_items;
	int focus;
	bool next_after; /* continue once the sign-in finishes */
};

static void cx_init(struct tui_page *pg)
{
	struct cx_state *s = xcalloc(1, sizeof(*s));
	struct wiz *w = W(pg);
	tui_text_init(&s->url, "CerteroX URL", 512, w->a.certerox.url);
	tui_text_set_validator(&s->url, wiz_valid_url, NULL);
	tui_choice_init(&s->auth, "Sign in with", auth_items, 2, w->cx_token ? 0 : 1);
	tui_text_init(&s->email, "Email", 256, getenv("CERTEROX_EMAIL"));
	tui_masked_init(&s->pass, "Password", 256);
	tui_choice_init(&s->org, "Organization", NULL, 0, 0);
	tui_text_init(&s->name, "Data source name", 255, w->a.data_source.name);
	tui_text_set_validator(&s->name, wiz_valid_ds_name, NULL);
	s->edp.label = "Use EDP discount";
	s->edp.on = w->a.data_source.use_edp_discount;
	pg->state = s;
}

static void cx_destroy(struct tui_page *pg)
{
	struct cx_state *s = pg->state;
	tui_text_free(&s->url);
	tui_text_free(&s->email);
	tui_text_free(&s->name);
	tui_masked_free(&s->pass);
	free(s->org_items);
	free(s);
}

static void cx_orgs(struct wiz *w, struct cx_state *s)
{
	free(s->org_items);
	s->org_items = NULL;
	s->norg_items = (int)w->orgs.n;
	int sel = 0;
	if (w->orgs.n) {
		s->org_items = xcalloc(w->orgs.n, sizeof(char *));
		for (size_t i = 0; i < w->orgs.n; i++) {
			s->org_items[i] = w->orgs.items[i].name;
			if (str_eq(w->orgs.items[i].id, w->s.org_id))
				sel = (int)i;
		}
	}
	tui_choice_init(&s->org, "Organization", (const char *const *)s->org_items, s->norg_items,
	                sel);
}

static void cx_enter(struct tui_page *pg, int how)
{
	(void)how;
	struct cx_state *s = pg->state;
	struct wiz *w = W(pg);
	if (!*tui_text_value(&s->name) && w->a.data_source.name)
		tui_text_set(&s->name, w->a.data_source.name);
	cx_orgs(w, s);
}

static bool cx_visible(const struct wiz *w, const struct cx_state *s, int f)
{
	switch (f) {
	case C_EMAIL:
	case C_PASS:
		return s->auth.sel == 1;
	case C_ORG:
		return s->norg_items > 1;
	case C_NAME:
		return w->a.action == ANSWERS_CONNECT;
	case C_EDP:
		return w->a.action == ANSWERS_CONNECT && w->a.connection == ANSWERS_ROOT;
	default:
		return true;
	}
}

static void cx_draw(struct tui_page *pg, WINDOW *win, struct tui_rect b)
{
	struct cx_state *s = pg->state;
	struct wiz *w = W(pg);
	int x = b.x + 1, wd = b.w - 2, y = b.y + 1;
	tui_text_draw(&s->url, win, y, x, wd, s->focus == C_URL);
	y += 2;
	tui_choice_draw(&s->auth, win, y, x, wd, s->focus == C_AUTH);
	y += 2;
	if (cx_visible(w, s, C_EMAIL)) {
		tui_text_draw(&s->email, win, y, x, wd, s->focus == C_EMAIL);
		y += 2;
		tui_masked_draw(&s->pass, win, y, x, wd, s->focus == C_PASS);
		y += 2;
	}
	char line[400];
	if (w->cx_busy) {
		snprintf(line, sizeof(line), "%s Signing in to CerteroX...",
		         theme_spinner(tui_app_tick(w->app)));
		tui_put(win, y++, x + 2, wd - 2, line, theme_attr(ROLE_DIM));
	} else if (w->cx_st != CX_OK) {
		snprintf(line, sizeof(line), "%s %s", theme_sym(SYM_FAIL), w->cx_err.msg);
		struct tui_rect r = {y, x + 2, 2, wd - 2};
		y += tui_put_wrapped(win, r, line, theme_attr(ROLE_ERROR));
	} else if (w->cx_ready) {
		const char *oname = w->s.org_id;
		for (size_t i = 0; i < w->orgs.n; i++)
			if (str_eq(w->orgs.items[i].id, w->s.org_id))
				oname = w->orgs.items[i].name;
		snprintf(line, sizeof(line), "%s Signed in; organization %s", theme_sym(SYM_OK),
		         oname ? oname : "");
		tui_put(win, y++, x + 2, wd - 2, line, theme_attr(ROLE_OK));
	} else if (w->orgs.n > 1) {
		tui_put(win, y++, x + 2, wd - 2,
		        "The sign-in sees several organizations: choose one.",
		        theme_attr(ROLE_WARN));
	} else if (w->cx_url_unconfirmed) {
		struct tui_rect r = {y, x + 2, 2, wd - 2};
		y += tui_put_wrapped(win, r,
		                     "This URL comes from the answers file: check it. Enter sends "
		                     "your CerteroX token to it.",
		                     theme_attr(ROLE_WARN));
	} else {
		tui_put(win, y++, x + 2, wd - 2, "Not signed in yet: Enter signs in.",
		        theme_attr(ROLE_DIM));
	}
	y++;
	if (cx_visible(w, s, C_ORG))
		tui_choice_draw(&s->org, win, y++, x, wd, s->focus == C_ORG);
	if (cx_visible(w, s, C_NAME)) {
		tui_text_draw(&s->name, win, y, x, wd, s->focus == C_NAME);
		y += 2;
	}
	if (cx_visible(w, s, C_EDP))
		tui_switch_draw(&s->edp, win, y++, x, wd, s->focus == C_EDP);
}

static void cx_move(struct wiz *w, struct cx_state *s, int dir)
{
	do
		s->focus = (s->focus + dir + C_COUNT) % C_COUNT;
	while (!cx_visible(w, s, s->focus));
}

/* Signed in: check the fields, store them, continue. */
static int cx_finish(struct wiz *w, struct cx_state *s)
{
	if (cx_visible(w, s, C_NAME) && !tui_text_check(&s->name)) {
		s->focus = C_NAME;
		tui_app_status_field(w->app, s->name.error);
		return TUI_HANDLED;
	}
	if (cx_visible(w, s, C_NAME))
		answers_set(&w->a.data_source.name, tui_text_value(&s->name));
	w->a.data_source.use_edp_discount = s->edp.on;
	return TUI_NEXT;
}

static int cx_action(struct tui_page *pg, const struct tui_event *ev)
{
	struct cx_state *s = pg->state;
	struct wiz *w = W(pg);
	if (ev->act == ACT_TICK) {
		if (s->next_after && !w->cx_busy) {
			s->next_after = false;
			cx_orgs(w, s);
			if (w->cx_ready)
				return cx_finish(w, s);
			if (w->orgs.n > 1 && w->cx_st == CX_OK) {
				s->focus = C_ORG;
				tui_app_status(w->app, ROLE_NORMAL,
				               "Choose the organization, then press Enter.");
			}
		}
		return TUI_REDRAW;
	}
	int r = 0;
	switch (s->focus) {
	case C_URL:
		r = tui_text_action(&s->url, ev);
		break;
	case C_AUTH: {
		int was = s->auth.sel;
		r = tui_choice_action(&s->auth, ev);
		if (s->auth.sel != was && !w->cx_busy) {
			/* another sign-in method: the old "Signed in" (or its error) is stale */
			w->cx_ready = false;
			w->cx_st = CX_OK;
			cx_err_clear(&w->cx_err);
		}
		break;
	}
	case C_EMAIL:
		r = tui_text_action(&s->email, ev);
		break;
	case C_PASS:
		r = tui_masked_action(&s->pass, ev);
		break;
	case C_ORG:
		r = tui_choice_action(&s->org, ev);
		break;
	case C_NAME:
		r = tui_text_action(&s->name, ev);
		break;
	case C_EDP:
		r = tui_switch_action(&s->edp, ev);
		break;
	}
	if (r)
		return r;
	switch (ev->act) {
	case ACT_NEXT:
	case ACT_DOWN:
		cx_move(w, s, 1);
		return TUI_HANDLED;
	case ACT_PREV:
	case ACT_UP:
		cx_move(w, s, -1);
		return TUI_HANDLED;
	case ACT_ENTER:
		break;
	default:
		return 0;
	}
	if (w->cx_busy)
		return TUI_HANDLED;
	if (!tui_text_check(&s->url)) {
		s->focus = C_URL;
		tui_app_status_field(w->app, s->url.error);
		return TUI_HANDLED;
	}
	const char *url = tui_text_value(&s->url);
	bool login = s->auth.sel == 1;
	if (login && (tui_masked_len(&s->pass) > 0 || !w->cx_ready)) {
		if (!*tui_text_value(&s->email) || tui_masked_len(&s->pass) == 0) {
			s->focus = *tui_text_value(&s->email) ? C_PASS : C_EMAIL;
			tui_app_status(w->app, ROLE_ERROR, "Give the email and the password.");
			return TUI_HANDLED;
		}
		wiz_certerox_connect(w, url, tui_text_value(&s->email), tui_masked_value(&s->pass));
		tui_masked_clear(&s->pass);
		s->next_after = true;
		return TUI_HANDLED;
	}
	if (!w->cx_ready && w->orgs.n > 1 && str_eq(url, w->cx_url) && w->cx_st == CX_OK) {
		wiz_certerox_org(w, w->orgs.items[s->org.sel].id);
		return cx_finish(w, s);
	}
	if (w->cx_ready && str_eq(url, w->cx_url)) {
		if (s->norg_items > 1 && !str_eq(w->orgs.items[s->org.sel].id, w->s.org_id))
			wiz_certerox_org(w, w->orgs.items[s->org.sel].id);
		return cx_finish(w, s);
	}
	wiz_certerox_connect(w, url, NULL, NULL);
	s->next_after = true;
	return TUI_HANDLED;
}

/* The page is in the connect flows after the user page, and right after the start page in the
 * migrate flow (page_certerox_migrate_ops): two instances, one applies at a time. */
static bool cx_applies(struct tui_page *pg)
{
	return W(pg)->a.action == ANSWERS_CONNECT && wiz_in_flow(W(pg), FLOW_CERTEROX);
}

static bool cx_applies_migrate(struct tui_page *pg)
{
	/* migrate, rotate and disconnect act on a data source CerteroX has: sign in first */
	return W(pg)->a.action != ANSWERS_CONNECT && wiz_in_flow(W(pg), FLOW_CERTEROX);
}

const struct page_ops page_certerox_ops = {
    .title = "CerteroX",
    .keys = "Tab/arrows move  Enter sign in/continue  Esc back",
    .help = "Where CerteroX Cloud Management runs and how the wizard signs in: the API token "
            "from CERTEROX_TOKEN (or --certerox-token-file), or email and password (the "
            "password is masked and never stored).\nWhen the sign-in sees several "
            "organizations, choose one.\nThe data source name is how the account appears in "
            "CerteroX; the EDP switch applies an Enterprise Discount Program discount.",
    .init = cx_init,
    .enter = cx_enter,
    .draw = cx_draw,
    .on_action = cx_action,
    .applies = cx_applies,
    .destroy = cx_destroy,
};

const struct page_ops page_certerox_migrate_ops = {
    .title = "CerteroX",
    .keys = "Tab/arrows move  Enter sign in/continue  Esc back",
    .help = "Where CerteroX Cloud Management runs and how the wizard signs in: the API token "
            "from CERTEROX_TOKEN (or --certerox-token-file), or email and password (the "
            "password is masked and never stored).\nWhen the sign-in sees several "
            "organizations, choose one.\nThe data source name is how the account appears in "
            "CerteroX; the EDP switch applies an Enterprise Discount Program discount.",
    .init = cx_init,
    .enter = cx_enter,
    .draw = cx_draw,
    .on_action = cx_action,
    .applies = cx_applies_migrate,
    .destroy = cx_destroy,
};
