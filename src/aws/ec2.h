/* ec2.h - EC2 DescribeRegions (ec2 protocol), also as a permission probe (DryRun). */
#ifndef CX_AWS_EC2_H
#define CX_AWS_EC2_H

#include <stdbool.h>
#include <stddef.h>

#include "aws/client.h"

struct ec2_region {
	char *name, *endpoint, *opt_in_status;
};
struct ec2_region_list {
	struct ec2_region *items;
	size_t n;
	bool dry_run_allowed; /* DryRun probe: true when AWS answered DryRunOperation */
};
void ec2_region_list_free(struct ec2_region_list *l);

/* DescribeRegions; all_regions adds AllRegions=true. With dry_run (DryRun=true) nothing is
 * listed: DryRunOperation means allowed (CX_OK, dry_run_allowed = true);
 * UnauthorizedOperation gives CX_E_DENIED naming ec2:DescribeRegions. */
struct aws_op *ec2_describe_regions_op(bool all_regions, bool dry_run);
const struct ec2_region_list *ec2_describe_regions_result(const struct aws_op *op);
enum cx_status ec2_describe_regions(struct aws_client *c, bool all_regions, bool dry_run,
                                    struct ec2_region_list *out, struct cx_err *err);

#endif
