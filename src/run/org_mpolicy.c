/* org_mpolicy.c - the `organization` action: a member's customer managed Discover Resources
 * policy, attached to its role (access role) or user (access user), as the guide's "Discover
 * Resources" policy is; see orgint.h for the rules. Asynchronous on the shared http ctx, one
 * call at a time per member. */
#include <stdlib.h>
#include <string.h>

#include "aws/iam.h"
#include "aws/orgops.h"
#include "aws/orgpolicy.h"
#include "core/owner.h"
#include "core/policy.h"
#include "run/orgint.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/str.h"

enum {
	M_GET = 1,   /* GetPolicy */
	M_CREATE,    /* CreatePolicy */
	M_DOC,       /* GetPolicyVersion (the default) */
	M_VERS,      /* ListPolicyVersions */
	M_PRUNE,     /* DeletePolicyVersion */
	M_NEWVER,    /* CreatePolicyVersion */
	M_LIST,      /* ListAttached{Role,User}Policies */
	M_ATTACH,    /* Attach{Role,User}Policy */
	M_INLINE,    /* Get{Role,User}Policy: the inline policy of earlier releases */
	M_INLINE_DEL /* Delete{Role,User}Policy */
};

static void on_op(struct aws_op *op, void *ud);

static void go(struct orgi_mpol *m, int state, struct aws_op *op)
{
	m->state = state;
	aws_op_start(m->c, op, on_op, m);
}

static void finish(struct orgi_mpol *m, enum cx_status st)
{
	m->done(m, st, m->ud);
}

static void fail(struct orgi_mpol *m, const struct cx_err *e, const char *what)
{
	finish(m, orgi_fail(m->a, e, what, NULL));
}

static const char *who(const struct orgi_mpol *m)
{
	return m->role ? "role" : "user";
}

static void inline_step(struct orgi_mpol *m)
{
	if (m->entity_made) {
		finish(m, CX_OK);
		return;
	}
	go(m, M_INLINE, iam_get_inline_policy_op(m->role, m->entity, m->r->a->policy));
}

static void attach_step(struct orgi_mpol *m)
{
	if (m->entity_made || m->attached == 0)
		go(m, M_ATTACH, orgpol_attach_op(m->role, m->entity, m->arn));
	else
		go(m, M_LIST, orgpol_list_attached_op(m->role, m->entity, m->arn));
}

static void new_version(struct orgi_mpol *m)
{
	char *text = json_compact(m->effective);
	go(m, M_NEWVER, iam_create_policy_version_op(m->arn, text, true));
	free(text);
}

/* The oldest version that is not the default (by CreateDate, ISO 8601), NULL when none. */
static const char *oldest_nondefault(const struct iam_policy_version_list *l)
{
	const struct iam_policy_version *best = NULL;
	for (size_t i = 0; i < l->n; i++) {
		const struct iam_policy_version *v = &l->items[i];
		if (v->is_default || !v->version_id)
			continue;
		if (!best || strcmp(v->create_date ? v->create_date : "",
		                    best->create_date ? best->create_date : "") < 0)
			best = v;
	}
	return best ? best->version_id : NULL;
}

/* The default version's document: ours (tagged) is brought up to date by a merge that keeps
 * every grant; one the wizard did not make is used only when it grants every Discover action. */
static void judge_document(struct orgi_mpol *m, const char *text)
{
	struct cx_err e;
	cx_err_clear(&e);
	cJSON *cur = text ? policy_parse(text, &e) : NULL;
	if (!cur) {
		fail(m, &e, "IAM GetPolicyVersion");
		return;
	}
	if (!m->tagged) {
		struct strv missing = STRV_INIT;
		bool ok = policy_missing_actions(cur, m->ours, &missing);
		if (ok) {
			m->effective = cur;
			strv_free(&missing);
			attach_step(m);
			return;
		}
		char *list = strv_join(&missing, ", ");
		if (strlen(list) > 600)
			strcpy(list + 590, " ...");
		cJSON_Delete(cur);
		finish(m, orgi_refuse(m->a,
		                      "grant those actions in that policy yourself, or delete it, "
		                      "and run again",
		                      "the policy %s in account %s was not made by "
		                      "certerox-aws-setup (no tag %s) and does not grant %s; it is "
		                      "left untouched",
		                      m->arn, m->a->id, OWNER_TAG_KEY, list));
		free(list);
		strv_free(&missing);
		return;
	}
	cJSON *merged = policy_merge_grants(cur, m->ours);
	if (policy_equal(cur, merged)) {
		cJSON_Delete(merged);
		m->effective = cur;
		attach_step(m);
		return;
	}
	cJSON_Delete(cur);
	m->effective = merged;
	go(m, M_VERS, iam_list_policy_versions_op(m->arn));
}

static void on_op(struct aws_op *op, void *ud)
{
	struct orgi_mpol *m = ud;
	enum cx_status st = aws_op_status(op);
	struct cx_err err = *aws_op_error(op);
	switch (m->state) {
	case M_GET: {
		const struct orgpol_policy *p = orgpol_get_policy_result(op);
		if (st == CX_OK) {
			free(m->version);
			m->version = xstrdup(p->default_version_id);
			m->attached = p->attachment_count;
			m->tagged = p->tagged;
		}
		aws_op_free(op);
		if (st == CX_E_NOT_FOUND) {
			char *text = json_compact(m->ours);
			struct aws_op *c = iam_create_policy_op(
			    m->r->a->policy, text, NULL,
			    "CerteroX Discover Resources (certerox-aws-setup)");
			iam_op_set_tag(c, OWNER_TAG_KEY, OWNER_TAG_VALUE);
			free(text);
			m->creates++;
			go(m, M_CREATE, c);
		} else if (st != CX_OK) {
			fail(m, &err, "IAM GetPolicy");
		} else {
			go(m, M_DOC, iam_get_policy_version_op(m->arn, m->version));
		}
		return;
	}
	case M_CREATE:
		aws_op_free(op);
		if (st == CX_E_CONFLICT && m->creates < 2) {
			/* made meanwhile (an answer lost and the request sent again): read it */
			go(m, M_GET, orgpol_get_policy_op(m->arn, OWNER_TAG_KEY));
			return;
		}
		if (st != CX_OK) {
			fail(m, &err, "IAM CreatePolicy");
			return;
		}
		m->a->wrote = true;
		m->tagged = true;
		m->attached = 0;
		m->effective = cJSON_Duplicate(m->ours, true);
		attach_step(m);
		return;
	case M_DOC: {
		const struct iam_policy_version *v = iam_get_policy_version_result(op);
		char *text = st == CX_OK && v->document ? xstrdup(v->document) : NULL;
		aws_op_free(op);
		if (st != CX_OK)
			fail(m, &err, "IAM GetPolicyVersion");
		else
			judge_document(m, text);
		free(text);
		return;
	}
	case M_VERS: {
		if (st != CX_OK) {
			aws_op_free(op);
			fail(m, &err, "IAM ListPolicyVersions");
			return;
		}
		const struct iam_policy_version_list *l = iam_list_policy_versions_result(op);
		const char *old = l->n >= 5 ? oldest_nondefault(l) : NULL;
		if (old)
			go(m, M_PRUNE, iam_delete_policy_version_op(m->arn, old));
		else
			new_version(m);
		aws_op_free(op);
		return;
	}
	case M_PRUNE:
		aws_op_free(op);
		if (st != CX_OK && st != CX_E_NOT_FOUND) {
			fail(m, &err, "IAM DeletePolicyVersion");
			return;
		}
		m->a->wrote = true;
		new_version(m);
		return;
	case M_NEWVER:
		aws_op_free(op);
		if (st != CX_OK) {
			fail(m, &err, "IAM CreatePolicyVersion");
			return;
		}
		m->a->wrote = true;
		attach_step(m);
		return;
	case M_LIST: {
		bool has = st == CX_OK && orgpol_list_attached_has(op);
		aws_op_free(op);
		if (st != CX_OK)
			fail(m, &err,
			     m->role ? "IAM ListAttachedRolePolicies"
			             : "IAM ListAttachedUserPolicies");
		else if (has)
			inline_step(m);
		else
			go(m, M_ATTACH, orgpol_attach_op(m->role, m->entity, m->arn));
		return;
	}
	case M_ATTACH:
		aws_op_free(op);
		if (st != CX_OK) {
			fail(m, &err, m->role ? "IAM AttachRolePolicy" : "IAM AttachUserPolicy");
			return;
		}
		m->a->wrote = true;
		inline_step(m);
		return;
	case M_INLINE: {
		const char *have = st == CX_OK ? iam_inline_policy_result(op) : NULL;
		cJSON *h = have ? cJSON_Parse(have) : NULL;
		aws_op_free(op);
		if (st == CX_E_NOT_FOUND) {
			finish(m, CX_OK);
			return;
		}
		if (st != CX_OK) {
			fail(m, &err, m->role ? "IAM GetRolePolicy" : "IAM GetUserPolicy");
			return;
		}
		/* the inline policy an earlier release put on the wizard's own role/user: deleted
		 * now that the managed one is attached, unless it grants more */
		struct strv more = STRV_INIT;
		bool covered = h && policy_missing_actions(m->effective, h, &more);
		cJSON_Delete(h);
		strv_free(&more);
		if (covered) {
			go(m, M_INLINE_DEL,
			   orgpol_delete_inline_op(m->role, m->entity, m->r->a->policy));
			return;
		}
		snprintf(m->a->warn, sizeof(m->a->warn),
		         "the inline policy %s of %s %s grants more than the managed policy; it is "
		         "kept",
		         m->r->a->policy, who(m), m->entity);
		finish(m, CX_OK);
		return;
	}
	case M_INLINE_DEL:
		aws_op_free(op);
		if (st != CX_OK && st != CX_E_NOT_FOUND) {
			fail(m, &err, m->role ? "IAM DeleteRolePolicy" : "IAM DeleteUserPolicy");
			return;
		}
		m->a->wrote = true;
		finish(m, CX_OK);
		return;
	default:
		aws_op_free(op);
		return;
	}
}

void orgi_mpol_start(struct orgi_mpol *m, struct run *r, struct acct *a, struct aws_client *c,
                     bool role, const char *entity, bool entity_made, const cJSON *ours,
                     orgi_mpol_cb done, void *ud)
{
	orgi_mpol_free(m);
	m->r = r;
	m->a = a;
	m->c = c;
	m->role = role;
	m->entity = entity;
	m->entity_made = entity_made;
	m->ours = ours;
	m->done = done;
	m->ud = ud;
	m->arn = xasprintf("arn:aws:iam::%s:policy/%s", a->id, r->a->policy);
	go(m, M_GET, orgpol_get_policy_op(m->arn, OWNER_TAG_KEY));
}

void orgi_mpol_free(struct orgi_mpol *m)
{
	if (!m)
		return;
	cJSON_Delete(m->effective);
	free(m->arn);
	free(m->version);
	memset(m, 0, sizeof(*m));
}
