/* endpoint.h - where each AWS service is reached and how it is signed (aws-apis.md s.1). */
#ifndef CX_AWS_ENDPOINT_H
#define CX_AWS_ENDPOINT_H

#include <stdbool.h>

#include "aws/config.h"
#include "util/err.h"

enum aws_service {
	AWS_STS = 0,
	AWS_IAM,
	AWS_S3,
	AWS_EC2,
	AWS_ORGANIZATIONS,
	AWS_BCM_DATA_EXPORTS,
	AWS_CUR,
	AWS_SERVICE_COUNT
};

struct aws_endpoint {
	char base[512]; /* "https://iam.amazonaws.com" or the override, no trailing '/' */
	char host[256]; /* Host header value (with ":port" when not the default) */
	char signing_region[32];
	const char *signing_name; /* "sts", "iam", "s3", "ec2", "organizations",
	                             "bcm-data-exports", "cur" */
	bool path_style;          /* S3: path-style addressing */
	bool overridden;          /* came from an endpoint override */
};

/* Short name for logs ("iam", "bcm-data-exports", ...) */
const char *aws_service_name(enum aws_service s);
/* The AWS_ENDPOINT_URL_<ID> suffix ("BCM_DATA_EXPORTS", "COST_AND_USAGE_REPORT_SERVICE"). */
const char *aws_service_env_id(enum aws_service s);

/* Resolves the endpoint of service s. region: the client region (STS, EC2) or, for S3,
 * the bucket's region (NULL = us-east-1). bucket: for S3 virtual-hosted addressing on real
 * AWS (NULL for ListBuckets); path style is used for dotted names and any override.
 * An http:// override is accepted only for a loopback host (CX_E_INPUT otherwise). */
enum cx_status endpoint_resolve(const struct aws_config *cfg, enum aws_service s,
                                const char *region, const char *bucket, struct aws_endpoint *out,
                                struct cx_err *err);
/* True when url's host is 127.0.0.0/8, ::1 or "localhost". */
bool endpoint_is_loopback(const char *url);

#endif
