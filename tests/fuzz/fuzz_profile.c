/* libFuzzer target: the AWS shared config/credentials file parser (aws_ini_parse). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/config.h"
#include "util/secmem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int inited;
	if (!inited) {
		if (secmem_init() < 0)
			abort();
		inited = 1;
	}
	struct cx_err err;
	struct aws_ini *ini = aws_ini_parse((const char *)data, size, "fuzz", &err);
	if (!ini) {
		if (err.status != CX_E_INPUT || strncmp(err.msg, "fuzz:", 5) != 0)
			abort(); /* every parse error names file:line */
		return 0;
	}
	static const char *const sections[] = {"default", "profile default", "profile prod", "prod",
	                                       "a"};
	static const char *const keys[] = {"region",
	                                   "aws_access_key_id",
	                                   "aws_secret_access_key",
	                                   "credential_process",
	                                   "s3",
	                                   "s3.addressing_style",
	                                   "k"};
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		for (size_t j = 0; j < sizeof(keys) / sizeof(keys[0]); j++) {
			const char *v = aws_ini_get(ini, sections[i], keys[j]);
			if (v && strlen(v) > size)
				abort(); /* a value is never longer than the input */
		}
	}
	aws_ini_free(ini);
	return 0;
}
