/* awserr.h - AWS error responses of every protocol: parsing, classification onto
 * enum cx_status, and retry decisions (aws-apis.md sections 2 and 2.4). */
#ifndef CX_AWS_AWSERR_H
#define CX_AWS_AWSERR_H

#include <stdbool.h>

#include "aws/http.h"
#include "util/err.h"

enum aws_proto {
	AWS_PROTO_QUERY = 0, /* STS, IAM: <ErrorResponse><Error><Code>..</Code>.. */
	AWS_PROTO_EC2,       /* <Response><Errors><Error>..</Error></Errors><RequestID> */
	AWS_PROTO_JSON,      /* JSON 1.1: {"__type": "...#Code", "message": ...} */
	AWS_PROTO_REST_XML   /* S3: <Error><Code>..</Code>..; HEAD: status + headers only */
};

/* What an error response said. All strings NUL-terminated, possibly empty. */
struct aws_error {
	int http_status;
	char code[96];
	char message[768];
	char request_id[128];
	char region[32];    /* S3: x-amz-bucket-region header or <Region> of the body */
	char endpoint[256]; /* S3 PermanentRedirect <Endpoint> */
	char reason[64];    /* BCM ValidationException Reason */
};

/* Parses an error answer (status >= 300) of protocol proto. Never fails: when the body is
 * empty, truncated or malformed, the code falls back to a name for the HTTP status
 * ("NotFound", "Forbidden", "BadRequest", "MovedPermanently", "InternalError", "Http<n>")
 * and the message says what was wrong with the body. */
void awserr_parse(enum aws_proto proto, const struct http_response *r, struct aws_error *out);

/* Request id of any answer (headers x-amzn-RequestId, x-amz-request-id, or the XML
 * body's RequestId/requestId/RequestID). Writes "" when none. */
void awserr_request_id(enum aws_proto proto, const struct http_response *r, char *out,
                       size_t outsz);

/* Class of an error code (HTTP status as fallback for unknown codes):
 * CX_E_CREDENTIALS (key unknown, bad signature, expired token, clock skew), CX_E_DENIED,
 * CX_E_THROTTLED, CX_E_NOT_FOUND, CX_E_CONFLICT (exists, in use, quota reached),
 * CX_E_INVALID (other 4xx), CX_E_SERVER (5xx). */
enum cx_status awserr_classify(const char *code, int http_status);

/* True when the code/status is worth retrying (throttling codes, RequestTimeout,
 * PriorRequestNotComplete, 500/502/503/504). Never IAM LimitExceeded or other 4xx. */
bool awserr_retryable(const char *code, int http_status);
/* True for throttling codes (Throttling, SlowDown, ...). */
bool awserr_is_throttle(const char *code);
/* True when the error says the request time is off (RequestTimeTooSkewed,
 * RequestExpired, "Signature expired" in SignatureDoesNotMatch/InvalidSignatureException). */
bool awserr_is_clock_skew(const char *code, const char *message);

/* Fills err from e: status = awserr_classify, code, http_status, request id, and a
 * message; for CX_E_DENIED it names the action ("not authorized to perform iam:CreateUser")
 * taken from the AWS message when it says it, else from action (e.g. "iam:CreateUser").
 * Returns err->status. */
enum cx_status awserr_to_cx(const struct aws_error *e, const char *action, struct cx_err *err);

#endif
