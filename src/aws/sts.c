/* sts.c - STS operations. See sts.h. */
#include "aws/sts.h"

#include <stdlib.h>
#include <string.h>

#include "aws/opkit.h"
#include "util/mem.h"

void sts_identity_free(struct sts_identity *id)
{
	if (!id)
		return;
	free(id->account);
	free(id->arn);
	free(id->user_id);
	memset(id, 0, sizeof(*id));
}

static void gci_build(void *st, struct aws_req *rq)
{
	(void)st;
	(void)rq;
}

static enum cx_status gci_parse(void *st, const struct http_response *r, bool *more,
                                struct cx_err *err)
{
	struct sts_identity *id = st;
	*more = false;
	xmlDoc *doc = aws_xml_doc(r, err);
	if (!doc)
		return err->status;
	xmlNode *res = xml_path(xml_root(doc), "GetCallerIdentityResult");
	sts_identity_free(id);
	id->account = xml_path_text(res, "Account");
	id->arn = xml_path_text(res, "Arn");
	id->user_id = xml_path_text(res, "UserId");
	xml_free(doc);
	if (!id->account || !id->arn)
		return cx_err_set(err, CX_E_PARSE, "GetCallerIdentity answer without Account/Arn");
	return CX_OK;
}

static const struct aws_op_def gci_def = {AWS_STS,   AWS_PROTO_QUERY, "GetCallerIdentity",
                                          gci_build, gci_parse,       NULL};

static void id_free(void *p)
{
	sts_identity_free(p);
	free(p);
}

struct aws_op *sts_get_caller_identity_op(void)
{
	return aws_op_new(&gci_def, xcalloc(1, sizeof(struct sts_identity)), id_free);
}

const struct sts_identity *sts_get_caller_identity_result(const struct aws_op *op)
{
	return aws_op_state(op);
}

enum cx_status sts_get_caller_identity(struct aws_client *c, struct sts_identity *out,
                                       struct cx_err *err)
{
	struct aws_op *op = sts_get_caller_identity_op();
	return opkit_run_move(c, op, aws_op_state(op), out, sizeof(*out), err);
}
