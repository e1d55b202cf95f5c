/* test_awsparse - AWS response parsers on captured answers: success shapes, every error
 * protocol, truncated / malformed / oversized bodies, classification, retry decisions. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "aws/awserr.h"
#include "aws/bcm.h"
#include "aws/client.h"
#include "aws/cur.h"
#include "aws/ec2.h"
#include "aws/http.h"
#include "aws/iam.h"
#include "aws/iam_life.h"
#include "aws/org.h"
#include "aws/s3.h"
#include "aws/sts.h"
#include "aws/xml.h"
#include "util/mem.h"
#include "util/log.h"
#include "util/secmem.h"

/* Builds a response; hdrs is "Name: value" lines separated by '\n' (NULL = none). */
static void mkresp(struct http_response *r, long status, const char *hdrs, const char *body)
{
	memset(r, 0, sizeof(*r));
	r->status = status;
	if (body)
		buf_append(&r->body, body, strlen(body));
	if (!hdrs)
		return;
	char *copy = xstrdup(hdrs), *save = NULL;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *colon = strchr(line, ':');
		if (!colon)
			continue;
		r->headers = xrealloc(r->headers, (r->nheaders + 1) * sizeof(*r->headers));
		r->headers[r->nheaders].name = xstrndup(line, (size_t)(colon - line));
		const char *v = colon + 1;
		while (*v == ' ')
			v++;
		r->headers[r->nheaders].value = xstrdup(v);
		r->nheaders++;
	}
	free(copy);
}

static enum cx_status feed(struct aws_op *op, long status, const char *hdrs, const char *body,
                           bool *more, struct cx_err *err)
{
	struct http_response r;
	mkresp(&r, status, hdrs, body);
	bool m = false;
	enum cx_status st = aws_op_feed(op, &r, more ? more : &m, err);
	http_response_free(&r);
	return st;
}

/* ---------- query (STS, IAM) ---------- */

START_TEST(sts_identity_ok)
{
	struct aws_op *op = sts_get_caller_identity_op();
	struct cx_err err;
	const char *body =
	    "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
	    "<GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/alice</Arn>"
	    "<UserId>AIDAX</UserId><Account>123456789012</Account></GetCallerIdentityResult>"
	    "<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>"
	    "</GetCallerIdentityResponse>";
	ck_assert_int_eq(feed(op, 200, NULL, body, NULL, &err), CX_OK);
	const struct sts_identity *id = sts_get_caller_identity_result(op);
	ck_assert_str_eq(id->account, "123456789012");
	ck_assert_str_eq(id->arn, "arn:aws:iam::123456789012:user/alice");
	ck_assert_str_eq(id->user_id, "AIDAX");
	aws_op_free(op);
}
END_TEST

START_TEST(query_truncated_and_malformed)
{
	struct cx_err err;
	struct aws_op *op = sts_get_caller_identity_op();
	ck_assert_int_eq(feed(op, 200, NULL,
	                      "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws",
	                      NULL, &err),
	                 CX_E_PARSE);
	ck_assert_int_eq(feed(op, 200, NULL, "not xml at all", NULL, &err), CX_E_PARSE);
	ck_assert_int_eq(feed(op, 200, NULL, "", NULL, &err), CX_E_PARSE);
	/* well-formed but without the fields */
	ck_assert_int_eq(feed(op, 200, NULL, "<GetCallerIdentityResponse/>", NULL, &err),
	                 CX_E_PARSE);
	aws_op_free(op);
}
END_TEST

START_TEST(query_error_conflict)
{
	struct cx_err err;
	struct aws_op *op = iam_create_user_op("u1", NULL);
	const char *body =
	    "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error>"
	    "<Type>Sender</Type><Code>EntityAlreadyExists</Code>"
	    "<Message>User with name u1 already exists.</Message></Error>"
	    "<RequestId>req-123</RequestId></ErrorResponse>";
	ck_assert_int_eq(feed(op, 409, NULL, body, NULL, &err), CX_E_CONFLICT);
	ck_assert_str_eq(err.code, "EntityAlreadyExists");
	ck_assert_str_eq(err.request_id, "req-123");
	ck_assert_int_eq(err.http_status, 409);
	ck_assert_ptr_nonnull(strstr(err.msg, "already exists"));
	aws_op_free(op);
}
END_TEST

START_TEST(query_error_denied_names_action)
{
	struct cx_err err;
	struct aws_op *op = iam_create_user_op("u1", NULL);
	const char *body =
	    "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: "
	    "arn:aws:iam::123456789012:user/bob is not authorized to perform: iam:CreateUser on "
	    "resource: arn:aws:iam::123456789012:user/u1</Message></Error>"
	    "<RequestId>r</RequestId></ErrorResponse>";
	ck_assert_int_eq(feed(op, 403, NULL, body, NULL, &err), CX_E_DENIED);
	ck_assert_ptr_nonnull(strstr(err.msg, "not authorized to perform iam:CreateUser"));
	aws_op_free(op);
	/* without the action in the message, the op's action is named */
	op = iam_get_user_op(NULL);
	ck_assert_int_eq(
	    feed(op, 403, NULL,
	         "<ErrorResponse><Error><Code>AccessDenied</Code><Message>nope</Message>"
	         "</Error></ErrorResponse>",
	         NULL, &err),
	    CX_E_DENIED);
	ck_assert_ptr_nonnull(strstr(err.msg, "iam:GetUser"));
	aws_op_free(op);
}
END_TEST

START_TEST(query_credentials_and_throttle)
{
	struct cx_err err;
	struct aws_op *op = sts_get_caller_identity_op();
	ck_assert_int_eq(feed(op, 403, NULL,
	                      "<ErrorResponse><Error><Code>InvalidClientTokenId</Code><Message>The "
	                      "security token included in the request is invalid.</Message></Error>"
	                      "</ErrorResponse>",
	                      NULL, &err),
	                 CX_E_CREDENTIALS);
	ck_assert_int_eq(feed(op, 403, NULL,
	                      "<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>x"
	                      "</Message></Error></ErrorResponse>",
	                      NULL, &err),
	                 CX_E_CREDENTIALS);
	ck_assert_int_eq(feed(op, 400, NULL,
	                      "<ErrorResponse><Error><Code>Throttling</Code><Message>Rate exceeded"
	                      "</Message></Error></ErrorResponse>",
	                      NULL, &err),
	                 CX_E_THROTTLED);
	aws_op_free(op);
}
END_TEST

START_TEST(iam_pagination_and_document)
{
	struct cx_err err;
	bool more = false;
	struct aws_op *op = iam_list_policy_versions_op("arn:aws:iam::1:policy/p");
	const char *p1 =
	    "<ListPolicyVersionsResponse><ListPolicyVersionsResult><Versions>"
	    "<member><VersionId>v2</VersionId><IsDefaultVersion>true</IsDefaultVersion></member>"
	    "</Versions><IsTruncated>true</IsTruncated><Marker>m1</Marker>"
	    "</ListPolicyVersionsResult></ListPolicyVersionsResponse>";
	const char *p2 =
	    "<ListPolicyVersionsResponse><ListPolicyVersionsResult><Versions>"
	    "<member><VersionId>v1</VersionId><IsDefaultVersion>false</IsDefaultVersion></member>"
	    "</Versions><IsTruncated>false</IsTruncated>"
	    "</ListPolicyVersionsResult></ListPolicyVersionsResponse>";
	ck_assert_int_eq(feed(op, 200, NULL, p1, &more, &err), CX_OK);
	ck_assert(more);
	ck_assert_int_eq(feed(op, 200, NULL, p2, &more, &err), CX_OK);
	ck_assert(!more);
	const struct iam_policy_version_list *l = iam_list_policy_versions_result(op);
	ck_assert_uint_eq(l->n, 2);
	ck_assert_str_eq(l->items[0].version_id, "v2");
	ck_assert(l->items[0].is_default);
	ck_assert(!l->items[1].is_default);
	aws_op_free(op);

	/* ListPolicies Scope=Local: one page only, a truncated answer does not ask for more */
	op = iam_list_local_policies_op(100);
	ck_assert_int_eq(feed(op, 200, NULL,
	                      "<ListPoliciesResponse><ListPoliciesResult><Policies><member>"
	                      "<PolicyName>CerteroXReadOnly</PolicyName><Path>/</Path>"
	                      "<Arn>arn:aws:iam::123456789012:policy/CerteroXReadOnly</Arn>"
	                      "<DefaultVersionId>v3</DefaultVersionId></member></Policies>"
	                      "<IsTruncated>true</IsTruncated><Marker>m1</Marker>"
	                      "</ListPoliciesResult></ListPoliciesResponse>",
	                      &more, &err),
	                 CX_OK);
	ck_assert(!more);
	const struct iam_policy_list *pl = iam_list_local_policies_result(op);
	ck_assert_uint_eq(pl->n, 1);
	ck_assert(pl->truncated);
	ck_assert_str_eq(pl->items[0].arn, "arn:aws:iam::123456789012:policy/CerteroXReadOnly");
	ck_assert_str_eq(pl->items[0].default_version_id, "v3");
	aws_op_free(op);

	op = iam_get_policy_version_op("arn", "v1");
	ck_assert_int_eq(
	    feed(op, 200, NULL,
	         "<GetPolicyVersionResponse><GetPolicyVersionResult><PolicyVersion><Document>"
	         "%7B%22Version%22%3A%222012-10-17%22%2C%22S%22%3A%22a+b%20c%C3%A9%22%7D</Document>"
	         "<VersionId>v1</VersionId></PolicyVersion></GetPolicyVersionResult>"
	         "</GetPolicyVersionResponse>",
	         NULL, &err),
	    CX_OK);
	ck_assert_str_eq(iam_get_policy_version_result(op)->document,
	                 "{\"Version\":\"2012-10-17\",\"S\":\"a+b c\xc3\xa9\"}");
	aws_op_free(op);
}
END_TEST

START_TEST(iam_life_shapes)
{
	struct cx_err err;
	/* GetAccessKeyLastUsed names the key's user (shape of the IAM API reference) */
	struct aws_op *op = iam_get_access_key_last_used_op("AKIAEXAMPLE");
	const char *body =
	    "<GetAccessKeyLastUsedResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
	    "<GetAccessKeyLastUsedResult><AccessKeyLastUsed><Region>N/A</Region>"
	    "<ServiceName>N/A</ServiceName></AccessKeyLastUsed><UserName>legacy-reader</UserName>"
	    "</GetAccessKeyLastUsedResult><ResponseMetadata><RequestId>r</RequestId>"
	    "</ResponseMetadata></GetAccessKeyLastUsedResponse>";
	ck_assert_int_eq(feed(op, 200, NULL, body, NULL, &err), CX_OK);
	ck_assert_str_eq(iam_get_access_key_last_used_result(op)->user_name, "legacy-reader");
	aws_op_free(op);
	/* a wrong root is a parse error */
	op = iam_get_access_key_last_used_op("AKIAEXAMPLE");
	ck_assert_int_eq(feed(op, 200, NULL, "<Other/>", NULL, &err), CX_E_PARSE);
	aws_op_free(op);
	/* ListUserTags: pages (Marker) and (key, value) pairs */
	op = iam_list_user_tags_op("u");
	bool more = false;
	body = "<ListUserTagsResponse><ListUserTagsResult><IsTruncated>true</IsTruncated>"
	       "<Marker>m1</Marker><Tags><member><Key>certerox-aws-setup</Key><Value>made</Value>"
	       "</member></Tags></ListUserTagsResult></ListUserTagsResponse>";
	ck_assert_int_eq(feed(op, 200, NULL, body, &more, &err), CX_OK);
	ck_assert(more);
	body = "<ListUserTagsResponse><ListUserTagsResult><IsTruncated>false</IsTruncated>"
	       "<Tags><member><Key>AKIAEXAMPLE</Key><Value>certerox</Value></member></Tags>"
	       "</ListUserTagsResult></ListUserTagsResponse>";
	ck_assert_int_eq(feed(op, 200, NULL, body, &more, &err), CX_OK);
	ck_assert(!more);
	const struct iam_tag_list *t = iam_list_user_tags_result(op);
	ck_assert_uint_eq(t->n, 2);
	ck_assert_str_eq(t->items[0].key, "certerox-aws-setup");
	ck_assert_str_eq(t->items[0].value, "made");
	ck_assert_str_eq(t->items[1].key, "AKIAEXAMPLE");
	aws_op_free(op);
	/* GetUserPolicy: the document is URL-decoded */
	op = iam_get_user_policy_op("u", "p");
	body = "<GetUserPolicyResponse><GetUserPolicyResult><UserName>u</UserName>"
	       "<PolicyName>p</PolicyName><PolicyDocument>%7B%22Version%22%3A%222012-10-17%22%7D"
	       "</PolicyDocument></GetUserPolicyResult></GetUserPolicyResponse>";
	ck_assert_int_eq(feed(op, 200, NULL, body, NULL, &err), CX_OK);
	ck_assert_str_eq(iam_get_user_policy_result(op), "{\"Version\":\"2012-10-17\"}");
	aws_op_free(op);
	/* ListUserPolicies names */
	op = iam_list_user_policies_op("u");
	body = "<ListUserPoliciesResponse><ListUserPoliciesResult><PolicyNames><member>a</member>"
	       "<member>b</member></PolicyNames><IsTruncated>false</IsTruncated>"
	       "</ListUserPoliciesResult></ListUserPoliciesResponse>";
	ck_assert_int_eq(feed(op, 200, NULL, body, NULL, &err), CX_OK);
	ck_assert_uint_eq(iam_list_user_policies_result(op)->n, 2);
	ck_assert_str_eq(iam_list_user_policies_result(op)->names[1], "b");
	aws_op_free(op);
	/* ListPolicyTags: pages (Marker) and (key, value) pairs */
	op = iam_list_policy_tags_op("arn:aws:iam::123456789012:policy/P");
	body = "<ListPolicyTagsResponse><ListPolicyTagsResult><IsTruncated>true</IsTruncated>"
	       "<Marker>m1</Marker><Tags><member><Key>team</Key><Value>billing</Value></member>"
	       "</Tags></ListPolicyTagsResult></ListPolicyTagsResponse>";
	ck_assert_int_eq(feed(op, 200, NULL, body, &more, &err), CX_OK);
	ck_assert(more);
	body = "<ListPolicyTagsResponse><ListPolicyTagsResult><IsTruncated>false</IsTruncated>"
	       "<Tags><member><Key>certerox-aws-setup</Key><Value>made</Value></member></Tags>"
	       "</ListPolicyTagsResult></ListPolicyTagsResponse>";
	ck_assert_int_eq(feed(op, 200, NULL, body, &more, &err), CX_OK);
	ck_assert(!more);
	const struct iam_names *pt = iam_list_policy_tags_result(op);
	ck_assert_uint_eq(pt->n, 2);
	ck_assert_str_eq(pt->names[1], "certerox-aws-setup");
	ck_assert_str_eq(pt->values[0], "billing");
	aws_op_free(op);
	op = iam_list_policy_tags_op("arn:aws:iam::123456789012:policy/P");
	ck_assert_int_eq(feed(op, 200, NULL, "<ListUserTagsResponse/>", NULL, &err), CX_E_PARSE);
	aws_op_free(op);
	/* bcm ListTagsForResource: pages (NextToken), the tags in order, entries without a Key
	 * dropped */
	op = bcm_list_tags_op("arn:aws:bcm-data-exports:us-east-1:123456789012:export/x-1");
	body = "{\"ResourceTags\":[{\"Key\":\"team\",\"Value\":\"b\"},{\"Value\":\"v\"}],"
	       "\"NextToken\":\"t2\"}";
	ck_assert_int_eq(feed(op, 200, NULL, body, &more, &err), CX_OK);
	ck_assert(more);
	body = "{\"ResourceTags\":[{\"Key\":\"certerox-aws-setup\",\"Value\":\"made\"}]}";
	ck_assert_int_eq(feed(op, 200, NULL, body, &more, &err), CX_OK);
	ck_assert(!more);
	const cJSON *bt = bcm_list_tags_result(op);
	ck_assert_int_eq(cJSON_GetArraySize(bt), 2);
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(bt, 1), "Key")->valuestring,
	                 "certerox-aws-setup");
	aws_op_free(op);
}
END_TEST

START_TEST(iam_access_key_secret)
{
	struct cx_err err;
	struct aws_op *op = iam_create_access_key_op("u1");
	ck_assert_int_eq(
	    feed(
	        op, 200, NULL,
	        "<CreateAccessKeyResponse><CreateAccessKeyResult><AccessKey><UserName>u1</UserName>"
	        "<AccessKeyId>AKIAEXAMPLE</AccessKeyId><Status>Active</Status>"
	        "<SecretAccessKey>wJalrXUtnFEMI/K7MDENG</SecretAccessKey></AccessKey>"
	        "</CreateAccessKeyResult></CreateAccessKeyResponse>",
	        NULL, &err),
	    CX_OK);
	const struct iam_access_key *k = iam_create_access_key_result(op);
	ck_assert_str_eq(k->access_key_id, "AKIAEXAMPLE");
	ck_assert_str_eq(k->secret_access_key, "wJalrXUtnFEMI/K7MDENG");
	/* registered with the redactor */
	char msg[128] = "leak wJalrXUtnFEMI/K7MDENG here";
	log_redact_inplace(msg, sizeof(msg));
	ck_assert_ptr_null(strstr(msg, "wJalrXUtnFEMI"));
	aws_op_free(op);
}
END_TEST

/* ---------- ec2 ---------- */

START_TEST(ec2_shapes)
{
	struct cx_err err;
	struct aws_op *op = ec2_describe_regions_op(false, false);
	ck_assert_int_eq(
	    feed(op, 200, NULL,
	         "<DescribeRegionsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15\">"
	         "<requestId>r</requestId><regionInfo><item><regionName>eu-west-1</regionName>"
	         "<regionEndpoint>ec2.eu-west-1.amazonaws.com</regionEndpoint>"
	         "<optInStatus>opt-in-not-required</optInStatus></item><item><regionName>us-east-1"
	         "</regionName></item></regionInfo></DescribeRegionsResponse>",
	         NULL, &err),
	    CX_OK);
	const struct ec2_region_list *l = ec2_describe_regions_result(op);
	ck_assert_uint_eq(l->n, 2);
	ck_assert_str_eq(l->items[0].name, "eu-west-1");
	ck_assert_str_eq(l->items[0].opt_in_status, "opt-in-not-required");
	ck_assert_int_eq(
	    feed(op, 401, NULL,
	         "<Response><Errors><Error><Code>AuthFailure</Code><Message>AWS was not "
	         "able to validate the provided access credentials</Message></Error>"
	         "</Errors><RequestID>ec2-req</RequestID></Response>",
	         NULL, &err),
	    CX_E_CREDENTIALS);
	ck_assert_str_eq(err.request_id, "ec2-req");
	aws_op_free(op);

	op = ec2_describe_regions_op(false, true);
	ck_assert_int_eq(
	    feed(op, 412, NULL,
	         "<Response><Errors><Error><Code>DryRunOperation</Code><Message>Request "
	         "would have succeeded, but DryRun flag is set.</Message></Error>"
	         "</Errors><RequestID>x</RequestID></Response>",
	         NULL, &err),
	    CX_OK);
	ck_assert(ec2_describe_regions_result(op)->dry_run_allowed);
	aws_op_free(op);
	op = ec2_describe_regions_op(false, true);
	ck_assert_int_eq(
	    feed(op, 403, NULL,
	         "<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You "
	         "are not authorized to perform this operation.</Message></Error>"
	         "</Errors></Response>",
	         NULL, &err),
	    CX_E_DENIED);
	ck_assert_ptr_nonnull(strstr(err.msg, "ec2:DescribeRegions"));
	ck_assert(!ec2_describe_regions_result(op)->dry_run_allowed);
	aws_op_free(op);
}
END_TEST

/* ---------- JSON 1.1 ---------- */

START_TEST(json_error_variants)
{
	struct aws_error e;
	struct http_response r;
	mkresp(
	    &r, 400, "x-amzn-RequestId: jr-1",
	    "{\"__type\":\"com.amazonaws.bcmdataexports#ValidationException\",\"message\":\"bad\","
	    "\"Reason\":\"fieldValidationFailed\",\"Fields\":[{\"Name\":\"export.name\","
	    "\"Message\":\"must match pattern\"}]}");
	awserr_parse(AWS_PROTO_JSON, &r, &e);
	ck_assert_str_eq(e.code, "ValidationException");
	ck_assert_str_eq(e.request_id, "jr-1");
	ck_assert_str_eq(e.reason, "fieldValidationFailed");
	ck_assert_ptr_nonnull(strstr(e.message, "export.name: must match pattern"));
	ck_assert_int_eq(awserr_classify(e.code, e.http_status), CX_E_INVALID);
	http_response_free(&r);

	/* header fallback with the ":http://..." suffix, capital Message */
	mkresp(&r, 400, "x-amzn-ErrorType: AccessDeniedException:http://internal.amazon.com/",
	       "{\"Message\":\"no\"}");
	awserr_parse(AWS_PROTO_JSON, &r, &e);
	ck_assert_str_eq(e.code, "AccessDeniedException");
	ck_assert_str_eq(e.message, "no");
	http_response_free(&r);

	/* __type wins over the header; plain (no '#') __type */
	mkresp(
	    &r, 400, "x-amzn-ErrorType: Other",
	    "{\"__type\":\"AWSOrganizationsNotInUseException\",\"Message\":\"Your account is not "
	    "a member of an organization.\"}");
	awserr_parse(AWS_PROTO_JSON, &r, &e);
	ck_assert_str_eq(e.code, "AWSOrganizationsNotInUseException");
	http_response_free(&r);

	/* malformed / truncated body: falls back to the HTTP status */
	mkresp(&r, 503, NULL, "{\"__type\":\"Thrott");
	awserr_parse(AWS_PROTO_JSON, &r, &e);
	ck_assert_str_eq(e.code, "ServiceUnavailable");
	ck_assert(awserr_retryable(e.code, e.http_status));
	http_response_free(&r);
	/* an XML error on a JSON service (moto's auth layer) */
	mkresp(&r, 403, NULL,
	       "<ErrorResponse><Error><Code>InvalidClientTokenId</Code><Message>m</Message></Error>"
	       "</ErrorResponse>");
	awserr_parse(AWS_PROTO_JSON, &r, &e);
	ck_assert_str_eq(e.code, "InvalidClientTokenId");
	http_response_free(&r);
}
END_TEST

START_TEST(json_ops)
{
	struct cx_err err;
	bool more;
	struct aws_op *op = org_describe_organization_op("111111111111");
	ck_assert_int_eq(
	    feed(op, 200, NULL,
	         "{\"Organization\":{\"Id\":\"o-1\",\"MasterAccountId\":\"111111111111\","
	         "\"FeatureSet\":\"ALL\"}}",
	         NULL, &err),
	    CX_OK);
	ck_assert_int_eq(org_describe_organization_result(op)->role, ORG_MANAGEMENT);
	ck_assert_int_eq(feed(op, 200, NULL,
	                      "{\"Organization\":{\"Id\":\"o-1\",\"MasterAccountId\":\"222\"}}",
	                      NULL, &err),
	                 CX_OK);
	ck_assert_int_eq(org_describe_organization_result(op)->role, ORG_MEMBER);
	ck_assert_int_eq(
	    feed(op, 400, "x-amzn-ErrorType: AWSOrganizationsNotInUseException",
	         "{\"__type\":\"AWSOrganizationsNotInUseException\",\"Message\":\"x\"}", NULL,
	         &err),
	    CX_OK);
	ck_assert_int_eq(org_describe_organization_result(op)->role, ORG_STANDALONE);
	ck_assert_int_eq(feed(op, 400, NULL,
	                      "{\"__type\":\"AccessDeniedException\",\"Message\":\"denied\"}", NULL,
	                      &err),
	                 CX_OK);
	ck_assert_int_eq(org_describe_organization_result(op)->role, ORG_UNKNOWN);
	ck_assert_int_eq(feed(op, 200, NULL, "[1,2]", NULL, &err), CX_E_PARSE);
	ck_assert_int_eq(feed(op, 200, NULL, "{\"Organization\":", NULL, &err), CX_E_PARSE);
	aws_op_free(op);

	op = bcm_list_exports_op();
	ck_assert_int_eq(
	    feed(op, 200, NULL,
	         "{\"Exports\":[{\"ExportArn\":\"arn:1\",\"ExportName\":\"a\","
	         "\"ExportStatus\":{\"StatusCode\":\"HEALTHY\"}}],\"NextToken\":\"t\"}",
	         &more, &err),
	    CX_OK);
	ck_assert(more);
	ck_assert_int_eq(
	    feed(op, 200, NULL, "{\"Exports\":[{\"ExportArn\":\"arn:2\"}]}", &more, &err), CX_OK);
	ck_assert(!more);
	const struct bcm_export_list *l = bcm_list_exports_result(op);
	ck_assert_uint_eq(l->n, 2);
	ck_assert_str_eq(l->items[0].status_code, "HEALTHY");
	ck_assert_int_eq(cJSON_GetArraySize(l->json), 2);
	aws_op_free(op);

	op = bcm_get_export_op("arn:x");
	ck_assert_int_eq(
	    feed(op, 200, NULL,
	         "{\"Export\":{\"ExportArn\":\"arn:x\",\"Name\":\"n\"},\"ExportStatus\":"
	         "{\"StatusCode\":\"UNHEALTHY\",\"StatusReason\":\"INSUFFICIENT_PERMISSION\"}}",
	         NULL, &err),
	    CX_OK);
	ck_assert_str_eq(bcm_get_export_result(op)->status_reason, "INSUFFICIENT_PERMISSION");
	ck_assert_int_eq(feed(op, 400, NULL,
	                      "{\"__type\":\"ResourceNotFoundException\",\"message\":\"no\"}", NULL,
	                      &err),
	                 CX_E_NOT_FOUND);
	aws_op_free(op);

	op = cur_describe_report_definitions_op();
	ck_assert_int_eq(
	    feed(op, 200, NULL,
	         "{\"ReportDefinitions\":[{\"ReportName\":\"r1\",\"TimeUnit\":\"DAILY\"}]}", &more,
	         &err),
	    CX_OK);
	ck_assert(!more);
	ck_assert_str_eq(cur_describe_report_definitions_result(op)->items[0].name, "r1");
	ck_assert_int_eq(feed(op, 400, NULL,
	                      "{\"__type\":\"DuplicateReportNameException\",\"Message\":\"dup\"}",
	                      NULL, &err),
	                 CX_E_CONFLICT);
	aws_op_free(op);
}
END_TEST

/* ---------- S3 ---------- */

START_TEST(s3_errors)
{
	struct aws_error e;
	struct http_response r;
	mkresp(&r, 404, "x-amz-request-id: s3r",
	       "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchBucketPolicy</Code>"
	       "<Message>The bucket policy does not exist</Message><BucketName>b</BucketName>"
	       "<RequestId>s3r</RequestId><HostId>h</HostId></Error>");
	awserr_parse(AWS_PROTO_REST_XML, &r, &e);
	ck_assert_str_eq(e.code, "NoSuchBucketPolicy");
	ck_assert_str_eq(e.request_id, "s3r");
	ck_assert_int_eq(awserr_classify(e.code, 404), CX_E_NOT_FOUND);
	http_response_free(&r);

	/* HEAD: no body */
	mkresp(&r, 404, "x-amz-request-id: h1", NULL);
	awserr_parse(AWS_PROTO_REST_XML, &r, &e);
	ck_assert_str_eq(e.code, "NotFound");
	ck_assert_int_eq(awserr_classify(e.code, 404), CX_E_NOT_FOUND);
	http_response_free(&r);
	mkresp(&r, 301, "x-amz-bucket-region: eu-west-1", NULL);
	awserr_parse(AWS_PROTO_REST_XML, &r, &e);
	ck_assert_str_eq(e.code, "PermanentRedirect");
	ck_assert_str_eq(e.region, "eu-west-1");
	http_response_free(&r);
	mkresp(&r, 403, NULL, NULL);
	awserr_parse(AWS_PROTO_REST_XML, &r, &e);
	ck_assert_int_eq(awserr_classify(e.code, 403), CX_E_DENIED);
	http_response_free(&r);

	mkresp(&r, 400, NULL,
	       "<Error><Code>AuthorizationHeaderMalformed</Code><Message>the region 'us-east-1' is "
	       "wrong; expecting 'eu-central-1'</Message><Region>eu-central-1</Region></Error>");
	awserr_parse(AWS_PROTO_REST_XML, &r, &e);
	ck_assert_str_eq(e.region, "eu-central-1");
	http_response_free(&r);

	mkresp(&r, 503, NULL, "<Error><Code>SlowDown</Code><Message>Reduce</Message></Error>");
	awserr_parse(AWS_PROTO_REST_XML, &r, &e);
	ck_assert_int_eq(awserr_classify(e.code, 503), CX_E_THROTTLED);
	ck_assert(awserr_retryable(e.code, 503));
	http_response_free(&r);

	/* truncated error body: status fallback, message says so */
	mkresp(&r, 500, NULL, "<Error><Code>Intern");
	awserr_parse(AWS_PROTO_REST_XML, &r, &e);
	ck_assert_str_eq(e.code, "InternalError");
	ck_assert_ptr_nonnull(strstr(e.message, "unreadable"));
	http_response_free(&r);
}
END_TEST

START_TEST(s3_success_shapes)
{
	struct cx_err err;
	bool more;
	struct aws_op *op = s3_list_objects_op("b", "p/", NULL, 0);
	ck_assert_int_eq(
	    feed(
	        op, 200, NULL,
	        "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>b</Name>"
	        "<EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>"
	        "<NextContinuationToken>tok==</NextContinuationToken>"
	        "<Contents><Key>p/a%3Db+c%28%2B%29%C3%A9</Key><Size>12</Size></Contents>"
	        "<CommonPrefixes><Prefix>p/sp+ace/</Prefix></CommonPrefixes></ListBucketResult>",
	        &more, &err),
	    CX_OK);
	ck_assert(more);
	ck_assert_int_eq(feed(op, 200, NULL,
	                      "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>p/z"
	                      "</Key></Contents></ListBucketResult>",
	                      &more, &err),
	                 CX_OK);
	ck_assert(!more);
	const struct s3_listing *l = s3_list_objects_result(op);
	ck_assert_uint_eq(l->nobjects, 2);
	ck_assert_str_eq(l->objects[0].key, "p/a=b c(+)\xc3\xa9");
	ck_assert_int_eq(l->objects[0].size, 12);
	ck_assert_str_eq(l->prefixes[0], "p/sp ace/");
	ck_assert_int_eq(
	    feed(op, 200, NULL,
	         "<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>", &more,
	         &err),
	    CX_E_PARSE);
	aws_op_free(op);

	op = s3_get_bucket_location_op("b");
	ck_assert_int_eq(
	    feed(op, 200, NULL,
	         "<LocationConstraint xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"/>", NULL,
	         &err),
	    CX_OK);
	ck_assert_str_eq(s3_get_bucket_location_result(op), "us-east-1");
	ck_assert_int_eq(
	    feed(op, 200, NULL, "<LocationConstraint>EU</LocationConstraint>", NULL, &err), CX_OK);
	ck_assert_str_eq(s3_get_bucket_location_result(op), "eu-west-1");
	aws_op_free(op);

	op = s3_head_bucket_op("b");
	ck_assert_int_eq(feed(op, 200, "x-amz-bucket-region: ap-south-1", NULL, NULL, &err), CX_OK);
	ck_assert_str_eq(s3_head_bucket_result(op), "ap-south-1");
	ck_assert_int_eq(feed(op, 403, "x-amz-bucket-region: eu-north-1", NULL, NULL, &err),
	                 CX_E_DENIED);
	ck_assert_str_eq(s3_head_bucket_result(op), "eu-north-1");
	aws_op_free(op);

	char md5[25];
	s3_content_md5("", 0, md5);
	ck_assert_str_eq(md5, "1B2M2Y8AsgTpgAmY7PhCfg==");
}
END_TEST

/* ---------- XML safety, size ---------- */

START_TEST(xml_safety)
{
	struct cx_err err;
	cx_err_clear(&err);
	const char *bomb = "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\">"
	                   "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]><l>&b;</l>";
	ck_assert_ptr_null(xml_parse(bomb, strlen(bomb), 1 << 20, &err));
	ck_assert_int_eq(err.status, CX_E_PARSE);
	const char *ext = "<?xml version=\"1.0\"?><!DOCTYPE x SYSTEM \"http://127.0.0.1:1/x.dtd\">"
	                  "<x/>";
	ck_assert_ptr_null(xml_parse(ext, strlen(ext), 1 << 20, &err));
	const char *ok = "<a><b>1</b></a>";
	ck_assert_ptr_null(xml_parse(ok, strlen(ok), 4, &err));
	ck_assert_int_eq(err.status, CX_E_TOO_LARGE);
	xmlDoc *d = xml_parse(ok, strlen(ok), 100, &err);
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(xml_path_int(xml_root(d), "b", 0), 1);
	xml_free(d);
}
END_TEST

START_TEST(oversized_answer)
{
	/* a body over the cap arriving as an error answer is summarised, not parsed */
	struct aws_error e;
	struct http_response r;
	memset(&r, 0, sizeof(r));
	r.status = 500;
	size_t n = 2 * 1024 * 1024;
	char *big = xmalloc(n + 1);
	memset(big, '<', n);
	big[n] = '\0';
	buf_append(&r.body, big, n);
	free(big);
	awserr_parse(AWS_PROTO_REST_XML, &r, &e);
	ck_assert_str_eq(e.code, "InternalError");
	ck_assert_ptr_nonnull(strstr(e.message, "not read"));
	http_response_free(&r);
}
END_TEST

/* ---------- classification and retries ---------- */

START_TEST(retry_decisions)
{
	static const char *const retry[] = {"Throttling",
	                                    "ThrottlingException",
	                                    "SlowDown",
	                                    "RequestLimitExceeded",
	                                    "TooManyRequestsException",
	                                    "RequestTimeout",
	                                    "PriorRequestNotComplete",
	                                    "EC2ThrottledException",
	                                    NULL};
	for (size_t i = 0; retry[i]; i++)
		ck_assert_msg(awserr_retryable(retry[i], 400), "%s should retry", retry[i]);
	ck_assert(awserr_retryable("InternalError", 500));
	ck_assert(awserr_retryable("Whatever", 502));
	ck_assert(awserr_retryable("ServiceUnavailable", 503));
	ck_assert(awserr_retryable("GatewayTimeout", 504));
	ck_assert(!awserr_retryable("LimitExceeded", 409));
	ck_assert(!awserr_retryable("LimitExceeded", 500)); /* never, whatever the status */
	ck_assert(!awserr_retryable("EntityAlreadyExists", 409));
	ck_assert(!awserr_retryable("AccessDenied", 403));
	ck_assert(!awserr_retryable("ValidationException", 400));
	ck_assert(!awserr_retryable("NotImplemented", 501));
	ck_assert_int_eq(awserr_classify("LimitExceeded", 409), CX_E_CONFLICT);
	ck_assert_int_eq(awserr_classify("MalformedPolicyDocument", 400), CX_E_INVALID);
	ck_assert_int_eq(awserr_classify("UnrecognizedClientException", 400), CX_E_CREDENTIALS);
	ck_assert_int_eq(awserr_classify("InvalidAccessKeyId", 403), CX_E_CREDENTIALS);
	ck_assert_int_eq(awserr_classify("ExpiredToken", 400), CX_E_CREDENTIALS);
	ck_assert_int_eq(awserr_classify("UnauthorizedOperation", 403), CX_E_DENIED);
	ck_assert_int_eq(awserr_classify("InternalServerException", 500), CX_E_SERVER);
	ck_assert_int_eq(awserr_classify("Unknown", 418), CX_E_INVALID);
	ck_assert(awserr_is_clock_skew("RequestTimeTooSkewed", ""));
	ck_assert(awserr_is_clock_skew("RequestExpired", ""));
	ck_assert(awserr_is_clock_skew("SignatureDoesNotMatch", "Signature expired: 2020 is now "
	                                                        "earlier than 2021"));
	ck_assert(!awserr_is_clock_skew("SignatureDoesNotMatch", "does not match"));
	ck_assert(awserr_is_clock_skew("InvalidSignatureException", "Signature expired: x"));
}
END_TEST

START_TEST(backoff_and_helpers)
{
	for (int a = 1; a <= 10; a++) {
		long cap = 100L << (a - 1);
		if (cap > 20000)
			cap = 20000;
		for (int k = 0; k < 50; k++) {
			long d = http_backoff_ms(a, 0);
			ck_assert(d >= 0 && d <= cap);
		}
	}
	ck_assert_int_ge(http_backoff_ms(1, 3000), 3000);
	ck_assert_int_le(http_backoff_ms(1, 999000), 20000);
	struct http_response r;
	mkresp(&r, 503, "Retry-After: 2", NULL);
	ck_assert_int_eq(http_retry_after_ms(&r), 2000);
	http_response_free(&r);
	mkresp(&r, 503, NULL, NULL);
	ck_assert_int_eq(http_retry_after_ms(&r), 0);
	http_response_free(&r);
	ck_assert_int_eq(http_parse_date("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
	ck_assert_int_eq(http_parse_date("garbage"), -1);
	char o[128];
	http_url_origin("https://h.example/a?b", o, sizeof(o));
	ck_assert_str_eq(o, "https://h.example:443");
	http_url_origin("https://u:p@127.0.0.1:8443/x", o, sizeof(o));
	ck_assert_str_eq(o, "https://127.0.0.1:8443");
	char *d = aws_url_decode("a%2Fb+c%zz%4", true);
	ck_assert_str_eq(d, "a/b c%zz%4");
	free(d);
	struct buf b = BUF_INIT;
	aws_form_add(&b, "K", "a b/c~é");
	ck_assert_str_eq(buf_str(&b), "&K=a+b%2Fc~%C3%A9");
	buf_reset(&b);
	aws_query_add(&b, "prefix", "a b/c");
	ck_assert_str_eq(buf_str(&b), "prefix=a%20b%2Fc");
	buf_free(&b);
}
END_TEST

START_TEST(http_ctx_invalid_url_and_timers)
{
	struct cx_err err;
	struct http_ctx *ctx = http_ctx_new(NULL, &err);
	ck_assert_ptr_nonnull(ctx);
	ck_assert_int_eq(http_ctx_opts(ctx)->max_parallel, 16);
	ck_assert_int_eq(http_ctx_opts(ctx)->total_timeout_ms, 60000);
	struct http_request rq = {.method = "GET", .url = "http://example.com/x"};
	struct http_response resp;
	ck_assert_int_eq(http_request_sync(ctx, &rq, NULL, &resp, &err), CX_E_INPUT);
	ck_assert_ptr_nonnull(strstr(err.msg, "loopback"));
	http_response_free(&resp);
	rq.url = "ftp://127.0.0.1/x";
	ck_assert_int_eq(http_request_sync(ctx, &rq, NULL, &resp, &err), CX_E_INPUT);
	http_response_free(&resp);
	/* nothing listens on port 1: a network error after retries (fast backoff) */
	rq.url = "http://127.0.0.1:1/x";
	struct http_call_opts co = {.max_attempts = 2};
	ck_assert_int_eq(http_request_sync(ctx, &rq, &co, &resp, &err), CX_E_NETWORK);
	ck_assert_ptr_nonnull(strstr(err.msg, "http://127.0.0.1:1"));
	http_response_free(&resp);
	ck_assert(!http_ctx_busy(ctx));
	http_ctx_free(ctx);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("awsparse");
	TCase *t = tcase_create("core");
	tcase_add_test(t, sts_identity_ok);
	tcase_add_test(t, query_truncated_and_malformed);
	tcase_add_test(t, query_error_conflict);
	tcase_add_test(t, query_error_denied_names_action);
	tcase_add_test(t, query_credentials_and_throttle);
	tcase_add_test(t, iam_pagination_and_document);
	tcase_add_test(t, iam_access_key_secret);
	tcase_add_test(t, iam_life_shapes);
	tcase_add_test(t, ec2_shapes);
	tcase_add_test(t, json_error_variants);
	tcase_add_test(t, json_ops);
	tcase_add_test(t, s3_errors);
	tcase_add_test(t, s3_success_shapes);
	tcase_add_test(t, xml_safety);
	tcase_add_test(t, oversized_answer);
	tcase_add_test(t, retry_decisions);
	tcase_add_test(t, backoff_and_helpers);
	tcase_add_test(t, http_ctx_invalid_url_and_timers);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	secmem_init();
	SRunner *r = srunner_create(suite());
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? 1 : 0;
}
