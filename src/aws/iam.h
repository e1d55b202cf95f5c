/* iam.h - IAM operations (query protocol, iam.amazonaws.com, signed us-east-1).
 * Each has a sync form (fills *out; caller frees with the matching *_free) and an async
 * form: iam_X_op(...) + aws_op_start; the result (owned by the op) via iam_X_result(op).
 * Listings follow IsTruncated/Marker inside the call. Errors: see awserr.h classes
 * (NoSuchEntity = CX_E_NOT_FOUND, EntityAlreadyExists/LimitExceeded/DeleteConflict =
 * CX_E_CONFLICT, MalformedPolicyDocument/InvalidInput = CX_E_INVALID, ...). */
#ifndef CX_AWS_IAM_H
#define CX_AWS_IAM_H

#include <stdbool.h>
#include <stddef.h>

#include "aws/client.h"

struct iam_user {
	char *name, *id, *arn, *path, *create_date;
};
struct iam_user_list {
	struct iam_user *items;
	size_t n;
};
struct iam_policy {
	char *name, *id, *arn, *path, *default_version_id, *description, *create_date, *update_date;
	long attachment_count;
};
struct iam_policy_list {
	struct iam_policy *items;
	size_t n;
	bool truncated; /* more exist than this page holds (iam_list_local_policies_op) */
};
struct iam_policy_version {
	char *version_id;
	bool is_default;
	char *create_date;
	char *document; /* JSON text, URL-decoded (GetPolicyVersion only; else NULL) */
};
struct iam_policy_version_list {
	struct iam_policy_version *items;
	size_t n;
};
struct iam_tag {
	char *key, *value;
};
struct iam_tag_list {
	struct iam_tag *items;
	size_t n;
};
struct iam_attached_policy {
	char *name, *arn;
};
struct iam_attached_list {
	struct iam_attached_policy *items;
	size_t n;
};
struct iam_access_key {
	char *user_name, *access_key_id, *status, *create_date;
	char *secret_access_key; /* secmem; CreateAccessKey only, else NULL. Registered with
	                            log_redact_add. */
};
struct iam_access_key_list {
	struct iam_access_key *items;
	size_t n;
};

void iam_user_free(struct iam_user *u);
void iam_user_list_free(struct iam_user_list *l);
void iam_policy_free(struct iam_policy *p);
void iam_policy_list_free(struct iam_policy_list *l);
void iam_policy_version_free(struct iam_policy_version *v);
void iam_policy_version_list_free(struct iam_policy_version_list *l);
void iam_attached_list_free(struct iam_attached_list *l);
void iam_access_key_free(struct iam_access_key *k); /* wipes the secret */
void iam_access_key_list_free(struct iam_access_key_list *l);

void iam_tag_list_free(struct iam_tag_list *l);
/* The value of tag key in l, NULL when absent. */
const char *iam_tag_get(const struct iam_tag_list *l, const char *key);

/* CreatePolicy: path and description may be NULL. */
struct aws_op *iam_create_policy_op(const char *name, const char *document, const char *path,
                                    const char *description);
const struct iam_policy *iam_create_policy_result(const struct aws_op *op);
enum cx_status iam_create_policy(struct aws_client *c, const char *name, const char *document,
                                 const char *path, const char *description, struct iam_policy *out,
                                 struct cx_err *err);

struct aws_op *iam_get_policy_op(const char *arn);
const struct iam_policy *iam_get_policy_result(const struct aws_op *op);
enum cx_status iam_get_policy(struct aws_client *c, const char *arn, struct iam_policy *out,
                              struct cx_err *err);

struct aws_op *iam_get_policy_version_op(const char *arn, const char *version_id);
const struct iam_policy_version *iam_get_policy_version_result(const struct aws_op *op);
enum cx_status iam_get_policy_version(struct aws_client *c, const char *arn, const char *version_id,
                                      struct iam_policy_version *out, struct cx_err *err);

/* ListPolicies Scope=Local: the account's customer managed policies, ONE page of at most
 * max_items (1..1000; unlike the other listings it does not follow the marker: truncated
 * says more exist). For reads that want a bounded answer. */
struct aws_op *iam_list_local_policies_op(int max_items);
const struct iam_policy_list *iam_list_local_policies_result(const struct aws_op *op);

struct aws_op *iam_list_policy_versions_op(const char *arn);
const struct iam_policy_version_list *iam_list_policy_versions_result(const struct aws_op *op);
enum cx_status iam_list_policy_versions(struct aws_client *c, const char *arn,
                                        struct iam_policy_version_list *out, struct cx_err *err);

struct aws_op *iam_create_policy_version_op(const char *arn, const char *document,
                                            bool set_default);
const struct iam_policy_version *iam_create_policy_version_result(const struct aws_op *op);
enum cx_status iam_create_policy_version(struct aws_client *c, const char *arn,
                                         const char *document, bool set_default,
                                         struct iam_policy_version *out, struct cx_err *err);

struct aws_op *iam_delete_policy_version_op(const char *arn, const char *version_id);
enum cx_status iam_delete_policy_version(struct aws_client *c, const char *arn,
                                         const char *version_id, struct cx_err *err);

/* CreateUser: path may be NULL. */
struct aws_op *iam_create_user_op(const char *name, const char *path);
/* CreatePolicy / CreateUser with one tag (Tags.member.1.Key / .Value) set: call before the op
 * starts; key NULL = no tag. */
void iam_op_set_tag(struct aws_op *op, const char *key, const char *value);

/* TagUser with one tag (adds or overwrites that key only). */
struct aws_op *iam_tag_user_op(const char *user, const char *key, const char *value);
enum cx_status iam_tag_user(struct aws_client *c, const char *user, const char *key,
                            const char *value, struct cx_err *err);

/* ListUserTags (every page). */
struct aws_op *iam_list_user_tags_op(const char *user);
const struct iam_tag_list *iam_list_user_tags_result(const struct aws_op *op);
enum cx_status iam_list_user_tags(struct aws_client *c, const char *user, struct iam_tag_list *out,
                                  struct cx_err *err);
const struct iam_user *iam_create_user_result(const struct aws_op *op);
enum cx_status iam_create_user(struct aws_client *c, const char *name, const char *path,
                               struct iam_user *out, struct cx_err *err);

/* GetUser: name NULL = the caller. */
struct aws_op *iam_get_user_op(const char *name);
const struct iam_user *iam_get_user_result(const struct aws_op *op);
enum cx_status iam_get_user(struct aws_client *c, const char *name, struct iam_user *out,
                            struct cx_err *err);

struct aws_op *iam_list_users_op(void);
const struct iam_user_list *iam_list_users_result(const struct aws_op *op);
enum cx_status iam_list_users(struct aws_client *c, struct iam_user_list *out, struct cx_err *err);

struct aws_op *iam_attach_user_policy_op(const char *user, const char *policy_arn);
enum cx_status iam_attach_user_policy(struct aws_client *c, const char *user,
                                      const char *policy_arn, struct cx_err *err);

struct aws_op *iam_list_attached_user_policies_op(const char *user);
const struct iam_attached_list *iam_list_attached_user_policies_result(const struct aws_op *op);
enum cx_status iam_list_attached_user_policies(struct aws_client *c, const char *user,
                                               struct iam_attached_list *out, struct cx_err *err);

/* CreateAccessKey: user NULL = the caller's user. The secret is in secure memory. */
struct aws_op *iam_create_access_key_op(const char *user);
const struct iam_access_key *iam_create_access_key_result(const struct aws_op *op);
enum cx_status iam_create_access_key(struct aws_client *c, const char *user,
                                     struct iam_access_key *out, struct cx_err *err);

/* ListAccessKeys: user NULL = the caller's user. */
struct aws_op *iam_list_access_keys_op(const char *user);
const struct iam_access_key_list *iam_list_access_keys_result(const struct aws_op *op);
enum cx_status iam_list_access_keys(struct aws_client *c, const char *user,
                                    struct iam_access_key_list *out, struct cx_err *err);

/* DeleteAccessKey: user may be NULL. */
struct aws_op *iam_delete_access_key_op(const char *user, const char *access_key_id);
enum cx_status iam_delete_access_key(struct aws_client *c, const char *user,
                                     const char *access_key_id, struct cx_err *err);

/* GetAccessKeyLastUsed: the owner of any key of the account and when it was last used.
 * last_used_date NULL = never used (service_name/region "N/A" then). */
struct iam_key_last_used {
	char *user_name, *last_used_date, *service_name, *region;
};
void iam_key_last_used_free(struct iam_key_last_used *u);
struct aws_op *iam_get_access_key_last_used_op(const char *access_key_id);
const struct iam_key_last_used *iam_get_access_key_last_used_result(const struct aws_op *op);
enum cx_status iam_get_access_key_last_used(struct aws_client *c, const char *access_key_id,
                                            struct iam_key_last_used *out, struct cx_err *err);

#endif
