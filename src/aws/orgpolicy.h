/* orgpolicy.h - the IAM operations by which the `organization` action gives each member's role
 * (access role) or user (access user) the customer managed Discover Resources policy, as the
 * guide does: GetPolicy with its tags, Attach/ListAttached of a role or a user, and the removal
 * of the inline policy an earlier run of the action put there. Same conventions as iam.h. */
#ifndef CX_AWS_ORGPOLICY_H
#define CX_AWS_ORGPOLICY_H

#include <stdbool.h>

#include "aws/client.h"

/* GetPolicy (NoSuchEntity = CX_E_NOT_FOUND): its default version, attachment count and
 * whether its tags hold tag_key (the wizard's ownership mark). */
struct orgpol_policy {
	char *default_version_id;
	long attachment_count;
	bool tagged;
};
struct aws_op *orgpol_get_policy_op(const char *arn, const char *tag_key);
const struct orgpol_policy *orgpol_get_policy_result(const struct aws_op *op);

/* AttachRolePolicy / AttachUserPolicy (role: of a role, else of a user). */
struct aws_op *orgpol_attach_op(bool role, const char *entity, const char *policy_arn);
/* ListAttachedRolePolicies / ListAttachedUserPolicies (every page): whether policy_arn is
 * among them. */
struct aws_op *orgpol_list_attached_op(bool role, const char *entity, const char *policy_arn);
bool orgpol_list_attached_has(const struct aws_op *op);
/* DeleteRolePolicy / DeleteUserPolicy: an inline policy. */
struct aws_op *orgpol_delete_inline_op(bool role, const char *entity, const char *policy);

#endif
