/* endpoint.c - hosts and signing scopes of the AWS services (aws-apis.md section 1) and the
 * endpoint overrides of the AWS SDKs. */
#include "aws/endpoint.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/mem.h"
#include "util/str.h"

struct svc {
	const char *name;   /* signing name and short name */
	const char *env_id; /* AWS_ENDPOINT_URL_<env_id> */
};

static const struct svc svcs[AWS_SERVICE_COUNT] = {
    [AWS_STS] = {"sts", "STS"},
    [AWS_IAM] = {"iam", "IAM"},
    [AWS_S3] = {"s3", "S3"},
    [AWS_EC2] = {"ec2", "EC2"},
    [AWS_ORGANIZATIONS] = {"organizations", "ORGANIZATIONS"},
    [AWS_BCM_DATA_EXPORTS] = {"bcm-data-exports", "BCM_DATA_EXPORTS"},
    [AWS_CUR] = {"cur", "COST_AND_USAGE_REPORT_SERVICE"},
};

const char *aws_service_name(enum aws_service s)
{
	return (unsigned)s < AWS_SERVICE_COUNT ? svcs[s].name : "unknown";
}

const char *aws_service_env_id(enum aws_service s)
{
	return (unsigned)s < AWS_SERVICE_COUNT ? svcs[s].env_id : "UNKNOWN";
}

/* Splits url into scheme ("http"/"https"), host (without brackets for IPv6), port (0 when
 * absent) and the rest (path, "" when none). Returns false when malformed. */
struct url_parts {
	char scheme[8];
	char host[256];
	bool ipv6;
	unsigned port;
	char path[512];
};

static bool url_split(const char *url, struct url_parts *u)
{
	memset(u, 0, sizeof(*u));
	const char *p;
	if (!strncasecmp(url, "https://", 8)) {
		strcpy(u->scheme, "https");
		p = url + 8;
	} else if (!strncasecmp(url, "http://", 7)) {
		strcpy(u->scheme, "http");
		p = url + 7;
	} else {
		return false;
	}
	size_t alen = strcspn(p, "/?#");
	if (p[alen] == '?' || p[alen] == '#' || strchr(p, '?') || strchr(p, '#'))
		return false;
	if (memchr(p, '@', alen))
		return false; /* no user info */
	const char *hb = p, *he;
	const char *portp = NULL;
	if (*p == '[') {
		const char *close = memchr(p, ']', alen);
		if (!close)
			return false;
		hb = p + 1;
		he = close;
		u->ipv6 = true;
		if (close + 1 < p + alen) {
			if (close[1] != ':')
				return false;
			portp = close + 2;
		}
	} else {
		const char *colon = memchr(p, ':', alen);
		he = colon ? colon : p + alen;
		if (colon)
			portp = colon + 1;
	}
	if (he == hb || (size_t)(he - hb) >= sizeof(u->host))
		return false;
	for (const char *c = hb; c < he; c++) {
		unsigned char ch = (unsigned char)*c;
		if (!(isalnum(ch) || ch == '-' || ch == '.' || ch == '_' || (u->ipv6 && ch == ':')))
			return false;
	}
	memcpy(u->host, hb, (size_t)(he - hb));
	u->host[he - hb] = '\0';
	if (portp) {
		const char *pe = p + alen;
		if (portp == pe || pe - portp > 5)
			return false;
		unsigned v = 0;
		for (const char *c = portp; c < pe; c++) {
			if (!isdigit((unsigned char)*c))
				return false;
			v = v * 10 + (unsigned)(*c - '0');
		}
		if (v == 0 || v > 65535)
			return false;
		u->port = v;
	}
	const char *path = p + alen;
	size_t plen = strlen(path);
	while (plen && path[plen - 1] == '/')
		plen--;
	if (plen >= sizeof(u->path))
		return false;
	for (size_t i = 0; i < plen; i++)
		if ((unsigned char)path[i] <= 0x20 || (unsigned char)path[i] >= 0x7f)
			return false;
	memcpy(u->path, path, plen);
	u->path[plen] = '\0';
	return true;
}

static bool host_is_loopback(const struct url_parts *u)
{
	if (!strcasecmp(u->host, "localhost"))
		return true;
	if (u->ipv6) {
		struct in6_addr a6;
		if (inet_pton(AF_INET6, u->host, &a6) != 1)
			return false;
		if (IN6_IS_ADDR_LOOPBACK(&a6))
			return true;
		if (IN6_IS_ADDR_V4MAPPED(&a6))
			return a6.s6_addr[12] == 127;
		return false;
	}
	struct in_addr a4;
	if (inet_pton(AF_INET, u->host, &a4) != 1)
		return false;
	return (ntohl(a4.s_addr) >> 24) == 127;
}

bool endpoint_is_loopback(const char *url)
{
	struct url_parts u;
	if (!url || !url_split(url, &u))
		return false;
	return host_is_loopback(&u);
}

static bool valid_region(const char *r)
{
	if (!r || !*r || strlen(r) > 31)
		return false;
	for (const char *p = r; *p; p++)
		if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '-'))
			return false;
	return true;
}

/* Bucket names that can be a DNS label under *.s3.<region>.amazonaws.com with a valid TLS
 * wildcard: 3-63 of [a-z0-9-], starting and ending with a letter or digit, no dots. */
static bool bucket_virtual_ok(const char *b)
{
	size_t n = strlen(b);
	if (n < 3 || n > 63)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)b[i];
		if (!(islower(c) || isdigit(c) || c == '-'))
			return false;
	}
	return b[0] != '-' && b[n - 1] != '-';
}

static const char *env(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

enum cx_status endpoint_resolve(const struct aws_config *cfg, enum aws_service s,
                                const char *region, const char *bucket, struct aws_endpoint *out,
                                struct cx_err *err)
{
	memset(out, 0, sizeof(*out));
	if ((unsigned)s >= AWS_SERVICE_COUNT)
		return cx_err_set(err, CX_E_INTERNAL, "unknown AWS service %d", (int)s);
	out->signing_name = svcs[s].name;

	const char *client_region = cfg && cfg->region ? cfg->region : "us-east-1";
	const char *r;
	if (s == AWS_S3)
		r = region && *region ? region : "us-east-1";
	else
		r = region && *region ? region : client_region;
	if (!valid_region(r))
		return cx_err_set(err, CX_E_INPUT, "'%.60s' is not a valid AWS region name", r);

	/* Signing region: the global services and the us-east-1-only APIs sign us-east-1. */
	switch (s) {
	case AWS_IAM:
	case AWS_ORGANIZATIONS:
	case AWS_CUR:
	case AWS_BCM_DATA_EXPORTS:
		str_copy(out->signing_region, sizeof(out->signing_region), "us-east-1");
		break;
	default:
		str_copy(out->signing_region, sizeof(out->signing_region), r);
		break;
	}

	/* Override: --endpoint-url > AWS_ENDPOINT_URL_<SERVICE> > AWS_ENDPOINT_URL > profile. */
	const char *ov = NULL, *ov_from = NULL;
	char envname[96];
	snprintf(envname, sizeof(envname), "AWS_ENDPOINT_URL_%s", svcs[s].env_id);
	if (cfg && cfg->endpoint_url && cfg->endpoint_url_is_option) {
		ov = cfg->endpoint_url;
		ov_from = "--endpoint-url";
	} else if (!(cfg && cfg->ignore_configured_endpoints) && env(envname)) {
		ov = env(envname);
		ov_from = envname;
	} else if (cfg && cfg->endpoint_url) {
		ov = cfg->endpoint_url;
		ov_from = "AWS_ENDPOINT_URL or the profile's endpoint_url";
	}

	if (ov) {
		struct url_parts u;
		if (!url_split(ov, &u))
			return cx_err_set(
			    err, CX_E_INPUT,
			    "endpoint URL '%.200s' (from %s) is not a valid http(s) URL "
			    "(scheme://host[:port][/path], no query or user info)",
			    ov, ov_from);
		if (!strcmp(u.scheme, "http") && !host_is_loopback(&u))
			return cx_err_set(
			    err, CX_E_INPUT,
			    "endpoint URL '%.200s' (from %s): plain http:// is allowed "
			    "only on a loopback address; use https://",
			    ov, ov_from);
		unsigned dflt = !strcmp(u.scheme, "https") ? 443 : 80;
		char hostport[300];
		if (u.port && u.port != dflt)
			snprintf(hostport, sizeof(hostport), u.ipv6 ? "[%s]:%u" : "%s:%u", u.host,
			         u.port);
		else
			snprintf(hostport, sizeof(hostport), u.ipv6 ? "[%s]" : "%s", u.host);
		for (char *c = hostport; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		if (strlen(hostport) >= sizeof(out->host))
			return cx_err_set(err, CX_E_INPUT, "endpoint host too long");
		str_copy(out->host, sizeof(out->host), hostport);
		int n =
		    snprintf(out->base, sizeof(out->base), "%s://%s%s", u.scheme, hostport, u.path);
		if (n < 0 || (size_t)n >= sizeof(out->base))
			return cx_err_set(err, CX_E_INPUT, "endpoint URL too long");
		out->overridden = true;
		out->path_style = s == AWS_S3;
		return CX_OK;
	}

	char host[256];
	switch (s) {
	case AWS_STS:
		snprintf(host, sizeof(host), "sts.%s.amazonaws.com", r);
		break;
	case AWS_IAM:
		str_copy(host, sizeof(host), "iam.amazonaws.com");
		break;
	case AWS_EC2:
		snprintf(host, sizeof(host), "ec2.%s.amazonaws.com", r);
		break;
	case AWS_ORGANIZATIONS:
		str_copy(host, sizeof(host), "organizations.us-east-1.amazonaws.com");
		break;
	case AWS_CUR:
		str_copy(host, sizeof(host), "cur.us-east-1.amazonaws.com");
		break;
	case AWS_BCM_DATA_EXPORTS:
		str_copy(host, sizeof(host), "bcm-data-exports.us-east-1.api.aws");
		break;
	case AWS_S3: {
		char s3host[128];
		if (!strcmp(r, "us-east-1"))
			str_copy(s3host, sizeof(s3host), "s3.amazonaws.com");
		else
			snprintf(s3host, sizeof(s3host), "s3.%s.amazonaws.com", r);
		if (bucket && *bucket && bucket_virtual_ok(bucket)) {
			snprintf(host, sizeof(host), "%s.%s", bucket, s3host);
		} else {
			str_copy(host, sizeof(host), s3host);
			out->path_style = bucket && *bucket;
		}
		break;
	}
	default:
		return cx_err_set(err, CX_E_INTERNAL, "unknown AWS service %d", (int)s);
	}
	str_copy(out->host, sizeof(out->host), host);
	snprintf(out->base, sizeof(out->base), "https://%s", host);
	return CX_OK;
}
