#!/usr/bin/env python3
"""--status through the real binary against the simulated cloud.

Every problem code is produced from a state broken with boto3 (or the sim's own `deliver` and
`import`, which do what AWS and CerteroX do), and every code is absent in the healthy state.
Each run of --status must only read (the sim's request log), exit 0 without a problem and 3
with one, and its facts must agree with what an independent client (boto3, the CerteroX API)
sees.

Member accounts of the Organization (`cloudsim start --member-accounts`, connected by action
organization with role and user access) are checked from the management account: through the
member role, or with the management account's key for role access; an account outside the
Organization, or a member whose member role is gone, is account_unreachable with the reason."""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from flowlib import Sim, Wizard, check, finish, writes  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
CLOUDSIM = os.path.join(HERE, "..", "sim", "cloudsim")
CODES = ["export_missing", "export_unhealthy", "no_delivery_yet", "bucket_missing",
         "bucket_policy_blocks_delivery", "key_missing", "key_inactive", "key_old", "key_not_in_vault",
         "permission_missing", "import_failed", "linked_without_root", "account_unreachable"]
SID = "EnableAWSDataExportsToWriteToS3AndCheckPolicy"
MGMT = "123456789012"
MEMBER_ROLE = "OrganizationAccountAccessRole"


class Status:
    """Runs --status as w (its vault open unless vault=False) and checks it only reads."""

    def __init__(self, sim):
        self.sim = sim

    def run(self, w, *args, env=None, vault=True, fmt="json", label=""):
        n0 = len(self.sim.requests())
        extra = ["--passphrase-file", w.pass_file] if vault else []
        r = w.run("--status", "--format", fmt, *extra, *args, env=env)
        time.sleep(0.05)
        new = self.sim.requests()[n0:]
        check(f"{label}: --status only reads", writes(new) == [], str(writes(new)))
        r.requests = new
        return r


def failed_as_aws_says(d, got):
    """The data source's export as --status reports it is UNHEALTHY with GetExport's StatusCode and
    StatusReason (got: boto3's ExportStatus), its latest execution a DELIVERY_FAILURE."""
    e = d.get("export", {})
    return (e.get("status") == got["StatusCode"] == "UNHEALTHY" and e.get("status_reason") == got.get("StatusReason")
            and e.get("last_execution", {}).get("status") == "DELIVERY_FAILURE")


def ds_of(r, ds_id):
    for d in (r.json or {}).get("data_sources", []):
        if d["id"] == ds_id:
            return d
    return None


def codes(r, ds_id):
    d = ds_of(r, ds_id)
    return sorted(p["code"] for p in d["problems"]) if d else None


def expect(r, ds_id, want, label):
    got = codes(r, ds_id)
    ok = check(f"{label}: problems {sorted(want)}", got == sorted(want), f"got {got}; stderr {r.stderr[-600:]}")
    rc = 3 if any(p for d in (r.json or {}).get("data_sources", []) for p in d["problems"]) else 0
    check(f"{label}: exit {rc}", r.returncode == rc, f"exit {r.returncode}")
    d = ds_of(r, ds_id) or {}
    for p in d.get("problems", []):
        if not (p["message"] and p["fix"] and p["action"] in ("rotate", "migrate", "connect", "wait", "command")):
            check(f"{label}: {p['code']} has a sentence, a fix and an action", False, json.dumps(p))
    return ok


def same_time(text, when):
    """Whether the JSON's timestamp text is boto3's datetime (to the second)."""
    import datetime as dt
    if not isinstance(text, str):
        return False
    try:
        t = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.timezone.utc)
    return abs((t - when).total_seconds()) < 1


def cloudsim(sim, cmd):
    r = sim.run("sh", CLOUDSIM, cmd, sim.dir)
    check(f"cloudsim {cmd}", r.returncode == 0, r.stdout + r.stderr)
    return r


def member_env(sim):
    return {"AWS_ACCESS_KEY_ID": sim.env["MEMBER_AWS_ACCESS_KEY_ID"],
            "AWS_SECRET_ACCESS_KEY": sim.env["MEMBER_AWS_SECRET_ACCESS_KEY"]}


def cur2_flow(sim, st):
    w = Wizard(sim, "status-cur2")
    bucket = "acme-status"
    s3 = sim.client("s3")
    s3.create_bucket(Bucket=bucket)
    r = w.batch({"connection": "root", "export": {"type": "cur2", "setup": "wizard", "name": "certerox-cur2",
                                                  "bucket": bucket, "prefix": "reports"}})
    if not check("cur2: the wizard connects the account", r.returncode == 0, r.stderr[-800:]):
        return
    ds_id = r.json["data_source_id"]
    # a linked member account in the same organization
    wl = Wizard(sim, "status-linked")
    rl = wl.batch({"connection": "linked"}, env=member_env(sim))
    check("linked: the wizard connects the member account", rl.returncode == 0, rl.stderr[-800:])
    linked_id = (rl.json or {}).get("data_source_id")

    # 1. just created: nothing delivered yet
    r = st.run(w, "--data-source", ds_id, label="new")
    expect(r, ds_id, ["no_delivery_yet"], "new")
    check("new: only the data source asked for", len(r.json["data_sources"]) == 1)

    # 2. CerteroX imports before AWS delivered: OptScale's error text
    cloudsim(sim, "import")
    code, ca, _ = sim.curl("GET", f"/restapi/v2/cloud_accounts/{ds_id}")
    err = (ca or {}).get("last_import_attempt_error")
    check("import before delivery: CerteroX records OptScale's error",
          err == f"Report files for report certerox-cur2 not found in bucket {bucket}", str(err))
    r = st.run(w, "--data-source", ds_id, label="import failed")
    expect(r, ds_id, ["import_failed", "no_delivery_yet"], "import failed")
    d = ds_of(r, ds_id) or {}
    check("import failed: CerteroX's error is reported as it is",
          any(err and err in p["message"] for p in d.get("problems", [])), json.dumps(d.get("problems")))
    t = st.run(w, "--data-source", ds_id, fmt="text", label="text")
    lines = t.stdout.splitlines()
    check("text: one line per data source with its symbol, problems indented with their fixes",
          len(lines) >= 5 and lines[0].startswith("\u2718 ") and ds_id in lines[0]
          and any(x.startswith("    import_failed: ") for x in lines)
          and any(x.startswith("      fix: ") for x in lines) and t.returncode == 3, t.stdout)

    # 3. healthy: delivered and imported
    cloudsim(sim, "deliver")
    cloudsim(sim, "import")
    ak = sim.client("iam").list_access_keys(UserName="certerox-billing")["AccessKeyMetadata"][0]["AccessKeyId"]
    lu = sim.client("iam").get_access_key_last_used(AccessKeyId=ak)["AccessKeyLastUsed"]
    r = st.run(w, "--data-source", ds_id, label="healthy")
    expect(r, ds_id, [], "healthy")
    d = ds_of(r, ds_id) or {}
    bcm = sim.client("bcm-data-exports")
    exp = [e for e in bcm.list_exports()["Exports"] if e["ExportName"] == "certerox-cur2"]
    got = bcm.get_export(ExportArn=exp[0]["ExportArn"]) if exp else {}
    check("healthy: the export's ARN and status are AWS's",
          exp and d.get("export", {}).get("arn") == exp[0]["ExportArn"]
          and d["export"]["status"] == got["ExportStatus"]["StatusCode"] == "HEALTHY", json.dumps(d.get("export")))
    ex = bcm.list_executions(ExportArn=exp[0]["ExportArn"])["Executions"] if exp else []
    check("healthy: the latest execution is AWS's (ListExecutions/GetExecution)",
          ex and d["export"]["last_execution"]["id"] == ex[0]["ExecutionId"]
          and d["export"]["last_execution"]["status"] == "DELIVERY_SUCCESS", json.dumps(d.get("export")))
    keys = sim.client("iam").list_access_keys(UserName="certerox-billing")["AccessKeyMetadata"]
    check("healthy: the key's last use is AWS's before the run's own key check (boto3 GetAccessKeyLastUsed)",
          "LastUsedDate" in lu and same_time(d.get("key", {}).get("last_used_at"), lu["LastUsedDate"])
          and d["key"]["last_used_service"] == lu.get("ServiceName"), f"{json.dumps(d.get('key'))} {lu}")
    check("healthy: the export's last refresh is AWS's (boto3 GetExport)",
          "LastRefreshedAt" in got["ExportStatus"]
          and same_time(d["export"].get("last_refreshed_at"), got["ExportStatus"]["LastRefreshedAt"]),
          f"{json.dumps(d.get('export'))} {got['ExportStatus']}")
    check("healthy: the key is the user's active key",
          d.get("key", {}).get("access_key_id") == keys[0]["AccessKeyId"] and d["key"]["status"] == "Active"
          and d["key"]["age_days"] == 0 and d["key"]["in_vault"] is True and d["key"]["permissions_proved"] is True,
          json.dumps(d.get("key")))
    objs = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="reports/certerox-cur2/").get("Contents", [])]
    data = [k for k in objs if k.endswith(".csv.gz")]
    check("healthy: the delivered files are the bucket's", d.get("bucket", {}).get("files") == len(data) > 0
          and d["bucket"]["manifest"] in objs and d["bucket"]["policy_permits_delivery"] is True,
          json.dumps(d.get("bucket")))
    _, ca, _ = sim.curl("GET", f"/restapi/v2/cloud_accounts/{ds_id}")
    check("healthy: last import is CerteroX's",
          d.get("certerox", {}).get("last_import_at") == time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                                      time.gmtime(ca["last_import_at"])),
          json.dumps(d.get("certerox")))
    all_codes = {p["code"] for x in r.json["data_sources"] for p in x["problems"]}
    check("healthy: no problem code at all", not (all_codes & set(CODES)), str(all_codes))
    if linked_id:
        rl = st.run(wl, "--data-source", linked_id, env=member_env(sim), label="linked healthy")
        expect(rl, linked_id, [], "linked with a Root in the organization, with the member's credentials")
        rl = st.run(wl, "--data-source", linked_id, label="linked as management")
        expect(rl, linked_id, [], "linked, with the management account's credentials (through the member role)")
        dl = ds_of(rl, linked_id) or {}
        check("linked as management: reached through the member's OrganizationAccountAccessRole",
              dl.get("reached_via_role") == f"arn:aws:iam::{sim.env['MEMBER_AWS_ACCOUNT_ID']}:role/{MEMBER_ROLE}"
              and dl.get("key", {}).get("exists") is True, json.dumps(dl)[:1200])

    # 3b. years of old reports before the current period (more keys than one ListObjectsV2 page,
    # the oldest first): the latest period is still the one found, judged by boto3's paginator
    from concurrent.futures import ThreadPoolExecutor
    old = [f"reports/certerox-cur2/data/BILLING_PERIOD={2015 + n // 120}-{n // 10 % 12 + 1:02d}/"
           f"certerox-cur2-{n % 10:05d}.csv.gz" for n in range(1010)]
    with ThreadPoolExecutor(8) as ex:
        list(ex.map(lambda k: s3.put_object(Bucket=bucket, Key=k, Body=b"x"), old))
    allkeys = [o["Key"] for pg in s3.get_paginator("list_objects_v2").paginate(
        Bucket=bucket, Prefix="reports/certerox-cur2/") for o in pg.get("Contents", [])]
    periods = sorted({k.split("BILLING_PERIOD=")[1][:7] for k in allkeys if "BILLING_PERIOD=" in k})
    newest = [k for k in allkeys if f"BILLING_PERIOD={periods[-1]}/" in k]
    r = st.run(w, "--data-source", ds_id, label="many old reports")
    expect(r, ds_id, [], "more than 1000 keys of older periods")
    d = ds_of(r, ds_id) or {}
    check("many old reports: the latest period and its files are boto3's",
          len(allkeys) > 1000 and d.get("bucket", {}).get("latest_billing_period") == periods[-1]
          and d["bucket"]["files"] == len([k for k in newest if k.endswith(".csv.gz")])
          and d["bucket"]["manifest"] in newest, f"{len(allkeys)} keys, {periods[-1]}: {json.dumps(d.get('bucket'))}")
    for n in range(0, len(old), 1000):
        s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in old[n:n + 1000]]})

    # 3c. AWS's side fails the delivery (the bill owner changed, an internal failure): the export
    # alone is unhealthy, the bucket is fine
    for reason in ("BILL_OWNER_CHANGED", "INTERNAL_FAILURE"):
        rr = sim.run("sh", CLOUDSIM, "deliver", sim.dir, "--fail", reason)
        check(f"cloudsim deliver --fail {reason}", rr.returncode == 0, rr.stdout + rr.stderr)
        r = st.run(w, "--data-source", ds_id, label=reason)
        expect(r, ds_id, ["export_unhealthy"], f"delivery failed on AWS's side ({reason})")
        got = bcm.get_export(ExportArn=exp[0]["ExportArn"])["ExportStatus"]
        ex = bcm.list_executions(ExportArn=exp[0]["ExportArn"])["Executions"]
        d = ds_of(r, ds_id) or {}
        check(f"{reason}: status, reason and latest execution are AWS's (boto3)",
              failed_as_aws_says(d, got) and got.get("StatusReason") == reason
              and d["export"]["last_execution"]["id"] == ex[0]["ExecutionId"]
              and any(reason in p["message"] for p in d["problems"]), json.dumps(d.get("export")))
    cloudsim(sim, "deliver")
    r = st.run(w, "--data-source", ds_id, label="delivered after the failures")
    expect(r, ds_id, [], "delivered again after AWS's failures")

    # 4. the key ages: key_old past 90 days only
    now = int(time.time())
    r = st.run(w, "--data-source", ds_id, env={"CX_TEST_NOW": str(now + 89 * 86400)}, label="89 days")
    expect(r, ds_id, [], "key 89 days old")
    r = st.run(w, "--data-source", ds_id, env={"CX_TEST_NOW": str(now + 91 * 86400)}, label="91 days")
    expect(r, ds_id, ["key_old"], "key 91 days old")

    # 5. a vault without this key
    r = st.run(wl, "--data-source", ds_id, label="other vault")
    expect(r, ds_id, ["key_not_in_vault"], "a vault that does not hold the key")
    r = st.run(w, "--data-source", ds_id, vault=False, label="no vault")
    expect(r, ds_id, [], "vault not opened")
    check("no vault: says the vault checks are skipped", "not opened" in r.stderr, r.stderr)

    # 6. the ReadOnly policy detached from the key's user
    iam = sim.client("iam")
    ro = [p["PolicyArn"] for p in iam.list_attached_user_policies(UserName="certerox-billing")["AttachedPolicies"]
          if p["PolicyName"] == "CerteroXReadOnly"]
    iam.detach_user_policy(UserName="certerox-billing", PolicyArn=ro[0])
    r = st.run(w, "--data-source", ds_id, label="detached")
    expect(r, ds_id, ["permission_missing"], "ReadOnly policy detached")
    iam.attach_user_policy(UserName="certerox-billing", PolicyArn=ro[0])

    # 7. the key made inactive
    iam.update_access_key(UserName="certerox-billing", AccessKeyId=keys[0]["AccessKeyId"], Status="Inactive")
    r = st.run(w, "--data-source", ds_id, label="inactive")
    expect(r, ds_id, ["key_inactive"], "key inactive")
    iam.update_access_key(UserName="certerox-billing", AccessKeyId=keys[0]["AccessKeyId"], Status="Active")

    # 7b. the key may not read the files: CerteroX's import fails with OptScale's text. OptScale
    # diworker/diworker/main.py DIWorker.report_import stores str(exc) through
    # importers/base.py update_cloud_import_attempt; the S3 calls are those of
    # tools/cloud_adapter/clouds/aws.py Aws.get_report_files (get_bucket_location,
    # _collect_s3_objects) and download_report_file: a refusal is botocore's ClientError text.
    for action, op, want in (("s3:GetObject", "GetObject", ["import_failed"]),
                             ("s3:ListBucket", "ListObjectsV2", ["import_failed", "permission_missing"])):
        res = f"arn:aws:s3:::{bucket}/*" if action == "s3:GetObject" else f"arn:aws:s3:::{bucket}"
        iam.put_user_policy(UserName="certerox-billing", PolicyName="TestDeny", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": action, "Resource": res}]}))
        cloudsim(sim, "import")
        _, ca, _ = sim.curl("GET", f"/restapi/v2/cloud_accounts/{ds_id}")
        err = (ca or {}).get("last_import_attempt_error") or ""
        check(f"import without {action}: CerteroX stores botocore's error text",
              err.startswith(f"An error occurred (AccessDenied) when calling the {op} operation: ")
              and ca["last_import_attempt_at"] > ca["last_import_at"], json.dumps(ca)[:800])
        r = st.run(w, "--data-source", ds_id, label=f"import without {action}")
        expect(r, ds_id, want, f"import without {action}")
        d = ds_of(r, ds_id) or {}
        check(f"import without {action}: import_failed carries CerteroX's error, the JSON its fields",
              any(p["code"] == "import_failed" and err in p["message"] for p in d.get("problems", []))
              and d.get("certerox", {}).get("last_import_attempt_error") == err
              and d["certerox"]["last_import_attempt_at"] == time.strftime(
                  "%Y-%m-%dT%H:%M:%SZ", time.gmtime(ca["last_import_attempt_at"])), json.dumps(d.get("certerox")))
        iam.delete_user_policy(UserName="certerox-billing", PolicyName="TestDeny")
    cloudsim(sim, "import")
    r = st.run(w, "--data-source", ds_id, label="imported again")
    expect(r, ds_id, [], "the key may read again, imported")

    # 8. the bucket policy no longer lets Data Exports deliver; then AWS's delivery fails
    good_policy = s3.get_bucket_policy(Bucket=bucket)["Policy"]
    pol = json.loads(good_policy)
    pol["Statement"] = [s for s in pol["Statement"] if s.get("Sid") != SID] or [{
        "Sid": "Other", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{sim.env['AWS_ACCOUNT_ID']}:root"},
        "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}]
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(pol))
    r = st.run(w, "--data-source", ds_id, label="policy")
    expect(r, ds_id, ["bucket_policy_blocks_delivery"], "bucket policy without the delivery statement")
    cloudsim(sim, "deliver")
    r = st.run(w, "--data-source", ds_id, label="unhealthy")
    expect(r, ds_id, ["bucket_policy_blocks_delivery", "export_unhealthy"], "after a failed delivery")
    got = bcm.get_export(ExportArn=exp[0]["ExportArn"])["ExportStatus"]
    d = ds_of(r, ds_id) or {}
    check("unhealthy: status and reason are AWS's",
          failed_as_aws_says(d, got) and got.get("StatusReason") == "INSUFFICIENT_PERMISSION",
          json.dumps(d.get("export")))

    # 9. the policy back and delivered again (HEALTHY); then the bucket deleted, the export kept: AWS's
    # next delivery fails for want of the bucket
    s3.put_bucket_policy(Bucket=bucket, Policy=good_policy)
    cloudsim(sim, "deliver")
    r = st.run(w, "--data-source", ds_id, label="healthy again")
    expect(r, ds_id, [], "policy restored and delivered again")
    check("healthy again: AWS's export status", bcm.get_export(ExportArn=exp[0]["ExportArn"])["ExportStatus"]
          ["StatusCode"] == (ds_of(r, ds_id) or {}).get("export", {}).get("status") == "HEALTHY", r.stdout[:600])
    for k in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
        s3.delete_object(Bucket=bucket, Key=k["Key"])
    s3.delete_bucket(Bucket=bucket)
    r = st.run(w, "--data-source", ds_id, label="bucket gone")
    expect(r, ds_id, ["bucket_missing"], "bucket deleted, before AWS's next delivery")
    cloudsim(sim, "deliver")
    r = st.run(w, "--data-source", ds_id, label="bucket gone, delivered")
    expect(r, ds_id, ["bucket_missing", "export_unhealthy"], "bucket deleted, after AWS's delivery")
    got = bcm.get_export(ExportArn=exp[0]["ExportArn"])["ExportStatus"]
    d = ds_of(r, ds_id) or {}
    check("bucket gone: export status and reason are AWS's (boto3 GetExport)",
          failed_as_aws_says(d, got) and d["bucket"]["exists"] is False, json.dumps(d.get("export")))
    # CerteroX's import then fails: Aws.get_bucket_region's BucketNotFoundException text
    cloudsim(sim, "import")
    _, ca, _ = sim.curl("GET", f"/restapi/v2/cloud_accounts/{ds_id}")
    check("bucket gone: CerteroX's import error is OptScale's", (ca or {}).get("last_import_attempt_error")
          == f"Bucket {bucket} not found", json.dumps(ca)[:600])
    r = st.run(w, "--data-source", ds_id, label="bucket gone, imported")
    expect(r, ds_id, ["bucket_missing", "export_unhealthy", "import_failed"], "bucket deleted, import failed")
    d = ds_of(r, ds_id) or {}
    check("bucket gone: import_failed says CerteroX's error",
          any(p["code"] == "import_failed" and f"Bucket {bucket} not found" in p["message"]
              for p in d.get("problems", [])), json.dumps(d.get("problems")))

    # 10. the export deleted too
    bcm.delete_export(ExportArn=exp[0]["ExportArn"])
    r = st.run(w, "--data-source", ds_id, label="export deleted")
    expect(r, ds_id, ["bucket_missing", "export_missing", "import_failed"], "bucket and export deleted")

    # 11. the key deleted
    iam.delete_access_key(UserName="certerox-billing", AccessKeyId=keys[0]["AccessKeyId"])
    r = st.run(w, "--data-source", ds_id, label="key deleted")
    expect(r, ds_id, ["bucket_missing", "export_missing", "import_failed", "key_missing"], "key deleted")

    # 12. the whole organization: both data sources, one line each
    r = st.run(w, fmt="text", vault=False, label="organization")
    lines = [x for x in r.stdout.splitlines() if not x.startswith(" ")]
    check("organization: one line per data source", len(lines) == 2 and r.returncode == 3, r.stdout)

    # 13. the Root data source removed from CerteroX: the linked one has none left
    if linked_id:
        code, _, _ = sim.curl("DELETE", f"/restapi/v2/cloud_accounts/{ds_id}")
        check("Root data source removed", code == 204, str(code))
        rl = st.run(wl, "--data-source", linked_id, env=member_env(sim), label="linked alone")
        expect(rl, linked_id, ["linked_without_root"], "linked without a Root data source")
    r = st.run(w, "--data-source", "no-such-id", label="unknown id")
    check("unknown --data-source: exit 65 naming the id", r.returncode == 65 and "no-such-id" in r.stderr,
          f"{r.returncode} {r.stderr}")


def boto_session(akid, secret, token=None):
    import boto3
    return boto3.session.Session(aws_access_key_id=akid, aws_secret_access_key=secret, aws_session_token=token,
                                 region_name="us-east-1")


def in_account(sim, acct, svc, role=MEMBER_ROLE):
    """A boto3 client inside a member account, through its role (as the management administrator)."""
    adm = boto_session(sim.env["AWS_ACCESS_KEY_ID"], sim.env["AWS_SECRET_ACCESS_KEY"])
    c = adm.client("sts", endpoint_url=sim.env["AWS_ENDPOINT_URL"], verify=sim.env["AWS_CA_BUNDLE"]).assume_role(
        RoleArn=f"arn:aws:iam::{acct}:role/{role}", RoleSessionName="test-status")["Credentials"]
    return boto_session(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"]).client(
        svc, endpoint_url=sim.env["AWS_ENDPOINT_URL"], verify=sim.env["AWS_CA_BUNDLE"])


def org_flow():
    """Member accounts of the management account's Organization, connected by action organization
    (role access for two, user access for one), checked from the management account: through the
    member role (user access) and with the management account's key (role access)."""
    sim = Sim("--member-accounts", "3").start()
    try:
        st = Status(sim)
        w = Wizard(sim, "status-org")
        m1, m2, m3 = (f"{400000000000 + i:012d}" for i in (1, 2, 3))
        sim.client("s3").create_bucket(Bucket="acme-status-org")
        r = w.batch({"connection": "root", "export": {"type": "cur2", "setup": "wizard", "name": "certerox-cur2",
                                                      "bucket": "acme-status-org", "prefix": "reports"}})
        if not check("org: the management account connected (Root)", r.returncode == 0, r.stderr[-800:]):
            return
        root_id = r.json["data_source_id"]
        r = w.batch({"action": "organization", "organization": {"accounts": [m1, m2], "access": "role"}},
                    "--certerox-url", sim.env["CERTEROX_URL"])
        check("org: two members connected with role access", r.returncode == 0, r.stderr[-800:])
        r = w.batch({"action": "organization", "organization": {"accounts": [m3], "access": "user"}},
                    "--certerox-url", sim.env["CERTEROX_URL"])
        check("org: one member connected with user access", r.returncode == 0, r.stderr[-800:])
        cloudsim(sim, "deliver")
        cloudsim(sim, "import")
        code, j, _ = sim.curl("GET", f"/restapi/v2/organizations/{sim.env['CERTEROX_ORGANIZATION_ID']}/cloud_accounts")
        dss = {d.get("account_id"): d for d in (j or {}).get("cloud_accounts", [])}
        ids = {a: (dss.get(a) or {}).get("id") for a in (m1, m2, m3)}
        cfg1 = (dss.get(m1) or {}).get("config") or {}
        check("org: CerteroX has the three member data sources, m1 with role access",
              all(ids.values()) and cfg1.get("assume_role_account_id") == m1, json.dumps(dss)[:1500])

        r = rh = st.run(w, label="org healthy")
        for a in (m1, m2, m3):
            expect(r, ids[a], [], f"org member {a} healthy")
        expect(r, root_id, [], "org: the management account's Root")
        check("org healthy: exit 0", r.returncode == 0, f"exit {r.returncode}")
        d3 = ds_of(r, ids[m3]) or {}
        iam3 = in_account(sim, m3, "iam")
        akid3 = (dss.get(m3) or {}).get("config", {}).get("access_key_id")
        lu3 = iam3.get_access_key_last_used(AccessKeyId=akid3)
        check("org: the user-access member is reached through its member role; its key is the member's (boto3)",
              d3.get("reached_via_role") == f"arn:aws:iam::{m3}:role/{MEMBER_ROLE}"
              and d3.get("key", {}).get("user") == lu3["UserName"] and d3["key"]["exists"] is True
              and d3["key"]["permissions_proved"] is True, json.dumps(d3)[:1500])
        d1 = ds_of(r, ids[m1]) or {}
        akid1 = cfg1.get("access_key_id")
        lu1 = sim.client("iam").get_access_key_last_used(AccessKeyId=akid1)
        check("org: the role-access member's key is the management account's (boto3), proved to assume its role",
              d1.get("key", {}).get("user") == lu1["UserName"] and d1["key"]["status"] == "Active"
              and d1["key"]["assume_role_arn"] == f"arn:aws:iam::{m1}:role/{cfg1.get('assume_role_name')}"
              and d1["key"]["permissions_proved"] is True and d1["account_reachable"] is True,
              json.dumps(d1)[:1500])
        # a Root data source of an account outside the Organization
        sa = Wizard(sim, "status-standalone")
        senv = {"AWS_ACCESS_KEY_ID": sim.env["STANDALONE_AWS_ACCESS_KEY_ID"],
                "AWS_SECRET_ACCESS_KEY": sim.env["STANDALONE_AWS_SECRET_ACCESS_KEY"]}
        boto_session(senv["AWS_ACCESS_KEY_ID"], senv["AWS_SECRET_ACCESS_KEY"]).client(
            "s3", endpoint_url=sim.env["AWS_ENDPOINT_URL"], verify=sim.env["AWS_CA_BUNDLE"]).create_bucket(
            Bucket="acme-standalone")
        r = sa.batch({"connection": "root", "export": {"type": "cur2", "setup": "wizard", "name": "certerox-cur2",
                                                       "bucket": "acme-standalone", "prefix": "reports"}}, env=senv)
        check("org: a standalone account connected (Root)", r.returncode == 0, r.stderr[-800:])
        alone_id = (r.json or {}).get("data_source_id")
        r = st.run(w, label="org standalone")
        expect(r, alone_id, ["account_unreachable", "key_not_in_vault"],
               "org: a Root data source outside the Organization (its key in another vault)")
        da = ds_of(r, alone_id) or {}
        check("org: outside the Organization: export and bucket not checked, saying it is not a member",
              da.get("export", {}).get("exists") is None and da.get("bucket", {}).get("exists") is None
              and "not a member" in (da.get("unreachable_reason") or "")
              and any("not a member" in p["message"] for p in da.get("problems", [])), json.dumps(da)[:1500])
        r = st.run(sa, "--data-source", alone_id, env=senv, label="standalone itself")
        expect(r, alone_id, ["no_delivery_yet"], "org: the standalone account with its own credentials")
        # a Root data source in a member account (its own export and bucket), checked from the
        # management account through the member role
        mw = Wizard(sim, "status-member-root")
        menv = member_env(sim)
        boto_session(menv["AWS_ACCESS_KEY_ID"], menv["AWS_SECRET_ACCESS_KEY"]).client(
            "s3", endpoint_url=sim.env["AWS_ENDPOINT_URL"], verify=sim.env["AWS_CA_BUNDLE"]).create_bucket(
            Bucket="acme-member-root")
        r = mw.batch({"connection": "root", "export": {"type": "cur2", "setup": "wizard", "name": "member-cur2",
                                                       "bucket": "acme-member-root", "prefix": "reports"}}, env=menv)
        if check("org: a member account connected as Root with its own credentials", r.returncode == 0,
                 r.stderr[-800:]):
            mroot = r.json["data_source_id"]
            cloudsim(sim, "deliver")
            r = st.run(w, "--data-source", mroot, vault=False, label="member Root")
            expect(r, mroot, [], "org: a member's Root data source, through the member role")
            d = ds_of(r, mroot) or {}
            bcm = in_account(sim, sim.env["MEMBER_AWS_ACCOUNT_ID"], "bcm-data-exports")
            ex = [e for e in bcm.list_exports()["Exports"] if e["ExportName"] == "member-cur2"]
            got = bcm.get_export(ExportArn=ex[0]["ExportArn"])["ExportStatus"] if ex else {}
            check("org: the member's export and bucket are the member's (boto3 in the member)",
                  ex and d.get("export", {}).get("arn") == ex[0]["ExportArn"]
                  and d["export"]["status"] == got.get("StatusCode") == "HEALTHY"
                  and d["bucket"]["exists"] is True and d["bucket"]["files"] == 1
                  and d["reached_via_role"].endswith(f":role/{MEMBER_ROLE}"), json.dumps(d)[:1500])
        check("org: AssumeRole is the only sts call beside GetCallerIdentity",
              {x.get("operation") for x in rh.requests if x.get("service") == "sts"} == {"GetCallerIdentity",
                                                                                      "AssumeRole"},
              str({x.get("operation") for x in rh.requests if x.get("service") == "sts"}))

        # the CerteroXDiscover role of m1 no longer trusts the management user
        iam1 = in_account(sim, m1, "iam")
        role = cfg1.get("assume_role_name")
        trust = iam1.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"]
        iam1.update_assume_role_policy(RoleName=role, PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{m1}:root"},
                                                    "Action": "sts:AssumeRole"}]}))
        r = st.run(w, label="org trust removed")
        expect(r, ids[m1], ["permission_missing"], "org: m1's role no longer trusts the key's user")
        expect(r, ids[m2], [], "org: m2 unaffected")
        d1 = ds_of(r, ids[m1]) or {}
        check("org: permission_missing names sts:AssumeRole and the role",
              "sts:AssumeRole" in (d1.get("key", {}).get("permission_error") or "")
              and f"arn:aws:iam::{m1}:role/{role}" in d1["key"]["permission_error"], json.dumps(d1.get("key")))
        iam1.update_assume_role_policy(RoleName=role, PolicyDocument=json.dumps(trust) if isinstance(trust, dict)
                                       else trust)
        r = st.run(w, "--data-source", ids[m1], label="org trust back")
        expect(r, ids[m1], [], "org: m1's trust restored")

        # m3's member role deleted: the administrator cannot reach it
        iam3.create_role(RoleName="TestSpare", AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{MGMT}:root"},
                                                    "Action": "sts:AssumeRole"}]}))
        iam3.put_role_policy(RoleName="TestSpare", PolicyName="all", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
        spare = in_account(sim, m3, "iam", role="TestSpare")
        for p in spare.list_role_policies(RoleName=MEMBER_ROLE)["PolicyNames"]:
            spare.delete_role_policy(RoleName=MEMBER_ROLE, PolicyName=p)
        spare.delete_role(RoleName=MEMBER_ROLE)
        r = st.run(w, label="org member role deleted")
        expect(r, ids[m3], ["account_unreachable"], "org: m3 without its member role")
        expect(r, ids[m1], [], "org: m1 (role access) does not need the member role")
        d3 = ds_of(r, ids[m3]) or {}
        why = d3.get("unreachable_reason") or ""
        check("org: account_unreachable says AssumeRole of the member role was refused",
              f"arn:aws:iam::{m3}:role/{MEMBER_ROLE}" in why and "AccessDenied" in why
              and d3.get("key", {}).get("exists") is None, why)
    finally:
        sim.cleanup()


def legacy_flow(sim, st):
    w = Wizard(sim, "status-legacy")
    bucket = "acme-status-legacy"
    s3 = sim.client("s3")
    s3.create_bucket(Bucket=bucket)
    org2 = [o for o in sim.curl("GET", "/restapi/v2/organizations")[1]["organizations"]
            if o["id"] != sim.env["CERTEROX_ORGANIZATION_ID"]][0]["id"]
    env = {"CERTEROX_ORGANIZATION_ID": org2}
    r = w.batch({"connection": "root", "iam": {"user": "certerox-legacy"},
                 "export": {"type": "legacy", "setup": "wizard", "name": "certerox-cur", "bucket": bucket,
                            "prefix": "reports"}}, env=env)
    if not check("legacy: the wizard connects the account", r.returncode == 0, r.stderr[-800:]):
        return
    ds_id = r.json["data_source_id"]
    r = st.run(w, "--data-source", ds_id, env=env, label="legacy new")
    expect(r, ds_id, ["no_delivery_yet"], "legacy: nothing delivered yet")
    d = ds_of(r, ds_id) or {}
    check("legacy new: no ReportStatus yet, no file (boto3)",
          d.get("export", {}).get("last_status") is None and d["bucket"]["files"] == 0
          and not s3.list_objects_v2(Bucket=bucket, Prefix="reports/certerox-cur/").get("Contents"),
          json.dumps(d)[:800])
    cloudsim(sim, "deliver")
    cloudsim(sim, "import")
    r = st.run(w, "--data-source", ds_id, env=env, label="legacy healthy")
    expect(r, ds_id, [], "legacy healthy")
    d = ds_of(r, ds_id) or {}
    rep = [x for x in sim.client("cur").describe_report_definitions()["ReportDefinitions"]
           if x["ReportName"] == "certerox-cur"]
    check("legacy healthy: ReportStatus is AWS's", rep and d.get("export", {}).get("last_status") ==
          rep[0].get("ReportStatus", {}).get("lastStatus") == "SUCCESS", json.dumps(d.get("export")))
    s3.delete_bucket_policy(Bucket=bucket)
    cloudsim(sim, "deliver")
    r = st.run(w, "--data-source", ds_id, env=env, label="legacy unhealthy")
    expect(r, ds_id, ["bucket_policy_blocks_delivery", "export_unhealthy"], "legacy: bucket policy removed")
    # the bucket gone, the report kept: AWS's next delivery says ERROR_NO_BUCKET
    for k in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
        s3.delete_object(Bucket=bucket, Key=k["Key"])
    s3.delete_bucket(Bucket=bucket)
    cloudsim(sim, "deliver")
    r = st.run(w, "--data-source", ds_id, env=env, label="legacy bucket gone")
    expect(r, ds_id, ["bucket_missing", "export_unhealthy"], "legacy: bucket deleted, after AWS's delivery")
    rep = [x for x in sim.client("cur").describe_report_definitions()["ReportDefinitions"]
           if x["ReportName"] == "certerox-cur"]
    d = ds_of(r, ds_id) or {}
    check("legacy bucket gone: ReportStatus is AWS's ERROR_NO_BUCKET (boto3)",
          rep and d.get("export", {}).get("last_status") == rep[0].get("ReportStatus", {}).get("lastStatus")
          == "ERROR_NO_BUCKET" and any("ERROR_NO_BUCKET" in p["message"] for p in d.get("problems", [])),
          json.dumps(d.get("export")))


def main():
    # the "writes nothing" check itself: every CerteroX method that changes state counts
    check("writes(): CerteroX PUT, PATCH, DELETE and POST are writes, GET and sts AssumeRole are not",
          [len(writes([{"service": "certerox", "operation": f"{m} /restapi/v2/cloud_accounts/x"}]))
           for m in ("PUT", "PATCH", "DELETE", "POST", "GET")] == [1, 1, 1, 1, 0]
          and writes([{"service": "sts", "operation": "AssumeRole"}]) == [])
    sim = Sim("--organizations", "2").start()
    try:
        st = Status(sim)
        cur2_flow(sim, st)
        legacy_flow(sim, st)
    finally:
        sim.cleanup()
    org_flow()
    return finish()


if __name__ == "__main__":
    sys.exit(main())
