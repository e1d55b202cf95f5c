/* assumed.c - see assumed.h. */
#include "run/assumed.h"

#include <string.h>

#include "aws/orgops.h"
#include "util/mem.h"

static void settings(struct assumed *a, const struct aws_config *base, const char *what)
{
	a->cfg.profile = xstrdup(what);
	a->cfg.region = xstrdup(base->region);
	a->cfg.ca_bundle = base->ca_bundle ? xstrdup(base->ca_bundle) : NULL;
	a->cfg.endpoint_url = base->endpoint_url ? xstrdup(base->endpoint_url) : NULL;
	a->cfg.endpoint_url_is_option = base->endpoint_url_is_option;
	a->cfg.ignore_configured_endpoints = base->ignore_configured_endpoints;
}

bool assumed_from_role(struct assumed *a, struct http_ctx *http, const struct aws_config *base,
                       struct aws_op *op, const char *what)
{
	memset(a, 0, sizeof(*a));
	if (!sts_assume_role_take(op, &a->cfg.creds))
		return false;
	settings(a, base, what);
	a->c = aws_client_new(http, &a->cfg);
	return true;
}

void assumed_from_key(struct assumed *a, struct http_ctx *http, const struct aws_config *base,
                      const char *akid, const char *secret, const char *what)
{
	memset(a, 0, sizeof(*a));
	aws_creds_set(&a->cfg.creds, akid, secret, NULL, what);
	settings(a, base, what);
	a->c = aws_client_new(http, &a->cfg);
}

void assumed_free(struct assumed *a)
{
	if (!a)
		return;
	aws_client_free(a->c);
	a->c = NULL;
	aws_config_free(&a->cfg);
}
