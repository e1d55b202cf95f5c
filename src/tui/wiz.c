/* wiz.c - the wizard's shared context (see wiz.h). */
#include "tui/wiz.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/diff.h"
#include "core/flow.h"
#include "core/plan_life.h"
#include "core/policy.h"
#include "core/validate.h"
#include "options.h"
#include "run/keyintent.h"
#include "run/resolve.h"
#include "run/summary.h"
#include "run/summary_text.h"
#include "tui/resume.h"
#include "tui/orgwork.h"
#include "tui/term.h"
#include "tui/widgets/theme.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/str.h"

struct wiz *wiz_new(struct tui_app *app, const struct cx_options *o)
{
	struct wiz *w = xcalloc(1, sizeof(*w));
	w->app = app;
	w->o = o;
	cx_err_clear(&w->session_err);
	answers_init(&w->a);
	if (o->answers_file) {
		if (answers_load_file(&w->a, o->answers_file, &w->session_err) == CX_OK)
			w->preloaded = true;
	} else {
		wiz_resume_load(w);
	}
	/* An answers file from someone else must not send the token to that person's server. */
	bool url_from_file = w->a.certerox.url && *w->a.certerox.url && !o->certerox_url;
	answers_override(&w->a, o->certerox_url, o->certerox_org);
	if (w->a.action == ANSWERS_MIGRATE)
		w->start = WIZ_MIGRATE;
	else if (w->resume_step && w->a.action == ANSWERS_ROTATE)
		w->start = WIZ_ROTATE;
	else if (w->resume_step && w->a.action == ANSWERS_DISCONNECT)
		w->start = WIZ_DISCONNECT;
	tui_progress_init(&w->prog);
	tui_log_init(&w->log, 300);
	w->vault_file = o->vault_file ? xstrdup(o->vault_file) : vault_default_path();
	if (w->session_err.status)
		return w;
	/* No CerteroX URL here: session_open would resolve the organization synchronously;
	 * the client is made below and signed in asynchronously. */
	struct session_opts so = {
	    .profile = o->profile,
	    .region = o->region,
	    .endpoint_url = o->endpoint_url,
	    .ca_bundle = o->ca_bundle,
	};
	if (session_open(&w->s, &so, &w->session_err) != CX_OK)
		return w;
	w->session_ok = true;
	if (w->a.certerox.url) {
		struct cx_err err;
		cx_err_clear(&err);
		bool tok = false;
		if (session_certerox_client(&w->s, w->a.certerox.url, o->certerox_token_file, &tok,
		                            &err) == CX_OK) {
			w->cx_url = xstrdup(w->a.certerox.url);
			w->cx_token = tok;
			if (tok && url_from_file)
				w->cx_url_unconfirmed = true;
			else if (tok)
				wiz_certerox_connect(w, w->a.certerox.url, NULL, NULL);
		} else {
			w->cx_st = err.status;
			w->cx_err = err;
		}
	}
	return w;
}

void wiz_free(struct wiz *w)
{
	if (!w)
		return;
	tui_org_free(w->org); /* first: its worker may still use the session */
	engine_free(w->eng);
	discover_free(w->disc);
	certerox_call_free(w->cxcall);
	journal_close(w->jn);
	vault_close(w->vault);
	if (w->have_plan)
		plan_free(&w->plan);
	plan_facts_free(&w->facts);
	s3_bucket_list_free(&w->buckets);
	free(w->delivery);
	strv_free(&w->warnings);
	certerox_org_list_free(&w->orgs);
	if (w->session_ok)
		session_close(&w->s);
	answers_free(&w->a);
	tui_progress_free(&w->prog);
	tui_log_free(&w->log);
	cJSON_Delete(w->edited_readonly);
	cJSON_Delete(w->edited_discover);
	free(w->disc_key);
	free(w->cx_url);
	free(w->vault_file);
	free(w);
}

static void apply_check_finished(struct wiz *w);
static void cancel_reads(struct wiz *w);

/* ---- the wait hook ---- */

static int io_wait(void *ctx, int tty_fd, int timeout_ms)
{
	struct wiz *w = ctx;
	struct http_waitfd fds[2] = {{tty_fd, HTTP_POLL_IN, 0}, {term_wake_fd(), HTTP_POLL_IN, 0}};
	unsigned n = term_wake_fd() >= 0 ? 2 : 1;
	if (!w->session_ok || w->lent) { /* lent: the Organization's worker drives it */
		struct pollfd p[2] = {{tty_fd, POLLIN, 0}, {term_wake_fd(), POLLIN, 0}};
		return poll(p, n, timeout_ms);
	}
	int r = http_ctx_poll(w->s.http, timeout_ms, fds, n);
	http_ctx_perform(w->s.http);
	/* the engine marks the steps that will not run (cancel, failure) after the last event:
	 * notice the end here */
	cancel_reads(w);
	apply_check_finished(w);
	return r < 0 ? -1 : r;
}

struct tui_io wiz_io(struct wiz *w)
{
	struct tui_io io = {io_wait, w};
	return io;
}

/* ---- discovery ---- */

/* What discovery depends on. */
static char *disc_key(const struct wiz *w)
{
	const struct answers *a = &w->a;
	const struct answers_export *e = &a->export;
	return xasprintf(
	    "%d|%d|%d|%d|%s|%s|%s|%s|%s|%s|%s|%s|%s|%d|%s|%d", a->action, a->connection, e->type,
	    e->setup, answers_export_name(a), e->bucket ? e->bucket : "-",
	    e->prefix ? e->prefix : "-", a->iam.user ? a->iam.user : "-",
	    a->iam.readonly_policy ? a->iam.readonly_policy : "-",
	    a->iam.discover_policy ? a->iam.discover_policy : "-",
	    w->cx_ready && w->s.org_id ? w->s.org_id : "-",
	    a->migrate.data_source_id ? a->migrate.data_source_id : "-",
	    a->migrate.export_name ? a->migrate.export_name : "-", a->migrate.delete_legacy_report,
	    w->vault ? "vault" : "-", e->create_bucket);
}

static void disc_progress(void *ud, const struct discover_event *ev)
{
	struct wiz *w = ud;
	w->disc_started = ev->started;
	w->disc_finished = ev->finished;
	if (ev->label)
		str_copy(w->disc_last, sizeof(w->disc_last), ev->label);
	tui_app_wake(w->app);
}

static void disc_done(struct discover *d, void *ud)
{
	struct wiz *w = ud;
	cx_err_clear(&w->disc_err);
	w->disc_st = discover_status(d, &w->disc_err);
	free(w->delivery);
	w->delivery = NULL;
	w->ndelivery = 0;
	if (w->disc_st == CX_OK) {
		const struct plan_facts *f = discover_facts(d);
		w->ndelivery = f->nexports;
		w->delivery = xcalloc(f->nexports + 1, sizeof(*w->delivery));
		for (size_t i = 0; i < f->nexports; i++)
			w->delivery[i] = discover_export_delivery(d, i);
	}
	if (!w->buckets_read) {
		struct s3_bucket_list l;
		enum cx_status bst = discover_take_buckets(d, &l, &w->buckets_err);
		if (bst != CX_E_NOT_FOUND) {
			w->buckets_read = true;
			w->buckets_st = bst;
			s3_bucket_list_free(&w->buckets);
			w->buckets = l;
		}
	}
	plan_facts_free(&w->facts);
	strv_free(&w->warnings);
	if (w->disc_st == CX_OK) {
		discover_take_facts(d, &w->facts);
		keyintent_mark(&w->facts, w->a.iam.user, NULL);
		/* a vault not unlocked yet says nothing about which keys it holds */
		w->facts.vault_unknown =
		    !w->vault && w->vault_file && access(w->vault_file, F_OK) == 0;
		const struct strv *ws = discover_warnings(d);
		for (size_t i = 0; ws && i < ws->n; i++)
			strv_push(&w->warnings, ws->v[i]);
		w->have_facts = true;
		answers_fill_defaults(&w->a, w->facts.account_id, w->facts.bucket_region);
	}
	discover_free(d);
	w->disc = NULL;
	tui_app_set_busy(w->app, false);
	tui_app_wake(w->app);
}

bool wiz_discovering(const struct wiz *w)
{
	return w->disc != NULL;
}

const struct plan_facts *wiz_live_facts(const struct wiz *w)
{
	return w->disc ? discover_facts(w->disc) : &w->facts;
}

enum discover_delivery wiz_export_delivery(const struct wiz *w, size_t i)
{
	if (w->disc)
		return discover_export_delivery(w->disc, i);
	return w->have_facts && i < w->ndelivery ? w->delivery[i] : DISCOVER_DELIVERY_UNREAD;
}

const char *wiz_loading(struct wiz *w)
{
	if (!w->session_ok || (wiz_refresh(w) && w->have_facts))
		return NULL;
	if (!w->disc && !w->cx_busy && !w->lent && w->disc_st != CX_OK)
		return NULL; /* failed: the page shows why */
	return "Still reading the account; the wizard goes on when it is read.";
}

bool wiz_refresh(struct wiz *w)
{
	if (!w->session_ok)
		return true;
	if (w->cx_busy || w->lent)
		return false; /* the data sources come with the CerteroX sign-in: wait for it */
	if (w->start == WIZ_ORG && w->a.action == ANSWERS_ORGANIZATION && w->have_facts)
		return true; /* the Organization flow reads what it needs itself (page_org.c) */
	char *key = disc_key(w);
	if (w->disc_key && strcmp(key, w->disc_key) == 0) {
		free(key);
		return w->disc == NULL;
	}
	if (w->disc) {
		discover_free(w->disc); /* cancels; its done callback does not matter */
		w->disc = NULL;
		tui_app_set_busy(w->app, false);
	}
	free(w->disc_key);
	w->disc_key = key;
	w->have_facts = false;
	w->disc_st = CX_OK;
	w->disc_started = w->disc_finished = 0;
	w->disc_last[0] = '\0';
	if (w->have_plan) {
		plan_free(&w->plan);
		w->have_plan = false;
	}
	w->plan_st = CX_OK;
	cx_err_clear(&w->plan_err);
	struct discover_opts opts = {
	    .aws = w->s.aws,
	    .certerox = w->cx_ready ? w->s.cx : NULL,
	    .vault = w->vault,
	    .list_buckets = !w->buckets_read, /* once a session: the bucket picker's list */
	    /* the Data export page's list: each export's delivered files */
	    .every_delivery = w->a.action == ANSWERS_CONNECT,
	    .progress = disc_progress,
	    .progress_ud = w,
	};
	tui_app_set_busy(w->app, true);
	w->disc = discover_start(&w->a, &opts, disc_done, w);
	return false;
}

void wiz_draw_discovery(struct wiz *w, WINDOW *win, int y, int x, int width)
{
	char line[300];
	if (!w->session_ok) {
		char buf[1400];
		snprintf(line, sizeof(line), "%s %s", theme_sym(SYM_FAIL),
		         cx_err_format(&w->session_err, buf, sizeof(buf)));
		tui_put(win, y, x, width, line, theme_attr(ROLE_ERROR));
	} else if (w->cx_busy) {
		snprintf(line, sizeof(line), "%s Signing in to CerteroX...",
		         theme_spinner(tui_app_tick(w->app)));
		tui_put(win, y, x, width, line, theme_attr(ROLE_DIM));
	} else if (w->disc) {
		snprintf(line, sizeof(line),
		         "%s Reading the account (read-only): %d of %d reads done",
		         theme_spinner(tui_app_tick(w->app)), w->disc_finished, w->disc_started);
		tui_put(win, y, x, width, line, theme_attr(ROLE_DIM));
	} else if (w->disc_st != CX_OK) {
		char buf[1400];
		snprintf(line, sizeof(line), "%s Discovery failed: %s", theme_sym(SYM_FAIL),
		         cx_err_format(&w->disc_err, buf, sizeof(buf)));
		tui_put(win, y, x, width, line, theme_attr(ROLE_ERROR));
	}
}

/* ---- plan ---- */

/* Inserts a DeletePolicyVersion step (id prune) at position at: IAM keeps 5 versions. */
static void insert_prune(struct plan *p, size_t at, const char *prune, const char *arn,
                         const char *name, const char *version)
{
	p->steps = xrealloc(p->steps, (p->n + 1) * sizeof(*p->steps));
	memmove(&p->steps[at + 1], &p->steps[at], (p->n - at) * sizeof(*p->steps));
	p->n++;
	struct plan_step *s = &p->steps[at];
	memset(s, 0, sizeof(*s));
	s->id = xstrdup(prune);
	s->service = "iam";
	s->operation = "DeletePolicyVersion";
	s->kind = PLAN_DELETE;
	s->requests = 1;
	s->request = cJSON_CreateObject();
	cJSON_AddStringToObject(s->request, "PolicyArn", arn);
	cJSON_AddStringToObject(s->request, "VersionId", version);
	s->title = xasprintf("iam DeletePolicyVersion %s %s", name, version);
}

/* The administrator's edited document (page 6) replaces the template in the policy step. The
 * edit is what the administrator asked for: when the plan skips the step because the existing
 * policy matches the template (or already grants the Data Exports actions), an edited
 * document that differs from the current default version still makes a new default version
 * (pruning the oldest version first when IAM's 5 are used); one equal to the default version
 * (a re-run after it was applied) is skipped. */
static void use_edited(struct wiz *w, const char *tag, const cJSON *doc)
{
	if (!doc)
		return;
	struct plan *p = &w->plan;
	char id[64], prune[80];
	snprintf(id, sizeof(id), "policy-%s", tag);
	snprintf(prune, sizeof(prune), "policy-%s-prune", tag);
	size_t i = 0;
	while (i < p->n && !str_eq(p->steps[i].id, id))
		i++;
	if (i == p->n || !p->steps[i].request)
		return;
	struct plan_step *s = &p->steps[i];
	if (cJSON_GetObjectItemCaseSensitive(s->request, "PolicyDocument"))
		cJSON_ReplaceItemInObjectCaseSensitive(s->request, "PolicyDocument",
		                                       cJSON_Duplicate(doc, true));
	if (!str_eq(s->operation, "CreatePolicyVersion"))
		return; /* CreatePolicy: the edited document is the new policy */
	const char *arn = json_str(s->request, "PolicyArn");
	const struct plan_policy_fact *pf = arn ? plan_facts_policy(&w->facts, arn) : NULL;
	const char *name = arn && strrchr(arn, '/') ? strrchr(arn, '/') + 1 : id;
	if (pf && pf->document && policy_equal(pf->document, doc)) {
		if (s->kind == PLAN_SKIP || s->kind == PLAN_UPDATE) {
			s->kind = PLAN_SKIP;
			s->requests = 0;
			free(s->diff);
			s->diff = NULL;
			free(s->skip_reason);
			s->skip_reason =
			    xasprintf("policy %s's default version %s already has your edited "
			              "document",
			              name, pf->default_version ? pf->default_version : "");
		}
		for (size_t k = 0; k < p->n; k++) {
			struct plan_step *ps = &p->steps[k];
			if (str_eq(ps->id, prune) && ps->kind != PLAN_SKIP) {
				ps->kind = PLAN_SKIP;
				ps->requests = 0;
				free(ps->skip_reason);
				ps->skip_reason = xstrdup("no new policy version is needed");
			}
		}
		p->depth = plan_depth(p);
		return;
	}
	if (s->kind == PLAN_SKIP) {
		s->kind = PLAN_UPDATE;
		s->requests = 1;
		free(s->skip_reason);
		s->skip_reason = NULL;
		if (pf && pf->versions >= 5 && pf->oldest_nondefault && !plan_find(p, prune)) {
			insert_prune(p, i, prune, arn, name, pf->oldest_nondefault);
			s = &p->steps[i + 1];
			s->deps = xrealloc(s->deps, (s->ndeps + 1) * sizeof(char *));
			s->deps[s->ndeps++] = xstrdup(prune);
		}
	}
	char *old = pf && pf->document ? json_pretty(pf->document) : xstrdup("");
	char *nw = json_pretty(doc);
	free(s->diff);
	s->diff = diff_unified(old, nw, "policy (current default version)",
	                       "policy (your edited version)");
	free(old);
	free(nw);
	p->depth = plan_depth(p);
}

enum cx_status wiz_build_plan(struct wiz *w)
{
	if (w->have_plan) {
		plan_free(&w->plan);
		w->have_plan = false;
	}
	cx_err_clear(&w->plan_err);
	if (!w->have_facts) {
		w->plan_st = cx_err_set(&w->plan_err, CX_E_INPUT, "the account has not been read");
		return w->plan_st;
	}
	if (w->a.action == ANSWERS_ROTATE || w->a.action == ANSWERS_DISCONNECT ||
	    w->a.action == ANSWERS_MIGRATE) {
		/* as batch does (batch/batch.c prepare): the chosen data source's real user and
		 * what the wizard made for it, read one after another (run/resolve.h); again
		 * for each plan, since the vault may have been unlocked meanwhile */
		plan_life_free(w->facts.life);
		w->facts.life = NULL;
		struct resolve_opts ro = {.aws = w->s.aws,
		                          .certerox = w->cx_ready ? w->s.cx : NULL,
		                          .vault = w->vault,
		                          .dry_run = !w->vault};
		struct strv ws = STRV_INIT;
		w->plan_st = resolve_life(&ro, &w->a, &w->facts, &ws, &w->plan_err);
		for (size_t i = 0; i < ws.n; i++) {
			bool seen = false; /* each plan resolves again: say each warning once */
			for (size_t k = 0; k < w->warnings.n && !seen; k++)
				seen = str_eq(w->warnings.v[k], ws.v[i]);
			if (!seen)
				strv_push(&w->warnings, ws.v[i]);
		}
		strv_free(&ws);
		if (w->plan_st != CX_OK)
			return w->plan_st;
	}
	answers_fill_defaults(&w->a, w->facts.account_id, w->facts.bucket_region);
	w->plan_st = validate_answers(&w->a, NULL, &w->plan_err);
	if (w->plan_st != CX_OK)
		return w->plan_st;
	struct plan_options po = {.delete_unknown_keys = w->o->yes};
	w->plan_st = plan_build(&w->plan, &w->a, &w->facts, &po, &w->plan_err);
	if (w->plan_st == CX_OK) {
		w->have_plan = true;
		use_edited(w, "readonly", w->edited_readonly);
		use_edited(w, "discover", w->edited_discover);
	}
	return w->plan_st;
}

/* ---- CerteroX ---- */

static void cx_finish(struct wiz *w)
{
	w->cx_busy = false;
	tui_app_set_busy(w->app, false);
	tui_app_wake(w->app);
}

static void cx_done(struct certerox_call *call, void *ud)
{
	struct wiz *w = ud;
	struct cx_err err;
	cx_err_clear(&err);
	enum cx_status st = certerox_call_status(call, &err);
	enum certerox_op op = certerox_call_op(call);
	if (st != CX_OK) {
		certerox_call_free(call);
		w->cxcall = NULL;
		w->cx_st = st;
		w->cx_err = err;
		cx_finish(w);
		return;
	}
	if (op == CERTEROX_OP_LOGIN) {
		certerox_call_free(call);
		w->cxcall = certerox_list_orgs_start(w->s.cx, cx_done, w);
		return;
	}
	struct certerox_result *r = certerox_call_result(call);
	certerox_org_list_free(&w->orgs);
	w->orgs = r->orgs;
	memset(&r->orgs, 0, sizeof(r->orgs));
	certerox_call_free(call);
	w->cxcall = NULL;
	w->cx_st = CX_OK;
	char *id = NULL;
	if (w->orgs.n == 1 || w->a.certerox.organization_id) {
		st = certerox_org_pick(&w->orgs, w->a.certerox.organization_id, &id, &err);
		if (st == CX_OK) {
			wiz_certerox_org(w, id);
			free(id);
		} else {
			w->cx_st = st;
			w->cx_err = err;
		}
	}
	cx_finish(w);
}

void wiz_certerox_connect(struct wiz *w, const char *url, const char *email, const char *password)
{
	cx_err_clear(&w->cx_err);
	w->cx_st = CX_OK;
	w->cx_ready = false;
	w->cx_url_unconfirmed = false; /* the user pressed Enter on the URL: confirmed */
	if (!w->session_ok) {
		w->cx_st = cx_err_set(&w->cx_err, CX_E_INPUT, "no session: see the first page");
		return;
	}
	if (!w->s.cx || !str_eq(w->cx_url, url)) {
		bool tok = false;
		if (session_certerox_client(&w->s, url, w->o->certerox_token_file, &tok,
		                            &w->cx_err) != CX_OK) {
			w->cx_st = w->cx_err.status ? w->cx_err.status : CX_E_INPUT;
			return;
		}
		free(w->cx_url);
		w->cx_url = xstrdup(url);
		w->cx_token = tok;
	}
	answers_set(&w->a.certerox.url, url);
	certerox_call_free(w->cxcall);
	w->cxcall = NULL;
	if (email && *email) {
		w->cxcall =
		    certerox_login_start(w->s.cx, email, password ? password : "", cx_done, w);
	} else if (w->cx_token || certerox_has_token(w->s.cx)) {
		w->cxcall = certerox_list_orgs_start(w->s.cx, cx_done, w);
	} else {
		w->cx_st =
		    cx_err_set(&w->cx_err, CX_E_CREDENTIALS,
		               "no CerteroX token (CERTEROX_TOKEN or --certerox-token-file): "
		               "sign in with email and password");
		return;
	}
	w->cx_busy = true;
	tui_app_set_busy(w->app, true);
}

void wiz_certerox_org(struct wiz *w, const char *org_id)
{
	free(w->s.org_id);
	w->s.org_id = xstrdup(org_id);
	answers_set(&w->a.certerox.organization_id, org_id);
	w->cx_ready = true;
}

/* ---- apply ---- */

static enum tui_step_state step_state(const char *s)
{
	if (str_eq(s, "done"))
		return STEP_DONE;
	if (str_eq(s, "skipped"))
		return STEP_SKIPPED;
	if (str_eq(s, "failed"))
		return STEP_FAILED;
	if (str_eq(s, "running"))
		return STEP_RUNNING;
	if (str_eq(s, "not run"))
		return STEP_NOTRUN;
	return STEP_PENDING;
}

static void apply_check_finished(struct wiz *w)
{
	if (!w->applying || !engine_finished(w->eng))
		return;
	w->applying = false;
	w->apply_finished = true;
	cx_err_clear(&w->apply_err);
	w->apply_st = engine_status(w->eng, &w->apply_err);
	if (w->cancelled && (w->apply_st == CX_OK || w->apply_st == CX_E_CANCELLED)) {
		const struct engine_result *r = engine_result(w->eng);
		if (r->not_run > 0 || w->apply_st == CX_E_CANCELLED) {
			cx_err_clear(&w->apply_err);
			w->apply_st = cx_err_set(&w->apply_err, CX_E_CANCELLED,
			                         "cancelled; %d step%s not run. Run the wizard "
			                         "again to continue.",
			                         r->not_run, r->not_run == 1 ? "" : "s");
		}
	}
	for (int i = 0; i < w->prog.n; i++) {
		long ms = 0;
		const char *s = engine_step_state(w->eng, (size_t)i, &ms);
		if (w->prog.steps[i].state == STEP_PENDING && !str_eq(s, "pending") &&
		    step_state(s) != STEP_PENDING)
			w->prog.steps[i].state = step_state(s);
	}
	if (w->apply_st == CX_OK)
		tui_log_add(&w->log, "apply finished: every step done or skipped");
	else
		tui_log_add(&w->log, "apply stopped: %s", w->apply_err.msg);
	tui_app_set_busy(w->app, false);
	tui_app_wake(w->app);
}

static void on_event(void *ud, const struct engine_event *ev)
{
	struct wiz *w = ud;
	if (ev->kind == ENGINE_FINISHED) {
		apply_check_finished(w);
		tui_app_wake(w->app);
		return;
	}
	int i = ev->index - 1;
	if (i < 0 || i >= w->prog.n)
		return;
	const char *t = ev->step->title;
	switch (ev->kind) {
	case ENGINE_FINISHED:
		break;
	case ENGINE_STARTED:
		tui_progress_start(&w->prog, i);
		tui_log_add(&w->log, "%s: started", t);
		break;
	case ENGINE_RETRYING:
		tui_progress_retry(&w->prog, i, ev->reason);
		tui_log_add(&w->log, "%s: retrying (attempt %d: %s)", t, ev->attempt,
		            ev->reason ? ev->reason : "");
		break;
	case ENGINE_PROGRESS:
		if (ev->detail)
			str_copy(w->keycheck, sizeof(w->keycheck), ev->detail);
		tui_log_add(&w->log, "%s: %s", t, ev->detail ? ev->detail : "");
		break;
	case ENGINE_DONE:
		tui_progress_done(&w->prog, i, ev->ms);
		tui_log_add(&w->log, "%s: done%s%s", t, ev->detail ? ": " : "",
		            ev->detail ? ev->detail : "");
		if (ev->step->kind != PLAN_SKIP && ev->step->kind != PLAN_READ)
			tui_app_set_applied(w->app, true);
		break;
	case ENGINE_SKIPPED:
		tui_progress_skip(&w->prog, i, ev->reason);
		tui_log_add(&w->log, "%s: skipped: %s", t, ev->reason ? ev->reason : "");
		break;
	case ENGINE_FAILED: {
		if (ev->err && ev->err->status == CX_E_CANCELLED) {
			/* stopped by Esc/Ctrl-C: not a failure */
			tui_progress_cancel(&w->prog, i);
			tui_log_add(&w->log, "%s: cancelled: %s", t, ev->err->msg);
			break;
		}
		char code[64] = "";
		if (ev->err && ev->err->code[0])
			str_copy(code, sizeof(code), ev->err->code);
		else if (ev->err)
			str_copy(code, sizeof(code), cx_status_name(ev->err->status));
		tui_progress_fail(&w->prog, i, code, ev->err ? ev->err->msg : "failed", ev->fix);
		tui_log_add(&w->log, "%s: FAILED: %s", t, ev->err ? ev->err->msg : "");
		break;
	}
	}
	apply_check_finished(w);
	tui_app_wake(w->app);
}

enum cx_status wiz_apply_start(struct wiz *w)
{
	cx_err_clear(&w->apply_err);
	if (!w->have_plan)
		return cx_err_set(&w->apply_err, CX_E_INPUT, "no plan");
	if (!w->jn) {
		enum cx_status st = journal_open(NULL, w->facts.account_id, &w->jn, &w->apply_err);
		if (st != CX_OK)
			return st;
	}
	tui_progress_free(&w->prog);
	tui_progress_init(&w->prog);
	for (size_t i = 0; i < w->plan.n; i++)
		tui_progress_add(&w->prog, w->plan.steps[i].title);
	struct engine_env env = {
	    .aws = w->s.aws,
	    .certerox = w->s.cx,
	    .certerox_org = w->s.org_id,
	    .vault = w->vault,
	    .journal = w->jn,
	    .answers = &w->a,
	    .facts = &w->facts,
	    .on_event = on_event,
	    .event_ud = w,
	};
	const char *kw = getenv("CX_KEY_WAIT_MS");
	if (kw)
		env.key_wait_ms = atol(kw);
	engine_free(w->eng);
	w->eng = engine_new(&w->plan, &env);
	w->applying = true;
	w->apply_finished = false;
	w->cancelled = false;
	w->cancel_reads_done = false;
	tui_app_set_busy(w->app, true);
	tui_log_add(&w->log, "apply: %zu steps, %zu write", w->plan.n, plan_writes(&w->plan));
	engine_start(w->eng);
	apply_check_finished(w);
	return CX_OK;
}

/* After Esc: once no write is in flight, the read-only steps still running (the key check,
 * which may wait minutes for a new key) are stopped at once; they write nothing. */
static void cancel_reads(struct wiz *w)
{
	if (!w->applying || !w->cancelled || w->cancel_reads_done)
		return;
	bool reads = false;
	for (size_t i = 0; i < w->plan.n; i++) {
		if (!str_eq(engine_step_state(w->eng, i, NULL), "running"))
			continue;
		if (w->plan.steps[i].kind != PLAN_READ)
			return; /* a write is in flight: it finishes first */
		reads = true;
	}
	if (!reads)
		return;
	w->cancel_reads_done = true;
	tui_log_add(&w->log, "cancel: the key check stops (it writes nothing)");
	engine_cancel(w->eng, true);
}

void wiz_apply_cancel(struct wiz *w, bool inflight)
{
	if (!w->applying)
		return;
	w->cancelled = true;
	engine_cancel(w->eng, inflight);
	if (!inflight) {
		tui_log_add(&w->log, "cancel: no new step starts; the call in flight finishes");
		cancel_reads(w);
	}
	apply_check_finished(w);
}

char *wiz_policy_backup(const struct wiz *w)
{
	if (!w->eng || !w->jn)
		return NULL;
	for (size_t i = 0; i < w->plan.n; i++) {
		const struct plan_step *ps = &w->plan.steps[i];
		if (!str_eq(ps->service, "s3") ||
		    !str_eq(engine_step_state(w->eng, i, NULL), "done") ||
		    (!str_eq(ps->operation, "PutBucketPolicy") &&
		     !str_eq(ps->operation, "DeleteBucketPolicy")))
			continue;
		cJSON *e = journal_find_last(w->jn, "bucket_policy_backup", "bucket",
		                             json_str(ps->request, "Bucket"));
		char *path = e && json_str(e, "backup") ? xstrdup(json_str(e, "backup")) : NULL;
		cJSON_Delete(e);
		return path;
	}
	return NULL;
}

char *wiz_summary_text(struct wiz *w)
{
	if (!w->have_plan || !w->eng)
		return NULL;
	cJSON *j = run_summary(&w->a, &w->facts, &w->plan, &w->warnings, w->eng,
	                       w->vault ? vault_path(w->vault) : NULL, w->apply_st, &w->apply_err);
	char *t;
	if (run_summary_as_text(w->o->format == FORMAT_JSON)) {
		char *backup = wiz_policy_backup(w);
		t = run_summary_text(j, backup);
		free(backup);
	} else {
		t = json_pretty(j);
	}
	cJSON_Delete(j);
	return t;
}

const char *wiz_ds_name(const struct wiz *w)
{
	const char *id = w->a.action == ANSWERS_MIGRATE      ? w->a.migrate.data_source_id
	                 : w->a.action == ANSWERS_ROTATE     ? w->a.rotate.data_source_id
	                 : w->a.action == ANSWERS_DISCONNECT ? w->a.disconnect.data_source_id
	                                                     : NULL;
	for (size_t i = 0; id && i < w->facts.ndata_sources; i++)
		if (str_eq(w->facts.data_sources[i].id, id))
			return w->facts.data_sources[i].name ? w->facts.data_sources[i].name : "";
	if (id)
		return "";
	return w->a.data_source.name ? w->a.data_source.name : "";
}

bool wiz_in_flow(const struct wiz *w, int p)
{
	if (w->start == WIZ_CHECK)
		return false; /* "Check connected data sources" is its own page (page_status.c) */
	if (w->start == WIZ_ORG) /* its own pages (page_org.c) around these two */
		return p == FLOW_CERTEROX || p == FLOW_VAULT;
	enum flow_page out[FLOW_PAGE_COUNT];
	size_t n = flow_pages(&w->a, out);
	for (size_t i = 0; i < n; i++)
		if ((int)out[i] == p)
			return true;
	return false;
}

/* ---- validators ---- */

static bool vres(enum cx_status st, const struct cx_err *err, char *msg, size_t n)
{
	if (st == CX_OK)
		return true;
	str_copy(msg, n, err->msg);
	return false;
}

#define VALIDATOR(fn, call)                                                                        \
	bool fn(const char *v, char *msg, size_t n, void *ctx)                                     \
	{                                                                                          \
		(void)ctx;                                                                         \
		struct cx_err err;                                                                 \
		cx_err_clear(&err);                                                                \
		return vres(call, &err, msg, n);                                                   \
	}

VALIDATOR(wiz_valid_export_name, validate_export_name("export name", v, &err))
VALIDATOR(wiz_valid_report_name, validate_report_name("report name", v, &err))
VALIDATOR(wiz_valid_bucket, validate_bucket("bucket", v, &err))
VALIDATOR(wiz_valid_prefix_cur2, validate_prefix("prefix", v, false, &err))
VALIDATOR(wiz_valid_prefix_legacy, validate_prefix("prefix", v, true, &err))
VALIDATOR(wiz_valid_region, validate_region("region", v, &err))
VALIDATOR(wiz_valid_user, validate_iam_user("user name", v, &err))
VALIDATOR(wiz_valid_ds_name, validate_data_source_name("data source name", v, &err))
VALIDATOR(wiz_valid_url, validate_certerox_url("CerteroX URL", v, &err))
