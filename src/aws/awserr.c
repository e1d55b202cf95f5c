/* awserr.c - AWS error parsing and classification. See awserr.h. */
#include "aws/awserr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "aws/xml.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/str.h"

#define ERR_BODY_MAX (1024 * 1024)

static const char *const throttle_codes[] = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "EC2ThrottledException",
    "TooManyRequests",
    NULL,
};

static const char *const credential_codes[] = {
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
    "AuthFailure",
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "InvalidAccessKeyId",
    "InvalidToken",
    "ExpiredToken",
    "ExpiredTokenException",
    "RequestExpired",
    "RequestTimeTooSkewed",
    "IncompleteSignature",
    "IncompleteSignatureException",
    "MissingAuthenticationToken",
    "MissingAuthenticationTokenException",
    "InvalidSecurity",
    "TokenRefreshRequired",
    "Unauthorized",
    NULL,
};

static const char *const denied_codes[] = {
    "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AllAccessDisabled",
    "Forbidden",    "OptInRequired",         "AccountProblem",        NULL,
};

static const char *const not_found_codes[] = {
    "NoSuchEntity",
    "NoSuchBucket",
    "NoSuchKey",
    "NoSuchBucketPolicy",
    "ResourceNotFoundException",
    "NotFound",
    "AWSOrganizationsNotInUseException",
    "InvalidRegion",
    NULL,
};

static const char *const conflict_codes[] = {
    "EntityAlreadyExists",
    "BucketAlreadyExists",
    "BucketAlreadyOwnedByYou",
    "DeleteConflict",
    "ConcurrentModification",
    "ConcurrentModificationException",
    "DuplicateReportNameException",
    "OperationAborted",
    "LimitExceeded",
    "ReportLimitReachedException",
    "ServiceQuotaExceededException",
    "TooManyBuckets",
    "Conflict",
    "ConflictException",
    NULL,
};

static const char *const server_codes[] = {
    "InternalError",
    "InternalFailure",
    "ServiceFailure",
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "InternalServerException",
    "InternalErrorException",
    "InternalServerError",
    "ServiceException",
    "Unavailable",
    NULL,
};

static bool in_list(const char *const *list, const char *code)
{
	if (!code || !*code)
		return false;
	for (size_t i = 0; list[i]; i++)
		if (strcmp(list[i], code) == 0)
			return true;
	return false;
}

bool awserr_is_throttle(const char *code)
{
	return in_list(throttle_codes, code);
}

bool awserr_retryable(const char *code, int http_status)
{
	if (code && strcmp(code, "LimitExceeded") == 0)
		return false; /* IAM quota, never a throttle */
	if (awserr_is_throttle(code))
		return true;
	if (code &&
	    (strcmp(code, "RequestTimeout") == 0 || strcmp(code, "RequestTimeoutException") == 0 ||
	     strcmp(code, "PriorRequestNotComplete") == 0))
		return true;
	if (http_status == 429)
		return true;
	return http_status == 500 || http_status == 502 || http_status == 503 || http_status == 504;
}

static bool contains_ci(const char *hay, const char *needle)
{
	if (!hay || !needle)
		return false;
	size_t n = strlen(needle);
	for (const char *p = hay; *p; p++)
		if (strncasecmp(p, needle, n) == 0)
			return true;
	return false;
}

bool awserr_is_clock_skew(const char *code, const char *message)
{
	if (!code)
		return false;
	if (strcmp(code, "RequestTimeTooSkewed") == 0 || strcmp(code, "RequestExpired") == 0)
		return true;
	if ((strcmp(code, "SignatureDoesNotMatch") == 0 ||
	     strcmp(code, "InvalidSignatureException") == 0 || strcmp(code, "AuthFailure") == 0) &&
	    (contains_ci(message, "Signature expired") ||
	     contains_ci(message, "Signature not yet current")))
		return true;
	return false;
}

enum cx_status awserr_classify(const char *code, int http_status)
{
	if (in_list(credential_codes, code))
		return CX_E_CREDENTIALS;
	if (in_list(denied_codes, code))
		return CX_E_DENIED;
	if (awserr_retryable(code, http_status) && awserr_is_throttle(code))
		return CX_E_THROTTLED;
	if (in_list(not_found_codes, code))
		return CX_E_NOT_FOUND;
	if (in_list(conflict_codes, code))
		return CX_E_CONFLICT;
	if (in_list(server_codes, code))
		return CX_E_SERVER;
	if (code &&
	    (strcmp(code, "RequestTimeout") == 0 || strcmp(code, "RequestTimeoutException") == 0 ||
	     strcmp(code, "PriorRequestNotComplete") == 0))
		return CX_E_SERVER;
	if (http_status == 429)
		return CX_E_THROTTLED;
	if (http_status >= 500)
		return CX_E_SERVER;
	if (http_status == 404)
		return CX_E_NOT_FOUND;
	if (http_status == 409)
		return CX_E_CONFLICT;
	if (http_status == 401)
		return CX_E_CREDENTIALS;
	if (http_status == 403)
		return CX_E_DENIED;
	return CX_E_INVALID;
}

static const char *status_code_name(int s)
{
	switch (s) {
	case 301:
		return "PermanentRedirect";
	case 302:
		return "Found";
	case 307:
		return "TemporaryRedirect";
	case 304:
		return "NotModified";
	case 400:
		return "BadRequest";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "NotFound";
	case 405:
		return "MethodNotAllowed";
	case 409:
		return "Conflict";
	case 412:
		return "PreconditionFailed";
	case 413:
		return "RequestEntityTooLarge";
	case 429:
		return "TooManyRequests";
	case 500:
		return "InternalError";
	case 502:
		return "BadGateway";
	case 503:
		return "ServiceUnavailable";
	case 504:
		return "GatewayTimeout";
	default:
		return NULL;
	}
}

/* botocore's JSON code rule: cut at the first ':', keep what follows the last '#'. */
static void json_code(const char *raw, char *out, size_t outsz)
{
	char tmp[256];
	str_copy(tmp, sizeof(tmp), raw);
	char *colon = strchr(tmp, ':');
	if (colon)
		*colon = '\0';
	char *hash = strrchr(tmp, '#');
	str_copy(out, outsz, hash ? hash + 1 : tmp);
	str_trim(out);
}

static void first_header(const struct http_response *r, const char *const *names, char *out,
                         size_t outsz)
{
	for (size_t i = 0; names[i]; i++) {
		const char *v = http_response_header(r, names[i]);
		if (v && *v) {
			str_copy(out, outsz, v);
			return;
		}
	}
}

static const char *const reqid_headers[] = {"x-amzn-RequestId", "x-amz-request-id",
                                            "x-amzn-requestid", NULL};

static xmlNode *find_any(xmlNode *n, const char *name, int depth)
{
	if (!n || depth > 6)
		return NULL;
	if (xml_is(n, name))
		return n;
	for (xmlNode *c = n->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		xmlNode *f = find_any(c, name, depth + 1);
		if (f)
			return f;
	}
	return NULL;
}

void awserr_request_id(enum aws_proto proto, const struct http_response *r, char *out, size_t outsz)
{
	(void)proto;
	out[0] = '\0';
	first_header(r, reqid_headers, out, outsz);
	if (out[0] || r->body.len == 0 || r->body.len > ERR_BODY_MAX)
		return;
	const char *b = r->body.data;
	size_t i = 0;
	while (i < r->body.len && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t'))
		i++;
	if (i >= r->body.len || b[i] != '<')
		return;
	xmlDoc *doc = xml_parse(b, r->body.len, ERR_BODY_MAX, NULL);
	if (!doc)
		return;
	xmlNode *root = xml_root(doc);
	xmlNode *n = find_any(root, "RequestId", 0);
	if (!n)
		n = find_any(root, "requestId", 0);
	if (!n)
		n = find_any(root, "RequestID", 0);
	if (n) {
		char *t = xml_text(n);
		str_copy(out, outsz, t);
		str_trim(out);
		free(t);
	}
	xml_free(doc);
}

static void parse_xml_error(const char *body, size_t len, struct aws_error *out)
{
	struct cx_err perr;
	cx_err_clear(&perr);
	xmlDoc *doc = xml_parse(body, len, ERR_BODY_MAX, &perr);
	if (!doc) {
		snprintf(out->message, sizeof(out->message), "unreadable error body: %s", perr.msg);
		return;
	}
	xmlNode *root = xml_root(doc);
	xmlNode *e = NULL;
	if (xml_is(root, "ErrorResponse"))
		e = xml_child(root, "Error");
	else if (xml_is(root, "Response"))
		e = xml_path(root, "Errors/Error");
	else if (xml_is(root, "Error"))
		e = root;
	if (!e)
		e = find_any(root, "Error", 0);
	if (e) {
		xml_path_copy(e, "Code", out->code, sizeof(out->code));
		if (!xml_path_copy(e, "Message", out->message, sizeof(out->message)))
			xml_path_copy(e, "message", out->message, sizeof(out->message));
		char region[32];
		if (xml_path_copy(e, "Region", region, sizeof(region)) && region[0])
			str_copy(out->region, sizeof(out->region), region);
		xml_path_copy(e, "Endpoint", out->endpoint, sizeof(out->endpoint));
		str_trim(out->code);
	} else {
		snprintf(out->message, sizeof(out->message), "error body without an Error element");
	}
	if (!out->request_id[0]) {
		xmlNode *n = find_any(root, "RequestId", 0);
		if (!n)
			n = find_any(root, "RequestID", 0);
		if (!n)
			n = find_any(root, "requestId", 0);
		if (n) {
			char *t = xml_text(n);
			str_copy(out->request_id, sizeof(out->request_id), t);
			str_trim(out->request_id);
			free(t);
		}
	}
	xml_free(doc);
}

static void parse_json_error(const char *body, size_t len, struct aws_error *out)
{
	struct cx_err perr;
	cx_err_clear(&perr);
	cJSON *j = json_parse(body, len, &perr);
	if (!j || !cJSON_IsObject(j)) {
		snprintf(out->message, sizeof(out->message), "unreadable error body: %s",
		         j ? "not a JSON object" : perr.msg);
		cJSON_Delete(j);
		return;
	}
	const char *type = json_str(j, "__type");
	if (!type)
		type = json_str(j, "code");
	if (!type)
		type = json_str(j, "Code");
	if (type && !out->code[0])
		json_code(type, out->code, sizeof(out->code));
	const char *msg = json_str(j, "message");
	if (!msg)
		msg = json_str(j, "Message");
	if (!msg)
		msg = json_str(j, "errorMessage");
	if (msg)
		str_copy(out->message, sizeof(out->message), msg);
	const char *reason = json_str(j, "Reason");
	if (reason)
		str_copy(out->reason, sizeof(out->reason), reason);
	/* BCM field errors: append "Name: Message" pairs to the message */
	const cJSON *fields = json_arr(j, "Fields");
	if (fields) {
		const cJSON *f;
		cJSON_ArrayForEach(f, fields)
		{
			const char *fn = json_str(f, "Name"), *fm = json_str(f, "Message");
			size_t l = strlen(out->message);
			if (l + 8 < sizeof(out->message))
				snprintf(out->message + l, sizeof(out->message) - l, "%s%s: %s",
				         l ? "; " : "", fn ? fn : "?", fm ? fm : "");
		}
	}
	cJSON_Delete(j);
}

void awserr_parse(enum aws_proto proto, const struct http_response *r, struct aws_error *out)
{
	memset(out, 0, sizeof(*out));
	out->http_status = (int)r->status;
	first_header(r, reqid_headers, out->request_id, sizeof(out->request_id));
	const char *br = http_response_header(r, "x-amz-bucket-region");
	if (br)
		str_copy(out->region, sizeof(out->region), br);

	if (proto == AWS_PROTO_JSON) {
		const char *et = http_response_header(r, "x-amzn-ErrorType");
		if (et && *et)
			json_code(et, out->code, sizeof(out->code));
	}
	const char *b = r->body.data;
	size_t len = r->body.len;
	size_t i = 0;
	while (b && i < len && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t'))
		i++;
	if (b && i < len && len <= ERR_BODY_MAX) {
		if (b[i] == '<') {
			parse_xml_error(b, len, out);
		} else if (b[i] == '{') {
			char hdr_code[96];
			str_copy(hdr_code, sizeof(hdr_code), out->code);
			out->code[0] = '\0';
			parse_json_error(b, len, out);
			/* botocore: __type first, the header only as fallback */
			if (!out->code[0])
				str_copy(out->code, sizeof(out->code), hdr_code);
		} else if (!out->message[0]) {
			char *p = str_printable(b + i, 200);
			snprintf(out->message, sizeof(out->message), "unexpected error body: %s",
			         p);
			free(p);
		}
	} else if (b && len > ERR_BODY_MAX) {
		snprintf(out->message, sizeof(out->message), "error body of %zu bytes not read",
		         len);
	}
	if (!out->code[0]) {
		const char *n = status_code_name((int)r->status);
		if (n)
			str_copy(out->code, sizeof(out->code), n);
		else
			snprintf(out->code, sizeof(out->code), "Http%ld", r->status);
	}
	if (!out->message[0])
		snprintf(out->message, sizeof(out->message), "HTTP %ld%s", r->status,
		         len == 0 ? " with no body" : "");
}

/* Extracts "iam:CreateUser" from "... is not authorized to perform: iam:CreateUser on ..." */
static bool action_from_message(const char *msg, char *out, size_t outsz)
{
	static const char *const keys[] = {"to perform: ", "to perform ",
	                                   "perform this operation: ", NULL};
	for (size_t k = 0; keys[k]; k++) {
		const char *p = strstr(msg, keys[k]);
		if (!p)
			continue;
		p += strlen(keys[k]);
		size_t l = strcspn(p, " ,;\"'");
		if (l == 0 || !memchr(p, ':', l))
			continue;
		if (l >= outsz)
			l = outsz - 1;
		memcpy(out, p, l);
		out[l] = '\0';
		return true;
	}
	return false;
}

enum cx_status awserr_to_cx(const struct aws_error *e, const char *action, struct cx_err *err)
{
	enum cx_status st = awserr_classify(e->code, e->http_status);
	if (!err)
		return st;
	char act[128] = "";
	switch (st) {
	case CX_E_DENIED:
		if (!action_from_message(e->message, act, sizeof(act)) && action)
			str_copy(act, sizeof(act), action);
		if (act[0])
			cx_err_set(err, st, "not authorized to perform %s: %s", act, e->message);
		else
			cx_err_set(err, st, "access denied: %s", e->message);
		break;
	case CX_E_CREDENTIALS:
		cx_err_set(err, st, "AWS rejected the credentials: %s", e->message);
		break;
	case CX_E_THROTTLED:
		cx_err_set(err, st, "throttled by AWS (gave up after retries): %s", e->message);
		break;
	default:
		cx_err_set(err, st, "%s", e->message);
		break;
	}
	cx_err_code(err, e->code);
	err->http_status = e->http_status;
	str_copy(err->request_id, sizeof(err->request_id), e->request_id);
	return st;
}
