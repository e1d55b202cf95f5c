/* xml.h - small libxml2 helpers for AWS responses: parse with a size cap, no network, no
 * entity expansion, no DTD; find elements by local name ignoring namespaces. */
#ifndef CX_AWS_XML_H
#define CX_AWS_XML_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

#include "util/err.h"

/* Parses n bytes (n <= max_bytes, else CX_E_TOO_LARGE). Returns the document (free with
 * xml_free) or NULL with CX_E_PARSE / CX_E_TOO_LARGE in err. */
xmlDoc *xml_parse(const char *data, size_t n, size_t max_bytes, struct cx_err *err);
void xml_free(xmlDoc *doc);
/* Root element or NULL. */
xmlNode *xml_root(const xmlDoc *doc);
/* True when node is an element whose local name is name. */
bool xml_is(const xmlNode *node, const char *name);
/* First element child of parent with local name name (NULL name = any element). */
xmlNode *xml_child(const xmlNode *parent, const char *name);
/* Next element sibling after node with the same local name (or any when name is NULL). */
xmlNode *xml_next(const xmlNode *node, const char *name);
/* Follows a '/'-separated path of local names from node ("Policy/Arn"); NULL when absent.
 * An empty path returns node. */
xmlNode *xml_path(const xmlNode *node, const char *path);
/* Text content of node (new string, free()); NULL when node is NULL. */
char *xml_text(const xmlNode *node);
/* xml_text(xml_path(node, path)). */
char *xml_path_text(const xmlNode *node, const char *path);
/* Copies the text at path into out (empty when absent). Returns true when present. */
bool xml_path_copy(const xmlNode *node, const char *path, char *out, size_t outsz);
/* "true"/"false" at path; dflt when absent. */
bool xml_path_bool(const xmlNode *node, const char *path, bool dflt);
/* Integer at path; dflt when absent or malformed. */
long long xml_path_int(const xmlNode *node, const char *path, long long dflt);

#endif
