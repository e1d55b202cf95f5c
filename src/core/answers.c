#include "core/answers.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"
#include "util/mem.h"
#include "util/paths.h"
#include "util/str.h"

static const char *const action_names[] = {"connect",    "migrate",      "rotate",
                                           "disconnect", "organization", NULL};
static const char *const connection_names[] = {"root", "linked", NULL};
static const char *const type_names[] = {"cur2", "legacy", NULL};
static const char *const setup_names[] = {"wizard", "certerox", "existing", "detect", NULL};
static const char *const granularity_names[] = {"DAILY", "HOURLY", "MONTHLY", NULL};
static const char *const format_names[] = {"csv", "parquet", NULL};
static const char *const existing_user_names[] = {"refuse", "use", NULL};

const char *answers_action_name(enum answers_action v)
{
	return action_names[v];
}
const char *answers_connection_name(enum answers_connection v)
{
	return connection_names[v];
}
const char *answers_type_name(enum answers_export_type v)
{
	return type_names[v];
}
const char *answers_setup_name(enum answers_setup v)
{
	return setup_names[v];
}
const char *answers_granularity_name(enum answers_granularity v)
{
	return granularity_names[v];
}
const char *answers_format_name(enum answers_format v)
{
	return format_names[v];
}

const char *answers_export_name(const struct answers *a)
{
	if (a->action == ANSWERS_MIGRATE)
		return a->migrate.export_name;
	return a->export.name;
}

void answers_set(char **field, const char *value)
{
	char *copy = xstrdup(value);
	free(*field);
	*field = copy;
}

void answers_init(struct answers *a)
{
	memset(a, 0, sizeof(*a));
	a->action = ANSWERS_CONNECT;
	a->connection = ANSWERS_ROOT;
	a->export.type = ANSWERS_CUR2;
	a->export.setup = ANSWERS_WIZARD;
	a->export.name = xstrdup("certerox-cur2");
	a->export.prefix = xstrdup("reports");
	a->export.bucket_region = xstrdup("us-east-1");
	a->export.granularity = ANSWERS_DAILY;
	a->export.format = ANSWERS_CSV;
	a->export.split_cost_allocation = true;
	a->iam.user = xstrdup("certerox-billing");
	a->iam.readonly_policy = xstrdup("CerteroXReadOnly");
	a->iam.discover_policy = xstrdup("CerteroXDiscoverResources");
	a->migrate.export_name = xstrdup("certerox-cur2");
}

/* Every owned string of the struct, for free and copy. */
#define ANSWERS_STRINGS(X)                                                                         \
	X(data_source.name)                                                                        \
	X(export.name)                                                                             \
	X(export.bucket)                                                                           \
	X(export.prefix)                                                                           \
	X(export.bucket_region)                                                                    \
	X(iam.user)                                                                                \
	X(iam.readonly_policy)                                                                     \
	X(iam.discover_policy)                                                                     \
	X(certerox.url)                                                                            \
	X(certerox.organization_id)                                                                \
	X(migrate.data_source_id)                                                                  \
	X(migrate.export_name)                                                                     \
	X(rotate.data_source_id)                                                                   \
	X(disconnect.data_source_id)

void answers_free(struct answers *a)
{
	if (!a)
		return;
#define FREE_ONE(f) free(a->f);
	ANSWERS_STRINGS(FREE_ONE)
#undef FREE_ONE
	cJSON_Delete(a->organization);
	memset(a, 0, sizeof(*a));
}

void answers_copy(struct answers *dst, const struct answers *src)
{
	*dst = *src;
#define COPY_ONE(f) dst->f = xstrdup(src->f);
	ANSWERS_STRINGS(COPY_ONE)
#undef COPY_ONE
	dst->organization = src->organization ? cJSON_Duplicate(src->organization, true) : NULL;
}

void answers_override(struct answers *a, const char *certerox_url, const char *certerox_org)
{
	if (certerox_url)
		answers_set(&a->certerox.url, certerox_url);
	if (certerox_org)
		answers_set(&a->certerox.organization_id, certerox_org);
}

void answers_fill_defaults(struct answers *a, const char *account_id,
                           const char *bucket_region_found)
{
	if (!a->data_source.name && account_id) {
		char *n = xasprintf("AWS %s", account_id);
		free(a->data_source.name);
		a->data_source.name = n;
	}
	if (bucket_region_found && *bucket_region_found)
		answers_set(&a->export.bucket_region, bucket_region_found);
}

/* ---- loading ---- */

enum field_kind { F_STR, F_BOOL, F_ENUM };

struct field {
	const char *section; /* NULL = top level */
	const char *key;
	enum field_kind kind;
	size_t off;               /* offset of the char*, bool or enum (int) in struct answers */
	const char *const *names; /* F_ENUM */
};

#define OFF(m) offsetof(struct answers, m)
static const struct field fields[] = {
    {NULL, "action", F_ENUM, OFF(action), action_names},
    {NULL, "connection", F_ENUM, OFF(connection), connection_names},
    {"data_source", "name", F_STR, OFF(data_source.name), NULL},
    {"data_source", "use_edp_discount", F_BOOL, OFF(data_source.use_edp_discount), NULL},
    {"export", "type", F_ENUM, OFF(export.type), type_names},
    {"export", "setup", F_ENUM, OFF(export.setup), setup_names},
    {"export", "name", F_STR, OFF(export.name), NULL},
    {"export", "bucket", F_STR, OFF(export.bucket), NULL},
    {"export", "prefix", F_STR, OFF(export.prefix), NULL},
    {"export", "create_bucket", F_BOOL, OFF(export.create_bucket), NULL},
    {"export", "bucket_region", F_STR, OFF(export.bucket_region), NULL},
    {"export", "granularity", F_ENUM, OFF(export.granularity), granularity_names},
    {"export", "format", F_ENUM, OFF(export.format), format_names},
    {"export", "split_cost_allocation", F_BOOL, OFF(export.split_cost_allocation), NULL},
    {"iam", "user", F_STR, OFF(iam.user), NULL},
    {"iam", "readonly_policy", F_STR, OFF(iam.readonly_policy), NULL},
    {"iam", "discover_policy", F_STR, OFF(iam.discover_policy), NULL},
    {"iam", "existing_user", F_ENUM, OFF(iam.existing_user), existing_user_names},
    {"certerox", "url", F_STR, OFF(certerox.url), NULL},
    {"certerox", "organization_id", F_STR, OFF(certerox.organization_id), NULL},
    {"migrate", "data_source_id", F_STR, OFF(migrate.data_source_id), NULL},
    {"migrate", "export_name", F_STR, OFF(migrate.export_name), NULL},
    {"migrate", "delete_legacy_report", F_BOOL, OFF(migrate.delete_legacy_report), NULL},
    {"rotate", "data_source_id", F_STR, OFF(rotate.data_source_id), NULL},
    {"disconnect", "data_source_id", F_STR, OFF(disconnect.data_source_id), NULL},
    {"disconnect", "delete_aws_resources", F_BOOL, OFF(disconnect.delete_aws_resources), NULL},
};
#undef OFF
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

static const char *const sections[] = {"data_source", "export", "iam",        "certerox",
                                       "migrate",     "rotate", "disconnect", NULL};

static bool is_section(const char *k)
{
	for (size_t i = 0; sections[i]; i++)
		if (strcmp(sections[i], k) == 0)
			return true;
	return false;
}

static const struct field *find_field(const char *section, const char *key)
{
	for (size_t i = 0; i < NFIELDS; i++)
		if (str_eq(fields[i].section, section) && strcmp(fields[i].key, key) == 0)
			return &fields[i];
	return NULL;
}

/* "section.key" or "key", for messages; key is shown printable. */
static char *path_of(const char *section, const char *key)
{
	char *k = str_printable(key ? key : "", 80);
	char *p = section ? xasprintf("%s.%s", section, k) : xstrdup(k);
	free(k);
	return p;
}

static enum cx_status check_dups(const cJSON *obj, const char *section, struct cx_err *err)
{
	for (const cJSON *c = obj->child; c; c = c->next)
		for (const cJSON *d = c->next; d; d = d->next)
			if (c->string && d->string && strcmp(c->string, d->string) == 0) {
				char *p = path_of(section, c->string);
				cx_err_set(err, CX_E_INPUT, "%s: duplicate key", p);
				free(p);
				return CX_E_INPUT;
			}
	return CX_OK;
}

static enum cx_status set_field(struct answers *a, const struct field *f, const cJSON *v,
                                struct cx_err *err)
{
	enum cx_status st = CX_OK;
	char *p = path_of(f->section, f->key);
	char *base = (char *)a + f->off;
	switch (f->kind) {
	case F_STR: {
		if (!cJSON_IsString(v) || !v->valuestring) {
			st = cx_err_set(err, CX_E_INPUT, "%s: must be a string", p);
			goto out;
		}
		size_t n = strlen(v->valuestring);
		if (n > ANSWERS_MAX_STRING) {
			st = cx_err_set(err, CX_E_INPUT, "%s: longer than %d bytes", p,
			                ANSWERS_MAX_STRING);
			goto out;
		}
		if (!str_is_clean_utf8(v->valuestring, n)) {
			st = cx_err_set(
			    err, CX_E_INPUT,
			    str_has_bidi(v->valuestring, n)
			        ? "%s: contains a bidi override or isolate (U+202A-U+202E, "
			          "U+2066-U+2069), which makes text read otherwise than it is"
			        : "%s: contains control characters or invalid UTF-8",
			    p);
			goto out;
		}
		answers_set((char **)(void *)base, v->valuestring);
		break;
	}
	case F_BOOL:
		if (!cJSON_IsBool(v)) {
			st = cx_err_set(err, CX_E_INPUT, "%s: must be true or false", p);
			goto out;
		}
		*(bool *)(void *)base = cJSON_IsTrue(v);
		break;
	case F_ENUM: {
		const char *s = cJSON_IsString(v) ? v->valuestring : NULL;
		int found = -1;
		for (int i = 0; s && f->names[i]; i++)
			if (strcmp(f->names[i], s) == 0)
				found = i;
		if (found < 0) {
			char list[256] = "";
			for (int i = 0; f->names[i]; i++) {
				if (i)
					strncat(list, f->names[i + 1] ? ", " : " or ",
					        sizeof(list) - strlen(list) - 1);
				strncat(list, "\"", sizeof(list) - strlen(list) - 1);
				strncat(list, f->names[i], sizeof(list) - strlen(list) - 1);
				strncat(list, "\"", sizeof(list) - strlen(list) - 1);
			}
			st = cx_err_set(err, CX_E_INPUT, "%s: must be %s", p, list);
			goto out;
		}
		*(int *)(void *)base = found;
		break;
	}
	}
out:
	free(p);
	return st;
}

static enum cx_status load_json(struct answers *a, const cJSON *root, struct cx_err *err)
{
	if (!cJSON_IsObject(root))
		return cx_err_set(err, CX_E_INPUT, "answers: must be a JSON object");
	enum cx_status st = check_dups(root, NULL, err);
	if (st != CX_OK)
		return st;
	for (const cJSON *c = root->child; c; c = c->next) {
		const char *k = c->string ? c->string : "";
		if (strcmp(k, "organization") == 0) { /* its keys: core/organs.c */
			if (!cJSON_IsObject(c))
				return cx_err_set(err, CX_E_INPUT,
				                  "organization: must be an object");
			cJSON_Delete(a->organization);
			a->organization = cJSON_Duplicate(c, true);
			continue;
		}
		if (is_section(k)) {
			if (!cJSON_IsObject(c)) {
				char *p = path_of(NULL, k);
				cx_err_set(err, CX_E_INPUT, "%s: must be an object", p);
				free(p);
				return CX_E_INPUT;
			}
			if (strcmp(k, "export") == 0)
				a->has_export = true;
			if (strcmp(k, "migrate") == 0)
				a->has_migrate = true;
			if ((st = check_dups(c, k, err)) != CX_OK)
				return st;
			for (const cJSON *d = c->child; d; d = d->next) {
				const struct field *f = find_field(k, d->string ? d->string : "");
				if (!f) {
					char *p = path_of(k, d->string);
					cx_err_set(err, CX_E_INPUT, "%s: unknown key", p);
					free(p);
					return CX_E_INPUT;
				}
				if ((st = set_field(a, f, d, err)) != CX_OK)
					return st;
				if (f->off == offsetof(struct answers, export.name))
					a->has_export_name = true;
				if (f->off ==
				    offsetof(struct answers, export.split_cost_allocation))
					a->has_split = true;
			}
			continue;
		}
		const struct field *f = find_field(NULL, k);
		if (!f) {
			char *p = path_of(NULL, k);
			cx_err_set(err, CX_E_INPUT, "%s: unknown key", p);
			free(p);
			return CX_E_INPUT;
		}
		if ((st = set_field(a, f, c, err)) != CX_OK)
			return st;
	}
	if (!a->has_export_name && a->export.type == ANSWERS_LEGACY &&
	    str_eq(a->export.name, "certerox-cur2"))
		answers_set(&a->export.name, "certerox-cur");
	return CX_OK;
}

enum cx_status answers_load_text(struct answers *a, const char *text, size_t n, struct cx_err *err)
{
	if (n > ANSWERS_MAX_FILE)
		return cx_err_set(err, CX_E_INPUT, "answers: larger than %d bytes",
		                  ANSWERS_MAX_FILE);
	if (!str_is_utf8(text, n))
		return cx_err_set(err, CX_E_INPUT, "answers: not valid UTF-8");
	if (memchr(text, '\0', n))
		return cx_err_set(err, CX_E_INPUT, "answers: contains a NUL byte");
	cJSON *root = json_parse(text, n, err);
	if (!root) {
		if (err) {
			char *m = xasprintf("answers: %s", err->msg);
			cx_err_set(err, CX_E_INPUT, "%s", m);
			free(m);
		}
		return CX_E_INPUT;
	}
	struct answers tmp;
	answers_copy(&tmp, a);
	enum cx_status st = load_json(&tmp, root, err);
	cJSON_Delete(root);
	if (st != CX_OK) {
		answers_free(&tmp);
		return st;
	}
	answers_free(a);
	*a = tmp;
	return CX_OK;
}

enum cx_status answers_load_file(struct answers *a, const char *path, struct cx_err *err)
{
	size_t n = 0;
	char *text = paths_read_file(path, ANSWERS_MAX_FILE, &n);
	if (!text) {
		int e = errno;
		enum cx_status st =
		    e == EFBIG ? cx_err_set(err, CX_E_INPUT, "answers: %s is larger than %d bytes",
		                            path, ANSWERS_MAX_FILE)
		    : e == EINVAL
		        ? cx_err_set(err, CX_E_INPUT, "answers: %s is not a regular file", path)
		        : cx_err_set(err, CX_E_IO, "cannot read %s: %s", path, strerror(e));
		cx_err_where(err, "answers file %s", path);
		return st;
	}
	enum cx_status st = answers_load_text(a, text, n, err);
	free(text);
	if (st != CX_OK)
		cx_err_where(err, "answers file %s", path);
	return st;
}

/* ---- saving ---- */

static void add_str(cJSON *o, const char *k, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, k, v);
}

cJSON *answers_to_json(const struct answers *a)
{
	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "action", answers_action_name(a->action));
	if (a->action == ANSWERS_CONNECT)
		cJSON_AddStringToObject(root, "connection", answers_connection_name(a->connection));
	cJSON *ds = cJSON_AddObjectToObject(root, "data_source");
	add_str(ds, "name", a->data_source.name);
	cJSON_AddBoolToObject(ds, "use_edp_discount", a->data_source.use_edp_discount);
	bool root_connect = a->action == ANSWERS_CONNECT && a->connection == ANSWERS_ROOT;
	if (root_connect || (a->action == ANSWERS_MIGRATE && a->has_export)) {
		const struct answers_export *e = &a->export;
		cJSON *x = cJSON_AddObjectToObject(root, "export");
		cJSON_AddStringToObject(x, "type", answers_type_name(e->type));
		cJSON_AddStringToObject(x, "setup", answers_setup_name(e->setup));
		add_str(x, "name", e->name);
		add_str(x, "bucket", e->bucket);
		add_str(x, "prefix", e->prefix);
		cJSON_AddBoolToObject(x, "create_bucket", e->create_bucket);
		add_str(x, "bucket_region", e->bucket_region);
		cJSON_AddStringToObject(x, "granularity", answers_granularity_name(e->granularity));
		cJSON_AddStringToObject(x, "format", answers_format_name(e->format));
		/* the default (true) is not written, so that it stays a default when read back:
		 * a legacy report takes split data only when asked for (has_split) */
		if (a->has_split || !e->split_cost_allocation)
			cJSON_AddBoolToObject(x, "split_cost_allocation", e->split_cost_allocation);
	}
	cJSON *iam = cJSON_AddObjectToObject(root, "iam");
	add_str(iam, "user", a->iam.user);
	add_str(iam, "readonly_policy", a->iam.readonly_policy);
	add_str(iam, "discover_policy", a->iam.discover_policy);
	if (a->iam.existing_user == ANSWERS_EXISTING_USER_USE)
		cJSON_AddStringToObject(iam, "existing_user", "use");
	cJSON *cx = cJSON_AddObjectToObject(root, "certerox");
	add_str(cx, "url", a->certerox.url);
	add_str(cx, "organization_id", a->certerox.organization_id);
	if (a->action == ANSWERS_ORGANIZATION && a->organization)
		cJSON_AddItemToObject(root, "organization", cJSON_Duplicate(a->organization, true));
	if (a->action == ANSWERS_MIGRATE) {
		cJSON *m = cJSON_AddObjectToObject(root, "migrate");
		add_str(m, "data_source_id", a->migrate.data_source_id);
		add_str(m, "export_name", a->migrate.export_name);
		cJSON_AddBoolToObject(m, "delete_legacy_report", a->migrate.delete_legacy_report);
	}
	if (a->action == ANSWERS_ROTATE) {
		cJSON *r = cJSON_AddObjectToObject(root, "rotate");
		add_str(r, "data_source_id", a->rotate.data_source_id);
	}
	if (a->action == ANSWERS_DISCONNECT) {
		cJSON *d = cJSON_AddObjectToObject(root, "disconnect");
		add_str(d, "data_source_id", a->disconnect.data_source_id);
		cJSON_AddBoolToObject(d, "delete_aws_resources",
		                      a->disconnect.delete_aws_resources);
	}
	return root;
}

char *answers_to_text(const struct answers *a)
{
	cJSON *j = answers_to_json(a);
	char *s = json_pretty(j);
	cJSON_Delete(j);
	return s;
}
