/* billdeny.h - does a bucket policy Deny the billing delivery services? Evaluated as AWS
 * evaluates a resource-based policy (IAM User Guide, "Policy evaluation logic", "Condition
 * operators", "AWS global condition context keys") for the request of a delivery service
 * (bcm-data-exports.amazonaws.com for CUR 2.0, billingreports.amazonaws.com for legacy CUR):
 * s3:PutObject under <prefix>/<name>/ and s3:GetBucketPolicy on the bucket, with the context
 * aws:SourceAccount, aws:SourceArn, aws:SecureTransport true, aws:PrincipalIsAWSService true,
 * aws:PrincipalServiceName; every other key is missing (a service principal has no
 * aws:PrincipalOrgID, aws:PrincipalAccount, aws:SourceIp, ...). A negated operator
 * (StringNotEquals, ArnNotLike, NotIpAddress, ...) on a missing key is true, so
 * "Deny unless aws:PrincipalOrgID is ours" denies the billing services. */
#ifndef CX_CORE_BILLDENY_H
#define CX_CORE_BILLDENY_H

#include <stdbool.h>

#include <cjson/cJSON.h>

/* The first Deny statement of doc (a bucket policy) that applies to the delivery of export or
 * report `name` of account_id to bucket/prefix: "statement \"<Sid>\" (Deny s3:PutObject)",
 * "#N" for a statement without Sid. NULL when none applies. Caller frees. */
char *billdeny_find(const cJSON *doc, const char *bucket, const char *prefix, const char *name,
                    const char *account_id, bool legacy);

/* Glob of IAM policies: '*' any run, '?' one character; case-insensitive when nocase. */
bool billdeny_glob(const char *pattern, const char *value, bool nocase);

#endif
