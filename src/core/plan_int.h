/* plan_int.h - what the plan builders in other files (plan_rotate.c, plan_disconnect.c) share
 * with plan.c. Private to src/core. */
#ifndef CX_CORE_PLAN_INT_H
#define CX_CORE_PLAN_INT_H

#include "core/plan.h"

struct builder {
	struct plan *p;
	const struct answers *a;
	const struct plan_facts *f;
	struct plan_options opt;
	struct cx_err *err;
};

/* A step (title "<service> <op> <subject>"); req is taken. */
struct plan_step *planb_add(struct builder *b, const char *id, const char *service, const char *op,
                            enum plan_kind kind, cJSON *req, const char *subject);
/* Turns s into a skipped step with this reason. */
void planb_skip(struct plan_step *s, const char *reason);
/* s depends on step dep when the plan has it. */
void planb_depend(struct builder *b, struct plan_step *s, const char *dep);
/* The key check step (see plan.h, sts CheckKey) of user for the key of step "key" (KeySource
 * "created"). */
struct plan_step *planb_key_check(struct builder *b, const char *user, const char *bucket,
                                  const char *prefix, bool legacy, bool linked);
/* server_requests of a CerteroX create / PATCH with these settings (plan_server_chain with the
 * account's exports). */
int planb_server_chain(const struct builder *b, bool linked, const char *scheme, bool legacy,
                       const char *report);

/* ensure_policy: create, skip when equal, else a new default version (doc taken). */
void planb_ensure_policy(struct builder *b, const char *tag, const char *name, cJSON *doc);

/* plan_rotate.c: rotate (and a connect or migrate reconciled by key: reconcile true). */
enum cx_status plan_build_rotate(struct builder *b, const struct plan_data_source_fact *ds,
                                 bool reconcile);
/* plan_rotate.c: the steps that give ds's user a new key when CerteroX's key is not live in
 * the vault ("key" then, after step "certerox", the old key retired); false when the key is
 * live (nothing added). */
bool plan_add_new_key(struct builder *b, const struct plan_data_source_fact *ds);
void plan_add_retire_old_key(struct builder *b);
/* plan_rotate.c: migrate's IAM part for the data source's real user. */
void plan_migrate_grants(struct builder *b, const char *bucket);
/* plan_rotate.c: an attached or inline policy of the data source's user grants action (on
 * "*"); the key check proves the Discover Resources actions only for a user that has them. */
bool plan_life_grants(const struct plan_life *l, const char *action);
/* Adds a Root config's use_edp_discount and cur_version to cfg, each only when this CerteroX
 * accepts it (plan_facts.cx_unsupported: older OptScale releases answer OE0212 to a key they
 * do not know). Returns whether use_edp_discount, asked for, was left out. */
bool planb_cx_version_keys(const struct builder *b, cJSON *cfg, bool use_edp_discount,
                           int cur_version);
/* plan_disconnect.c */
enum cx_status plan_build_disconnect(struct builder *b);

#endif
