/* page_choose_ds.c - migrate, rotate, disconnect: choose the data source. */
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
#include "tui/pages/choose_ds.h"
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

const char *ds_chosen_id(const struct wiz *w)
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

/* An Enter while the data sources are read is kept by the app (page_ops.loading). */
static const char *ds_loading(struct tui_page *pg)
{
	return wiz_loading(W(pg));
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
    .loading = ds_loading,
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
    .loading = ds_loading,
    .applies = ds_applies_life,
    .destroy = ds_destroy,
};
