/* libFuzzer target: AWS XML answers (query, ec2, rest-xml): every XML success parser of
 * src/aws and the error parser of each protocol, fed through aws_op_feed. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/awserr.h"
#include "aws/client.h"
#include "aws/ec2.h"
#include "aws/iam.h"
#include "aws/s3.h"
#include "aws/sts.h"
#include "util/secmem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void feed(struct aws_op *op, long status, const uint8_t *data, size_t size)
{
	struct http_response r;
	memset(&r, 0, sizeof(r));
	r.status = status;
	buf_append(&r.body, data, size);
	bool more = false;
	struct cx_err err;
	enum cx_status st = aws_op_feed(op, &r, &more, &err);
	if (st >= CX_STATUS_COUNT)
		abort();
	http_response_free(&r);
	aws_op_free(op);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int inited;
	if (!inited) {
		if (secmem_init() < 0)
			abort();
		inited = 1;
	}
	if (size > 1 << 20)
		return 0;
	unsigned sel = size ? data[0] % 12 : 0;
	long status = 200;
	switch (sel) {
	case 0:
		feed(sts_get_caller_identity_op(), status, data, size);
		break;
	case 1:
		feed(iam_list_policy_versions_op("a"), status, data, size);
		break;
	case 2:
		feed(iam_get_policy_version_op("a", "v1"), status, data, size);
		break;
	case 3:
		feed(iam_create_access_key_op("u"), status, data, size);
		break;
	case 4:
		feed(iam_list_users_op(), status, data, size);
		break;
	case 5:
		feed(s3_list_objects_op("b", NULL, NULL, 0), status, data, size);
		break;
	case 6:
		feed(s3_list_buckets_op(), status, data, size);
		break;
	case 7:
		feed(s3_get_bucket_location_op("b"), status, data, size);
		break;
	case 8:
		feed(ec2_describe_regions_op(false, false), status, data, size);
		break;
	case 9:
		feed(iam_create_user_op("u", NULL), 400, data, size); /* query error */
		break;
	case 10:
		feed(ec2_describe_regions_op(false, true), 412, data, size); /* ec2 error */
		break;
	default:
		feed(s3_head_bucket_op("b"), 301, data, size); /* rest-xml error */
		break;
	}
	/* the plain error parser on every protocol */
	struct http_response r;
	memset(&r, 0, sizeof(r));
	r.status = 503;
	buf_append(&r.body, data, size);
	struct aws_error e;
	for (int p = AWS_PROTO_QUERY; p <= AWS_PROTO_REST_XML; p++) {
		awserr_parse((enum aws_proto)p, &r, &e);
		if (!e.code[0] || strlen(e.code) >= sizeof(e.code))
			abort(); /* always a code */
	}
	char rid[128];
	awserr_request_id(AWS_PROTO_QUERY, &r, rid, sizeof(rid));
	http_response_free(&r);
	return 0;
}
