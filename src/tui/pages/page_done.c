/* page_done.c - done: what was made and what happens next (page 12). */
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

/* The Done page's first rows: the outcome with its mark, then the data source's id and name.
 * Returns the next row. */
static int done_heading(struct wiz *w, WINDOW *win, int y, int x, int wd, const char *outcome,
                        const char *id)
{
	char line[600];
	snprintf(line, sizeof(line), "%s %s", theme_sym(SYM_OK), outcome);
	tui_put(win, y++, x, wd, line, theme_attr(ROLE_OK));
	y++;
	snprintf(line, sizeof(line), "  Data source id   %s", id ? id : "(unknown)");
	tui_put(win, y++, x, wd, line, A_NORMAL);
	snprintf(line, sizeof(line), "  Name             %s", wiz_ds_name(w));
	tui_put(win, y++, x, wd, line, A_NORMAL);
	return y;
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
		y = done_heading(w, win, y, x, wd, "The access key was rotated.", id);
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
	y = done_heading(w, win, y, x, wd, "CerteroX accepted the data source.", id);
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
