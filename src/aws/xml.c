/* xml.c - libxml2 helpers. See xml.h. */
#include "aws/xml.h"

#include <libxml/parser.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"
#include "util/str.h"

static void xml_silent(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

xmlDoc *xml_parse(const char *data, size_t n, size_t max_bytes, struct cx_err *err)
{
	static bool init;
	if (!init) {
		xmlInitParser();
		xmlSetGenericErrorFunc(NULL, xml_silent);
		init = true;
	}
	if (n > max_bytes || n > INT_MAX) {
		cx_err_set(err, CX_E_TOO_LARGE,
		           "XML response of %zu bytes exceeds the %zu-byte limit", n, max_bytes);
		return NULL;
	}
	if (!data || n == 0) {
		cx_err_set(err, CX_E_PARSE, "empty XML response");
		return NULL;
	}
	/* No XML_PARSE_NOENT (entities stay unexpanded), no DTD loading, no network. */
	int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOBLANKS;
	xmlDoc *doc = xmlReadMemory(data, (int)n, "response.xml", NULL, opts);
	if (!doc) {
		const xmlError *e = xmlGetLastError();
		cx_err_set(err, CX_E_PARSE, "malformed XML response%s%s (line %d)",
		           e && e->message ? ": " : "", e && e->message ? e->message : "",
		           e ? e->line : 0);
		/* libxml messages end with a newline */
		if (err) {
			size_t l = strlen(err->msg);
			char *nl = strchr(err->msg, '\n');
			if (nl && (size_t)(nl - err->msg) < l)
				memmove(nl, nl + 1, l - (size_t)(nl - err->msg));
		}
		return NULL;
	}
	if (doc->intSubset || doc->extSubset) {
		/* A DTD has no business in an AWS answer (entity tricks): refuse it. */
		xmlFreeDoc(doc);
		cx_err_set(err, CX_E_PARSE, "XML response carries a DTD; refused");
		return NULL;
	}
	if (!xmlDocGetRootElement(doc)) {
		xmlFreeDoc(doc);
		cx_err_set(err, CX_E_PARSE, "XML response has no root element");
		return NULL;
	}
	return doc;
}

void xml_free(xmlDoc *doc)
{
	if (doc)
		xmlFreeDoc(doc);
}

xmlNode *xml_root(const xmlDoc *doc)
{
	return doc ? xmlDocGetRootElement(doc) : NULL;
}

bool xml_is(const xmlNode *node, const char *name)
{
	return node && node->type == XML_ELEMENT_NODE &&
	       (!name || strcmp((const char *)node->name, name) == 0);
}

xmlNode *xml_child(const xmlNode *parent, const char *name)
{
	if (!parent)
		return NULL;
	for (xmlNode *c = parent->children; c; c = c->next)
		if (xml_is(c, name))
			return c;
	return NULL;
}

xmlNode *xml_next(const xmlNode *node, const char *name)
{
	if (!node)
		return NULL;
	for (xmlNode *c = node->next; c; c = c->next)
		if (xml_is(c, name))
			return c;
	return NULL;
}

xmlNode *xml_path(const xmlNode *node, const char *path)
{
	const xmlNode *cur = node;
	const char *p = path;
	char seg[128];
	while (cur && p && *p) {
		size_t l = strcspn(p, "/");
		if (l >= sizeof(seg))
			return NULL;
		memcpy(seg, p, l);
		seg[l] = '\0';
		cur = xml_child(cur, seg);
		p += l;
		if (*p == '/')
			p++;
	}
	return (xmlNode *)cur;
}

char *xml_text(const xmlNode *node)
{
	if (!node)
		return NULL;
	xmlChar *t = xmlNodeGetContent(node);
	char *s = xstrdup(t ? (const char *)t : "");
	xmlFree(t);
	return s;
}

char *xml_path_text(const xmlNode *node, const char *path)
{
	return xml_text(xml_path(node, path));
}

bool xml_path_copy(const xmlNode *node, const char *path, char *out, size_t outsz)
{
	char *t = xml_path_text(node, path);
	if (outsz)
		out[0] = '\0';
	if (!t)
		return false;
	str_copy(out, outsz, t);
	free(t);
	return true;
}

bool xml_path_bool(const xmlNode *node, const char *path, bool dflt)
{
	char *t = xml_path_text(node, path);
	if (!t)
		return dflt;
	str_trim(t);
	bool v = dflt;
	if (str_case_eq(t, "true"))
		v = true;
	else if (str_case_eq(t, "false"))
		v = false;
	free(t);
	return v;
}

long long xml_path_int(const xmlNode *node, const char *path, long long dflt)
{
	char *t = xml_path_text(node, path);
	if (!t)
		return dflt;
	char *end = NULL;
	long long v = strtoll(t, &end, 10);
	if (end == t)
		v = dflt;
	free(t);
	return v;
}
