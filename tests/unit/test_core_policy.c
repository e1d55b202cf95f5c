/* Policy documents (goldens derived from the guide), the bucket-policy merge (cases, 200
 * generated existing policies), lint, the diff format, grant checks. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/diff.h"
#include "core/policy.h"
#include "core_test.h"
#include "util/json.h"
#include "util/buf.h"
#include "util/mem.h"
#include "util/str.h"

#define BUCKET "acme-billing"
#define ACCT   "123456789012"

static char *pretty_free(cJSON *j)
{
	ck_assert_ptr_nonnull(j);
	char *s = json_pretty(j);
	cJSON_Delete(j);
	return s;
}

START_TEST(documents)
{
	struct cx_err e;
	cx_err_clear(&e);
	char *s = pretty_free(policy_bucket_document(BUCKET, ACCT, &e));
	ct_golden("policy-bucket.json", s);
	free(s);
	s = pretty_free(policy_readonly(BUCKET, false, &e));
	ct_golden("policy-readonly.json", s);
	free(s);
	s = pretty_free(policy_readonly(BUCKET, true, &e));
	ct_golden("policy-readonly-legacy-create.json", s);
	free(s);
	s = pretty_free(policy_discover(&e));
	ct_golden("policy-discover.json", s);
	free(s);
	/* values are JSON-escaped into the templates */
	cJSON *j = policy_bucket_statement("a\"b", ACCT, &e);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(cJSON_GetArrayItem(json_arr(j, "Resource"), 1)->valuestring,
	                 "arn:aws:s3:::a\"b");
	cJSON_Delete(j);
}
END_TEST

static cJSON *ours(void)
{
	struct cx_err e;
	cJSON *s = policy_bucket_statement(BUCKET, ACCT, &e);
	ck_assert_ptr_nonnull(s);
	return s;
}

static void merge_golden(const char *name, const char *existing, enum policy_merge_action want)
{
	cJSON *st = ours();
	struct policy_merge m;
	struct cx_err e;
	cx_err_clear(&e);
	ck_assert_int_eq(policy_merge_bucket(existing, st, BUCKET, &m, &e), CX_OK);
	ck_assert_int_eq(m.action, want);
	char *out = xasprintf("%s--- warnings\n", m.diff);
	for (size_t i = 0; i < m.warnings.n; i++) {
		char *o = xasprintf("%s%s\n", out, m.warnings.v[i]);
		free(out);
		out = o;
	}
	char *g = xasprintf("merge-%s.diff", name);
	ct_golden(g, out);
	free(g);
	free(out);
	policy_merge_free(&m);
	cJSON_Delete(st);
}

START_TEST(merge_cases)
{
	merge_golden("none", NULL, POLICY_MERGE_NEW);
	merge_golden("empty", "  \n", POLICY_MERGE_NEW);
	merge_golden(
	    "others",
	    "{\"Version\":\"2012-10-17\",\"Id\":\"x\",\"Statement\":[{\"Sid\":\"B\","
	    "\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:root\"},"
	    "\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::acme-billing/*\","
	    "\"Zzz\":[1,2]},{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":"
	    "\"s3:ListBucket\",\"Resource\":\"arn:aws:s3:::acme-billing\"}],\"Extra\":true}",
	    POLICY_MERGE_ADDED);
	merge_golden(
	    "single-object",
	    "{\"Version\":\"2012-10-17\",\"Statement\":{\"Sid\":\"A\",\"Effect\":\"Allow\","
	    "\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}}",
	    POLICY_MERGE_ADDED);
	/* our Sid with other content: theirs kept, ours added under its own Sid */
	merge_golden(
	    "replace",
	    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"A\",\"Effect\":\"Allow\","
	    "\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"},{\"Sid\":"
	    "\"EnableAWSDataExportsToWriteToS3AndCheckPolicy\",\"Effect\":\"Allow\",\"Principal\":"
	    "{\"Service\":\"billingreports.amazonaws.com\"},\"Action\":\"s3:PutObject\","
	    "\"Resource\":\"arn:aws:s3:::acme-billing/*\"},{\"Sid\":\"C\",\"Effect\":\"Allow\","
	    "\"Principal\":\"*\",\"Action\":\"s3:ListBucket\",\"Resource\":\"*\"}]}",
	    POLICY_MERGE_SID_TAKEN);
	/* equivalent statement under another Sid, string/list forms and order differing */
	merge_golden(
	    "equivalent",
	    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Billing\",\"Effect\":\"Allow\","
	    "\"Principal\":{\"Service\":[\"bcm-data-exports.amazonaws.com\","
	    "\"billingreports.amazonaws.com\"]},\"Action\":[\"s3:GetBucketPolicy\","
	    "\"s3:PutObject\"],\"Resource\":[\"arn:aws:s3:::acme-billing\","
	    "\"arn:aws:s3:::acme-billing/*\"],\"Condition\":{\"StringLike\":{"
	    "\"aws:SourceAccount\":[\"123456789012\"],\"aws:SourceArn\":["
	    "\"arn:aws:bcm-data-exports:us-east-1:123456789012:export/*\","
	    "\"arn:aws:cur:us-east-1:123456789012:definition/*\"]}}}]}",
	    POLICY_MERGE_EQUIVALENT);
	/* present already */
	cJSON *doc = policy_bucket_document(BUCKET, ACCT, NULL);
	char *t = json_compact(doc);
	merge_golden("present", t, POLICY_MERGE_PRESENT);
	free(t);
	cJSON_Delete(doc);
}
END_TEST

START_TEST(merge_lint)
{
	/* Deny of everyone for s3:* on the bucket */
	merge_golden(
	    "deny",
	    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"NoWrites\",\"Effect\":"
	    "\"Deny\",\"Principal\":\"*\",\"Action\":[\"s3:Put*\",\"s3:GetBucketPolicy\"],"
	    "\"Resource\":[\"arn:aws:s3:::acme-billing\",\"arn:aws:s3:::acme-billing/*\"],"
	    "\"Condition\":{\"StringNotEquals\":{\"aws:PrincipalAccount\":\"123456789012\"}}},"
	    "{\"Sid\":\"TLS\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\","
	    "\"Resource\":\"arn:aws:s3:::acme-billing/*\",\"Condition\":{\"Bool\":{"
	    "\"aws:SecureTransport\":\"false\"}}},{\"Effect\":\"Deny\",\"Principal\":{"
	    "\"Service\":\"billingreports.amazonaws.com\"},\"Action\":\"s3:PutObject\","
	    "\"Resource\":\"arn:aws:s3:::other/*\"}]}",
	    POLICY_MERGE_ADDED);
	/* SourceArn in another region */
	merge_golden("region",
	             "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"OldCur\",\"Effect\":"
	             "\"Allow\",\"Principal\":{\"Service\":\"billingreports.amazonaws.com\"},"
	             "\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::acme-billing/*\","
	             "\"Condition\":{\"StringEquals\":{\"aws:SourceArn\":"
	             "\"arn:aws:cur:eu-west-1:123456789012:definition/*\"}}}]}",
	             POLICY_MERGE_ADDED);
}
END_TEST

/* A Deny that always blocks delivery stops the merge, naming the statement. */
START_TEST(merge_blocking_deny)
{
	cJSON *st = ours();
	struct policy_merge m;
	struct cx_err e;
	cx_err_clear(&e);
	const char *deny =
	    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"NoWrites\",\"Effect\":"
	    "\"Deny\",\"Principal\":\"*\",\"Action\":[\"s3:Put*\",\"s3:GetBucketPolicy\"],"
	    "\"Resource\":[\"arn:aws:s3:::acme-billing\",\"arn:aws:s3:::acme-billing/*\"]}]}";
	ck_assert_int_eq(policy_merge_bucket(deny, st, BUCKET, &m, &e), CX_E_INPUT);
	ck_assert_ptr_nonnull(
	    strstr(e.msg, "statement \"NoWrites\" of bucket acme-billing denies"));
	ck_assert_ptr_nonnull(m.document);
	policy_merge_free(&m);
	/* our Sid holding a Deny: kept, and it still blocks */
	cx_err_clear(&e);
	const char *ours_deny =
	    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":"
	    "\"EnableAWSDataExportsToWriteToS3AndCheckPolicy\",\"Effect\":\"Deny\",\"Principal\":"
	    "{\"Service\":\"bcm-data-exports.amazonaws.com\"},\"Action\":\"s3:PutObject\","
	    "\"Resource\":\"arn:aws:s3:::acme-billing/*\"}]}";
	ck_assert_int_eq(policy_merge_bucket(ours_deny, st, BUCKET, &m, &e), CX_E_INPUT);
	ck_assert_ptr_nonnull(strstr(e.msg, "EnableAWSDataExportsToWriteToS3AndCheckPolicy\""));
	ck_assert_ptr_nonnull(strstr(m.new_text, "\"Effect\": \"Deny\""));
	policy_merge_free(&m);
	cJSON_Delete(st);
}
END_TEST

START_TEST(merge_errors)
{
	cJSON *st = ours();
	struct policy_merge m;
	struct cx_err e;
	ck_assert_int_eq(policy_merge_bucket("{\"Version\": ", st, BUCKET, &m, &e), CX_E_INPUT);
	ck_assert_str_eq(e.msg, "the bucket's current policy is not valid JSON (invalid JSON near "
	                        "byte 11); the current policy is left unchanged (fix or remove it "
	                        "by hand, then run again)");
	ck_assert_ptr_null(m.document);
	policy_merge_free(&m);
	ck_assert_int_eq(policy_merge_bucket("[1]", st, BUCKET, &m, &e), CX_E_INPUT);
	policy_merge_free(&m);
	ck_assert_int_eq(policy_merge_bucket("{\"Statement\": 5}", st, BUCKET, &m, &e), CX_E_INPUT);
	policy_merge_free(&m);
	/* size limit */
	struct buf b = BUF_INIT;
	buf_puts(&b, "{\"Version\":\"2012-10-17\",\"Statement\":[");
	for (int i = 0; i < 200; i++)
		buf_printf(
		    &b,
		    "%s{\"Sid\":\"S%d\",\"Effect\":\"Allow\",\"Principal\":\"*\","
		    "\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::acme-billing/p%d/*\"}",
		    i ? "," : "", i, i);
	buf_puts(&b, "]}");
	ck_assert_int_eq(policy_merge_bucket(buf_str(&b), st, BUCKET, &m, &e), CX_E_INPUT);
	ck_assert_ptr_nonnull(m.document);
	ck_assert_uint_gt(m.size, POLICY_BUCKET_LIMIT);
	char *want = xasprintf("the merged bucket policy would be %zu bytes, over the S3 bucket "
	                       "policy limit of 20480 bytes (20 KB); shorten the existing policy "
	                       "first",
	                       m.size);
	ck_assert_str_eq(e.msg, want);
	free(want);
	policy_merge_free(&m);
	buf_free(&b);
	cJSON_Delete(st);
}
END_TEST

/* ---- 200 generated existing policies ---- */

static unsigned long rng_state;
static unsigned rnd(unsigned n)
{
	rng_state = rng_state * 6364136223846793005UL + 1442695040888963407UL;
	return (unsigned)((rng_state >> 33) % n);
}

static cJSON *rand_value(int depth)
{
	static const char *const words[] = {"s3:GetObject", "*", "arn:aws:s3:::acme-billing/*",
	                                    "x\u00e9y",     "",  "a\"b\\c",
	                                    "123456789012"};
	switch (rnd(depth > 2 ? 3 : 6)) {
	case 0:
		return cJSON_CreateString(words[rnd(7)]);
	case 1:
		return cJSON_CreateNumber(rnd(1000));
	case 2:
		return cJSON_CreateBool(rnd(2));
	case 3: {
		cJSON *a = cJSON_CreateArray();
		for (unsigned i = rnd(4); i > 0; i--)
			cJSON_AddItemToArray(a, rand_value(depth + 1));
		return a;
	}
	default: {
		cJSON *o = cJSON_CreateObject();
		for (unsigned i = rnd(4); i > 0; i--) {
			char k[16];
			snprintf(k, sizeof(k), "k%u", rnd(50));
			if (!cJSON_GetObjectItemCaseSensitive(o, k))
				cJSON_AddItemToObject(o, k, rand_value(depth + 1));
		}
		return o;
	}
	}
}

static int ours_made;

static cJSON *rand_statement(int i, const cJSON *our)
{
	if (!ours_made && rnd(10) == 0) {
		ours_made = 1;
		/* our statement, possibly under another Sid */
		cJSON *c = cJSON_Duplicate(our, 1);
		if (rnd(2))
			cJSON_ReplaceItemInObject(c, "Sid", cJSON_CreateString("Renamed"));
		else
			cJSON_ReplaceItemInObject(c, "Action", cJSON_CreateString("s3:PutObject"));
		return c;
	}
	cJSON *s = cJSON_CreateObject();
	if (rnd(3)) {
		char sid[32];
		snprintf(sid, sizeof(sid), "Sid%d", i);
		cJSON_AddStringToObject(s, "Sid", sid);
	}
	cJSON_AddStringToObject(s, "Effect", rnd(4) ? "Allow" : "Deny");
	cJSON_AddItemToObject(s, "Principal", rnd(2) ? cJSON_CreateString("*") : rand_value(2));
	cJSON_AddItemToObject(s, "Action",
	                      rnd(2) ? cJSON_CreateString("s3:GetObject") : rand_value(2));
	cJSON_AddStringToObject(s, "Resource", "arn:aws:s3:::acme-billing/*");
	for (unsigned k = rnd(3); k > 0; k--) {
		char key[16];
		snprintf(key, sizeof(key), "X%u", rnd(100));
		if (!cJSON_GetObjectItemCaseSensitive(s, key))
			cJSON_AddItemToObject(s, key, rand_value(1));
	}
	return s;
}

START_TEST(merge_generated)
{
	rng_state = 20240601;
	cJSON *st = ours();
	for (int n = 0; n < 200; n++) {
		cJSON *doc = cJSON_CreateObject();
		if (rnd(5))
			cJSON_AddStringToObject(doc, "Version", "2012-10-17");
		if (rnd(3) == 0)
			cJSON_AddItemToObject(doc, "Id", rand_value(1));
		cJSON *arr = cJSON_AddArrayToObject(doc, "Statement");
		ours_made = 0;
		for (unsigned i = rnd(8); i > 0; i--)
			cJSON_AddItemToArray(arr, rand_statement((int)i, st));
		char *text = json_compact(doc);
		struct policy_merge m;
		struct cx_err e;
		enum cx_status mst = policy_merge_bucket(text, st, BUCKET, &m, &e);
		if (mst == CX_E_INPUT && strstr(e.msg, " denies the billing delivery services")) {
			/* a generated Deny that always blocks delivery: the plan stops */
			policy_merge_free(&m);
			free(text);
			cJSON_Delete(doc);
			continue;
		}
		ck_assert_msg(mst == CX_OK, "#%d: %s", n, e.msg);
		/* every original statement survives unchanged, in order (ours with our Sid too) */
		const cJSON *out = json_arr(m.document, "Statement");
		const cJSON *o = out->child;
		int ours_count = 0, equivalent = 0;
		for (const cJSON *x = arr->child; x; x = x->next) {
			ck_assert_msg(o && cJSON_Compare(x, o, 1), "#%d: a statement changed", n);
			o = o->next;
		}
		for (const cJSON *x = out->child; x; x = x->next) {
			if (json_equal(x, st, true))
				ours_count++;
			cJSON *a = cJSON_Duplicate(x, 1), *b = cJSON_Duplicate(st, 1);
			cJSON_DeleteItemFromObject(a, "Sid");
			cJSON_DeleteItemFromObject(b, "Sid");
			if (json_equal(a, b, true))
				equivalent++;
			cJSON_Delete(a);
			cJSON_Delete(b);
		}
		ck_assert_msg(equivalent <= 1 || m.action != POLICY_MERGE_ADDED, "#%d: duplicate",
		              n);
		ck_assert_msg(ours_count == 1 || equivalent >= 1, "#%d: ours appears %d times", n,
		              ours_count);
		if (m.action == POLICY_MERGE_SID_TAKEN)
			ck_assert_int_eq(equivalent, 1);
		/* the other top-level keys are kept */
		for (const cJSON *k = doc->child; k; k = k->next)
			if (strcmp(k->string, "Statement") != 0)
				ck_assert(cJSON_Compare(
				    k, cJSON_GetObjectItemCaseSensitive(m.document, k->string), 1));
		/* applying again changes nothing */
		struct policy_merge m2;
		ck_assert_int_eq(policy_merge_bucket(m.new_text, st, BUCKET, &m2, &e), CX_OK);
		ck_assert(!m2.changed);
		policy_merge_free(&m2);
		policy_merge_free(&m);
		free(text);
		cJSON_Delete(doc);
	}
	cJSON_Delete(st);
}
END_TEST

START_TEST(diff_format)
{
	char *d = diff_unified("a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\n",
	                       "a\nb\nc\nd\nE\nf\ng\nh\ni\nj\nk\nl\n", "old", "new");
	ct_golden("diff-basic.diff", d);
	free(d);
	d = diff_unified("x\n", "x\n", "a", "b");
	ck_assert_str_eq(d, "");
	free(d);
	d = diff_unified("", "one\n", "a", "b");
	ck_assert_str_eq(d, "--- a\n+++ b\n@@ -0,0 +1 @@\n+one\n");
	free(d);
	d = diff_unified("one\ntwo", "one\n", "a", "b");
	ck_assert_str_eq(d,
	                 "--- a\n+++ b\n@@ -1,2 +1 @@\n one\n-two\n\\ No newline at end of file\n");
	free(d);
	/* two hunks when the changes are more than 6 lines apart */
	d = diff_unified("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n",
	                 "0\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n13\n", "a", "b");
	ck_assert_str_eq(d,
	                 "--- a\n+++ b\n@@ -1,4 +1,4 @@\n-1\n+0\n 2\n 3\n 4\n@@ -9,4 +9,4 @@\n 9\n "
	                 "10\n 11\n-12\n+13\n");
	free(d);
}
END_TEST

START_TEST(grants)
{
	struct cx_err e;
	cJSON *req = policy_readonly(BUCKET, false, &e);
	cJSON *doc = cJSON_Duplicate(req, 1);
	struct strv miss = STRV_INIT;
	ck_assert(policy_missing_actions(doc, req, &miss));
	ck_assert_uint_eq(miss.n, 0);
	/* user edit: drop GetObject, replace BucketOperations by a wildcard */
	cJSON *st = json_arr(doc, "Statement") ? cJSON_GetObjectItem(doc, "Statement") : NULL;
	cJSON_DeleteItemFromArray(st, 1);
	cJSON *bo = cJSON_GetArrayItem(st, 1);
	cJSON_ReplaceItemInObject(bo, "Action", cJSON_CreateString("s3:List*"));
	ck_assert(!policy_missing_actions(doc, req, &miss));
	char *j = strv_join(&miss, "; ");
	ck_assert_str_eq(j, "s3:GetObject on arn:aws:s3:::acme-billing/*; s3:GetBucketLocation on "
	                    "arn:aws:s3:::acme-billing");
	free(j);
	strv_free(&miss);
	/* a Deny removes a grant */
	cJSON *deny = cJSON_Parse("{\"Effect\":\"Deny\",\"Action\":\"cur:*\",\"Resource\":\"*\"}");
	cJSON_AddItemToArray(st, deny);
	policy_missing_actions(doc, req, &miss);
	ck_assert(strv_has(&miss, "cur:DescribeReportDefinitions on *"));
	strv_free(&miss);
	ck_assert(!policy_lacks_data_exports(req));
	cJSON *old = cJSON_Parse("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":"
	                         "\"cur:DescribeReportDefinitions\",\"Resource\":\"*\"}]}");
	ck_assert(policy_lacks_data_exports(old));
	cJSON *star = cJSON_Parse("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":"
	                          "\"bcm-data-exports:*\",\"Resource\":\"*\"}}");
	ck_assert(!policy_lacks_data_exports(star));
	/* delivery permission */
	cJSON *bp = policy_bucket_document(BUCKET, ACCT, &e);
	ck_assert(policy_bucket_permits_delivery(bp, BUCKET, true, true));
	ck_assert(!policy_bucket_permits_delivery(bp, "other", true, true));
	ck_assert(!policy_bucket_permits_delivery(old, BUCKET, false, true));
	cJSON *legacy_only = cJSON_Parse(
	    "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":"
	    "\"billingreports.amazonaws.com\"},\"Action\":[\"s3:PutObject\",\"s3:GetBucketPolicy\"]"
	    ","
	    "\"Resource\":[\"arn:aws:s3:::acme-billing\",\"arn:aws:s3:::acme-billing/*\"]}]}");
	ck_assert(policy_bucket_permits_delivery(legacy_only, BUCKET, true, false));
	ck_assert(!policy_bucket_permits_delivery(legacy_only, BUCKET, false, true));
	ck_assert(policy_equal(bp, bp));
	ck_assert(!policy_equal(bp, old));
	cJSON_Delete(legacy_only);
	cJSON_Delete(bp);
	cJSON_Delete(star);
	cJSON_Delete(old);
	cJSON_Delete(doc);
	cJSON_Delete(req);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("core_policy");
	TCase *t = tcase_create("policy");
	tcase_set_timeout(t, 120);
	tcase_add_test(t, documents);
	tcase_add_test(t, merge_cases);
	tcase_add_test(t, merge_lint);
	tcase_add_test(t, merge_blocking_deny);
	tcase_add_test(t, merge_errors);
	tcase_add_test(t, merge_generated);
	tcase_add_test(t, diff_format);
	tcase_add_test(t, grants);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(suite());
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
