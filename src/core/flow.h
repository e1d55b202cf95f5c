/* flow.h - the pages of the guide that apply to the current answers, in order (TUI). */
#ifndef CX_CORE_FLOW_H
#define CX_CORE_FLOW_H

#include <stddef.h>

#include "core/answers.h"

enum flow_page {
	FLOW_START = 0,
	FLOW_CONNECTION,
	FLOW_EXPORT_TYPE,
	FLOW_EXPORT,
	FLOW_BUCKET_POLICY,
	FLOW_IAM_POLICIES,
	FLOW_USER,
	FLOW_CERTEROX,
	FLOW_CHOOSE_DATA_SOURCE, /* migrate, rotate, disconnect */
	FLOW_REVIEW,
	FLOW_VAULT,
	FLOW_APPLY,
	FLOW_DONE,
	FLOW_PAGE_COUNT,
	FLOW_NONE = -1
};

/* Writes the applicable pages in order into out (room for FLOW_PAGE_COUNT is always
 * enough) and returns their number:
 *  connect root:   start connection export_type export bucket_policy iam_policies user
 *                  certerox review vault apply done
 *    (setup "detect" without a bucket: no bucket_policy page)
 *  connect linked: start connection iam_policies user certerox review vault apply done
 *  migrate:        start certerox choose_data_source bucket_policy iam_policies review vault
 *                  apply done
 *  rotate, disconnect: start certerox choose_data_source review vault apply done */
size_t flow_pages(const struct answers *a, enum flow_page *out);
/* The page after / before cur in the current flow; FLOW_NONE at the ends or when cur is
 * not in the flow (then flow_next gives the first page). */
enum flow_page flow_next(const struct answers *a, enum flow_page cur);
enum flow_page flow_prev(const struct answers *a, enum flow_page cur);
/* Stable id ("start", "export_type", "choose_data_source", ...) and a short title. */
const char *flow_page_id(enum flow_page p);
const char *flow_page_title(enum flow_page p);
/* Page by id; FLOW_NONE when unknown. */
enum flow_page flow_page_from_id(const char *id);

#endif
