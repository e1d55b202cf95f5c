/* billdeny: which bucket-policy Deny applies to the billing delivery services, evaluated with
 * AWS's rules (negated operators on missing keys, IfExists, Null, NotPrincipal, wildcards). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/billdeny.h"
#include "core/export.h"
#include "util/mem.h"

#define ACCT "123456789012"

/* A policy with the guide's Allow plus one statement (JSON text). */
static char *deny_of(const char *bucket, const char *stmt, bool legacy)
{
	char *text = xasprintf(
	    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Allow\",\"Effect\":\"Allow\","
	    "\"Principal\":{\"Service\":[\"billingreports.amazonaws.com\","
	    "\"bcm-data-exports.amazonaws.com\"]},\"Action\":[\"s3:PutObject\","
	    "\"s3:GetBucketPolicy\"],\"Resource\":[\"arn:aws:s3:::%s\",\"arn:aws:s3:::%s/"
	    "*\"]},%s]}",
	    bucket, bucket, stmt);
	cJSON *doc = cJSON_Parse(text);
	ck_assert_ptr_nonnull(doc);
	char *d = billdeny_find(doc, bucket, "reports", "certerox-cur2", ACCT, legacy);
	cJSON_Delete(doc);
	free(text);
	return d;
}

static void expect(const char *stmt, bool legacy, const char *want)
{
	char *d = deny_of("b", stmt, legacy);
	if (want) {
		ck_assert_msg(d != NULL, "no deny found in %s", stmt);
		ck_assert_str_eq(d, want);
	} else {
		ck_assert_msg(d == NULL, "unexpected deny %s in %s", d, stmt);
	}
	free(d);
}

START_TEST(denies)
{
	/* plain-HTTP deny: TLS delivery, aws:SecureTransport true: not applying */
	expect("{\"Sid\":\"Tls\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\","
	       "\"Resource\":[\"arn:aws:s3:::b\",\"arn:aws:s3:::b/*\"],"
	       "\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}",
	       false, NULL);
	/* StringNotEquals on aws:PrincipalOrgID: missing for a service, so true: applies */
	expect("{\"Sid\":\"Org\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\","
	       "\"Resource\":\"arn:aws:s3:::b/*\","
	       "\"Condition\":{\"StringNotEquals\":{\"aws:PrincipalOrgID\":\"o-1\"}}}",
	       false, "statement \"Org\" (Deny s3:PutObject)");
	/* ... unless the service is excepted */
	expect("{\"Sid\":\"Org\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\","
	       "\"Resource\":\"arn:aws:s3:::b/*\","
	       "\"Condition\":{\"StringNotEquals\":{\"aws:PrincipalOrgID\":\"o-1\"},"
	       "\"BoolIfExists\":{\"aws:PrincipalIsAWSService\":\"false\"}}}",
	       false, NULL);
	/* positive operator on a missing key: false; with IfExists: true */
	expect("{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:PutObject\","
	       "\"Resource\":\"arn:aws:s3:::b/*\","
	       "\"Condition\":{\"StringEquals\":{\"aws:PrincipalAccount\":\"" ACCT "\"}}}",
	       false, NULL);
	expect("{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:PutObject\","
	       "\"Resource\":\"arn:aws:s3:::b/*\","
	       "\"Condition\":{\"StringEqualsIfExists\":{\"aws:PrincipalAccount\":\"1\"}}}",
	       false, "statement #2 (Deny s3:PutObject)");
	/* Null: the key is missing for a service principal */
	expect("{\"Sid\":\"N\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\","
	       "\"Resource\":\"arn:aws:s3:::b\",\"Condition\":{\"Null\":{\"aws:PrincipalOrgID\":"
	       "\"true\"}}}",
	       false, "statement \"N\" (Deny s3:GetBucketPolicy)");
	/* the SourceAccount guard of the guide, negated: ours does not apply, another does */
	expect(
	    "{\"Sid\":\"S\",\"Effect\":\"Deny\",\"Principal\":{\"Service\":"
	    "\"bcm-data-exports.amazonaws.com\"},\"Action\":\"s3:PutObject\",\"Resource\":"
	    "\"arn:aws:s3:::b/*\",\"Condition\":{\"StringNotEquals\":{\"aws:SourceAccount\":\"" ACCT
	    "\"}}}",
	    false, NULL);
	expect("{\"Sid\":\"S\",\"Effect\":\"Deny\",\"Principal\":{\"Service\":"
	       "\"bcm-data-exports.amazonaws.com\"},\"Action\":\"s3:PutObject\",\"Resource\":"
	       "\"arn:aws:s3:::b/*\",\"Condition\":{\"StringNotEquals\":{\"aws:SourceAccount\":"
	       "\"999999999999\"}}}",
	       false, "statement \"S\" (Deny s3:PutObject)");
	/* ArnNotLike on the SourceArn: legacy ARN matches its own pattern only */
	expect("{\"Sid\":\"A\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:PutObject\","
	       "\"Resource\":\"arn:aws:s3:::b/*\",\"Condition\":{\"ArnNotLike\":{\"aws:SourceArn\":"
	       "\"arn:aws:cur:us-east-1:" ACCT ":definition/*\"}}}",
	       true, NULL);
	expect("{\"Sid\":\"A\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:PutObject\","
	       "\"Resource\":\"arn:aws:s3:::b/*\",\"Condition\":{\"ArnNotLike\":{\"aws:SourceArn\":"
	       "\"arn:aws:cur:us-east-1:" ACCT ":definition/*\"}}}",
	       false, "statement \"A\" (Deny s3:PutObject)");
	/* NotPrincipal listing the account: the service is not listed, so it applies */
	expect("{\"Sid\":\"NP\",\"Effect\":\"Deny\",\"NotPrincipal\":{\"AWS\":\"arn:aws:iam::" ACCT
	       ":root\"},\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::b/*\"}",
	       false, "statement \"NP\" (Deny s3:PutObject)");
	expect("{\"Sid\":\"NP\",\"Effect\":\"Deny\",\"NotPrincipal\":{\"Service\":"
	       "\"bcm-data-exports.amazonaws.com\"},\"Action\":\"s3:PutObject\",\"Resource\":"
	       "\"arn:aws:s3:::b/*\"}",
	       false, NULL);
	/* another prefix, another action, another principal: not applying */
	expect("{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:PutObject\","
	       "\"Resource\":\"arn:aws:s3:::b/other/*\"}",
	       false, NULL);
	expect("{\"Effect\":\"Deny\",\"Principal\":\"*\",\"NotAction\":[\"s3:PutObject\","
	       "\"s3:GetBucketPolicy\"],\"Resource\":\"*\"}",
	       false, NULL);
	expect("{\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"arn:aws:iam::1:user/x\"},"
	       "\"Action\":\"*\",\"Resource\":\"*\"}",
	       false, NULL);
	/* wildcards: action case-insensitive, resource with ? */
	expect("{\"Sid\":\"W\",\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"*\"},\"Action\":"
	       "\"S3:put*\",\"Resource\":\"arn:aws:s3:::?/reports/*\"}",
	       false, "statement \"W\" (Deny s3:PutObject)");
}
END_TEST

START_TEST(glob)
{
	ck_assert(billdeny_glob("a*c", "abbbc", false));
	ck_assert(billdeny_glob("*", "", false));
	ck_assert(!billdeny_glob("a?c", "ac", false));
	ck_assert(billdeny_glob("S3:*", "s3:PutObject", true));
	ck_assert(!billdeny_glob("S3:*", "s3:PutObject", false));
}
END_TEST

START_TEST(legacy_regions)
{
	/* botocore cur service-2.json AWSRegion */
	ck_assert(export_legacy_region_supported("us-east-1"));
	ck_assert(export_legacy_region_supported("eu-south-2"));
	ck_assert(export_legacy_region_supported("cn-northwest-1"));
	const char *newer[] = {"ca-west-1",      "il-central-1",   "mx-central-1", "ap-southeast-4",
	                       "ap-southeast-5", "ap-southeast-7", "ap-east-2"};
	for (size_t i = 0; i < sizeof(newer) / sizeof(newer[0]); i++)
		ck_assert_msg(!export_legacy_region_supported(newer[i]), "%s", newer[i]);
	ck_assert(!export_legacy_region_supported(NULL));
	ck_assert(strstr(export_legacy_regions(), "af-south-1, ap-east-1, ") ==
	          export_legacy_regions());
}
END_TEST

int main(void)
{
	Suite *s = suite_create("core_billdeny");
	TCase *t = tcase_create("billdeny");
	tcase_add_test(t, denies);
	tcase_add_test(t, glob);
	tcase_add_test(t, legacy_regions);
	suite_add_tcase(s, t);
	SRunner *r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
