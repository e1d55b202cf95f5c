/* libFuzzer target: the bucket-policy merge of arbitrary existing policies. Invariants: a
 * valid policy object merges; every other statement is kept unchanged and in order; a
 * second merge of the result changes nothing. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/policy.h"
#include "util/json.h"
#include "util/str.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static cJSON *statement;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!statement) {
		statement = policy_bucket_statement("acme-billing", "123456789012", NULL);
		if (!statement)
			abort();
	}
	if (size > 64 * 1024)
		return 0;
	char *text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	struct policy_merge m;
	struct cx_err err;
	enum cx_status st = policy_merge_bucket(text, statement, "acme-billing", &m, &err);
	if (st == CX_OK || m.document) {
		cJSON *old = json_parse(text, strlen(text), NULL);
		const cJSON *os = old ? cJSON_GetObjectItemCaseSensitive(old, "Statement") : NULL;
		const cJSON *ns = cJSON_GetObjectItemCaseSensitive(m.document, "Statement");
		if (cJSON_IsArray(os)) {
			const cJSON *y = ns ? ns->child : NULL;
			for (const cJSON *x = os->child; x; x = x->next, y = y ? y->next : NULL) {
				if (!y)
					abort();
				if (str_eq(json_str(x, "Sid"), POLICY_BUCKET_SID))
					continue;
				/* byte-identical serialisation (cJSON_Compare is not reflexive for
				 * objects with duplicate keys) */
				char *cx = json_compact(x), *cy = json_compact(y);
				if (strcmp(cx, cy) != 0)
					abort();
				free(cx);
				free(cy);
			}
		}
		if (st == CX_OK) {
			struct policy_merge m2;
			if (policy_merge_bucket(m.new_text, statement, "acme-billing", &m2, &err) !=
			        CX_OK ||
			    m2.changed)
				abort();
			policy_merge_free(&m2);
		}
		cJSON_Delete(old);
	}
	policy_merge_free(&m);
	free(text);
	return 0;
}
