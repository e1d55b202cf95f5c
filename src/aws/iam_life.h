/* iam_life.h - the IAM operations of a data source's later life (rotate, disconnect, migrate
 * of an account onboarded by hand): who owns an access key, key status, removal of a user and
 * its policies, a user's tags and inline policies. Same conventions as iam.h: an async form
 * iam_X_op(...) (+ aws_op_start) with the result owned by the op, and a sync form. */
#ifndef CX_AWS_IAM_LIFE_H
#define CX_AWS_IAM_LIFE_H

#include <stdbool.h>
#include <stddef.h>

#include "aws/client.h"

/* A list of names, or of (key, value) pairs for tags: names[i] / values[i] (values NULL for a
 * plain name list). */
struct iam_names {
	char **names;
	char **values;
	size_t n;
};
void iam_names_free(struct iam_names *l);

/* GetAccessKeyLastUsed is in iam.h. */

/* UpdateAccessKey Status=Active|Inactive. */
struct aws_op *iam_update_access_key_op(const char *user, const char *access_key_id,
                                        const char *status);
enum cx_status iam_update_access_key(struct aws_client *c, const char *user,
                                     const char *access_key_id, const char *status,
                                     struct cx_err *err);

/* DeleteUser (AWS refuses with DeleteConflict while keys or policies remain). */
struct aws_op *iam_delete_user_op(const char *user);
enum cx_status iam_delete_user(struct aws_client *c, const char *user, struct cx_err *err);

/* DetachUserPolicy. */
struct aws_op *iam_detach_user_policy_op(const char *user, const char *policy_arn);
enum cx_status iam_detach_user_policy(struct aws_client *c, const char *user,
                                      const char *policy_arn, struct cx_err *err);

/* DeletePolicy (every non-default version must be gone first). */
struct aws_op *iam_delete_policy_op(const char *policy_arn);
enum cx_status iam_delete_policy(struct aws_client *c, const char *policy_arn, struct cx_err *err);

/* ListUserTags: aws/iam.h (iam_list_user_tags). */

/* ListPolicyTags (a managed policy's tags, all pages): names[i] = key, values[i] = value. */
struct aws_op *iam_list_policy_tags_op(const char *policy_arn);
const struct iam_names *iam_list_policy_tags_result(const struct aws_op *op);
enum cx_status iam_list_policy_tags(struct aws_client *c, const char *policy_arn,
                                    struct iam_names *out, struct cx_err *err);

/* ListUserPolicies (inline policy names, all pages). */
struct aws_op *iam_list_user_policies_op(const char *user);
const struct iam_names *iam_list_user_policies_result(const struct aws_op *op);
enum cx_status iam_list_user_policies(struct aws_client *c, const char *user, struct iam_names *out,
                                      struct cx_err *err);

/* GetUserPolicy: the inline policy's document (JSON text, URL-decoded; malloc'd). */
struct aws_op *iam_get_user_policy_op(const char *user, const char *policy_name);
const char *iam_get_user_policy_result(const struct aws_op *op);
enum cx_status iam_get_user_policy(struct aws_client *c, const char *user, const char *policy_name,
                                   char **out_document, struct cx_err *err);

#endif
