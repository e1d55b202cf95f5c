/* vaulttool - writes and holds vaults through the real library, for the integration tests.
 *
 *   vaulttool [--min-kdf] [--kdf LEVEL] put VAULT PASSFILE < record.json
 *       upserts one record (the fields of struct vault_record as JSON) and saves
 *   vaulttool [--min-kdf] hold VAULT PASSFILE SECONDS
 *       opens the vault, prints "locked" and keeps it open for SECONDS
 *   vaulttool [--min-kdf] count VAULT PASSFILE
 *       prints the number of records
 * --min-kdf caps Argon2id at 1 pass and 8 KiB (fast seed files for the fuzzer).
 * Exit status: that of the failing call (cx_status_exit), 0 on success. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "util/buf.h"
#include "util/json.h"
#include "util/secmem.h"
#include "util/str.h"
#include "vault/vault.h"

static char *field(const cJSON *o, const char *k)
{
	return (char *)json_str(o, k);
}

static int fail(enum cx_status st, const struct cx_err *err)
{
	fprintf(stderr, "vaulttool: %s\n", err->msg[0] ? err->msg : cx_status_msg(st));
	return cx_status_exit(st);
}

int main(int argc, char **argv)
{
	const char *level = "interactive";
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (str_eq(argv[i], "--min-kdf"))
			vault_set_kdf_cap_for_testing(1, 8192);
		else if (str_eq(argv[i], "--kdf") && i + 1 < argc)
			level = argv[++i];
		else
			break;
	}
	if (argc - i < 3) {
		fputs("usage: vaulttool [--min-kdf] [--kdf LEVEL] put|hold|count VAULT PASSFILE "
		      "[SECONDS]\n",
		      stderr);
		return 64;
	}
	if (secmem_init() < 0)
		return 70;
	const char *cmd = argv[i], *path = argv[i + 1], *passfile = argv[i + 2];
	struct cx_err err;
	cx_err_clear(&err);
	char *pass = NULL;
	enum cx_status st = vault_read_passphrase_file(passfile, &pass, &err);
	if (st)
		return fail(st, &err);
	struct vault *v = NULL;
	st = vault_open(path, pass, str_eq(cmd, "put") ? level : NULL, &v, &err);
	secmem_free(pass);
	if (st)
		return fail(st, &err);
	int rc = 0;
	if (str_eq(cmd, "put")) {
		struct buf in = BUF_INIT;
		char chunk[4096];
		size_t r;
		while ((r = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
			buf_append(&in, chunk, r);
		cJSON *o = json_parse(buf_str(&in), in.len, &err);
		secmem_wipe(in.data, in.len);
		buf_free(&in);
		if (!o) {
			vault_close(v);
			return fail(CX_E_INPUT, &err);
		}
		struct vault_record rec = {0};
		rec.name = field(o, "name");
		rec.certerox_url = field(o, "certerox_url");
		rec.organization_id = field(o, "organization_id");
		rec.data_source_id = field(o, "data_source_id");
		rec.aws_account_id = field(o, "aws_account_id");
		rec.connection = field(o, "connection");
		const cJSON *x = json_obj(o, "export");
		rec.export.type = field(x, "type");
		rec.export.name = field(x, "name");
		rec.export.bucket = field(x, "bucket");
		rec.export.prefix = field(x, "prefix");
		rec.export.region = field(x, "region");
		rec.export.arn = field(x, "arn");
		rec.iam_user = field(o, "iam_user");
		rec.access_key_id = field(o, "access_key_id");
		rec.secret_access_key = field(o, "secret_access_key");
		struct vault_event ev[16];
		const cJSON *h = json_arr(o, "history"), *e;
		cJSON_ArrayForEach(e, h)
		{
			if (rec.nhistory == 16)
				break;
			ev[rec.nhistory].at = field(e, "at");
			ev[rec.nhistory].event = field(e, "event");
			ev[rec.nhistory].detail = field(e, "detail");
			rec.nhistory++;
		}
		rec.history = ev;
		st = vault_upsert_user(v, &rec, &err);
		if (!st)
			st = vault_save(v, &err);
		const char *sec = json_str(o, "secret_access_key");
		if (sec)
			secmem_wipe((char *)sec, strlen(sec));
		cJSON_Delete(o);
		if (st)
			rc = fail(st, &err);
	} else if (str_eq(cmd, "hold") && argc - i >= 4) {
		printf("locked\n");
		fflush(stdout);
		sleep((unsigned)atoi(argv[i + 3]));
	} else if (str_eq(cmd, "count")) {
		printf("%zu\n", vault_count(v));
	} else {
		fprintf(stderr, "vaulttool: unknown command %s\n", cmd);
		rc = 64;
	}
	vault_close(v);
	return rc;
}
