/* sigv4.h - AWS Signature Version 4 (AWS4-HMAC-SHA256, header auth) with OpenSSL.
 *
 * The signer signs every header it is given (names lower-cased, values trimmed and inner
 * runs of spaces folded, duplicates joined with ","), so the caller passes exactly the
 * headers it will send that must be signed: host, x-amz-date, content-type, x-amz-target,
 * x-amz-content-sha256 (S3), x-amz-security-token (temporary credentials), other x-amz-*.
 * Never pass user-agent, expect, transfer-encoding. */
#ifndef CX_AWS_SIGV4_H
#define CX_AWS_SIGV4_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "util/err.h"

struct sigv4_header {
	const char *name;
	const char *value;
};

struct sigv4_request {
	const char *method; /* "GET", "POST", ... */
	const char *path;   /* path as sent on the wire, percent-encoded, starting with "/" */
	const char *query;  /* raw query string without '?', NULL or "" when none */
	const struct sigv4_header *headers;
	size_t nheaders;
	const void *body; /* may be NULL when body_len is 0 */
	size_t body_len;
	const char *payload_hash; /* optional precomputed hex SHA-256 (or UNSIGNED-PAYLOAD) */
};

struct sigv4_params {
	const char *access_key_id;
	const char *secret_access_key; /* never copied into ordinary memory */
	const char *region;            /* signing region, e.g. "us-east-1" */
	const char *service;           /* signing name, e.g. "iam", "s3", "bcm-data-exports" */
	const char *amz_date;          /* "YYYYMMDDTHHMMSSZ", equal to the x-amz-date header */
	bool s3;                       /* S3 rules: no path normalisation, single URI encoding */
};

struct sigv4_result {
	char *canonical_request; /* owned; free with sigv4_result_free */
	char *string_to_sign;
	char *authorization;   /* the Authorization header value */
	char payload_hash[65]; /* hex SHA-256 of the body (or the given payload_hash) */
};

/* Signs req. Returns CX_OK, or CX_E_INVALID for a malformed request (message in err). */
enum cx_status sigv4_sign(const struct sigv4_request *req, const struct sigv4_params *p,
                          struct sigv4_result *out, struct cx_err *err);
void sigv4_result_free(struct sigv4_result *r);
/* Formats t (UTC) as "YYYYMMDDTHHMMSSZ". */
void sigv4_amz_date(time_t t, char out[17]);
/* Hex SHA-256 of data into out[65]. */
void sigv4_sha256_hex(const void *data, size_t n, char out[65]);
/* RFC 3986 percent-encoding (unreserved A-Za-z0-9-._~ kept; '/' kept unless encode_slash),
 * upper-case hex, as SigV4 and S3 keys need. Returns a new string (free()). */
char *sigv4_uri_encode(const char *s, size_t n, bool encode_slash);
/* Percent-decodes s (with plus_is_space, '+' becomes ' '). New string (free()). */
char *sigv4_uri_decode(const char *s, bool plus_is_space);

#endif
