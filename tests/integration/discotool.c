/* discotool - drives run/discover and run/probe for the integration tests.
 *
 *   discotool [--log FILE] discover ANSWERS.json [--certerox] [--vault V --passphrase-file F]
 *             [--min-kdf] [--events FILE] [--parallel N] [--acceptance FILE]
 *             [--cancel-after-ms N]
 *       prints the facts as JSON (discover_facts_to_json) on stdout, warnings on stderr
 *       ("warning: ..."); --events writes one JSON line per progress event. The facts JSON is
 *       also read back with plan_facts_from_json and must print identically (else exit 70).
 *       --certerox uses CERTEROX_URL and CERTEROX_TOKEN from the environment. --acceptance
 *       writes {"<export name>": [reasons CerteroX would refuse it]} (core/export).
 *   discotool [--log FILE] probe [--bucket B] [--prefix P] [--region R] [--legacy] [--linked]
 *             [--user U] [--account A] [--wait-max-ms N] [--denied-retry-ms N]
 *             [--poll-fast-ms N] [--readonly-policy N] [--discover-policy N]
 *             [--cancel-after-ms N] < KEYFILE
 *       KEYFILE: the access key id on the first line, the secret on the second (never argv).
 *       Prints {"status", "message", "key_valid_ms", "attempts", "events": [...]} on stdout.
 * --cancel-after-ms runs the asynchronous API and cancels it from a timer after N ms.
 * AWS settings come from the environment as for the wizard (aws_config_load).
 * Exit status: cx_status_exit of the outcome. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "aws/client.h"
#include "aws/config.h"
#include "aws/http.h"
#include "certerox/certerox.h"
#include "core/answers.h"
#include "core/export.h"
#include "core/plan.h"
#include "run/discover.h"
#include "run/probe.h"
#include "util/json.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/secmem.h"
#include "util/str.h"
#include "vault/vault.h"

static int fail(enum cx_status st, const struct cx_err *err)
{
	char buf[1600];
	fprintf(stderr, "discotool: %s\n", cx_err_format(err, buf, sizeof(buf)));
	fprintf(stderr, "discotool: status %s\n", cx_status_name(st));
	return cx_status_exit(st);
}

static const char *phase_name(enum discover_phase ph)
{
	return ph == DISCOVER_STARTED ? "started" : ph == DISCOVER_DONE ? "done" : "failed";
}

static void on_discover_event(void *ud, const struct discover_event *ev)
{
	FILE *f = ud;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "phase", phase_name(ev->phase));
	cJSON_AddNumberToObject(o, "id", ev->id);
	cJSON_AddStringToObject(o, "service", ev->service);
	cJSON_AddStringToObject(o, "operation", ev->operation);
	cJSON_AddStringToObject(o, "label", ev->label);
	cJSON_AddStringToObject(o, "outcome", ev->outcome);
	cJSON_AddNumberToObject(o, "ms", (double)ev->ms);
	cJSON_AddNumberToObject(o, "t", (double)http_now_ms());
	cJSON_AddNumberToObject(o, "queued", ev->queued);
	if (ev->err)
		cJSON_AddStringToObject(o, "error", ev->err->msg);
	char *s = json_compact(o);
	fprintf(f, "%s\n", s);
	free(s);
	cJSON_Delete(o);
}

static const char *probe_phase_name(enum probe_phase ph)
{
	switch (ph) {
	case PROBE_WAITING:
		return "waiting";
	case PROBE_KEY_VALID:
		return "key_valid";
	case PROBE_CHECK_STARTED:
		return "check_started";
	case PROBE_CHECK_OK:
		return "check_ok";
	case PROBE_CHECK_RETRY:
		return "check_retry";
	case PROBE_CHECK_DENIED:
		return "check_denied";
	}
	return "?";
}

static void on_probe_event(void *ud, const struct probe_event *ev)
{
	cJSON *arr = ud;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "phase", probe_phase_name(ev->phase));
	cJSON_AddNumberToObject(o, "attempt", ev->attempt);
	cJSON_AddNumberToObject(o, "elapsed_ms", (double)ev->elapsed_ms);
	cJSON_AddStringToObject(o, "check", ev->check);
	cJSON_AddStringToObject(o, "detail", ev->detail);
	cJSON_AddStringToObject(o, "policy", ev->policy);
	cJSON_AddNumberToObject(o, "delay_ms", (double)ev->delay_ms);
	cJSON_AddItemToArray(arr, o);
}

struct env {
	struct aws_config cfg;
	struct http_ctx *ctx;
};

static enum cx_status env_open(struct env *e, struct cx_err *err)
{
	memset(e, 0, sizeof(*e));
	struct aws_config_opts o = {0};
	enum cx_status st = aws_config_load(&o, &e->cfg, err);
	if (st != CX_OK)
		return st;
	struct http_opts ho = {.ca_bundle = e->cfg.ca_bundle};
	e->ctx = http_ctx_new(&ho, err);
	return e->ctx ? CX_OK : (err->status ? err->status : CX_E_INTERNAL);
}

static void env_close(struct env *e)
{
	http_ctx_free(e->ctx);
	aws_config_free(&e->cfg);
}

struct async {
	bool done;
	struct discover *d;
	struct probe *p;
};

static void async_cancel(void *ud)
{
	struct async *x = ud;
	if (x->d)
		discover_cancel(x->d);
	if (x->p)
		probe_cancel(x->p);
}

static void async_discover_done(struct discover *d, void *ud)
{
	(void)d;
	((struct async *)ud)->done = true;
}

static enum cx_status discover_async(const struct answers *a, const struct discover_opts *o,
                                     long cancel_ms, struct plan_facts *f, struct strv *warn,
                                     struct cx_err *err)
{
	struct async x = {0};
	struct http_ctx *ctx = aws_client_ctx(o->aws);
	memset(f, 0, sizeof(*f));
	x.d = discover_start(a, o, async_discover_done, &x);
	unsigned long t = http_timer_add(ctx, cancel_ms, async_cancel, &x);
	http_ctx_run_until(ctx, &x.done);
	http_timer_cancel(ctx, t);
	enum cx_status st = discover_status(x.d, err);
	if (st == CX_OK)
		discover_take_facts(x.d, f);
	const struct strv *w = discover_warnings(x.d);
	for (size_t i = 0; i < w->n; i++)
		strv_push(warn, w->v[i]);
	discover_free(x.d);
	return st;
}

static void async_probe_done(struct probe *p, void *ud)
{
	(void)p;
	((struct async *)ud)->done = true;
}

/* {"<name>": [reasons CerteroX would give]} for every export (core/export acceptance). */
static int write_acceptance(const char *path, const struct plan_facts *f)
{
	cJSON *o = cJSON_CreateObject();
	for (size_t i = 0; i < f->nexports; i++) {
		struct strv r = STRV_INIT;
		if (f->exports[i].definition)
			export_accept(f->exports[i].definition, f->exports[i].legacy, NULL, &r);
		cJSON *a = cJSON_AddArrayToObject(o, f->exports[i].name ? f->exports[i].name : "");
		for (size_t k = 0; k < r.n; k++)
			cJSON_AddItemToArray(a, cJSON_CreateString(r.v[k]));
		strv_free(&r);
	}
	char *s = json_pretty(o);
	cJSON_Delete(o);
	FILE *fp = fopen(path, "w");
	int rc = fp && fputs(s, fp) >= 0 ? 0 : -1;
	if (fp && fclose(fp) != 0)
		rc = -1;
	free(s);
	return rc;
}

static int cmd_discover(int argc, char **argv)
{
	const char *answers_path = NULL, *vault_path = NULL, *pass_file = NULL, *events = NULL,
	           *accept_path = NULL;
	bool use_cx = false;
	int parallel = 0;
	long cancel_ms = 0;
	for (int i = 0; i < argc; i++) {
		if (str_eq(argv[i], "--certerox"))
			use_cx = true;
		else if (str_eq(argv[i], "--vault") && i + 1 < argc)
			vault_path = argv[++i];
		else if (str_eq(argv[i], "--passphrase-file") && i + 1 < argc)
			pass_file = argv[++i];
		else if (str_eq(argv[i], "--min-kdf"))
			vault_set_kdf_cap_for_testing(1, 8192);
		else if (str_eq(argv[i], "--acceptance") && i + 1 < argc)
			accept_path = argv[++i];
		else if (str_eq(argv[i], "--events") && i + 1 < argc)
			events = argv[++i];
		else if (str_eq(argv[i], "--parallel") && i + 1 < argc)
			parallel = atoi(argv[++i]);
		else if (str_eq(argv[i], "--cancel-after-ms") && i + 1 < argc)
			cancel_ms = atol(argv[++i]);
		else if (!answers_path)
			answers_path = argv[i];
		else
			return 64;
	}
	if (!answers_path)
		return 64;
	struct cx_err err;
	cx_err_clear(&err);
	struct answers a;
	answers_init(&a);
	enum cx_status st = answers_load_file(&a, answers_path, &err);
	if (st != CX_OK) {
		answers_free(&a);
		return fail(st, &err);
	}
	struct env e;
	struct certerox *cx = NULL;
	struct vault *v = NULL;
	FILE *ev = NULL;
	int rc = 0;
	if ((st = env_open(&e, &err)) != CX_OK) {
		rc = fail(st, &err);
		goto out;
	}
	if (use_cx) {
		cx =
		    certerox_new(e.ctx, getenv("CERTEROX_URL") ? getenv("CERTEROX_URL") : "", &err);
		if (!cx) {
			rc = fail(err.status, &err);
			goto out;
		}
		if (getenv("CERTEROX_TOKEN"))
			certerox_set_token(cx, getenv("CERTEROX_TOKEN"));
	}
	if (vault_path) {
		char *pass = NULL;
		if ((st = vault_read_passphrase_file(pass_file ? pass_file : "", &pass, &err)) !=
		    CX_OK) {
			rc = fail(st, &err);
			goto out;
		}
		st = vault_open(vault_path, pass, NULL, &v, &err);
		secmem_free(pass);
		if (st != CX_OK) {
			rc = fail(st, &err);
			goto out;
		}
	}
	if (events && !(ev = fopen(events, "w"))) {
		perror(events);
		rc = 74;
		goto out;
	}
	struct aws_client *c = aws_client_new(e.ctx, &e.cfg);
	struct discover_opts o = {.aws = c,
	                          .certerox = cx,
	                          .vault = v,
	                          .max_parallel = parallel,
	                          .progress = ev ? on_discover_event : NULL,
	                          .progress_ud = ev};
	struct plan_facts f;
	struct strv warn = STRV_INIT;
	if (cancel_ms > 0) /* the asynchronous API, cancelled from a timer */
		st = discover_async(&a, &o, cancel_ms, &f, &warn, &err);
	else
		st = discover_run(&a, &o, &f, &warn, &err);
	for (size_t i = 0; i < warn.n; i++)
		fprintf(stderr, "warning: %s\n", warn.v[i]);
	strv_free(&warn);
	aws_client_free(c);
	if (st != CX_OK) {
		rc = fail(st, &err);
		goto out;
	}
	cJSON *j = discover_facts_to_json(&f);
	char *text = json_pretty(j);
	/* round trip through the plan's reader */
	struct plan_facts g;
	if (plan_facts_from_json(&g, j, &err) != CX_OK) {
		rc = fail(CX_E_INTERNAL, &err);
	} else {
		cJSON *j2 = discover_facts_to_json(&g);
		char *t2 = json_pretty(j2);
		if (!str_eq(text, t2)) {
			fprintf(stderr, "discotool: facts JSON does not round-trip:\n%s", t2);
			rc = 70;
		}
		free(t2);
		cJSON_Delete(j2);
	}
	plan_facts_free(&g);
	if (accept_path && write_acceptance(accept_path, &f) != 0)
		rc = 74;
	fputs(text, stdout);
	free(text);
	cJSON_Delete(j);
	plan_facts_free(&f);
out:
	if (ev)
		fclose(ev);
	vault_close(v);
	certerox_free(cx);
	env_close(&e);
	answers_free(&a);
	return rc;
}

static char *read_line(FILE *f, bool secret)
{
	char buf[512];
	if (!fgets(buf, sizeof(buf), f))
		return NULL;
	buf[strcspn(buf, "\r\n")] = '\0';
	char *r = secret ? secmem_strdup(buf) : xstrdup(buf);
	secmem_wipe(buf, sizeof(buf));
	return r;
}

static int cmd_probe(int argc, char **argv)
{
	struct probe_opts o = {0};
	long cancel_ms = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (str_eq(a, "--legacy")) {
			o.legacy = true;
			continue;
		}
		if (str_eq(a, "--linked")) {
			o.linked = true;
			continue;
		}
		if (!v)
			return 64;
		i++;
		if (str_eq(a, "--bucket"))
			o.bucket = v;
		else if (str_eq(a, "--prefix"))
			o.prefix = v;
		else if (str_eq(a, "--region"))
			o.bucket_region = v;
		else if (str_eq(a, "--user"))
			o.user = v;
		else if (str_eq(a, "--account"))
			o.account_id = v;
		else if (str_eq(a, "--wait-max-ms"))
			o.wait_max_ms = atol(v);
		else if (str_eq(a, "--denied-retry-ms"))
			o.denied_retry_ms = atol(v);
		else if (str_eq(a, "--cancel-after-ms"))
			cancel_ms = atol(v);
		else if (str_eq(a, "--poll-fast-ms"))
			o.poll_fast_ms = atol(v);
		else if (str_eq(a, "--readonly-policy"))
			o.readonly_policy = v;
		else if (str_eq(a, "--discover-policy"))
			o.discover_policy = v;
		else
			return 64;
	}
	char *akid = read_line(stdin, false);
	char *secret = read_line(stdin, true);
	if (!akid || !secret) {
		fputs("discotool: probe reads the key id and the secret from stdin\n", stderr);
		free(akid);
		secmem_free(secret);
		return 64;
	}
	log_redact_add(secret);
	o.access_key_id = akid;
	o.secret_access_key = secret;
	struct cx_err err;
	cx_err_clear(&err);
	struct env e;
	enum cx_status st = env_open(&e, &err);
	if (st != CX_OK) {
		free(akid);
		secmem_free(secret);
		return fail(st, &err);
	}
	cJSON *events = cJSON_CreateArray();
	o.progress = on_probe_event;
	o.progress_ud = events;
	long valid_ms = -1;
	if (cancel_ms > 0) {
		struct async x = {0};
		x.p = probe_start(e.ctx, &e.cfg, &o, async_probe_done, &x);
		unsigned long t = http_timer_add(e.ctx, cancel_ms, async_cancel, &x);
		http_ctx_run_until(e.ctx, &x.done);
		http_timer_cancel(e.ctx, t);
		st = probe_status(x.p, &err);
		valid_ms = probe_key_valid_ms(x.p);
		probe_free(x.p);
	} else {
		st = probe_run(e.ctx, &e.cfg, &o, &valid_ms, &err);
	}
	secmem_free(secret);
	cJSON *out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "status", cx_status_name(st));
	cJSON_AddStringToObject(out, "message", st == CX_OK ? "" : err.msg);
	cJSON_AddStringToObject(out, "code", err.code);
	cJSON_AddNumberToObject(out, "key_valid_ms", (double)valid_ms);
	int attempts = 0;
	for (const cJSON *x = events->child; x; x = x->next)
		if (str_eq(json_str(x, "phase"), "waiting") ||
		    str_eq(json_str(x, "phase"), "key_valid"))
			attempts++;
	cJSON_AddNumberToObject(out, "attempts", attempts);
	cJSON_AddItemToObject(out, "events", events);
	char *text = json_pretty(out);
	fputs(text, stdout);
	free(text);
	cJSON_Delete(out);
	env_close(&e);
	free(akid);
	return cx_status_exit(st);
}

int main(int argc, char **argv)
{
	if (secmem_init() < 0)
		return 70;
	int i = 1;
	if (i + 1 < argc && str_eq(argv[i], "--log")) {
		if (log_open(argv[i + 1], LOG_DEBUG) < 0) {
			perror(argv[i + 1]);
			return 74;
		}
		i += 2;
	}
	if (i >= argc) {
		fputs("usage: discotool [--log FILE] discover ANSWERS [...] | probe [...] < "
		      "KEYFILE\n",
		      stderr);
		return 64;
	}
	int rc;
	if (str_eq(argv[i], "discover"))
		rc = cmd_discover(argc - i - 1, argv + i + 1);
	else if (str_eq(argv[i], "probe"))
		rc = cmd_probe(argc - i - 1, argv + i + 1);
	else
		rc = 64;
	log_close();
	return rc;
}
