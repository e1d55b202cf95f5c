/* test_org - the `organization` action's pure logic (core/organs.c: answers with exact
 * messages, the documents, the trust check) and its AWS parsers (aws/orgops.c) on captured
 * answers: ListAccounts pages, AssumeRole credentials, GetRole trust and tag, inline policy
 * documents, NoSuchEntity; the managed Discover policy's GetPolicy (tags, default version,
 * attachment count) and ListAttached{Role,User}Policies pages (aws/orgpolicy.c). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "aws/client.h"
#include "aws/http.h"
#include "aws/orgops.h"
#include "aws/orgpolicy.h"
#include "core/organs.h"
#include "util/json.h"
#include "util/mem.h"

static enum cx_status parse(const char *text, struct org_answers *o, struct cx_err *e)
{
	cJSON *j = text ? cJSON_Parse(text) : NULL;
	cx_err_clear(e);
	enum cx_status st = org_answers_parse(j, o, e);
	cJSON_Delete(j);
	return st;
}

START_TEST(answers_defaults)
{
	struct org_answers o;
	struct cx_err e;
	ck_assert_int_eq(parse(NULL, &o, &e), CX_OK);
	ck_assert(o.all);
	ck_assert_int_eq(o.access, ORG_ACCESS_AUTO);
	ck_assert_str_eq(o.member_role, "OrganizationAccountAccessRole");
	ck_assert_str_eq(o.role_name, "CerteroXDiscover");
	ck_assert_int_eq(o.max_parallel, 8);
	org_answers_free(&o);
	ck_assert_int_eq(
	    parse("{\"accounts\":[\"400000000001\",\"400000000002\"],\"access\":\"user\","
	          "\"member_role\":\"Admin\",\"role_name\":\"Cx.Role@x\",\"max_parallel\":2}",
	          &o, &e),
	    CX_OK);
	ck_assert(!o.all);
	ck_assert_uint_eq(o.accounts.n, 2);
	ck_assert_str_eq(o.accounts.v[1], "400000000002");
	ck_assert_int_eq(o.access, ORG_ACCESS_USER);
	ck_assert_str_eq(o.role_name, "Cx.Role@x");
	ck_assert_int_eq(o.max_parallel, 2);
	org_answers_free(&o);
}
END_TEST

START_TEST(answers_errors)
{
	static const struct {
		const char *in, *msg;
	} cases[] = {
	    {"{\"accounts\":\"some\"}",
	     "organization.accounts: must be \"all\" or a list of 12-digit account ids"},
	    {"{\"accounts\":[]}",
	     "organization.accounts: must be \"all\" or a non-empty list of 12-digit account ids"},
	    {"{\"accounts\":[\"400000000001\",\"12345\"]}",
	     "organization.accounts[1]: \"12345\" is not a 12-digit AWS account id"},
	    {"{\"accounts\":[\"400000000001\",\"400000000001\"]}",
	     "organization.accounts[1]: 400000000001 is listed twice"},
	    {"{\"access\":\"both\"}", "organization.access: must be \"role\" or \"user\""},
	    {"{\"role_name\":\"a b\"}", "organization.role_name: \"a b\" is not an IAM role name "
	                                "(1 to 64 of A-Z a-z 0-9 + = , "
	                                ". @ _ -)"},
	    {"{\"member_role\":\"\"}",
	     "organization.member_role: \"\" is not an IAM role name (1 to 64 of A-Z a-z 0-9 + = , "
	     ". @ _ -)"},
	    {"{\"max_parallel\":0}",
	     "organization.max_parallel: must be a whole number from 1 to 64"},
	    {"{\"max_parallel\":2.5}",
	     "organization.max_parallel: must be a whole number from 1 to 64"},
	    {"{\"colour\":1}", "organization.colour: unknown key"},
	    {"{\"access\":\"role\",\"access\":\"user\"}", "organization.access: duplicate key"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct org_answers o;
		struct cx_err e;
		ck_assert_int_eq(parse(cases[i].in, &o, &e), CX_E_INPUT);
		ck_assert_str_eq(e.msg, cases[i].msg);
	}
}
END_TEST

START_TEST(documents)
{
	cJSON *p = org_assume_policy("CerteroXDiscover");
	char *t = json_compact(p);
	ck_assert_str_eq(
	    t, "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"CerteroXAssumeDiscover\","
	       "\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\",\"Resource\":"
	       "\"arn:aws:iam::*:role/CerteroXDiscover\"}]}");
	free(t);
	cJSON_Delete(p);
	const char *u = "arn:aws:iam::123456789012:user/certerox-discover";
	p = org_trust_policy(u);
	t = json_compact(p);
	ck_assert(org_trust_allows(t, u));
	ck_assert(!org_trust_allows(t, "arn:aws:iam::123456789012:user/other"));
	free(t);
	cJSON_Delete(p);
	/* a single statement object, a list of principals, a Deny, another action */
	ck_assert(
	    org_trust_allows("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":[\"sts:AssumeRole\"],"
	                     "\"Principal\":{\"AWS\":[\"x\",\"arn:aws:iam::123456789012:user/"
	                     "certerox-discover\"]}}}",
	                     u));
	ck_assert(
	    !org_trust_allows("{\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"sts:AssumeRole\","
	                      "\"Principal\":{\"AWS\":\"arn:aws:iam::123456789012:user/"
	                      "certerox-discover\"}}]}",
	                      u));
	ck_assert(
	    !org_trust_allows("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sts:TagSession\","
	                      "\"Principal\":{\"AWS\":\"arn:aws:iam::123456789012:user/"
	                      "certerox-discover\"}}]}",
	                      u));
	ck_assert(!org_trust_allows("not json", u));
	ck_assert(!org_trust_allows(NULL, u));
	/* merged, never narrowed: others' statements and principals kept, ours added */
	char *m = org_trust_merge("{\"Version\":\"2012-10-17\",\"Statement\":{\"Sid\":\"Theirs\","
	                          "\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\","
	                          "\"Principal\":{\"AWS\":[\"arn:aws:iam::1:root\","
	                          "\"arn:aws:iam::2:user/old\"]}}}",
	                          u);
	ck_assert_str_eq(m,
	                 "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Theirs\","
	                 "\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\",\"Principal\":"
	                 "{\"AWS\":[\"arn:aws:iam::1:root\",\"arn:aws:iam::2:user/old\"]}},"
	                 "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::"
	                 "123456789012:user/certerox-discover\"},\"Action\":\"sts:AssumeRole\"}]}");
	ck_assert(org_trust_allows(m, u) && org_trust_allows(m, "arn:aws:iam::2:user/old"));
	free(m);
	ck_assert_ptr_null(org_trust_merge("not json", u));
	ck_assert_ptr_null(org_trust_merge("{\"Statement\":\"x\"}", u));
	char *arn = org_role_arn("400000000001", "CerteroXDiscover");
	ck_assert_str_eq(arn, "arn:aws:iam::400000000001:role/CerteroXDiscover");
	free(arn);
}
END_TEST

static enum cx_status feed(struct aws_op *op, long status, const char *body, bool *more,
                           struct cx_err *err)
{
	struct http_response r;
	memset(&r, 0, sizeof(r));
	r.status = status;
	buf_append(&r.body, body, strlen(body));
	bool m = false;
	cx_err_clear(err);
	enum cx_status st = aws_op_feed(op, &r, more ? more : &m, err);
	http_response_free(&r);
	return st;
}

START_TEST(list_accounts_pages)
{
	struct aws_op *op = org_list_accounts_op();
	struct cx_err e;
	bool more = false;
	ck_assert_int_eq(
	    feed(op, 200,
	         "{\"Accounts\":[{\"Id\":\"400000000001\",\"Name\":\"a\",\"Email\":\"a@x\","
	         "\"Status\":\"ACTIVE\"}],\"NextToken\":\"t2\"}",
	         &more, &e),
	    CX_OK);
	ck_assert(more);
	ck_assert_int_eq(
	    feed(op, 200,
	         "{\"Accounts\":[{\"Id\":\"400000000002\",\"Name\":\"b\",\"Email\":\"b@x\","
	         "\"Status\":\"SUSPENDED\"},{\"Name\":\"no id\"}]}",
	         &more, &e),
	    CX_OK);
	ck_assert(!more);
	const struct org_account_list *l = org_list_accounts_result(op);
	ck_assert_uint_eq(l->n, 2);
	ck_assert_str_eq(l->items[1].id, "400000000002");
	ck_assert_str_eq(l->items[1].status, "SUSPENDED");
	ck_assert_int_eq(feed(op, 200, "[1]", NULL, &e), CX_E_PARSE);
	aws_op_free(op);
}
END_TEST

START_TEST(assume_role_creds)
{
	struct aws_op *op = sts_assume_role_op("arn:aws:iam::400000000001:role/R", "s1");
	struct cx_err e;
	ck_assert_int_eq(
	    feed(op, 200,
	         "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
	         "<AssumeRoleResult><Credentials><AccessKeyId>ASIAEXAMPLE</AccessKeyId>"
	         "<SecretAccessKey>role-secret-123456</SecretAccessKey><SessionToken>tok-abcdef"
	         "</SessionToken><Expiration>2030-01-01T00:00:00Z</Expiration></Credentials>"
	         "</AssumeRoleResult></AssumeRoleResponse>",
	         NULL, &e),
	    CX_OK);
	struct aws_creds c;
	ck_assert(sts_assume_role_take(op, &c));
	ck_assert_str_eq(c.access_key_id, "ASIAEXAMPLE");
	ck_assert_str_eq(c.secret_access_key, "role-secret-123456");
	ck_assert_str_eq(c.session_token, "tok-abcdef");
	struct aws_creds again;
	ck_assert(!sts_assume_role_take(op, &again)); /* moved once */
	aws_creds_free(&c);
	aws_op_free(op);
	op = sts_assume_role_op("arn", "s");
	ck_assert_int_eq(feed(op, 200,
	                      "<AssumeRoleResponse><AssumeRoleResult></AssumeRoleResult>"
	                      "</AssumeRoleResponse>",
	                      NULL, &e),
	                 CX_E_PARSE);
	aws_op_free(op);
}
END_TEST

START_TEST(get_role_trust_and_tag)
{
	struct aws_op *op = iam_get_role_op("CerteroXDiscover", ORG_TAG_KEY);
	struct cx_err e;
	ck_assert_int_eq(
	    feed(op, 200,
	         "<GetRoleResponse><GetRoleResult><Role><Arn>arn:aws:iam::4:role/CerteroXDiscover</"
	         "Arn>"
	         "<AssumeRolePolicyDocument>%7B%22Statement%22%3A%5B%5D%7D</"
	         "AssumeRolePolicyDocument>"
	         "<Tags><member><Key>other</Key><Value>x</Value></member><member><Key>"
	         "certerox-aws-setup</Key><Value>organization</Value></member></Tags></Role>"
	         "</GetRoleResult></GetRoleResponse>",
	         NULL, &e),
	    CX_OK);
	const struct iam_entity *en = iam_entity_result(op);
	ck_assert_str_eq(en->trust, "{\"Statement\":[]}");
	ck_assert(en->tagged);
	aws_op_free(op);
	op = iam_get_user_tagged_op("certerox-discover", ORG_TAG_KEY);
	ck_assert_int_eq(
	    feed(op, 200,
	         "<GetUserResponse><GetUserResult><User><Arn>arn:aws:iam::4:user/u</Arn>"
	         "</User></GetUserResult></GetUserResponse>",
	         NULL, &e),
	    CX_OK);
	ck_assert(!iam_entity_result(op)->tagged);
	ck_assert_int_eq(
	    feed(op, 404,
	         "<ErrorResponse><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>The "
	         "user "
	         "with name u cannot be found.</Message></Error><RequestId>r</RequestId>"
	         "</ErrorResponse>",
	         NULL, &e),
	    CX_E_NOT_FOUND);
	aws_op_free(op);
	op = iam_get_inline_policy_op(true, "R", "P");
	ck_assert_int_eq(
	    feed(op, 200,
	         "<GetRolePolicyResponse><GetRolePolicyResult><PolicyDocument>%7B%22a%22"
	         "%3A1%7D</PolicyDocument></GetRolePolicyResult></GetRolePolicyResponse>",
	         NULL, &e),
	    CX_OK);
	ck_assert_str_eq(iam_inline_policy_result(op), "{\"a\":1}");
	aws_op_free(op);
}
END_TEST

START_TEST(managed_policy_parsers)
{
	struct cx_err e;
	struct aws_op *op = orgpol_get_policy_op("arn:aws:iam::1:policy/P", "certerox-aws-setup");
	ck_assert_int_eq(
	    feed(op, 200,
	         "<GetPolicyResponse><GetPolicyResult><Policy><PolicyName>P</PolicyName>"
	         "<DefaultVersionId>v3</DefaultVersionId><AttachmentCount>2</AttachmentCount>"
	         "<Tags><member><Key>other</Key><Value>x</Value></member><member><Key>"
	         "certerox-aws-setup</Key><Value>created by certerox-aws-setup</Value></member>"
	         "</Tags></Policy></GetPolicyResult></GetPolicyResponse>",
	         NULL, &e),
	    CX_OK);
	ck_assert_str_eq(orgpol_get_policy_result(op)->default_version_id, "v3");
	ck_assert_int_eq(orgpol_get_policy_result(op)->attachment_count, 2);
	ck_assert(orgpol_get_policy_result(op)->tagged);
	aws_op_free(op);
	op = orgpol_get_policy_op("arn:aws:iam::1:policy/P", "certerox-aws-setup");
	ck_assert_int_eq(feed(op, 200,
	                      "<GetPolicyResponse><GetPolicyResult><Policy><DefaultVersionId>v1"
	                      "</DefaultVersionId><Tags><member><Key>certerox</Key><Value>y</Value>"
	                      "</member></Tags></Policy></GetPolicyResult></GetPolicyResponse>",
	                      NULL, &e),
	                 CX_OK);
	ck_assert(!orgpol_get_policy_result(op)->tagged); /* another key: not ours */
	ck_assert_int_eq(orgpol_get_policy_result(op)->attachment_count, 0);
	aws_op_free(op);
	op = orgpol_get_policy_op("arn:aws:iam::1:policy/P", "certerox-aws-setup");
	ck_assert_int_eq(
	    feed(
	        op, 404,
	        "<ErrorResponse><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>Policy "
	        "arn:aws:iam::1:policy/P was not found.</Message></Error><RequestId>r</RequestId>"
	        "</ErrorResponse>",
	        NULL, &e),
	    CX_E_NOT_FOUND);
	aws_op_free(op);
	bool more = false;
	op = orgpol_list_attached_op(true, "R", "arn:aws:iam::1:policy/P");
	ck_assert_int_eq(
	    feed(op, 200,
	         "<ListAttachedRolePoliciesResponse><ListAttachedRolePoliciesResult>"
	         "<AttachedPolicies><member><PolicyName>Q</PolicyName><PolicyArn>"
	         "arn:aws:iam::1:policy/Q</PolicyArn></member></AttachedPolicies>"
	         "<IsTruncated>true</IsTruncated><Marker>m2</Marker>"
	         "</ListAttachedRolePoliciesResult></ListAttachedRolePoliciesResponse>",
	         &more, &e),
	    CX_OK);
	ck_assert(more);
	ck_assert(!orgpol_list_attached_has(op));
	ck_assert_int_eq(
	    feed(op, 200,
	         "<ListAttachedRolePoliciesResponse><ListAttachedRolePoliciesResult>"
	         "<AttachedPolicies><member><PolicyName>P</PolicyName><PolicyArn>"
	         "arn:aws:iam::1:policy/P</PolicyArn></member></AttachedPolicies>"
	         "<IsTruncated>false</IsTruncated>"
	         "</ListAttachedRolePoliciesResult></ListAttachedRolePoliciesResponse>",
	         &more, &e),
	    CX_OK);
	ck_assert(!more);
	ck_assert(orgpol_list_attached_has(op));
	aws_op_free(op);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("org");
	TCase *tc = tcase_create("org");
	tcase_add_test(tc, answers_defaults);
	tcase_add_test(tc, answers_errors);
	tcase_add_test(tc, documents);
	tcase_add_test(tc, list_accounts_pages);
	tcase_add_test(tc, assume_role_creds);
	tcase_add_test(tc, get_role_trust_and_tag);
	tcase_add_test(tc, managed_policy_parsers);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
