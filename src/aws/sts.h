/* sts.h - STS GetCallerIdentity (sync and async forms; see client.h). */
#ifndef CX_AWS_STS_H
#define CX_AWS_STS_H

#include "aws/client.h"

struct sts_identity {
	char *account; /* "123456789012" */
	char *arn; /* arn:aws:iam::123456789012:user/x, :root, arn:aws:sts::..:assumed-role/.. */
	char *user_id;
};
void sts_identity_free(struct sts_identity *id);

struct aws_op *sts_get_caller_identity_op(void);
/* Result owned by op (valid after success). */
const struct sts_identity *sts_get_caller_identity_result(const struct aws_op *op);
/* On success *out is filled (caller frees with sts_identity_free). */
enum cx_status sts_get_caller_identity(struct aws_client *c, struct sts_identity *out,
                                       struct cx_err *err);

#endif
