#!/usr/bin/env python3
"""Later runs on an account that is already connected (issue 14, items 4 and 5), --batch against
the sim, judged with botocore and the CerteroX API (curl):
 - rotate: a new key of the data source's user in CerteroX (and in the vault), the old key
   deleted (the wizard made it), previous_access_key_id in the summary; --list shows the old
   key retired and the new one live;
 - rotate of a data source whose key the wizard did not make: the old key is only deactivated,
   and only with --yes;
 - reconcile by key: after a lost vault, and after the key was deleted outside the wizard, a
   connect re-run gives CerteroX a working key (PATCH) instead of "skipped";
 - a pending vault record (the CerteroX create's answer lost) is settled by the key CerteroX
   holds;
 - migrate of an account onboarded before CUR 2.0 by hand (user not the default name, a policy
   that grants only cur:*): the real user in the key check and the summary, a new version of
   that policy with the Data Exports actions;
 - disconnect with and without delete_aws_resources; after a lost vault and journal, the
   wizard's own policies and export known by their tags, a hand-made policy kept."""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from flowlib import CX_BIN, Sim, Wizard, check, finish, writes  # noqa: E402
import batchflows as bf  # noqa: E402

ANS = {"connection": "root",
       "export": {"type": "cur2", "setup": "wizard", "name": "certerox-cur2", "bucket": "acme-life",
                  "prefix": "reports"}}
USER = "certerox-billing"


def keys_of(sim, user):
    return {k["AccessKeyId"]: k["Status"]
            for k in sim.client("iam").list_access_keys(UserName=user)["AccessKeyMetadata"]}


def ds_key(sim, ds_id):
    code, ds, _ = sim.curl("GET", f"/restapi/v2/cloud_accounts/{ds_id}")
    return (ds or {}).get("config", {}).get("access_key_id"), ds


def key_works(sim, ak, sk):
    try:
        sim.client("sts", who=(ak, sk)).get_caller_identity()
        return True
    except Exception:
        return False


def vault_secret(w, ak):
    doc = bf.vault_doc(w)
    for d in doc.get("data_sources", []):
        if d.get("access_key_id") == ak and not d.get("retired"):
            return d.get("secret_access_key"), d
    return None, None


def connect(sim, w):
    sim.client("s3").create_bucket(Bucket="acme-life")
    r = w.batch(ANS)
    if not check("setup: connect exits 0", r.returncode == 0, r.stderr[-800:]):
        return None
    return r.json["data_source_id"]


def rotate():
    sim = Sim().start()
    try:
        w = Wizard(sim, "rotate")
        ds_id = connect(sim, w)
        if not ds_id:
            return
        old, _ = ds_key(sim, ds_id)
        rot = {"action": "rotate", "rotate": {"data_source_id": ds_id}}
        r = w.batch(rot)
        check("rotate: exit 0", r.returncode == 0, r.stderr[-1500:])
        new, ds = ds_key(sim, ds_id)
        check("rotate: CerteroX holds a new key", new and new != old, f"{old} -> {new}")
        keys = keys_of(sim, USER)
        check("rotate: the old key (made by the wizard) is deleted, the new one active",
              old not in keys and keys.get(new) == "Active", str(keys))
        sec, rec = vault_secret(w, new)
        check("rotate: the vault holds the new key's secret, and it works", sec and key_works(sim, new, sec),
              json.dumps(rec)[:300] if rec else "no record")
        cfg = ds.get("config", {})
        check("rotate: the config is whole (CUR 2.0 export, bucket, prefix)",
              cfg.get("report_name") == "certerox-cur2" and cfg.get("bucket_name") == "acme-life"
              and cfg.get("cur_version") == 2, str(cfg))
        j = r.json or {}
        check("rotate: summary previous_access_key_id and access_key_id",
              j.get("previous_access_key_id") == old and j.get("access_key_id") == new and j.get("iam_user") == USER,
              json.dumps(j)[:600])
        doc = bf.vault_doc(w)
        retired = [d for d in doc.get("data_sources", []) if d.get("access_key_id") == old]
        check("rotate: the vault keeps the old key as retired", retired and retired[0].get("retired") is True,
              json.dumps(retired)[:300])
        lst = w.run("--list", "--format", "json", "--passphrase-file", w.pass_file)
        states = {x.get("access_key_id"): x.get("state") for x in (lst.json or [])}
        check("--list: old key retired, new key live", states.get(old) == "retired" and states.get(new) == "live",
              lst.stdout[-800:] + lst.stderr[-300:])
        tbl = w.run("--list", "--format", "table", "--passphrase-file", w.pass_file)
        check("--list table: STATE column", "STATE" in tbl.stdout and "retired" in tbl.stdout, tbl.stdout[-600:])
        # a re-run of connect writes nothing now: the new key is live in the vault
        n0 = len(sim.requests())
        r = w.batch(ANS)
        check("after rotate: connect re-run writes nothing", r.returncode == 0 and writes(sim.requests()[n0:]) == [],
              str(writes(sim.requests()[n0:])) + r.stderr[-500:])
    finally:
        sim.cleanup()


def reconcile_lost_vault():
    sim = Sim().start()
    try:
        w = Wizard(sim, "lostvault")
        ds_id = connect(sim, w)
        if not ds_id:
            return
        old, _ = ds_key(sim, ds_id)
        os.unlink(w.vault)
        r = w.batch(ANS)
        check("lost vault: exit 0", r.returncode == 0, r.stderr[-1500:])
        new, _ = ds_key(sim, ds_id)
        check("lost vault: CerteroX gets a new key (not skipped)", new and new != old, f"{old} -> {new}")
        sec, _ = vault_secret(w, new)
        check("lost vault: its secret is in the new vault and works", sec and key_works(sim, new, sec))
        keys = keys_of(sim, USER)
        # the vault that knew the old key is gone, but the journal names it as created
        check("lost vault: the old key (named by the journal) is deleted", old not in keys and new in keys,
              str(keys))
        steps = [s["id"] for s in (r.json or {}).get("steps", [])]
        check("lost vault: the PATCH runs after the key check", steps.index("certerox") > steps.index("key-check")
              if "certerox" in steps and "key-check" in steps else False, str(steps))
    finally:
        sim.cleanup()


def reconcile_key_deleted_outside():
    sim = Sim().start()
    try:
        w = Wizard(sim, "deleted")
        ds_id = connect(sim, w)
        if not ds_id:
            return
        old, _ = ds_key(sim, ds_id)
        sim.client("iam").delete_access_key(UserName=USER, AccessKeyId=old)
        r = w.batch(ANS)
        check("key deleted outside: exit 0", r.returncode == 0, r.stderr[-1500:])
        new, _ = ds_key(sim, ds_id)
        sec, _ = vault_secret(w, new)
        check("key deleted outside: CerteroX gets a new, working key", new and new != old and sec
              and key_works(sim, new, sec), f"{old} -> {new}")
        check("key deleted outside: one key left", list(keys_of(sim, USER)) == [new], str(keys_of(sim, USER)))
    finally:
        sim.cleanup()


def foreign_key_rotate():
    """The data source's key is a person's own key (not made by the wizard): rotate only
    deactivates it, and only with --yes."""
    sim = Sim().start()
    try:
        w = Wizard(sim, "foreign")
        ds_id = connect(sim, w)
        if not ds_id:
            return
        iam = sim.client("iam")
        made, _ = ds_key(sim, ds_id)
        # someone replaced CerteroX's key by hand with a key of their own
        k = iam.create_access_key(UserName=USER)["AccessKey"]
        code, _, body = sim.curl("PATCH", f"/restapi/v2/cloud_accounts/{ds_id}", {"config": {
            "access_key_id": k["AccessKeyId"], "secret_access_key": k["SecretAccessKey"], "linked": False,
            "cur_version": 2, "config_scheme": "create_report", "bucket_name": "acme-life",
            "bucket_prefix": "reports", "report_name": "certerox-cur2"}})
        if not check("setup: a hand-made key in CerteroX", code == 200, body[-300:]):
            return
        iam.delete_access_key(UserName=USER, AccessKeyId=made)
        rot = {"action": "rotate", "rotate": {"data_source_id": ds_id}}
        r = w.batch(rot)
        check("foreign key rotate without --yes: exit 0", r.returncode == 0, r.stderr[-1500:])
        keys = keys_of(sim, USER)
        check("foreign key rotate without --yes: the hand-made key stays active",
              keys.get(k["AccessKeyId"]) == "Active", str(keys))
        check("foreign key rotate without --yes: the run says so",
              "stays active" in r.stderr and k["AccessKeyId"] in r.stderr, r.stderr[-800:])
        new, _ = ds_key(sim, ds_id)
        # now the user has two keys: the new one (CerteroX's) and the hand-made one; AWS allows no
        # third, and the wizard never deletes a key it did not make
        n0 = len(sim.requests())
        r = w.batch(rot, "--yes")
        check("two keys, one foreign: refused before any write, naming the keys",
              r.returncode != 0 and k["AccessKeyId"] in r.stderr and writes(sim.requests()[n0:]) == [],
              f"{r.returncode} {r.stderr[-600:]} {writes(sim.requests()[n0:])}")
        # CerteroX back on the hand-made key, the wizard's key deleted by hand: with --yes the
        # hand-made key is deactivated (never deleted)
        code, _, body = sim.curl("PATCH", f"/restapi/v2/cloud_accounts/{ds_id}", {"config": {
            "access_key_id": k["AccessKeyId"], "secret_access_key": k["SecretAccessKey"], "linked": False,
            "cur_version": 2, "config_scheme": "create_report", "bucket_name": "acme-life",
            "bucket_prefix": "reports", "report_name": "certerox-cur2"}})
        iam.delete_access_key(UserName=USER, AccessKeyId=new)
        r = w.batch(rot, "--yes")
        check("foreign key rotate with --yes: exit 0", r.returncode == 0, r.stderr[-1500:])
        keys = keys_of(sim, USER)
        newer, _ = ds_key(sim, ds_id)
        check("foreign key rotate with --yes: the hand-made key is deactivated, not deleted",
              keys.get(k["AccessKeyId"]) == "Inactive" and keys.get(newer) == "Active", str(keys))
        check("foreign key rotate with --yes: the run says so", "only deactivated" in r.stderr, r.stderr[-800:])
    finally:
        sim.cleanup()


def pending_settled():
    """A run killed while CerteroX was creating the data source leaves a pending vault record
    (the create took effect, its answer was lost). The next run resolves it by the key
    CerteroX holds."""
    sim = Sim().start()
    try:
        w = Wizard(sim, "pending")
        ds_id = connect(sim, w)
        if not ds_id:
            return
        key, _ = ds_key(sim, ds_id)
        # the vault as the killed run left it: the record without its data source id
        with open(w.vault, "rb") as f:
            doc, ops, mem, _, _ = bf.vf.decrypt_vault(f.read(), bf.vf_pass(w))
        for d in doc.get("data_sources", []):
            d["data_source_id"] = ""
        with open(w.vault, "wb") as f:
            f.write(bf.vf.encrypt_vault(doc, bf.vf_pass(w), ops, mem))
        lst = w.run("--list", "--format", "json", "--passphrase-file", w.pass_file)
        if not check("pending: (setup) --list shows it pending",
                     [x.get("state") for x in (lst.json or [])] == ["pending"], lst.stdout[-400:]):
            return
        n0 = len(sim.requests())
        r = w.batch(ANS)
        check("pending: re-run exit 0", r.returncode == 0, r.stderr[-1500:])
        check("pending: re-run writes nothing in AWS or CerteroX", writes(sim.requests()[n0:]) == [],
              str(writes(sim.requests()[n0:])))
        lst = w.run("--list", "--format", "json", "--passphrase-file", w.pass_file)
        recs = [(x.get("data_source_id"), x.get("access_key_id"), x.get("state")) for x in (lst.json or [])]
        check("pending: the record is now the data source, live", recs == [(ds_id, key, "live")], str(recs))
    finally:
        sim.cleanup()


def migrate_hand_made():
    """An account onboarded before CUR 2.0 by hand: user "legacy-reader" (not the default name),
    its own policy granting only cur:* and read on the bucket (5 versions already), a legacy
    report, a CerteroX data source with that user's key. migrate finds the real user, gives its
    policy the Data Exports actions in a new version (the oldest non-default one deleted with
    --yes), gives CerteroX a new key of that user (the vault never held the old one) and names
    the real user in the key check and the summary."""
    sim = Sim().start()
    try:
        acct = sim.env["AWS_ACCOUNT_ID"]
        s3, iam, cur = sim.client("s3"), sim.client("iam"), sim.client("cur")
        s3.create_bucket(Bucket="acme-legacy")
        s3.put_bucket_policy(Bucket="acme-legacy", Policy=bf_bucket_policy("acme-legacy", acct))
        cur.put_report_definition(ReportDefinition={
            "ReportName": "old-cur", "TimeUnit": "DAILY", "Format": "textORcsv", "Compression": "GZIP",
            "AdditionalSchemaElements": ["RESOURCES"], "S3Bucket": "acme-legacy", "S3Prefix": "cur",
            "S3Region": "us-east-1", "RefreshClosedReports": True, "ReportVersioning": "OVERWRITE_REPORT"})
        doc = {"Version": "2012-10-17", "Statement": [
            {"Sid": "Cur", "Effect": "Allow", "Action": ["cur:*"], "Resource": "*"},
            {"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::acme-legacy/*"},
            {"Sid": "List", "Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetBucketLocation"],
             "Resource": "arn:aws:s3:::acme-legacy"}]}
        arn = iam.create_policy(PolicyName="LegacyCurAccess", PolicyDocument=json.dumps(doc))["Policy"]["Arn"]
        for i in range(4):  # versions v2..v5, v5 the default
            d = json.loads(json.dumps(doc))
            d["Statement"][0]["Sid"] = f"Cur{i}"
            iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(d), SetAsDefault=True)
        iam.create_user(UserName="legacy-reader")
        iam.attach_user_policy(UserName="legacy-reader", PolicyArn=arn)
        k = iam.create_access_key(UserName="legacy-reader")["AccessKey"]
        code, ds, body = sim.curl("POST", f"/restapi/v2/organizations/{sim.env['CERTEROX_ORGANIZATION_ID']}/cloud_accounts",
                                  {"name": "Legacy by hand", "type": "aws_cnr", "config": {
                                      "access_key_id": k["AccessKeyId"], "secret_access_key": k["SecretAccessKey"],
                                      "linked": False, "cur_version": 1, "config_scheme": "find_report"}})
        if not check("migrate by hand: (setup) legacy data source", code in (200, 201), body[-400:]):
            return
        ds_id = ds["id"]
        w = Wizard(sim, "handmig")
        mig = {"action": "migrate", "migrate": {"data_source_id": ds_id, "export_name": "certerox-cur2"},
               "export": {"bucket": "acme-legacy", "prefix": "cur2"}}
        dr = w.dry_run(mig)
        plan = json.loads(dr.stdout) if dr.returncode == 0 else {}
        steps = {s["id"]: s for s in plan.get("steps", [])}
        pv = steps.get("policy-readonly", {})
        check("migrate by hand: --dry-run plans a new version of LegacyCurAccess, shown as a diff",
              pv.get("operation") == "CreatePolicyVersion" and "bcm-data-exports:CreateExport" in (pv.get("diff") or ""),
              dr.stderr[-600:] + json.dumps(pv)[:600])
        check("migrate by hand: --dry-run key check names the real user",
              steps.get("key-check", {}).get("request", {}).get("UserName") == "legacy-reader",
              json.dumps(steps.get("key-check"))[:400])
        n0 = len(sim.requests())
        r = w.batch(mig)
        check("migrate by hand: the 5th version's prune needs --yes (exit 64, nothing written)",
              r.returncode == 64 and "DeletePolicyVersion" in r.stderr and writes(sim.requests()[n0:]) == [],
              f"{r.returncode} {r.stderr[-600:]}")
        r = w.batch(mig, "--yes")
        check("migrate by hand: exit 0", r.returncode == 0, r.stderr[-2000:])
        check("migrate by hand: no fake action or placeholder user in the output",
              "sts:CheckKey" not in r.stderr and "the user" not in r.stderr, r.stderr[-800:])
        j = r.json or {}
        check("migrate by hand: the summary names the real user", j.get("iam_user") == "legacy-reader",
              json.dumps(j)[:500])
        pol = iam.get_policy(PolicyArn=arn)["Policy"]
        cur_doc = iam.get_policy_version(PolicyArn=arn, VersionId=pol["DefaultVersionId"])["PolicyVersion"]["Document"]
        if isinstance(cur_doc, str):
            cur_doc = json.loads(cur_doc)
        acts = [a for st in cur_doc["Statement"] for a in (st["Action"] if isinstance(st["Action"], list) else [st["Action"]])]
        check("migrate by hand: the policy's new default version adds the Data Exports actions and keeps cur:*",
              "bcm-data-exports:CreateExport" in acts and "cur:*" in acts, str(acts))
        vers = iam.list_policy_versions(PolicyArn=arn)["Versions"]
        check("migrate by hand: still 5 versions (the oldest non-default deleted)", len(vers) == 5
              and "v1" not in [v["VersionId"] for v in vers], str([v["VersionId"] for v in vers]))
        new, ds2 = ds_key(sim, ds_id)
        cfg = ds2.get("config", {})
        check("migrate by hand: CerteroX has CUR 2.0 and a new key of legacy-reader",
              cfg.get("cur_version") == 2 and new != k["AccessKeyId"]
              and new in keys_of(sim, "legacy-reader"), str(cfg))
        sec, _ = vault_secret(w, new)
        check("migrate by hand: the new key's secret is in the vault and works", sec and key_works(sim, new, sec))
        check("migrate by hand: the hand-made key is not deleted (stays active without --yes... or deactivated)",
              k["AccessKeyId"] in keys_of(sim, "legacy-reader"), str(keys_of(sim, "legacy-reader")))
        check("migrate by hand: no certerox-billing user was made",
              "certerox-billing" not in [u["UserName"] for u in iam.list_users()["Users"]])
    finally:
        sim.cleanup()


def bf_bucket_policy(bucket, acct):
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sim"))
    import simtest
    return simtest.bucket_policy(bucket, acct)


def disconnect_keep():
    sim = Sim().start()
    try:
        w = Wizard(sim, "disc-keep")
        ds_id = connect(sim, w)
        if not ds_id:
            return
        key, _ = ds_key(sim, ds_id)
        d = {"action": "disconnect", "disconnect": {"data_source_id": ds_id}}
        n0 = len(sim.requests())
        r = w.batch(d)
        check("disconnect without --yes: exit 64, nothing written",
              r.returncode == 64 and writes(sim.requests()[n0:]) == [], f"{r.returncode} {r.stderr[-400:]}")
        r = w.batch(d, "--yes")
        check("disconnect: exit 0", r.returncode == 0, r.stderr[-1500:])
        code, _, _ = sim.curl("GET", f"/restapi/v2/cloud_accounts/{ds_id}")
        check("disconnect: the data source is gone from CerteroX", code == 404, str(code))
        iam = sim.client("iam")
        check("disconnect (keep AWS): user, key, export and bucket statement kept",
              key in keys_of(sim, USER)
              and len(sim.client("bcm-data-exports").list_exports()["Exports"]) == 1
              and any(st.get("Sid") == bf.SID for st in bf.bucket_statements(sim, "acme-life")),
              str(keys_of(sim, USER)))
        j = r.json or {}
        check("disconnect summary: removed names the data source, kept says why",
              any("DeleteDataSource" in x for x in j.get("removed", []))
              and any("delete_aws_resources is false" in x for x in j.get("kept", [])), json.dumps(j)[:800])
        lst = w.run("--list", "--format", "json", "--passphrase-file", w.pass_file)
        check("disconnect: --list shows the key retired",
              [x.get("state") for x in (lst.json or [])] == ["retired"], lst.stdout[-400:])
        del iam
    finally:
        sim.cleanup()


def disconnect_delete():
    sim = Sim().start()
    try:
        acct = sim.env["AWS_ACCOUNT_ID"]
        s3 = sim.client("s3")
        s3.create_bucket(Bucket="acme-life")
        foreign = {"Sid": "SomeoneElse", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{acct}:root"},
                   "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-life/other/*"}
        s3.put_bucket_policy(Bucket="acme-life", Policy=json.dumps({"Version": "2012-10-17", "Statement": [foreign]}))
        w = Wizard(sim, "disc-del")
        r = w.batch(ANS)
        if not check("setup: connect exits 0", r.returncode == 0, r.stderr[-800:]):
            return
        ds_id = r.json["data_source_id"]
        iam = sim.client("iam")
        disc_arn = f"arn:aws:iam::{acct}:policy/CerteroXDiscoverResources"
        ro_arn = f"arn:aws:iam::{acct}:policy/CerteroXReadOnly"
        iam.create_user(UserName="ops-bot")
        iam.attach_user_policy(UserName="ops-bot", PolicyArn=disc_arn)
        d = {"action": "disconnect", "disconnect": {"data_source_id": ds_id, "delete_aws_resources": True}}
        dr = w.dry_run(d)
        plan = json.loads(dr.stdout) if dr.returncode == 0 else {}
        kinds = {s["id"]: s["kind"] for s in plan.get("steps", [])}
        check("disconnect --dry-run: lists removals and kept things",
              kinds.get("certerox") == "delete" and kinds.get("user-delete") == "delete"
              and kinds.get("policy-delete-CerteroXDiscoverResources") == "skip", str(kinds) + dr.stderr[-300:])
        r = w.batch(d, "--yes")
        check("disconnect with AWS resources: exit 0", r.returncode == 0, r.stderr[-2000:])
        code, _, _ = sim.curl("GET", f"/restapi/v2/cloud_accounts/{ds_id}")
        check("disconnect: the data source is gone from CerteroX", code == 404, str(code))
        users = [u["UserName"] for u in iam.list_users()["Users"]]
        check("disconnect: the wizard's user is deleted, ops-bot kept",
              USER not in users and "ops-bot" in users, str(users))
        pols = [p["Arn"] for p in iam.list_policies(Scope="Local")["Policies"]]
        check("disconnect: CerteroXReadOnly deleted, CerteroXDiscoverResources (attached to ops-bot) kept",
              ro_arn not in pols and disc_arn in pols, str(pols))
        sts = bf.bucket_statements(sim, "acme-life")
        check("disconnect: the bucket policy keeps the other statement, loses ours",
              [st.get("Sid") for st in sts] == ["SomeoneElse"], json.dumps(sts)[:400])
        check("disconnect: the export is deleted", sim.client("bcm-data-exports").list_exports()["Exports"] == [])
        j = r.json or {}
        check("disconnect summary: removed and kept",
              any("DeleteUser" in x for x in j.get("removed", []))
              and any("CerteroXDiscoverResources" in x and "attached" in x for x in j.get("kept", [])),
              json.dumps({"removed": j.get("removed"), "kept": j.get("kept")})[:900])
    finally:
        sim.cleanup()


def disconnect_lost_journal():
    """disconnect with delete_aws_resources after the vault and the journal are lost: the
    wizard's own policies are known by their tag certerox-aws-setup (iam ListPolicyTags) and its
    export by its ResourceTags (bcm ListTagsForResource), and deleted; a hand-made policy without
    the tag, attached to the same user, is detached with the user but kept."""
    sim = Sim().start()
    try:
        acct = sim.env["AWS_ACCOUNT_ID"]
        w = Wizard(sim, "disc-lost")
        ds_id = connect(sim, w)
        if not ds_id:
            return
        iam = sim.client("iam")
        hand = iam.create_policy(PolicyName="OpsExtraRead", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets",
                                                    "Resource": "*"}]}))["Policy"]["Arn"]
        iam.attach_user_policy(UserName=USER, PolicyArn=hand)
        ours = [f"arn:aws:iam::{acct}:policy/CerteroXReadOnly",
                f"arn:aws:iam::{acct}:policy/CerteroXDiscoverResources"]
        tagged = [any(t["Key"] == "certerox-aws-setup" for t in iam.list_policy_tags(PolicyArn=a)["Tags"])
                  for a in ours]
        check("lost journal: (setup) the wizard's policies carry its tag", tagged == [True, True], str(tagged))
        w2 = Wizard(sim, "disc-lost2")  # another home: no vault, no journal
        d = {"action": "disconnect", "disconnect": {"data_source_id": ds_id, "delete_aws_resources": True}}
        dr = w2.dry_run(d)
        plan = json.loads(dr.stdout) if dr.returncode == 0 else {}
        kinds = {s["id"]: s["kind"] for s in plan.get("steps", [])}
        check("lost journal: --dry-run deletes the tagged policies and keeps the hand-made one",
              kinds.get("policy-delete-CerteroXReadOnly") == "delete"
              and kinds.get("policy-delete-CerteroXDiscoverResources") == "delete"
              and kinds.get("policy-delete-OpsExtraRead") == "skip", str(kinds) + dr.stderr[-400:])
        check("lost journal: --dry-run deletes the export, known by its ResourceTags",
              kinds.get("export-delete") == "delete", str(kinds))
        n0 = len(sim.requests())
        r = w2.batch(d, "--yes")
        check("lost journal: disconnect exits 0", r.returncode == 0, r.stderr[-2000:])
        tags_read = [q for q in sim.requests()[n0:] if q.get("operation") == "ListPolicyTags"]
        check("lost journal: the ownership came from iam ListPolicyTags", len(tags_read) >= 2, str(len(tags_read)))
        pols = [p["Arn"] for p in iam.list_policies(Scope="Local")["Policies"]]
        check("lost journal: boto3: the wizard's tagged policies are deleted",
              not any(a in pols for a in ours), str(pols))
        check("lost journal: boto3: the hand-made policy without the tag is kept", hand in pols, str(pols))
        users = [u["UserName"] for u in iam.list_users()["Users"]]
        check("lost journal: boto3: the wizard's user is deleted", USER not in users, str(users))
        check("lost journal: boto3: the wizard's export is deleted",
              sim.client("bcm-data-exports").list_exports()["Exports"] == [])
        j = r.json or {}
        check("lost journal: the summary keeps OpsExtraRead, naming why",
              any("OpsExtraRead" in x and "not made by certerox-aws-setup" in x for x in j.get("kept", [])),
              json.dumps(j.get("kept"))[:600])
    finally:
        sim.cleanup()


def rotate_killed():
    """SIGKILL while CerteroX is being given the new key (its PATCH stalled; it takes effect on the
    server): the new key's secret is in the vault at once, so whichever key CerteroX holds, the
    vault has its secret; a re-run of rotate (with --yes: it deletes the unused key it made)
    settles the pending record and completes with one key of the user."""
    import signal
    import subprocess
    import tempfile
    import time
    sim = Sim().start()
    try:
        w = Wizard(sim, "rotkill")
        ds_id = connect(sim, w)
        if not ds_id:
            return
        # the sim again, now stalling this data source's PATCH (the request log names the path)
        faults = os.path.join(tempfile.mkdtemp(prefix="cxfaults.", dir=os.environ.get("TMPDIR") or "/tmp"),
                              "faults.json")
        with open(faults, "w") as f:
            json.dump([{"service": "certerox", "operation": f"PATCH /restapi/v2/cloud_accounts/{ds_id}",
                        "nth": 1, "count": 1, "fault": "stall:20000"}], f)
        sim.stop()
        sim.opts = ["--faults", faults]
        sim.start()
        old, _ = ds_key(sim, ds_id)
        rot = {"action": "rotate", "rotate": {"data_source_id": ds_id}}
        e = dict(os.environ)
        for k in list(e):
            if k.startswith("AWS_"):
                del e[k]
        e.update(sim.env)
        e.update(w.env())
        p = subprocess.Popen([CX_BIN, "--batch", "--answers", w.answers(rot),
                              "--passphrase-file", w.pass_file], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env=e)
        seen = ""
        deadline = time.time() + 60
        while time.time() < deadline:
            line = p.stderr.readline()
            if not line:
                break
            seen += line
            if "UpdateDataSource" in line and line.rstrip().endswith("..."):
                time.sleep(0.5)  # the PATCH is on the wire (stalled)
                break
        p.send_signal(signal.SIGKILL)
        p.wait()
        if not check("rotate killed: (setup) killed during the PATCH", "UpdateDataSource" in seen, seen[-600:]):
            return
        keys = keys_of(sim, USER)
        lst = w.run("--list", "--format", "json", "--passphrase-file", w.pass_file)
        saved = {x.get("access_key_id"): x.get("state") for x in (lst.json or [])}
        new = [k for k in keys if k != old]
        check("rotate killed: the new key's secret was saved at once (pending in the vault)",
              len(new) == 1 and saved.get(new[0]) == "pending" and saved.get(old) == "live", f"{keys} {saved}")
        # the stalled PATCH takes effect on the server (sim "stall"): CerteroX holds the new key,
        # whose secret the vault already has (pending)
        cur, _ = ds_key(sim, ds_id)
        check("rotate killed: CerteroX holds a key whose secret the vault has",
              cur in (old, new[0] if new else None) and saved.get(cur) in ("pending", "live"), f"{cur} {saved}")
        r = w.batch(rot, "--yes")
        check("rotate killed: the re-run settles the pending record by the key CerteroX holds",
              cur == old or "is data source" in r.stderr, r.stderr[-800:])
        check("rotate killed: the re-run exits 0", r.returncode == 0, r.stderr[-1500:])
        cur, _ = ds_key(sim, ds_id)
        sec, _ = vault_secret(w, cur)
        keys = keys_of(sim, USER)
        check("rotate killed: CerteroX holds a working key from the vault, the user has only it",
              sec and key_works(sim, cur, sec) and list(keys) == [cur], f"{cur} {keys}")
    finally:
        sim.cleanup()


def main():
    only = sys.argv[1:] or ["rotate", "reconcile_lost_vault", "reconcile_key_deleted_outside",
                            "foreign_key_rotate", "pending_settled", "migrate_hand_made",
                            "disconnect_keep", "disconnect_delete", "disconnect_lost_journal", "rotate_killed"]
    for name in only:
        globals()[name]()
    sys.exit(finish())


if __name__ == "__main__":
    main()
