/* orgops.h - the AWS operations of the `organization` action (run/org.c): organizations
 * ListAccounts, sts AssumeRole, and the IAM role / inline-policy / tagged-user operations.
 * Each op has the asynchronous and the synchronous form of client.h. */
#ifndef CX_AWS_ORGOPS_H
#define CX_AWS_ORGOPS_H

#include "aws/client.h"
#include "aws/config.h"

/* ---- organizations ListAccounts (every page, 20 per page as AWS allows) ---- */
struct org_account {
	char *id, *name, *email, *status; /* status: ACTIVE | SUSPENDED | PENDING_CLOSURE */
};
struct org_account_list {
	struct org_account *items;
	size_t n;
};
void org_account_list_free(struct org_account_list *l);
struct aws_op *org_list_accounts_op(void);
const struct org_account_list *org_list_accounts_result(const struct aws_op *op);
enum cx_status org_list_accounts(struct aws_client *c, struct org_account_list *out,
                                 struct cx_err *err);

/* ---- sts AssumeRole ---- */
/* The role's temporary credentials; out is filled with aws_creds_set (secret and session
 * token in secure memory, registered for redaction); free with aws_creds_free. */
struct aws_op *sts_assume_role_op(const char *role_arn, const char *session_name);
/* After success: moves the credentials to *out (false when there are none). */
bool sts_assume_role_take(struct aws_op *op, struct aws_creds *out);
enum cx_status sts_assume_role(struct aws_client *c, const char *role_arn, const char *session_name,
                               struct aws_creds *out, struct cx_err *err);

/* ---- IAM entities with tags, and inline policies ---- */
struct iam_entity {
	char *arn;
	char *trust; /* GetRole: the trust policy document (decoded), else NULL */
	bool tagged; /* carries the tag key given to the op (the wizard's ownership mark) */
};
void iam_entity_free(struct iam_entity *e);

/* CreateUser / CreateRole with the tag key=value. trust: the role's trust document. */
struct aws_op *iam_create_user_tagged_op(const char *name, const char *tag_key,
                                         const char *tag_value);
struct aws_op *iam_create_role_op(const char *name, const char *trust, const char *tag_key,
                                  const char *tag_value);
/* GetUser / GetRole: arn, trust, whether tag_key is on it (NoSuchEntity = CX_E_NOT_FOUND). */
struct aws_op *iam_get_user_tagged_op(const char *name, const char *tag_key);
struct aws_op *iam_get_role_op(const char *name, const char *tag_key);
const struct iam_entity *iam_entity_result(const struct aws_op *op);
enum cx_status iam_entity_run(struct aws_client *c, struct aws_op *op, struct iam_entity *out,
                              struct cx_err *err); /* takes op */

/* UpdateAssumeRolePolicy (a role the wizard made whose trust differs). */
struct aws_op *iam_update_trust_op(const char *role, const char *trust);
/* PutUserPolicy / PutRolePolicy; GetUserPolicy / GetRolePolicy (the document, decoded). */
struct aws_op *iam_put_inline_policy_op(bool role, const char *entity, const char *policy,
                                        const char *document);
struct aws_op *iam_get_inline_policy_op(bool role, const char *entity, const char *policy);
const char *iam_inline_policy_result(const struct aws_op *op);
/* Runs op (taken); *doc_out (optional) gets the GetXPolicy document (free()). */
enum cx_status iam_orgop_run(struct aws_client *c, struct aws_op *op, char **doc_out,
                             struct cx_err *err);

#endif
