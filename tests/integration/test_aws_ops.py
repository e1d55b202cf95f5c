"""Every AWS operation of src/aws (through tests/integration/awsop) against the simulated cloud
over TLS with signature and IAM enforcement on: results, pagination, encodings, regions,
retries of each fault kind (counted in the sim's requests.jsonl), TLS and credential errors,
connection reuse of parallel async operations."""

import concurrent.futures
import json
import os
import re
import subprocess
import sys
import tempfile
import time

TOP_SRC = os.environ.get("top_srcdir") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
TOP_BUILD = os.environ.get("top_builddir") or TOP_SRC
sys.path.insert(0, os.path.join(TOP_SRC, "tests", "sim"))
from simtest import Sim, check, finish, bucket_policy, export_def, report_def  # noqa: E402

AWSOP = os.path.join(TOP_BUILD, "tests", "integration", "awsop")

# Faults hit the first calls of these operations; the test makes those calls first.
FAULTS = [
    {"service": "iam", "operation": "ListAccessKeys", "nth": 1, "count": 2, "fault": "throttle"},
    {"service": "s3", "operation": "ListBuckets", "nth": 1, "count": 2, "fault": "server_error"},
    {"service": "s3", "operation": "GetBucketLocation", "nth": 1, "count": 1, "fault": "throttle"},
    {"service": "iam", "operation": "ListUsers", "nth": 1, "count": 1, "fault": "reset"},
    {"service": "ec2", "operation": "DescribeRegions", "nth": 1, "count": 1, "fault": "stall:1500"},
    {"service": "bcm-data-exports", "operation": "ListExports", "nth": 1, "count": 1, "fault": "throttle"},
    {"service": "cur", "operation": "DescribeReportDefinitions", "nth": 1, "count": 1, "fault": "server_error"},
    {"service": "iam", "operation": "GetPolicy", "nth": 1, "count": 1, "fault": "access_denied"},
    {"service": "s3", "operation": "HeadBucket", "nth": 1, "count": 6, "fault": "stall:700"},
]


class Op:
    def __init__(self, sim, name, args=None, opts=(), env=None):
        self.name = name
        t0 = time.time()
        self.r = sim.run(AWSOP, *opts, name, json.dumps(args or {}), env=env)
        self.ms = (time.time() - t0) * 1000
        self.rc = self.r.returncode
        try:
            self.out = json.loads(self.r.stdout)
        except ValueError:
            self.out = {}
        self.result = self.out.get("result") if isinstance(self.out, dict) else None
        self.status = self.out.get("status") if isinstance(self.out, dict) else None

    def ok(self):
        return self.rc == 0 and self.status == "CX_OK"

    def detail(self):
        return f"rc={self.rc} out={self.r.stdout[:600]} err={self.r.stderr[:600]}"


def requests_of(sim, op, since=0):
    return [r for r in sim.requests()[since:] if r.get("operation") == op]


def when_sent(sim):
    """http_ctx_when_sent fires once the requests handed to libcurl are sent (six new TLS
    connections), and before any answer (each held back 700 ms by the sim). The sim logs a
    request's start once its thread has read and parsed it: up to ~15 ms after the client sent
    it when six handshakes share the sim's one Python interpreter."""
    since = len(sim.requests())
    o = Op(sim, "HeadBucket", {"bucket": "cx-when-sent"}, opts=("--parallel", "6", "--when-sent"))
    m = dict(re.findall(r"^(when-sent|first-answer): ([0-9.]+)$", o.r.stderr, re.M))
    reqs = requests_of(sim, "HeadBucket", since)
    if not check("when_sent: fired once, and the run ended", "when-sent" in m and "first-answer" in m and
                 o.r.stderr.count("when-sent:") == 1 and len(reqs) == 6, o.detail()):
        return
    t, first = float(m["when-sent"]), float(m["first-answer"])
    last_in = max(r["start"] for r in reqs)
    check(f"when_sent: after the six requests reached the server (last {1000 * (t - last_in):+.0f} ms) "
          f"and long before the first answer ({1000 * (first - t):.0f} ms later)",
          t >= last_in - 0.015 and first - t > 0.4, f"t={t} last_in={last_in} first={first}")


def body(sim):
    when_sent(sim)
    acct = sim.env["AWS_ACCOUNT_ID"]

    def op(name, args=None, opts=(), env=None):
        return Op(sim, name, args, opts, env)

    def expect_ok(desc, o, cond=True):
        return check(desc, o.ok() and cond, o.detail())

    # ---- retries: every fault kind, counted in the request log ----
    o = op("ListAccessKeys")
    n = len(requests_of(sim, "ListAccessKeys"))
    expect_ok("throttle x2 (IAM Throttling) recovered: 3 attempts, 3 requests logged",
              o, o.out.get("attempts") == 3 and n == 3)
    check("each retry reported as an event naming the code", o.r.stderr.count("(Throttling)") == 2, o.r.stderr)
    o = op("ListBuckets")
    n = len(requests_of(sim, "ListBuckets"))
    expect_ok("server_error x2 on S3 recovered: 3 attempts", o, o.out.get("attempts") == 3 and n == 3)
    o = op("ListUsers")
    n = len(requests_of(sim, "ListUsers"))
    expect_ok("reset (connection closed without answer) recovered: 2 attempts", o,
              o.out.get("attempts") == 2 and n == 2)
    check("reset reported as a connection error event", "connection error" in o.r.stderr, o.r.stderr)
    o = op("DescribeRegions", {}, opts=("--timeout-ms", "800"))
    deadline = time.time() + 8  # the stalled request is logged only when it ends
    while len(requests_of(sim, "DescribeRegions")) < o.out.get("attempts", 0) and time.time() < deadline:
        time.sleep(0.2)
    n = len(requests_of(sim, "DescribeRegions"))
    expect_ok("stall beyond the timeout recovered by a retry (attempts = requests logged)", o,
              o.out.get("attempts", 0) >= 2 and n == o.out.get("attempts") and "us-east-1" in o.result["regions"])
    check("stall reported as a timeout event", "(timeout)" in o.r.stderr, o.r.stderr)
    o = op("ListExports")
    expect_ok("JSON ThrottlingException recovered: 2 attempts", o, o.out.get("attempts") == 2)
    o = op("DescribeReportDefinitions")
    expect_ok("JSON 5xx recovered: 2 attempts", o, o.out.get("attempts") == 2)
    o = op("GetPolicy", {"arn": f"arn:aws:iam::{acct}:policy/none"})
    check("access_denied is not retried, exit 77, names the action",
          o.rc == 77 and o.status == "CX_E_DENIED" and o.out.get("attempts") == 1
          and "iam:GetPolicy" in o.out.get("message", ""), o.detail())

    # ---- STS / Organizations ----
    o = op("GetCallerIdentity")
    expect_ok("GetCallerIdentity", o, o.result["account"] == acct)
    o = op("GetCallerIdentity", opts=("--sync",))
    expect_ok("GetCallerIdentity (synchronous wrapper)", o, o.result["account"] == acct)
    o = op("DescribeOrganization", {"account_id": acct})
    expect_ok("DescribeOrganization: management", o, o.result["role"] == "management")
    member = {"AWS_ACCESS_KEY_ID": sim.env["MEMBER_AWS_ACCESS_KEY_ID"],
              "AWS_SECRET_ACCESS_KEY": sim.env["MEMBER_AWS_SECRET_ACCESS_KEY"]}
    o = op("DescribeOrganization", {"account_id": sim.env["MEMBER_AWS_ACCOUNT_ID"]}, env=member)
    expect_ok("DescribeOrganization: member", o, o.result["role"] == "member")
    standalone = {"AWS_ACCESS_KEY_ID": sim.env["STANDALONE_AWS_ACCESS_KEY_ID"],
                  "AWS_SECRET_ACCESS_KEY": sim.env["STANDALONE_AWS_SECRET_ACCESS_KEY"]}
    o = op("DescribeOrganization", {"account_id": sim.env["STANDALONE_AWS_ACCOUNT_ID"]}, env=standalone)
    expect_ok("DescribeOrganization: standalone (AWSOrganizationsNotInUseException)", o,
              o.result["role"] == "standalone")

    # ---- EC2 ----
    o = op("DescribeRegions", {"dry_run": True})
    expect_ok("DescribeRegions DryRun probe: DryRunOperation = allowed", o, o.result["dry_run_allowed"] is True)

    # ---- IAM ----
    doc1 = json.dumps({"Version": "2012-10-17", "Statement": [{"Sid": "A+b c", "Effect": "Allow",
                       "Action": "s3:GetObject", "Resource": "arn:aws:s3:::x/a+b c é/*"}]})
    o = op("CreatePolicy", {"name": "cx-pol", "document": doc1, "description": "test policy"})
    expect_ok("CreatePolicy", o, o.result["arn"] == f"arn:aws:iam::{acct}:policy/cx-pol"
              and o.result["default_version_id"] == "v1")
    parn = o.result.get("arn") or ""
    o = op("GetPolicy", {"arn": parn})
    expect_ok("GetPolicy", o, o.result["name"] == "cx-pol" and o.result["default_version_id"] == "v1")
    doc2 = doc1.replace("s3:GetObject", "s3:ListBucket")
    o = op("CreatePolicyVersion", {"arn": parn, "document": doc2, "set_default": True})
    expect_ok("CreatePolicyVersion (default)", o, o.result["version_id"] == "v2" and o.result["is_default"])
    o = op("ListPolicyVersions", {"arn": parn})
    expect_ok("ListPolicyVersions", o, sorted(v["version_id"] for v in o.result) == ["v1", "v2"])
    o = op("ListPolicies", {"max_items": 100})
    expect_ok("ListPolicies Scope=Local: the customer policy with its default version, one page", o,
              any(p["arn"] == parn and p["default_version_id"] == "v2" for p in o.result["policies"])
              and o.result["truncated"] is False)
    sim.client("iam").create_policy(PolicyName="cx-pol-2", PolicyDocument=doc1)
    o = op("ListPolicies", {"max_items": 1})
    expect_ok("ListPolicies with more than a page: one page, truncated", o,
              len(o.result["policies"]) == 1 and o.result["truncated"] is True)
    sim.client("iam").delete_policy(PolicyArn=f"arn:aws:iam::{acct}:policy/cx-pol-2")
    o = op("GetPolicyVersion", {"arn": parn, "version_id": "v1"})
    expect_ok("GetPolicyVersion: document URL-decoded byte for byte (+, space, UTF-8)", o,
              json.loads(o.result["document"]) == json.loads(doc1))
    o = op("DeletePolicyVersion", {"arn": parn, "version_id": "v1"})
    expect_ok("DeletePolicyVersion", o)
    o = op("DeletePolicyVersion", {"arn": parn, "version_id": "v2"})
    check("DeletePolicyVersion of the default version -> CX_E_CONFLICT (DeleteConflict)",
          o.status == "CX_E_CONFLICT" and o.out.get("code") == "DeleteConflict", o.detail())
    o = op("CreateUser", {"name": "cx-user", "path": "/certerox/"})
    expect_ok("CreateUser", o, o.result["arn"] == f"arn:aws:iam::{acct}:user/certerox/cx-user")
    o = op("CreateUser", {"name": "cx-user"})
    check("CreateUser twice -> CX_E_CONFLICT EntityAlreadyExists (exit 75), not retried",
          o.rc == 75 and o.out.get("code") == "EntityAlreadyExists" and o.out.get("attempts") == 1, o.detail())
    o = op("GetUser", {"name": "cx-user"})
    expect_ok("GetUser", o, o.result["path"] == "/certerox/")
    o = op("GetUser", {"name": "nobody-here"})
    check("GetUser of an unknown user -> CX_E_NOT_FOUND NoSuchEntity",
          o.status == "CX_E_NOT_FOUND" and o.out.get("code") == "NoSuchEntity", o.detail())
    o = op("AttachUserPolicy", {"user": "cx-user", "arn": parn})
    expect_ok("AttachUserPolicy", o)
    o = op("ListAttachedUserPolicies", {"user": "cx-user"})
    expect_ok("ListAttachedUserPolicies", o, [p["arn"] for p in o.result] == [parn])
    with tempfile.TemporaryDirectory() as td:
        sf = os.path.join(td, "secret")
        o = op("CreateAccessKey", {"user": "cx-user"}, opts=("--secret-file", sf))
        expect_ok("CreateAccessKey (secret not printed)", o, o.result["has_secret"] and o.result["status"] == "Active")
        akid = (o.result or {}).get("access_key_id", "")
        secret = open(sf).read() if os.path.exists(sf) else ""
        check("the secret never reaches stdout/stderr", secret and secret not in o.r.stdout + o.r.stderr)
        o = op("GetCallerIdentity", env={"AWS_ACCESS_KEY_ID": akid, "AWS_SECRET_ACCESS_KEY": secret})
        expect_ok("the new key works (GetCallerIdentity as the new user)", o,
                  o.result["arn"] == f"arn:aws:iam::{acct}:user/certerox/cx-user")
        o2 = op("CreateAccessKey", {"user": "cx-user"})
        o3 = op("CreateAccessKey", {"user": "cx-user"})
        check("a third key -> LimitExceeded, CX_E_CONFLICT, never retried",
              o2.ok() and o3.out.get("code") == "LimitExceeded" and o3.out.get("attempts") == 1
              and o3.status == "CX_E_CONFLICT", o3.detail())
        o = op("ListAccessKeys", {"user": "cx-user"})
        expect_ok("ListAccessKeys", o, len(o.result) == 2 and akid in [k["access_key_id"] for k in o.result])
        o = op("GetAccessKeyLastUsed", {"access_key_id": akid})
        expect_ok("GetAccessKeyLastUsed names the key's user", o, o.result["user"] == "cx-user")
        o = op("UpdateAccessKey", {"user": "cx-user", "access_key_id": akid, "status": "Inactive"})
        expect_ok("UpdateAccessKey Inactive", o, [k["Status"] for k in sim.client("iam").list_access_keys(
            UserName="cx-user")["AccessKeyMetadata"] if k["AccessKeyId"] == akid] == ["Inactive"])
        sim.client("iam").tag_user(UserName="cx-user", Tags=[{"Key": akid, "Value": "certerox"}])
        o = op("ListUserTags", {"user": "cx-user"})
        expect_ok("ListUserTags", o, o.result.get(akid) == "certerox")
        o = op("DeleteAccessKey", {"user": "cx-user", "access_key_id": akid})
        expect_ok("DeleteAccessKey", o)
        o = op("ListAccessKeys", {"user": "cx-user"})
        expect_ok("ListAccessKeys after delete", o, akid not in [k["access_key_id"] for k in o.result])
    o = op("ListUsers")
    expect_ok("ListUsers", o, "cx-user" in [u["name"] for u in o.result])
    iam = sim.client("iam")
    iam.create_user(UserName="cx-gone")
    iam.attach_user_policy(UserName="cx-gone", PolicyArn=parn)
    o = op("DeleteUser", {"user": "cx-gone"})
    check("DeleteUser of a user with a policy attached -> DeleteConflict", o.out.get("code") == "DeleteConflict",
          o.detail())
    o = op("DetachUserPolicy", {"user": "cx-gone", "arn": parn})
    expect_ok("DetachUserPolicy", o)
    o = op("DeleteUser", {"user": "cx-gone"})
    expect_ok("DeleteUser", o, "cx-gone" not in [u["UserName"] for u in iam.list_users()["Users"]])
    # tags: CreateUser with a tag, TagUser (a key's description), ListUserTags; judged by boto3 too
    o = op("CreateUser", {"name": "cx-tagged", "tag_key": "certerox-aws-setup", "tag_value": "created by x"})
    expect_ok("CreateUser with a tag", o)
    o = op("TagUser", {"user": "cx-tagged", "key": "AKIAEXAMPLE0000000001", "value": "certerox-aws-setup: d"})
    expect_ok("TagUser", o)
    o = op("ListUserTags", {"user": "cx-tagged"})
    expect_ok("ListUserTags", o, o.result == {"certerox-aws-setup": "created by x",
                                             "AKIAEXAMPLE0000000001": "certerox-aws-setup: d"})
    tags = {t["Key"]: t["Value"] for t in sim.client("iam").list_user_tags(UserName="cx-tagged")["Tags"]}
    check("boto3 sees both tags", tags == {"certerox-aws-setup": "created by x",
                                           "AKIAEXAMPLE0000000001": "certerox-aws-setup: d"}, str(tags))
    o = op("ListUserTags", {"user": "nobody-here"})
    check("ListUserTags of an unknown user -> CX_E_NOT_FOUND", o.status == "CX_E_NOT_FOUND", o.detail())

    # ---- S3 ----
    o = op("CreateBucket", {"bucket": "cx-east", "region": "us-east-1"})
    expect_ok("CreateBucket in us-east-1 (no LocationConstraint)", o)
    o = op("CreateBucket", {"bucket": "cx-west", "region": "eu-west-1"})
    expect_ok("CreateBucket in eu-west-1 (LocationConstraint eu-west-1)", o)
    s3w = sim.client("s3", region="eu-west-1")
    check("boto3 sees cx-west in eu-west-1",
          (s3w.get_bucket_location(Bucket="cx-west").get("LocationConstraint")) == "eu-west-1")
    o = op("GetBucketLocation", {"bucket": "cx-east"})
    expect_ok("GetBucketLocation us-east-1 (empty constraint)", o, o.result["region"] == "us-east-1")
    o = op("GetBucketLocation", {"bucket": "cx-west"})
    expect_ok("GetBucketLocation eu-west-1", o, o.result["region"] == "eu-west-1")
    o = op("HeadBucket", {"bucket": "cx-west"})
    expect_ok("HeadBucket reports the region from x-amz-bucket-region", o, o.result["region"] == "eu-west-1")
    o = op("HeadBucket", {"bucket": "cx-missing"})
    check("HeadBucket of a missing bucket (no body) -> CX_E_NOT_FOUND", o.status == "CX_E_NOT_FOUND", o.detail())
    o = op("ListBuckets")
    expect_ok("ListBuckets", o, {"cx-east", "cx-west"} <= {b["name"] for b in o.result})
    o = op("ListBuckets", {"regions": True})
    expect_ok("ListBuckets with max-buckets: each bucket's region (the wizard's bucket picker)", o,
              {(b["name"], b.get("region")) for b in o.result} >= {("cx-east", "us-east-1"),
                                                                    ("cx-west", "eu-west-1")})
    o = op("GetBucketPolicy", {"bucket": "cx-west"})
    check("GetBucketPolicy without a policy -> CX_E_NOT_FOUND NoSuchBucketPolicy",
          o.status == "CX_E_NOT_FOUND" and o.out.get("code") == "NoSuchBucketPolicy", o.detail())
    pol = bucket_policy("cx-west", acct)
    o = op("PutBucketPolicy", {"bucket": "cx-west", "policy": pol})
    expect_ok("PutBucketPolicy (Content-MD5)", o)
    o = op("GetBucketPolicy", {"bucket": "cx-west"})
    expect_ok("GetBucketPolicy returns the policy", o, json.loads(o.result["policy"]) == json.loads(pol))
    o = op("PutBucketPolicy", {"bucket": "cx-west", "policy": "{bad"})
    check("PutBucketPolicy with invalid JSON -> CX_E_INVALID MalformedPolicy",
          o.status == "CX_E_INVALID" and o.out.get("code") == "MalformedPolicy", o.detail())

    # objects: 1,500 under one prefix, plus awkward prefixes
    s3e = sim.client("s3")
    keys = [f"many/obj-{i:05d}.txt" for i in range(1500)]
    with concurrent.futures.ThreadPoolExecutor(8) as ex:
        list(ex.map(lambda k: s3e.put_object(Bucket="cx-east", Key=k, Body=b"x"), keys))
    since = len(sim.requests())
    o = op("ListObjectsV2", {"bucket": "cx-east", "prefix": "many/"})
    pages = len(requests_of(sim, "ListObjectsV2", since))
    expect_ok("ListObjectsV2 over 1,500 objects: all keys, in two pages", o,
              o.result["keys"] == keys and pages == 2)
    specials = ["eq=ual", "par(en", "pl+us", "co:lon", "sp ace", "utf-é€😀"]
    for s in specials:
        s3e.put_object(Bucket="cx-east", Key=f"sp/{s}/file {s}.csv", Body=s.encode())
    o = op("ListObjectsV2", {"bucket": "cx-east", "prefix": "sp/", "delimiter": "/"})
    expect_ok("ListObjectsV2 with a delimiter: CommonPrefixes decoded", o,
              sorted(o.result["prefixes"]) == sorted(f"sp/{s}/" for s in specials))
    for s in specials:
        o = op("ListObjectsV2", {"bucket": "cx-east", "prefix": f"sp/{s}/"})
        expect_ok(f"ListObjectsV2 prefix {s!r}: key decoded (encoding-type=url)", o,
                  o.result["keys"] == [f"sp/{s}/file {s}.csv"])
        o = op("GetObject", {"bucket": "cx-east", "key": f"sp/{s}/file {s}.csv"})
        expect_ok(f"GetObject key with {s!r}", o, o.result["body"] == s)
    s3e.put_object(Bucket="cx-east", Key="range.txt", Body=b"0123456789")
    o = op("GetObject", {"bucket": "cx-east", "key": "range.txt", "range": "bytes=2-5"})
    expect_ok("GetObject with Range: 206 and the slice", o, o.result["status"] == 206 and o.result["body"] == "2345")
    o = op("GetObject", {"bucket": "cx-east", "key": "nope.txt"})
    check("GetObject of a missing key -> CX_E_NOT_FOUND NoSuchKey",
          o.status == "CX_E_NOT_FOUND" and o.out.get("code") == "NoSuchKey", o.detail())
    s3e.put_object(Bucket="cx-east", Key="big.bin", Body=b"y" * 200000)
    o = op("GetObject", {"bucket": "cx-east", "key": "big.bin"}, opts=("--max-response", "100000"))
    check("GetObject over the size cap -> CX_E_TOO_LARGE, not retried",
          o.status == "CX_E_TOO_LARGE" and o.out.get("attempts") == 1, o.detail())

    # ---- Data Exports ----
    exp = export_def("cx-export", "cx-west")
    o = op("CreateExport", {"request": {"Export": exp}})
    expect_ok("CreateExport (request document from the caller) returns the ARN", o,
              o.result["arn"].startswith(f"arn:aws:bcm-data-exports:us-east-1:{acct}:export/cx-export"))
    earn = (o.result or {}).get("arn", "")
    o = op("CreateExport", {"request": {"Export": export_def("bad name", "cx-west")}})
    check("CreateExport with an invalid name -> CX_E_INVALID ValidationException naming the field",
          o.status == "CX_E_INVALID" and o.out.get("code") == "ValidationException"
          and "export.name" in o.out.get("message", ""), o.detail())
    o = op("GetExport", {"arn": earn})
    expect_ok("GetExport: parsed JSON and key fields", o,
              o.result["name"] == "cx-export" and o.result["arn"] == earn
              and o.result["json"]["Export"]["DataQuery"]["QueryStatement"] == exp["DataQuery"]["QueryStatement"])
    o = op("ListExports")
    expect_ok("ListExports", o, [e["name"] for e in o.result["items"]] == ["cx-export"])
    exp2 = dict(exp, Description="changed")
    o = op("UpdateExport", {"request": {"ExportArn": earn, "Export": exp2}})
    expect_ok("UpdateExport", o, o.result["arn"] == earn)
    o = op("GetExport", {"arn": earn})
    expect_ok("GetExport after UpdateExport shows the change", o,
              o.result["json"]["Export"].get("Description") == "changed")
    o = op("GetTable", {"table": "COST_AND_USAGE_REPORT", "properties": {"INCLUDE_RESOURCES": "TRUE"}})
    expect_ok("GetTable", o, "line_item_resource_id" in [c["Name"] for c in o.result["Schema"]])
    o = op("DeleteExport", {"arn": earn})
    expect_ok("DeleteExport", o)
    o = op("GetExport", {"arn": earn})
    check("GetExport after delete -> CX_E_NOT_FOUND", o.status == "CX_E_NOT_FOUND", o.detail())

    # ---- CUR ----
    rep = report_def("cx-report", "cx-west")
    o = op("PutReportDefinition", {"request": {"ReportDefinition": rep}})
    expect_ok("PutReportDefinition", o)
    o = op("PutReportDefinition", {"request": {"ReportDefinition": rep}})
    check("PutReportDefinition twice -> CX_E_CONFLICT DuplicateReportNameException",
          o.status == "CX_E_CONFLICT" and o.out.get("code") == "DuplicateReportNameException", o.detail())
    o = op("DescribeReportDefinitions")
    expect_ok("DescribeReportDefinitions", o, o.result["names"] == ["cx-report"])
    since = len(sim.requests())
    rep2 = dict(rep, TimeUnit="HOURLY")
    o = op("ModifyReportDefinition", {"request": {"ReportName": "cx-report", "ReportDefinition": rep2}})
    expect_ok("ModifyReportDefinition", o)
    o = op("DescribeReportDefinitions")
    expect_ok("DescribeReportDefinitions shows the modification", o,
              o.result["json"][0]["TimeUnit"] == "HOURLY")
    o = op("DeleteReportDefinition", {"name": "cx-report"})
    expect_ok("DeleteReportDefinition", o)
    o = op("DescribeReportDefinitions")
    expect_ok("DescribeReportDefinitions after delete is empty", o, o.result["names"] == [])

    # ---- credentials, TLS ----
    o = op("GetCallerIdentity", env={"AWS_SECRET_ACCESS_KEY": "wrong" + sim.env["AWS_SECRET_ACCESS_KEY"][5:]})
    check("a wrong secret -> credentials rejected (CX_E_CREDENTIALS, exit 77, not retried)",
          o.rc == 77 and o.status == "CX_E_CREDENTIALS" and o.out.get("attempts") == 1
          and o.out.get("code") == "SignatureDoesNotMatch", o.detail())
    o = op("ListBuckets", env={"AWS_SECRET_ACCESS_KEY": "wrong" + sim.env["AWS_SECRET_ACCESS_KEY"][5:]})
    check("a wrong secret on S3 -> CX_E_CREDENTIALS", o.rc == 77 and o.status == "CX_E_CREDENTIALS", o.detail())
    o = op("GetCallerIdentity", env={"AWS_ACCESS_KEY_ID": "AKIAUNKNOWNUNKNOWN00"})
    check("an unknown key -> CX_E_CREDENTIALS (InvalidClientTokenId)",
          o.rc == 77 and o.out.get("code") == "InvalidClientTokenId", o.detail())
    with tempfile.TemporaryDirectory() as td:
        ca = os.path.join(td, "other-ca.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                        os.path.join(td, "k.pem"), "-out", ca, "-days", "1", "-subj", "/CN=other CA"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        o = op("GetCallerIdentity", env={"AWS_CA_BUNDLE": ca})
        host = sim.env["AWS_ENDPOINT_URL"]
        check("a wrong CA -> TLS error naming the endpoint, not retried (exit 69)",
              o.rc == 69 and o.status == "CX_E_TLS" and o.out.get("attempts") == 1
              and f"TLS error talking to {host}" in o.out.get("message", ""), o.detail())

    # ---- 8 parallel async ops reuse connections ----
    since = len(sim.requests())
    o = Op(sim, "GetCallerIdentity", opts=("--parallel", "8", "--repeat", "3"))
    reqs = [r for r in sim.requests()[since:] if r.get("operation") == "GetCallerIdentity"]
    conns = {r["connection"] for r in reqs}
    check("8 parallel async ops x 3 rounds: 24 requests over at most 8 connections",
          o.rc == 0 and len(reqs) == 24 and len(conns) <= 8, f"{len(reqs)} requests, {len(conns)} connections")
    # --log tells, per request, whether it opened a connection and that connection's local port:
    # the same connections as the sim saw (bench/ finds idle connections with it)
    since = len(sim.requests())
    logf = os.path.join(tempfile.mkdtemp(), "op.log")
    o = Op(sim, "GetCallerIdentity", opts=("--parallel", "3", "--repeat", "2"), env={"AWSOP_LOG": logf})
    with open(logf) as f:
        lines = [ln for ln in f if "http timing" in ln]
    logged = [re.search(r": (new|reused) connection \(local port (\d+)\)", ln) for ln in lines]
    ports = {int(m.group(2)) for m in logged if m}
    seen = {r.get("client_port") for r in sim.requests()[since:]}
    check("--log: each request's timing line names new/reused and the local port the sim saw",
          o.rc == 0 and len(lines) == 6 and all(logged) and ports == seen
          and sum(m.group(1) == "new" for m in logged) == len(ports), f"{lines[:2]} {ports} {seen}")
    since = len(sim.requests())
    o = Op(sim, "ListObjectsV2", {"bucket": "cx-east", "prefix": "many/"}, opts=("--parallel", "8"))
    res = o.out if isinstance(o.out, list) else []
    check("8 parallel paginated listings all complete with 1,500 keys",
          o.rc == 0 and len(res) == 8 and all(len(x["result"]["keys"]) == 1500 for x in res), o.detail())
    o = Op(sim, "ListObjectsV2", {"bucket": "cx-east", "prefix": "many/"},
           opts=("--parallel", "4", "--cancel-after-ms", "0"))
    res = o.out if isinstance(o.out, list) else []
    check("cancel all in flight: every op ends CX_E_CANCELLED (exit 130)",
          o.rc == 130 and len(res) == 4 and all(x["status"] == "CX_E_CANCELLED" for x in res), o.detail())


def never_resent():
    """A request that must never go out twice (CreateAccessKey: aws_op_set_transport_retry off)
    goes out on a pooled connection, not on a new one (no handshake on its way); when that
    connection is reset after the request took effect, libcurl does not send it again on a new
    connection (src/aws/http.h never_resend): the caller gets a network error and finds out
    what the request did. The sim's request log and boto3 judge it."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump([{"service": "iam", "operation": "CreateAccessKey", "nth": 2, "count": 1, "fault": "reset"}], f)
        faults = f.name
    sim = Sim("--faults", faults)
    try:
        sim.start()
        iam = sim.client("iam")
        iam.create_user(UserName="cx-once")
        since = len(sim.requests())
        o = Op(sim, "CreateAccessKey", {"user": "cx-once"}, opts=("--repeat", "2", "--no-transport-retry"))
        reqs = requests_of(sim, "CreateAccessKey", since)
        check("never resent: two CreateAccessKey in the log (the second reset), not a third from libcurl",
              len(reqs) == 2 and reqs[1].get("error") == "reset", str([(r["connection"], r.get("error")) for r in reqs]))
        check("never resent: the second went out on the first's (pooled) connection",
              len(reqs) == 2 and reqs[0]["connection"] == reqs[1]["connection"],
              str([r["connection"] for r in reqs]))
        check("never resent: a network error saying it was not sent again, exit 69",
              o.rc == 69 and o.status == "CX_E_NETWORK" and "not sent again" in o.out.get("message", ""), o.detail())
        keys = iam.list_access_keys(UserName="cx-once")["AccessKeyMetadata"]
        check("never resent: boto3 sees the two keys the two requests made, no more", len(keys) == 2, str(keys))
    finally:
        sim.cleanup()
        os.unlink(faults)


def main():
    if not os.path.exists(AWSOP):
        print(f"SKIP: {AWSOP} not built")
        sys.exit(77)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(FAULTS, f)
        faults = f.name
    sim = Sim("--faults", faults)
    try:
        sim.start()
        body(sim)
    except Exception:
        import traceback
        traceback.print_exc()
        check("test body ran to the end", False)
    finally:
        sim.cleanup()
        os.unlink(faults)
    never_resent()
    sys.exit(finish())


if __name__ == "__main__":
    main()
