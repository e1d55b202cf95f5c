/* page_docs.c - pages 5-7: bucket policy, IAM policies, IAM user and access key. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/flow.h"
#include "core/owner.h"
#include "core/policy.h"
#include "tui/modal.h"
#include "tui/widgets/theme.h"
#include "tui/pages/page_migrate.h"
#include "tui/words.h"
#include "tui/wiz.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/paths.h"
#include "util/str.h"

#define W(pg) ((struct wiz *)(pg)->ctx)

/* Facts current and the plan built (best effort: plan_err says why not). True when the facts
 * are there. */
static bool facts_and_plan(struct wiz *w)
{
	if (!wiz_refresh(w) || !w->have_facts)
		return false;
	if (!w->have_plan && w->plan_st == CX_OK)
		wiz_build_plan(w);
	return true;
}

static const char *target_bucket(const struct wiz *w)
{
	if (w->have_plan && w->plan.target.bucket)
		return w->plan.target.bucket;
	if (w->a.action == ANSWERS_MIGRATE) {
		for (size_t i = 0; i < w->facts.ndata_sources; i++)
			if (str_eq(w->facts.data_sources[i].id, w->a.migrate.data_source_id))
				return w->facts.data_sources[i].bucket;
	}
	return w->a.export.bucket;
}

/* Draws the "reading..." or error line; returns true when the page can show its content. */
static bool ready_or_status(struct wiz *w, WINDOW *win, int y, int x, int wd)
{
	if (wiz_discovering(w) || w->cx_busy || !w->have_facts) {
		wiz_draw_discovery(w, win, y, x, wd);
		return false;
	}
	return true;
}

/* ---- 5. bucket policy ---- */

struct bp_state {
	bool have;
	char *key; /* disc key the merge was made for */
	struct policy_merge m;
	struct cx_err err;
	enum cx_status st;
	struct tui_view diff, json;
	bool show_json;
};

static void bp_compute(struct wiz *w, struct bp_state *s)
{
	if (!w->have_facts || !w->disc_key)
		return;
	if (s->have && str_eq(s->key, w->disc_key))
		return;
	if (s->have)
		policy_merge_free(&s->m);
	memset(&s->m, 0, sizeof(s->m));
	free(s->key);
	s->key = xstrdup(w->disc_key);
	s->have = true;
	cx_err_clear(&s->err);
	const char *bucket = target_bucket(w);
	s->st = CX_OK;
	if (!bucket) {
		s->st = cx_err_set(&s->err, CX_E_INPUT, "no bucket%s%s",
		                   w->plan_err.msg[0] ? ": " : "", w->plan_err.msg);
		return;
	}
	if (!w->facts.bucket_exists && !w->a.export.create_bucket &&
	    w->a.action == ANSWERS_CONNECT) {
		s->st = cx_err_set(&s->err, CX_E_INPUT,
		                   "bucket \"%s\" does not exist in account %s: go back (Esc) and "
		                   "switch on 'Create the bucket', or choose another bucket",
		                   bucket, w->facts.account_id);
		return;
	}
	cJSON *stmt = policy_bucket_statement(bucket, w->facts.account_id, &s->err);
	if (!stmt) {
		s->st = s->err.status;
		return;
	}
	const char *existing = w->facts.bucket_exists ? w->facts.bucket_policy : NULL;
	s->st = policy_merge_bucket(existing, stmt, bucket, &s->m, &s->err);
	cJSON_Delete(stmt);
	tui_view_set_text(&s->diff, s->m.diff && *s->m.diff
	                                ? s->m.diff
	                                : "(no change: the policy already has the statement)\n");
	tui_view_set_text(&s->json, s->m.new_text ? s->m.new_text : "");
}

static void bp_init(struct tui_page *pg)
{
	struct bp_state *s = xcalloc(1, sizeof(*s));
	tui_diff_init(&s->diff, "");
	tui_json_init(&s->json, "");
	pg->state = s;
}

static void bp_destroy(struct tui_page *pg)
{
	struct bp_state *s = pg->state;
	if (s->have)
		policy_merge_free(&s->m);
	tui_view_free(&s->diff);
	tui_view_free(&s->json);
	free(s->key);
	free(s);
}

static void bp_enter(struct tui_page *pg, int how)
{
	(void)how;
	struct wiz *w = W(pg);
	if (facts_and_plan(w))
		bp_compute(w, pg->state);
}

static const char *merge_text(const struct policy_merge *m, const struct wiz *w)
{
	switch (m->action) {
	case POLICY_MERGE_NEW:
		return w->facts.bucket_exists
		           ? "The bucket has no policy: a new policy with the "
		             "statement AWS needs to deliver will be set."
		           : "The new bucket gets a policy with the statement AWS "
		             "needs to deliver.";
	case POLICY_MERGE_ADDED:
		return "The delivery statement is added after the existing statements; every other "
		       "statement stays unchanged.";
	case POLICY_MERGE_SID_TAKEN:
		return "A statement with our Sid but other content exists: it is kept, and the "
		       "delivery statement is added under its own Sid.";
	case POLICY_MERGE_PRESENT:
		return "The policy already has the delivery statement: nothing to change.";
	case POLICY_MERGE_EQUIVALENT:
		return "An equivalent statement already exists under another Sid: nothing to "
		       "change.";
	}
	return "";
}

static void bp_draw(struct tui_page *pg, WINDOW *win, struct tui_rect b)
{
	struct bp_state *s = pg->state;
	struct wiz *w = W(pg);
	int x = b.x + 1, wd = b.w - 2, y = b.y;
	if (!ready_or_status(w, win, y, x, wd))
		return;
	bp_compute(w, s);
	char line[300];
	snprintf(line, sizeof(line), "Bucket %s (%s)", target_bucket(w) ? target_bucket(w) : "?",
	         w->facts.bucket_exists ? "exists" : "will be created");
	tui_put(win, y++, x, wd, line, theme_attr(ROLE_LABEL));
	if (s->st != CX_OK && !s->m.document) {
		struct tui_rect r = {y + 1, x, b.h - 2, wd};
		char buf[1400];
		snprintf(line, sizeof(line), "%s ", theme_sym(SYM_FAIL));
		tui_put(win, y + 1, x, 3, line, theme_attr(ROLE_ERROR));
		r.x += 2;
		r.w -= 2;
		tui_put_wrapped(win, r, cx_err_format(&s->err, buf, sizeof(buf)),
		                theme_attr(ROLE_ERROR));
		return;
	}
	struct tui_rect r = {y, x, 2, wd};
	y += tui_put_wrapped(win, r, merge_text(&s->m, w), A_NORMAL);
	if (s->st != CX_OK) {
		tui_put(win, y++, x, wd, s->err.msg, theme_attr(ROLE_ERROR));
	}
	for (size_t i = 0; i < s->m.warnings.n && i < 3; i++) {
		char *plain = tui_words(s->m.warnings.v[i]);
		snprintf(line, sizeof(line), "%s %s", theme_sym(SYM_WARN), plain);
		free(plain);
		tui_put(win, y++, x, wd, line, theme_attr(ROLE_WARN));
	}
	struct tui_rect vr = {y + 1, x + 1, b.y + b.h - y - 2, wd - 2};
	if (s->show_json)
		tui_view_draw_boxed(&s->json, win, vr, "Merged policy (JSON)", true);
	else {
		char title[64];
		snprintf(title, sizeof(title), "Current %s merged (diff)", theme_sym(SYM_TO));
		tui_view_draw_boxed(&s->diff, win, vr, title, true);
	}
}

static int bp_action(struct tui_page *pg, const struct tui_event *ev)
{
	struct bp_state *s = pg->state;
	struct wiz *w = W(pg);
	if (ev->act == ACT_TICK) {
		if (facts_and_plan(w))
			bp_compute(w, s);
		return TUI_REDRAW;
	}
	if (ev->act == ACT_NEXT || ev->act == ACT_PREV) {
		s->show_json = !s->show_json;
		return TUI_HANDLED;
	}
	if (ev->act == ACT_ENTER) {
		if (!w->have_facts) {
			tui_app_status(w->app, ROLE_NORMAL,
			               "Still reading the account; one moment.");
			return TUI_HANDLED;
		}
		if (s->st != CX_OK) {
			tui_app_status(w->app, ROLE_ERROR, "%s", s->err.msg);
			return TUI_HANDLED;
		}
		return TUI_NEXT;
	}
	int r = tui_view_action(s->show_json ? &s->json : &s->diff, w->app, ev);
	return r;
}

static bool bp_applies(struct tui_page *pg)
{
	return wiz_in_flow(W(pg), FLOW_BUCKET_POLICY);
}

/* An Enter while the bucket's policy is read is kept by the app (page_ops.loading). */
static const char *bp_loading(struct tui_page *pg)
{
	return wiz_loading(W(pg));
}

const struct page_ops page_bucket_policy_ops = {
    .title = "Bucket policy",
    .keys = "Tab diff/JSON  PgUp/PgDn scroll  / search  Enter continue  Esc back",
    .help = "The current bucket policy and the merged result: the statement AWS Data Exports "
            "needs (s3:PutObject, s3:GetBucketPolicy for the delivery services) is added or "
            "updated by its Sid; every other statement stays as it is.\nAdded lines are "
            "marked '+', removed '-'. Tab shows the whole merged policy.\nWarnings: a Deny "
            "that would block the delivery, conditions that look wrong.",
    .init = bp_init,
    .enter = bp_enter,
    .draw = bp_draw,
    .on_action = bp_action,
    .loading = bp_loading,
    .applies = bp_applies,
    .destroy = bp_destroy,
};

/* ---- 6. IAM policies ---- */

struct iam_state {
	struct tui_view view;
	int which; /* 0 ReadOnly, 1 Discover */
	bool loaded[2];
	char *text[2];
	/* migrate with the data source's real user known: the change to its grants */
	struct tui_view life_view;
	bool life, life_diff;
	char life_head[400];
};

/* Migrate: the plan's change to the real user's grants (page_migrate.c), once it is built. */
static void iam_life_load(struct wiz *w, struct iam_state *s)
{
	bool diff = false;
	char *t = migrate_iam_text(w, s->life_head, sizeof(s->life_head), &diff);
	s->life = t != NULL;
	if (!t)
		return;
	if (!s->life_view.lines || diff != s->life_diff) {
		tui_view_free(&s->life_view);
		if (diff)
			tui_diff_init(&s->life_view, t);
		else
			tui_json_init(&s->life_view, t);
	} else {
		tui_view_set_text(&s->life_view, t);
	}
	s->life_diff = diff;
	free(t);
}

static bool iam_has(const struct wiz *w, int which)
{
	if (w->a.action == ANSWERS_MIGRATE)
		return which == 0;
	if (w->a.connection == ANSWERS_LINKED)
		return which == 1;
	return true;
}

/* The document CerteroX needs (the template). */
static cJSON *iam_required(struct wiz *w, int which, struct cx_err *err)
{
	if (which == 1)
		return policy_discover(err);
	const char *bucket = target_bucket(w);
	bool legacy_create =
	    w->a.export.type == ANSWERS_LEGACY && w->a.export.setup == ANSWERS_SETUP_CERTEROX;
	return policy_readonly(bucket ? bucket : "*", legacy_create, err);
}

static void iam_load(struct wiz *w, struct iam_state *s)
{
	for (int i = 0; i < 2; i++) {
		free(s->text[i]);
		s->text[i] = NULL;
		const cJSON *ed = i == 0 ? w->edited_readonly : w->edited_discover;
		struct cx_err err;
		cx_err_clear(&err);
		cJSON *doc = ed ? cJSON_Duplicate(ed, true) : iam_required(w, i, &err);
		s->text[i] = doc ? json_pretty(doc) : xasprintf("(%s)\n", err.msg);
		cJSON_Delete(doc);
	}
	if (!iam_has(w, s->which))
		s->which = !s->which;
	tui_view_set_text(&s->view, s->text[s->which]);
}

static void iam_init(struct tui_page *pg)
{
	struct iam_state *s = xcalloc(1, sizeof(*s));
	tui_json_init(&s->view, "");
	pg->state = s;
}

static void iam_destroy(struct tui_page *pg)
{
	struct iam_state *s = pg->state;
	tui_view_free(&s->view);
	tui_view_free(&s->life_view);
	free(s->text[0]);
	free(s->text[1]);
	free(s);
}

static void iam_enter(struct tui_page *pg, int how)
{
	(void)how;
	facts_and_plan(W(pg));
	iam_load(W(pg), pg->state);
	iam_life_load(W(pg), pg->state);
}

static const char *policy_name(const struct wiz *w, int which)
{
	return which == 0 ? w->a.iam.readonly_policy : w->a.iam.discover_policy;
}

static void iam_draw(struct tui_page *pg, WINDOW *win, struct tui_rect b)
{
	struct iam_state *s = pg->state;
	struct wiz *w = W(pg);
	/* "Tab other policy" only when there are two */
	pg->keys = iam_has(w, 0) && iam_has(w, 1)
	               ? NULL
	               : "e edit  PgUp/PgDn scroll  Enter continue  Esc back";
	int x = b.x + 1, wd = b.w - 2, y = b.y;
	char line[300];
	int n = 0;
	if (s->life) {
		const char *nl = strchr(s->life_head, '\n'); /* user, then the change */
		tui_putn(win, y++, x, wd, s->life_head,
		         nl ? (size_t)(nl - s->life_head) : strlen(s->life_head),
		         theme_attr(ROLE_LABEL));
		tui_put(win, y++, x, wd, nl ? nl + 1 : "", A_NORMAL);
		struct tui_rect lr = {y + 1, x + 1, b.y + b.h - y - 2, wd - 2};
		tui_view_draw_boxed(&s->life_view, win, lr, s->life_diff ? "Diff" : "Policy", true);
		return;
	}
	for (int i = 0; i < 2; i++) {
		if (!iam_has(w, i))
			continue;
		snprintf(line, sizeof(line), "%s%s%s%s", n ? "   " : "", i == s->which ? "[" : " ",
		         policy_name(w, i), i == s->which ? "]" : " ");
		n += tui_put(win, y, x + n, wd - n, line,
		             i == s->which ? theme_attr(ROLE_FOCUS) : A_NORMAL);
	}
	y++;
	const char *what =
	    s->which == 0
	        ? "ReadOnly: CerteroX reads the exports and the billing files in the bucket."
	        : "Discover Resources: CerteroX lists the account's resources (EC2, ...).";
	tui_put(win, y++, x, wd, what, theme_attr(ROLE_DIM));
	const struct plan_policy_fact *pf = NULL;
	for (size_t i = 0; w->have_facts && i < w->facts.npolicies; i++)
		if (str_ends_with(w->facts.policies[i].arn, policy_name(w, s->which)) &&
		    w->facts.policies[i].exists)
			pf = &w->facts.policies[i];
	bool edited = s->which == 0 ? w->edited_readonly != NULL : w->edited_discover != NULL;
	if (pf)
		snprintf(line, sizeof(line), "Exists (default version %s, %d version%s); %s",
		         pf->default_version ? pf->default_version : "?", pf->versions,
		         pf->versions == 1 ? "" : "s",
		         edited ? "your edited document will be used" : "updated when it differs");
	else
		snprintf(line, sizeof(line), "Will be created%s",
		         edited ? " from your edited document" : "");
	tui_put(win, y++, x, wd, line, A_NORMAL);
	struct tui_rect vr = {y + 1, x + 1, b.y + b.h - y - 2, wd - 2};
	tui_view_draw_boxed(&s->view, win, vr, policy_name(w, s->which), true);
}

/* `e`: edit the shown document in $VISUAL/$EDITOR; it must be JSON and grant what CerteroX
 * needs. */
static void iam_edit(struct wiz *w, struct iam_state *s)
{
	const char *tmp = getenv("TMPDIR");
	char *path = xasprintf("%s/certerox-policy-XXXXXX.json", tmp && *tmp ? tmp : "/tmp");
	int fd = mkstemps(path, 5);
	if (fd < 0) {
		tui_app_status(w->app, ROLE_ERROR, "cannot make a temporary file: %s",
		               strerror(errno));
		free(path);
		return;
	}
	const char *text = s->text[s->which];
	size_t len = strlen(text);
	bool ok = write(fd, text, len) == (ssize_t)len;
	close(fd);
	if (!ok || tui_app_run_editor(w->app, path) != 0) {
		tui_app_status(w->app, ROLE_ERROR, "the editor failed; the document is unchanged");
		unlink(path);
		free(path);
		return;
	}
	struct cx_err err;
	cx_err_clear(&err);
	cJSON *doc = json_parse_file(path, 64 * 1024, &err);
	unlink(path);
	free(path);
	if (!doc) {
		char msg[1200];
		snprintf(msg, sizeof(msg),
		         "The edited document is not valid JSON:\n%s\n\nThe document is unchanged.",
		         err.msg);
		tui_message(w->app, "Policy not changed", msg);
		return;
	}
	cJSON *req = iam_required(w, s->which, &err);
	struct strv missing = STRV_INIT;
	bool complete = req && policy_missing_actions(doc, req, &missing);
	cJSON_Delete(req);
	if (!complete) {
		char *list = strv_join(&missing, "\n  ");
		char *msg = xasprintf("The edited document no longer grants what CerteroX needs. "
		                      "Missing:\n  %s\n\nThe document is unchanged.",
		                      list);
		tui_message(w->app, "Policy not changed", msg);
		free(msg);
		free(list);
		strv_free(&missing);
		cJSON_Delete(doc);
		return;
	}
	strv_free(&missing);
	/* a shared policy is never narrowed below what a live data source uses */
	const struct plan_policy_fact *pf = NULL;
	if (w->facts.account_id) {
		char *arn = xasprintf("arn:aws:iam::%s:policy/%s", w->facts.account_id,
		                      policy_name(w, s->which));
		pf = plan_facts_policy(&w->facts, arn);
		free(arn);
	}
	if (pf && owner_check_policy_grants(&w->facts, s->which == 0, policy_name(w, s->which),
	                                    pf->document, doc, &err) != CX_OK) {
		char *msg = xasprintf("%s\n\nThe document is unchanged.", err.msg);
		tui_message(w->app, "Policy not changed", msg);
		free(msg);
		cJSON_Delete(doc);
		return;
	}
	cJSON **slot = s->which == 0 ? &w->edited_readonly : &w->edited_discover;
	cJSON_Delete(*slot);
	*slot = doc;
	if (w->have_plan)
		wiz_build_plan(w);
	iam_load(w, s);
	tui_app_status(w->app, ROLE_OK, "Edited document accepted: it grants what CerteroX needs.");
}

static int iam_action(struct tui_page *pg, const struct tui_event *ev)
{
	struct iam_state *s = pg->state;
	struct wiz *w = W(pg);
	switch (ev->act) {
	case ACT_TICK:
		facts_and_plan(w);
		if (!s->life)
			iam_life_load(w, s);
		return TUI_REDRAW;
	case ACT_NEXT:
	case ACT_PREV:
		if (s->life)
			return TUI_HANDLED;
		if (iam_has(w, !s->which)) {
			s->which = !s->which;
			tui_view_set_text(&s->view, s->text[s->which]);
		}
		return TUI_HANDLED;
	case ACT_EDIT:
		if (s->life) {
			tui_app_status(w->app, ROLE_NORMAL,
			               "The user's own policy is not edited here: its new version "
			               "only adds the Data Exports actions.");
			return TUI_HANDLED;
		}
		iam_edit(w, s);
		return TUI_HANDLED;
	case ACT_ENTER:
		return TUI_NEXT;
	default:
		return tui_view_action(s->life ? &s->life_view : &s->view, w->app, ev);
	}
}

static bool iam_applies(struct tui_page *pg)
{
	return wiz_in_flow(W(pg), FLOW_IAM_POLICIES);
}

const struct page_ops page_iam_ops = {
    .title = "IAM policies",
    .keys = "Tab other policy  e edit  PgUp/PgDn scroll  Enter continue  Esc back",
    .help = "The IAM policies the new user gets, as they will be created.\n`e` opens the "
            "shown policy in $VISUAL or $EDITOR. The edited document must be valid JSON and "
            "still grant every action CerteroX needs; otherwise this page says what is "
            "missing and keeps the previous document.",
    .init = iam_init,
    .enter = iam_enter,
    .draw = iam_draw,
    .on_action = iam_action,
    .applies = iam_applies,
    .destroy = iam_destroy,
};

/* ---- 7. user and access key ---- */

struct user_state {
	struct tui_text user;
};

static void user_init(struct tui_page *pg)
{
	struct user_state *s = xcalloc(1, sizeof(*s));
	tui_text_init(&s->user, "IAM user name", 64, W(pg)->a.iam.user);
	tui_text_set_validator(&s->user, wiz_valid_user, NULL);
	pg->state = s;
}

static void user_destroy(struct tui_page *pg)
{
	struct user_state *s = pg->state;
	tui_text_free(&s->user);
	free(s);
}

static void user_enter(struct tui_page *pg, int how)
{
	(void)how;
	facts_and_plan(W(pg));
}

static void user_draw(struct tui_page *pg, WINDOW *win, struct tui_rect b)
{
	struct user_state *s = pg->state;
	struct wiz *w = W(pg);
	int x = b.x + 1, wd = b.w - 2, y = b.y + 1;
	tui_text_draw(&s->user, win, y, x, wd, true);
	y += 3;
	if (!ready_or_status(w, win, y, x, wd))
		return;
	char line[400];
	bool same = str_eq(w->a.iam.user, tui_text_value(&s->user));
	if (!same) {
		tui_put(win, y, x, wd, "Press Enter to look this user up.", theme_attr(ROLE_DIM));
		return;
	}
	tui_put(win, y++, x, wd, "What exists now", theme_attr(ROLE_LABEL));
	if (!w->facts.user_exists) {
		snprintf(line, sizeof(line), "  user %s: does not exist", w->a.iam.user);
		tui_put(win, y++, x, wd, line, A_NORMAL);
	} else {
		snprintf(line, sizeof(line), "  user %s: exists, %zu attached polic%s, %zu key%s",
		         w->a.iam.user, w->facts.nattached, w->facts.nattached == 1 ? "y" : "ies",
		         w->facts.nkeys, w->facts.nkeys == 1 ? "" : "s");
		tui_put(win, y++, x, wd, line, A_NORMAL);
		if (!w->facts.user_owned) {
			bool use = w->a.iam.existing_user == ANSWERS_EXISTING_USER_USE;
			tui_put(
			    win, y++, x, wd,
			    use ? "    not created by certerox-aws-setup: used as you answered; "
			          "its other keys are never touched"
			        : "    not created by certerox-aws-setup: Enter uses it anyway "
			          "(its other keys are never touched)",
			    theme_attr(ROLE_WARN));
		}
		for (size_t i = 0; i < w->facts.nattached && i < 3; i++) {
			snprintf(line, sizeof(line), "    attached %s", w->facts.attached[i]);
			tui_put(win, y++, x, wd, line, A_NORMAL);
		}
		for (size_t i = 0; i < w->facts.nkeys && i < 2; i++) {
			const struct plan_key_fact *k = &w->facts.keys[i];
			snprintf(line, sizeof(line), "    key %s %s, %s", k->id, k->status,
			         k->in_vault ? "secret in the vault"
			         : w->vault  ? "secret unknown"
			                     : "vault not open yet");
			tui_put(win, y++, x, wd, line, A_NORMAL);
		}
	}
	y++;
	tui_put(win, y++, x, wd, "What will be done", theme_attr(ROLE_LABEL));
	if (!w->have_plan) {
		struct tui_rect r = {y, x + 2, 3, wd - 2};
		snprintf(line, sizeof(line), "%s", w->plan_err.msg[0] ? w->plan_err.msg : "...");
		tui_put_wrapped(win, r, line, theme_attr(ROLE_WARN));
		return;
	}
	int shown = 0;
	for (size_t i = 0; i < w->plan.n && y < b.y + b.h; i++) {
		const struct plan_step *st = &w->plan.steps[i];
		if (!str_eq(st->service, "iam") || st->kind == PLAN_SKIP)
			continue;
		if (strstr(st->id, "policy-") == st->id)
			continue;
		snprintf(line, sizeof(line), "  %-7s %s", plan_kind_name(st->kind), st->title);
		tui_put(win, y++, x, wd, line, A_NORMAL);
		shown++;
	}
	if (!shown)
		tui_put(win, y++, x, wd, "  nothing: the user, its policies and key are in place",
		        A_NORMAL);
	if (y < b.y + b.h)
		tui_put(win, y++, x, wd,
		        "The new secret key goes into the vault as AWS returns it; never shown.",
		        theme_attr(ROLE_DIM));
}

static int user_action(struct tui_page *pg, const struct tui_event *ev)
{
	struct user_state *s = pg->state;
	struct wiz *w = W(pg);
	if (ev->act == ACT_TICK) {
		facts_and_plan(w);
		return TUI_REDRAW;
	}
	int r = tui_text_action(&s->user, ev);
	if (r)
		return r;
	if (ev->act != ACT_ENTER)
		return 0;
	if (!tui_text_check(&s->user)) {
		tui_app_status_field(w->app, s->user.error);
		return TUI_HANDLED;
	}
	if (!str_eq(w->a.iam.user, tui_text_value(&s->user))) {
		answers_set(&w->a.iam.user, tui_text_value(&s->user));
		w->a.iam.existing_user = ANSWERS_EXISTING_USER_REFUSE; /* asked per user */
		facts_and_plan(w);
		return TUI_HANDLED;
	}
	if (w->have_facts && w->facts.user_exists && !w->facts.user_owned &&
	    w->a.iam.existing_user != ANSWERS_EXISTING_USER_USE) {
		/* the explicit answer: "existing_user": "use" */
		w->a.iam.existing_user = ANSWERS_EXISTING_USER_USE;
		wiz_build_plan(w);
		tui_app_status(
		    w->app, ROLE_WARN,
		    "Using existing user %s, which certerox-aws-setup did not create; its "
		    "other keys are never touched. Enter again to continue.",
		    w->a.iam.user);
		return TUI_HANDLED | TUI_REDRAW;
	}
	return TUI_NEXT;
}

static bool user_applies(struct tui_page *pg)
{
	return wiz_in_flow(W(pg), FLOW_USER);
}

const struct page_ops page_user_ops = {
    .title = "IAM user and access key",
    .keys = "Enter continue  Esc back",
    .help = "The IAM user CerteroX signs in as, with its policies and one access key.\nIf the "
            "user has a key whose secret the vault does not hold, a new key is made (with "
            "two such keys, one must be deleted first: the page says which).",
    .init = user_init,
    .enter = user_enter,
    .draw = user_draw,
    .on_action = user_action,
    .applies = user_applies,
    .destroy = user_destroy,
};
