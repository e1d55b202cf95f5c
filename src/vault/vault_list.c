/* vault_list.c - `--list`: the saved records as a table or JSON, secrets never printed. */
#include "vault/vault_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *or_dash(const char *s)
{
	return empty(s) ? "-" : s;
}

static void put_cell(FILE *f, const char *s, size_t width, bool last)
{
	if (last)
		fprintf(f, "%s\n", s);
	else
		fprintf(f, "%-*s  ", (int)width, s);
}

void vault_list_print(const struct vault *v, FILE *f, enum vault_format fmt)
{
	size_t n = vault_count(v);
	if (fmt == VAULT_FORMAT_JSON) {
		cJSON *arr = cJSON_CreateArray();
		for (size_t i = 0; i < n; i++) {
			const struct vault_record *r = vault_get(v, i);
			cJSON *o = vi_record_to_json(r, false);
			cJSON_AddBoolToObject(o, "pending", vault_record_pending(r));
			cJSON_AddStringToObject(o, "state", vault_record_state(r));
			cJSON_AddItemToArray(arr, o);
		}
		char *s = json_pretty(arr);
		fputs(s, f);
		free(s);
		cJSON_Delete(arr);
		return;
	}
	const char *hdr[] = {"NAME",     "DATA SOURCE", "ACCOUNT", "CONNECTION", "EXPORT",
	                     "IAM USER", "ACCESS KEY",  "STATE",   "UPDATED"};
	enum { NCOL = 9 };
	size_t w[NCOL];
	for (int c = 0; c < NCOL; c++)
		w[c] = strlen(hdr[c]);
	char *cells[NCOL];
	/* two passes: widths, then lines */
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1) {
			for (int c = 0; c < NCOL; c++)
				put_cell(f, hdr[c], w[c], c == NCOL - 1);
		}
		for (size_t i = 0; i < n; i++) {
			const struct vault_record *r = vault_get(v, i);
			cells[0] = xstrdup(or_dash(r->name));
			cells[1] = xstrdup(vault_record_pending(r) ? "(pending)"
			                                           : or_dash(r->data_source_id));
			cells[2] = xstrdup(or_dash(r->aws_account_id));
			cells[3] = xstrdup(or_dash(r->connection));
			if (empty(r->export.type) && empty(r->export.name))
				cells[4] = xstrdup("-");
			else
				cells[4] = xasprintf("%s %s", or_dash(r->export.type),
				                     or_dash(r->export.name));
			cells[5] = xstrdup(or_dash(r->iam_user));
			cells[6] = xstrdup(or_dash(r->access_key_id));
			cells[7] = xstrdup(vault_record_state(r));
			cells[8] = xstrdup(or_dash(r->updated_at));
			for (int c = 0; c < NCOL; c++) {
				char *p = str_printable(cells[c], 200);
				free(cells[c]);
				cells[c] = p;
				if (pass == 0 && strlen(p) > w[c])
					w[c] = strlen(p);
				if (pass == 1)
					put_cell(f, p, w[c], c == NCOL - 1);
				free(cells[c]);
			}
		}
	}
}
