/* org.c - `--batch` of the `organization` action: answers, session, vault, run/org, the JSON
 * summary on stdout, progress on stderr. */
#include "batch/org.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/answers.h"
#include "core/organs.h"
#include "options.h"
#include "run/org.h"
#include "run/session.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/secmem.h"
#include "util/status.h"
#include "vault/vault.h"

static int fail(const char *what, const struct cx_err *err, int code)
{
	char buf[1400];
	fprintf(stderr, "certerox-aws-setup: %s%s%s\n", what ? what : "", what ? ": " : "",
	        cx_err_format(err, buf, sizeof(buf)));
	return code;
}

bool batch_org_wanted(const struct cx_options *o)
{
	if (!o->answers_file)
		return false;
	struct answers a;
	struct cx_err err;
	cx_err_clear(&err);
	answers_init(&a);
	bool yes = answers_load_file(&a, o->answers_file, &err) == CX_OK &&
	           a.action == ANSWERS_ORGANIZATION;
	answers_free(&a);
	return yes;
}

static void on_line(void *ud, const char *l)
{
	(void)ud;
	fprintf(stderr, "%s\n", l);
}

/* --dry-run: the plan per account from reads only (run/org_scan.c); no vault. */
static int dry_run(const struct cx_options *o, const struct answers *a,
                   const struct org_answers *oa)
{
	struct cx_err err;
	cx_err_clear(&err);
	if (o->format != FORMAT_DEFAULT && o->format != FORMAT_JSON) {
		fputs("certerox-aws-setup: --dry-run of action organization prints JSON only "
		      "(--format json)\n",
		      stderr);
		return CX_EXIT_USAGE;
	}
	struct session_opts so = {
	    .profile = o->profile,
	    .region = o->region,
	    .endpoint_url = o->endpoint_url,
	    .ca_bundle = o->ca_bundle,
	    .certerox_url = a->certerox.url,
	    .certerox_token_file = o->certerox_token_file,
	    .certerox_org = a->certerox.organization_id,
	    .certerox_required = true,
	};
	struct session s;
	memset(&s, 0, sizeof(s));
	enum cx_status st = session_open(&s, &so, &err);
	cJSON *plan = NULL;
	if (st == CX_OK)
		st = org_dry_run(&s, oa, &plan, &err);
	session_close(&s);
	if (st != CX_OK)
		return fail(NULL, &err, session_exit_status(st, false));
	char *text = json_pretty(plan);
	fputs(text, stdout);
	if (*text && text[strlen(text) - 1] != '\n')
		putchar('\n');
	free(text);
	cJSON_Delete(plan);
	return CX_EXIT_OK;
}

int batch_org_apply(const struct cx_options *o)
{
	struct cx_err err;
	cx_err_clear(&err);
	struct answers a;
	answers_init(&a);
	struct org_answers oa;
	memset(&oa, 0, sizeof(oa));
	struct session s;
	memset(&s, 0, sizeof(s));
	struct vault *vault = NULL;
	char *pass = NULL;
	char *vpath = NULL;
	bool have_session = false;
	int rc = 0;
	if (answers_load_file(&a, o->answers_file, &err) != CX_OK) {
		rc = fail(NULL, &err, CX_EXIT_DATAERR);
		goto out;
	}
	answers_override(&a, o->certerox_url, o->certerox_org);
	if (org_answers_parse(a.organization, &oa, &err) != CX_OK) {
		rc = fail(o->answers_file, &err, CX_EXIT_DATAERR);
		goto out;
	}
	if (o->dry_run) {
		rc = dry_run(o, &a, &oa);
		goto out;
	}
	vpath = o->vault_file ? xstrdup(o->vault_file) : vault_default_path();
	bool exists = access(vpath, F_OK) == 0;
	enum cx_status st;
	if (o->passphrase_file)
		st = vault_read_passphrase_file(o->passphrase_file, &pass, &err);
	else
		st = vault_prompt_passphrase(
		    exists ? "Vault passphrase: " : "New vault passphrase: ", !exists, &pass, &err);
	if (st != CX_OK) {
		rc = fail("vault passphrase", &err, session_exit_status(st, false));
		goto out;
	}
	struct session_opts so = {
	    .profile = o->profile,
	    .region = o->region,
	    .endpoint_url = o->endpoint_url,
	    .ca_bundle = o->ca_bundle,
	    .certerox_url = a.certerox.url,
	    .certerox_token_file = o->certerox_token_file,
	    .certerox_org = a.certerox.organization_id,
	    .certerox_required = true,
	};
	st = session_open(&s, &so, &err);
	have_session = true;
	if (st != CX_OK) {
		rc = fail(NULL, &err, session_exit_status(st, false));
		goto out;
	}
	st = vault_open(vpath, pass, o->vault_kdf ? o->vault_kdf : "moderate", &vault, &err);
	secmem_free(pass);
	pass = NULL;
	if (st != CX_OK) {
		rc = fail(NULL, &err,
		          st == CX_E_LOCKED ? CX_EXIT_TEMPFAIL : session_exit_status(st, false));
		goto out;
	}
	vault_prepare_save(vault);
	struct org_env env = {
	    .s = &s,
	    .vault = vault,
	    .answers = &oa,
	    .key_wait_ms = 60000,
	    .yes = o->yes,
	    .on_line = on_line,
	};
	const char *kw = getenv("CX_KEY_WAIT_MS");
	if (kw)
		env.key_wait_ms = atol(kw);
	cJSON *sum = NULL;
	int left = 0;
	st = org_run(&env, &sum, &left, &err);
	if (sum) {
		char *text = json_pretty(sum);
		fputs(text, stdout);
		free(text);
		cJSON_Delete(sum);
	}
	if (st == CX_OK) {
		rc = CX_EXIT_OK;
	} else if (left) {
		rc = fail(NULL, &err, CX_EXIT_TEMPFAIL);
		fputs("certerox-aws-setup: run the same command again to continue\n", stderr);
	} else {
		rc = fail(NULL, &err, session_exit_status(st, false));
	}
out:
	secmem_free(pass);
	vault_close(vault);
	free(vpath);
	if (have_session)
		session_close(&s);
	org_answers_free(&oa);
	answers_free(&a);
	return rc;
}
