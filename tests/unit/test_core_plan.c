/* Plan goldens for every flow (rendered with planfmt json and awscli), the awscli script
 * passing bash -n, the flow pages, and the plan's ensure semantics. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/answers.h"
#include "core/cxrules.h"
#include "core/flow.h"
#include "core/keyage.h"
#include "core/owner.h"
#include "core/plan.h"
#include "core/policy.h"
#include "core/planfmt.h"
#include "core/validate.h"
#include "core_test.h"
#include "util/json.h"
#include "util/mem.h"

struct fixture {
	struct answers a;
	struct plan_facts f;
	struct plan_options o;
};

static void load_fixture(struct fixture *x, const char *name)
{
	char *rel = xasprintf("tests/unit/data/core/plan-%s.json", name);
	char *text = ct_read(rel);
	struct cx_err err;
	cx_err_clear(&err);
	cJSON *j = json_parse(text, strlen(text), &err);
	ck_assert_msg(j != NULL, "%s: %s", rel, err.msg);
	answers_init(&x->a);
	char *at = json_compact(json_obj(j, "answers"));
	ck_assert_int_eq(answers_load_text(&x->a, at, strlen(at), &err), CX_OK);
	free(at);
	ck_assert_int_eq(plan_facts_from_json(&x->f, json_obj(j, "facts"), &err), CX_OK);
	answers_fill_defaults(&x->a, x->f.account_id, x->f.bucket_region);
	memset(&x->o, 0, sizeof(x->o));
	x->o.delete_unknown_keys = json_bool(json_obj(j, "options"), "delete_unknown_keys", false);
	struct strv w = STRV_INIT;
	ck_assert_msg(validate_answers(&x->a, &w, &err) == CX_OK, "%s: %s", name, err.msg);
	strv_free(&w);
	cJSON_Delete(j);
	free(text);
	free(rel);
}

static void free_fixture(struct fixture *x)
{
	answers_free(&x->a);
	plan_facts_free(&x->f);
}

static void bash_n(const char *script, const char *name)
{
	if (system("command -v bash >/dev/null 2>&1") != 0)
		return;
	char tmpl[] = "/tmp/cx-awscli-XXXXXX";
	int fd = mkstemp(tmpl);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, script, strlen(script)), (ssize_t)strlen(script));
	close(fd);
	char *cmd = xasprintf("bash -n '%s'", tmpl);
	int rc = system(cmd);
	unlink(tmpl);
	free(cmd);
	ck_assert_msg(rc == 0, "awscli script of %s fails bash -n", name);
}

static const char *const flows[] = {"root-wizard-cur2",
                                    "root-wizard-legacy",
                                    "root-certerox-cur2",
                                    "root-certerox-legacy",
                                    "root-existing-cur2",
                                    "root-existing-legacy",
                                    "root-detect-cur2",
                                    "root-detect-legacy",
                                    "linked",
                                    "migrate",
                                    "rerun-wizard-cur2",
                                    "drift-wizard-cur2",
                                    "rotate",
                                    "rotate-foreign",
                                    "reconcile",
                                    "migrate-handmade",
                                    "migrate-attach",
                                    "disconnect"};
#define NFLOWS ((int)(sizeof(flows) / sizeof(flows[0])))

START_TEST(plan_golden)
{
	const char *name = flows[_i];
	struct fixture x;
	load_fixture(&x, name);
	struct plan p;
	struct cx_err err;
	cx_err_clear(&err);
	ck_assert_msg(plan_build(&p, &x.a, &x.f, &x.o, &err) == CX_OK, "%s: %s", name, err.msg);
	/* topological order: every dependency precedes its step */
	for (size_t i = 0; i < p.n; i++)
		for (size_t d = 0; d < p.steps[i].ndeps; d++) {
			int found = 0;
			for (size_t k = 0; k < i; k++)
				found |= strcmp(p.steps[k].id, p.steps[i].deps[d]) == 0;
			ck_assert_msg(found, "%s: %s depends on %s which is not before it", name,
			              p.steps[i].id, p.steps[i].deps[d]);
		}
	char *js = planfmt_json(&p);
	char *gname = xasprintf("plan-%s.json", name);
	ct_golden(gname, js);
	char *sh = planfmt_awscli(&p);
	char *sname = xasprintf("plan-%s.awscli", name);
	ct_golden(sname, sh);
	bash_n(sh, name);
	free(sname);
	free(sh);
	free(gname);
	free(js);
	plan_free(&p);
	free_fixture(&x);
}
END_TEST

START_TEST(plan_config_scheme_rule)
{
	static const struct {
		const char *flow, *scheme;
	} want[] = {
	    {"root-wizard-cur2", "create_report"},   {"root-wizard-legacy", "create_report"},
	    {"root-certerox-cur2", "create_report"}, {"root-certerox-legacy", "create_report"},
	    {"root-existing-cur2", "bucket_only"},   {"root-existing-legacy", "create_report"},
	    {"root-detect-cur2", "find_report"},     {"root-detect-legacy", "find_report"}};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct fixture x;
		load_fixture(&x, want[i].flow);
		struct plan p;
		struct cx_err err;
		ck_assert_int_eq(plan_build(&p, &x.a, &x.f, NULL, &err), CX_OK);
		const struct plan_step *s = plan_find(&p, "certerox");
		ck_assert_ptr_nonnull(s);
		const cJSON *cfg = json_obj(json_obj(s->request, "body"), "config");
		ck_assert_str_eq(json_str(cfg, "config_scheme"), want[i].scheme);
		ck_assert_str_eq(p.target.config_scheme, want[i].scheme);
		/* CerteroX submission is last */
		ck_assert_str_eq(p.steps[p.n - 1].id, "certerox");
		if (strcmp(want[i].scheme, "find_report") != 0)
			ck_assert_ptr_nonnull(json_str(cfg, "report_name"));
		plan_free(&p);
		free_fixture(&x);
	}
	struct fixture x;
	load_fixture(&x, "linked");
	struct plan p;
	struct cx_err err;
	ck_assert_int_eq(plan_build(&p, &x.a, &x.f, NULL, &err), CX_OK);
	const cJSON *cfg = json_obj(json_obj(plan_find(&p, "certerox")->request, "body"), "config");
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(cfg, "linked")));
	ck_assert_ptr_null(json_str(cfg, "config_scheme"));
	ck_assert_ptr_null(plan_find(&p, "policy-readonly"));
	ck_assert_ptr_nonnull(plan_find(&p, "policy-discover"));
	ck_assert_ptr_null(plan_find(&p, "bucket-policy"));
	ck_assert_str_eq(p.warnings.v[0], "AWS Root Account is missing. AWS Linked Account relies "
	                                  "on billing data from its AWS Root Account.");
	plan_free(&p);
	free_fixture(&x);
}
END_TEST

START_TEST(plan_order_and_depth)
{
	struct fixture x;
	load_fixture(&x, "root-wizard-cur2");
	struct plan p;
	struct cx_err err;
	ck_assert_int_eq(plan_build(&p, &x.a, &x.f, NULL, &err), CX_OK);
	const struct plan_step *e = plan_find(&p, "export");
	ck_assert_str_eq(e->operation, "CreateExport");
	int has_bp = 0;
	for (size_t d = 0; d < e->ndeps; d++)
		has_bp |= strcmp(e->deps[d], "bucket-policy") == 0;
	ck_assert_msg(has_bp, "CreateExport must wait for the bucket policy");
	const struct plan_step *k = plan_find(&p, "key");
	ck_assert_str_eq(k->deps[0], "user");
	/* user(1) -> attach / key (1, in parallel) -> key-check(1: the proofs go with the first
	 * GetCallerIdentity) -> certerox(1) = 4; the bucket chain bucket -> bucket-policy ->
	 * export is 3; CerteroX answers after its own chain: sts GetCallerIdentity, s3
	 * GetBucketLocation, ListExports, GetExport of the one export, ListObjectsV2 = 5 */
	struct plan_path path;
	plan_critical_path(&p, &path);
	ck_assert_int_eq(path.discovery, 0);
	ck_assert_int_eq(path.requests, 4);
	ck_assert_int_eq(path.server, 5);
	ck_assert_int_eq(path.total, 9);
	ck_assert_int_eq(p.depth, 9);
	ck_assert_int_eq(plan_depth(&p), 9);
	ck_assert_int_eq(plan_find(&p, "certerox")->server_requests, 5);
	/* the facts' discovery depth comes first */
	x.f.discovery_depth = 2;
	plan_free(&p);
	ck_assert_int_eq(plan_build(&p, &x.a, &x.f, NULL, &err), CX_OK);
	plan_critical_path(&p, &path);
	ck_assert_int_eq(path.discovery, 2);
	ck_assert_int_eq(path.total, 11);
	ck_assert_int_eq(p.depth, 11);
	ck_assert(!plan_needs_confirmation(&p));
	plan_free(&p);
	free_fixture(&x);
}
END_TEST

START_TEST(plan_server_chain_by_scheme)
{
	/* certerox-api.md section 4, call by call */
	ck_assert_int_eq(plan_server_chain(true, NULL, false, 3, true, true, true), 1);
	/* create_report, CUR 2.0, the export made by the wizard: sts, GetBucketLocation,
	 * ListExports, GetExport, ListObjectsV2 */
	ck_assert_int_eq(plan_server_chain(false, "create_report", false, 1, true, true, false), 5);
	/* ... with two other exports: a GetExport each */
	ck_assert_int_eq(plan_server_chain(false, "create_report", false, 3, true, true, false), 7);
	/* ... CerteroX creates the export, and the missing bucket with its policy (the policy
	 * names the account: GetCallerIdentity again) */
	ck_assert_int_eq(plan_server_chain(false, "create_report", false, 0, false, false, false),
	                 1 + 1 + 3 + 1 + 1 + 1);
	/* ... files already delivered: the test download (HeadObject, GetObject) */
	ck_assert_int_eq(plan_server_chain(false, "create_report", false, 1, true, true, true), 7);
	/* legacy: the first page of DescribeReportDefinitions only, however many reports */
	ck_assert_int_eq(plan_server_chain(false, "create_report", true, 5, true, true, false), 4);
	ck_assert_int_eq(plan_server_chain(false, "create_report", true, 6, true, true, false), 4);
	/* CUR 2.0: GetExport of the first page's exports only */
	ck_assert_int_eq(plan_server_chain(false, "create_report", false, 25, true, true, false),
	                 1 + 1 + 1 + 20 + 1);
	/* bucket_only, delivered CUR 2.0: sts, GetBucketLocation x2, ListObjectsV2 by folder,
	 * data/ and metadata/, HeadObject, GetObject */
	ck_assert_int_eq(plan_server_chain(false, "bucket_only", false, 1, true, true, true), 8);
	/* ... nothing delivered yet: no folder to list, nothing to download */
	ck_assert_int_eq(plan_server_chain(false, "bucket_only", false, 1, true, true, false), 4);
	/* find_report: sts, ListExports, GetExport x2, ListObjectsV2, download */
	ck_assert_int_eq(plan_server_chain(false, "find_report", false, 2, false, true, true), 7);
	ck_assert_int_eq(plan_server_chain(false, "find_report", true, 2, false, true, false), 3);
	/* discovery's depth travels with the facts */
	struct cx_err err;
	cJSON *j = cJSON_Parse("{\"account_id\": \"123456789012\", \"discovery_depth\": 3}");
	struct plan_facts f;
	ck_assert_int_eq(plan_facts_from_json(&f, j, &err), CX_OK);
	ck_assert_int_eq(f.discovery_depth, 3);
	plan_facts_free(&f);
	cJSON_Delete(j);
}
END_TEST

START_TEST(plan_rerun_is_noop)
{
	struct fixture x;
	load_fixture(&x, "rerun-wizard-cur2");
	struct plan p;
	struct cx_err err;
	ck_assert_int_eq(plan_build(&p, &x.a, &x.f, NULL, &err), CX_OK);
	ck_assert_uint_eq(plan_writes(&p), 0);
	for (size_t i = 0; i < p.n; i++)
		ck_assert_msg(p.steps[i].kind == PLAN_SKIP || p.steps[i].kind == PLAN_READ,
		              "%s is not skipped", p.steps[i].id);
	plan_free(&p);
	free_fixture(&x);
}
END_TEST

START_TEST(plan_drift)
{
	struct fixture x;
	load_fixture(&x, "drift-wizard-cur2");
	struct plan p;
	struct cx_err err;
	ck_assert_int_eq(plan_build(&p, &x.a, &x.f, &x.o, &err), CX_OK);
	const struct plan_step *pr = plan_find(&p, "policy-readonly-prune");
	ck_assert_ptr_nonnull(pr);
	ck_assert_str_eq(json_str(pr->request, "VersionId"), "v1");
	const struct plan_step *pv = plan_find(&p, "policy-readonly");
	ck_assert_str_eq(pv->operation, "CreatePolicyVersion");
	ck_assert_str_eq(pv->deps[0], "policy-readonly-prune");
	ck_assert_ptr_nonnull(plan_find(&p, "key-delete-AKIAEXAMPLEKEY000002"));
	ck_assert(plan_find(&p, "key-delete-AKIAEXAMPLEKEY000002")->destructive);
	const struct plan_step *e = plan_find(&p, "export");
	ck_assert_str_eq(e->operation, "UpdateExport");
	ck_assert(e->destructive);
	ck_assert_uint_eq(e->differences.n, 2);
	ck_assert(plan_needs_confirmation(&p));
	const struct plan_step *bp = plan_find(&p, "bucket-policy");
	ck_assert_int_eq(bp->kind, PLAN_UPDATE);
	ck_assert_ptr_nonnull(bp->diff);
	plan_free(&p);
	free_fixture(&x);
}
END_TEST

START_TEST(plan_two_unknown_keys_stop)
{
	struct fixture x;
	load_fixture(&x, "two-keys");
	struct plan p;
	struct cx_err err;
	cx_err_clear(&err);
	ck_assert_int_eq(plan_build(&p, &x.a, &x.f, NULL, &err), CX_E_CONFLICT);
	ck_assert_str_eq(
	    err.msg, "iam.user: user \"certerox-billing\" already has two access keys and the "
	             "vault holds the secret of neither; AWS allows two keys per user. Made by "
	             "certerox-aws-setup and unused: AKIAEXAMPLEKEY000003, "
	             "AKIAEXAMPLEKEY000004. Choose: run again with --yes to let the wizard delete "
	             "the keys it made, delete one yourself (aws iam delete-access-key "
	             "--user-name certerox-billing --access-key-id ID), or choose another "
	             "iam.user");
	ck_assert_uint_eq(p.n, 0);
	struct plan_options o = {.delete_unknown_keys = true};
	ck_assert_int_eq(plan_build(&p, &x.a, &x.f, &o, &err), CX_OK);
	const struct plan_step *k = plan_find(&p, "key");
	ck_assert_uint_eq(k->ndeps, 3);
	plan_free(&p);
	free_fixture(&x);
}
END_TEST

/* Ownership (issue 14): what the wizard did not make is never deleted, --yes or not. */
START_TEST(plan_ownership)
{
	struct fixture x;
	struct plan p;
	struct cx_err err;
	struct plan_options yes = {.delete_unknown_keys = true};
	/* a person's existing user: refused without existing_user "use" */
	load_fixture(&x, "two-keys");
	x.f.user_owned = false;
	x.f.keys[0].owned = x.f.keys[1].owned = false;
	cx_err_clear(&err);
	ck_assert_int_eq(plan_build(&p, &x.a, &x.f, &yes, &err), CX_E_CONFLICT);
	ck_assert_ptr_nonnull(strstr(err.msg, "iam.user: user \"certerox-billing\" exists in "
	                                      "account 123456789012 and certerox-aws-setup did "
	                                      "not create it"));
	ck_assert_ptr_nonnull(strstr(err.msg, "\"existing_user\": \"use\""));
	/* with "use": her two keys are never deleted, even with --yes: no room for a key */
	x.a.iam.existing_user = ANSWERS_EXISTING_USER_USE;
	ck_assert_int_eq(plan_build(&p, &x.a, &x.f, &yes, &err), CX_E_CONFLICT);
	ck_assert_ptr_nonnull(strstr(err.msg, "Never touched: AKIAEXAMPLEKEY000003 "
	                                      "(certerox-aws-setup did not make it)"));
	ck_assert_ptr_null(strstr(err.msg, "--yes"));
	/* one key of hers: kept, a new key made beside it, a warning says so */
	x.f.nkeys = 1;
	ck_assert_int_eq(plan_build(&p, &x.a, &x.f, &yes, &err), CX_OK);
	ck_assert_ptr_null(plan_find(&p, "key-delete-AKIAEXAMPLEKEY000003"));
	ck_assert_int_eq(plan_find(&p, "key")->kind, PLAN_CREATE);
	ck_assert_int_eq(plan_find(&p, "key-tag")->kind, PLAN_UPDATE);
	ck_assert_str_eq(p.warnings.v[0],
	                 "iam: access key AKIAEXAMPLEKEY000003 (certerox-aws-setup "
	                 "did not make it) of user certerox-billing is not in the "
	                 "vault; it is left alone");
	ck_assert(!plan_needs_confirmation(&p));
	plan_free(&p);
	x.f.nkeys = 2;
	free_fixture(&x);

	/* the wizard's key that the data source uses is never deleted */
	load_fixture(&x, "drift-wizard-cur2");
	ck_assert_int_eq(plan_build(&p, &x.a, &x.f, &x.o, &err), CX_OK);
	ck_assert_ptr_nonnull(plan_find(&p, "key-delete-AKIAEXAMPLEKEY000002"));
	plan_free(&p);
	x.f.data_sources_known = false; /* unknown data sources: it may be in use */
	ck_assert_int_eq(plan_build(&p, &x.a, &x.f, &x.o, &err), CX_OK);
	ck_assert_ptr_null(plan_find(&p, "key-delete-AKIAEXAMPLEKEY000002"));
	plan_free(&p);
	free_fixture(&x);
}
END_TEST

/* An already-connected account: a connect becomes nothing or stops before any write. */
START_TEST(plan_connected_account)
{
	struct fixture x;
	struct plan p;
	struct cx_err err;
	struct plan_options yes = {.delete_unknown_keys = true};
	load_fixture(&x, "rerun-wizard-cur2");
	/* same answers, key in the vault: a re-run, and the warning names the data source */
	ck_assert_int_eq(plan_build(&p, &x.a, &x.f, &yes, &err), CX_OK);
	ck_assert_ptr_nonnull(strstr(p.warnings.v[0], "already connected by data source \"AWS "
	                                              "123456789012\" (id ds-1, export "
	                                              "certerox-cur2 in s3://acme-billing/reports, "
	                                              "access key AKIAEXAMPLEKEY000001"));
	plan_free(&p);
	/* another bucket: stops, naming the data source and the actions */
	answers_set(&x.a.export.bucket, "other-bucket");
	cx_err_clear(&err);
	ck_assert_int_eq(plan_build(&p, &x.a, &x.f, &yes, &err), CX_E_CONFLICT);
	ck_assert_uint_eq(p.n, 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "connection: account 123456789012 is already "
	                                      "connected by data source \"AWS 123456789012\" "
	                                      "(id ds-1"));
	ck_assert_ptr_nonnull(strstr(err.msg, "\"rotate\""));
	ck_assert_ptr_nonnull(strstr(err.msg, "\"migrate\""));
	ck_assert_ptr_nonnull(strstr(err.msg, "update it in CerteroX"));
	answers_set(&x.a.export.bucket, "acme-billing");
	/* the vault lost the key (empty vault): stops, never a new user/key nor a delete */
	x.f.keys[0].in_vault = false;
	x.f.keys[0].owned = true;
	ck_assert_int_eq(plan_build(&p, &x.a, &x.f, &yes, &err), CX_E_CONFLICT);
	ck_assert_ptr_nonnull(strstr(err.msg, "the vault does not hold the secret of the key it "
	                                      "uses"));
	ck_assert_uint_eq(p.n, 0);
	free_fixture(&x);
}
END_TEST

/* A shared policy is never narrowed: another bucket is added, the old one stays; a change
 * that would drop what a live data source uses is refused, naming it. */
START_TEST(plan_policy_never_narrowed)
{
	struct fixture x;
	struct plan p;
	struct cx_err err;
	load_fixture(&x, "rerun-wizard-cur2");
	x.f.data_sources_known = false; /* not known to be connected: the connect goes on */
	answers_set(&x.a.export.bucket, "second-bucket");
	ck_assert_int_eq(plan_build(&p, &x.a, &x.f, NULL, &err), CX_OK);
	const struct plan_step *s = plan_find(&p, "policy-readonly");
	ck_assert_int_eq(s->kind, PLAN_UPDATE);
	char *doc = json_compact(cJSON_GetObjectItemCaseSensitive(s->request, "PolicyDocument"));
	ck_assert_ptr_nonnull(strstr(doc, "arn:aws:s3:::acme-billing/*"));
	ck_assert_ptr_nonnull(strstr(doc, "arn:aws:s3:::second-bucket/*"));
	ck_assert_ptr_nonnull(strstr(doc, "\"arn:aws:s3:::acme-billing\""));
	ck_assert_ptr_nonnull(strstr(doc, "\"arn:aws:s3:::second-bucket\""));
	free(doc);
	ck_assert_ptr_nonnull(strstr(s->diff, "+        \"arn:aws:s3:::second-bucket/*\""));
	ck_assert_ptr_null(strstr(s->diff, "-        \"arn:aws:s3:::acme-billing"));
	plan_free(&p);
	/* the same run again: the merged version covers it, nothing to change */
	struct plan_policy_fact *pf = NULL;
	for (size_t i = 0; i < x.f.npolicies; i++)
		if (strstr(x.f.policies[i].arn, "CerteroXReadOnly"))
			pf = &x.f.policies[i];
	ck_assert_ptr_nonnull(pf);
	cJSON *two = policy_readonly("second-bucket", false, NULL);
	cJSON *merged = policy_merge_grants(pf->document, two);
	cJSON_Delete(pf->document);
	pf->document = merged;
	ck_assert_int_eq(plan_build(&p, &x.a, &x.f, NULL, &err), CX_OK);
	ck_assert_int_eq(plan_find(&p, "policy-readonly")->kind, PLAN_SKIP);
	plan_free(&p);
	/* a version that drops acme-billing is refused, naming the data source using it */
	x.f.data_sources_known = true;
	cx_err_clear(&err);
	ck_assert_int_eq(
	    owner_check_policy_grants(&x.f, true, "CerteroXReadOnly", pf->document, two, &err),
	    CX_E_CONFLICT);
	ck_assert_ptr_nonnull(strstr(err.msg, "iam: the new version of policy CerteroXReadOnly "
	                                      "would no longer grant s3:GetObject on "
	                                      "arn:aws:s3:::acme-billing/*"));
	ck_assert_ptr_nonnull(strstr(err.msg, "data source \"AWS 123456789012\" (ds-1) uses"));
	ck_assert_int_eq(owner_check_policy_grants(&x.f, true, "CerteroXReadOnly", pf->document,
	                                           pf->document, &err),
	                 CX_OK);
	cJSON_Delete(two);
	free_fixture(&x);
}
END_TEST

START_TEST(plan_errors)
{
	struct fixture x;
	struct plan p;
	struct cx_err err;
	/* bucket missing without create_bucket */
	load_fixture(&x, "root-wizard-cur2");
	x.a.export.create_bucket = false;
	ck_assert_int_eq(plan_build(&p, &x.a, &x.f, NULL, &err), CX_E_INPUT);
	ck_assert_str_eq(err.msg,
	                 "export.bucket: bucket \"acme-billing\" does not exist in account "
	                 "123456789012; set export.create_bucket to true to have it created");
	free_fixture(&x);
	/* existing export that CerteroX refuses */
	load_fixture(&x, "root-existing-cur2");
	cJSON *tc = cJSON_GetObjectItem(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(x.f.exports[0].definition, "DataQuery"),
	                        "TableConfigurations"),
	    "COST_AND_USAGE_REPORT");
	cJSON_ReplaceItemInObject(tc, "TIME_GRANULARITY", cJSON_CreateString("MONTHLY"));
	ck_assert_int_eq(plan_build(&p, &x.a, &x.f, NULL, &err), CX_E_INPUT);
	ck_assert_str_eq(err.msg, "export.name: CerteroX cannot import Data Export \"acme-cur2\": "
	                          "Invalid report configuration: TIME_GRANULARITY must be DAILY or "
	                          "HOURLY");
	answers_set(&x.a.export.name, "nope");
	ck_assert_int_eq(plan_build(&p, &x.a, &x.f, NULL, &err), CX_E_INPUT);
	ck_assert_str_eq(err.msg, "export.name: \"nope\" is not an existing Data Export of account "
	                          "123456789012; use export.setup \"wizard\" to create it");
	free_fixture(&x);
	/* invalid current bucket policy: never overwritten */
	load_fixture(&x, "root-certerox-cur2");
	answers_set(&x.f.bucket_policy, "{\"Version\": ");
	ck_assert_int_eq(plan_build(&p, &x.a, &x.f, NULL, &err), CX_E_INPUT);
	ck_assert_msg(strstr(err.msg, "is not valid JSON") != NULL, "%s", err.msg);
	ck_assert_msg(strstr(err.msg, "left unchanged") != NULL, "%s", err.msg);
	free_fixture(&x);
	/* migrate: unknown data source */
	load_fixture(&x, "migrate");
	answers_set(&x.a.migrate.data_source_id, "ds-404");
	ck_assert_int_eq(plan_build(&p, &x.a, &x.f, NULL, &err), CX_E_INPUT);
	ck_assert_str_eq(err.msg, "migrate.data_source_id: data source \"ds-404\" was not found in "
	                          "the CerteroX organization");
	free_fixture(&x);
}
END_TEST

/* CIS AWS Foundations 1.14: the TUI's rotate flags keys older than 90 days. */
START_TEST(keyage_flags_past_90_days)
{
	char b[300];
	ck_assert(!keyage_overdue(90));
	ck_assert(keyage_overdue(91));
	ck_assert(!keyage_overdue(-1));
	keyage_describe(b, sizeof(b), "AKIAEXAMPLE", 90);
	ck_assert_str_eq(b, "key AKIAEXAMPLE, 90 days old");
	keyage_describe(b, sizeof(b), "AKIAEXAMPLE", 1);
	ck_assert_str_eq(b, "key AKIAEXAMPLE, 1 day old");
	keyage_describe(b, sizeof(b), "AKIAEXAMPLE", 400);
	ck_assert_str_eq(b, "key AKIAEXAMPLE, 400 days old: OLDER THAN 90 DAYS, rotate it (CIS AWS "
	                    "Foundations 1.14)");
	keyage_describe(b, sizeof(b), "AKIAEXAMPLE", -1);
	ck_assert_ptr_nonnull(strstr(b, "age unknown"));
	keyage_describe(b, sizeof(b), NULL, 3);
	ck_assert_str_eq(b, "key: CerteroX does not say which");
}
END_TEST

START_TEST(flow_pages_per_answers)
{
	struct answers a;
	answers_init(&a);
	enum flow_page pg[FLOW_PAGE_COUNT];
	size_t n = flow_pages(&a, pg);
	char buf[512] = "";
	for (size_t i = 0; i < n; i++) {
		strcat(buf, flow_page_id(pg[i]));
		strcat(buf, " ");
	}
	ck_assert_str_eq(buf, "start connection export_type export bucket_policy iam_policies user "
	                      "certerox review vault apply done ");
	a.connection = ANSWERS_LINKED;
	n = flow_pages(&a, pg);
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		strcat(buf, flow_page_id(pg[i]));
		strcat(buf, " ");
	}
	ck_assert_str_eq(buf,
	                 "start connection iam_policies user certerox review vault apply done ");
	a.action = ANSWERS_MIGRATE;
	n = flow_pages(&a, pg);
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		strcat(buf, flow_page_id(pg[i]));
		strcat(buf, " ");
	}
	ck_assert_str_eq(buf, "start certerox choose_data_source bucket_policy iam_policies review "
	                      "vault apply done ");
	ck_assert_int_eq(flow_next(&a, FLOW_CERTEROX), FLOW_CHOOSE_DATA_SOURCE);
	ck_assert_int_eq(flow_prev(&a, FLOW_CERTEROX), FLOW_START);
	ck_assert_int_eq(flow_next(&a, FLOW_DONE), FLOW_NONE);
	ck_assert_int_eq(flow_page_from_id("vault"), FLOW_VAULT);
	ck_assert_int_eq(flow_page_from_id("nope"), FLOW_NONE);
	/* rotate and disconnect act on a data source CerteroX has: no AWS setup pages */
	for (int act = ANSWERS_ROTATE; act <= ANSWERS_DISCONNECT; act++) {
		a.action = (enum answers_action)act;
		n = flow_pages(&a, pg);
		buf[0] = '\0';
		for (size_t i = 0; i < n; i++) {
			strcat(buf, flow_page_id(pg[i]));
			strcat(buf, " ");
		}
		ck_assert_str_eq(buf, "start certerox choose_data_source review vault apply done ");
		ck_assert_int_eq(flow_next(&a, FLOW_CHOOSE_DATA_SOURCE), FLOW_REVIEW);
	}
	answers_free(&a);
}
END_TEST

/* OptScale's export listing (issue 13 B4): the exports it fails on, and the scheme that works. */
START_TEST(plan_cx_listing_rules)
{
	const char *good =
	    "{\"Name\":\"a\",\"DataQuery\":{\"QueryStatement\":\"SELECT x FROM "
	    "COST_AND_USAGE_REPORT\",\"TableConfigurations\":{\"COST_AND_USAGE_REPORT\":"
	    "{\"TIME_GRANULARITY\":\"DAILY\"}}},\"DestinationConfigurations\":{"
	    "\"S3Destination\":{\"S3Bucket\":\"b\",\"S3Prefix\":\"p/\",\"S3Region\":"
	    "\"us-east-1\",\"S3OutputConfigurations\":{\"Format\":\"TEXT_OR_CSV\","
	    "\"Compression\":\"GZIP\",\"Overwrite\":\"OVERWRITE_REPORT\"}}}}";
	cJSON *g = cJSON_Parse(good);
	ck_assert_ptr_null(cx_export_breaks_listing(g));
	cJSON *odd = cJSON_Duplicate(g, true);
	cJSON *cur = cJSON_GetObjectItem(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(odd, "DataQuery"), "TableConfigurations"),
	    "COST_AND_USAGE_REPORT");
	cJSON_DeleteItemFromObject(cur, "TIME_GRANULARITY");
	cJSON_AddStringToObject(cur, "INCLUDE_RESOURCES", "TRUE");
	ck_assert_str_eq(cx_export_breaks_listing(odd), "TIME_GRANULARITY");
	/* an empty entry is skipped by the listing, not fatal */
	cJSON_DeleteItemFromObject(cur, "INCLUDE_RESOURCES");
	ck_assert_ptr_null(cx_export_breaks_listing(odd));
	cJSON_DeleteItemFromObject(cJSON_GetObjectItem(odd, "DataQuery"), "TableConfigurations");
	ck_assert_str_eq(cx_export_breaks_listing(odd), "DataQuery.TableConfigurations");

	char n_odd[] = "odd", n_ours[] = "ours", acct[] = "123456789012";
	struct plan_export_fact ex[2] = {{.name = n_odd, .definition = odd},
	                                 {.name = n_ours, .definition = g}};
	struct plan_facts f = {.account_id = acct, .exports = ex, .nexports = 2};
	struct strv w = STRV_INIT;
	struct cx_err err;
	const char *scheme = "create_report";
	/* prefix without '/': bucket_only works before the first delivery */
	ck_assert_int_eq(cx_pick_scheme(&f, false, "ours", false, "p", false, &scheme, &w, &err),
	                 CX_OK);
	ck_assert_str_eq(scheme, "bucket_only");
	ck_assert_uint_eq(w.n, 1);
	ck_assert_ptr_nonnull(strstr(w.v[0], "odd"));
	/* prefix with '/', nothing delivered: nothing works, the export and the fix are named */
	scheme = "create_report";
	ck_assert_int_eq(cx_pick_scheme(&f, false, "ours", false, "p/q", false, &scheme, &w, &err),
	                 CX_E_INPUT);
	ck_assert_ptr_nonnull(
	    strstr(err.msg, "Data Export odd has no DataQuery.TableConfigurations"));
	/* ... delivered files: bucket_only */
	ck_assert_int_eq(cx_pick_scheme(&f, false, "ours", false, "p/q", true, &scheme, &w, &err),
	                 CX_OK);
	ck_assert_str_eq(scheme, "bucket_only");
	/* CerteroX to create the export (no name): the listing is unavoidable */
	scheme = "create_report";
	ck_assert_int_eq(cx_pick_scheme(&f, false, NULL, false, "p", false, &scheme, &w, &err),
	                 CX_E_INPUT);
	/* legacy reports beyond the first five are not seen */
	struct plan_export_fact rep[6];
	memset(rep, 0, sizeof(rep));
	char names[6][3] = {"r1", "r2", "r3", "r4", "r5", "r6"};
	for (int i = 0; i < 6; i++) {
		rep[i].legacy = true;
		rep[i].name = names[i];
	}
	struct plan_facts l = {.account_id = acct, .exports = rep, .nexports = 6};
	scheme = "create_report";
	ck_assert_int_eq(cx_pick_scheme(&l, true, "r5", false, "p/q", false, &scheme, &w, &err),
	                 CX_OK);
	ck_assert_str_eq(scheme, "create_report");
	ck_assert_int_eq(cx_pick_scheme(&l, true, "r6", false, "p/q", true, &scheme, &w, &err),
	                 CX_OK);
	ck_assert_str_eq(scheme, "bucket_only");
	/* Data Exports: the first page is the one discovery's ListExports saw (issue 13 A3) */
	struct plan_export_fact dx[3];
	memset(dx, 0, sizeof(dx));
	char dnames[3][3] = {"d1", "d2", "d3"};
	for (int i = 0; i < 3; i++) {
		dx[i].name = dnames[i];
		dx[i].definition = g;
	}
	struct plan_facts pg = {
	    .account_id = acct, .exports = dx, .nexports = 3, .exports_first_page = 2};
	ck_assert_int_eq(cx_exports_page(&pg), 2);
	scheme = "create_report";
	ck_assert_int_eq(cx_pick_scheme(&pg, false, "d2", false, "p", false, &scheme, &w, &err),
	                 CX_OK);
	ck_assert_str_eq(scheme, "create_report");
	size_t nw = w.n;
	ck_assert_int_eq(cx_pick_scheme(&pg, false, "d3", false, "p", false, &scheme, &w, &err),
	                 CX_OK);
	ck_assert_str_eq(scheme, "bucket_only");
	ck_assert_uint_eq(w.n, nw + 1);
	ck_assert_ptr_nonnull(strstr(w.v[nw], "Data Export d3 is number 3"));
	ck_assert_ptr_nonnull(strstr(w.v[nw], "first 2"));
	scheme = "create_report";
	ck_assert_int_eq(cx_pick_scheme(&pg, false, "d3", false, "p/q", false, &scheme, &w, &err),
	                 CX_E_INPUT);
	ck_assert_ptr_nonnull(strstr(err.msg, "d3"));
	/* everything on one page: the default page (20) */
	pg.exports_first_page = 0;
	ck_assert_int_eq(cx_exports_page(&pg), CX_EXPORTS_PAGE);
	ck_assert_int_eq(cx_pick_scheme(&pg, false, "d3", false, "p/q", false, &scheme, &w, &err),
	                 CX_OK);
	ck_assert_str_eq(scheme, "create_report");
	/* one this run creates while the first page is already full */
	pg.exports_first_page = 3;
	ck_assert_int_eq(cx_pick_scheme(&pg, false, "new", true, "p/q", false, &scheme, &w, &err),
	                 CX_E_INPUT);
	ck_assert_ptr_nonnull(strstr(err.msg, "may not be on it"));
	ck_assert_int_eq(cx_pick_scheme(&pg, false, "new", true, "p", false, &scheme, &w, &err),
	                 CX_OK);
	ck_assert_str_eq(scheme, "bucket_only");
	/* a legacy report with SPLIT_COST_ALLOCATION_DATA: bucket_only, or refused (issue 13 C8) */
	scheme = "create_report";
	ck_assert_int_eq(cx_legacy_split_scheme(false, "r", "cur", &scheme, &w, &err), CX_OK);
	ck_assert_str_eq(scheme, "bucket_only");
	ck_assert_ptr_nonnull(strstr(w.v[w.n - 1], "AWS.check_report_definition"));
	scheme = "create_report";
	ck_assert_int_eq(cx_legacy_split_scheme(false, "r", "a/b", &scheme, &w, &err), CX_E_INPUT);
	ck_assert_str_eq(scheme, "create_report");
	ck_assert_ptr_nonnull(strstr(err.msg, "export.split_cost_allocation: "));
	ck_assert_ptr_nonnull(strstr(err.msg, "export.prefix \"a/b\""));
	ck_assert_int_eq(cx_legacy_split_scheme(true, "r", "a/b", &scheme, &w, &err), CX_OK);
	ck_assert_str_eq(scheme, "bucket_only");
	/* the facts carry what the key probe learnt, and the listing's first page */
	cJSON *j =
	    cJSON_Parse("{\"account_id\": \"123456789012\", \"certerox_unsupported_keys\": "
	                "[\"cur_version\", \"use_edp_discount\"], \"exports_first_page\": 7}");
	struct plan_facts pf;
	ck_assert_int_eq(plan_facts_from_json(&pf, j, &err), CX_OK);
	ck_assert_uint_eq(pf.cx_unsupported, PLAN_CX_NO_CUR_VERSION | PLAN_CX_NO_USE_EDP_DISCOUNT);
	ck_assert_uint_eq(pf.exports_first_page, 7);
	plan_facts_free(&pf);
	cJSON_Delete(j);
	strv_free(&w);
	cJSON_Delete(odd);
	cJSON_Delete(g);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("core_plan");
	TCase *t = tcase_create("plan");
	tcase_add_loop_test(t, plan_golden, 0, NFLOWS);
	tcase_add_test(t, plan_config_scheme_rule);
	tcase_add_test(t, plan_order_and_depth);
	tcase_add_test(t, plan_server_chain_by_scheme);
	tcase_add_test(t, plan_cx_listing_rules);
	tcase_add_test(t, plan_rerun_is_noop);
	tcase_add_test(t, plan_drift);
	tcase_add_test(t, plan_ownership);
	tcase_add_test(t, plan_connected_account);
	tcase_add_test(t, plan_policy_never_narrowed);
	tcase_add_test(t, plan_two_unknown_keys_stop);
	tcase_add_test(t, plan_errors);
	tcase_add_test(t, flow_pages_per_answers);
	tcase_add_test(t, keyage_flags_past_90_days);
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
