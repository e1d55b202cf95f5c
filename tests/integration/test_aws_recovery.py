#!/usr/bin/env python3
"""The AWS client recovers as real AWS requires: a local clock 20 minutes off is corrected from
the server's Date on the first "signature expired" answer of every protocol (query, ec2, JSON
1.1, S3) and the request is signed again; a bucket in another region than the client assumes
is found from AuthorizationHeaderMalformed / x-amz-bucket-region and the request re-signed for
it, never by following a redirect blindly."""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from flowlib import TOP_BUILD, Sim, check, finish  # noqa: E402

AWSOP = os.path.join(TOP_BUILD, "tests", "integration", "awsop")


def awsop(sim, *args, env=None):
    log = os.path.join(sim.dir, "awsop.log")
    if os.path.exists(log):
        os.unlink(log)
    e = {"AWSOP_LOG": log}
    e.update(env or {})
    r = sim.run(AWSOP, *args, env=e)
    try:
        r.json = json.loads(r.stdout) if r.stdout.strip() else None
    except ValueError:
        r.json = None
    r.log = open(log).read() if os.path.exists(log) else ""
    return r


def main():
    if not os.path.exists(AWSOP):
        print("SKIP: tests/integration/awsop not built")
        return 77
    sim = Sim().start()
    try:
        sim.client("s3").create_bucket(Bucket="acme-skew")
        sim.client("s3", region="eu-west-1").create_bucket(
            Bucket="acme-far", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        for op, args, proto in (("GetCallerIdentity", "{}", "query"),
                                ("DescribeRegions", "{}", "ec2"),
                                ("ListExports", "{}", "json"),
                                ("HeadBucket", '{"bucket": "acme-skew"}', "s3")):
            for skew in ("-1200", "1200"):
                n0 = len(sim.requests())
                r = awsop(sim, "--clock-skew", skew, op, args)
                new = [q for q in sim.requests()[n0:]]
                errs = [q.get("error") for q in new if q.get("error")]
                check(f"clock {skew} s off, {proto} {op}: succeeds", r.returncode == 0, r.stderr[-400:])
                check(f"clock {skew} s off, {proto} {op}: one refusal, then the corrected request",
                      len(new) == 2 and len(errs) == 1, str([(q.get("operation"), q.get("error")) for q in new]))
                check(f"clock {skew} s off, {proto} {op}: the correction is logged",
                      "clock skew corrected" in r.log, r.log[-300:])
        # region discovery: the client assumes us-east-1 for a bucket in eu-west-1
        n0 = len(sim.requests())
        r = awsop(sim, "GetBucketPolicy", '{"bucket": "acme-far"}')
        new = sim.requests()[n0:]
        check("bucket in eu-west-1: the answer is NoSuchBucketPolicy (the request reached the bucket)",
              r.returncode != 0 and "NoSuchBucketPolicy" in (r.stdout + r.stderr), (r.stdout + r.stderr)[-400:])
        check("bucket in eu-west-1: refused once for the region, then re-signed",
              [q.get("error") for q in new] == ["AuthorizationHeaderMalformed", "NoSuchBucketPolicy"],
              str([(q.get("operation"), q.get("error")) for q in new]))
        n0 = len(sim.requests())
        r = awsop(sim, "ListObjectsV2", '{"bucket": "acme-far", "prefix": "x/"}')
        check("bucket in eu-west-1: ListObjectsV2 works", r.returncode == 0, r.stderr[-300:])
    finally:
        sim.cleanup()
    return finish()


if __name__ == "__main__":
    sys.exit(main())
