/* organs.h - the answers of the `organization` action and the documents it writes. Pure
 * logic (no network).
 *
 *   "organization": {"accounts": "all" | ["123456789012", ...],
 *                    "access": "role" | "user"      (absent: role when CerteroX accepts the
 *                                                    assume-role keys, else user),
 *                    "member_role": "OrganizationAccountAccessRole",
 *                    "role_name": "CerteroXDiscover",
 *                    "max_parallel": 8}             (1..64) */
#ifndef CX_CORE_ORGANS_H
#define CX_CORE_ORGANS_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "core/strv.h"
#include "util/err.h"

enum org_access { ORG_ACCESS_AUTO = 0, ORG_ACCESS_ROLE, ORG_ACCESS_USER };

struct org_answers {
	bool all;             /* accounts "all" */
	struct strv accounts; /* the chosen ids when !all */
	enum org_access access;
	char *member_role; /* the role the management account assumes in each member */
	char *role_name;   /* the role made in each member (access role) */
	char *user;        /* IAM user: in the management account (role), in each member (user) */
	char *policy;      /* the inline policy's name */
	int max_parallel;
};

/* The tag key on everything the action makes (ownership: only what carries it is changed). */
#define ORG_TAG_KEY "certerox-aws-setup"

/* Reads and checks the "organization" object (NULL: every default). Errors: CX_E_INPUT,
 * "organization.<key>: <rule>" naming the value. */
enum cx_status org_answers_parse(const cJSON *j, struct org_answers *out, struct cx_err *err);
void org_answers_free(struct org_answers *o);
const char *org_access_name(enum org_access a); /* "auto", "role", "user" */

/* The management user's inline policy: only sts:AssumeRole on arn:aws:iam::*:role/<role>. */
cJSON *org_assume_policy(const char *role_name);
/* The trust policy of the member role: the management user may assume it. */
cJSON *org_trust_policy(const char *user_arn);
/* Whether a trust document (text) already lets user_arn assume the role (an Allow of
 * sts:AssumeRole whose Principal AWS names it). */
bool org_trust_allows(const char *trust_text, const char *user_arn);
/* The trust document (text) with one statement added that lets user_arn assume the role;
 * every other statement and principal is kept (never narrowed: a role's trust may name
 * others' principals, or an earlier management user a live data source still needs). NULL
 * when the text is not a JSON policy (the caller refuses to touch it). Caller frees. */
char *org_trust_merge(const char *trust_text, const char *user_arn);
/* arn:aws:iam::<account>:role/<name> */
char *org_role_arn(const char *account, const char *name);

#endif
