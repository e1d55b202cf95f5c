/* assumed.h - an AWS client that acts with other credentials than the administrator's, on the
 * session's http ctx: the temporary credentials of an answered sts AssumeRole (a member
 * account's role, aws/orgops.h) or a data source's own key. Every other setting (region, CA
 * bundle, endpoint) is the base config's. */
#ifndef CX_RUN_ASSUMED_H
#define CX_RUN_ASSUMED_H

#include <stdbool.h>

#include "aws/client.h"
#include "aws/config.h"
#include "aws/http.h"

struct assumed {
	struct aws_config cfg;
	struct aws_client *c; /* NULL until made */
};

/* After sts_assume_role_op succeeded: moves its credentials into a new client (profile: what,
 * for messages). False when the answer carried none. */
bool assumed_from_role(struct assumed *a, struct http_ctx *http, const struct aws_config *base,
                       struct aws_op *op, const char *what);
/* A client signing with the key akid/secret (the secret is copied into secure memory). */
void assumed_from_key(struct assumed *a, struct http_ctx *http, const struct aws_config *base,
                      const char *akid, const char *secret, const char *what);
/* Frees the client and the credentials (its ops must be freed first). */
void assumed_free(struct assumed *a);

#endif
