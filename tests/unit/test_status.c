/* test_status - the --status pieces without network: the parsers of the operations it added
 * (bcm ListExecutions/GetExecution, iam GetAccessKeyLastUsed) on AWS-shaped answers, the
 * time parser, and the problems derived from a data source's facts (run/status_eval.c). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "aws/bcm.h"
#include "aws/client.h"
#include "aws/iam.h"
#include "run/status.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/secmem.h"

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

START_TEST(list_executions_pages)
{
	struct aws_op *op =
	    bcm_list_executions_op("arn:aws:bcm-data-exports:us-east-1:123456789012:export/x-1");
	struct cx_err err;
	bool more = false;
	ck_assert_int_eq(feed(op, 200,
	                      "{\"Executions\":[{\"ExecutionId\":\"e1\",\"ExecutionStatus\":"
	                      "{\"StatusCode\":\"DELIVERY_SUCCESS\",\"CreatedAt\":"
	                      "\"2026-12-01T10:00:00Z\"}},{\"nope\":1}],\"NextToken\":\"t2\"}",
	                      &more, &err),
	                 CX_OK);
	ck_assert(more);
	ck_assert_int_eq(feed(op, 200,
	                      "{\"Executions\":[{\"ExecutionId\":\"e2\",\"ExecutionStatus\":"
	                      "{\"StatusCode\":\"DELIVERY_FAILURE\",\"StatusReason\":"
	                      "\"INSUFFICIENT_PERMISSION\"}}]}",
	                      &more, &err),
	                 CX_OK);
	ck_assert(!more);
	const cJSON *arr = bcm_list_executions_result(op);
	ck_assert_int_eq(cJSON_GetArraySize(arr), 2); /* the entry without an id is dropped */
	ck_assert_str_eq(json_str(cJSON_GetArrayItem(arr, 1), "ExecutionId"), "e2");
	aws_op_free(op);

	op = bcm_get_execution_op("arn:aws:bcm-data-exports:us-east-1:123456789012:export/x-1",
	                          "e2");
	ck_assert_int_eq(feed(op, 200, "{\"ExecutionId\":\"e2\"}", NULL, &err), CX_E_PARSE);
	ck_assert_int_eq(feed(op, 200,
	                      "{\"ExecutionId\":\"e2\",\"ExecutionStatus\":{\"StatusCode\":"
	                      "\"QUERY_FAILURE\",\"StatusReason\":\"BILL_OWNER_CHANGED\"}}",
	                      NULL, &err),
	                 CX_OK);
	ck_assert_str_eq(
	    json_str(json_obj(bcm_get_execution_result(op), "ExecutionStatus"), "StatusReason"),
	    "BILL_OWNER_CHANGED");
	ck_assert_int_eq(
	    feed(op, 400,
	         "{\"__type\":\"com.amazonaws.bcmdataexports#ResourceNotFoundException\","
	         "\"Message\":\"Execution e9 not found\"}",
	         NULL, &err),
	    CX_E_NOT_FOUND);
	aws_op_free(op);
}
END_TEST

START_TEST(key_last_used)
{
	struct aws_op *op = iam_get_access_key_last_used_op("AKIAEXAMPLE");
	struct cx_err err;
	ck_assert_int_eq(feed(op, 200,
	                      "<GetAccessKeyLastUsedResponse><GetAccessKeyLastUsedResult>"
	                      "<UserName>certerox-billing</UserName><AccessKeyLastUsed>"
	                      "<LastUsedDate>2026-11-30T08:00:00Z</LastUsedDate>"
	                      "<ServiceName>s3</ServiceName><Region>us-east-1</Region>"
	                      "</AccessKeyLastUsed></GetAccessKeyLastUsedResult>"
	                      "</GetAccessKeyLastUsedResponse>",
	                      NULL, &err),
	                 CX_OK);
	const struct iam_key_last_used *u = iam_get_access_key_last_used_result(op);
	ck_assert_str_eq(u->user_name, "certerox-billing");
	ck_assert_str_eq(u->last_used_date, "2026-11-30T08:00:00Z");
	ck_assert_str_eq(u->service_name, "s3");
	ck_assert_int_eq(feed(op, 200,
	                      "<GetAccessKeyLastUsedResponse><GetAccessKeyLastUsedResult>"
	                      "<UserName>u</UserName><AccessKeyLastUsed><ServiceName>N/A"
	                      "</ServiceName><Region>N/A</Region></AccessKeyLastUsed>"
	                      "</GetAccessKeyLastUsedResult></GetAccessKeyLastUsedResponse>",
	                      NULL, &err),
	                 CX_OK);
	ck_assert_ptr_null(iam_get_access_key_last_used_result(op)->last_used_date);
	ck_assert_int_eq(
	    feed(op, 404,
	         "<ErrorResponse><Error><Type>Sender</Type><Code>NoSuchEntity</Code>"
	         "<Message>The Access Key with id AKIAEXAMPLE cannot be found</Message>"
	         "</Error><RequestId>r</RequestId></ErrorResponse>",
	         NULL, &err),
	    CX_E_NOT_FOUND);
	aws_op_free(op);
}
END_TEST

START_TEST(parse_time)
{
	ck_assert_int_eq(status_parse_time("1970-01-02T00:00:00Z"), 86400);
	ck_assert_int_eq(status_parse_time("2026-12-03T16:25:24.509664Z"), 1796315124);
	ck_assert_int_eq(status_parse_time("2026-12-03T18:25:24+02:00"), 1796315124);
	ck_assert_int_eq(status_parse_time("2026-13-03T16:25:24Z"), -1);
	ck_assert_int_eq(status_parse_time("yesterday"), -1);
	ck_assert_int_eq(status_parse_time(NULL), -1);
}
END_TEST

/* A healthy Root CUR 2.0 data source, every check made. */
static void healthy(struct status_ds *d)
{
	memset(d, 0, sizeof(*d));
	d->id = xstrdup("ds-1");
	d->name = xstrdup("prod");
	d->account_id = xstrdup("123456789012");
	d->access_key_id = xstrdup("AKIAEXAMPLE");
	d->bucket = xstrdup("b");
	d->prefix = xstrdup("reports");
	d->report = xstrdup("certerox-cur2");
	d->reachable = true;
	d->export_exists = d->bucket_exists = d->policy_permits = d->listed = STATUS_YES;
	d->export_status = xstrdup("HEALTHY");
	d->exec_status = xstrdup("DELIVERY_SUCCESS");
	d->files = 1;
	d->key_exists = d->in_vault = d->permissions = STATUS_YES;
	d->key_status = xstrdup("Active");
	d->key_user = xstrdup("certerox-billing");
	d->key_age_days = 3;
	d->last_import_at = d->last_import_attempt_at = 1000;
}

static const char *only(struct status_ds *d)
{
	status_evaluate(d, true, 0);
	return d->nproblems == 1 ? d->problems[0].code : d->nproblems ? "several" : "none";
}

START_TEST(evaluate_each_code)
{
	struct status_ds d;
	healthy(&d);
	ck_assert_str_eq(only(&d), "none");
	d.export_exists = STATUS_NO;
	ck_assert_str_eq(only(&d), "export_missing");
	d.export_exists = STATUS_YES;
	free(d.exec_status);
	d.exec_status = xstrdup("DELIVERY_FAILURE");
	ck_assert_str_eq(only(&d), "export_unhealthy");
	free(d.exec_status);
	d.exec_status = NULL;
	free(d.export_status);
	d.export_status = xstrdup("UNHEALTHY");
	ck_assert_str_eq(only(&d), "export_unhealthy");
	ck_assert(strstr(d.problems[0].message, "certerox-cur2"));
	free(d.export_status);
	d.export_status = xstrdup("HEALTHY");
	d.files = 0;
	ck_assert_str_eq(only(&d), "no_delivery_yet");
	ck_assert_str_eq(d.problems[0].action, "wait");
	d.files = 1;
	d.policy_permits = STATUS_NO;
	ck_assert_str_eq(only(&d), "bucket_policy_blocks_delivery");
	d.policy_permits = STATUS_YES;
	d.bucket_exists = STATUS_NO;
	ck_assert_str_eq(only(&d), "bucket_missing");
	d.bucket_exists = STATUS_YES;
	d.key_exists = STATUS_NO;
	ck_assert_str_eq(only(&d), "key_missing");
	ck_assert_str_eq(d.problems[0].action, "rotate");
	d.key_exists = STATUS_YES;
	free(d.key_status);
	d.key_status = xstrdup("Inactive");
	ck_assert_str_eq(only(&d), "key_inactive");
	ck_assert(strstr(d.problems[0].fix,
	                 "aws iam update-access-key --user-name certerox-billing "
	                 "--access-key-id AKIAEXAMPLE --status Active"));
	free(d.key_status);
	d.key_status = xstrdup("Active");
	d.key_age_days = 90;
	ck_assert_str_eq(only(&d), "none");
	d.key_age_days = 91;
	ck_assert_str_eq(only(&d), "key_old");
	d.key_age_days = 3;
	d.in_vault = STATUS_NO;
	ck_assert_str_eq(only(&d), "key_not_in_vault");
	d.in_vault = STATUS_UNKNOWN;
	ck_assert_str_eq(only(&d), "none");
	d.permissions = STATUS_NO;
	d.permission_error = xstrdup("may not perform s3:ListBucket");
	ck_assert_str_eq(only(&d), "permission_missing");
	ck_assert(strstr(d.problems[0].message, "s3:ListBucket"));
	d.permissions = STATUS_YES;
	d.last_import_attempt_error = xstrdup("Bucket b not found");
	ck_assert_str_eq(only(&d), "none"); /* an old error: the last attempt succeeded */
	d.last_import_attempt_at = 2000;
	ck_assert_str_eq(only(&d), "import_failed");
	ck_assert(strstr(d.problems[0].message, "Bucket b not found"));
	d.last_import_attempt_at = 1000;
	d.reachable = false;
	ck_assert_str_eq(only(&d), "account_unreachable");
	ck_assert(strstr(d.problems[0].fix, "--status --data-source ds-1"));
	ck_assert_str_eq(d.problems[0].action, "command");
	d.unreachable_reason = xstrdup("account 234567890123 is not a member");
	ck_assert_str_eq(only(&d), "account_unreachable");
	ck_assert(strstr(d.problems[0].message, "account 234567890123 is not a member"));
	d.reachable = true;
	d.linked = true;
	status_evaluate(&d, false, 0);
	ck_assert_int_eq(d.nproblems, 1);
	ck_assert_str_eq(d.problems[0].code, "linked_without_root");
	ck_assert_str_eq(only(&d), "none"); /* linked: no export or bucket checks */
	status_ds_free(&d);
}
END_TEST

START_TEST(evaluate_legacy)
{
	struct status_ds d;
	healthy(&d);
	d.legacy = true;
	d.report_last_status = xstrdup("SUCCESS");
	ck_assert_str_eq(only(&d), "none");
	free(d.report_last_status);
	d.report_last_status = xstrdup("ERROR_PERMISSIONS");
	ck_assert_str_eq(only(&d), "export_unhealthy");
	ck_assert(strstr(d.problems[0].message, "ERROR_PERMISSIONS"));
	status_ds_free(&d);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("status");
	TCase *t = tcase_create("core");
	tcase_add_test(t, list_executions_pages);
	tcase_add_test(t, key_last_used);
	tcase_add_test(t, parse_time);
	tcase_add_test(t, evaluate_each_code);
	tcase_add_test(t, evaluate_legacy);
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
