/* page_migrate.c - migrate: the new CUR 2.0 export (name, prefix, granularity, format) and the
 * legacy report kept or deleted. It fills the same answers as batch's
 * {"migrate": {"export_name", "delete_legacy_report"}, "export": {"prefix", "granularity",
 * "format"}}; the bucket stays the data source's own. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/flow.h"
#include "tui/widgets/theme.h"
#include "core/plan_life.h"
#include "tui/pages/page_migrate.h"
#include "tui/wiz.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/str.h"

#define W(pg) ((struct wiz *)(pg)->ctx)

static const char *const gran_items[] = {"DAILY", "HOURLY"};
static const char *const fmt_items[] = {"csv", "parquet"};
static const char *const legacy_items[] = {"keep", "delete"};

enum { M_NAME, M_PREFIX, M_GRAN, M_FMT, M_LEGACY, M_COUNT };

struct mig_state {
	struct tui_text name, prefix;
	struct tui_choice gran, fmt, legacy;
	int focus;
	char *for_ds; /* the data source the fields were filled for */
};

static const struct plan_data_source_fact *mig_ds(const struct wiz *w)
{
	for (size_t i = 0; i < w->facts.ndata_sources; i++)
		if (str_eq(w->facts.data_sources[i].id, w->a.migrate.data_source_id))
			return &w->facts.data_sources[i];
	return NULL;
}

static void mig_init(struct tui_page *pg)
{
	struct mig_state *s = xcalloc(1, sizeof(*s));
	tui_text_init(&s->name, "Export name", 256, "");
	tui_text_set_validator(&s->name, wiz_valid_export_name, NULL);
	tui_text_init(&s->prefix, "S3 prefix", 1024, "");
	tui_text_set_validator(&s->prefix, wiz_valid_prefix_cur2, NULL);
	s->prefix.hint = "\"\" allowed; files go to <prefix>/<export name>/";
	tui_choice_init(&s->gran, "Granularity", gran_items, 2, 0);
	tui_choice_init(&s->fmt, "Format", fmt_items, 2, 0);
	tui_choice_init(&s->legacy, "Legacy report", legacy_items, 2, 0);
	pg->state = s;
}

static void mig_destroy(struct tui_page *pg)
{
	struct mig_state *s = pg->state;
	tui_text_free(&s->name);
	tui_text_free(&s->prefix);
	free(s->for_ds);
	free(s);
}

static bool has_legacy(const struct wiz *w)
{
	const struct plan_data_source_fact *d = mig_ds(w);
	return d && d->report_name && d->cur_version != 2;
}

/* The answers' values (batch's defaults: the data source's prefix unless the answers file gave
 * export.prefix), filled again when another data source was chosen. */
static void mig_enter(struct tui_page *pg, int how)
{
	(void)how;
	struct mig_state *s = pg->state;
	struct wiz *w = W(pg);
	const struct answers *a = &w->a;
	if (s->for_ds && str_eq(s->for_ds, a->migrate.data_source_id))
		return;
	free(s->for_ds);
	s->for_ds = a->migrate.data_source_id ? xstrdup(a->migrate.data_source_id) : NULL;
	const struct plan_data_source_fact *d = mig_ds(w);
	tui_text_set(&s->name, a->migrate.export_name ? a->migrate.export_name : "certerox-cur2");
	const char *prefix = w->preloaded && a->has_export && a->export.prefix ? a->export.prefix
	                     : d && d->prefix                                  ? d->prefix
	                                                                       : "";
	tui_text_set(&s->prefix, prefix);
	s->gran.sel = a->export.granularity == ANSWERS_HOURLY ? 1 : 0;
	s->fmt.sel = a->export.format == ANSWERS_PARQUET ? 1 : 0;
	s->legacy.sel = a->migrate.delete_legacy_report ? 1 : 0;
	s->focus = M_NAME;
}

static void mig_draw(struct tui_page *pg, WINDOW *win, struct tui_rect b)
{
	struct mig_state *s = pg->state;
	struct wiz *w = W(pg);
	const struct plan_data_source_fact *d = mig_ds(w);
	int x = b.x + 1, wd = b.w - 2, y = b.y + 1;
	char line[400];
	snprintf(line, sizeof(line), "The CUR 2.0 export that \"%s\" will use,",
	         d && d->name ? d->name : "?");
	tui_put(win, y++, x, wd, line, theme_attr(ROLE_LABEL));
	const char *bucket = w->preloaded && w->a.export.bucket ? w->a.export.bucket
	                     : d && d->bucket                   ? d->bucket
	                                                        : "?";
	snprintf(line, sizeof(line), "delivered to its bucket %s:", bucket);
	tui_put(win, y++, x, wd, line, theme_attr(ROLE_LABEL));
	y++;
	tui_text_draw(&s->name, win, y, x, wd, s->focus == M_NAME);
	y += 2;
	tui_text_draw(&s->prefix, win, y, x, wd, s->focus == M_PREFIX);
	y += 2;
	tui_choice_draw(&s->gran, win, y++, x, wd, s->focus == M_GRAN);
	tui_choice_draw(&s->fmt, win, y++, x, wd, s->focus == M_FMT);
	y++;
	if (!d || !has_legacy(w)) {
		tui_put(win, y, x, wd, "CerteroX names no legacy report for this data source.",
		        theme_attr(ROLE_DIM));
		return;
	}
	snprintf(line, sizeof(line), "The legacy CUR report %s:", d->report_name);
	tui_put(win, y++, x, wd, line, theme_attr(ROLE_LABEL));
	tui_choice_draw(&s->legacy, win, y++, x, wd, s->focus == M_LEGACY);
	struct tui_rect r = {y, x + 2, b.y + b.h - y, wd - 2};
	tui_put_wrapped(win, r,
	                s->legacy.sel
	                    ? "Deleted once CerteroX uses the new export; AWS stops delivering "
	                      "it. The review asks to confirm."
	                    : "Kept: AWS goes on delivering it to the bucket; delete it later "
	                      "if nothing else reads it.",
	                theme_attr(ROLE_DIM));
}

static void mig_move(struct wiz *w, struct mig_state *s, int dir)
{
	int n = has_legacy(w) ? M_COUNT : M_LEGACY;
	s->focus = (s->focus + dir + n) % n;
}

static int mig_action(struct tui_page *pg, const struct tui_event *ev)
{
	struct mig_state *s = pg->state;
	struct wiz *w = W(pg);
	if (ev->act == ACT_TICK)
		return TUI_REDRAW;
	int r = 0;
	switch (s->focus) {
	case M_NAME:
		r = tui_text_action(&s->name, ev);
		break;
	case M_PREFIX:
		r = tui_text_action(&s->prefix, ev);
		break;
	case M_GRAN:
		r = tui_choice_action(&s->gran, ev);
		break;
	case M_FMT:
		r = tui_choice_action(&s->fmt, ev);
		break;
	default:
		r = tui_choice_action(&s->legacy, ev);
		break;
	}
	if (r)
		return r;
	switch (ev->act) {
	case ACT_NEXT:
	case ACT_DOWN:
		mig_move(w, s, 1);
		return TUI_HANDLED;
	case ACT_PREV:
	case ACT_UP:
		mig_move(w, s, -1);
		return TUI_HANDLED;
	case ACT_ENTER: {
		struct tui_text *bad = !tui_text_check(&s->name)     ? &s->name
		                       : !tui_text_check(&s->prefix) ? &s->prefix
		                                                     : NULL;
		if (bad) {
			s->focus = bad == &s->name ? M_NAME : M_PREFIX;
			tui_app_status_field(w->app, bad->error);
			return TUI_HANDLED;
		}
		struct answers *a = &w->a;
		answers_set(&a->migrate.export_name, tui_text_value(&s->name));
		answers_set(&a->export.prefix, tui_text_value(&s->prefix));
		if (!w->preloaded) /* the data source's own bucket (an answers file may name one) */
			answers_set(&a->export.bucket, NULL);
		a->export.type = ANSWERS_CUR2;
		a->export.granularity = s->gran.sel ? ANSWERS_HOURLY : ANSWERS_DAILY;
		a->export.format = s->fmt.sel ? ANSWERS_PARQUET : ANSWERS_CSV;
		a->migrate.delete_legacy_report = has_legacy(w) && s->legacy.sel == 1;
		a->has_export = true;
		a->has_migrate = true;
		if (w->have_plan) { /* granularity and format are not in the discovery's key */
			plan_free(&w->plan);
			w->have_plan = false;
		}
		w->plan_st = CX_OK;
		cx_err_clear(&w->plan_err);
		wiz_refresh(w);
		return TUI_NEXT;
	}
	default:
		return 0;
	}
}

static bool mig_applies(struct tui_page *pg)
{
	return W(pg)->a.action == ANSWERS_MIGRATE && wiz_in_flow(W(pg), FLOW_EXPORT);
}

const struct page_ops page_migrate_export_ops = {
    .title = "New CUR 2.0 export",
    .keys = "Tab move  Left/Right change  Enter continue  Esc back",
    .help = "The CUR 2.0 export the data source switches to, in its own bucket: its name, "
            "S3 prefix, granularity and format (the same answers as --batch's "
            "migrate.export_name and export.prefix/granularity/format).\nThe legacy CUR "
            "report: keep it, or delete it once CerteroX uses the new export "
            "(migrate.delete_legacy_report).",
    .init = mig_init,
    .enter = mig_enter,
    .draw = mig_draw,
    .on_action = mig_action,
    .applies = mig_applies,
    .destroy = mig_destroy,
};

/* ---- the IAM page of a migrate whose data source's real user is known ---- */

char *migrate_iam_text(const struct wiz *w, char *head, size_t n, bool *is_diff)
{
	const struct plan_life *l = w->facts.life;
	*is_diff = false;
	if (w->a.action != ANSWERS_MIGRATE || !w->have_plan || !l || !l->user)
		return NULL;
	const struct plan_step *s = plan_find(&w->plan, "policy-readonly");
	const struct plan_step *att = plan_find(&w->plan, "attach-readonly");
	if (!s)
		return NULL;
	const char *src = l->user_source ? l->user_source : "?";
	if (s->kind == PLAN_SKIP) {
		snprintf(head, n, "User %s (found by %s)\nNo change to its policies:", l->user,
		         src);
		return xasprintf("%s.\n", s->skip_reason ? s->skip_reason : "");
	}
	if (str_eq(s->operation, "CreatePolicyVersion") && s->diff) {
		const char *arn = json_str(s->request, "PolicyArn");
		const char *pname = arn && strrchr(arn, '/') ? strrchr(arn, '/') + 1 : "?";
		snprintf(head, n,
		         "User %s (found by %s)\nPolicy %s: a new default version adds the "
		         "Data Exports actions",
		         l->user, src, pname);
		*is_diff = true;
		return xstrdup(s->diff);
	}
	snprintf(head, n, "User %s (found by %s)\nPolicy %s, %s:", l->user, src,
	         w->a.iam.readonly_policy,
	         att && att->kind == PLAN_SKIP ? "attached to it" : "attached to it now");
	if (s->diff) {
		*is_diff = true;
		return xstrdup(s->diff);
	}
	const cJSON *doc = cJSON_GetObjectItemCaseSensitive(s->request, "PolicyDocument");
	return doc ? json_pretty(doc) : xstrdup("(the policy as it is)\n");
}
