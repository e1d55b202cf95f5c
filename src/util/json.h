/* json.h - helpers over cJSON: typed getters, file loading, 2-space pretty printing. */
#ifndef CX_UTIL_JSON_H
#define CX_UTIL_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "util/err.h"

/* Parses text of length n (need not be NUL-terminated). NULL + CX_E_PARSE in err on failure
 * (message names the byte offset). Caller frees with cJSON_Delete. */
cJSON *json_parse(const char *text, size_t n, struct cx_err *err);
/* Reads and parses a file of at most max_bytes. */
cJSON *json_parse_file(const char *path, size_t max_bytes, struct cx_err *err);
/* Pretty-prints with two-space indentation, keys in document order, "key": value,
 * and a trailing newline. Caller frees. */
char *json_pretty(const cJSON *item);
/* One line, no spaces. Caller frees. */
char *json_compact(const cJSON *item);
/* Object member getters: NULL / dflt when absent or of another type. */
const char *json_str(const cJSON *obj, const char *key);
bool json_bool(const cJSON *obj, const char *key, bool dflt);
double json_num(const cJSON *obj, const char *key, double dflt);
const cJSON *json_obj(const cJSON *obj, const char *key);
const cJSON *json_arr(const cJSON *obj, const char *key);
/* Deep equality, where a one-element array equals its element ("a" == ["a"]) when loose
 * is true and arrays compare as sets of strings (IAM policy semantics). */
bool json_equal(const cJSON *a, const cJSON *b, bool loose);

#endif
