/* owner.h - what certerox-aws-setup made, and the account's data source: the tags the wizard
 * puts on what it creates, and the ownership rules the plan follows (pure). */
#ifndef CX_CORE_OWNER_H
#define CX_CORE_OWNER_H

#include <stdbool.h>

#include "core/answers.h"
#include "core/plan.h"
#include "core/strv.h"
#include "util/err.h"

/* The tag on the IAM users and policies and the Data Exports the wizard creates. */
#define OWNER_TAG_KEY   "certerox-aws-setup"
#define OWNER_TAG_VALUE "created by certerox-aws-setup"
/* Each access key it creates is described on its user as the IAM console does: a user tag
 * whose key is the access key id, its value this description. */
#define OWNER_KEY_DESCRIPTION "certerox-aws-setup: CerteroX billing data source"

/* A user-tag value that marks a key as the wizard's (starts with OWNER_TAG_KEY). */
bool owner_is_key_description(const char *value);

/* The account's data source (the first of facts->data_sources connecting
 * facts->account_id), NULL when none or unknown. */
const struct plan_data_source_fact *owner_account_data_source(const struct plan_facts *f);
/* The data source whose access_key_id is key_id, NULL when none. */
const struct plan_data_source_fact *owner_key_data_source(const struct plan_facts *f,
                                                          const char *key_id);
/* One line naming a data source for messages and the Welcome page:
 * "\"NAME\" (id ID, export E in s3://B/P, access key AKIA... created N days ago, the vault
 * holds its secret)". Caller frees. */
char *owner_describe_data_source(const struct plan_facts *f,
                                 const struct plan_data_source_fact *ds);

/* A connect on an account that a data source already connects: CX_OK when the answers
 * name that same connection and the vault holds its key (a re-run: nothing new), with a
 * warning naming it; else CX_E_CONFLICT before any write, naming the data source and the
 * actions that change it (rotate, migrate, update in CerteroX). CX_OK without a word when
 * the account is not connected or the data sources are unknown. */
enum cx_status owner_check_connected(const struct answers *a, const struct plan_facts *f,
                                     struct strv *warnings, struct cx_err *err);

/* A new version of a shared IAM policy (readonly: the ReadOnly policy, else Discover
 * Resources) must keep every grant a live data source of the account uses that the current
 * version gives: CX_E_CONFLICT naming the policy, the grants and the data source, else
 * CX_OK. */
enum cx_status owner_check_policy_grants(const struct plan_facts *f, bool readonly,
                                         const char *name, const cJSON *current,
                                         const cJSON *proposed, struct cx_err *err);

#endif
