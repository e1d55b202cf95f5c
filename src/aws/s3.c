/* s3.c - S3 operations. See s3.h. */
#include "aws/s3.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/opkit.h"
#include "util/mem.h"
#include "util/str.h"

struct s3_st {
	char *bucket, *key, *prefix, *delimiter, *range, *region, *body;
	size_t max_total;
	char *token;  /* continuation token */
	char *result; /* region or policy text */
	struct s3_bucket_list buckets;
	struct s3_listing listing;
	struct s3_object object;
};

void s3_bucket_list_free(struct s3_bucket_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].name);
		free(l->items[i].creation_date);
		free(l->items[i].region);
	}
	free(l->items);
	memset(l, 0, sizeof(*l));
}

void s3_listing_free(struct s3_listing *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->nobjects; i++) {
		free(l->objects[i].key);
		free(l->objects[i].etag);
		free(l->objects[i].last_modified);
		free(l->objects[i].storage_class);
	}
	free(l->objects);
	for (size_t i = 0; i < l->nprefixes; i++)
		free(l->prefixes[i]);
	free(l->prefixes);
	memset(l, 0, sizeof(*l));
}

void s3_object_free(struct s3_object *o)
{
	if (!o)
		return;
	free(o->data);
	free(o->content_type);
	free(o->etag);
	free(o->content_range);
	free(o->last_modified);
	memset(o, 0, sizeof(*o));
}

static void st_free(void *p)
{
	struct s3_st *s = p;
	if (!s)
		return;
	free(s->bucket);
	free(s->key);
	free(s->prefix);
	free(s->delimiter);
	free(s->range);
	free(s->region);
	free(s->body);
	free(s->token);
	free(s->result);
	s3_bucket_list_free(&s->buckets);
	s3_listing_free(&s->listing);
	s3_object_free(&s->object);
	free(s);
}

static struct s3_st *st_new(const char *bucket)
{
	struct s3_st *s = xcalloc(1, sizeof(*s));
	s->bucket = xstrdup(bucket);
	return s;
}

static struct aws_op *op_new(const struct aws_op_def *def, struct s3_st *s)
{
	struct aws_op *op = aws_op_new(def, s, st_free);
	if (s->bucket)
		aws_op_set_detail(op, s->bucket);
	return op;
}

void s3_content_md5(const void *data, size_t n, char out[25])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_Digest(data, n, md, &mdlen, EVP_md5(), NULL);
	EVP_EncodeBlock((unsigned char *)out, md, (int)mdlen);
	out[24] = '\0';
}

static void bucket_req(struct s3_st *s, struct aws_req *rq, const char *method)
{
	rq->method = method;
	rq->bucket = xstrdup(s->bucket);
}

static char *move_result(struct aws_op *op)
{
	struct s3_st *s = aws_op_state(op);
	char *r = s->result;
	s->result = NULL;
	return r;
}

/* Runs op; *out (when out) = its text result on CX_OK, else NULL. Frees op. */
static enum cx_status run_result(struct aws_client *c, struct aws_op *op, char **out,
                                 struct cx_err *err)
{
	enum cx_status st = aws_op_run(c, op, err);
	if (out)
		*out = st == CX_OK ? move_result(op) : NULL;
	aws_op_free(op);
	return st;
}

/* ---------- HeadBucket ---------- */

static void head_build(void *stp, struct aws_req *rq)
{
	bucket_req(stp, rq, "HEAD");
}

static enum cx_status head_parse(void *stp, const struct http_response *r, bool *more,
                                 struct cx_err *err)
{
	struct s3_st *s = stp;
	(void)err;
	*more = false;
	const char *reg = http_response_header(r, "x-amz-bucket-region");
	free(s->result);
	s->result = reg && *reg ? xstrdup(reg) : NULL;
	return CX_OK;
}

static bool head_on_error(void *stp, const struct aws_error *e)
{
	struct s3_st *s = stp;
	if (e->region[0]) {
		free(s->result);
		s->result = xstrdup(e->region);
	}
	return false;
}

static const struct aws_op_def head_def = {AWS_S3,     AWS_PROTO_REST_XML, "HeadBucket",
                                           head_build, head_parse,         head_on_error};

struct aws_op *s3_head_bucket_op(const char *bucket)
{
	return op_new(&head_def, st_new(bucket));
}

const char *s3_head_bucket_result(const struct aws_op *op)
{
	return ((struct s3_st *)aws_op_state(op))->result;
}

enum cx_status s3_head_bucket(struct aws_client *c, const char *bucket, char **region_out,
                              struct cx_err *err)
{
	struct aws_op *op = s3_head_bucket_op(bucket);
	enum cx_status st = aws_op_run(c, op, err);
	if (region_out) {
		*region_out = move_result(op);
		if (!*region_out && st == CX_OK)
			*region_out = xstrdup(aws_client_bucket_region(c, bucket));
	}
	aws_op_free(op);
	return st;
}

/* ---------- GetBucketLocation ---------- */

static void location_build(void *stp, struct aws_req *rq)
{
	bucket_req(stp, rq, "GET");
	buf_puts(&rq->query, "location");
}

static enum cx_status location_parse(void *stp, const struct http_response *r, bool *more,
                                     struct cx_err *err)
{
	struct s3_st *s = stp;
	*more = false;
	xmlDoc *doc;
	xmlNode *root = opkit_xml_root(r, "GetBucketLocation", "LocationConstraint", &doc, err);
	if (!root)
		return err->status;
	char *t = xml_text(root);
	str_trim(t);
	free(s->result);
	if (!*t)
		s->result = xstrdup("us-east-1");
	else if (strcmp(t, "EU") == 0)
		s->result = xstrdup("eu-west-1");
	else
		s->result = xstrdup(t);
	free(t);
	xml_free(doc);
	return CX_OK;
}

static const struct aws_op_def location_def = {
    AWS_S3, AWS_PROTO_REST_XML, "GetBucketLocation", location_build, location_parse, NULL};

struct aws_op *s3_get_bucket_location_op(const char *bucket)
{
	return op_new(&location_def, st_new(bucket));
}

const char *s3_get_bucket_location_result(const struct aws_op *op)
{
	return ((struct s3_st *)aws_op_state(op))->result;
}

enum cx_status s3_get_bucket_location(struct aws_client *c, const char *bucket, char **region_out,
                                      struct cx_err *err)
{
	return run_result(c, s3_get_bucket_location_op(bucket), region_out, err);
}

/* ---------- CreateBucket ---------- */

static void create_build(void *stp, struct aws_req *rq)
{
	struct s3_st *s = stp;
	bucket_req(s, rq, "PUT");
	rq->region = xstrdup(s->region);
	if (strcmp(s->region, "us-east-1") != 0) {
		buf_printf(
		    &rq->body,
		    "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
		    "<LocationConstraint>%s</LocationConstraint></CreateBucketConfiguration>",
		    s->region);
		rq->content_type = "application/xml";
	}
}

static const struct aws_op_def create_def = {AWS_S3,       AWS_PROTO_REST_XML,  "CreateBucket",
                                             create_build, opkit_parse_nothing, NULL};

struct aws_op *s3_create_bucket_op(const char *bucket, const char *region)
{
	struct s3_st *s = st_new(bucket);
	s->region = xstrdup(region);
	return op_new(&create_def, s);
}

enum cx_status s3_create_bucket(struct aws_client *c, const char *bucket, const char *region,
                                struct cx_err *err)
{
	return opkit_run_free(
	    c, s3_create_bucket_op(bucket, region ? region : aws_client_config(c)->region), err);
}

/* ---------- bucket policy ---------- */

static void get_policy_build(void *stp, struct aws_req *rq)
{
	bucket_req(stp, rq, "GET");
	buf_puts(&rq->query, "policy");
}

static enum cx_status get_policy_parse(void *stp, const struct http_response *r, bool *more,
                                       struct cx_err *err)
{
	struct s3_st *s = stp;
	*more = false;
	if (r->body.len == 0 || !str_is_utf8(r->body.data, r->body.len) ||
	    strlen(r->body.data) != r->body.len)
		return cx_err_set(err, CX_E_PARSE, "GetBucketPolicy answer is not UTF-8 text");
	free(s->result);
	s->result = xstrndup(r->body.data, r->body.len);
	return CX_OK;
}

static const struct aws_op_def get_policy_def = {
    AWS_S3, AWS_PROTO_REST_XML, "GetBucketPolicy", get_policy_build, get_policy_parse, NULL};

struct aws_op *s3_get_bucket_policy_op(const char *bucket)
{
	return op_new(&get_policy_def, st_new(bucket));
}

const char *s3_get_bucket_policy_result(const struct aws_op *op)
{
	return ((struct s3_st *)aws_op_state(op))->result;
}

enum cx_status s3_get_bucket_policy(struct aws_client *c, const char *bucket, char **policy_out,
                                    struct cx_err *err)
{
	return run_result(c, s3_get_bucket_policy_op(bucket), policy_out, err);
}

static void put_policy_build(void *stp, struct aws_req *rq)
{
	struct s3_st *s = stp;
	bucket_req(s, rq, "PUT");
	buf_puts(&rq->query, "policy");
	buf_puts(&rq->body, s->body);
	rq->content_type = "application/json";
	char md5[25];
	s3_content_md5(s->body, strlen(s->body), md5);
	rq->extra[rq->nextra++] = xasprintf("Content-MD5: %s", md5);
}

static const struct aws_op_def put_policy_def = {
    AWS_S3, AWS_PROTO_REST_XML, "PutBucketPolicy", put_policy_build, opkit_parse_nothing, NULL};

struct aws_op *s3_put_bucket_policy_op(const char *bucket, const char *policy)
{
	struct s3_st *s = st_new(bucket);
	s->body = xstrdup(policy ? policy : "");
	return op_new(&put_policy_def, s);
}

enum cx_status s3_put_bucket_policy(struct aws_client *c, const char *bucket, const char *policy,
                                    struct cx_err *err)
{
	return opkit_run_free(c, s3_put_bucket_policy_op(bucket, policy), err);
}

static void delete_policy_build(void *stp, struct aws_req *rq)
{
	bucket_req(stp, rq, "DELETE");
	buf_puts(&rq->query, "policy");
}

static const struct aws_op_def delete_policy_def = {
    AWS_S3, AWS_PROTO_REST_XML, "DeleteBucketPolicy", delete_policy_build, opkit_parse_nothing,
    NULL};

struct aws_op *s3_delete_bucket_policy_op(const char *bucket)
{
	return op_new(&delete_policy_def, st_new(bucket));
}

enum cx_status s3_delete_bucket_policy(struct aws_client *c, const char *bucket, struct cx_err *err)
{
	return opkit_run_free(c, s3_delete_bucket_policy_op(bucket), err);
}

/* ---------- ListBuckets ---------- */

static void list_buckets_build(void *stp, struct aws_req *rq)
{
	struct s3_st *s = stp;
	rq->method = "GET";
	/* any parameter makes S3 answer each bucket's BucketRegion (S3 API Reference,
	 * ListBuckets: "BucketRegion ... included in the response if the request contains at
	 * least one valid parameter") */
	if (s->max_total) {
		char n[24];
		snprintf(n, sizeof(n), "%zu", s->max_total);
		aws_query_add(&rq->query, "max-buckets", n);
	}
	if (s->token)
		aws_query_add(&rq->query, "continuation-token", s->token);
}

static enum cx_status list_buckets_parse(void *stp, const struct http_response *r, bool *more,
                                         struct cx_err *err)
{
	struct s3_st *s = stp;
	*more = false;
	xmlDoc *doc;
	xmlNode *root = opkit_xml_root(r, "ListBuckets", "ListAllMyBucketsResult", &doc, err);
	if (!root)
		return err->status;
	for (xmlNode *b = xml_path(root, "Buckets/Bucket"); b; b = xml_next(b, "Bucket")) {
		s->buckets.items =
		    xrealloc(s->buckets.items, (s->buckets.n + 1) * sizeof(*s->buckets.items));
		struct s3_bucket *it = &s->buckets.items[s->buckets.n++];
		it->name = xml_path_text(b, "Name");
		it->creation_date = xml_path_text(b, "CreationDate");
		it->region = xml_path_text(b, "BucketRegion");
	}
	free(s->token);
	s->token = xml_path_text(root, "ContinuationToken");
	if (s->token && *s->token)
		*more = true;
	xml_free(doc);
	return CX_OK;
}

static const struct aws_op_def list_buckets_def = {
    AWS_S3, AWS_PROTO_REST_XML, "ListBuckets", list_buckets_build, list_buckets_parse, NULL};

struct aws_op *s3_list_buckets_op(void)
{
	return op_new(&list_buckets_def, st_new(NULL));
}

struct aws_op *s3_list_buckets_regions_op(void)
{
	struct s3_st *s = st_new(NULL);
	s->max_total = 10000; /* ListBuckets' largest max-buckets; more come in pages */
	return op_new(&list_buckets_def, s);
}

void s3_list_buckets_take(struct aws_op *op, struct s3_bucket_list *out)
{
	struct s3_st *s = aws_op_state(op);
	*out = s->buckets;
	memset(&s->buckets, 0, sizeof(s->buckets));
}

const struct s3_bucket_list *s3_list_buckets_result(const struct aws_op *op)
{
	return &((struct s3_st *)aws_op_state(op))->buckets;
}

enum cx_status s3_list_buckets(struct aws_client *c, struct s3_bucket_list *out, struct cx_err *err)
{
	struct aws_op *op = s3_list_buckets_op();
	struct s3_st *s = aws_op_state(op);
	return opkit_run_move(c, op, &s->buckets, out, sizeof(*out), err);
}

/* ---------- ListObjectsV2 ---------- */

static void list_objects_build(void *stp, struct aws_req *rq)
{
	struct s3_st *s = stp;
	bucket_req(s, rq, "GET");
	aws_query_add(&rq->query, "list-type", "2");
	if (s->prefix)
		aws_query_add(&rq->query, "prefix", s->prefix);
	if (s->delimiter)
		aws_query_add(&rq->query, "delimiter", s->delimiter);
	if (s->token)
		aws_query_add(&rq->query, "continuation-token", s->token);
	char maxkeys[24];
	size_t want =
	    s->max_total > s->listing.nobjects ? s->max_total - s->listing.nobjects : 1000;
	snprintf(maxkeys, sizeof(maxkeys), "%zu", want == 0 || want > 1000 ? (size_t)1000 : want);
	aws_query_add(&rq->query, "max-keys", maxkeys);
	aws_query_add(&rq->query, "encoding-type", "url");
}

static enum cx_status list_objects_parse(void *stp, const struct http_response *r, bool *more,
                                         struct cx_err *err)
{
	struct s3_st *s = stp;
	*more = false;
	xmlDoc *doc;
	xmlNode *root = opkit_xml_root(r, "ListObjectsV2", "ListBucketResult", &doc, err);
	if (!root)
		return err->status;
	char enc[16];
	xml_path_copy(root, "EncodingType", enc, sizeof(enc));
	bool url = strcmp(enc, "url") == 0;
	struct s3_listing *l = &s->listing;
	for (xmlNode *c = xml_child(root, "Contents"); c; c = xml_next(c, "Contents")) {
		char *k = xml_path_text(c, "Key");
		if (!k)
			continue;
		l->objects = xrealloc(l->objects, (l->nobjects + 1) * sizeof(*l->objects));
		struct s3_object_info *o = &l->objects[l->nobjects++];
		if (url) {
			o->key = aws_url_decode(k, true);
			free(k);
		} else {
			o->key = k;
		}
		o->size = xml_path_int(c, "Size", 0);
		o->etag = xml_path_text(c, "ETag");
		o->last_modified = xml_path_text(c, "LastModified");
		o->storage_class = xml_path_text(c, "StorageClass");
	}
	for (xmlNode *c = xml_child(root, "CommonPrefixes"); c; c = xml_next(c, "CommonPrefixes")) {
		char *p = xml_path_text(c, "Prefix");
		if (!p)
			continue;
		l->prefixes = xrealloc(l->prefixes, (l->nprefixes + 1) * sizeof(char *));
		if (url) {
			l->prefixes[l->nprefixes++] = aws_url_decode(p, true);
			free(p);
		} else {
			l->prefixes[l->nprefixes++] = p;
		}
	}
	free(s->token);
	s->token = NULL;
	if (xml_path_bool(root, "IsTruncated", false) &&
	    (s->max_total == 0 || l->nobjects < s->max_total)) {
		s->token = xml_path_text(root, "NextContinuationToken");
		if (!s->token || !*s->token) {
			xml_free(doc);
			return cx_err_set(
			    err, CX_E_PARSE,
			    "ListObjectsV2 truncated answer without NextContinuationToken");
		}
		*more = true;
	}
	xml_free(doc);
	return CX_OK;
}

static const struct aws_op_def list_objects_def = {
    AWS_S3, AWS_PROTO_REST_XML, "ListObjectsV2", list_objects_build, list_objects_parse, NULL};

struct aws_op *s3_list_objects_op(const char *bucket, const char *prefix, const char *delimiter,
                                  size_t max_total)
{
	struct s3_st *s = st_new(bucket);
	s->prefix = xstrdup(prefix && *prefix ? prefix : NULL);
	s->delimiter = xstrdup(delimiter && *delimiter ? delimiter : NULL);
	s->max_total = max_total;
	return op_new(&list_objects_def, s);
}

const struct s3_listing *s3_list_objects_result(const struct aws_op *op)
{
	return &((struct s3_st *)aws_op_state(op))->listing;
}

enum cx_status s3_list_objects(struct aws_client *c, const char *bucket, const char *prefix,
                               const char *delimiter, size_t max_total, struct s3_listing *out,
                               struct cx_err *err)
{
	struct aws_op *op = s3_list_objects_op(bucket, prefix, delimiter, max_total);
	struct s3_st *s = aws_op_state(op);
	return opkit_run_move(c, op, &s->listing, out, sizeof(*out), err);
}

/* ---------- GetObject ---------- */

static void get_object_build(void *stp, struct aws_req *rq)
{
	struct s3_st *s = stp;
	bucket_req(s, rq, "GET");
	buf_putc(&rq->path, '/');
	/* each byte encoded once, '/' kept (S3 canonical URI) */
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s->key; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' || *p == '~' ||
		    *p == '/') {
			buf_putc(&rq->path, (char)*p);
		} else {
			char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
			buf_append(&rq->path, e, 3);
		}
	}
	if (s->range)
		rq->extra[rq->nextra++] = xasprintf("Range: %s", s->range);
}

static char *hdr_dup(const struct http_response *r, const char *name)
{
	return xstrdup(http_response_header(r, name));
}

static enum cx_status get_object_parse(void *stp, const struct http_response *r, bool *more,
                                       struct cx_err *err)
{
	struct s3_st *s = stp;
	(void)err;
	*more = false;
	s3_object_free(&s->object);
	s->object.data = xmalloc(r->body.len + 1);
	if (r->body.len)
		memcpy(s->object.data, r->body.data, r->body.len);
	s->object.data[r->body.len] = '\0';
	s->object.len = r->body.len;
	s->object.status = r->status;
	s->object.content_type = hdr_dup(r, "Content-Type");
	s->object.etag = hdr_dup(r, "ETag");
	s->object.content_range = hdr_dup(r, "Content-Range");
	s->object.last_modified = hdr_dup(r, "Last-Modified");
	return CX_OK;
}

static const struct aws_op_def get_object_def = {AWS_S3,           AWS_PROTO_REST_XML, "GetObject",
                                                 get_object_build, get_object_parse,   NULL};

struct aws_op *s3_get_object_op(const char *bucket, const char *key, const char *range)
{
	struct s3_st *s = st_new(bucket);
	s->key = xstrdup(key ? key : "");
	s->range = xstrdup(range);
	struct aws_op *op = aws_op_new(&get_object_def, s, st_free);
	char d[600];
	snprintf(d, sizeof(d), "s3://%s/%s", bucket, s->key);
	aws_op_set_detail(op, d);
	return op;
}

const struct s3_object *s3_get_object_result(const struct aws_op *op)
{
	return &((struct s3_st *)aws_op_state(op))->object;
}

enum cx_status s3_get_object(struct aws_client *c, const char *bucket, const char *key,
                             const char *range, struct s3_object *out, struct cx_err *err)
{
	struct aws_op *op = s3_get_object_op(bucket, key, range);
	struct s3_st *s = aws_op_state(op);
	return opkit_run_move(c, op, &s->object, out, sizeof(*out), err);
}
