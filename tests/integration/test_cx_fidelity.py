#!/usr/bin/env python3
"""Issue 13 B: the wizard (real binary, --batch) against a sim that answers as OptScale does.
End states are judged with boto3 and curl, never by the wizard's own words.

- B1: the create's answer is lost (connection reset after it took effect): the retry meets
  409 OE0402 (OptScale checks the account before the name); the wizard finds its data source
  by account id and key id; one data source, one create that took effect.
- B2: an OptScale before 2024-08 (no cur_version): a CUR 2.0 run stops before any AWS write and
  names export.type "legacy"; the legacy run sends neither cur_version nor use_edp_discount.
  Before 2024-10: cur_version sent, use_edp_discount not.
- B3: an existing export whose S3Prefix ends in '/': CerteroX is sent exactly that prefix
  (create_report compares it exactly) and accepts it.
- B4: a Data Export without TIME_GRANULARITY in the account: CerteroX's listing answers 500,
  so the plan asks for bucket_only (prefix without '/'); with a prefix with '/' it stops before
  any write naming the export.
- B5: CerteroX answers 500 to the first create after the AWS work: only the submission is
  sent again; every AWS write happened once."""

import collections
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from flowlib import Sim, Wizard, check, finish, writes  # noqa: E402
from simtest import bucket_policy, export_def  # noqa: E402


def faulted(rules_for_org):
    """A sim whose faults name the organization's create path (known once it has started)."""
    sim = Sim().start()
    org = sim.env["CERTEROX_ORGANIZATION_ID"]
    sim.stop()
    p = os.path.join(sim.dir, "faults.json")
    with open(p, "w") as f:
        json.dump(rules_for_org(f"POST /restapi/v2/organizations/{org}/cloud_accounts"), f)
    sim.opts = ["--faults", p]
    return sim.start()


def cur2_answers(bucket, prefix="reports", setup="wizard", name="certerox-cur2", typ="cur2"):
    return {"connection": "root",
            "export": {"type": typ, "setup": setup, "name": name, "bucket": bucket, "prefix": prefix}}


def data_sources(sim):
    org = sim.env["CERTEROX_ORGANIZATION_ID"]
    st, j, t = sim.curl("GET", f"/restapi/v2/organizations/{org}/cloud_accounts")
    return (j or {}).get("cloud_accounts", []) if st == 200 else None


def b1_lost_create():
    sim = faulted(lambda op: [{"service": "certerox", "operation": op, "nth": 1, "fault": "reset"}])
    try:
        sim.client("s3").create_bucket(Bucket="b1-bkt")
        w = Wizard(sim, "b1")
        r = w.batch(cur2_answers("b1-bkt"))
        check("B1: the create's answer lost -> exit 0", r.returncode == 0, r.stderr[-1200:])
        posts = [q for q in sim.requests() if q["service"] == "certerox" and q["operation"].startswith("POST ")
                 and q["operation"].endswith("/cloud_accounts")]
        check("B1: the create was sent again and met 409 OE0402 (the account is connected)",
              len(posts) == 2 and posts[0]["error"] == "reset" and posts[1]["status"] == 409
              and posts[1]["error"] == "OE0402", str([(q["status"], q["error"]) for q in posts]))
        ds = data_sources(sim) or []
        mine = [d for d in ds if d["account_id"] == sim.env["AWS_ACCOUNT_ID"]]
        check("B1: CerteroX holds one data source of the account (curl)", len(mine) == 1, str(ds))
        keys = sim.client("iam").list_access_keys(UserName="certerox-billing")["AccessKeyMetadata"]
        check("B1: it uses the wizard's key, and the wizard reports that data source",
              mine and len(keys) == 1 and mine[0]["config"]["access_key_id"] == keys[0]["AccessKeyId"]
              and (r.json or {}).get("data_source_id") == mine[0]["id"], f"{mine} {keys} {r.json}")
    finally:
        sim.cleanup()


def b5_server_error():
    sim = faulted(lambda op: [{"service": "certerox", "operation": op, "nth": 1, "fault": "server_error"}])
    try:
        sim.client("s3").create_bucket(Bucket="b5-bkt")
        w = Wizard(sim, "b5")
        n0 = len(sim.requests())
        r = w.batch(cur2_answers("b5-bkt"))
        reqs = sim.requests()[n0:]
        check("B5: CerteroX 500 on the first create -> exit 0", r.returncode == 0, r.stderr[-1200:])
        aw = [(q["operation"], q.get("request_digest")) for q in reqs if q["service"] != "certerox" and writes([q])]
        dup = [k for k, n in collections.Counter(aw).items() if n > 1]  # the same request twice
        check("B5: every AWS write happened once (the 500 repeated no AWS work)", aw and not dup, str(aw))
        posts = [q for q in reqs if q["service"] == "certerox" and q["operation"].endswith("/cloud_accounts")
                 and q["operation"].startswith("POST ")]
        check("B5: only the submission was sent again (500, then 201)",
              [q["status"] for q in posts] == [500, 201], str([(q["status"], q["error"]) for q in posts]))
        # the new key's description (iam TagUser) runs beside the submission, so it may start a
        # moment after a quick 500; what the 500 must not cause is any other AWS request (no
        # rediscovery, no repeated write) once it is answered
        late = [q["operation"] for q in reqs if q["service"] != "certerox"
                and q.get("access_key_id") == sim.env["AWS_ACCESS_KEY_ID"]
                and posts and q["start"] > posts[0]["end"]]
        check("B5: no request of the wizard's administrator after the first submission's 500",
              posts and all(op == "TagUser" for op in late) and len(late) <= 1, str(late))
        ds = [d for d in data_sources(sim) or [] if d["account_id"] == sim.env["AWS_ACCOUNT_ID"]]
        check("B5: one data source (curl)", len(ds) == 1, str(ds))
    finally:
        sim.cleanup()


def b2_releases():
    sim = Sim("--certerox-version", "2024-07").start()
    try:
        sim.client("s3").create_bucket(Bucket="b2-bkt")
        w = Wizard(sim, "b2")
        n0 = len(sim.requests())
        r = w.batch(cur2_answers("b2-bkt"))
        reqs = sim.requests()[n0:]
        check("B2: OptScale 2024-07, CUR 2.0 -> refused before any write, naming export.type \"legacy\"",
              r.returncode != 0 and "export.type" in r.stderr and '"legacy"' in r.stderr and writes(reqs) == [],
              f"rc={r.returncode} {r.stderr[-800:]} {writes(reqs)}")
        probe = [q for q in reqs if q["operation"] == "POST /restapi/v2/cloud_account_verify"]
        check("B2: the keys were learnt with one cloud_account_verify (OE0212)",
              len(probe) == 1 and probe[0]["error"] == "OE0212", str(probe))
        r = w.batch(cur2_answers("b2-bkt", typ="legacy", name="certerox-cur"))
        check("B2: OptScale 2024-07, legacy CUR -> exit 0", r.returncode == 0, r.stderr[-1200:])
        ds = [d for d in data_sources(sim) or [] if d["account_id"] == sim.env["AWS_ACCOUNT_ID"]]
        check("B2: ... the data source was sent neither cur_version nor use_edp_discount (curl)",
              len(ds) == 1 and "cur_version" not in ds[0]["config"] and "use_edp_discount" not in ds[0]["config"],
              str(ds))
    finally:
        sim.cleanup()
    sim = Sim("--certerox-version", "2024-09").start()
    try:
        sim.client("s3").create_bucket(Bucket="b2-bkt")
        w = Wizard(sim, "b2b")
        r = w.batch(cur2_answers("b2-bkt"))
        ds = [d for d in data_sources(sim) or [] if d["account_id"] == sim.env["AWS_ACCOUNT_ID"]]
        check("B2: OptScale 2024-09, CUR 2.0 -> exit 0, cur_version 2 sent, use_edp_discount not (curl)",
              r.returncode == 0 and len(ds) == 1 and ds[0]["config"].get("cur_version") == 2
              and "use_edp_discount" not in ds[0]["config"], r.stderr[-800:] + str(ds))
    finally:
        sim.cleanup()


def b2_lifecycle_releases():
    """Rotate and migrate on older releases: the PATCH carries the data source's whole config, so
    it must leave out the keys the release does not know (OptScale before 2024-08 has no
    cur_version, before 2024-10 no use_edp_discount: OE0212), and a migrate to CUR 2.0 on a
    release without cur_version is refused before any write."""
    for ver, has_cur in (("2024-07", False), ("2024-09", True)):
        sim = Sim("--certerox-version", ver).start()
        try:
            sim.client("s3").create_bucket(Bucket="b2l-bkt")
            w = Wizard(sim, "b2l" + ver)
            r = w.batch(cur2_answers("b2l-bkt", typ="legacy", name="certerox-cur"))
            if not check(f"B2 {ver}: legacy CUR connected", r.returncode == 0, r.stderr[-800:]):
                continue
            ds_id = r.json["data_source_id"]
            old = [k["AccessKeyId"] for k in
                   sim.client("iam").list_access_keys(UserName="certerox-billing")["AccessKeyMetadata"]]
            r = w.batch({"action": "rotate", "rotate": {"data_source_id": ds_id}})
            ds = [d for d in data_sources(sim) or [] if d["id"] == ds_id]
            keys = [k["AccessKeyId"] for k in
                    sim.client("iam").list_access_keys(UserName="certerox-billing")["AccessKeyMetadata"]]
            cfg = ds[0]["config"] if ds else {}
            check(f"B2 {ver}: rotate exits 0; CerteroX holds the new key, the only one left (curl, boto3)",
                  r.returncode == 0 and len(keys) == 1 and keys != old and cfg.get("access_key_id") == keys[0],
                  f"rc={r.returncode} {r.stderr[-800:]} keys={keys} old={old} cfg={cfg}")
            check(f"B2 {ver}: ... the PATCH sent no key the release refuses (curl: use_edp_discount absent, "
                  f"cur_version {'1' if has_cur else 'absent'})",
                  "use_edp_discount" not in cfg and cfg.get("cur_version") == (1 if has_cur else None), str(cfg))
            n0 = len(sim.requests())
            r = w.batch({"action": "migrate", "migrate": {"data_source_id": ds_id, "export_name": "certerox-cur2"}})
            new = writes(sim.requests()[n0:])
            ds = [d for d in data_sources(sim) or [] if d["id"] == ds_id]
            cfg = ds[0]["config"] if ds else {}
            if has_cur:
                exps = [e["ExportName"] for e in sim.client("bcm-data-exports").list_exports()["Exports"]]
                check(f"B2 {ver}: migrate exits 0: cur_version 2 and the export, use_edp_discount not sent "
                      "(curl, boto3)",
                      r.returncode == 0 and cfg.get("cur_version") == 2 and cfg.get("report_name") == "certerox-cur2"
                      and "use_edp_discount" not in cfg and exps == ["certerox-cur2"],
                      f"rc={r.returncode} {r.stderr[-800:]} cfg={cfg} exports={exps}")
            else:
                check(f"B2 {ver}: migrate refused before any write, naming config.cur_version and the release",
                      r.returncode == 65 and "config.cur_version" in r.stderr and "2024-08" in r.stderr
                      and new == [] and cfg.get("report_name") == "certerox-cur",
                      f"rc={r.returncode} {r.stderr[-800:]} writes={new} cfg={cfg}")
        finally:
            sim.cleanup()


def b3_prefix_verbatim():
    sim = Sim().start()
    try:
        acct = sim.env["AWS_ACCOUNT_ID"]
        s3 = sim.client("s3")
        s3.create_bucket(Bucket="b3-bkt")
        s3.put_bucket_policy(Bucket="b3-bkt", Policy=bucket_policy("b3-bkt", acct))
        sim.client("bcm-data-exports").create_export(
            Export=export_def("theirs", "b3-bkt", prefix="billing/", region="us-east-1"))
        w = Wizard(sim, "b3")
        r = w.batch(cur2_answers("b3-bkt", prefix="billing", setup="existing", name="theirs"))
        check("B3: existing export with S3Prefix 'billing/' -> exit 0", r.returncode == 0, r.stderr[-1200:])
        ds = [d for d in data_sources(sim) or [] if d["account_id"] == acct]
        check("B3: CerteroX was sent the prefix as AWS stores it ('billing/', create_report) (curl)",
              len(ds) == 1 and ds[0]["config"].get("bucket_prefix") == "billing/"
              and ds[0]["config"].get("config_scheme") == "create_report", str(ds))
        exps = sim.client("bcm-data-exports").list_exports()["Exports"]
        check("B3: the export is untouched and alone (boto3)", [e["ExportName"] for e in exps] == ["theirs"], str(exps))
    finally:
        sim.cleanup()


def b4_odd_export():
    sim = Sim().start()
    try:
        acct = sim.env["AWS_ACCOUNT_ID"]
        s3 = sim.client("s3")
        s3.create_bucket(Bucket="b4-bkt")
        s3.put_bucket_policy(Bucket="b4-bkt", Policy=bucket_policy("b4-bkt", acct))
        odd = export_def("odd", "b4-bkt", prefix="odd", region="us-east-1")
        del odd["DataQuery"]["TableConfigurations"]["COST_AND_USAGE_REPORT"]["TIME_GRANULARITY"]
        sim.client("bcm-data-exports").create_export(Export=odd)
        w = Wizard(sim, "b4")
        n0 = len(sim.requests())
        r = w.batch(cur2_answers("b4-bkt", prefix="a/b"))
        reqs = sim.requests()[n0:]
        check("B4: an export without TIME_GRANULARITY and a prefix with '/' -> stopped before any write, "
              "naming the export", r.returncode != 0 and "odd" in r.stderr and "TIME_GRANULARITY" in r.stderr
              and writes(reqs) == [], f"rc={r.returncode} {r.stderr[-800:]} {writes(reqs)}")
        n0 = len(sim.requests())
        r = w.batch(cur2_answers("b4-bkt", prefix="reports"))
        reqs = sim.requests()[n0:]
        check("B4: ... with prefix 'reports' -> exit 0 with a warning naming the export",
              r.returncode == 0 and "odd" in r.stderr, r.stderr[-1200:])
        ds = [d for d in data_sources(sim) or [] if d["account_id"] == acct]
        check("B4: the data source reads the bucket (bucket_only) (curl)",
              len(ds) == 1 and ds[0]["config"].get("config_scheme") == "bucket_only"
              and ds[0]["config"].get("report_name") == "certerox-cur2", str(ds))
        five = [q for q in reqs if q["service"] == "certerox" and (q["status"] or 0) >= 500]
        check("B4: CerteroX never answered 500", five == [], str(five))
    finally:
        sim.cleanup()


if __name__ == "__main__":
    only = sys.argv[1:]
    for fn in (b1_lost_create, b5_server_error, b2_releases, b2_lifecycle_releases, b3_prefix_verbatim,
               b4_odd_export):
        if not only or fn.__name__ in only:
            try:
                fn()
            except Exception as e:  # a crash is a failure, with its cause
                import traceback
                traceback.print_exc()
                check(f"{fn.__name__} ran to the end", False, repr(e))
    sys.exit(finish())
