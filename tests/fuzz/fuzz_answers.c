/* libFuzzer target: the answers loader (answers_load_text, then validate_answers and a
 * save/load round trip, which must succeed and be stable). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/answers.h"
#include "core/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct answers a;
	struct cx_err err;
	answers_init(&a);
	if (answers_load_text(&a, (const char *)data, size, &err) == CX_OK) {
		struct strv w = STRV_INIT;
		(void)validate_answers(&a, &w, &err);
		strv_free(&w);
		char *t = answers_to_text(&a);
		struct answers b;
		answers_init(&b);
		if (answers_load_text(&b, t, strlen(t), &err) != CX_OK)
			abort();
		char *t2 = answers_to_text(&b);
		if (strcmp(t, t2) != 0)
			abort();
		free(t2);
		free(t);
		answers_free(&b);
	}
	answers_free(&a);
	return 0;
}
