/* fuzz_vault - vault_open over random files with a fixed passphrase. Argon2id is capped at
 * 1 pass and 8 KiB (vault_set_kdf_cap_for_testing) so a file with valid-looking limits still
 * derives a key quickly; the seed corpus (tests/fuzz/corpus/vault) holds vaults written with
 * those limits and the passphrase below. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/err.h"
#include "util/secmem.h"
#include "vault/vault.h"

#define PASSPHRASE "fuzz passphrase"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *dir;
static char *path;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!path) {
		secmem_init();
		vault_set_kdf_cap_for_testing(1, 8192);
		char tmpl[] = "/tmp/fuzz_vault.XXXXXX";
		const char *d = mkdtemp(tmpl);
		if (!d)
			abort();
		dir = strdup(d);
		size_t n = strlen(dir) + 32;
		path = malloc(n);
		snprintf(path, n, "%s/v.vault", dir);
	}
	FILE *f = fopen(path, "wb");
	if (!f)
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
	struct vault *v = NULL;
	struct cx_err err;
	cx_err_clear(&err);
	enum cx_status st = vault_open_wait(path, PASSPHRASE, NULL, 0, &v, &err);
	if (st == CX_OK) {
		/* exercise the readers and the printer too */
		for (size_t i = 0; i < vault_count(v); i++)
			(void)vault_find_user(v, vault_get(v, i)->aws_account_id,
			                      vault_get(v, i)->iam_user);
		FILE *null = fopen("/dev/null", "w");
		if (null) {
			vault_list_print(v, null, VAULT_FORMAT_TABLE);
			vault_list_print(v, null, VAULT_FORMAT_JSON);
			fclose(null);
		}
		vault_close(v);
	} else if (v || !err.msg[0]) {
		abort(); /* a failure must leave no vault and must say why */
	}
	return 0;
}
