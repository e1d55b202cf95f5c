/* awsop - runs one AWS operation of src/aws with JSON arguments and prints the JSON result.
 *
 *   awsop [options] OPERATION [ARGS-JSON]
 *     --parallel N        start N copies at once (async, one http_ctx) and wait for all
 *     --sync              use the synchronous function instead of op + loop
 *     --timeout-ms N      per-attempt total timeout; --connect-timeout-ms N
 *     --max-response N    response size cap in bytes
 *     --secret-file PATH  CreateAccessKey: write the new secret there (mode 0600)
 *     --cancel-after-ms N cancel everything (http_ctx_cancel_all) after N ms
 *     --repeat R          run the (parallel) batch R times in a row on the same ctx
 *     --no-transport-retry aws_op_set_transport_retry(op, false) (as the engine does for
 *                         CreateAccessKey): never sent twice, neither by the op nor by libcurl
 *     --when-sent         http_ctx_when_sent: print "when-sent: T" (wall clock) when it fires
 *                         and "first-answer: T" at the end
 *   Credentials, region, endpoint and CA bundle come from the usual environment
 *   (AWS_ACCESS_KEY_ID, AWS_ENDPOINT_URL, AWS_CA_BUNDLE, ...).
 *
 * stdout: {"status": "CX_OK", "attempts": n, "result": {...}} (an array of those with
 * --parallel); on failure {"status": "CX_E_...", "code", "http_status", "message", "where",
 * "request_id"} and the exit code of the status (77 credentials/denied, 69 unavailable, ...).
 * Retry events go to stderr as "retry: SERVICE OPERATION attempt N (REASON) in D ms".
 * Secrets are never printed. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "aws/bcm.h"
#include "aws/client.h"
#include "aws/config.h"
#include "aws/cur.h"
#include "aws/ec2.h"
#include "aws/iam.h"
#include "aws/iam_life.h"
#include "aws/org.h"
#include "aws/s3.h"
#include "aws/sts.h"
#include "util/json.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/secmem.h"

static const char *secret_file;

static const char *a_str(const cJSON *a, const char *k)
{
	return json_str(a, k);
}

static bool a_bool(const cJSON *a, const char *k)
{
	return json_bool(a, k, false);
}

static void add_str(cJSON *o, const char *k, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

static struct aws_op *make_op(const char *name, const cJSON *a)
{
	if (!strcmp(name, "GetCallerIdentity"))
		return sts_get_caller_identity_op();
	if (!strcmp(name, "CreatePolicy"))
		return iam_create_policy_op(a_str(a, "name"), a_str(a, "document"),
		                            a_str(a, "path"), a_str(a, "description"));
	if (!strcmp(name, "GetPolicy"))
		return iam_get_policy_op(a_str(a, "arn"));
	if (!strcmp(name, "GetPolicyVersion"))
		return iam_get_policy_version_op(a_str(a, "arn"), a_str(a, "version_id"));
	if (!strcmp(name, "ListPolicyVersions"))
		return iam_list_policy_versions_op(a_str(a, "arn"));
	if (!strcmp(name, "ListPolicies"))
		return iam_list_local_policies_op((int)json_num(a, "max_items", 100));
	if (!strcmp(name, "CreatePolicyVersion"))
		return iam_create_policy_version_op(a_str(a, "arn"), a_str(a, "document"),
		                                    a_bool(a, "set_default"));
	if (!strcmp(name, "DeletePolicyVersion"))
		return iam_delete_policy_version_op(a_str(a, "arn"), a_str(a, "version_id"));
	if (!strcmp(name, "CreateUser")) {
		struct aws_op *o = iam_create_user_op(a_str(a, "name"), a_str(a, "path"));
		if (a_str(a, "tag_key"))
			iam_op_set_tag(o, a_str(a, "tag_key"), a_str(a, "tag_value"));
		return o;
	}
	if (!strcmp(name, "TagUser"))
		return iam_tag_user_op(a_str(a, "user"), a_str(a, "key"), a_str(a, "value"));
	if (!strcmp(name, "ListUserTags"))
		return iam_list_user_tags_op(a_str(a, "user"));
	if (!strcmp(name, "GetUser"))
		return iam_get_user_op(a_str(a, "name"));
	if (!strcmp(name, "ListUsers"))
		return iam_list_users_op();
	if (!strcmp(name, "AttachUserPolicy"))
		return iam_attach_user_policy_op(a_str(a, "user"), a_str(a, "arn"));
	if (!strcmp(name, "ListAttachedUserPolicies"))
		return iam_list_attached_user_policies_op(a_str(a, "user"));
	if (!strcmp(name, "CreateAccessKey"))
		return iam_create_access_key_op(a_str(a, "user"));
	if (!strcmp(name, "ListAccessKeys"))
		return iam_list_access_keys_op(a_str(a, "user"));
	if (!strcmp(name, "DeleteAccessKey"))
		return iam_delete_access_key_op(a_str(a, "user"), a_str(a, "access_key_id"));
	if (!strcmp(name, "GetAccessKeyLastUsed"))
		return iam_get_access_key_last_used_op(a_str(a, "access_key_id"));
	if (!strcmp(name, "UpdateAccessKey"))
		return iam_update_access_key_op(a_str(a, "user"), a_str(a, "access_key_id"),
		                                a_str(a, "status"));
	if (!strcmp(name, "DetachUserPolicy"))
		return iam_detach_user_policy_op(a_str(a, "user"), a_str(a, "arn"));
	if (!strcmp(name, "DeleteUser"))
		return iam_delete_user_op(a_str(a, "user"));
	if (!strcmp(name, "DeletePolicy"))
		return iam_delete_policy_op(a_str(a, "arn"));
	if (!strcmp(name, "DeleteBucketPolicy"))
		return s3_delete_bucket_policy_op(a_str(a, "bucket"));
	if (!strcmp(name, "HeadBucket"))
		return s3_head_bucket_op(a_str(a, "bucket"));
	if (!strcmp(name, "GetBucketLocation"))
		return s3_get_bucket_location_op(a_str(a, "bucket"));
	if (!strcmp(name, "CreateBucket"))
		return s3_create_bucket_op(a_str(a, "bucket"),
		                           a_str(a, "region") ? a_str(a, "region") : "us-east-1");
	if (!strcmp(name, "GetBucketPolicy"))
		return s3_get_bucket_policy_op(a_str(a, "bucket"));
	if (!strcmp(name, "PutBucketPolicy"))
		return s3_put_bucket_policy_op(a_str(a, "bucket"), a_str(a, "policy"));
	if (!strcmp(name, "ListBuckets"))
		return json_bool(a, "regions", false) ? s3_list_buckets_regions_op()
		                                      : s3_list_buckets_op();
	if (!strcmp(name, "ListObjectsV2"))
		return s3_list_objects_op(a_str(a, "bucket"), a_str(a, "prefix"),
		                          a_str(a, "delimiter"),
		                          (size_t)json_num(a, "max_total", 0));
	if (!strcmp(name, "GetObject"))
		return s3_get_object_op(a_str(a, "bucket"), a_str(a, "key"), a_str(a, "range"));
	if (!strcmp(name, "CreateExport"))
		return bcm_create_export_op(json_obj(a, "request"));
	if (!strcmp(name, "UpdateExport"))
		return bcm_update_export_op(json_obj(a, "request"));
	if (!strcmp(name, "GetExport"))
		return bcm_get_export_op(a_str(a, "arn"));
	if (!strcmp(name, "ListExports"))
		return bcm_list_exports_op();
	if (!strcmp(name, "DeleteExport"))
		return bcm_delete_export_op(a_str(a, "arn"));
	if (!strcmp(name, "GetTable"))
		return bcm_get_table_op(a_str(a, "table"), json_obj(a, "properties"));
	if (!strcmp(name, "DescribeReportDefinitions"))
		return cur_describe_report_definitions_op();
	if (!strcmp(name, "PutReportDefinition"))
		return cur_put_report_definition_op(json_obj(a, "request"));
	if (!strcmp(name, "ModifyReportDefinition"))
		return cur_modify_report_definition_op(json_obj(a, "request"));
	if (!strcmp(name, "DeleteReportDefinition"))
		return cur_delete_report_definition_op(a_str(a, "name"));
	if (!strcmp(name, "DescribeRegions"))
		return ec2_describe_regions_op(a_bool(a, "all"), a_bool(a, "dry_run"));
	if (!strcmp(name, "DescribeOrganization"))
		return org_describe_organization_op(a_str(a, "account_id"));
	return NULL;
}

static cJSON *user_json(const struct iam_user *u)
{
	cJSON *o = cJSON_CreateObject();
	add_str(o, "name", u->name);
	add_str(o, "id", u->id);
	add_str(o, "arn", u->arn);
	add_str(o, "path", u->path);
	add_str(o, "create_date", u->create_date);
	return o;
}

static cJSON *policy_json(const struct iam_policy *p)
{
	cJSON *o = cJSON_CreateObject();
	add_str(o, "name", p->name);
	add_str(o, "id", p->id);
	add_str(o, "arn", p->arn);
	add_str(o, "path", p->path);
	add_str(o, "default_version_id", p->default_version_id);
	add_str(o, "description", p->description);
	cJSON_AddNumberToObject(o, "attachment_count", (double)p->attachment_count);
	return o;
}

static cJSON *version_json(const struct iam_policy_version *v)
{
	cJSON *o = cJSON_CreateObject();
	add_str(o, "version_id", v->version_id);
	cJSON_AddBoolToObject(o, "is_default", v->is_default);
	add_str(o, "create_date", v->create_date);
	add_str(o, "document", v->document);
	return o;
}

static cJSON *key_json(const struct iam_access_key *k)
{
	cJSON *o = cJSON_CreateObject();
	add_str(o, "user_name", k->user_name);
	add_str(o, "access_key_id", k->access_key_id);
	add_str(o, "status", k->status);
	add_str(o, "create_date", k->create_date);
	cJSON_AddBoolToObject(o, "has_secret", k->secret_access_key != NULL);
	return o;
}

static void write_secret(const char *secret)
{
	if (!secret_file || !secret)
		return;
	int fd = open(secret_file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return;
	size_t n = strlen(secret);
	if (write(fd, secret, n) != (ssize_t)n)
		perror("awsop: secret file");
	close(fd);
}

static cJSON *result_json(const char *name, struct aws_op *op)
{
	cJSON *o = NULL;
	if (!strcmp(name, "GetCallerIdentity")) {
		const struct sts_identity *id = sts_get_caller_identity_result(op);
		o = cJSON_CreateObject();
		add_str(o, "account", id->account);
		add_str(o, "arn", id->arn);
		add_str(o, "user_id", id->user_id);
	} else if (!strcmp(name, "CreatePolicy")) {
		o = policy_json(iam_create_policy_result(op));
	} else if (!strcmp(name, "GetPolicy")) {
		o = policy_json(iam_get_policy_result(op));
	} else if (!strcmp(name, "GetPolicyVersion")) {
		o = version_json(iam_get_policy_version_result(op));
	} else if (!strcmp(name, "CreatePolicyVersion")) {
		o = version_json(iam_create_policy_version_result(op));
	} else if (!strcmp(name, "ListPolicyVersions")) {
		const struct iam_policy_version_list *l = iam_list_policy_versions_result(op);
		o = cJSON_CreateArray();
		for (size_t i = 0; i < l->n; i++)
			cJSON_AddItemToArray(o, version_json(&l->items[i]));
	} else if (!strcmp(name, "ListPolicies")) {
		const struct iam_policy_list *l = iam_list_local_policies_result(op);
		o = cJSON_CreateObject();
		cJSON *items = cJSON_AddArrayToObject(o, "policies");
		for (size_t i = 0; i < l->n; i++)
			cJSON_AddItemToArray(items, policy_json(&l->items[i]));
		cJSON_AddBoolToObject(o, "truncated", l->truncated);
	} else if (!strcmp(name, "CreateUser")) {
		o = user_json(iam_create_user_result(op));
	} else if (!strcmp(name, "GetUser")) {
		o = user_json(iam_get_user_result(op));
	} else if (!strcmp(name, "ListUsers")) {
		const struct iam_user_list *l = iam_list_users_result(op);
		o = cJSON_CreateArray();
		for (size_t i = 0; i < l->n; i++)
			cJSON_AddItemToArray(o, user_json(&l->items[i]));
	} else if (!strcmp(name, "ListAttachedUserPolicies")) {
		const struct iam_attached_list *l = iam_list_attached_user_policies_result(op);
		o = cJSON_CreateArray();
		for (size_t i = 0; i < l->n; i++) {
			cJSON *p = cJSON_CreateObject();
			add_str(p, "name", l->items[i].name);
			add_str(p, "arn", l->items[i].arn);
			cJSON_AddItemToArray(o, p);
		}
	} else if (!strcmp(name, "CreateAccessKey")) {
		const struct iam_access_key *k = iam_create_access_key_result(op);
		write_secret(k->secret_access_key);
		o = key_json(k);
	} else if (!strcmp(name, "GetAccessKeyLastUsed")) {
		o = cJSON_CreateObject();
		add_str(o, "user", iam_get_access_key_last_used_result(op)->user_name);
	} else if (!strcmp(name, "ListUserTags")) {
		const struct iam_tag_list *l = iam_list_user_tags_result(op);
		o = cJSON_CreateObject();
		for (size_t i = 0; i < l->n; i++)
			add_str(o, l->items[i].key, l->items[i].value ? l->items[i].value : "");
	} else if (!strcmp(name, "ListAccessKeys")) {
		const struct iam_access_key_list *l = iam_list_access_keys_result(op);
		o = cJSON_CreateArray();
		for (size_t i = 0; i < l->n; i++)
			cJSON_AddItemToArray(o, key_json(&l->items[i]));
	} else if (!strcmp(name, "HeadBucket")) {
		o = cJSON_CreateObject();
		add_str(o, "region", s3_head_bucket_result(op));
	} else if (!strcmp(name, "GetBucketLocation")) {
		o = cJSON_CreateObject();
		add_str(o, "region", s3_get_bucket_location_result(op));
	} else if (!strcmp(name, "GetBucketPolicy")) {
		o = cJSON_CreateObject();
		add_str(o, "policy", s3_get_bucket_policy_result(op));
	} else if (!strcmp(name, "ListBuckets")) {
		const struct s3_bucket_list *l = s3_list_buckets_result(op);
		o = cJSON_CreateArray();
		for (size_t i = 0; i < l->n; i++) {
			cJSON *b = cJSON_CreateObject();
			add_str(b, "name", l->items[i].name);
			add_str(b, "creation_date", l->items[i].creation_date);
			add_str(b, "region", l->items[i].region);
			cJSON_AddItemToArray(o, b);
		}
	} else if (!strcmp(name, "ListObjectsV2")) {
		const struct s3_listing *l = s3_list_objects_result(op);
		o = cJSON_CreateObject();
		cJSON *keys = cJSON_AddArrayToObject(o, "keys");
		for (size_t i = 0; i < l->nobjects; i++)
			cJSON_AddItemToArray(keys, cJSON_CreateString(l->objects[i].key));
		cJSON *sizes = cJSON_AddArrayToObject(o, "sizes");
		for (size_t i = 0; i < l->nobjects; i++)
			cJSON_AddItemToArray(sizes, cJSON_CreateNumber((double)l->objects[i].size));
		cJSON *pre = cJSON_AddArrayToObject(o, "prefixes");
		for (size_t i = 0; i < l->nprefixes; i++)
			cJSON_AddItemToArray(pre, cJSON_CreateString(l->prefixes[i]));
	} else if (!strcmp(name, "GetObject")) {
		const struct s3_object *ob = s3_get_object_result(op);
		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "status", (double)ob->status);
		cJSON_AddNumberToObject(o, "length", (double)ob->len);
		add_str(o, "body", ob->data);
		add_str(o, "content_range", ob->content_range);
		add_str(o, "etag", ob->etag);
	} else if (!strcmp(name, "CreateExport") || !strcmp(name, "UpdateExport")) {
		o = cJSON_CreateObject();
		add_str(o, "arn",
		        !strcmp(name, "CreateExport") ? bcm_create_export_result(op)
		                                      : bcm_update_export_result(op));
	} else if (!strcmp(name, "GetExport")) {
		const struct bcm_export *e = bcm_get_export_result(op);
		o = cJSON_CreateObject();
		add_str(o, "arn", e->arn);
		add_str(o, "name", e->name);
		add_str(o, "status_code", e->status_code);
		add_str(o, "status_reason", e->status_reason);
		cJSON_AddItemToObject(o, "json", cJSON_Duplicate(e->json, true));
	} else if (!strcmp(name, "ListExports")) {
		const struct bcm_export_list *l = bcm_list_exports_result(op);
		o = cJSON_CreateObject();
		cJSON *items = cJSON_AddArrayToObject(o, "items");
		for (size_t i = 0; i < l->n; i++) {
			cJSON *e = cJSON_CreateObject();
			add_str(e, "arn", l->items[i].arn);
			add_str(e, "name", l->items[i].name);
			add_str(e, "status_code", l->items[i].status_code);
			cJSON_AddItemToArray(items, e);
		}
	} else if (!strcmp(name, "GetTable")) {
		o = cJSON_Duplicate(bcm_get_table_result(op), true);
	} else if (!strcmp(name, "DescribeReportDefinitions")) {
		const struct cur_report_list *l = cur_describe_report_definitions_result(op);
		o = cJSON_CreateObject();
		cJSON *names = cJSON_AddArrayToObject(o, "names");
		for (size_t i = 0; i < l->n; i++)
			cJSON_AddItemToArray(
			    names, cJSON_CreateString(l->items[i].name ? l->items[i].name : ""));
		cJSON_AddItemToObject(
		    o, "json", l->json ? cJSON_Duplicate(l->json, true) : cJSON_CreateArray());
	} else if (!strcmp(name, "DescribeRegions")) {
		const struct ec2_region_list *l = ec2_describe_regions_result(op);
		o = cJSON_CreateObject();
		cJSON_AddBoolToObject(o, "dry_run_allowed", l->dry_run_allowed);
		cJSON *names = cJSON_AddArrayToObject(o, "regions");
		for (size_t i = 0; i < l->n; i++)
			cJSON_AddItemToArray(
			    names, cJSON_CreateString(l->items[i].name ? l->items[i].name : ""));
	} else if (!strcmp(name, "DescribeOrganization")) {
		const struct org_info *oi = org_describe_organization_result(op);
		o = cJSON_CreateObject();
		add_str(o, "role", org_role_name(oi->role));
		add_str(o, "id", oi->id);
		add_str(o, "master_account_id", oi->master_account_id);
	} else {
		o = cJSON_CreateObject();
	}
	return o;
}

static cJSON *outcome_json(const char *name, struct aws_op *op)
{
	cJSON *o = cJSON_CreateObject();
	enum cx_status st = aws_op_status(op);
	add_str(o, "status", cx_status_name(st));
	cJSON_AddNumberToObject(o, "attempts", aws_op_attempts(op));
	if (st == CX_OK) {
		cJSON_AddItemToObject(o, "result", result_json(name, op));
	} else {
		const struct cx_err *e = aws_op_error(op);
		add_str(o, "code", e->code);
		cJSON_AddNumberToObject(o, "http_status", e->http_status);
		add_str(o, "message", e->msg);
		add_str(o, "where", e->where);
		add_str(o, "request_id", e->request_id);
		if (!strcmp(name, "HeadBucket"))
			add_str(o, "region", s3_head_bucket_result(op));
	}
	return o;
}

static void on_event(void *ud, const struct aws_event *ev)
{
	(void)ud;
	fprintf(stderr, "retry: %s %s attempt %d (%s) in %ld ms\n", ev->service, ev->operation,
	        ev->attempt, ev->reason, ev->delay_ms);
}

static int ndone;
static double first_answer; /* --when-sent: wall clock of the first answer */

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void op_done(struct aws_op *op, void *ud)
{
	(void)op;
	(void)ud;
	if (ndone++ == 0)
		first_answer = wall_now();
}

static void when_sent(void *ud)
{
	(void)ud;
	fprintf(stderr, "when-sent: %.6f\n", wall_now());
}

static void cancel_timer(void *ud)
{
	http_ctx_cancel_all(ud);
}

int main(int argc, char **argv)
{
	int parallel = 1, cancel_ms = -1, repeat = 1;
	long clock_skew = 0; /* pretend the local clock is off by this many seconds */
	bool sync = false, want_when_sent = false, no_transport_retry = false;
	struct http_opts hopts = {0};
	int i = 1;
	for (; i < argc && !strncmp(argv[i], "--", 2); i++) {
		if (!strcmp(argv[i], "--parallel") && i + 1 < argc)
			parallel = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--repeat") && i + 1 < argc)
			repeat = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--sync"))
			sync = true;
		else if (!strcmp(argv[i], "--when-sent"))
			want_when_sent = true;
		else if (!strcmp(argv[i], "--no-transport-retry"))
			no_transport_retry = true;
		else if (!strcmp(argv[i], "--timeout-ms") && i + 1 < argc)
			hopts.total_timeout_ms = atol(argv[++i]);
		else if (!strcmp(argv[i], "--connect-timeout-ms") && i + 1 < argc)
			hopts.connect_timeout_ms = atol(argv[++i]);
		else if (!strcmp(argv[i], "--max-response") && i + 1 < argc)
			hopts.max_response = (size_t)atol(argv[++i]);
		else if (!strcmp(argv[i], "--secret-file") && i + 1 < argc)
			secret_file = argv[++i];
		else if (!strcmp(argv[i], "--cancel-after-ms") && i + 1 < argc)
			cancel_ms = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--clock-skew") && i + 1 < argc)
			clock_skew = atol(argv[++i]);
		else {
			fprintf(stderr, "awsop: unknown option %s\n", argv[i]);
			return 64;
		}
	}
	if (i >= argc) {
		fprintf(stderr, "usage: awsop [options] OPERATION [ARGS-JSON]\n");
		return 64;
	}
	const char *name = argv[i];
	const char *args_text = i + 1 < argc ? argv[i + 1] : "{}";
	secmem_init();
	if (getenv("AWSOP_LOG"))
		log_open(getenv("AWSOP_LOG"), LOG_DEBUG);
	struct cx_err err;
	cx_err_clear(&err);
	cJSON *args = json_parse(args_text, strlen(args_text), &err);
	if (!args) {
		fprintf(stderr, "awsop: arguments: %s\n", err.msg);
		return 64;
	}
	struct aws_config_opts copts = {0};
	struct aws_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	if (aws_config_load(&copts, &cfg, &err) != CX_OK) {
		char buf[1400];
		fprintf(stderr, "awsop: %s\n", cx_err_format(&err, buf, sizeof(buf)));
		cJSON_Delete(args);
		return cx_status_exit(err.status);
	}
	hopts.ca_bundle = cfg.ca_bundle;
	struct http_ctx *ctx = http_ctx_new(&hopts, &err);
	if (!ctx) {
		fprintf(stderr, "awsop: %s\n", err.msg);
		return 70;
	}
	struct aws_client *c = aws_client_new(ctx, &cfg);
	if (clock_skew)
		aws_client_set_clock_skew(c, clock_skew);
	aws_client_set_events(c, on_event, NULL);
	int rc = 0;

	if (sync && parallel == 1 && !strcmp(name, "GetCallerIdentity")) {
		/* exercise a synchronous wrapper end to end */
		struct sts_identity id = {0};
		enum cx_status st = sts_get_caller_identity(c, &id, &err);
		cJSON *o = cJSON_CreateObject();
		add_str(o, "status", cx_status_name(st));
		if (st == CX_OK) {
			cJSON *r = cJSON_AddObjectToObject(o, "result");
			add_str(r, "account", id.account);
			add_str(r, "arn", id.arn);
		} else {
			add_str(o, "code", err.code);
			add_str(o, "message", err.msg);
		}
		char *s = json_pretty(o);
		fputs(s, stdout);
		free(s);
		cJSON_Delete(o);
		sts_identity_free(&id);
		rc = cx_status_exit(st);
		goto out;
	}

	if (parallel < 1)
		parallel = 1;
	for (int round = 1; round < repeat; round++) {
		/* warm-up rounds on the same ctx (connection reuse); results discarded */
		struct aws_op **w = xcalloc((size_t)parallel, sizeof(*w));
		ndone = 0;
		for (int k = 0; k < parallel; k++) {
			w[k] = make_op(name, args);
			if (w[k] && no_transport_retry)
				aws_op_set_transport_retry(w[k], false);
			if (w[k])
				aws_op_start(c, w[k], op_done, NULL);
			else
				ndone++;
		}
		while (ndone < parallel && http_ctx_busy(ctx)) {
			http_ctx_poll(ctx, 1000, NULL, 0);
			http_ctx_perform(ctx);
		}
		for (int k = 0; k < parallel; k++)
			aws_op_free(w[k]);
		free(w);
	}
	ndone = 0;
	struct aws_op **ops = xcalloc((size_t)parallel, sizeof(*ops));
	for (int k = 0; k < parallel; k++) {
		ops[k] = make_op(name, args);
		if (!ops[k]) {
			fprintf(stderr, "awsop: unknown operation %s\n", name);
			rc = 64;
			for (int m = 0; m < k; m++)
				aws_op_free(ops[m]);
			free(ops);
			goto out;
		}
	}
	for (int k = 0; k < parallel; k++) {
		if (no_transport_retry)
			aws_op_set_transport_retry(ops[k], false);
		aws_op_start(c, ops[k], op_done, NULL);
	}
	if (want_when_sent)
		http_ctx_when_sent(ctx, when_sent, NULL);
	if (cancel_ms >= 0)
		http_timer_add(ctx, cancel_ms, cancel_timer, ctx);
	while (ndone < parallel && http_ctx_busy(ctx)) {
		http_ctx_poll(ctx, 1000, NULL, 0);
		http_ctx_perform(ctx);
	}
	if (want_when_sent)
		fprintf(stderr, "first-answer: %.6f\n", first_answer);
	cJSON *out = parallel == 1 ? outcome_json(name, ops[0]) : cJSON_CreateArray();
	if (parallel > 1)
		for (int k = 0; k < parallel; k++)
			cJSON_AddItemToArray(out, outcome_json(name, ops[k]));
	for (int k = 0; k < parallel; k++) {
		enum cx_status st = aws_op_status(ops[k]);
		if (st != CX_OK && rc == 0)
			rc = cx_status_exit(st);
		aws_op_free(ops[k]);
	}
	free(ops);
	char *s = json_pretty(out);
	fputs(s, stdout);
	free(s);
	cJSON_Delete(out);
out:
	aws_client_free(c);
	http_ctx_free(ctx);
	aws_config_free(&cfg);
	cJSON_Delete(args);
	log_close();
	return rc;
}
