/* opkit.h - helpers the AWS service files (s3, iam, bcm, cur, sts, ec2, org) share.
 * Private to src/aws: not part of any module's public interface. */
#ifndef CX_AWS_OPKIT_H
#define CX_AWS_OPKIT_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "aws/client.h"
#include "aws/xml.h"
#include "util/err.h"

/* aws_op_def parser for answers whose body is not read: *more = false, CX_OK. */
enum cx_status opkit_parse_nothing(void *st, const struct http_response *r, bool *more,
                                   struct cx_err *err);

/* Runs op synchronously, frees it and returns its status. Takes op. */
enum cx_status opkit_run_free(struct aws_client *c, struct aws_op *op, struct cx_err *err);

/* Runs op synchronously; on CX_OK moves the n bytes at result (a member of op's state) to out
 * and zeroes result (so freeing op does not free what out now owns). Frees op; returns its
 * status. Takes op. */
enum cx_status opkit_run_move(struct aws_client *c, struct aws_op *op, void *result, void *out,
                              size_t n, struct cx_err *err);

/* Opens an XML answer of operation op (for the message) whose root must be the element root.
 * Returns that root (*doc to xml_free by the caller), or NULL with err set and *doc NULL. */
xmlNode *opkit_xml_root(const struct http_response *r, const char *op, const char *root,
                        xmlDoc **doc, struct cx_err *err);
/* Opens a query-protocol answer (IAM, STS, ...) of operation op and returns its <OpResult>
 * element, the root's child (*doc to xml_free by the caller), or NULL with err set and *doc
 * NULL. */
xmlNode *opkit_xml_result(const struct http_response *r, const char *op, xmlDoc **doc,
                          struct cx_err *err);

/* Sends the JSON body j plus "NextToken": token when token is not NULL. Takes j. */
void opkit_req_json_paged(struct aws_req *rq, cJSON *j, const char *token);

/* Replaces *token by the answer j's "NextToken" (NULL when absent); *more = it is non-empty. */
void opkit_json_next_token(const cJSON *j, char **token, bool *more);

#endif
