#!/usr/bin/env python3
"""--batch against the sim behaving as AWS does (issue 13 C): AWS-added table properties,
TLS as secure transport, bucket-policy Denies of the billing services, another account's
bucket, legacy CUR regions, a bucket CerteroX creates, policy propagation, AWS's duplicate and
missing-report answers, split cost allocation columns (CUR 2.0 and legacy), an export beyond the
first page of ListExports. End states judged with boto3 and curl."""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from flowlib import Sim, Wizard, check, finish  # noqa: E402

ACCT = "123456789012"


def cur2(bucket, **more):
    e = {"type": "cur2", "setup": "wizard", "name": "certerox-cur2", "bucket": bucket, "prefix": "reports"}
    e.update(more)
    return {"connection": "root", "export": e}


def aws_writes(reqs):
    ro = ("Get", "List", "Describe", "Head")
    return [f"{r['service']} {r['operation']}" for r in reqs
            if r.get("service") != "certerox" and not (r.get("operation") or "").startswith(ro)
            and r.get("operation") != "GetCallerIdentity"]


def data_sources(sim):
    code, j, _ = sim.curl("GET", f"/restapi/v2/organizations/{sim.env['CERTEROX_ORGANIZATION_ID']}/cloud_accounts")
    return (j or {}).get("cloud_accounts", []) if code == 200 else []


def put_policy(s3, bucket, *stmts):
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": list(stmts)}))


def tls_split_rerun():
    """C2 + C8 + C1: a bucket that denies plain HTTP; the export selects the split columns; the
    re-run finds AWS's added BILLING_VIEW_ARN equal (no --yes, no UpdateExport)."""
    sim = Sim().start()
    try:
        s3 = sim.client("s3")
        s3.create_bucket(Bucket="acme-tls")
        put_policy(s3, "acme-tls", {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*",
                                    "Action": "s3:*", "Resource": ["arn:aws:s3:::acme-tls", "arn:aws:s3:::acme-tls/*"],
                                    "Condition": {"Bool": {"aws:SecureTransport": "false"}}})
        w = Wizard(sim, "tls")
        r = w.batch(cur2("acme-tls"))
        check("C2: a bucket denying plain HTTP: exit 0 (the key check and CerteroX's checks use TLS)",
              r.returncode == 0, r.stderr[-1200:])
        pol = json.loads(s3.get_bucket_policy(Bucket="acme-tls")["Policy"])
        sids = [st.get("Sid") for st in pol["Statement"]]
        check("C2: the deny-plain-HTTP statement is kept beside the delivery statement",
              "DenyInsecureTransport" in sids and "EnableAWSDataExportsToWriteToS3AndCheckPolicy" in sids, str(sids))
        ds = [d for d in data_sources(sim) if d.get("account_id") == ACCT]
        check("C2: CerteroX has the data source", len(ds) == 1, str(ds)[:300])
        bcm = sim.client("bcm-data-exports")
        exps = bcm.list_exports()["Exports"]
        if not check("one export", len(exps) == 1, str(exps)):
            return
        x = bcm.get_export(ExportArn=exps[0]["ExportArn"])["Export"]
        q = x["DataQuery"]["QueryStatement"]
        tc = x["DataQuery"]["TableConfigurations"]["COST_AND_USAGE_REPORT"]
        with open(os.path.join(os.environ.get("top_srcdir", "."), "data", "cur2-columns.txt")) as f:
            split = [c.strip() for c in f if c.startswith("split_line_item_")]
        check("C8: split cost allocation on: the query selects every split_line_item_* column with "
              "INCLUDE_SPLIT_COST_ALLOCATION_DATA TRUE",
              split and all(c in q for c in split) and tc.get("INCLUDE_SPLIT_COST_ALLOCATION_DATA") == "TRUE",
              f"{len(split)} {tc}")
        check("C1: GetExport answers BILLING_VIEW_ARN, which the wizard never sent",
              tc.get("BILLING_VIEW_ARN") == f"arn:aws:billing::{ACCT}:billingview/primary", str(tc))
        n0 = len(sim.requests())
        r = w.batch(cur2("acme-tls"))
        wr = aws_writes(sim.requests()[n0:])
        check("C1: re-run without --yes: exit 0, no UpdateExport, no AWS write",
              r.returncode == 0 and wr == [] and "--yes" not in r.stderr, f"{r.returncode} {wr} {r.stderr[-600:]}")
    finally:
        sim.cleanup()


def deny_blocks_billing():
    """C3: a Deny that applies to the billing service is reported before any write, by name."""
    sim = Sim().start()
    try:
        s3 = sim.client("s3")
        s3.create_bucket(Bucket="acme-org")
        put_policy(s3, "acme-org", {"Sid": "DenyOutsideOrg", "Effect": "Deny", "Principal": "*",
                                    "Action": "s3:PutObject", "Resource": "arn:aws:s3:::acme-org/*",
                                    "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-abcdef1234"}}})
        w = Wizard(sim, "org")
        n0 = len(sim.requests())
        r = w.batch(cur2("acme-org"))
        wr = aws_writes(sim.requests()[n0:])
        check("C3: Deny StringNotEquals aws:PrincipalOrgID: refused before any AWS write, naming the statement",
              r.returncode != 0 and "DenyOutsideOrg" in r.stderr and "bcm-data-exports.amazonaws.com" in r.stderr
              and wr == [], f"{r.returncode} {wr} {r.stderr[-700:]}")
        check("C3: nothing in CerteroX", data_sources(sim) == [])
        # the same Deny sparing AWS services: the wizard proceeds and AWS accepts the export
        put_policy(s3, "acme-org", {"Sid": "DenyOutsideOrg", "Effect": "Deny", "Principal": "*",
                                    "Action": "s3:PutObject", "Resource": "arn:aws:s3:::acme-org/*",
                                    "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-abcdef1234"},
                                                  "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}})
        r = w.batch(cur2("acme-org"))
        exps = sim.client("bcm-data-exports").list_exports()["Exports"]
        check("C3: with BoolIfExists aws:PrincipalIsAWSService false: exit 0 and the export exists",
              r.returncode == 0 and len(exps) == 1, f"{r.returncode} {r.stderr[-700:]}")
    finally:
        sim.cleanup()


def other_account_bucket():
    """C4: a bucket of another account stops the wizard before any write."""
    sim = Sim().start()
    try:
        sim.client("s3", who="standalone").create_bucket(Bucket="acme-theirs")
        w = Wizard(sim, "theirs")
        n0 = len(sim.requests())
        r = w.batch(cur2("acme-theirs"))
        wr = aws_writes(sim.requests()[n0:])
        check("C4: another account's bucket: refused before any write, saying it belongs to another account",
              r.returncode != 0 and "another account" in r.stderr and "acme-theirs" in r.stderr and wr == [],
              f"{r.returncode} {wr} {r.stderr[-600:]}")
        code = None
        try:
            sim.client("s3", who="standalone").get_bucket_policy(Bucket="acme-theirs")
        except Exception as e:  # noqa: BLE001
            code = e.response["Error"]["Code"]
        check("C4: the other account's bucket still has no policy", code == "NoSuchBucketPolicy", str(code))
    finally:
        sim.cleanup()


def legacy_region():
    """C5: a legacy report to a region the CUR API's S3Region enum lacks: refused before any write."""
    sim = Sim().start()
    try:
        sim.client("s3", region="ca-west-1").create_bucket(
            Bucket="acme-calgary", CreateBucketConfiguration={"LocationConstraint": "ca-west-1"})
        w = Wizard(sim, "calgary")
        ans = {"connection": "root", "export": {"type": "legacy", "setup": "wizard", "name": "certerox-cur",
                                                "bucket": "acme-calgary", "prefix": "cur"}}
        n0 = len(sim.requests())
        r = w.batch(ans)
        wr = aws_writes(sim.requests()[n0:])
        check("C5: legacy report to ca-west-1: refused before any write, naming the region and CUR 2.0",
              r.returncode != 0 and "ca-west-1" in r.stderr and "cur2" in r.stderr and wr == [],
              f"{r.returncode} {wr} {r.stderr[-600:]}")
        users = [u["UserName"] for u in sim.client("iam").list_users()["Users"]]
        check("C5: no IAM user made", users == ["cloudsim-admin"], str(users))
        r = w.batch(cur2("acme-calgary"))
        check("C5: the same bucket with CUR 2.0: exit 0", r.returncode == 0, r.stderr[-800:])
    finally:
        sim.cleanup()


def certerox_creates_bucket():
    """C6: "CerteroX creates the export" with a bucket that does not exist yet."""
    sim = Sim().start()
    try:
        w = Wizard(sim, "cxbucket")
        r = w.batch(cur2("acme-later", setup="certerox"))
        check("C6: setup certerox, bucket not there yet: exit 0 (the key check does not probe it)",
              r.returncode == 0, f"{r.returncode} {r.stderr[-1200:]}")
        reqs = sim.requests()
        cx_post = min([q["start"] for q in reqs if q.get("service") == "certerox" and
                       (q.get("operation") or "").startswith("POST /restapi/v2/organizations/")] or [1e12])
        key = (r.json or {}).get("access_key_id")
        nsb = [q for q in reqs if q.get("error") == "NoSuchBucket" and q["start"] < cx_post and
               q.get("access_key_id") == key]
        check("C6: the wizard's key check never probed the missing bucket (before CerteroX's create)",
              key and nsb == [] and cx_post < 1e12, str(nsb[:2]))
        pol = sim.client("iam").list_policies(Scope="Local")["Policies"]
        ro = [p for p in pol if "ReadOnly" in p["PolicyName"]]
        doc = sim.client("iam").get_policy_version(PolicyArn=ro[0]["Arn"], VersionId=ro[0]["DefaultVersionId"])[
            "PolicyVersion"]["Document"] if ro else {}
        sids = [st.get("Sid") for st in doc.get("Statement", [])]
        check("C6/C9: the ReadOnly policy grants what CerteroX needs to create the bucket and the export",
              "CerteroXCreateBucket" in sids and "CerteroXCreateLegacyReport" in sids, str(sids))
        s3 = sim.client("s3")
        loc = s3.get_bucket_location(Bucket="acme-later").get("LocationConstraint")
        exps = sim.client("bcm-data-exports").list_exports()["Exports"]
        check("C6: CerteroX made the bucket (eu-central-1) and the export", loc == "eu-central-1" and
              [x["ExportName"] for x in exps] == ["certerox-cur2"], f"{loc} {exps}")
    finally:
        sim.cleanup()


def policy_propagation():
    """C7: CreateExport refused while the new bucket policy propagates: retried with progress."""
    sim = Sim("--policy-delay-ms", "4000").start()
    try:
        sim.client("s3").create_bucket(Bucket="acme-slow")
        w = Wizard(sim, "slow")
        r = w.batch(cur2("acme-slow"))
        check("C7: policy propagating 4 s: exit 0", r.returncode == 0, r.stderr[-1200:])
        check("C7: the wait is shown", "has not reached the billing service yet" in r.stderr, r.stderr[-800:])
        ce = [q for q in sim.requests() if q.get("operation") == "CreateExport"]
        check("C7: refused, then accepted", len(ce) >= 2 and ce[0]["error"] == "ValidationException" and
              ce[-1]["status"] == 200 and ce[-1]["start"] - ce[0]["start"] < 30,
              str([(q["status"], q["error"]) for q in ce]))
    finally:
        sim.cleanup()


def lost_answers():
    """C10: a lost CreateExport answer meets AWS's "Cannot create duplicate export name."; a lost
    DeleteReportDefinition answer meets AWS's ValidationException for a missing report."""
    faults = os.path.join(os.environ.get("TMPDIR") or "/tmp", f"fid-faults-{os.getpid()}.json")
    with open(faults, "w") as f:
        json.dump([{"service": "bcm-data-exports", "operation": "CreateExport", "nth": 1, "fault": "reset"},
                   {"service": "cur", "operation": "DeleteReportDefinition", "nth": 1, "fault": "reset"}], f)
    sim = Sim("--faults", faults).start()
    try:
        sim.client("s3").create_bucket(Bucket="acme-lost")
        w = Wizard(sim, "lost")
        legacy = {"connection": "root", "export": {"type": "legacy", "setup": "wizard", "name": "certerox-cur",
                                                   "bucket": "acme-lost", "prefix": "cur"}}
        r = w.batch(legacy)
        if not check("C10: legacy data source", r.returncode == 0, r.stderr[-800:]):
            return
        mig = {"action": "migrate", "migrate": {"data_source_id": r.json["data_source_id"],
                                                "export_name": "certerox-cur2", "delete_legacy_report": True}}
        r = w.batch(mig, "--yes")
        ce = [(q["status"], q["error"]) for q in sim.requests() if q.get("operation") == "CreateExport"]
        check("C10: CreateExport answer lost, the retry's 'Cannot create duplicate export name.' recognised: exit 0",
              r.returncode == 0 and ("reset" in [e for _, e in ce]) and ("ValidationException" in [e for _, e in ce]),
              f"{r.returncode} {ce} {r.stderr[-800:]}")
        exps = sim.client("bcm-data-exports").list_exports()["Exports"]
        check("C10: one export", [x["ExportName"] for x in exps] == ["certerox-cur2"], str(exps))
        dr = [(q["status"], q["error"]) for q in sim.requests() if q.get("operation") == "DeleteReportDefinition"]
        reps = sim.client("cur").describe_report_definitions()["ReportDefinitions"]
        check("C10: DeleteReportDefinition answer lost, the retry's ValidationException recognised as gone",
              ("ValidationException" in [e for _, e in dr]) and reps == [], f"{dr} {reps}")
    finally:
        sim.cleanup()
        os.unlink(faults)


def legacy(bucket, **more):
    e = {"type": "legacy", "setup": "wizard", "name": "certerox-cur", "bucket": bucket, "prefix": "cur"}
    e.update(more)
    return {"connection": "root", "export": e}


def legacy_split():
    """C8, legacy: SPLIT_COST_ALLOCATION_DATA only when export.split_cost_allocation is given; the
    data source then uses bucket_only (OptScale's check_report_definition wants ['RESOURCES']
    exactly); setup certerox with it, or a prefix with '/', refused before any write."""
    sim = Sim().start()
    try:
        sim.client("s3").create_bucket(Bucket="acme-split")
        w = Wizard(sim, "split")
        # the default (true) is for CUR 2.0: a legacy plan without the key asks for RESOURCES only
        r = w.dry_run(legacy("acme-split"), "--format", "json")
        steps = [st for st in (r.json or {}).get("steps", []) if st.get("operation") == "PutReportDefinition"]
        ase = steps[0]["request"]["ReportDefinition"]["AdditionalSchemaElements"] if steps else None
        check("C8: legacy without split_cost_allocation: the plan's report has ['RESOURCES'] only",
              r.returncode == 0 and ase == ["RESOURCES"], f"{r.returncode} {ase} {r.stderr[-400:]}")
        n0 = len(sim.requests())
        r = w.batch(legacy("acme-split", setup="certerox", split_cost_allocation=True))
        check("C8: setup certerox with split_cost_allocation true: refused (65) naming the field and "
              "OptScale's rule, before any write",
              r.returncode == 65 and "export.split_cost_allocation" in r.stderr and "get_report_definition" in
              r.stderr and aws_writes(sim.requests()[n0:]) == [], f"{r.returncode} {r.stderr[-600:]}")
        r = w.batch(legacy("acme-split", prefix="cur/deep", split_cost_allocation=True))
        check("C8: split with a prefix with '/' (bucket_only cannot accept it before the first delivery): "
              "refused naming the prefix, before any write",
              r.returncode != 0 and "export.split_cost_allocation" in r.stderr and "cur/deep" in r.stderr and
              aws_writes(sim.requests()[n0:]) == [] and data_sources(sim) == [], f"{r.returncode} {r.stderr[-600:]}")
        r = w.batch(legacy("acme-split", split_cost_allocation=True))
        check("C8: legacy with split_cost_allocation true: exit 0, the plan says why bucket_only "
              "(check_report_definition)", r.returncode == 0 and "check_report_definition" in r.stderr,
              f"{r.returncode} {r.stderr[-1000:]}")
        reps = sim.client("cur").describe_report_definitions()["ReportDefinitions"]
        check("C8: boto3: the report has AdditionalSchemaElements ['RESOURCES', 'SPLIT_COST_ALLOCATION_DATA']",
              [x["ReportName"] for x in reps] == ["certerox-cur"] and
              sorted(reps[0]["AdditionalSchemaElements"]) == ["RESOURCES", "SPLIT_COST_ALLOCATION_DATA"], str(reps))
        ds = [d for d in data_sources(sim) if d.get("account_id") == ACCT]
        cfg = ds[0].get("config", {}) if len(ds) == 1 else {}
        check("C8: curl: the data source reads the bucket (config_scheme bucket_only, report certerox-cur, prefix cur)",
              cfg.get("config_scheme") == "bucket_only" and cfg.get("report_name") == "certerox-cur" and
              cfg.get("bucket_prefix") == "cur" and cfg.get("bucket_name") == "acme-split", str(ds)[:400])
        n0 = len(sim.requests())
        r = w.batch(legacy("acme-split", split_cost_allocation=True))
        wr = aws_writes(sim.requests()[n0:])
        check("C8: re-run: exit 0, no AWS write (the report compares equal)", r.returncode == 0 and wr == [],
              f"{r.returncode} {wr} {r.stderr[-600:]}")
        # AWS delivers (with the splitLineItem/* columns), CerteroX's import reads the bucket
        cs = os.path.join(os.environ.get("top_srcdir", "."), "tests", "sim", "cloudsim")
        d = sim.run("sh", cs, "deliver", sim.dir)
        i = sim.run("sh", cs, "import", sim.dir)
        code, ca, _ = sim.curl("GET", f"/restapi/v2/cloud_accounts/{ds[0]['id'] if ds else 'x'}")
        check("C8: after AWS's delivery CerteroX imports the split report (curl: last_import_at set, no error)",
              d.returncode == 0 and i.returncode == 0 and code == 200 and (ca or {}).get("last_import_at") and
              not (ca or {}).get("last_import_attempt_error"), f"{d.stderr[-300:]} {i.stderr[-300:]} {ca}")
    finally:
        sim.cleanup()


def legacy_split_existing():
    """C8, an existing legacy report: one with SPLIT_COST_ALLOCATION_DATA is connected with bucket_only
    (CerteroX's find_report/create_report would refuse it); asking for split data of one without it
    is refused before any write (the wizard does not change an existing report)."""
    sim = Sim().start()
    try:
        s3 = sim.client("s3")
        s3.create_bucket(Bucket="acme-hand")
        put_policy(s3, "acme-hand", {
            "Sid": "EnableAWSDataExportsToWriteToS3AndCheckPolicy", "Effect": "Allow",
            "Principal": {"Service": ["billingreports.amazonaws.com", "bcm-data-exports.amazonaws.com"]},
            "Action": ["s3:PutObject", "s3:GetBucketPolicy"],
            "Resource": ["arn:aws:s3:::acme-hand/*", "arn:aws:s3:::acme-hand"],
            "Condition": {"StringLike": {"aws:SourceAccount": ACCT, "aws:SourceArn": [
                f"arn:aws:cur:us-east-1:{ACCT}:definition/*", f"arn:aws:bcm-data-exports:us-east-1:{ACCT}:export/*"]}}})
        cur = sim.client("cur")
        base = {"TimeUnit": "DAILY", "Format": "textORcsv", "Compression": "ZIP", "S3Bucket": "acme-hand",
                "S3Region": "us-east-1", "RefreshClosedReports": True, "ReportVersioning": "OVERWRITE_REPORT"}
        cur.put_report_definition(ReportDefinition=dict(base, ReportName="plain", S3Prefix="pl",
                                                        AdditionalSchemaElements=["RESOURCES"]))
        cur.put_report_definition(ReportDefinition=dict(base, ReportName="hand-split", S3Prefix="hs",
                                                        AdditionalSchemaElements=["RESOURCES",
                                                                                  "SPLIT_COST_ALLOCATION_DATA"]))
        w = Wizard(sim, "hand")
        n0 = len(sim.requests())
        r = w.batch(legacy("acme-hand", setup="existing", name="plain", split_cost_allocation=True))
        check("C8: existing report without split data, split_cost_allocation true: refused before any write, "
              "naming the report", r.returncode != 0 and "plain" in r.stderr and "SPLIT_COST_ALLOCATION_DATA" in
              r.stderr and aws_writes(sim.requests()[n0:]) == [] and data_sources(sim) == [],
              f"{r.returncode} {r.stderr[-600:]}")
        r = w.batch(legacy("acme-hand", setup="existing", name="hand-split"))
        check("C8: an existing report with split data: exit 0, the plan says why bucket_only",
              r.returncode == 0 and "check_report_definition" in r.stderr, f"{r.returncode} {r.stderr[-900:]}")
        ds = [d for d in data_sources(sim) if d.get("account_id") == ACCT]
        cfg = ds[0].get("config", {}) if len(ds) == 1 else {}
        check("C8: curl: bucket_only, report hand-split, prefix hs",
              cfg.get("config_scheme") == "bucket_only" and cfg.get("report_name") == "hand-split" and
              cfg.get("bucket_prefix") == "hs", str(ds)[:400])
        reps = {x["ReportName"]: x["AdditionalSchemaElements"] for x in cur.describe_report_definitions()[
            "ReportDefinitions"]}
        check("C8: boto3: the reports are unchanged", reps == {"plain": ["RESOURCES"], "hand-split": [
            "RESOURCES", "SPLIT_COST_ALLOCATION_DATA"]}, str(reps))
    finally:
        sim.cleanup()


def export_def(name, bucket, prefix):
    return {"Name": name, "DataQuery": {
        "QueryStatement": "SELECT line_item_usage_start_date, line_item_unblended_cost FROM COST_AND_USAGE_REPORT",
        "TableConfigurations": {"COST_AND_USAGE_REPORT": {"TIME_GRANULARITY": "DAILY", "INCLUDE_RESOURCES": "FALSE"}}},
        "DestinationConfigurations": {"S3Destination": {
            "S3Bucket": bucket, "S3Prefix": prefix, "S3Region": "us-east-1", "S3OutputConfigurations": {
                "OutputType": "CUSTOM", "Format": "TEXT_OR_CSV", "Compression": "GZIP",
                "Overwrite": "OVERWRITE_REPORT"}}},
        "RefreshCadence": {"Frequency": "SYNCHRONOUS"}}


def exports_beyond_first_page():
    """A3/B4: ListExports without MaxResults answers 2 a page (--exports-page 2; AWS documents no
    default). The wizard learns the page from its own listing: the export the data source uses is
    number 3, beyond what CerteroX reads, so a flat prefix gets bucket_only and a prefix with '/'
    (bucket_only fails until the first delivery) stops before any write, naming the export."""
    sim = Sim("--exports-page", "2").start()
    try:
        s3 = sim.client("s3")
        s3.create_bucket(Bucket="acme-page")
        put_policy(s3, "acme-page", {
            "Sid": "EnableAWSDataExportsToWriteToS3AndCheckPolicy", "Effect": "Allow",
            "Principal": {"Service": ["billingreports.amazonaws.com", "bcm-data-exports.amazonaws.com"]},
            "Action": ["s3:PutObject", "s3:GetBucketPolicy"],
            "Resource": ["arn:aws:s3:::acme-page/*", "arn:aws:s3:::acme-page"],
            "Condition": {"StringLike": {"aws:SourceAccount": ACCT, "aws:SourceArn": [
                f"arn:aws:cur:us-east-1:{ACCT}:definition/*", f"arn:aws:bcm-data-exports:us-east-1:{ACCT}:export/*"]}}})
        bcm = sim.client("bcm-data-exports")
        for name, prefix in (("x-a", "xa"), ("x-b", "xb"), ("target", "tgt"), ("deep-target", "deep/er")):
            bcm.create_export(Export=export_def(name, "acme-page", prefix))
        first = bcm.list_exports()
        check("A3: boto3 ListExports without MaxResults: the first page has 2 exports and a NextToken, "
              "'target' is not on it", [x["ExportName"] for x in first["Exports"]] == ["x-a", "x-b"] and
              first.get("NextToken"), str(first)[:300])
        w = Wizard(sim, "page")
        ex = {"connection": "root", "export": {"type": "cur2", "setup": "existing", "bucket": "acme-page"}}
        ex["export"]["name"] = "deep-target"
        n0 = len(sim.requests())
        r = w.batch(ex)
        check("A3: an existing export beyond CerteroX's first page with a prefix with '/': refused before any "
              "write, naming the export and the page", r.returncode != 0 and "deep-target" in r.stderr and
              "first 2" in r.stderr and aws_writes(sim.requests()[n0:]) == [] and data_sources(sim) == [],
              f"{r.returncode} {r.stderr[-700:]}")
        ex["export"]["name"] = "target"
        r = w.batch(ex)
        check("A3: 'target' (number 3, prefix without '/'): exit 0, the plan says why it asks for bucket_only",
              r.returncode == 0 and "number 3" in r.stderr and "first 2" in r.stderr, r.stderr[-900:])
        ds = [d for d in data_sources(sim) if d.get("account_id") == ACCT]
        cfg = ds[0].get("config", {}) if len(ds) == 1 else {}
        check("A3: curl: the data source reads 'target' with bucket_only (prefix tgt)",
              cfg.get("config_scheme") == "bucket_only" and cfg.get("report_name") == "target" and
              cfg.get("bucket_prefix") == "tgt", str(ds)[:400])
        lst = [q for q in sim.requests()[n0:] if q.get("service") == "bcm-data-exports" and
               q.get("operation") == "ListExports"]
        check("A3: the wizard read every page (NextToken followed)", len(lst) >= 4, str(len(lst)))
    finally:
        sim.cleanup()


if __name__ == "__main__":
    only = sys.argv[1:]
    for fn in (tls_split_rerun, deny_blocks_billing, other_account_bucket, legacy_region, certerox_creates_bucket,
               policy_propagation, lost_answers, legacy_split, legacy_split_existing, exports_beyond_first_page):
        if not only or fn.__name__ in only:
            fn()
    sys.exit(finish())
