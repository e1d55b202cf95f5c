/* status.c - `--status` front end. */
#include "batch/status.h"

#include <stdio.h>
#include <stdlib.h>
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

/* The vault, when it exists and --passphrase-file is given; NULL otherwise (with a note). */
static int open_vault(const struct cx_options *o, struct vault **out)
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
			st = vault_open(path, pass, NULL, out, &err);
		}
		secmem_free(pass);
		if (st != CX_OK)
			rc = fail(path, &err, session_exit_status(st, false));
	}
	free(path);
	return rc;
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
	struct vault *v = NULL;
	int rc = open_vault(o, &v);
	if (rc) {
		session_close(&s);
		return rc;
	}
	struct status_opts sto = {.session = &s, .vault = v, .data_source = o->data_source};
	const char *now = getenv("CX_TEST_NOW"); /* test-only: the clock for key ages */
	if (now && atoll(now) > 0)
		sto.now = (time_t)atoll(now);
	struct status_run *r = status_run_sync(&sto);
	st = status_result(r, &err);
	if (st != CX_OK) {
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
	vault_close(v);
	session_close(&s);
	return rc;
}
