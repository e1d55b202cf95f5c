/* org.h - Organizations DescribeOrganization: is the account a management (payer) account,
 * a member, standalone, or can't we tell. */
#ifndef CX_AWS_ORG_H
#define CX_AWS_ORG_H

#include "aws/client.h"

enum org_role {
	ORG_UNKNOWN = 0, /* AccessDenied (no organizations:DescribeOrganization), or no account
	                    id to compare with */
	ORG_MANAGEMENT,  /* MasterAccountId == the caller's account */
	ORG_MEMBER,      /* in an organization managed by another account */
	ORG_STANDALONE   /* AWSOrganizationsNotInUseException: its own payer */
};
const char *org_role_name(enum org_role r); /* "management", "member", "standalone", "unknown" */

struct org_info {
	enum org_role role;
	char *id, *arn, *feature_set, *master_account_id,
	    *master_account_email; /* NULL when none */
	char *denied_message;      /* ORG_UNKNOWN because of AccessDenied: AWS's message */
};
void org_info_free(struct org_info *o);

/* account_id: the caller's account (from STS) to compare with MasterAccountId; may be NULL.
 * CX_OK for all four roles; other errors (credentials, throttling after retries...) as usual. */
struct aws_op *org_describe_organization_op(const char *account_id);
const struct org_info *org_describe_organization_result(const struct aws_op *op);
enum cx_status org_describe_organization(struct aws_client *c, const char *account_id,
                                         struct org_info *out, struct cx_err *err);

#endif
