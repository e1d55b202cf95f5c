/* resolve.h - after discovery: the data source a run acts on, with its real IAM user and what
 * the wizard made for it (core/plan_life.h), and the vault's pending records settled by key.
 *
 * Which data source: rotate / disconnect / migrate name it; a connect acts on the data source
 * that already connects the account (to reconcile CerteroX by key). Its user is the owner of
 * the access key CerteroX holds (iam GetAccessKeyLastUsed, which names the user of any key of
 * the account), else the vault's record of the data source. Then, read-only and one after
 * another: the user's access keys, tags, attached policies (customer-managed ones: GetPolicy,
 * the default version's document, the version list) and inline policies; for disconnect the
 * bucket policy. What the wizard made: the keys the vault holds or held, keys the journal
 * names as created or whose CreateAccessKey a killed run sent (run/keyintent.h), user tags
 * whose key is an access key id (the IAM console's key descriptions), the tag
 * "certerox-aws-setup" on the user, policies and exports the journal or vault names, and (for
 * disconnect, when the journal is lost) policies that carry that tag (iam ListPolicyTags).
 *
 * Pending vault records (a run killed during the CerteroX create) whose access key is the key
 * of a data source in CerteroX become that data source's record (saved unless dry_run).
 *
 * Its reads go one after another, after discovery: facts->discovery_depth grows by their
 * number (the critical path of the run counts them). */
#ifndef CX_RUN_RESOLVE_H
#define CX_RUN_RESOLVE_H

#include <stdbool.h>

#include "aws/client.h"
#include "certerox/certerox.h"
#include "core/answers.h"
#include "core/plan.h"
#include "core/strv.h"
#include "vault/vault.h"

struct resolve_opts {
	struct aws_client *aws;    /* the administrator's client */
	struct certerox *certerox; /* NULL: nothing is resolved */
	struct vault *vault;       /* may be NULL */
	bool dry_run;              /* never write the vault */
};

/* Fills f->life (NULL when there is no data source to act on) and sets a->iam.user to the
 * data source's real user when known. Warnings (a key AWS does not know, a pending record
 * resolved) go to warnings. Errors: a read that fails other than "absent" / "denied". */
enum cx_status resolve_life(const struct resolve_opts *o, struct answers *a, struct plan_facts *f,
                            struct strv *warnings, struct cx_err *err);

#endif
