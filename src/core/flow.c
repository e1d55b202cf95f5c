#include "core/flow.h"

#include <string.h>

static const char *const ids[FLOW_PAGE_COUNT] = {
    "start", "connection", "export_type",        "export", "bucket_policy", "iam_policies",
    "user",  "certerox",   "choose_data_source", "review", "vault",         "apply",
    "done"};

static const char *const titles[FLOW_PAGE_COUNT] = {"Welcome",
                                                    "Connection type",
                                                    "Export type",
                                                    "Data export",
                                                    "Bucket policy",
                                                    "IAM policies",
                                                    "IAM user and access key",
                                                    "CerteroX",
                                                    "Data source to migrate",
                                                    "Review the plan",
                                                    "Credential vault",
                                                    "Apply",
                                                    "Done"};

const char *flow_page_id(enum flow_page p)
{
	return p >= 0 && p < FLOW_PAGE_COUNT ? ids[p] : "none";
}

const char *flow_page_title(enum flow_page p)
{
	return p >= 0 && p < FLOW_PAGE_COUNT ? titles[p] : "";
}

enum flow_page flow_page_from_id(const char *id)
{
	for (int i = 0; id && i < FLOW_PAGE_COUNT; i++)
		if (strcmp(ids[i], id) == 0)
			return (enum flow_page)i;
	return FLOW_NONE;
}

size_t flow_pages(const struct answers *a, enum flow_page *out)
{
	size_t n = 0;
	out[n++] = FLOW_START;
	if (a->action == ANSWERS_MIGRATE) {
		out[n++] = FLOW_CERTEROX;
		out[n++] = FLOW_CHOOSE_DATA_SOURCE;
		out[n++] = FLOW_EXPORT; /* the new export (tui/page_migrate.c) */
		out[n++] = FLOW_BUCKET_POLICY;
		out[n++] = FLOW_IAM_POLICIES;
	} else if (a->action == ANSWERS_ROTATE || a->action == ANSWERS_DISCONNECT) {
		out[n++] = FLOW_CERTEROX;
		out[n++] = FLOW_CHOOSE_DATA_SOURCE;
	} else {
		out[n++] = FLOW_CONNECTION;
		if (a->connection == ANSWERS_ROOT) {
			out[n++] = FLOW_EXPORT_TYPE;
			out[n++] = FLOW_EXPORT;
			if (!(a->export.setup == ANSWERS_DETECT && !a->export.bucket))
				out[n++] = FLOW_BUCKET_POLICY;
		}
		out[n++] = FLOW_IAM_POLICIES;
		out[n++] = FLOW_USER;
		out[n++] = FLOW_CERTEROX;
	}
	out[n++] = FLOW_REVIEW;
	out[n++] = FLOW_VAULT;
	out[n++] = FLOW_APPLY;
	out[n++] = FLOW_DONE;
	return n;
}

enum flow_page flow_next(const struct answers *a, enum flow_page cur)
{
	enum flow_page p[FLOW_PAGE_COUNT];
	size_t n = flow_pages(a, p);
	for (size_t i = 0; i < n; i++)
		if (p[i] == cur)
			return i + 1 < n ? p[i + 1] : FLOW_NONE;
	return p[0];
}

enum flow_page flow_prev(const struct answers *a, enum flow_page cur)
{
	enum flow_page p[FLOW_PAGE_COUNT];
	size_t n = flow_pages(a, p);
	for (size_t i = 0; i < n; i++)
		if (p[i] == cur)
			return i > 0 ? p[i - 1] : FLOW_NONE;
	return FLOW_NONE;
}
