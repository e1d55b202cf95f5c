#include "util/json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/mem.h"

cJSON *json_parse(const char *text, size_t n, struct cx_err *err)
{
	const char *end = NULL;
	cJSON *j = cJSON_ParseWithLengthOpts(text, n, &end, 0);
	if (!j) {
		size_t off = end && end >= text ? (size_t)(end - text) : 0;
		cx_err_set(err, CX_E_PARSE, "invalid JSON near byte %zu", off);
		return NULL;
	}
	/* Only whitespace may follow the value. */
	if (end) {
		while ((size_t)(end - text) < n &&
		       (*end == ' ' || *end == '\n' || *end == '\r' || *end == '\t'))
			end++;
		if ((size_t)(end - text) < n && *end != '\0') {
			cx_err_set(err, CX_E_PARSE, "invalid JSON: trailing data at byte %zu",
			           (size_t)(end - text));
			cJSON_Delete(j);
			return NULL;
		}
	}
	return j;
}

cJSON *json_parse_file(const char *path, size_t max_bytes, struct cx_err *err)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		cx_err_set(err, CX_E_IO, "cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	struct buf b = BUF_INIT;
	char chunk[8192];
	size_t r;
	while ((r = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (b.len + r > max_bytes) {
			fclose(f);
			buf_free(&b);
			cx_err_set(err, CX_E_INPUT, "%s is larger than %zu bytes", path, max_bytes);
			return NULL;
		}
		buf_append(&b, chunk, r);
	}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		buf_free(&b);
		cx_err_set(err, CX_E_IO, "cannot read %s", path);
		return NULL;
	}
	cJSON *j = json_parse(buf_str(&b), b.len, err);
	if (!j && err) {
		char tmp[sizeof(err->msg)];
		snprintf(tmp, sizeof(tmp), "%s: %s", path, err->msg);
		memcpy(err->msg, tmp, sizeof(tmp));
	}
	buf_free(&b);
	return j;
}

static void indent(struct buf *b, int depth)
{
	for (int i = 0; i < depth; i++)
		buf_puts(b, "  ");
}

static void put_scalar(struct buf *b, const cJSON *item)
{
	char *s = cJSON_PrintUnformatted(item);
	buf_puts(b, s ? s : "null");
	cJSON_free(s);
}

static void put_string(struct buf *b, const char *s)
{
	cJSON *tmp = cJSON_CreateString(s);
	put_scalar(b, tmp);
	cJSON_Delete(tmp);
}

static void pretty(struct buf *b, const cJSON *item, int depth)
{
	if (cJSON_IsObject(item) || cJSON_IsArray(item)) {
		bool obj = cJSON_IsObject(item);
		const cJSON *c = item->child;
		if (!c) {
			buf_puts(b, obj ? "{}" : "[]");
			return;
		}
		buf_puts(b, obj ? "{\n" : "[\n");
		for (; c; c = c->next) {
			indent(b, depth + 1);
			if (obj) {
				put_string(b, c->string ? c->string : "");
				buf_puts(b, ": ");
			}
			pretty(b, c, depth + 1);
			if (c->next)
				buf_putc(b, ',');
			buf_putc(b, '\n');
		}
		indent(b, depth);
		buf_putc(b, obj ? '}' : ']');
		return;
	}
	put_scalar(b, item);
}

char *json_pretty(const cJSON *item)
{
	struct buf b = BUF_INIT;
	pretty(&b, item, 0);
	buf_putc(&b, '\n');
	return buf_steal(&b);
}

char *json_compact(const cJSON *item)
{
	char *s = cJSON_PrintUnformatted(item);
	char *out = xstrdup(s ? s : "null");
	cJSON_free(s);
	return out;
}

const char *json_str(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

bool json_bool(const cJSON *obj, const char *key, bool dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsBool(v) ? cJSON_IsTrue(v) : dflt;
}

double json_num(const cJSON *obj, const char *key, double dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

const cJSON *json_obj(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsObject(v) ? v : NULL;
}

const cJSON *json_arr(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsArray(v) ? v : NULL;
}

/* Does some element of b (or b itself when it is no array) equal x? */
static bool loose_contains(const cJSON *b, const cJSON *x)
{
	if (!cJSON_IsArray(b))
		return json_equal(x, b, true);
	for (const cJSON *y = b->child; y; y = y->next)
		if (json_equal(x, y, true))
			return true;
	return false;
}

/* Every element of a (or a itself when it is no array) is in b. */
static bool loose_subset(const cJSON *a, const cJSON *b)
{
	if (!cJSON_IsArray(a))
		return loose_contains(b, a);
	for (const cJSON *x = a->child; x; x = x->next)
		if (!loose_contains(b, x))
			return false;
	return true;
}

bool json_equal(const cJSON *a, const cJSON *b, bool loose)
{
	if (!a || !b)
		return a == b;
	if (loose && (cJSON_IsArray(a) || cJSON_IsArray(b)))
		return loose_subset(a, b) && loose_subset(b, a);
	if ((a->type & 0xFF) != (b->type & 0xFF))
		return false;
	if (cJSON_IsObject(a)) {
		if (cJSON_GetArraySize(a) != cJSON_GetArraySize(b))
			return false;
		for (const cJSON *x = a->child; x; x = x->next) {
			const cJSON *y = cJSON_GetObjectItemCaseSensitive(b, x->string);
			if (!y || !json_equal(x, y, loose))
				return false;
		}
		return true;
	}
	if (cJSON_IsArray(a)) {
		if (cJSON_GetArraySize(a) != cJSON_GetArraySize(b))
			return false;
		for (const cJSON *x = a->child, *y = b->child; x && y; x = x->next, y = y->next)
			if (!json_equal(x, y, loose))
				return false;
		return true;
	}
	return cJSON_Compare(a, b, 1);
}
