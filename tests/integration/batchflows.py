#!/usr/bin/env python3
"""End to end (library of the test_batch_*.py tests): the real binary in --batch against the simulated cloud (TLS, signature and IAM
enforcement on), one fresh cloud per flow. For each flow: exit status, the AWS end state seen
through botocore (bucket policy statements, policies, user, attachments, keys, exports or
reports), the data source seen through the CerteroX API, the secret only in the vault, and a
re-run that writes nothing."""

import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from flowlib import Sim, Wizard, check, finish, writes  # noqa: E402
import test_vault_format as vf  # noqa: E402

SID = "EnableAWSDataExportsToWriteToS3AndCheckPolicy"


def vault_doc(w):
    if vf.SODIUM is None:
        vf.SODIUM = vf.load_sodium()
    with open(w.vault, "rb") as f:
        return vf.decrypt_vault(f.read(), vf_pass(w))[0]


def vf_pass(w):
    with open(w.pass_file, "rb") as f:
        return f.read().rstrip(b"\n")


def bucket_statements(sim, bucket):
    s3 = sim.client("s3")
    pol = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    return pol["Statement"]


def assert_common(sim, w, r, flow, answers, user="certerox-billing", linked=False):
    """What every successful flow leaves behind."""
    ok = check(f"{flow}: exit 0", r.returncode == 0, r.stderr[-1500:])
    if not ok:
        return None
    summ = r.json or {}
    ds_id = summ.get("data_source_id")
    check(f"{flow}: summary names the data source", bool(ds_id), r.stdout[:300])
    iam = sim.client("iam")
    keys = iam.list_access_keys(UserName=user)["AccessKeyMetadata"]
    check(f"{flow}: the user has exactly one access key", len(keys) == 1, str(keys))
    attached = {p["PolicyName"] for p in iam.list_attached_user_policies(UserName=user)["AttachedPolicies"]}
    want = {"CerteroXDiscoverResources"} if linked else {"CerteroXReadOnly", "CerteroXDiscoverResources"}
    check(f"{flow}: policies attached {sorted(want)}", attached == want, str(attached))
    # CerteroX has it, with the key of the vault
    code, ds, _ = sim.curl("GET", f"/restapi/v2/cloud_accounts/{ds_id}")
    check(f"{flow}: CerteroX GET data source 200", code == 200, str(code))
    doc = vault_doc(w)
    recs = [d for d in doc.get("data_sources", []) if d.get("data_source_id") == ds_id]
    check(f"{flow}: the vault holds the data source", len(recs) == 1, json.dumps(doc)[:300])
    if recs and ds:
        check(f"{flow}: vault key = CerteroX key = AWS key",
              recs[0]["access_key_id"] == ds["config"]["access_key_id"] == keys[0]["AccessKeyId"])
        secret = recs[0]["secret_access_key"]
        check(f"{flow}: the new secret appears nowhere but in the vault",
              secret not in r.stdout and secret not in r.stderr and secret not in w.files_text())
    admin_secret = sim.env["AWS_SECRET_ACCESS_KEY"]
    check(f"{flow}: the administrator's secret and the CerteroX token appear in no output",
          admin_secret not in r.stdout + r.stderr and sim.env["CERTEROX_TOKEN"] not in r.stdout + r.stderr)
    st = os.stat(w.vault)
    check(f"{flow}: vault 0600, directory 0700",
          (st.st_mode & 0o777) == 0o600 and (os.stat(os.path.dirname(w.vault)).st_mode & 0o777) == 0o700)
    check(f"{flow}: state directory 0700", (os.stat(w.state).st_mode & 0o777) == 0o700)
    # a re-run writes nothing
    n0 = len(sim.requests())
    r2 = w.batch(answers)
    new = sim.requests()[n0:]
    check(f"{flow}: re-run exits 0", r2.returncode == 0, r2.stderr[-800:])
    check(f"{flow}: re-run only reads", writes(new) == [], str(writes(new)))
    check(f"{flow}: re-run names the same data source", (r2.json or {}).get("data_source_id") == ds_id)
    # without an organization id: discovery picks the token's only organization (no second lookup)
    n0 = len(sim.requests())
    r3 = w.batch(answers, env={"CERTEROX_ORGANIZATION_ID": None})
    new = sim.requests()[n0:]
    cx = sorted(re.sub(r"/organizations/[^/]+/", "/organizations/{id}/", q["operation"]) for q in new
                if q["service"] == "certerox")
    check(f"{flow}: re-run without an organization id exits 0 and names the same data source",
          r3.returncode == 0 and (r3.json or {}).get("data_source_id") == ds_id, r3.stderr[-800:])
    # (a Root connection also probes which config keys CerteroX accepts: one verify, see B2)
    want = ["GET /restapi/v2/organizations", "GET /restapi/v2/organizations/{id}/cloud_accounts"]
    if not linked:
        want.append("POST /restapi/v2/cloud_account_verify")
    check(f"{flow}: ... reads CerteroX's organizations and their data sources once each",
          cx == sorted(want), str(cx))
    return ds


def root_flow(typ, setup):
    flow = f"root/{typ}/{setup}"
    sim = Sim().start()
    try:
        w = Wizard(sim, flow.replace("/", "-"))
        bucket = f"acme-{typ}-{setup}"
        sim.client("s3").create_bucket(Bucket=bucket)
        name = "certerox-cur2" if typ == "cur2" else "certerox-cur"
        ans = {"connection": "root",
               "export": {"type": typ, "setup": setup, "name": name, "bucket": bucket, "prefix": "reports"}}
        if setup in ("existing", "detect"):
            # the export exists and AWS has delivered files: made by a first wizard run
            # with a different IAM user, then its data source removed from CerteroX.
            pre = Wizard(sim, "pre")
            rp = pre.batch({"connection": "root", "iam": {"user": "pre-user"},
                            "export": {"type": typ, "setup": "wizard", "name": name, "bucket": bucket,
                                       "prefix": "reports"}})
            check(f"{flow}: preparation run exits 0", rp.returncode == 0, rp.stderr[-800:])
            pre_id = (rp.json or {}).get("data_source_id")
            code, _, _ = sim.curl("DELETE", f"/restapi/v2/cloud_accounts/{pre_id}")
            check(f"{flow}: preparation data source removed", code == 204, str(code))
            d = sim.run(os.path.join(os.path.dirname(sim.dir), "..") and
                        os.path.join(os.path.dirname(__file__), "..", "sim", "cloudsim"), "deliver", sim.dir)
            check(f"{flow}: cloudsim deliver", d.returncode == 0, d.stdout + d.stderr)
        if setup == "detect":
            ans["export"] = {"type": typ, "setup": "detect", "bucket": bucket, "prefix": "reports"}
        logf = os.path.join(w.home, "run.log")
        r = w.batch(ans, "--log", logf)
        if setup == "wizard":
            # the vault opening goes on to derive the first save's key (vault_open_prepare_save):
            # the saves after the vault's creation never derive while the run waits
            with open(logf) as f:
                lines = [ln for ln in f if "vault: " in ln]
            first = next((i for i, ln in enumerate(lines) if "key ahead, after the opening" in ln), None)
            saves = [i for i, ln in enumerate(lines) if "vault: saved" in ln]
            check(f"{flow}: once the vault is created, the next save's key is derived ahead (--log)",
                  first is not None and len(saves) >= 3 and saves[0] < first < saves[1]
                  and all("(derived ahead)" in lines[i] for i in saves[1:]), "".join(lines))
        ds = assert_common(sim, w, r, flow, ans)
        if not ds:
            return
        cfg = ds.get("config", {})
        want_scheme = {"wizard": "create_report", "certerox": "create_report",
                       "existing": "bucket_only", "detect": "find_report"}[setup]
        check(f"{flow}: CerteroX config_scheme {want_scheme}", cfg.get("config_scheme") == want_scheme, str(cfg))
        check(f"{flow}: CerteroX cur_version", (cfg.get("cur_version") == 2) == (typ == "cur2"), str(cfg))
        stmts = bucket_statements(sim, bucket)
        check(f"{flow}: bucket policy has our statement once", [s.get("Sid") for s in stmts].count(SID) == 1)
        if typ == "cur2":
            exps = sim.client("bcm-data-exports").list_exports()["Exports"]
            check(f"{flow}: one Data Export named {name}", [e["ExportName"] for e in exps] == [name], str(exps))
        else:
            reps = sim.client("cur").describe_report_definitions()["ReportDefinitions"]
            check(f"{flow}: one report named {name}", [x["ReportName"] for x in reps] == [name], str(reps))
    finally:
        sim.cleanup()


def linked_flows():
    sim = Sim().start()
    try:
        # without a Root data source in the organization: accepted, with the web UI's warning
        w = Wizard(sim, "linked")
        env = {"AWS_ACCESS_KEY_ID": sim.env["MEMBER_AWS_ACCESS_KEY_ID"],
               "AWS_SECRET_ACCESS_KEY": sim.env["MEMBER_AWS_SECRET_ACCESS_KEY"]}
        ans = {"connection": "linked"}
        r = w.batch(ans, env=env)
        check("linked without root: warns that the Root account is missing",
              "Root Account is missing" in r.stderr + r.stdout, r.stderr[-600:])
        iam = sim.client("iam", who="member")
        if check("linked: exit 0", r.returncode == 0, r.stderr[-1000:]):
            ds_id = (r.json or {}).get("data_source_id")
            code, ds, _ = sim.curl("GET", f"/restapi/v2/cloud_accounts/{ds_id}")
            check("linked: CerteroX config is linked", code == 200 and ds["config"].get("linked") is True, str(ds))
            att = {p["PolicyName"] for p in iam.list_attached_user_policies(UserName="certerox-billing")["AttachedPolicies"]}
            check("linked: only the Discover Resources policy", att == {"CerteroXDiscoverResources"}, str(att))
            n0 = len(sim.requests())
            r2 = w.batch(ans, env=env)
            check("linked: re-run only reads", r2.returncode == 0 and writes(sim.requests()[n0:]) == [],
                  r2.stderr[-500:])
    finally:
        sim.cleanup()


def migrate_flow():
    sim = Sim().start()
    try:
        w = Wizard(sim, "migrate")
        sim.client("s3").create_bucket(Bucket="acme-mig")
        legacy = {"connection": "root", "export": {"type": "legacy", "setup": "wizard", "name": "certerox-cur",
                                                   "bucket": "acme-mig", "prefix": "cur"}}
        r = w.batch(legacy)
        if not check("migrate: legacy data source made by the wizard", r.returncode == 0, r.stderr[-800:]):
            return
        ds_id = r.json["data_source_id"]
        mig = {"action": "migrate", "migrate": {"data_source_id": ds_id, "export_name": "certerox-cur2"}}
        r = w.batch(mig)
        check("migrate: exit 0", r.returncode == 0, r.stderr[-1500:])
        exps = sim.client("bcm-data-exports").list_exports()["Exports"]
        check("migrate: the CUR 2.0 export exists", [e["ExportName"] for e in exps] == ["certerox-cur2"], str(exps))
        reps = sim.client("cur").describe_report_definitions()["ReportDefinitions"]
        check("migrate: the legacy report is kept", [x["ReportName"] for x in reps] == ["certerox-cur"], str(reps))
        code, ds, _ = sim.curl("GET", f"/restapi/v2/cloud_accounts/{ds_id}")
        cfg = (ds or {}).get("config", {})
        check("migrate: CerteroX config has cur_version 2 and the new export",
              cfg.get("cur_version") == 2 and cfg.get("report_name") == "certerox-cur2", str(cfg))
        doc = vault_doc(w)
        rec = [d for d in doc.get("data_sources", []) if d.get("data_source_id") == ds_id]
        check("migrate: the vault records the CUR 2.0 switch",
              rec and any(h.get("event") == "cur2-switch" for h in rec[0].get("history", [])), json.dumps(rec)[:400])
        n0 = len(sim.requests())
        r2 = w.batch(mig)
        check("migrate: re-run only reads", r2.returncode == 0 and writes(sim.requests()[n0:]) == [],
              r2.stderr[-500:] + str(writes(sim.requests()[n0:])))
    finally:
        sim.cleanup()


def main(only):
    """Runs the flows named in only ("cur2/wizard", "legacy/detect", "linked", "migrate")."""
    for name in only:
        if name == "linked":
            linked_flows()
        elif name == "migrate":
            migrate_flow()
        else:
            typ, setup = name.split("/")
            root_flow(typ, setup)
    return finish()
