/* opkit.c - helpers shared by the AWS service files. See opkit.h. */
#include "aws/opkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"
#include "util/mem.h"

enum cx_status opkit_parse_nothing(void *st, const struct http_response *r, bool *more,
                                   struct cx_err *err)
{
	(void)st;
	(void)r;
	(void)err;
	*more = false;
	return CX_OK;
}

enum cx_status opkit_run_free(struct aws_client *c, struct aws_op *op, struct cx_err *err)
{
	enum cx_status st = aws_op_run(c, op, err);
	aws_op_free(op);
	return st;
}

enum cx_status opkit_run_move(struct aws_client *c, struct aws_op *op, void *result, void *out,
                              size_t n, struct cx_err *err)
{
	enum cx_status st = aws_op_run(c, op, err);
	if (st == CX_OK) {
		memcpy(out, result, n);
		memset(result, 0, n);
	}
	aws_op_free(op);
	return st;
}

xmlNode *opkit_xml_root(const struct http_response *r, const char *op, const char *root,
                        xmlDoc **doc, struct cx_err *err)
{
	*doc = aws_xml_doc(r, err);
	if (!*doc)
		return NULL;
	xmlNode *n = xml_root(*doc);
	if (!xml_is(n, root)) {
		xml_free(*doc);
		*doc = NULL;
		cx_err_set(err, CX_E_PARSE, "%s answer without %s", op, root);
		return NULL;
	}
	return n;
}

xmlNode *opkit_xml_result(const struct http_response *r, const char *op, xmlDoc **doc,
                          struct cx_err *err)
{
	*doc = aws_xml_doc(r, err);
	if (!*doc)
		return NULL;
	char name[96];
	snprintf(name, sizeof(name), "%sResult", op);
	xmlNode *res = xml_child(xml_root(*doc), name);
	if (!res) {
		cx_err_set(err, CX_E_PARSE, "%s answer without %s", op, name);
		xml_free(*doc);
		*doc = NULL;
	}
	return res;
}

void opkit_req_json_paged(struct aws_req *rq, cJSON *j, const char *token)
{
	if (token)
		cJSON_AddStringToObject(j, "NextToken", token);
	aws_req_json(rq, j);
	cJSON_Delete(j);
}

void opkit_json_next_token(const cJSON *j, char **token, bool *more)
{
	free(*token);
	*token = xstrdup(json_str(j, "NextToken"));
	if (*token && **token)
		*more = true;
}
