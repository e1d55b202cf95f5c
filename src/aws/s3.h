/* s3.h - S3 operations (rest-xml). Path-style addressing with overridden endpoints and
 * dotted names, virtual-hosted on AWS (endpoint.h decides). Each request is signed for the
 * bucket's region: taken from the client's per-bucket cache, else the client region; a
 * 301/307/400 answer carrying x-amz-bucket-region (or <Region>) re-signs for that region
 * (redirects are never followed by curl). Sync and async forms as in client.h. */
#ifndef CX_AWS_S3_H
#define CX_AWS_S3_H

#include <stdbool.h>
#include <stddef.h>

#include "aws/client.h"

/* HeadBucket: CX_OK when the bucket exists and is reachable; CX_E_NOT_FOUND (404),
 * CX_E_DENIED (403: exists, not ours or no s3:ListBucket). The region is reported whenever
 * AWS tells it (also with CX_E_DENIED). */
struct aws_op *s3_head_bucket_op(const char *bucket);
/* Region from x-amz-bucket-region, or NULL when not told. */
const char *s3_head_bucket_result(const struct aws_op *op);
/* *region_out (may be NULL) receives a new string or NULL. */
enum cx_status s3_head_bucket(struct aws_client *c, const char *bucket, char **region_out,
                              struct cx_err *err);

/* GetBucketLocation: region normalised ("" -> "us-east-1", "EU" -> "eu-west-1"). */
struct aws_op *s3_get_bucket_location_op(const char *bucket);
const char *s3_get_bucket_location_result(const struct aws_op *op);
enum cx_status s3_get_bucket_location(struct aws_client *c, const char *bucket, char **region_out,
                                      struct cx_err *err);

/* CreateBucket in region (NULL = client region): no body for us-east-1, else a
 * CreateBucketConfiguration/LocationConstraint; sent to and signed for that region.
 * BucketAlreadyOwnedByYou / BucketAlreadyExists = CX_E_CONFLICT (see err->code). */
struct aws_op *s3_create_bucket_op(const char *bucket, const char *region);
enum cx_status s3_create_bucket(struct aws_client *c, const char *bucket, const char *region,
                                struct cx_err *err);

/* GetBucketPolicy: the raw JSON text; CX_E_NOT_FOUND with code NoSuchBucketPolicy when the
 * bucket has none. */
struct aws_op *s3_get_bucket_policy_op(const char *bucket);
const char *s3_get_bucket_policy_result(const struct aws_op *op);
enum cx_status s3_get_bucket_policy(struct aws_client *c, const char *bucket, char **policy_out,
                                    struct cx_err *err);

/* PutBucketPolicy with Content-MD5. */
/* DeleteBucketPolicy (204; NoSuchBucketPolicy when there is none). */
struct aws_op *s3_delete_bucket_policy_op(const char *bucket);
enum cx_status s3_delete_bucket_policy(struct aws_client *c, const char *bucket,
                                       struct cx_err *err);
struct aws_op *s3_put_bucket_policy_op(const char *bucket, const char *policy);
enum cx_status s3_put_bucket_policy(struct aws_client *c, const char *bucket, const char *policy,
                                    struct cx_err *err);

struct s3_bucket {
	char *name, *creation_date, *region; /* region NULL when not returned */
};
struct s3_bucket_list {
	struct s3_bucket *items;
	size_t n;
};
void s3_bucket_list_free(struct s3_bucket_list *l);
struct aws_op *s3_list_buckets_op(void);
/* ListBuckets with max-buckets (10000 a page, every page): S3 then gives each bucket's
 * region (s3_bucket.region). */
struct aws_op *s3_list_buckets_regions_op(void);
/* Moves a finished ListBuckets op's list into *out (overwritten, not freed). */
void s3_list_buckets_take(struct aws_op *op, struct s3_bucket_list *out);
const struct s3_bucket_list *s3_list_buckets_result(const struct aws_op *op);
enum cx_status s3_list_buckets(struct aws_client *c, struct s3_bucket_list *out,
                               struct cx_err *err);

struct s3_object_info {
	char *key; /* decoded */
	long long size;
	char *etag, *last_modified, *storage_class;
};
struct s3_listing {
	struct s3_object_info *objects;
	size_t nobjects;
	char **prefixes; /* CommonPrefixes, decoded */
	size_t nprefixes;
};
void s3_listing_free(struct s3_listing *l);
/* ListObjectsV2 with encoding-type=url, every page (continuation tokens) inside the call.
 * prefix/delimiter may be NULL. max_total (0 = no limit) stops after that many keys. */
struct aws_op *s3_list_objects_op(const char *bucket, const char *prefix, const char *delimiter,
                                  size_t max_total);
const struct s3_listing *s3_list_objects_result(const struct aws_op *op);
enum cx_status s3_list_objects(struct aws_client *c, const char *bucket, const char *prefix,
                               const char *delimiter, size_t max_total, struct s3_listing *out,
                               struct cx_err *err);

struct s3_object {
	char *data; /* NUL-terminated for convenience; len is exact */
	size_t len;
	long status; /* 200, or 206 for a range */
	char *content_type, *etag, *content_range, *last_modified;
};
void s3_object_free(struct s3_object *o);
/* GetObject; range is a Range header value ("bytes=0-99") or NULL. Bodies larger than the
 * ctx's max_response give CX_E_TOO_LARGE. */
struct aws_op *s3_get_object_op(const char *bucket, const char *key, const char *range);
const struct s3_object *s3_get_object_result(const struct aws_op *op);
enum cx_status s3_get_object(struct aws_client *c, const char *bucket, const char *key,
                             const char *range, struct s3_object *out, struct cx_err *err);

/* Content-MD5 value (base64 of the MD5) of data into out[25]. */
void s3_content_md5(const void *data, size_t n, char out[25]);

#endif
