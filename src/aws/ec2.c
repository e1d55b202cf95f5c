/* ec2.c - EC2 operations. See ec2.h. */
#include "aws/ec2.h"

#include <stdlib.h>
#include <string.h>

#include "aws/opkit.h"
#include "util/mem.h"

struct ec2_st {
	bool all, dry_run;
	struct ec2_region_list list;
};

void ec2_region_list_free(struct ec2_region_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].name);
		free(l->items[i].endpoint);
		free(l->items[i].opt_in_status);
	}
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static void st_free(void *p)
{
	struct ec2_st *s = p;
	if (!s)
		return;
	ec2_region_list_free(&s->list);
	free(s);
}

static void regions_build(void *stp, struct aws_req *rq)
{
	struct ec2_st *s = stp;
	if (s->all)
		aws_form_add(&rq->params, "AllRegions", "true");
	if (s->dry_run)
		aws_form_add(&rq->params, "DryRun", "true");
}

static enum cx_status regions_parse(void *stp, const struct http_response *r, bool *more,
                                    struct cx_err *err)
{
	struct ec2_st *s = stp;
	*more = false;
	xmlDoc *doc;
	xmlNode *root = opkit_xml_root(r, "DescribeRegions", "DescribeRegionsResponse", &doc, err);
	if (!root)
		return err->status;
	ec2_region_list_free(&s->list);
	for (xmlNode *it = xml_path(root, "regionInfo/item"); it; it = xml_next(it, "item")) {
		s->list.items = xrealloc(s->list.items, (s->list.n + 1) * sizeof(*s->list.items));
		struct ec2_region *rg = &s->list.items[s->list.n++];
		rg->name = xml_path_text(it, "regionName");
		rg->endpoint = xml_path_text(it, "regionEndpoint");
		rg->opt_in_status = xml_path_text(it, "optInStatus");
	}
	/* A DryRun that "succeeds" (some fakes) means allowed as well. */
	if (s->dry_run)
		s->list.dry_run_allowed = true;
	xml_free(doc);
	return CX_OK;
}

static bool regions_on_error(void *stp, const struct aws_error *e)
{
	struct ec2_st *s = stp;
	if (s->dry_run && strcmp(e->code, "DryRunOperation") == 0) {
		s->list.dry_run_allowed = true;
		return true;
	}
	return false;
}

static const struct aws_op_def regions_def = {AWS_EC2,       AWS_PROTO_EC2, "DescribeRegions",
                                              regions_build, regions_parse, regions_on_error};

struct aws_op *ec2_describe_regions_op(bool all_regions, bool dry_run)
{
	struct ec2_st *s = xcalloc(1, sizeof(*s));
	s->all = all_regions;
	s->dry_run = dry_run;
	struct aws_op *op = aws_op_new(&regions_def, s, st_free);
	if (dry_run)
		aws_op_set_detail(op, "(DryRun)");
	return op;
}

const struct ec2_region_list *ec2_describe_regions_result(const struct aws_op *op)
{
	return &((struct ec2_st *)aws_op_state(op))->list;
}

enum cx_status ec2_describe_regions(struct aws_client *c, bool all_regions, bool dry_run,
                                    struct ec2_region_list *out, struct cx_err *err)
{
	struct aws_op *op = ec2_describe_regions_op(all_regions, dry_run);
	struct ec2_st *s = aws_op_state(op);
	return opkit_run_move(c, op, &s->list, out, sizeof(*out), err);
}
