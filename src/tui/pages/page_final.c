/* page_final.c - pages 8-12: CerteroX, data source to migrate, review, vault, apply, done. */
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

/* ---- migrate, rotate, disconnect: choose the data source ---- */

struct ds_state {
	struct tui_radio r;
	struct tui_radio_item *items;
	char **labels;
	char **notes;
	int n;
	const struct plan_data_source_fact **ds;
	struct tui_switch remove; /* disconnect: also remove what the wizard made in AWS */
	bool on_switch;           /* disconnect: the switch has the focus */
};

static void ds_clear(struct ds_state *s)
{
	for (int i = 0; i < s->n; i++) {
		free(s->labels[i]);
		free(s->notes[i]);
	}
	free(s->labels);
	free(s->notes);
	free(s->items);
	free(s->ds);
	s->labels = NULL;
	s->notes = NULL;
	s->items = NULL;
	s->ds = NULL;
	s->n = 0;
}

/* The discovered key fact of id (its age), NULL when discovery did not read it. */
static const struct plan_key_fact *ds_key(const struct wiz *w, const char *id)
{
	for (size_t i = 0; id && i < w->facts.nkeys; i++)
		if (str_eq(w->facts.keys[i].id, id))
			return &w->facts.keys[i];
	return NULL;
}

/* Rotate: the data source's key with its age, flagged past 90 days (core/keyage.h). */
static char *ds_key_note(const struct wiz *w, const struct plan_data_source_fact *d)
{
	const struct plan_key_fact *k = ds_key(w, d->access_key_id);
	char note[300];
	keyage_describe(note, sizeof(note), d->access_key_id, k ? k->age_days : -1);
	return xstrdup(note);
}

static const char *ds_chosen_id(const struct wiz *w)
{
	switch (w->a.action) {
	case ANSWERS_ROTATE:
		return w->a.rotate.data_source_id;
	case ANSWERS_DISCONNECT:
		return w->a.disconnect.data_source_id;
	default:
		return w->a.migrate.data_source_id;
	}
}

static void ds_build(struct wiz *w, struct ds_state *s)
{
	ds_clear(s);
	bool migrate = w->a.action == ANSWERS_MIGRATE;
	for (size_t i = 0; i < w->facts.ndata_sources; i++) {
		const struct plan_data_source_fact *d = &w->facts.data_sources[i];
		if (d->linked && migrate)
			continue;
		s->labels = xrealloc(s->labels, sizeof(char *) * (size_t)(s->n + 1));
		s->notes = xrealloc(s->notes, sizeof(char *) * (size_t)(s->n + 1));
		s->ds = xrealloc(s->ds, sizeof(*s->ds) * (size_t)(s->n + 1));
		const char *inv = "";
		if (w->vault)
			inv = vault_find_data_source(w->vault, d->id) ? ", key in the vault"
			                                              : ", key not in the vault";
		const char *kind = d->linked             ? "linked"
		                   : d->cur_version == 2 ? (migrate ? "CUR 2.0 already" : "CUR 2.0")
		                                         : "legacy CUR";
		s->labels[s->n] = xasprintf("%s (account %s, %s%s)", d->name ? d->name : d->id,
		                            d->account_id ? d->account_id : "?", kind, inv);
		s->notes[s->n] = w->a.action == ANSWERS_ROTATE ? ds_key_note(w, d) : NULL;
		s->ds[s->n] = d;
		s->n++;
	}
	s->items = xcalloc((size_t)(s->n ? s->n : 1), sizeof(*s->items));
	int sel = 0;
	for (int i = 0; i < s->n; i++) {
		s->items[i].label = s->labels[i];
		s->items[i].note = s->notes[i];
		if (str_eq(s->ds[i]->id, ds_chosen_id(w)))
			sel = i;
	}
	tui_radio_init(&s->r, s->items, s->n, sel);
}

static void ds_init(struct tui_page *pg)
{
	struct ds_state *s = xcalloc(1, sizeof(struct ds_state));
	s->remove.label = "Also remove what the wizard made in AWS";
	pg->state = s;
}

static void ds_destroy(struct tui_page *pg)
{
	ds_clear(pg->state);
	free(pg->state);
}

static void ds_enter(struct tui_page *pg, int how)
{
	(void)how;
	struct wiz *w = W(pg);
	struct ds_state *s = pg->state;
	s->remove.on = w->a.disconnect.delete_aws_resources;
	wiz_refresh(w);
	ds_build(w, s);
}

static void ds_draw(struct tui_page *pg, WINDOW *win, struct tui_rect b)
{
	struct ds_state *s = pg->state;
	struct wiz *w = W(pg);
	int x = b.x + 1, wd = b.w - 2, y = b.y + 1;
	const char *q = w->a.action == ANSWERS_ROTATE ? "Which data source's access key should "
	                                                "be rotated?"
	                : w->a.action == ANSWERS_DISCONNECT
	                    ? "Which data source should be disconnected from CerteroX?"
	                    : "Which AWS data source should switch to CUR 2.0?";
	tui_put(win, y, x, wd, q, A_NORMAL);
	y += 2;
	if (wiz_discovering(w) || w->cx_busy || !w->have_facts) {
		wiz_draw_discovery(w, win, y, x, wd);
		return;
	}
	if (s->n == 0) {
		tui_put(win, y, x, wd,
		        w->a.action == ANSWERS_MIGRATE
		            ? "CerteroX has no Root AWS data source in this organization."
		            : "CerteroX has no AWS data source in this organization.",
		        theme_attr(ROLE_WARN));
		return;
	}
	y += tui_radio_draw(&s->r, win, y, x, wd, !s->on_switch);
	if (w->a.action != ANSWERS_DISCONNECT)
		return;
	y++;
	tui_switch_draw(&s->remove, win, y++, x, wd, s->on_switch);
	struct tui_rect r = {y, x + 2, b.y + b.h - y, wd - 2};
	tui_put_wrapped(win, r,
	                s->remove.on
	                    ? "On: the data source's key, user, unshared policies, bucket-policy "
	                      "statement and export go too, if the wizard made them; the review "
	                      "lists each removal and each thing kept with the reason."
	                    : "Off: only CerteroX's data source is deleted; everything in AWS "
	                      "stays.",
	                theme_attr(ROLE_DIM));
}

static int ds_action(struct tui_page *pg, const struct tui_event *ev)
{
	struct ds_state *s = pg->state;
	struct wiz *w = W(pg);
	if (ev->act == ACT_TICK) {
		/* the facts may have been replaced: rebuild (the pointers are into them) */
		if (wiz_refresh(w) && w->have_facts) {
			int sel = s->r.selected, cur = s->r.cursor;
			ds_build(w, s);
			if (sel < s->n && s->n > 0) {
				s->r.selected = sel;
				s->r.cursor = cur < s->n ? cur : sel;
			}
		}
		return TUI_REDRAW;
	}
	bool disc = w->a.action == ANSWERS_DISCONNECT;
	if (disc && (ev->act == ACT_NEXT || ev->act == ACT_PREV)) {
		s->on_switch = !s->on_switch;
		return TUI_HANDLED | TUI_REDRAW;
	}
	int r =
	    disc && s->on_switch ? tui_switch_action(&s->remove, ev) : tui_radio_action(&s->r, ev);
	if (r)
		return r;
	if (ev->act != ACT_ENTER)
		return 0;
	if (wiz_discovering(w) || w->cx_busy || !w->have_facts) {
		tui_app_status(w->app, ROLE_NORMAL, "Still reading the account; one moment.");
		return TUI_HANDLED;
	}
	if (s->n == 0) {
		tui_app_status(w->app, ROLE_ERROR, "No data source to choose.");
		return TUI_HANDLED;
	}
	const struct plan_data_source_fact *d = s->ds[s->r.selected];
	switch (w->a.action) {
	case ANSWERS_ROTATE:
		answers_set(&w->a.rotate.data_source_id, d->id);
		break;
	case ANSWERS_DISCONNECT:
		answers_set(&w->a.disconnect.data_source_id, d->id);
		w->a.disconnect.delete_aws_resources = s->remove.on;
		break;
	default:
		if (d->cur_version == 2) {
			tui_app_status(w->app, ROLE_WARN, "%s already uses CUR 2.0.", d->name);
			return TUI_HANDLED;
		}
		answers_set(&w->a.migrate.data_source_id, d->id);
		w->a.has_migrate = true;
		break;
	}
	wiz_refresh(w);
	return TUI_NEXT;
}

/* Two instances, one applies at a time: migrate's, and rotate's and disconnect's. */
static bool ds_applies(struct tui_page *pg)
{
	return W(pg)->a.action == ANSWERS_MIGRATE && wiz_in_flow(W(pg), FLOW_CHOOSE_DATA_SOURCE);
}

static bool ds_applies_life(struct tui_page *pg)
{
	return W(pg)->a.action != ANSWERS_MIGRATE && wiz_in_flow(W(pg), FLOW_CHOOSE_DATA_SOURCE);
}

const struct page_ops page_choose_ds_ops = {
    .title = "Data source to migrate",
    .keys = "Up/Down choose  Enter continue  Esc back",
    .help = "CerteroX's Root AWS data sources in the organization. The chosen one gets a CUR "
            "2.0 export, its bucket policy and ReadOnly policy are updated, and CerteroX is "
            "switched to the new export with the key from the vault.",
    .init = ds_init,
    .enter = ds_enter,
    .draw = ds_draw,
    .on_action = ds_action,
    .applies = ds_applies,
    .destroy = ds_destroy,
};

const struct page_ops page_choose_ds_life_ops = {
    .title = "Data source",
    .keys = "Up/Down choose  Tab move  Space toggle  Enter continue  Esc back",
    .help = "CerteroX's AWS data sources in the organization.\nRotate: each data source's key "
            "with its age; keys older than 90 days are flagged (CIS AWS Foundations 1.14). A "
            "new key is made for the data source's user and saved in the vault, checked, "
            "given to CerteroX, then the old key is deleted (only deactivated when the wizard "
            "did not make it).\nDisconnect: CerteroX's data source is deleted; with the "
            "switch on, what the wizard made for it in AWS too. The review lists each removal "
            "and each thing kept with the reason, and the apply asks for a confirmation.",
    .init = ds_init,
    .enter = ds_enter,
    .draw = ds_draw,
    .on_action = ds_action,
    .applies = ds_applies_life,
    .destroy = ds_destroy,
};

/* ---- 9. review ---- */

struct review_state {
	struct tui_view view;
	bool show_json;
	bool built;
};

static char *review_text(struct wiz *w)
{
	struct buf b;
	buf_init(&b);
	const struct plan_target *t = &w->plan.target;
	size_t nc = 0, nu = 0, nd = 0, ns = 0, nr = 0;
	for (size_t i = 0; i < w->plan.n; i++) {
		switch (w->plan.steps[i].kind) {
		case PLAN_CREATE:
			nc++;
			break;
		case PLAN_UPDATE:
			nu++;
			break;
		case PLAN_DELETE:
			nd++;
			break;
		case PLAN_READ:
			nr++;
			break;
		default:
			ns++;
			break;
		}
	}
	static const char *const what[] = {
	    [ANSWERS_CONNECT] = "connect a new data source",
	    [ANSWERS_MIGRATE] = "switch the data source to CUR 2.0",
	    [ANSWERS_ROTATE] = "rotate the access key",
	    [ANSWERS_DISCONNECT] = "disconnect the data source",
	    [ANSWERS_ORGANIZATION] = "connect the Organization's accounts",
	};
	buf_printf(&b, "Account %s (%s): %s\n", t->account_id ? t->account_id : "",
	           w->a.connection == ANSWERS_LINKED ? "Linked" : "Root", what[w->a.action]);
	if (t->export_name)
		buf_printf(&b, "Export %s (%s)\nBucket s3://%s/%s in %s\n", t->export_name,
		           t->legacy ? "legacy CUR" : "CUR 2.0", t->bucket ? t->bucket : "?",
		           t->prefix ? t->prefix : "", t->region ? t->region : "");
	buf_printf(&b, "CerteroX %s, data source \"%s\"\n",
	           w->a.certerox.url ? w->a.certerox.url : "", wiz_ds_name(w));
	buf_printf(&b, "%zu steps: %zu create, %zu update, %zu delete, %zu check, %zu skip\n\n",
	           w->plan.n, nc, nu, nd, nr, ns);
	for (size_t i = 0; i < w->plan.n; i++) {
		const struct plan_step *s = &w->plan.steps[i];
		buf_printf(&b, "%-7s %s%s\n", plan_kind_name(s->kind), s->title,
		           s->destructive && s->kind != PLAN_SKIP ? "  (replaces/deletes)" : "");
		if (s->kind == PLAN_SKIP && s->skip_reason)
			buf_printf(&b, "        because %s\n", s->skip_reason);
		for (size_t k = 0; k < s->differences.n; k++)
			buf_printf(&b, "        %s\n", s->differences.v[k]);
	}
	for (size_t i = 0; i < w->warnings.n; i++)
		buf_printf(&b, "\nwarning: %s", w->warnings.v[i]);
	for (size_t i = 0; i < w->plan.warnings.n; i++)
		buf_printf(&b, "\nwarning: %s", w->plan.warnings.v[i]);
	if (!w->vault && access(w->vault_file, F_OK) == 0)
		buf_printf(&b, "\nnote: the vault is unlocked on the next page; the keys it holds "
		               "are recognised then and the plan is made again before anything "
		               "is written.");
	buf_puts(&b, "\n");
	char *plain = tui_words(buf_str(&b)); /* core's words are made for --batch */
	buf_free(&b);
	return plain;
}

static void review_update(struct wiz *w, struct review_state *s)
{
	if (!wiz_refresh(w) || !w->have_facts) {
		s->built = false;
		return;
	}
	if (!w->have_plan && w->plan_st == CX_OK)
		wiz_build_plan(w);
	if (s->built)
		return;
	s->built = true;
	char *t = NULL;
	if (!w->have_plan) {
		char buf[1400];
		t = xasprintf(
		    "The plan cannot be made:\n%s\n\nGo back (Esc) and change the answers.",
		    cx_err_format(&w->plan_err, buf, sizeof(buf)));
	} else {
		t = s->show_json ? planfmt_json(&w->plan) : review_text(w);
	}
	tui_view_set_text(&s->view, t);
	free(t);
}

static void review_init(struct tui_page *pg)
{
	struct review_state *s = xcalloc(1, sizeof(*s));
	tui_view_init(&s->view, NULL, "");
	pg->state = s;
}

static void review_destroy(struct tui_page *pg)
{
	struct review_state *s = pg->state;
	tui_view_free(&s->view);
	free(s);
}

static void review_enter(struct tui_page *pg, int how)
{
	(void)how;
	struct review_state *s = pg->state;
	s->built = false;
	review_update(W(pg), s);
}

static void review_draw(struct tui_page *pg, WINDOW *win, struct tui_rect b)
{
	struct review_state *s = pg->state;
	struct wiz *w = W(pg);
	int x = b.x + 1, wd = b.w - 2, y = b.y;
	tui_put(win, y++, x, wd, "The whole plan. Nothing has been written yet.",
	        theme_attr(ROLE_LABEL));
	if (!s->built) {
		wiz_draw_discovery(w, win, y + 1, x, wd);
		return;
	}
	struct tui_rect vr = {y + 1, x + 1, b.h - 3, wd - 2};
	tui_view_draw_boxed(&s->view, win, vr, s->show_json ? "Plan (JSON)" : "Plan", true);
}

static int review_action(struct tui_page *pg, const struct tui_event *ev)
{
	struct review_state *s = pg->state;
	struct wiz *w = W(pg);
	switch (ev->act) {
	case ACT_TICK:
		review_update(w, s);
		return TUI_REDRAW;
	case ACT_NEXT:
	case ACT_PREV:
		s->show_json = !s->show_json;
		s->built = false;
		review_update(w, s);
		return TUI_HANDLED;
	case ACT_CHAR:
	case ACT_SEARCH_NEXT: /* n is bound; s, a and w arrive as characters */
		if (ev->ch != L'n' && review_save_key(w, ev->ch))
			return TUI_HANDLED;
		return tui_view_action(&s->view, w->app, ev);
	case ACT_ENTER:
		if (!s->built) {
			tui_app_status(w->app, ROLE_NORMAL,
			               "Still reading the account; one moment.");
			return TUI_HANDLED;
		}
		if (!w->have_plan) {
			tui_app_status(w->app, ROLE_ERROR, "The plan cannot be made: %s",
			               w->plan_err.msg);
			return TUI_HANDLED;
		}
		if (w->a.action == ANSWERS_DISCONNECT) {
			/* an explicit confirmation: a disconnect deletes (batch needs --yes) */
			char *q = xasprintf(
			    "Delete the data source \"%s\" in CerteroX%s? Its costs are no longer "
			    "imported; this cannot be undone. Each removal and each thing kept is "
			    "listed in the plan.",
			    wiz_ds_name(w),
			    w->a.disconnect.delete_aws_resources
			        ? ", and remove what the wizard made for it in AWS"
			        : " (everything in AWS stays)");
			int yes = tui_confirm(w->app, "Disconnect?", q, false);
			free(q);
			if (yes != 1)
				return TUI_HANDLED;
			return TUI_NEXT;
		}
		/* what it replaces is named in "Apply now?" on the apply page, with the plan
		 * made after the vault's unlock */
		return TUI_NEXT;
	default:
		return tui_view_action(&s->view, w->app, ev);
	}
}

static bool review_applies(struct tui_page *pg)
{
	return wiz_in_flow(W(pg), FLOW_REVIEW);
}

const struct page_ops page_review_ops = {
    .title = "Review the plan",
    .keys = "s save plan  a awscli  w answers  Tab JSON  Enter continue  Esc back",
    .help = "Every step of the plan in order: create, update, delete or skip (with the "
            "reason). Nothing has been written yet.\nTab shows the plan as JSON (the same as "
            "--dry-run); PgUp/PgDn scroll, / searches.\ns saves the plan as JSON, a shows "
            "it as aws CLI commands and saves that script, w writes the answers given so far "
            "as an answers file for --batch --answers FILE.",
    .init = review_init,
    .enter = review_enter,
    .draw = review_draw,
    .on_action = review_action,
    .applies = review_applies,
    .destroy = review_destroy,
};

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

/* ---- 11. apply ---- */

struct apply_state {
	bool waiting;   /* for the discovery with the vault */
	bool asking;    /* the final plan is made: "Apply now?" is due */
	bool in_dialog; /* "Apply now?" is open (ticks reach the page meanwhile) */
	bool declined;  /* "Apply now?" was answered no: Enter asks again */
	bool reported;  /* summary and exit status set */
	bool record;    /* where the apply stopped is still to be journalled (after the draw) */
};

static void apply_init(struct tui_page *pg)
{
	pg->state = xcalloc(1, sizeof(struct apply_state));
}

static void apply_free(struct tui_page *pg)
{
	free(pg->state);
}

static void apply_try_start(struct wiz *w, struct apply_state *s)
{
	if (!s->waiting)
		return;
	if (!wiz_refresh(w) || !w->have_facts) {
		if (!wiz_discovering(w) && w->disc_st != CX_OK) {
			s->waiting = false;
			w->apply_finished = true;
			w->apply_st = w->disc_st;
			w->apply_err = w->disc_err;
		}
		return;
	}
	s->waiting = false;
	if (!w->have_plan && wiz_build_plan(w) != CX_OK) {
		w->apply_finished = true;
		w->apply_st = w->plan_st;
		w->apply_err = w->plan_err;
		tui_log_add(&w->log, "plan: %s", w->plan_err.msg);
		return;
	}
	s->asking = true; /* the plan made after the vault's unlock is the one confirmed */
	tui_app_wake(w->app);
}

/* The final plan's counts and what it replaces, for "Apply now?" (caller frees). */
static char *apply_question(const struct wiz *w)
{
	size_t nc = 0, nu = 0, nd = 0;
	struct buf rb;
	buf_init(&rb);
	for (size_t i = 0; i < w->plan.n; i++) {
		const struct plan_step *st = &w->plan.steps[i];
		nc += st->kind == PLAN_CREATE;
		nu += st->kind == PLAN_UPDATE;
		nd += st->kind == PLAN_DELETE;
		if (st->destructive && st->kind != PLAN_SKIP && st->kind != PLAN_READ)
			buf_printf(&rb, "\n  %s %s", theme_sym(SYM_ARROW), st->title);
	}
	char *q =
	    xasprintf("The final plan (made after the vault was unlocked): %zu create%s, "
	              "%zu update%s, %zu delete%s.%s%s\n\nApply now?",
	              nc, nc == 1 ? "" : "s", nu, nu == 1 ? "" : "s", nd, nd == 1 ? "" : "s",
	              rb.len ? "\n\nIt replaces or deletes:" : "", rb.len ? buf_str(&rb) : "");
	buf_free(&rb);
	return q;
}

/* "Apply now?": yes starts the engine; no keeps the page (Enter asks again, Esc goes back). */
static void apply_ask(struct wiz *w, struct apply_state *s)
{
	if (s->in_dialog)
		return;
	s->asking = false;
	s->in_dialog = true;
	char *q = apply_question(w);
	int yes = tui_confirm(w->app, "Apply now?", q, !plan_needs_confirmation(&w->plan));
	free(q);
	s->in_dialog = false;
	if (yes != 1) {
		s->declined = true;
		tui_app_status(w->app, ROLE_NORMAL,
		               "Nothing was applied. Enter asks again; Esc goes back.");
		return;
	}
	s->declined = false;
	tui_app_status_clear(w->app);
	if (wiz_apply_start(w) != CX_OK) {
		w->apply_finished = true;
		w->apply_st = w->apply_err.status;
		tui_log_add(&w->log, "apply: %s", w->apply_err.msg);
	}
}

/* Steps a cancel left undone (not run, or stopped while they ran). */
static int apply_not_run(const struct wiz *w)
{
	int n = 0;
	for (int i = 0; i < w->prog.n; i++)
		n += w->prog.steps[i].state == STEP_NOTRUN ||
		     w->prog.steps[i].state == STEP_CANCELLED ||
		     w->prog.steps[i].state == STEP_PENDING;
	return n;
}

/* The key bar follows the apply: Esc cancels only while it runs; r retries after a cancel. */
static void apply_keys(struct tui_page *pg)
{
	struct wiz *w = W(pg);
	if (w->applying)
		pg->keys = NULL;
	else if (!w->apply_finished)
		pg->keys = "Enter apply now  Esc back";
	else if (w->apply_st == CX_E_CANCELLED)
		pg->keys = "r retry  Up/Down steps  PgUp/PgDn log  Enter continue";
	else
		pg->keys = "Up/Down steps  PgUp/PgDn log  Enter continue";
}

/* r after a cancel: read the account again (what the cancelled run made is found and
 * skipped), plan again and apply; the vault stays unlocked and the journal open. */
static void apply_retry(struct tui_page *pg)
{
	struct apply_state *s = pg->state;
	struct wiz *w = W(pg);
	free(w->disc_key); /* the facts changed: discovery runs again */
	w->disc_key = NULL;
	w->have_facts = false;
	w->apply_finished = false;
	w->apply_st = CX_OK;
	cx_err_clear(&w->apply_err);
	w->keycheck[0] = '\0';
	s->reported = false;
	s->waiting = true;
	tui_app_set_exit(w->app, 130);
	tui_log_add(&w->log, "retry: reading the account again, then the rest of the plan");
	tui_app_status(w->app, ROLE_NORMAL, "Retrying: what is done is skipped.");
	apply_try_start(w, s);
}

static void apply_finished(struct wiz *w)
{
	char *sum = wiz_summary_text(w);
	if (sum) {
		tui_app_set_summary(w->app, sum);
		free(sum);
	}
	if (w->apply_st != CX_OK) {
		const struct engine_result *r = w->eng ? engine_result(w->eng) : NULL;
		tui_app_set_exit(
		    w->app, w->apply_st == CX_E_CANCELLED
		                ? 130
		                : session_exit_status(w->apply_st, r && (r->wrote || r->done > 0)));
	} else {
		tui_app_set_exit(w->app, 0);
	}
}

static void apply_enter(struct tui_page *pg, int how)
{
	(void)how;
	struct apply_state *s = pg->state;
	struct wiz *w = W(pg);
	if (!w->applying && !w->apply_finished) {
		s->declined = false;
		s->waiting = true;
		apply_try_start(w, s);
	}
}

static void apply_draw(struct tui_page *pg, WINDOW *win, struct tui_rect b)
{
	struct apply_state *s = pg->state;
	struct wiz *w = W(pg);
	apply_keys(pg);
	int x = b.x + 1, wd = b.w - 2, y = b.y;
	char line[1400];
	if (w->applying)
		snprintf(line, sizeof(line), "Applying the plan: %d steps", w->prog.n);
	else if (w->apply_finished && w->apply_st == CX_OK)
		snprintf(line, sizeof(line), "%s Done: every step finished. Enter continues.",
		         theme_sym(SYM_OK));
	else if (w->apply_finished && w->apply_st == CX_E_CANCELLED)
		snprintf(line, sizeof(line),
		         "%s Cancelled: %d step%s not run; what was written stays. r retries now.",
		         theme_sym(SYM_WARN), apply_not_run(w), apply_not_run(w) == 1 ? "" : "s");
	else if (w->apply_finished) {
		char buf[1200];
		snprintf(line, sizeof(line), "%s Stopped: %s", theme_sym(SYM_FAIL),
		         cx_err_format(&w->apply_err, buf, sizeof(buf)));
	} else if (s->declined || s->asking || s->in_dialog)
		snprintf(line, sizeof(line), "Ready: %zu steps; nothing was applied yet.",
		         w->plan.n);
	else
		snprintf(line, sizeof(line), "Preparing...");
	tui_put(win, y++, x, wd, line,
	        !w->apply_finished              ? theme_attr(ROLE_LABEL)
	        : w->apply_st == CX_OK          ? theme_attr(ROLE_OK)
	        : w->apply_st == CX_E_CANCELLED ? theme_attr(ROLE_WARN)
	                                        : theme_attr(ROLE_ERROR));
	if (!w->applying && !w->apply_finished) {
		wiz_draw_discovery(w, win, y, x, wd);
		return;
	}
	int logh = b.h >= 30 ? 8 : 5;
	struct tui_rect pr = {y, x, b.h - logh - 3, wd};
	tui_progress_draw(&w->prog, win, pr, tui_app_tick(w->app));
	y += pr.h;
	snprintf(line, sizeof(line), "Key check: %s",
	         w->keycheck[0] ? w->keycheck
	                        : "waits for the new key, then proves each permission");
	tui_put(win, y++, x, wd, line, theme_attr(ROLE_DIM));
	tui_hline(win, y++, x, wd, theme_attr(ROLE_DIM));
	struct tui_rect lr = {y, x, b.y + b.h - y, wd};
	tui_log_draw(&w->log, win, lr);
}

static int apply_action(struct tui_page *pg, const struct tui_event *ev)
{
	struct apply_state *s = pg->state;
	struct wiz *w = W(pg);
	int ret = 0;
	switch (ev->act) {
	case ACT_TICK:
		apply_try_start(w, s);
		if (s->asking)
			apply_ask(w, s);
		ret = TUI_REDRAW;
		break;
	case ACT_BACK:
		if (w->applying) {
			wiz_apply_cancel(w, false);
			tui_app_status(w->app, ROLE_WARN,
			               "Cancelling after the call in flight; a re-run continues.");
		} else if (w->apply_finished) {
			tui_app_status(w->app, ROLE_NORMAL,
			               "The apply has run; Enter continues, F10 quits.");
		} else {
			return 0; /* not started yet: back to the vault page */
		}
		ret = TUI_HANDLED;
		break;
	case ACT_INTERRUPT:
		if (w->applying) {
			/* Ctrl-C: stop now; what was written stays, a re-run resumes. */
			wiz_apply_cancel(w, true);
			w->apply_st = CX_E_CANCELLED;
			s->reported = true;
			apply_finished(w);
			wiz_resume_record(w);
			tui_app_set_applied(w->app, false);
			tui_app_set_exit(w->app, 130);
			return TUI_QUIT;
		}
		return 0;
	case ACT_CHAR:
		if ((ev->ch == 'r' || ev->ch == 'R') && w->apply_finished &&
		    w->apply_st == CX_E_CANCELLED) {
			apply_retry(pg);
			apply_keys(pg);
			return TUI_HANDLED;
		}
		return 0;
	case ACT_ENTER:
		if (s->declined && !w->applying && !w->apply_finished) {
			apply_ask(w, s);
			return TUI_HANDLED;
		}
		if (w->apply_finished && w->apply_st == CX_OK)
			return TUI_NEXT;
		if (w->apply_finished && w->apply_st == CX_E_CANCELLED)
			tui_app_status(w->app, ROLE_WARN,
			               "Cancelled: r retries now; F10 quits (a re-run continues).");
		else if (w->apply_finished)
			tui_app_status(
			    w->app, ROLE_ERROR,
			    "Fix the problem and run the wizard again: it continues where "
			    "it stopped. F10 quits.");
		ret = TUI_HANDLED;
		break;
	case ACT_PGUP:
	case ACT_PGDN:
	case ACT_HOME:
	case ACT_END:
		ret = tui_log_action(&w->log, ev);
		break;
	default:
		ret = tui_progress_action(&w->prog, ev);
		break;
	}
	if (s->record) { /* the outcome has been drawn: now the summary and the journal */
		s->record = false;
		apply_finished(w);
		wiz_resume_record(w);
	}
	if (w->apply_finished && !s->reported) {
		s->reported = true;
		s->record = true; /* on the tick right after this frame */
		tui_app_set_exit(w->app, w->apply_st == CX_OK ? 0 : 130);
		tui_app_wake(w->app);
		if (w->apply_st == CX_E_CANCELLED)
			tui_app_status(w->app, ROLE_WARN,
			               "Cancelled: what was written stays; r retries, a re-run "
			               "continues.");
	}
	return ret;
}

static bool apply_applies(struct tui_page *pg)
{
	return wiz_in_flow(W(pg), FLOW_APPLY);
}

const struct page_ops page_apply_ops = {
    .title = "Apply",
    .keys = "Esc cancel  Up/Down steps  PgUp/PgDn log  Enter continue",
    .help = "Each step of the plan with its status word, a spinner while it runs, its time "
            "and retries with the reason. The log pane shows every event.\nEsc cancels after "
            "the call in flight; Ctrl-C stops now. What was written stays, and running the "
            "wizard again continues where it stopped.",
    .init = apply_init,
    .enter = apply_enter,
    .draw = apply_draw,
    .on_action = apply_action,
    .applies = apply_applies,
    .destroy = apply_free,
};

/* ---- 12. done ---- */

/* Disconnect's Done page: a removal (deleted, or the bucket policy rewritten without our
 * statement), or a thing kept (a skipped step, whose reason says why). CerteroX's delete is
 * the page's headline. */
static bool done_listed(const struct plan_step *s, bool kept)
{
	if (kept)
		return s->kind == PLAN_SKIP;
	if (str_eq(s->service, "certerox"))
		return false;
	return s->kind == PLAN_DELETE || (s->kind == PLAN_UPDATE && str_eq(s->service, "s3"));
}

static int done_count(const struct wiz *w, bool kept)
{
	int n = 0;
	for (size_t i = 0; i < w->plan.n; i++)
		n += done_listed(&w->plan.steps[i], kept);
	return n;
}

/* The listed steps of one kind, one row each ("  - title" or the reason kept), in rows rows
 * (the last says how many more when they do not fit); the rows drawn. */
static int done_steps(struct wiz *w, WINDOW *win, int y, int x, int wd, int rows, bool kept)
{
	int total = done_count(w, kept), n = 0;
	int shown = total <= rows ? total : rows - 1;
	char line[600];
	for (size_t i = 0; i < w->plan.n && n < shown; i++) {
		const struct plan_step *s = &w->plan.steps[i];
		if (!done_listed(s, kept))
			continue;
		snprintf(line, sizeof(line), "  - %s",
		         kept && s->skip_reason ? s->skip_reason : s->title);
		tui_put(win, y + n++, x, wd, line, kept ? theme_attr(ROLE_DIM) : A_NORMAL);
	}
	if (total > shown) {
		snprintf(line, sizeof(line), "  ... and %d more (the summary lists each)",
		         total - shown);
		tui_put(win, y + n++, x, wd, line, theme_attr(ROLE_DIM));
	}
	return n;
}

/* "  Label            /a/path", the path cut at the front with an ellipsis to fit. */
static void done_path(WINDOW *win, int y, int x, int wd, const char *label, const char *path)
{
	char fit[512], line[600];
	tui_path_fit(path, wd - 19, fit, sizeof(fit));
	snprintf(line, sizeof(line), "  %-16s %s", label, fit);
	tui_put(win, y, x, wd, line, A_NORMAL);
}

/* Rotate and disconnect: what changed, by the plan and the engine's result. */
static void done_life_draw(struct wiz *w, WINDOW *win, struct tui_rect b)
{
	int x = b.x + 1, wd = b.w - 2, y = b.y + 1;
	const struct engine_result *r = w->eng ? engine_result(w->eng) : NULL;
	const char *prev = w->facts.life ? w->facts.life->access_key_id : NULL;
	const char *id = ds_chosen_id(w);
	char line[600];
	if (w->a.action == ANSWERS_ROTATE) {
		snprintf(line, sizeof(line), "%s The access key was rotated.", theme_sym(SYM_OK));
		tui_put(win, y++, x, wd, line, theme_attr(ROLE_OK));
		y++;
		snprintf(line, sizeof(line), "  Data source id   %s", id ? id : "(unknown)");
		tui_put(win, y++, x, wd, line, A_NORMAL);
		snprintf(line, sizeof(line), "  Name             %s", wiz_ds_name(w));
		tui_put(win, y++, x, wd, line, A_NORMAL);
		snprintf(line, sizeof(line), "  IAM user         %s",
		         r && r->iam_user ? r->iam_user : "(unknown)");
		tui_put(win, y++, x, wd, line, A_NORMAL);
		snprintf(line, sizeof(line), "  New access key   %s (secret in the vault)",
		         r && r->access_key_id ? r->access_key_id : "(unknown)");
		tui_put(win, y++, x, wd, line, A_NORMAL);
		bool deleted = false;
		for (size_t i = 0; prev && i < w->plan.n; i++)
			if (w->plan.steps[i].kind == PLAN_DELETE &&
			    str_eq(w->plan.steps[i].operation, "DeleteAccessKey"))
				deleted = true;
		snprintf(line, sizeof(line), "  Previous key     %s (%s)", prev ? prev : "(none)",
		         !prev     ? "CerteroX had none"
		         : deleted ? "deleted"
		                   : "kept: the wizard did not make it");
		tui_put(win, y++, x, wd, line, A_NORMAL);
		if (w->vault)
			done_path(win, y++, x, wd, "Vault", vault_path(w->vault));
		y++;
		struct tui_rect rr = {y, x + 2, b.y + b.h - y, wd - 2};
		tui_put_wrapped(win, rr,
		                "CerteroX reads the billing data with the new key from now on. The "
		                "summary printed to the terminal when the wizard exits names the "
		                "previous key too. Enter finishes.",
		                A_NORMAL);
		return;
	}
	snprintf(line, sizeof(line), "%s The data source \"%s\" was deleted in CerteroX.",
	         theme_sym(SYM_OK), wiz_ds_name(w));
	tui_put(win, y++, x, wd, line, theme_attr(ROLE_OK));
	snprintf(line, sizeof(line), "  Data source id   %s", id ? id : "(unknown)");
	tui_put(win, y++, x, wd, line, A_NORMAL);
	y++;
	/* rows for both lists: their labels, a blank row between, the last row's note */
	int room = b.y + b.h - 1 - y - 3;
	int nrem = done_count(w, false), nkept = done_count(w, true);
	int krows = nkept ? (nkept < room / 2 ? nkept : room / 2) : 1;
	if (krows < 1)
		krows = 1;
	int rrows = room - krows;
	if (nrem < rrows) {
		rrows = nrem ? nrem : 1;
		krows = room - rrows;
	}
	tui_put(win, y++, x, wd, "Removed in AWS", theme_attr(ROLE_LABEL));
	int n = done_steps(w, win, y, x, wd, rrows, false);
	if (n == 0)
		tui_put(win, y + n++, x, wd,
		        w->a.disconnect.delete_aws_resources ? "  - nothing the wizard made"
		                                             : "  - nothing: not asked to",
		        theme_attr(ROLE_DIM));
	y += n + 1;
	tui_put(win, y++, x, wd, "Kept", theme_attr(ROLE_LABEL));
	n = done_steps(w, win, y, x, wd, krows, true);
	if (n == 0)
		tui_put(win, y + n++, x, wd, "  - nothing", theme_attr(ROLE_DIM));
	tui_put(win, b.y + b.h - 1, x, wd, "The summary lists each; Enter finishes.",
	        theme_attr(ROLE_DIM));
}

/* Migrate: the real user (the summary's iam_user) and the legacy report's fate. */
static int done_migrate_rows(struct wiz *w, const struct engine_result *r, WINDOW *win, int y,
                             int x, int wd)
{
	char line[600];
	snprintf(line, sizeof(line), "  IAM user         %s",
	         r && r->iam_user ? r->iam_user
	         : w->a.iam.user  ? w->a.iam.user
	                          : "(unknown)");
	tui_put(win, y++, x, wd, line, A_NORMAL);
	/* the new export itself is the Export row every connect's Done page has */
	const struct plan_step *lg = plan_find(&w->plan, "legacy-delete");
	for (size_t i = 0; i < w->facts.ndata_sources; i++) {
		const struct plan_data_source_fact *d = &w->facts.data_sources[i];
		if (!str_eq(d->id, w->a.migrate.data_source_id) || !d->report_name ||
		    d->cur_version == 2)
			continue;
		snprintf(line, sizeof(line), "  Legacy report    %s (%s)", d->report_name,
		         lg && lg->kind == PLAN_DELETE ? "deleted" : "kept");
		tui_put(win, y++, x, wd, line, A_NORMAL);
	}
	return y;
}

static void done_draw(struct tui_page *pg, WINDOW *win, struct tui_rect b)
{
	struct wiz *w = W(pg);
	if (w->a.action == ANSWERS_ROTATE || w->a.action == ANSWERS_DISCONNECT) {
		done_life_draw(w, win, b);
		return;
	}
	int x = b.x + 1, wd = b.w - 2, y = b.y + 1;
	const struct engine_result *r = w->eng ? engine_result(w->eng) : NULL;
	const char *id = r ? r->data_source_id : NULL;
	for (size_t i = 0; !id && i < w->facts.ndata_sources; i++)
		if (str_eq(w->facts.data_sources[i].account_id, w->facts.account_id))
			id = w->facts.data_sources[i].id;
	if (!id)
		id = w->a.migrate.data_source_id;
	char line[600];
	snprintf(line, sizeof(line), "%s CerteroX accepted the data source.", theme_sym(SYM_OK));
	tui_put(win, y++, x, wd, line, theme_attr(ROLE_OK));
	y++;
	snprintf(line, sizeof(line), "  Data source id   %s", id ? id : "(unknown)");
	tui_put(win, y++, x, wd, line, A_NORMAL);
	snprintf(line, sizeof(line), "  Name             %s", wiz_ds_name(w));
	tui_put(win, y++, x, wd, line, A_NORMAL);
	snprintf(line, sizeof(line), "  AWS account      %s",
	         w->facts.account_id ? w->facts.account_id : "");
	tui_put(win, y++, x, wd, line, A_NORMAL);
	if (w->a.action == ANSWERS_MIGRATE)
		y = done_migrate_rows(w, r, win, y, x, wd);
	if (r && r->access_key_id) {
		snprintf(line, sizeof(line), "  Access key       %s (secret in the vault)",
		         r->access_key_id);
		tui_put(win, y++, x, wd, line, A_NORMAL);
	}
	const struct plan_target *t = &w->plan.target;
	if (w->have_plan && t->export_name) {
		snprintf(line, sizeof(line), "  Export           %s (%s)", t->export_name,
		         t->legacy ? "legacy CUR" : "CUR 2.0");
		tui_put(win, y++, x, wd, line, A_NORMAL);
		snprintf(line, sizeof(line), "  Bucket           s3://%s/%s",
		         t->bucket ? t->bucket : "", t->prefix ? t->prefix : "");
		tui_put_clipped(win, y++, x, wd, line, A_NORMAL);
	}
	char *backup = wiz_policy_backup(w);
	if (backup)
		done_path(win, y++, x, wd, "Policy backup", backup);
	free(backup);
	if (w->vault)
		done_path(win, y++, x, wd, "Vault", vault_path(w->vault));
	y++;
	tui_put(win, y++, x, wd, "What happens next", theme_attr(ROLE_LABEL));
	struct tui_rect rr = {y, x + 2, b.y + b.h - y, wd - 2};
	bool has_root = false;
	for (size_t i = 0; i < w->facts.ndata_sources; i++)
		has_root = has_root || !w->facts.data_sources[i].linked;
	const char *next =
	    w->a.connection != ANSWERS_LINKED || w->a.action != ANSWERS_CONNECT
	        ? "AWS delivers the first files of the export within 24 hours; CerteroX "
	          "imports them on its next run. Nothing else is needed."
	    : has_root ? "CerteroX discovers the account's resources on its next run; its "
	                 "billing data comes through the Root AWS data source."
	               : "CerteroX discovers the account's resources on its next run. Its "
	                 "billing data comes through a Root AWS data source: connect the "
	                 "management (payer) account too.";
	char *text = xasprintf("%s\nThe summary is also printed to the terminal when the wizard "
	                       "exits. Enter finishes.",
	                       next);
	tui_put_wrapped(win, rr, text, A_NORMAL);
	free(text);
}

static int done_action(struct tui_page *pg, const struct tui_event *ev)
{
	(void)pg;
	if (ev->act == ACT_ENTER)
		return TUI_DONE;
	if (ev->act == ACT_BACK)
		return TUI_HANDLED;
	if (ev->act == ACT_QUIT || ev->act == ACT_INTERRUPT)
		return TUI_DONE;
	return 0;
}

static bool done_applies(struct tui_page *pg)
{
	return wiz_in_flow(W(pg), FLOW_DONE);
}

const struct page_ops page_done_ops = {
    .title = "Done",
    .keys = "Enter finish",
    .help = "The data source is in CerteroX and its key is in the vault.\nAWS delivers the "
            "first files within 24 hours.",
    .draw = done_draw,
    .on_action = done_action,
    .applies = done_applies,
};
