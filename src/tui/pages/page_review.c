/* page_review.c - the review of the whole plan (page 9). */
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
			if (!wiz_discovering(w) && w->disc_st != CX_OK)
				tui_app_status(w->app, ROLE_ERROR, "Discovery failed: %s",
				               w->disc_err.msg);
			else
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

/* An Enter while the plan is made (the account read for it) is kept by the app
 * (page_ops.loading) and acted on once the plan is shown. */
static const char *review_loading(struct tui_page *pg)
{
	struct review_state *s = pg->state;
	return s->built ? NULL : wiz_loading(W(pg));
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
    .loading = review_loading,
    .applies = review_applies,
    .destroy = review_destroy,
};
