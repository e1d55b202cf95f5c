#include "batch/batch.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/answers.h"
#include "core/plan.h"
#include "core/planfmt.h"
#include "core/validate.h"
#include "run/discover.h"
#include "run/engine.h"
#include "run/journal.h"
#include "run/resolve.h"
#include "run/keyintent.h"
#include "run/session.h"
#include "run/summary.h"
#include "run/summary_text.h"
#include "util/json.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/secmem.h"
#include "util/status.h"
#include "util/str.h"
#include "vault/strength.h"
#include "vault/vault.h"

/* Every line for the terminal: what it quotes from servers and files cannot act on it. */
static void eprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void eprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *line = NULL;
	if (vasprintf(&line, fmt, ap) < 0)
		line = NULL;
	va_end(ap);
	if (!line)
		return;
	char *safe = str_safe(line, SIZE_MAX, STR_SAFE_KEEP_NL);
	fputs(safe, stderr);
	free(safe);
	free(line);
}

struct prep {
	struct answers a;
	struct session s;
	struct plan_facts facts;
	struct plan plan;
	struct strv warnings;
	bool have_plan;
};

static int fail(const char *what, const struct cx_err *err, int code)
{
	char buf[1400];
	eprintf("certerox-aws-setup: %s%s%s\n", what ? what : "", what ? ": " : "",
	        cx_err_format(err, buf, sizeof(buf)));
	return code;
}

static void prep_free(struct prep *p)
{
	if (p->have_plan)
		plan_free(&p->plan);
	plan_facts_free(&p->facts);
	session_close(&p->s);
	answers_free(&p->a);
	strv_free(&p->warnings);
}

/* The vault a run opens: in a worker thread while discovery reads (Argon2id takes from 0.1 s
 * to seconds). path NULL: no vault. */
struct vault_req {
	const char *path;
	const char *passphrase;   /* borrowed */
	const char *create_level; /* NULL: it must exist */
	bool dry_run;             /* errors name the file; a lock is not a temporary failure */
	bool unopened;            /* dry run: a vault exists but is not opened (no passphrase) */
};

static void discovery_done(struct discover *d, void *ud)
{
	(void)d;
	*(bool *)ud = true;
}

static int vault_failed(const struct vault_req *vr, enum cx_status st, const struct cx_err *err)
{
	if (vr->dry_run)
		return fail(vr->path, err, session_exit_status(st, false));
	return fail(NULL, err,
	            st == CX_E_LOCKED ? CX_EXIT_TEMPFAIL : session_exit_status(st, false));
}

static void derive_when_sent(void *ud)
{
	vault_open_derive(ud);
}

/* Takes the vault's lock, starts discovery, derives the vault's key once discovery's first
 * requests are on the network, and waits for both. Returns 0 or an exit status; the vault's
 * failure is reported first (it is the user's input). */
static int discover_with_vault(struct prep *p, const struct vault_req *vr, struct vault **vault)
{
	struct cx_err err, verr;
	cx_err_clear(&err);
	cx_err_clear(&verr);
	struct vault_opening *vo = NULL;
	if (vr->path) {
		enum cx_status vst = vault_open_begin(vr->path, vr->passphrase, vr->create_level,
		                                      VAULT_LOCK_WAIT_DEFAULT, &vo, &verr);
		if (vst != CX_OK)
			return vault_failed(vr, vst, &verr);
		/* an apply saves (the key it makes, the data source): the first save's key is
		 * derived while discovery still reads, not after CreateAccessKey answers */
		if (!vr->dry_run)
			vault_open_prepare_save(vo);
	}
	struct http_ctx *ctx = aws_client_ctx(p->s.aws);
	struct discover_opts dopts = {.aws = p->s.aws, .certerox = p->s.cx};
	bool done = false;
	struct discover *d = discover_start(&p->a, &dopts, discovery_done, &done);
	unsigned long when = vo ? http_ctx_when_sent(ctx, derive_when_sent, vo) : 0;
	if (!discover_done(d))
		http_ctx_run_until(ctx, &done);
	if (when)
		http_timer_cancel(ctx, when); /* discovery ended first: finish derives */
	enum cx_status vst = vo ? vault_open_finish(vo, vault, &verr) : CX_OK;
	enum cx_status st = discover_done(d) ? discover_status(d, &err) : CX_E_INTERNAL;
	if (!discover_done(d))
		cx_err_set(&err, CX_E_INTERNAL, "discovery did not complete");
	for (size_t i = 0; i < discover_warnings(d)->n; i++)
		strv_push(&p->warnings, discover_warnings(d)->v[i]);
	int rc = 0;
	if (vst != CX_OK) {
		rc = vault_failed(vr, vst, &verr);
	} else if (st != CX_OK) {
		rc = fail("discovery", &err, session_exit_status(st, false));
	} else {
		discover_take_facts(d, &p->facts);
		discover_mark_vault_keys(&p->facts, *vault);
		keyintent_mark(&p->facts, p->a.iam.user, NULL);
		p->facts.vault_unknown = vr && vr->unopened;
		if (p->s.cx) {
			st = session_resolve_org(&p->s, p->a.certerox.organization_id,
			                         discover_certerox_org(d), &err);
			if (st != CX_OK)
				rc = fail(NULL, &err, session_exit_status(st, false));
			else
				answers_set(&p->a.certerox.organization_id, p->s.org_id);
		}
	}
	discover_free(d);
	return rc;
}

/* The CerteroX token goes only to a URL the user gave (--certerox-url or CERTEROX_URL): an
 * answers file from someone else must not be able to send it to that person's server. A
 * certerox.url of the answers file alone is refused; one that differs from the user's is
 * replaced by it (answers_override), with a warning. Returns 0 or an exit status. */
static int check_certerox_url(const struct cx_options *o, const struct answers *a)
{
	const char *file_url = a->certerox.url;
	if (!file_url || !*file_url)
		return 0;
	if (!o->certerox_url) {
		eprintf(
		    "certerox-aws-setup: answers file %s: certerox.url \"%s\" is not a CerteroX "
		    "URL you gave: the CerteroX token is sent only to --certerox-url or "
		    "CERTEROX_URL; if you trust this server, run again with --certerox-url "
		    "%s\n",
		    o->answers_file, file_url, file_url);
		return CX_EXIT_USAGE;
	}
	if (!str_eq(file_url, o->certerox_url))
		eprintf(
		    "warning: answers file %s: certerox.url \"%s\" is not used: the CerteroX URL "
		    "is %s (--certerox-url or CERTEROX_URL)\n",
		    o->answers_file, file_url, o->certerox_url);
	return 0;
}

/* Answers, session, discovery (with the vault opening beside it) and plan. Returns 0 or an
 * exit status. */
static int prepare(const struct cx_options *o, struct prep *p, bool need_certerox,
                   const struct vault_req *vr, struct vault **vault)
{
	struct cx_err err;
	cx_err_clear(&err);
	answers_init(&p->a);
	if (answers_load_file(&p->a, o->answers_file, &err) != CX_OK)
		return fail(NULL, &err, CX_EXIT_DATAERR);
	int rc = check_certerox_url(o, &p->a);
	if (rc)
		return rc;
	answers_override(&p->a, o->certerox_url, o->certerox_org);
	if (validate_answers(&p->a, &p->warnings, &err) != CX_OK)
		return fail(o->answers_file, &err, CX_EXIT_DATAERR);
	struct session_opts so = {
	    .profile = o->profile,
	    .region = o->region,
	    .endpoint_url = o->endpoint_url,
	    .ca_bundle = o->ca_bundle,
	    .certerox_url = p->a.certerox.url,
	    .certerox_token_file = o->certerox_token_file,
	    .certerox_org = p->a.certerox.organization_id,
	    .certerox_required = need_certerox,
	    .defer_org = true,
	};
	enum cx_status st = session_open(&p->s, &so, &err);
	if (st != CX_OK)
		return fail(NULL, &err, session_exit_status(st, false));
	rc = discover_with_vault(p, vr, vault);
	if (rc)
		return rc;
	struct resolve_opts ro = {
	    .aws = p->s.aws, .certerox = p->s.cx, .vault = *vault, .dry_run = vr->dry_run};
	st = resolve_life(&ro, &p->a, &p->facts, &p->warnings, &err);
	if (st != CX_OK)
		return fail("discovery", &err, session_exit_status(st, false));
	answers_fill_defaults(&p->a, p->facts.account_id, p->facts.bucket_region);
	if (validate_answers(&p->a, NULL, &err) != CX_OK)
		return fail(o->answers_file, &err, CX_EXIT_DATAERR);
	struct plan_options po = {.delete_unknown_keys = o->yes};
	st = plan_build(&p->plan, &p->a, &p->facts, &po, &err);
	if (st != CX_OK)
		return fail("plan", &err, session_exit_status(st, false));
	p->have_plan = true;
	log_debug("plan: %zu steps, critical path %d", p->plan.n, p->plan.depth);
	return 0;
}

int batch_dry_run(const struct cx_options *o)
{
	struct prep p;
	memset(&p, 0, sizeof(p));
	struct vault *vault = NULL;
	char *vpath = o->vault_file ? xstrdup(o->vault_file) : vault_default_path();
	struct vault_req vr = {.dry_run = true};
	char *pass = NULL;
	int rc = 0;
	if (access(vpath, F_OK) == 0) {
		/* The vault says which of the user's keys we hold; read-only here. */
		struct cx_err err;
		cx_err_clear(&err);
		if (!o->passphrase_file) {
			fprintf(stderr,
			        "warning: the vault %s is not opened without "
			        "--passphrase-file: existing access keys count as unknown\n",
			        vpath);
			vr.unopened = true;
		} else if (vault_read_passphrase_file(o->passphrase_file, &pass, &err) != CX_OK)
			rc = fail(vpath, &err, session_exit_status(err.status, false));
		else
			vr.path = vpath, vr.passphrase = pass;
	}
	if (rc == 0)
		rc = prepare(o, &p, false, &vr, &vault);
	secmem_free(pass);
	vault_close(vault);
	free(vpath);
	if (rc == 0) {
		char *out =
		    o->format == FORMAT_AWSCLI ? planfmt_awscli(&p.plan) : planfmt_json(&p.plan);
		fputs(out, stdout);
		free(out);
		/* the same warnings as an apply prints (the plan's are also in its JSON) */
		for (size_t i = 0; i < p.warnings.n; i++)
			eprintf("warning: %s\n", p.warnings.v[i]);
		for (size_t i = 0; i < p.plan.warnings.n; i++)
			eprintf("warning: %s\n", p.plan.warnings.v[i]);
	}
	prep_free(&p);
	return rc;
}

/* ---- apply ---- */

struct progress {
	int width;
};

static void on_event(void *ud, const struct engine_event *ev)
{
	struct progress *pr = ud;
	if (ev->kind == ENGINE_FINISHED)
		return;
	char head[300];
	snprintf(head, sizeof(head), "[%*d/%d] %s", pr->width, ev->index, ev->total,
	         ev->step->title);
	switch (ev->kind) {
	case ENGINE_STARTED:
		eprintf("%s ...\n", head);
		break;
	case ENGINE_RETRYING:
		eprintf("%s ... retrying (attempt %d: %s)\n", head, ev->attempt, ev->reason);
		break;
	case ENGINE_PROGRESS:
		eprintf("%s ... %s\n", head, ev->detail ? ev->detail : "");
		break;
	case ENGINE_DONE:
		eprintf("%s ... done (%ld ms)%s%s\n", head, ev->ms, ev->detail ? ": " : "",
		        ev->detail ? ev->detail : "");
		break;
	case ENGINE_SKIPPED:
		eprintf("%s ... skipped: %s\n", head, ev->reason ? ev->reason : "");
		break;
	case ENGINE_FAILED: {
		char buf[1400];
		eprintf("%s ... FAILED (%ld ms): %s\n", head, ev->ms,
		        cx_err_format(ev->err, buf, sizeof(buf)));
		if (ev->fix)
			eprintf("%*s  fix: %s\n", pr->width * 2 + 3, "", ev->fix);
		break;
	}
	case ENGINE_FINISHED:
		break;
	}
}

static enum cx_status get_passphrase(const struct cx_options *o, bool exists, char **out,
                                     struct cx_err *err)
{
	if (o->passphrase_file) {
		enum cx_status st = vault_read_passphrase_file(o->passphrase_file, out, err);
		if (st == CX_OK && err->msg[0])
			eprintf("warning: %s\n", err->msg);
		return st;
	}
	return vault_prompt_passphrase(
	    exists ? "Vault passphrase: " : "New vault passphrase: ", !exists, out, err);
}

/* A new vault's passphrase: estimated (vault/strength.h); a weak one is refused (exit 65)
 * unless --allow-weak-passphrase. Returns 0 or an exit status. */
static int check_new_passphrase(const struct cx_options *o, const char *vpath, const char *pass)
{
	struct vault_strength s;
	vault_passphrase_strength(pass, &s);
	eprintf("certerox-aws-setup: a new vault is made at %s. %s\n", vpath,
	        VAULT_FORGOTTEN_WARNING);
	if (s.score >= VAULT_STRENGTH_MIN)
		return 0;
	if (o->allow_weak_passphrase) {
		eprintf("warning: the vault passphrase is %s (score %d of 4): %s; used anyway "
		        "(--allow-weak-passphrase)\n",
		        s.label, s.score, s.hint);
		return 0;
	}
	eprintf("certerox-aws-setup: vault passphrase: %s (score %d of 4, at least %d is "
	        "needed): %s; or give --allow-weak-passphrase\n",
	        s.label, s.score, VAULT_STRENGTH_MIN, s.hint);
	return CX_EXIT_DATAERR;
}

int batch_apply(const struct cx_options *o)
{
	struct prep p;
	memset(&p, 0, sizeof(p));
	struct cx_err err;
	cx_err_clear(&err);
	struct vault *vault = NULL;
	char *pass = NULL;
	struct journal *jn = NULL;
	struct engine *e = NULL;
	int rc = 0;

	/* The vault says which of the user's keys we hold; it opens while discovery reads. */
	char *vpath = o->vault_file ? xstrdup(o->vault_file) : vault_default_path();
	bool exists = access(vpath, F_OK) == 0;
	enum cx_status st = get_passphrase(o, exists, &pass, &err);
	if (st != CX_OK) {
		rc = fail("vault passphrase", &err, session_exit_status(st, false));
		goto out;
	}
	if (!exists) {
		rc = check_new_passphrase(o, vpath, pass);
		if (rc)
			goto out;
	}
	struct vault_req vr = {
	    .path = vpath,
	    .passphrase = pass,
	    .create_level = o->vault_kdf ? o->vault_kdf : "moderate",
	};
	rc = prepare(o, &p, true, &vr, &vault);
	secmem_free(pass);
	pass = NULL;
	if (rc)
		goto out;
	if (plan_needs_confirmation(&p.plan) && !o->yes) {
		eprintf("certerox-aws-setup: the plan replaces or deletes something:\n");
		for (size_t i = 0; i < p.plan.n; i++)
			if (p.plan.steps[i].destructive && p.plan.steps[i].kind != PLAN_SKIP)
				eprintf("  %s\n", p.plan.steps[i].title);
		fputs("run again with --yes to consent (see --dry-run for the details)\n", stderr);
		rc = CX_EXIT_USAGE;
		goto out;
	}
	st = journal_open(NULL, p.facts.account_id, &jn, &err);
	if (st != CX_OK) {
		rc = fail("state directory", &err, CX_EXIT_SOFTWARE);
		goto out;
	}
	struct progress pr = {.width = p.plan.n >= 10 ? 2 : 1};
	struct engine_env env = {
	    .aws = p.s.aws,
	    .certerox = p.s.cx,
	    .certerox_org = p.s.org_id,
	    .vault = vault,
	    .journal = jn,
	    .answers = &p.a,
	    .facts = &p.facts,
	    .on_event = on_event,
	    .event_ud = &pr,
	};
	const char *kw = getenv("CX_KEY_WAIT_MS");
	if (kw)
		env.key_wait_ms = atol(kw);
	for (size_t i = 0; i < p.warnings.n; i++)
		eprintf("warning: %s\n", p.warnings.v[i]);
	for (size_t i = 0; i < p.plan.warnings.n; i++)
		eprintf("warning: %s\n", p.plan.warnings.v[i]);
	e = engine_new(&p.plan, &env);
	st = engine_run(e, &err);
	const struct engine_result *r = engine_result(e);
	cJSON *sum =
	    run_summary(&p.a, &p.facts, &p.plan, &p.warnings, e, vault_path(vault), st, &err);
	char *text = run_summary_as_text(o->format == FORMAT_JSON) ? run_summary_text(sum, NULL)
	                                                           : json_pretty(sum);
	fputs(text, stdout);
	free(text);
	cJSON_Delete(sum);
	if (st == CX_OK) {
		rc = CX_EXIT_OK;
	} else {
		char buf[1400];
		eprintf("certerox-aws-setup: %s\n", cx_err_format(&err, buf, sizeof(buf)));
		if (st == CX_E_UNAVAILABLE && r->aws_work_done)
			rc = CX_EXIT_TEMPFAIL;
		else
			rc = session_exit_status(st, r->wrote || r->done > 0);
		if (rc == CX_EXIT_TEMPFAIL)
			fputs("certerox-aws-setup: run the same command again to continue\n",
			      stderr);
	}
out:
	engine_free(e);
	journal_close(jn);
	vault_close(vault);
	free(vpath);
	prep_free(&p);
	return rc;
}
