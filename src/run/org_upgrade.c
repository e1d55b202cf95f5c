/* org_upgrade.c - the `organization` action on a member an earlier release connected, whose
 * role (access role) or user (access user) holds the Discover Resources policy inline: it gets
 * the guide's customer managed policy attached first, and the inline one is deleted after, so
 * the live data source's role is never without its permissions. Only what the wizard made
 * (tagged) is changed. See orgint.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/orgops.h"
#include "core/policy.h"
#include "run/assumed.h"
#include "run/orgint.h"
#include "util/mem.h"

enum { U_ASSUMED = 1, U_ROLE, U_USER, U_POLICY };

struct upg {
	struct run *r;
	struct acct *a;
	int state;
	struct assumed role; /* the member role's client (run/assumed.h) */
	cJSON *doc;
	struct orgi_mpol mpol;
};

void orgi_jpolicy(const struct run *r, const char *account)
{
	if (!r->jn)
		return;
	cJSON *d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "account", account);
	cJSON_AddStringToObject(d, "policy", r->a->policy);
	struct cx_err e;
	cx_err_clear(&e);
	if (journal_append(r->jn, "org-policy", d, &e) != CX_OK)
		orgi_line(r, "journal: %s", e.msg);
	cJSON_Delete(d);
}

static void done(struct upg *u, bool ok)
{
	struct run *r = u->r;
	struct acct *a = u->a;
	if (ok)
		orgi_jpolicy(r, a->id);
	if (a->warn[0])
		orgi_line(r, "%s %s: already connected; %s", a->id, a->name, a->warn);
	orgi_mpol_free(&u->mpol);
	assumed_free(&u->role);
	cJSON_Delete(u->doc);
	free(u);
	r->active--;
	orgi_launch(r);
}

/* The outcome stays "already connected": a failure here is a warning (the inline policy
 * still serves the data source). */
static void warn_fail(struct upg *u, const char *what, const struct cx_err *e)
{
	char buf[200];
	snprintf(u->a->warn, sizeof(u->a->warn),
	         "its Discover policy could not be checked (left as it is): %s: %s", what,
	         cx_err_format(e, buf, sizeof(buf)));
	done(u, false);
}

static void policy_done(struct orgi_mpol *m, enum cx_status st, void *ud)
{
	struct upg *u = ud;
	struct acct *a = u->a;
	if (st != CX_OK) {
		/* orgi_fail/orgi_refuse wrote the reason and marked the account failed */
		char why[sizeof(a->warn) - 60];
		snprintf(why, sizeof(why), "%s", a->reason);
		a->outcome = ORG_OUT_ALREADY;
		snprintf(a->warn, sizeof(a->warn), "its Discover policy was left as it is: %s",
		         why);
		snprintf(a->reason, sizeof(a->reason), "already connected in CerteroX");
		a->fix[0] = '\0';
		done(u, false);
		return;
	}
	if (a->wrote && !a->warn[0])
		snprintf(a->warn, sizeof(a->warn),
		         "the %s %s now has the managed policy %s attached; its inline policy of "
		         "that name (an earlier release's) was deleted",
		         m->role ? "role" : "user", m->entity, u->r->a->policy);
	done(u, true);
}

static void on_op(struct aws_op *op, void *ud)
{
	struct upg *u = ud;
	struct run *r = u->r;
	enum cx_status st = aws_op_status(op);
	struct cx_err err = *aws_op_error(op);
	switch (u->state) {
	case U_ASSUMED: {
		if (st != CX_OK) {
			aws_op_free(op);
			warn_fail(u, "sts AssumeRole", &err);
			return;
		}
		bool got = assumed_from_role(&u->role, r->env->s->http, &r->env->s->cfg, op,
		                             "assumed member role");
		aws_op_free(op);
		if (!got) { /* an answer without credentials */
			cx_err_set(&err, CX_E_PARSE, "sts AssumeRole answered without credentials");
			warn_fail(u, "sts AssumeRole", &err);
			return;
		}
		u->state = U_ROLE;
		aws_op_start(u->role.c, iam_get_role_op(r->a->role_name, ORG_TAG_KEY), on_op, u);
		return;
	}
	case U_ROLE:
	case U_USER: {
		bool role = u->state == U_ROLE;
		bool tagged = st == CX_OK && iam_entity_result(op)->tagged;
		aws_op_free(op);
		if (role && st == CX_E_NOT_FOUND) { /* access user: the member's user */
			u->state = U_USER;
			aws_op_start(u->role.c, iam_get_user_tagged_op(r->a->user, ORG_TAG_KEY),
			             on_op, u);
			return;
		}
		if (st == CX_E_NOT_FOUND) { /* neither: connected some other way */
			done(u, true);
			return;
		}
		if (st != CX_OK) {
			warn_fail(u, role ? "IAM GetRole" : "IAM GetUser", &err);
			return;
		}
		if (!tagged) { /* not the wizard's: never changed */
			done(u, true);
			return;
		}
		struct cx_err perr;
		cx_err_clear(&perr);
		u->doc = policy_discover(&perr);
		if (!u->doc) {
			warn_fail(u, "Discover policy", &perr);
			return;
		}
		u->state = U_POLICY;
		orgi_mpol_start(&u->mpol, r, u->a, u->role.c, role,
		                role ? r->a->role_name : r->a->user, false, u->doc, policy_done, u);
		return;
	}
	default:
		aws_op_free(op);
		return;
	}
}

void orgi_upgrade_start(struct run *r, struct acct *a)
{
	struct upg *u = xcalloc(1, sizeof(*u));
	u->r = r;
	u->a = a;
	u->state = U_ASSUMED;
	char *arn = org_role_arn(a->id, r->a->member_role);
	aws_op_start(r->env->s->aws, sts_assume_role_op(arn, "certerox-aws-setup"), on_op, u);
	free(arn);
}
