/* status.c - `--status` front end. */
#include "batch/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run/session.h"
#include "run/status.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/secmem.h"
#include "util/status.h"
#include "vault/vault.h"

#define PROG "certerox-aws-setup"

static int fail(const char *what, const struct cx_err *err, int code)
{
	char buf[1400];
	fprintf(stderr, PROG ": %s%s%s\n", what ? what : "", what ? ": " : "",
	        cx_err_format(err, buf, sizeof(buf)));
	return code;
}

/* Begins opening the vault (its lock taken; the key derivation is started by the caller), when
 * it exists and --passphrase-file is given; *out NULL otherwise (with a note). */
static int open_vault(const struct cx_options *o, struct vault_opening **out)
{
	*out = NULL;
	char *path = o->vault_file ? xstrdup(o->vault_file) : vault_default_path();
	int rc = 0;
	struct cx_err err;
	cx_err_clear(&err);
	if (access(path, F_OK) != 0) {
		fprintf(stderr,
		        PROG ": no vault at %s: key_not_in_vault and the key check are not "
		             "done\n",
		        path);
	} else if (!o->passphrase_file) {
		fprintf(stderr,
		        PROG ": the vault %s is not opened without --passphrase-file: "
		             "key_not_in_vault and the key check are not done\n",
		        path);
	} else {
		char *pass = NULL;
		enum cx_status st = vault_read_passphrase_file(o->passphrase_file, &pass, &err);
		if (st == CX_OK) {
			cx_err_clear(&err);
			st = vault_open_begin(path, pass, NULL, VAULT_LOCK_WAIT_DEFAULT, out, &err);
		}
		secmem_free(pass);
		if (st != CX_OK)
			rc = fail(path, &err, session_exit_status(st, false));
	}
	free(path);
	return rc;
}

/* The vault's key derivation runs in a worker thread while the checks read; a timer looks
 * for its end and hands the vault over (the key checks wait for it). */
struct vault_wait {
	struct http_ctx *ctx;
	struct vault_opening *vo;
	struct status_run *r;
	struct vault *v;
	enum cx_status st;
	struct cx_err err;
	bool done;
};

static void vault_poll(void *ud)
{
	struct vault_wait *vw = ud;
	if (!vault_open_ready(vw->vo)) {
		http_timer_add(vw->ctx, 10, vault_poll, vw);
		return;
	}
	vw->st = vault_open_finish(vw->vo, &vw->v, &vw->err);
	vw->vo = NULL;
	vw->done = true;
	status_set_vault(vw->r, vw->st == CX_OK ? vw->v : NULL);
}

static void run_done(struct status_run *r, void *ud)
{
	(void)r;
	*(bool *)ud = true;
}

int batch_status(const struct cx_options *o)
{
	struct session s;
	struct cx_err err;
	cx_err_clear(&err);
	struct session_opts so = {
	    .profile = o->profile,
	    .region = o->region,
	    .endpoint_url = o->endpoint_url,
	    .ca_bundle = o->ca_bundle,
	    .certerox_url = o->certerox_url,
	    .certerox_token_file = o->certerox_token_file,
	    .certerox_org = o->certerox_org,
	    .certerox_required = true,
	    /* every data source's reads at once: 20 data sources take ~160 requests */
	    .max_parallel = 64,
	};
	if (!o->certerox_url) {
		cx_err_set(&err, CX_E_USAGE,
		           "--status needs CerteroX: --certerox-url URL or CERTEROX_URL");
		return fail(NULL, &err, CX_EXIT_USAGE);
	}
	enum cx_status st = session_open(&s, &so, &err);
	if (st != CX_OK) {
		session_close(&s);
		return fail(NULL, &err, session_exit_status(st, false));
	}
	struct vault_wait vw;
	memset(&vw, 0, sizeof(vw));
	cx_err_clear(&vw.err);
	int rc = open_vault(o, &vw.vo);
	if (rc) {
		session_close(&s);
		return rc;
	}
	struct status_opts sto = {
	    .session = &s, .vault_pending = vw.vo != NULL, .data_source = o->data_source};
	const char *now = getenv("CX_TEST_NOW"); /* test-only: the clock for key ages */
	if (now && atoll(now) > 0)
		sto.now = (time_t)atoll(now);
	bool done = false;
	struct status_run *r = status_start(&sto, run_done, &done);
	vw.ctx = s.http;
	vw.r = r;
	if (vw.vo) {
		vault_open_derive(vw.vo);
		http_timer_add(s.http, 10, vault_poll, &vw);
	}
	http_ctx_run_until(s.http, &done);
	if (vw.vo) { /* the run ended first (an error): the vault is not needed any more */
		vw.st = vault_open_finish(vw.vo, &vw.v, &vw.err);
		vw.vo = NULL;
	}
	st = status_result(r, &err);
	if (vw.st != CX_OK) {
		rc = fail("vault", &vw.err, session_exit_status(vw.st, false));
	} else if (st != CX_OK) {
		rc = fail("--status", &err,
		          st == CX_E_INPUT ? CX_EXIT_DATAERR : session_exit_status(st, false));
	} else {
		if (o->format == FORMAT_JSON) {
			cJSON *j = status_to_json(r);
			char *txt = json_pretty(j);
			fputs(txt, stdout);
			fputc('\n', stdout);
			free(txt);
			cJSON_Delete(j);
		} else {
			if (status_count(r) == 0)
				fputs("No AWS data source in the organization.\n", stdout);
			status_print_text(r, stdout, o->ascii);
		}
		rc = status_problem_count(r) ? CX_EXIT_PROBLEMS : CX_EXIT_OK;
		if (fflush(stdout) != 0)
			rc = cx_status_exit(CX_E_IO);
	}
	status_free(r);
	vault_close(vw.v);
	session_close(&s);
	return rc;
}
