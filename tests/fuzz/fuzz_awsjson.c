/* libFuzzer target: AWS JSON 1.1 answers (Organizations, CUR, Data Exports): every JSON
 * success parser of src/aws and the JSON error parser (body + x-amzn-ErrorType header). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/awserr.h"
#include "aws/bcm.h"
#include "aws/client.h"
#include "aws/cur.h"
#include "aws/org.h"
#include "util/mem.h"
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
	if (aws_op_feed(op, &r, &more, &err) >= CX_STATUS_COUNT)
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
	unsigned sel = size ? data[0] % 9 : 0;
	switch (sel) {
	case 0:
		feed(org_describe_organization_op("123456789012"), 200, data, size);
		break;
	case 1:
		feed(org_describe_organization_op("123456789012"), 400, data, size);
		break;
	case 2:
		feed(bcm_list_exports_op(), 200, data, size);
		break;
	case 3:
		feed(bcm_get_export_op("arn:x"), 200, data, size);
		break;
	case 4:
		feed(bcm_create_export_op(NULL), 200, data, size);
		break;
	case 5:
		feed(bcm_get_table_op("T", NULL), 200, data, size);
		break;
	case 6:
		feed(cur_describe_report_definitions_op(), 200, data, size);
		break;
	case 7:
		feed(cur_describe_report_definitions_op(), 400, data, size);
		break;
	default:
		feed(bcm_list_exports_op(), 500, data, size);
		break;
	}
	/* error parser with the header variant: the first line is the header value */
	const uint8_t *nl = memchr(data, '\n', size);
	size_t hl = nl ? (size_t)(nl - data) : 0;
	struct http_response r;
	memset(&r, 0, sizeof(r));
	r.status = 400;
	if (nl) {
		r.headers = xcalloc(1, sizeof(*r.headers));
		r.headers[0].name = xstrdup("x-amzn-ErrorType");
		r.headers[0].value = xstrndup((const char *)data, hl);
		r.nheaders = 1;
		buf_append(&r.body, nl + 1, size - hl - 1);
	} else {
		buf_append(&r.body, data, size);
	}
	struct aws_error e;
	awserr_parse(AWS_PROTO_JSON, &r, &e);
	if (!e.code[0])
		abort();
	http_response_free(&r);
	return 0;
}
