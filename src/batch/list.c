/* list.c - `--list`. */
#include "batch/list.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "util/err.h"
#include "util/mem.h"
#include "util/secmem.h"
#include "util/status.h"
#include "vault/vault.h"

#define PROG "certerox-aws-setup"

int batch_list(const struct cx_options *o)
{
	enum vault_format fmt = o->format == FORMAT_JSON ? VAULT_FORMAT_JSON : VAULT_FORMAT_TABLE;
	char *path = o->vault_file ? xstrdup(o->vault_file) : vault_default_path();
	char *pass = NULL;
	struct vault *v = NULL;
	struct cx_err err;
	enum cx_status st = CX_OK;
	cx_err_clear(&err);
	struct stat sb;
	if (stat(path, &sb) != 0) {
		fprintf(stderr, PROG ": no vault at %s: nothing saved yet\n", path);
		vault_list_print(NULL, stdout, fmt);
		goto out;
	}
	if (o->passphrase_file) {
		st = vault_read_passphrase_file(o->passphrase_file, &pass, &err);
		if (st == CX_OK && err.msg[0])
			fprintf(stderr, PROG ": %s\n", err.msg);
	} else {
		st = vault_prompt_passphrase("Vault passphrase: ", false, &pass, &err);
	}
	if (st) {
		if (st == CX_E_USAGE)
			fprintf(stderr, PROG
			        ": --list needs the vault passphrase: no terminal to ask on and "
			        "no --passphrase-file FILE\n");
		else
			fprintf(stderr, PROG ": %s\n", err.msg);
		goto out;
	}
	cx_err_clear(&err);
	st = vault_open(path, pass, NULL, &v, &err);
	if (st) {
		fprintf(stderr, PROG ": %s\n", err.msg[0] ? err.msg : cx_status_msg(st));
		goto out;
	}
	vault_list_print(v, stdout, fmt);
	if (fflush(stdout) != 0)
		st = CX_E_IO;
out:
	vault_close(v);
	secmem_free(pass);
	free(path);
	return cx_status_exit(st);
}
