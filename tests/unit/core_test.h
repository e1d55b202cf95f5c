/* core_test.h - helpers shared by the tests of src/core: goldens and fixtures.
 * Goldens live in $top_srcdir/tests/unit/golden/NAME.golden; they are rewritten only when
 * GENERATE=1 is set, otherwise compared byte for byte (a mismatch prints a unified diff
 * and leaves the actual output in $TMPDIR). */
#ifndef CX_TESTS_CORE_TEST_H
#define CX_TESTS_CORE_TEST_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/diff.h"
#include "util/mem.h"
#include "util/paths.h"

static inline const char *ct_srcdir(void)
{
	const char *s = getenv("top_srcdir");
	return s && *s ? s : ".";
}

static inline char *ct_read(const char *rel)
{
	char *path = xasprintf("%s/%s", ct_srcdir(), rel);
	char *t = paths_read_file(path, 4 * 1024 * 1024, NULL);
	if (!t)
		ck_abort_msg("cannot read %s", path);
	free(path);
	return t;
}

static inline void ct_golden(const char *name, const char *actual)
{
	char *path = xasprintf("%s/tests/unit/golden/%s.golden", ct_srcdir(), name);
	const char *gen = getenv("GENERATE");
	if (gen && strcmp(gen, "1") == 0) {
		FILE *f = fopen(path, "wb");
		ck_assert_msg(f != NULL, "cannot write %s", path);
		fputs(actual, f);
		fclose(f);
		free(path);
		return;
	}
	char *want = paths_read_file(path, 4 * 1024 * 1024, NULL);
	if (!want)
		ck_abort_msg("golden %s missing (run with GENERATE=1 to create it)", path);
	if (strcmp(want, actual) != 0) {
		char *d = diff_unified(want, actual, "golden", "actual");
		const char *tmp = getenv("TMPDIR");
		char *out = xasprintf("%s/%s.actual", tmp && *tmp ? tmp : "/tmp", name);
		FILE *f = fopen(out, "wb");
		if (f) {
			fputs(actual, f);
			fclose(f);
		}
		fprintf(stderr, "golden %s differs (actual in %s):\n%s", name, out, d);
		free(d);
		free(out);
		free(want);
		ck_abort_msg("golden %s differs", name);
	}
	free(want);
	free(path);
}

#endif
