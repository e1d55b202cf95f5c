/* Unit tests of src/run/journal: modes, append/find, torn lines, policy backups. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run/journal.h"
#include "run/summary_text.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/paths.h"

static char *tmpdir(void)
{
	char tmpl[] = "/tmp/cx-journal-XXXXXX";
	char *d = mkdtemp(tmpl);
	ck_assert_ptr_nonnull(d);
	return xasprintf("%s/state", d);
}

static mode_t mode_of(const char *p)
{
	struct stat st;
	ck_assert_int_eq(stat(p, &st), 0);
	return st.st_mode & 07777;
}

START_TEST(journal_modes_and_entries)
{
	umask(0);
	char *dir = tmpdir();
	struct journal *j;
	struct cx_err e;
	ck_assert_int_eq(journal_open(dir, "123456789012", &j, &e), CX_OK);
	ck_assert_uint_eq(mode_of(dir), 0700);
	ck_assert_uint_eq(mode_of(journal_path(j)), 0600);
	cJSON *d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "user", "u1");
	ck_assert_int_eq(journal_append(j, "created_user", d, &e), CX_OK);
	cJSON_ReplaceItemInObject(d, "user", cJSON_CreateString("u2"));
	ck_assert_int_eq(journal_append(j, "created_user", d, &e), CX_OK);
	cJSON_Delete(d);
	/* a torn last line (crash mid-write) is skipped */
	FILE *f = fopen(journal_path(j), "a");
	fputs("{\"event\":\"crea", f);
	fclose(f);
	cJSON *all = journal_entries(j);
	ck_assert_int_eq(cJSON_GetArraySize(all), 2);
	cJSON_Delete(all);
	cJSON *last = journal_find_last(j, "created_user", NULL, NULL);
	ck_assert_str_eq(json_str(last, "user"), "u2");
	ck_assert_ptr_nonnull(json_str(last, "at"));
	cJSON_Delete(last);
	last = journal_find_last(j, "created_user", "user", "u1");
	ck_assert_str_eq(json_str(last, "user"), "u1");
	cJSON_Delete(last);
	ck_assert_ptr_null(journal_find_last(j, "nothing", NULL, NULL));
	char *bp = NULL;
	ck_assert_int_eq(
	    journal_backup_policy(j, "acme-billing", "{\"Version\":\"2012-10-17\"}", &bp, &e),
	    CX_OK);
	ck_assert_uint_eq(mode_of(bp), 0600);
	char *text = paths_read_file(bp, 1024, NULL);
	ck_assert_str_eq(text, "{\"Version\":\"2012-10-17\"}");
	free(text);
	char *bp2 = NULL;
	ck_assert_int_eq(journal_backup_policy(j, "acme-billing", NULL, &bp2, &e), CX_OK);
	ck_assert_str_ne(bp, bp2);
	free(bp);
	free(bp2);
	last = journal_find_last(j, "bucket_policy_backup", "bucket", "acme-billing");
	ck_assert_ptr_nonnull(last);
	cJSON_Delete(last);
	journal_close(j);
	ck_assert_int_eq(journal_open(dir, "12345678901x", &j, &e), CX_E_INPUT);
	free(dir);
}
END_TEST

/* The exit summary's text form: outcome, data source, export, bucket, key, vault, backup,
 * next; a cancelled run says so and counts what was not run; JSON when asked for. */
START_TEST(summary_text_lines)
{
	static const char done[] =
	    "{\"status\": \"done\", \"data_source_id\": \"ds-1\", \"account_id\": "
	    "\"123456789012\", \"action\": \"connect\", \"export\": {\"type\": \"cur2\", "
	    "\"name\": \"certerox-cur2\", \"bucket\": \"b1\", \"prefix\": \"reports\", "
	    "\"region\": \"us-east-1\"}, \"iam_user\": \"certerox-billing\", "
	    "\"access_key_id\": \"AKIAEXAMPLE\", \"vault\": \"/v/credentials.vault\", "
	    "\"warnings\": [], \"steps\": []}";
	cJSON *j = cJSON_Parse(done);
	char *t = run_summary_text(j, "/s/backup/bucket-policy-b1.json");
	ck_assert_ptr_nonnull(strstr(t, "certerox-aws-setup: done (connect)\n"));
	ck_assert_ptr_nonnull(strstr(t, "  Data source:   ds-1\n  AWS account:   123456789012\n"));
	ck_assert_ptr_nonnull(
	    strstr(t, "  Export:        certerox-cur2 (standard data export, CUR 2.0)\n"));
	ck_assert_ptr_nonnull(strstr(t, "  Bucket:        s3://b1/reports (us-east-1)\n"));
	ck_assert_ptr_nonnull(strstr(t, "  Access key:    AKIAEXAMPLE\n"));
	ck_assert_ptr_nonnull(strstr(t, "  Vault:         /v/credentials.vault\n"));
	ck_assert_ptr_nonnull(strstr(t, "  Policy backup: /s/backup/bucket-policy-b1.json\n"));
	ck_assert_ptr_nonnull(strstr(t, "  Next:          AWS delivers the first billing files "
	                                "within 24 hours;\n                 CerteroX"));
	ck_assert_ptr_null(strstr(t, "{"));
	free(t);
	cJSON_Delete(j);
	static const char cancelled[] =
	    "{\"status\": \"cancelled\", \"error\": \"cancelled; 2 steps not run\", "
	    "\"data_source_id\": null, \"account_id\": \"123456789012\", \"action\": "
	    "\"connect\", \"steps\": [{\"status\": \"done\"}, {\"status\": \"not run\"}, "
	    "{\"status\": \"not run\"}]}";
	j = cJSON_Parse(cancelled);
	t = run_summary_text(j, NULL);
	ck_assert_ptr_nonnull(strstr(t, "certerox-aws-setup: cancelled; 2 steps not run\n"));
	ck_assert_ptr_nonnull(strstr(t, "  Data source:   not created"));
	ck_assert_ptr_nonnull(strstr(t, "  Next:          run the wizard again"));
	ck_assert_ptr_null(strstr(t, "failed"));
	ck_assert_ptr_null(strstr(t, "Policy backup"));
	free(t);
	cJSON_Delete(j);
	ck_assert(!run_summary_as_text(true)); /* --format json */
}
END_TEST

int main(void)
{
	Suite *s = suite_create("journal");
	TCase *tc = tcase_create("journal");
	tcase_add_test(tc, journal_modes_and_entries);
	tcase_add_test(tc, summary_text_lines);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
