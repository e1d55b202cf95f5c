#include "run/engine.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/bcm.h"
#include "aws/cur.h"
#include "aws/iam.h"
#include "aws/iam_life.h"
#include "aws/s3.h"
#include "core/export.h"
#include "run/keycheck.h"
#include "util/json.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/secmem.h"
#include "util/str.h"

#define ENGINE_MAX_INFLIGHT 8

enum sstate { S_PENDING = 0, S_RUNNING, S_DONE, S_SKIPPED, S_FAILED, S_NOTRUN };

struct engine;

struct sinfo {
	struct engine *e;
	size_t idx;
	enum sstate st;
	long long t0;
	long ms;
	struct aws_op *op;
	struct certerox_call *cx;
	struct keycheck *kc;
	struct cx_err err;
	/* Recovery after a write whose answer was lost (see start_recovery). */
	int phase;              /* enum rphase */
	int recover;            /* recoveries so far */
	enum cx_status lost_st; /* the error that started the recovery */
	struct cx_err lost_err;
	char *aux_id; /* key id / version id / ARN being worked on */
	/* Waiting for a new bucket policy to reach the billing services (policy_wait). */
	unsigned long wait_timer;
	int waits;
};

/* Recovery phases: what the helper op in sinfo.op is doing. */
enum rphase {
	PH_NONE = 0,
	PH_PV_LIST,     /* CreatePolicyVersion: ListPolicyVersions */
	PH_PV_GET,      /* CreatePolicyVersion: GetPolicyVersion of the default */
	PH_KEYS_LIST,   /* CreateAccessKey: ListAccessKeys */
	PH_KEY_DELETE,  /* CreateAccessKey: DeleteAccessKey of a key whose secret was lost */
	PH_EXP_LIST,    /* CreateExport: ListExports */
	PH_EXP_GET,     /* CreateExport: GetExport of the same-name export */
	PH_REP_LIST,    /* PutReportDefinition: DescribeReportDefinitions */
	PH_REP_GONE,    /* DeleteReportDefinition: DescribeReportDefinitions */
	PH_KEY_UNSAVED, /* CreateAccessKey: DeleteAccessKey of the new key the vault could not
	                   save (never cancelled: no key is left without its secret saved) */
	PH_DS_LIST      /* CerteroX create: list the organization's data sources */
};
#define ENGINE_MAX_RECOVER 3

struct engine {
	const struct plan *p;
	struct engine_env env;
	struct sinfo *s;
	int inflight;
	bool cancelled;
	bool started;
	bool finished_sent; /* ENGINE_FINISHED was emitted */
	enum cx_status first;
	struct cx_err first_err;
	struct engine_result res;
	char *key_secret; /* secmem: the secret of the key used for CerteroX */
	unsigned saves;   /* vault saves ahead whose key is not being derived yet */
	unsigned long saves_timer;
};

static const char *const state_names[] = {"pending", "running", "done",
                                          "skipped", "failed",  "not run"};

static const char *req_str(const struct plan_step *st, const char *key)
{
	return json_str(st->request, key);
}

static void emit(struct engine *e, size_t i, enum engine_event_kind kind, const char *reason,
                 const char *detail, const char *fix)
{
	if (!e->env.on_event)
		return;
	struct engine_event ev = {
	    .kind = kind,
	    .index = (int)i + 1,
	    .total = (int)e->p->n,
	    .step = &e->p->steps[i],
	    .ms = e->s[i].ms,
	    .reason = reason,
	    .detail = detail,
	    .err = kind == ENGINE_FAILED ? &e->s[i].err : NULL,
	    .fix = fix,
	};
	e->env.on_event(e->env.event_ud, &ev);
}

static void journal_note(struct engine *e, const char *event, const char *k1, const char *v1,
                         const char *k2, const char *v2)
{
	if (!e->env.journal)
		return;
	cJSON *d = cJSON_CreateObject();
	if (k1 && v1)
		cJSON_AddStringToObject(d, k1, v1);
	if (k2 && v2)
		cJSON_AddStringToObject(d, k2, v2);
	journal_append(e->env.journal, event, d, NULL);
	cJSON_Delete(d);
}

/* What to tell the administrator for a failure class. */
static const char *fix_for(struct engine *e, const struct plan_step *st, const struct cx_err *err,
                           char *buf, size_t n)
{
	switch (err->status) {
	case CX_E_DENIED:
		if (str_eq(st->operation, "CheckKey")) { /* no such AWS action: name the user */
			snprintf(buf, n,
			         "grant user %s the action named above (in one of its policies), "
			         "then run the same command again",
			         req_str(st, "UserName") ? req_str(st, "UserName") : "of the key");
			return buf;
		}
		if (str_eq(st->service, "certerox"))
			return "check that the CerteroX token may manage data sources of the "
			       "organization";
		snprintf(buf, n,
		         "allow %s:%s for %s (the identity running the wizard), then run the same "
		         "command again",
		         str_eq(st->service, "bcm-data-exports") ? "bcm-data-exports" : st->service,
		         st->operation,
		         e->env.facts && e->env.facts->caller_arn ? e->env.facts->caller_arn
		                                                  : "the administrator");
		return buf;
	case CX_E_CREDENTIALS:
		return str_eq(st->service, "certerox")
		           ? "check the CerteroX token, or the new access key CerteroX was given"
		           : "check the administrator's AWS credentials (profile, environment)";
	case CX_E_THROTTLED:
	case CX_E_SERVER:
	case CX_E_NETWORK:
	case CX_E_TIMEOUT:
	case CX_E_UNAVAILABLE:
		return "run the same command again: it continues where it stopped";
	case CX_E_TLS:
		return "check --ca-bundle / AWS_CA_BUNDLE and the endpoint URL";
	default:
		return NULL;
	}
}

static void pump(struct engine *e);

static void step_finish(struct engine *e, size_t i, enum cx_status st, const struct cx_err *err,
                        const char *detail)
{
	struct sinfo *s = &e->s[i];
	const struct plan_step *ps = &e->p->steps[i];
	s->ms = (long)(http_now_ms() - s->t0);
	if (s->st == S_RUNNING)
		e->inflight--;
	if (st == CX_OK) {
		s->st = S_DONE;
		e->res.done++;
		if (ps->kind != PLAN_READ && !str_eq(ps->operation, "CheckKey"))
			e->res.wrote = true;
		emit(e, i, ENGINE_DONE, NULL, detail, NULL);
	} else {
		s->st = S_FAILED;
		e->res.failed++;
		if (err)
			s->err = *err;
		s->err.status = st;
		if (!s->err.where[0])
			str_copy(s->err.where, sizeof(s->err.where), ps->title);
		if (e->first == CX_OK) {
			e->first = st;
			e->first_err = s->err;
		}
		char buf[512];
		emit(e, i, ENGINE_FAILED, NULL, NULL, fix_for(e, ps, &s->err, buf, sizeof(buf)));
		log_error("step %s failed: %s", ps->title, s->err.msg);
	}
	pump(e);
}

/* ---- AWS steps ---- */

static bool benign_error(const struct plan_step *ps, const struct cx_err *err)
{
	const char *code = err->code;
	if (str_eq(ps->operation, "CreateUser") || str_eq(ps->operation, "CreatePolicy"))
		return str_eq(code, "EntityAlreadyExists");
	if (str_eq(ps->operation, "CreateBucket"))
		return str_eq(code, "BucketAlreadyOwnedByYou");
	if (str_eq(ps->operation, "DeletePolicyVersion") ||
	    str_eq(ps->operation, "DeleteAccessKey") || str_eq(ps->operation, "DeleteUser") ||
	    str_eq(ps->operation, "DetachUserPolicy") || str_eq(ps->operation, "DeletePolicy"))
		return str_eq(code, "NoSuchEntity");
	if (str_eq(ps->operation, "DeleteExport"))
		return str_eq(code, "ResourceNotFoundException");
	if (str_eq(ps->operation, "DeleteBucketPolicy"))
		return str_eq(code, "NoSuchBucketPolicy");
	if (str_eq(ps->operation, "DeleteReportDefinition"))
		return str_eq(code, "ResourceNotFoundException");
	return false;
}

/* The fields every vault record of this run shares: account, user, connection, export.
 * Borrowed pointers; the vault copies them. */
static void vault_record_of_run(const struct engine *e, struct vault_record *r)
{
	const struct answers *a = e->env.answers;
	const struct plan_target *t = &e->p->target;
	memset(r, 0, sizeof(*r));
	r->aws_account_id = t->account_id;
	r->iam_user = a->iam.user;
	r->connection = (char *)answers_connection_name(a->connection);
	if (t->export_name) {
		r->export.type = (char *)(t->legacy ? "legacy" : "cur2");
		r->export.name = t->export_name;
		r->export.bucket = t->bucket;
		r->export.prefix = t->prefix;
		r->export.region = t->region;
	}
}

static void prefetch_next_save(struct engine *e);

static enum cx_status save_new_key(struct engine *e, const struct iam_access_key *k,
                                   struct cx_err *err)
{
	const struct answers *a = e->env.answers;
	if (!e->env.vault)
		return cx_err_set(err, CX_E_INTERNAL, "no vault is open to save the new key");
	struct vault_record r;
	vault_record_of_run(e, &r);
	r.access_key_id = k->access_key_id;
	r.secret_access_key = k->secret_access_key;
	r.name = a->data_source.name;
	r.certerox_url = a->certerox.url;
	r.organization_id = (char *)e->env.certerox_org;
	struct vault_event ev = {NULL, (char *)"key-created", k->access_key_id};
	r.history = &ev;
	r.nhistory = 1;
	enum cx_status st = vault_upsert_user(e->env.vault, &r, err);
	if (st == CX_OK)
		st = vault_save(e->env.vault, err);
	prefetch_next_save(e);
	return st;
}

static bool start_recovery(struct engine *e, struct sinfo *s, enum cx_status st,
                           const struct cx_err *err);
static bool policy_wait(struct engine *e, struct sinfo *s, const struct cx_err *err);

/* A key deleted or deactivated by the plan: its vault record (if any) is retired. */
static void engine_life_key_gone(struct engine *e, const char *id, const char *how)
{
	if (!e->env.vault || !id || !vault_count(e->env.vault))
		return;
	struct cx_err verr;
	cx_err_clear(&verr);
	char detail[128];
	snprintf(detail, sizeof(detail), "iam %s", how);
	if (vault_retire_key(e->env.vault, id, detail, &verr) == CX_OK &&
	    vault_save(e->env.vault, &verr) != CX_OK)
		log_error("vault: %s", verr.msg);
}
static void recover_step(struct engine *e, struct sinfo *s, int phase, struct aws_op *op);

static void on_aws_done(struct aws_op *op, void *ud)
{
	struct sinfo *s = ud;
	struct engine *e = s->e;
	size_t i = s->idx;
	const struct plan_step *ps = &e->p->steps[i];
	enum cx_status st = aws_op_status(op);
	struct cx_err err;
	cx_err_clear(&err);
	char detail[512] = "";
	if (st != CX_OK) {
		err = *aws_op_error(op);
		if (benign_error(ps, &err)) {
			snprintf(detail, sizeof(detail), "already there (%s)", err.code);
			st = CX_OK;
		} else {
			s->op = NULL;
			aws_op_free(op);
			if (policy_wait(e, s, &err) || start_recovery(e, s, st, &err))
				return;
			if (str_eq(ps->operation, "CreateAccessKey") && st != CX_E_NETWORK &&
			    st !=
			        CX_E_TIMEOUT) /* AWS answered: no key was made (run/keyintent.h) */
				journal_note(e, "create_access_key_failed", "user",
				             req_str(ps, "UserName"), NULL, NULL);
			step_finish(e, i, st, &err, NULL);
			return;
		}
	} else if (str_eq(ps->operation, "CreateAccessKey")) {
		const struct iam_access_key *k = iam_create_access_key_result(op);
		st = save_new_key(e, k, &err);
		if (st == CX_OK) {
			free(e->res.access_key_id);
			e->res.access_key_id = xstrdup(k->access_key_id);
			free(e->res.iam_user);
			e->res.iam_user = xstrdup(req_str(ps, "UserName"));
			secmem_free(e->key_secret);
			e->key_secret = secmem_strdup(k->secret_access_key);
			journal_note(e, "created_access_key", "user", req_str(ps, "UserName"),
			             "access_key_id", k->access_key_id);
			snprintf(detail, sizeof(detail), "%s (saved in the vault)",
			         k->access_key_id);
		} else {
			/* We made it and its secret is lost: delete it at once. */
			log_error("the new key %s could not be saved in the vault; deleting it",
			          k->access_key_id);
			s->aux_id = xstrdup(k->access_key_id);
			s->lost_st = st;
			s->lost_err = err;
			s->op = NULL;
			aws_op_free(op);
			journal_note(e, "unsaved_access_key", "user", req_str(ps, "UserName"),
			             "access_key_id", s->aux_id);
			recover_step(e, s, PH_KEY_UNSAVED,
			             iam_delete_access_key_op(req_str(ps, "UserName"), s->aux_id));
			return;
		}
	} else if (str_eq(ps->operation, "CreateExport") || str_eq(ps->operation, "UpdateExport")) {
		const char *arn = str_eq(ps->operation, "CreateExport")
		                      ? bcm_create_export_result(op)
		                      : bcm_update_export_result(op);
		if (arn) {
			free(e->res.export_arn);
			e->res.export_arn = xstrdup(arn);
			snprintf(detail, sizeof(detail), "%s", arn);
		}
		journal_note(
		    e, str_eq(ps->operation, "CreateExport") ? "created_export" : "updated_export",
		    "export_arn", arn, NULL, NULL);
	} else if (str_eq(ps->operation, "CreateUser")) {
		journal_note(e, "created_user", "user", req_str(ps, "UserName"), "account",
		             e->p->target.account_id);
	} else if (str_eq(ps->operation, "TagUser")) {
		journal_note(e, "described_access_key", "user", req_str(ps, "UserName"),
		             "access_key_id",
		             req_str(ps, "Key") ? req_str(ps, "Key") : e->res.access_key_id);
	} else if (str_eq(ps->operation, "CreatePolicy")) {
		const struct iam_policy *pol = iam_create_policy_result(op);
		if (pol && pol->arn)
			snprintf(detail, sizeof(detail), "%s", pol->arn);
		journal_note(e, "created_policy", "arn", pol ? pol->arn : NULL, NULL, NULL);
	} else if (str_eq(ps->operation, "CreatePolicyVersion")) {
		const struct iam_policy_version *v = iam_create_policy_version_result(op);
		if (v && v->version_id)
			snprintf(detail, sizeof(detail), "%s", v->version_id);
		journal_note(e, "created_policy_version", "arn", req_str(ps, "PolicyArn"),
		             "version", v ? v->version_id : NULL);
	} else {
		char ev[96];
		snprintf(ev, sizeof(ev), "%s %s", ps->service, ps->operation);
		journal_note(e, "applied", "step", ps->id, "operation", ev);
		if (str_eq(ps->operation, "DeleteAccessKey") ||
		    str_eq(ps->operation, "UpdateAccessKey"))
			engine_life_key_gone(e, req_str(ps, "AccessKeyId"), ps->operation);
	}
	s->op = NULL;
	aws_op_free(op);
	step_finish(e, i, st, &err, detail[0] ? detail : NULL);
}

/* The first of the request's Tags ([{Key, Value}]) on a CreateUser / CreatePolicy op. */
static void set_owner_tag(struct aws_op *o, const cJSON *rq)
{
	const cJSON *t = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(rq, "Tags"), 0);
	if (o && t)
		iam_op_set_tag(o, json_str(t, "Key"), json_str(t, "Value"));
}

static struct aws_op *aws_step_op(struct engine *e, const struct plan_step *ps, struct cx_err *err)
{
	const char *op = ps->operation;
	const cJSON *rq = ps->request;
	if (str_eq(ps->service, "s3")) {
		const char *bucket = json_str(rq, "Bucket"), *region = json_str(rq, "Region");
		if (region && bucket)
			aws_client_set_bucket_region(e->env.aws, bucket, region);
		if (str_eq(op, "CreateBucket"))
			return s3_create_bucket_op(bucket, region ? region : "us-east-1");
		if (str_eq(op, "DeleteBucketPolicy")) {
			if (e->env.journal &&
			    journal_backup_policy(e->env.journal, bucket,
			                          e->env.facts ? e->env.facts->bucket_policy : NULL,
			                          NULL, err) != CX_OK)
				return NULL;
			return s3_delete_bucket_policy_op(bucket);
		}
		if (str_eq(op, "PutBucketPolicy")) {
			const cJSON *pol = cJSON_GetObjectItemCaseSensitive(rq, "Policy");
			if (e->env.journal &&
			    journal_backup_policy(e->env.journal, bucket,
			                          e->env.facts ? e->env.facts->bucket_policy : NULL,
			                          NULL, err) != CX_OK)
				return NULL;
			char *text =
			    cJSON_IsString(pol) ? xstrdup(pol->valuestring) : json_compact(pol);
			struct aws_op *o = s3_put_bucket_policy_op(bucket, text);
			free(text);
			return o;
		}
	} else if (str_eq(ps->service, "iam")) {
		const char *user = json_str(rq, "UserName");
		const char *arn = json_str(rq, "PolicyArn");
		if (str_eq(op, "CreatePolicy") || str_eq(op, "CreatePolicyVersion")) {
			const cJSON *doc = cJSON_GetObjectItemCaseSensitive(rq, "PolicyDocument");
			char *text =
			    cJSON_IsString(doc) ? xstrdup(doc->valuestring) : json_compact(doc);
			struct aws_op *o =
			    str_eq(op, "CreatePolicy")
			        ? iam_create_policy_op(json_str(rq, "PolicyName"), text, NULL,
			                               "CerteroX Cloud Management")
			        : iam_create_policy_version_op(arn, text, true);
			free(text);
			if (str_eq(op, "CreatePolicy"))
				set_owner_tag(o, rq);
			return o;
		}
		if (str_eq(op, "DeletePolicyVersion"))
			return iam_delete_policy_version_op(arn, json_str(rq, "VersionId"));
		if (str_eq(op, "CreateUser")) {
			struct aws_op *o = iam_create_user_op(user, NULL);
			set_owner_tag(o, rq);
			return o;
		}
		if (str_eq(op, "TagUser")) {
			/* Key null: the id of the key this run made (step "key") */
			const char *k =
			    json_str(rq, "Key") ? json_str(rq, "Key") : e->res.access_key_id;
			if (!k) {
				cx_err_set(err, CX_E_INTERNAL,
				           "iam TagUser: this run made no access key to describe");
				return NULL;
			}
			return iam_tag_user_op(user, k, json_str(rq, "Value"));
		}
		if (str_eq(op, "AttachUserPolicy"))
			return iam_attach_user_policy_op(user, arn);
		if (str_eq(op, "CreateAccessKey")) {
			/* the intent first: a run killed before the answer leaves a key that a
			 * re-run must know as ours (run/keyintent.h) */
			journal_note(e, "creating_access_key", "user", user, NULL, NULL);
			return iam_create_access_key_op(user);
		}
		if (str_eq(op, "DeleteAccessKey"))
			return iam_delete_access_key_op(user, json_str(rq, "AccessKeyId"));
		if (str_eq(op, "UpdateAccessKey"))
			return iam_update_access_key_op(user, json_str(rq, "AccessKeyId"),
			                                json_str(rq, "Status"));
		if (str_eq(op, "DeleteUser"))
			return iam_delete_user_op(user);
		if (str_eq(op, "DetachUserPolicy"))
			return iam_detach_user_policy_op(user, arn);
		if (str_eq(op, "DeletePolicy"))
			return iam_delete_policy_op(arn);
	} else if (str_eq(ps->service, "bcm-data-exports")) {
		if (str_eq(op, "CreateExport"))
			return bcm_create_export_op(rq);
		if (str_eq(op, "UpdateExport"))
			return bcm_update_export_op(rq);
		if (str_eq(op, "DeleteExport"))
			return bcm_delete_export_op(json_str(rq, "ExportArn"));
	} else if (str_eq(ps->service, "cur")) {
		if (str_eq(op, "PutReportDefinition"))
			return cur_put_report_definition_op(rq);
		if (str_eq(op, "ModifyReportDefinition"))
			return cur_modify_report_definition_op(rq);
		if (str_eq(op, "DeleteReportDefinition"))
			return cur_delete_report_definition_op(json_str(rq, "ReportName"));
	}
	cx_err_set(err, CX_E_INTERNAL, "the engine has no executor for %s %s", ps->service, op);
	return NULL;
}

/* ---- recovery after a lost answer ----
 *
 * A write whose request reached AWS but whose answer was lost (connection reset, timeout) or
 * which was retried after such a loss must not leave a duplicate:
 *   CreatePolicyVersion (never retried blindly): the default version already has our
 *     document = done; else send it again.
 *   CreateAccessKey (never retried blindly): a key of the user that neither the vault nor
 *     discovery knows was made by the lost request and its secret is gone: delete it, then
 *     create another (reported as orphaned when it cannot be deleted).
 *   CreateExport "already exists" / PutReportDefinition DuplicateReportNameException: the
 *     same-name definition equal to ours = done.
 *   CerteroX create "already exists": OE0402 (this AWS account is connected: OptScale checks
 *     it before the name, controllers/cloud_account.py create) or OE0404 (the name): a data
 *     source of this account with our key = done; never a second create. */

static bool not_idempotent(const struct plan_step *ps)
{
	return str_eq(ps->service, "iam") && (str_eq(ps->operation, "CreatePolicyVersion") ||
	                                      str_eq(ps->operation, "CreateAccessKey"));
}

static void launch_aws(struct engine *e, struct sinfo *s, struct aws_op *op);
static void on_recover_done(struct aws_op *op, void *ud);

static void recover_fail(struct engine *e, struct sinfo *s, const char *why)
{
	struct cx_err err = s->lost_err;
	enum cx_status st = s->lost_st;
	if (why) {
		char msg[sizeof(err.msg)];
		snprintf(msg, sizeof(msg), "%s (%s)", err.msg, why);
		str_copy(err.msg, sizeof(err.msg), msg);
	}
	s->phase = PH_NONE;
	free(s->aux_id);
	s->aux_id = NULL;
	step_finish(e, s->idx, st, &err, NULL);
}

static void recover_ok(struct engine *e, struct sinfo *s, const char *detail)
{
	s->phase = PH_NONE;
	free(s->aux_id);
	s->aux_id = NULL;
	step_finish(e, s->idx, CX_OK, NULL, detail);
}

static void recover_step(struct engine *e, struct sinfo *s, int phase, struct aws_op *op)
{
	s->phase = phase;
	s->op = op;
	aws_op_set_detail(op, e->p->steps[s->idx].title);
	aws_op_start(e->env.aws, op, on_recover_done, s);
}

/* Sends the step's own request again. */
static void recover_resend(struct engine *e, struct sinfo *s, const char *why)
{
	const struct plan_step *ps = &e->p->steps[s->idx];
	struct cx_err err;
	cx_err_clear(&err);
	s->phase = PH_NONE;
	free(s->aux_id);
	s->aux_id = NULL;
	struct aws_op *op = aws_step_op(e, ps, &err);
	if (!op) {
		step_finish(e, s->idx, err.status ? err.status : CX_E_INTERNAL, &err, NULL);
		return;
	}
	if (e->env.on_event) {
		char reason[200];
		snprintf(reason, sizeof(reason), "%s; sending it again", why);
		struct engine_event ev = {.kind = ENGINE_RETRYING,
		                          .index = (int)s->idx + 1,
		                          .total = (int)e->p->n,
		                          .step = ps,
		                          .attempt = s->recover,
		                          .reason = reason};
		e->env.on_event(e->env.event_ud, &ev);
	}
	launch_aws(e, s, op);
}

static bool vault_knows_key(const struct engine *e, const char *id)
{
	if (!e->env.vault || !id)
		return false;
	for (size_t i = 0; i < vault_count(e->env.vault); i++) {
		const struct vault_record *r = vault_get(e->env.vault, i);
		if (r && str_eq(r->access_key_id, id) && r->secret_access_key &&
		    r->secret_access_key[0])
			return true;
	}
	return false;
}

static bool discovery_knew_key(const struct engine *e, const char *id)
{
	if (!e->env.facts)
		return false;
	for (size_t i = 0; i < e->env.facts->nkeys; i++)
		if (str_eq(e->env.facts->keys[i].id, id))
			return true;
	return false;
}

static bool start_recovery(struct engine *e, struct sinfo *s, enum cx_status st,
                           const struct cx_err *err)
{
	const struct plan_step *ps = &e->p->steps[s->idx];
	const cJSON *rq = ps->request;
	bool lost = st == CX_E_NETWORK || st == CX_E_TIMEOUT;
	if (s->recover >= ENGINE_MAX_RECOVER || e->cancelled)
		return false;
	int phase = PH_NONE;
	struct aws_op *op = NULL;
	if (lost && str_eq(ps->operation, "CreatePolicyVersion")) {
		phase = PH_PV_LIST;
		op = iam_list_policy_versions_op(json_str(rq, "PolicyArn"));
	} else if (lost && str_eq(ps->operation, "CreateAccessKey")) {
		phase = PH_KEYS_LIST;
		op = iam_list_access_keys_op(json_str(rq, "UserName"));
	} else if (str_eq(ps->operation, "CreateExport") && st == CX_E_INVALID &&
	           (strstr(err->msg, "already exists") ||
	            strstr(err->msg, "duplicate export name"))) {
		/* AWS: ValidationException "Cannot create duplicate export name." */
		phase = PH_EXP_LIST;
		op = bcm_list_exports_op();
	} else if (str_eq(ps->operation, "PutReportDefinition") &&
	           str_eq(err->code, "DuplicateReportNameException")) {
		phase = PH_REP_LIST;
		op = cur_describe_report_definitions_op();
	} else if (str_eq(ps->operation, "DeleteReportDefinition") &&
	           str_eq(err->code, "ValidationException")) {
		/* AWS answers a missing report with ValidationException (not ResourceNotFound):
		 * gone = done, whatever its wording */
		phase = PH_REP_GONE;
		op = cur_describe_report_definitions_op();
	}
	if (!op)
		return false;
	s->recover++;
	s->lost_st = st;
	s->lost_err = *err;
	log_info("step %s: %s; finding out what the lost request did", ps->title, err->msg);
	recover_step(e, s, phase, op);
	return true;
}

/* A key the engine meant to delete (its secret lost or unsaved) that AWS would not delete:
 * why is logged with AWS's message and the journal names the key as orphaned. */
static void key_orphaned(struct engine *e, const struct sinfo *s, const struct aws_op *op,
                         const char *why)
{
	log_error("%s: %s", why, aws_op_error(op)->msg);
	journal_note(e, "orphaned_access_key", "user",
	             json_str(e->p->steps[s->idx].request, "UserName"), "access_key_id", s->aux_id);
}

static void on_recover_done(struct aws_op *op, void *ud)
{
	struct sinfo *s = ud;
	struct engine *e = s->e;
	const struct plan_step *ps = &e->p->steps[s->idx];
	const cJSON *rq = ps->request;
	enum cx_status st = aws_op_status(op);
	int phase = s->phase;
	char detail[512] = "";
	s->op = NULL;
	if (st == CX_E_CANCELLED && phase != PH_KEY_UNSAVED) {
		struct cx_err cerr = *aws_op_error(op);
		aws_op_free(op);
		s->phase = PH_NONE;
		step_finish(e, s->idx, CX_E_CANCELLED, &cerr, NULL);
		return;
	}
	if (st != CX_OK && phase != PH_KEY_DELETE && phase != PH_KEY_UNSAVED) {
		log_error("step %s: cannot find out what the lost request did: %s", ps->title,
		          aws_op_error(op)->msg);
		aws_op_free(op);
		recover_fail(e, s, "and the check of what it did failed");
		return;
	}
	switch (phase) {
	case PH_PV_LIST: {
		const struct iam_policy_version_list *l = iam_list_policy_versions_result(op);
		const char *def = NULL;
		for (size_t i = 0; l && i < l->n; i++)
			if (l->items[i].is_default)
				def = l->items[i].version_id;
		if (!def) {
			aws_op_free(op);
			recover_resend(e, s, "the answer was lost");
			return;
		}
		s->aux_id = xstrdup(def);
		aws_op_free(op);
		recover_step(e, s, PH_PV_GET,
		             iam_get_policy_version_op(json_str(rq, "PolicyArn"), s->aux_id));
		return;
	}
	case PH_PV_GET: {
		const struct iam_policy_version *v = iam_get_policy_version_result(op);
		const cJSON *ours = cJSON_GetObjectItemCaseSensitive(rq, "PolicyDocument");
		cJSON *parsed_ours = cJSON_IsString(ours) ? cJSON_Parse(ours->valuestring) : NULL;
		cJSON *theirs = v && v->document ? cJSON_Parse(v->document) : NULL;
		bool same = theirs && json_equal(theirs, parsed_ours ? parsed_ours : ours, true);
		cJSON_Delete(theirs);
		cJSON_Delete(parsed_ours);
		if (same) {
			snprintf(detail, sizeof(detail),
			         "%s (the answer was lost; the default version has our document)",
			         v->version_id);
			journal_note(e, "created_policy_version", "arn", json_str(rq, "PolicyArn"),
			             "version", v->version_id);
			aws_op_free(op);
			recover_ok(e, s, detail);
			return;
		}
		aws_op_free(op);
		recover_resend(e, s, "the answer was lost and the policy has no new version");
		return;
	}
	case PH_KEYS_LIST: {
		const struct iam_access_key_list *l = iam_list_access_keys_result(op);
		for (size_t i = 0; l && i < l->n; i++) {
			const char *id = l->items[i].access_key_id;
			if (vault_knows_key(e, id) || discovery_knew_key(e, id))
				continue;
			/* made by the lost request: its secret is gone */
			s->aux_id = xstrdup(id);
			aws_op_free(op);
			journal_note(e, "lost_access_key", "user", json_str(rq, "UserName"),
			             "access_key_id", s->aux_id);
			recover_step(e, s, PH_KEY_DELETE,
			             iam_delete_access_key_op(json_str(rq, "UserName"), s->aux_id));
			return;
		}
		aws_op_free(op);
		recover_resend(e, s, "the answer was lost and no new key exists");
		return;
	}
	case PH_KEY_DELETE: {
		if (st != CX_OK && !str_eq(aws_op_error(op)->code, "NoSuchEntity")) {
			char why[300];
			snprintf(
			    why, sizeof(why),
			    "the key %s was created but its secret was lost, and it could not be "
			    "deleted: it is orphaned; delete it in IAM",
			    s->aux_id);
			key_orphaned(e, s, op, why);
			aws_op_free(op);
			recover_fail(e, s, why);
			return;
		}
		char why[200];
		snprintf(why, sizeof(why),
		         "the answer was lost; deleted the key %s whose secret was lost",
		         s->aux_id);
		journal_note(e, "deleted_lost_access_key", "user", json_str(rq, "UserName"),
		             "access_key_id", s->aux_id);
		aws_op_free(op);
		recover_resend(e, s, why);
		return;
	}
	case PH_KEY_UNSAVED: {
		char why[300];
		if (st != CX_OK && !str_eq(aws_op_error(op)->code, "NoSuchEntity")) {
			snprintf(
			    why, sizeof(why),
			    "the new key %s could not be saved in the vault nor deleted: it is "
			    "orphaned; delete it in IAM",
			    s->aux_id);
			key_orphaned(e, s, op, why);
		} else {
			snprintf(
			    why, sizeof(why),
			    "the new key %s could not be saved in the vault, so it was deleted",
			    s->aux_id);
			journal_note(e, "deleted_unsaved_access_key", "user",
			             json_str(rq, "UserName"), "access_key_id", s->aux_id);
		}
		aws_op_free(op);
		recover_fail(e, s, why);
		return;
	}
	case PH_EXP_LIST: {
		const struct bcm_export_list *l = bcm_list_exports_result(op);
		const char *name = json_str(json_obj(rq, "Export"), "Name");
		for (size_t i = 0; l && i < l->n; i++)
			if (str_eq(l->items[i].name, name)) {
				s->aux_id = xstrdup(l->items[i].arn);
				aws_op_free(op);
				recover_step(e, s, PH_EXP_GET, bcm_get_export_op(s->aux_id));
				return;
			}
		aws_op_free(op);
		recover_fail(e, s, NULL);
		return;
	}
	case PH_EXP_GET: {
		const struct bcm_export *x = bcm_get_export_result(op);
		bool same =
		    x && export_compare(json_obj(x->json, "Export"), json_obj(rq, "Export"), NULL);
		if (same) {
			free(e->res.export_arn);
			e->res.export_arn = xstrdup(s->aux_id);
			journal_note(e, "created_export", "export_arn", s->aux_id, NULL, NULL);
			snprintf(detail, sizeof(detail), "%s (already there with our definition)",
			         s->aux_id);
			aws_op_free(op);
			recover_ok(e, s, detail);
			return;
		}
		aws_op_free(op);
		recover_fail(e, s, "and its definition differs from ours");
		return;
	}
	case PH_REP_LIST: {
		const struct cur_report_list *l = cur_describe_report_definitions_result(op);
		const cJSON *ours = json_obj(rq, "ReportDefinition");
		const char *name = json_str(ours, "ReportName");
		for (size_t i = 0; l && i < l->n; i++)
			if (str_eq(l->items[i].name, name)) {
				bool same = export_compare(l->items[i].json, ours, NULL);
				aws_op_free(op);
				if (same) {
					journal_note(e, "applied", "step", ps->id, "operation",
					             "cur PutReportDefinition");
					recover_ok(e, s, "already there with our definition");
				} else {
					recover_fail(e, s, "and its definition differs from ours");
				}
				return;
			}
		aws_op_free(op);
		recover_fail(e, s, NULL);
		return;
	}
	case PH_REP_GONE: {
		const struct cur_report_list *l = cur_describe_report_definitions_result(op);
		const char *name = json_str(rq, "ReportName");
		bool there = false;
		for (size_t i = 0; l && i < l->n; i++)
			there = there || str_eq(l->items[i].name, name);
		aws_op_free(op);
		if (there)
			recover_fail(e, s, "and the report is still there");
		else
			recover_ok(e, s, "already gone");
		return;
	}
	default:
		aws_op_free(op);
		recover_fail(e, s, NULL);
		return;
	}
}

/* ---- a new bucket policy reaching the billing services ----
 * CreateExport / PutReportDefinition (and their updates) right after PutBucketPolicy can be
 * refused with "Failed to verify customer bucket permission" while S3 propagates the policy
 * (eventually consistent): sent again with backoff (1, 2, 4, 8, 10, 10 ... s) for at most
 * ENGINE_POLICY_WAIT_MS from the step's start, each wait shown as a retry. */
#define ENGINE_POLICY_WAIT_MS 60000L

static void on_policy_wait_done(void *ud)
{
	struct sinfo *s = ud;
	struct engine *e = s->e;
	s->wait_timer = 0;
	struct cx_err err;
	cx_err_clear(&err);
	struct aws_op *op = aws_step_op(e, &e->p->steps[s->idx], &err);
	if (!op) {
		step_finish(e, s->idx, err.status ? err.status : CX_E_INTERNAL, &err, NULL);
		return;
	}
	launch_aws(e, s, op);
}

static bool policy_wait(struct engine *e, struct sinfo *s, const struct cx_err *err)
{
	const struct plan_step *ps = &e->p->steps[s->idx];
	if (e->cancelled || !str_eq(err->code, "ValidationException") ||
	    !strstr(err->msg, "Failed to verify customer bucket permission") ||
	    !(str_eq(ps->operation, "CreateExport") || str_eq(ps->operation, "UpdateExport") ||
	      str_eq(ps->operation, "PutReportDefinition") ||
	      str_eq(ps->operation, "ModifyReportDefinition")))
		return false;
	long waited = (long)(http_now_ms() - s->t0);
	long delay = s->waits >= 3 ? 10000L : 1000L << s->waits;
	if (waited + delay > ENGINE_POLICY_WAIT_MS)
		return false;
	s->waits++;
	if (e->env.on_event) {
		char reason[240];
		snprintf(
		    reason, sizeof(reason),
		    "the bucket policy has not reached the billing service yet (AWS: Failed to "
		    "verify customer bucket permission); retrying in %ld s (%ld s of %ld s)",
		    delay / 1000, waited / 1000, ENGINE_POLICY_WAIT_MS / 1000);
		struct engine_event ev = {.kind = ENGINE_RETRYING,
		                          .index = (int)s->idx + 1,
		                          .total = (int)e->p->n,
		                          .step = ps,
		                          .attempt = s->waits,
		                          .reason = reason};
		e->env.on_event(e->env.event_ud, &ev);
	}
	s->wait_timer = http_timer_add(aws_client_ctx(e->env.aws), delay, on_policy_wait_done, s);
	return true;
}

/* ---- the key used for CerteroX and the key check ---- */

/* Makes sure e->res.access_key_id / e->key_secret hold the key to hand to CerteroX. */
static enum cx_status find_key(struct engine *e, const char *want_id, struct cx_err *err)
{
	if (e->key_secret && (!want_id || str_eq(want_id, e->res.access_key_id)))
		return CX_OK;
	const struct answers *a = e->env.answers;
	const struct vault_record *r = NULL;
	if (e->env.vault) {
		if (a->action == ANSWERS_MIGRATE && a->migrate.data_source_id)
			r = vault_find_data_source(e->env.vault, a->migrate.data_source_id);
		if (!r)
			r = vault_find_user(e->env.vault, e->p->target.account_id, a->iam.user);
	}
	if (!r || !r->secret_access_key || !r->secret_access_key[0] ||
	    (want_id && !str_eq(want_id, r->access_key_id)))
		return cx_err_set(
		    err, CX_E_INPUT,
		    "the vault holds no secret for the access key of IAM user %s%s%s: "
		    "the secret is shown by AWS only once; delete that key in IAM and "
		    "run again to create a new one",
		    a->iam.user, want_id ? " " : "", want_id ? want_id : "");
	free(e->res.access_key_id);
	e->res.access_key_id = xstrdup(r->access_key_id);
	if (r->iam_user) {
		free(e->res.iam_user);
		e->res.iam_user = xstrdup(r->iam_user);
	}
	secmem_free(e->key_secret);
	e->key_secret = secmem_strdup(r->secret_access_key);
	return CX_OK;
}

static void on_keycheck_progress(void *ud, const char *what)
{
	struct sinfo *s = ud;
	emit(s->e, s->idx, ENGINE_PROGRESS, NULL, what, NULL);
}

static void on_keycheck_done(struct keycheck *kc, void *ud)
{
	struct sinfo *s = ud;
	struct cx_err err;
	cx_err_clear(&err);
	enum cx_status st = keycheck_status(kc, &err);
	s->kc = NULL;
	keycheck_free(kc);
	step_finish(s->e, s->idx, st, &err,
	            st == CX_OK ? "the key works and has every permission" : NULL);
}

/* ---- CerteroX ---- */

/* Records a data source CerteroX now has (id, name) in the result and the vault. */
static void record_data_source(struct engine *e, const struct plan_step *ps, const char *id,
                               const char *name, const char *detail)
{
	free(e->res.data_source_id);
	e->res.data_source_id = xstrdup(id);
	journal_note(e, "submitted_data_source", "data_source_id", id, "operation", ps->operation);
	if (!e->env.vault || !id)
		return;
	const struct answers *a = e->env.answers;
	const struct vault_record *old = vault_find_data_source(e->env.vault, id);
	if (old && !str_eq(old->access_key_id, e->res.access_key_id)) {
		struct cx_err rerr;
		cx_err_clear(&rerr);
		char why[160];
		snprintf(why, sizeof(why), "replaced in CerteroX by %s",
		         e->res.access_key_id ? e->res.access_key_id : "?");
		vault_retire_key(e->env.vault, old->access_key_id, why, &rerr);
	}
	struct vault_record r;
	vault_record_of_run(e, &r);
	r.data_source_id = (char *)id;
	r.access_key_id = e->res.access_key_id;
	r.secret_access_key = e->key_secret;
	r.name = (char *)(name ? name : a->data_source.name);
	r.certerox_url = (char *)certerox_base_url(e->env.certerox);
	r.organization_id = (char *)(e->env.certerox_org ? e->env.certerox_org : "");
	if (e->p->target.export_name)
		r.export.arn = e->res.export_arn;
	struct vault_event ev = {
	    NULL, (char *)(str_eq(ps->operation, "UpdateDataSource") ? "cur2-switch" : "submitted"),
	    (char *)detail};
	r.history = &ev;
	r.nhistory = 1;
	struct cx_err verr;
	cx_err_clear(&verr);
	if (vault_upsert_data_source(e->env.vault, &r, &verr) != CX_OK ||
	    vault_save(e->env.vault, &verr) != CX_OK)
		log_error("vault: %s", verr.msg);
	prefetch_next_save(e);
}

/* After "already exists" from a create whose first answer may have been lost: the data source
 * of this account that CerteroX holds with our key is ours. */
static void on_ds_listed(struct engine *e, struct sinfo *s, struct certerox_call *call)
{
	const struct plan_step *ps = &e->p->steps[s->idx];
	struct cx_err err;
	cx_err_clear(&err);
	enum cx_status st = certerox_call_status(call, &err);
	struct certerox_result *res = st == CX_OK ? certerox_call_result(call) : NULL;
	const struct certerox_ds *found = NULL;
	for (size_t i = 0; res && i < res->list.n; i++) {
		const struct certerox_ds *d = &res->list.items[i];
		if (d->has_config && str_eq(d->account_id, e->p->target.account_id) &&
		    str_eq(d->config.access_key_id, e->res.access_key_id))
			found = d;
	}
	s->phase = PH_NONE;
	if (!found) {
		s->cx = NULL;
		certerox_call_free(call);
		step_finish(e, s->idx, s->lost_st, &s->lost_err, NULL);
		return;
	}
	char detail[256];
	snprintf(detail, sizeof(detail), "data source %s (already there with our key)", found->id);
	record_data_source(e, ps, found->id, found->name, detail);
	s->cx = NULL;
	certerox_call_free(call);
	step_finish(e, s->idx, CX_OK, NULL, detail);
}

static void on_certerox_done(struct certerox_call *call, void *ud)
{
	struct sinfo *s = ud;
	struct engine *e = s->e;
	const struct plan_step *ps = &e->p->steps[s->idx];
	if (s->phase == PH_DS_LIST) {
		on_ds_listed(e, s, call);
		return;
	}
	struct cx_err err;
	cx_err_clear(&err);
	enum cx_status st = certerox_call_status(call, &err);
	char detail[256] = "";
	if (st == CX_OK && str_eq(ps->operation, "DeleteDataSource")) {
		const char *id = req_str(ps, "data_source_id");
		snprintf(detail, sizeof(detail), "data source %s deleted", id ? id : "?");
		journal_note(e, "deleted_data_source", "data_source_id", id, NULL, NULL);
		const struct vault_record *vr =
		    e->env.vault ? vault_find_data_source(e->env.vault, id) : NULL;
		struct cx_err verr;
		cx_err_clear(&verr);
		if (vr && (vault_retire_key(e->env.vault, vr->access_key_id,
		                            "data source disconnected", &verr) != CX_OK ||
		           vault_save(e->env.vault, &verr) != CX_OK))
			log_error("vault: %s", verr.msg);
	} else if (st == CX_OK) {
		struct certerox_result *res = certerox_call_result(call);
		const char *id =
		    res && res->ds.id ? res->ds.id : e->env.answers->migrate.data_source_id;
		snprintf(detail, sizeof(detail), "data source %s", id ? id : "?");
		record_data_source(e, ps, id, res && res->ds.name ? res->ds.name : NULL, detail);
	} else if (str_eq(ps->operation, "CreateDataSource") &&
	           (str_eq(err.code, "OE0404") || str_eq(err.code, "OE0402")) &&
	           s->recover < ENGINE_MAX_RECOVER && !e->cancelled && e->res.access_key_id) {
		const char *org =
		    e->env.certerox_org ? e->env.certerox_org : req_str(ps, "organization_id");
		s->recover++;
		s->lost_st = st;
		s->lost_err = err;
		s->phase = PH_DS_LIST;
		certerox_call_free(call);
		s->cx = certerox_list_ds_start(e->env.certerox, org, on_certerox_done, s);
		return;
	}
	s->cx = NULL;
	certerox_call_free(call);
	step_finish(e, s->idx, st, &err, detail[0] ? detail : NULL);
}

static bool cfg_bool(const cJSON *cfg, const char *k)
{
	return json_bool(cfg, k, false);
}

static struct certerox_call *certerox_step(struct engine *e, struct sinfo *s,
                                           const struct plan_step *ps, struct cx_err *err)
{
	if (!e->env.certerox) {
		cx_err_set(err, CX_E_INPUT, "no CerteroX URL: give --certerox-url or CERTEROX_URL");
		return NULL;
	}
	if (str_eq(ps->operation, "DeleteDataSource"))
		return certerox_delete_ds_start(e->env.certerox, req_str(ps, "data_source_id"),
		                                on_certerox_done, s);
	if (find_key(e, NULL, err) != CX_OK)
		return NULL;
	const cJSON *body = json_obj(ps->request, "body");
	const cJSON *cfg = json_obj(body, "config");
	struct certerox_config_in in;
	memset(&in, 0, sizeof(in));
	in.access_key_id = e->res.access_key_id;
	in.secret_access_key = e->key_secret;
	in.linked = cfg_bool(cfg, "linked");
	in.cur_version = (int)json_num(cfg, "cur_version", 1);
	const char *scheme = json_str(cfg, "config_scheme");
	if (scheme)
		certerox_scheme_parse(scheme, &in.config_scheme);
	in.bucket_name = json_str(cfg, "bucket_name");
	in.bucket_prefix = json_str(cfg, "bucket_prefix");
	in.report_name = json_str(cfg, "report_name");
	in.use_edp_discount = cfg_bool(cfg, "use_edp_discount");
	/* the plan leaves out what the server does not accept (plan_facts.cx_unsupported) */
	in.omit_cur_version = !in.linked && !cJSON_HasObjectItem(cfg, "cur_version");
	in.omit_use_edp_discount = !in.linked && !cJSON_HasObjectItem(cfg, "use_edp_discount");
	if (str_eq(ps->operation, "UpdateDataSource"))
		return certerox_patch_ds_start(e->env.certerox, req_str(ps, "data_source_id"), &in,
		                               on_certerox_done, s);
	const char *org =
	    e->env.certerox_org ? e->env.certerox_org : req_str(ps, "organization_id");
	if (!org) {
		cx_err_set(err, CX_E_INPUT, "no CerteroX organization: give --certerox-org");
		return NULL;
	}
	return certerox_create_ds_start(e->env.certerox, org, json_str(body, "name"), &in,
	                                on_certerox_done, s);
}

/* ---- scheduling ---- */

/* The policy the key check names for read rights: the one the plan gives the Data Exports
 * actions (migrate of an account onboarded by hand), else the answers' ReadOnly policy. */
static const char *readonly_policy_name(const struct engine *e)
{
	const struct plan_step *ps = plan_find(e->p, "policy-readonly");
	const char *arn = ps ? req_str(ps, "PolicyArn") : NULL;
	const char *slash = arn ? strstr(arn, ":policy/") : NULL;
	if (slash && slash[8])
		return strrchr(arn, '/') + 1;
	return e->env.answers->iam.readonly_policy;
}

static void start_step(struct engine *e, size_t i)
{
	struct sinfo *s = &e->s[i];
	const struct plan_step *ps = &e->p->steps[i];
	struct cx_err err;
	cx_err_clear(&err);
	s->st = S_RUNNING;
	s->t0 = http_now_ms();
	e->inflight++;
	emit(e, i, ENGINE_STARTED, NULL, NULL, NULL);
	if (str_eq(ps->service, "certerox")) {
		s->cx = certerox_step(e, s, ps, &err);
		if (!s->cx)
			step_finish(e, i, err.status ? err.status : CX_E_INTERNAL, &err, NULL);
		return;
	}
	if (str_eq(ps->operation, "CheckKey")) {
		if (find_key(e, req_str(ps, "AccessKeyId"), &err) != CX_OK) {
			step_finish(e, i, err.status, &err, NULL);
			return;
		}
		struct keycheck_opts ko = {
		    .access_key_id = e->res.access_key_id,
		    .secret_access_key = e->key_secret,
		    .user = req_str(ps, "UserName"),
		    .account_id = e->p->target.account_id,
		    .bucket = req_str(ps, "Bucket"),
		    .prefix = req_str(ps, "Prefix"),
		    .legacy = json_bool(ps->request, "Legacy", false),
		    .linked = json_bool(ps->request, "Linked", false),
		    .billing_only = !json_bool(ps->request, "Discover", true),
		    .readonly_policy = readonly_policy_name(e),
		    .discover_policy = e->env.answers->iam.discover_policy,
		    .wait_ms = e->env.key_wait_ms,
		};
		s->kc = keycheck_start(e->env.aws, &ko, on_keycheck_progress, on_keycheck_done, s);
		return;
	}
	struct aws_op *op = aws_step_op(e, ps, &err);
	if (!op) {
		step_finish(e, i, err.status ? err.status : CX_E_INTERNAL, &err, NULL);
		return;
	}
	launch_aws(e, s, op);
}

static void launch_aws(struct engine *e, struct sinfo *s, struct aws_op *op)
{
	s->op = op;
	aws_op_set_detail(op, e->p->steps[s->idx].title);
	if (not_idempotent(&e->p->steps[s->idx]))
		aws_op_set_transport_retry(op, false);
	aws_op_start(e->env.aws, op, on_aws_done, s);
}

static bool dep_state(const struct engine *e, const struct plan_step *ps, bool *blocked)
{
	*blocked = false;
	for (size_t d = 0; d < ps->ndeps; d++) {
		for (size_t j = 0; j < e->p->n; j++) {
			if (!str_eq(e->p->steps[j].id, ps->deps[d]))
				continue;
			enum sstate st = e->s[j].st;
			if (st == S_FAILED || st == S_NOTRUN)
				*blocked = true;
			else if (st != S_DONE && st != S_SKIPPED)
				return false;
		}
	}
	return true;
}

static void pump(struct engine *e)
{
	bool progress = true;
	while (progress) {
		progress = false;
		for (size_t i = 0; i < e->p->n; i++) {
			struct sinfo *s = &e->s[i];
			const struct plan_step *ps = &e->p->steps[i];
			if (s->st != S_PENDING)
				continue;
			bool blocked;
			bool ready = dep_state(e, ps, &blocked);
			if (blocked || (e->cancelled && ready) || (e->first != CX_OK && ready)) {
				s->st = S_NOTRUN;
				e->res.not_run++;
				progress = true;
				continue;
			}
			if (!ready)
				continue;
			if (ps->kind == PLAN_SKIP) {
				s->st = S_SKIPPED;
				e->res.skipped++;
				emit(e, i, ENGINE_SKIPPED, ps->skip_reason, NULL, NULL);
				progress = true;
				continue;
			}
			if (e->inflight >= ENGINE_MAX_INFLIGHT)
				return;
			start_step(e, i);
			progress = true;
		}
	}
	/* AWS work is done when every non-CerteroX step finished well. */
	bool aws_done = true;
	for (size_t i = 0; i < e->p->n; i++)
		if (!str_eq(e->p->steps[i].service, "certerox") && e->s[i].st != S_DONE &&
		    e->s[i].st != S_SKIPPED)
			aws_done = false;
	e->res.aws_work_done = aws_done;
	if (e->started && !e->finished_sent && engine_finished(e)) {
		e->finished_sent = true;
		if (e->env.on_event) {
			struct engine_event ev = {.kind = ENGINE_FINISHED, .total = (int)e->p->n};
			e->env.on_event(e->env.event_ud, &ev);
		}
	}
}

static void on_retry(void *ud, const struct aws_event *ev)
{
	struct engine *e = ud;
	for (size_t i = 0; i < e->p->n; i++) {
		const struct plan_step *ps = &e->p->steps[i];
		if (e->s[i].st == S_RUNNING && str_eq(ps->service, ev->service) &&
		    str_eq(ps->operation, ev->operation) &&
		    (!ev->detail || !ev->detail[0] || str_eq(ev->detail, ps->title))) {
			char reason[160];
			snprintf(reason, sizeof(reason), "%s, retrying in %ld ms", ev->reason,
			         ev->delay_ms);
			struct engine_event out = {.kind = ENGINE_RETRYING,
			                           .index = (int)i + 1,
			                           .total = (int)e->p->n,
			                           .step = ps,
			                           .attempt = ev->attempt,
			                           .reason = reason};
			if (e->env.on_event)
				e->env.on_event(e->env.event_ud, &out);
			return;
		}
	}
}

struct engine *engine_new(const struct plan *plan, const struct engine_env *env)
{
	struct engine *e = xcalloc(1, sizeof(*e));
	e->p = plan;
	e->env = *env;
	e->s = xcalloc(plan->n ? plan->n : 1, sizeof(*e->s));
	for (size_t i = 0; i < plan->n; i++) {
		e->s[i].e = e;
		e->s[i].idx = i;
		cx_err_clear(&e->s[i].err);
	}
	cx_err_clear(&e->first_err);
	if (env->aws)
		aws_client_set_events(env->aws, on_retry, e);
	return e;
}

void engine_free(struct engine *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->p->n; i++) {
		aws_op_free(e->s[i].op);
		certerox_call_free(e->s[i].cx);
		keycheck_free(e->s[i].kc);
	}
	if (e->saves_timer)
		http_timer_cancel(aws_client_ctx(e->env.aws), e->saves_timer);
	for (size_t i = 0; i < e->p->n; i++)
		if (e->s[i].wait_timer)
			http_timer_cancel(aws_client_ctx(e->env.aws), e->s[i].wait_timer);
	if (e->env.aws)
		aws_client_set_events(e->env.aws, NULL, NULL);
	for (size_t i = 0; i < e->p->n; i++)
		free(e->s[i].aux_id);
	free(e->s);
	free(e->res.access_key_id);
	free(e->res.export_arn);
	free(e->res.data_source_id);
	free(e->res.iam_user);
	secmem_free(e->key_secret);
	free(e);
}

static void prepare_saves_timer(void *ud)
{
	struct engine *e = ud;
	e->saves_timer = 0;
	vault_prepare_save(e->env.vault);
	e->saves--;
}

/* Has the key of the next vault save derived in the background (vault_prepare_save) once the
 * requests queued now are on the network: a derivation (64 MiB and more) started beside the
 * signing, handshakes and sending of a wave delays it by tens of milliseconds on a small
 * machine. */
static void prefetch_next_save(struct engine *e)
{
	if (e->saves && !e->saves_timer)
		e->saves_timer =
		    http_ctx_when_sent(aws_client_ctx(e->env.aws), prepare_saves_timer, e);
}

void engine_start(struct engine *e)
{
	if (e->started)
		return;
	e->started = true;
	/* The vault will be saved when a key is created and when CerteroX answers: have the key
	 * of each save derived ahead, off the event loop. */
	e->saves = 0;
	for (size_t i = 0; e->env.vault && i < e->p->n; i++) {
		const struct plan_step *ps = &e->p->steps[i];
		if (ps->kind != PLAN_SKIP &&
		    (str_eq(ps->operation, "CreateAccessKey") || str_eq(ps->service, "certerox")))
			e->saves++;
	}
	pump(e);
	prefetch_next_save(e);
}

bool engine_finished(const struct engine *e)
{
	for (size_t i = 0; i < e->p->n; i++)
		if (e->s[i].st == S_PENDING || e->s[i].st == S_RUNNING)
			return false;
	return true;
}

void engine_cancel(struct engine *e, bool cancel_inflight)
{
	e->cancelled = true;
	if (e->first == CX_OK) {
		e->first = CX_E_CANCELLED;
		cx_err_set(&e->first_err, CX_E_CANCELLED, "cancelled by the user");
	}
	if (cancel_inflight)
		for (size_t i = 0; i < e->p->n; i++) {
			/* A key being made, or an unsaved one being deleted, finishes: cancelling
			 * it could leave a key whose secret is not in the vault. */
			bool key = str_eq(e->p->steps[i].operation, "CreateAccessKey") &&
			           (e->s[i].phase == PH_NONE || e->s[i].phase == PH_KEY_UNSAVED);
			if (e->s[i].op && !key)
				aws_op_cancel(e->s[i].op);
			if (e->s[i].cx)
				certerox_call_cancel(e->s[i].cx);
			if (e->s[i].kc)
				keycheck_cancel(e->s[i].kc);
		}
	for (size_t i = 0; i < e->p->n; i++)
		if (e->s[i].wait_timer) {
			http_timer_cancel(aws_client_ctx(e->env.aws), e->s[i].wait_timer);
			e->s[i].wait_timer = 0;
			struct cx_err cerr;
			cx_err_set(&cerr, CX_E_CANCELLED, "cancelled by the user");
			step_finish(e, i, CX_E_CANCELLED, &cerr, NULL);
		}
	pump(e);
}

enum cx_status engine_run(struct engine *e, struct cx_err *err)
{
	engine_start(e);
	struct http_ctx *ctx = aws_client_ctx(e->env.aws);
	while (!engine_finished(e)) {
		http_ctx_poll(ctx, 1000, NULL, 0);
		http_ctx_perform(ctx);
	}
	return engine_status(e, err);
}

enum cx_status engine_status(const struct engine *e, struct cx_err *err)
{
	if (err)
		*err = e->first_err;
	return e->first;
}

const struct engine_result *engine_result(const struct engine *e)
{
	return &e->res;
}

const char *engine_step_state(const struct engine *e, size_t i, long *ms)
{
	if (i >= e->p->n)
		return "?";
	if (ms)
		*ms = e->s[i].ms;
	return state_names[e->s[i].st];
}
