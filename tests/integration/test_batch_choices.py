#!/usr/bin/env python3
"""--batch choices that need consent or patience: a differing export is updated only with
--yes; an access key of our user that the vault lacks is reported, and deleted only with
--yes and only when the wizard made it (described on the user as ours), never someone else's; a new key that AWS accepts only after 5 s is waited for; a Linked account in an
organization that has a Root data source gets no warning."""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from flowlib import Sim, Wizard, check, finish, writes  # noqa: E402

ANS = {"connection": "root",
       "export": {"type": "cur2", "setup": "wizard", "name": "certerox-cur2", "bucket": "acme-choices",
                  "prefix": "reports"}}


def differing_export_and_orphan_key():
    sim = Sim().start()
    try:
        sim.client("s3").create_bucket(Bucket="acme-choices")
        w = Wizard(sim, "choices")
        r = w.batch(ANS)
        if not check("first run exits 0", r.returncode == 0, r.stderr[-800:]):
            return
        # the export now differs from what the wizard wants (HOURLY instead of DAILY)
        ans2 = json.loads(json.dumps(ANS))
        ans2["export"]["granularity"] = "HOURLY"
        n0 = len(sim.requests())
        r = w.batch(ans2)
        check("differing export without --yes: exit 64", r.returncode == 64, f"{r.returncode} {r.stderr[-500:]}")
        check("differing export without --yes: names the step", "UpdateExport" in r.stderr, r.stderr[-500:])
        check("differing export without --yes: nothing written", writes(sim.requests()[n0:]) == [],
              str(writes(sim.requests()[n0:])))
        r = w.batch(ans2, "--yes")
        check("differing export with --yes: exit 0", r.returncode == 0, r.stderr[-800:])
        bcm = sim.client("bcm-data-exports")
        arn = bcm.list_exports()["Exports"][0]["ExportArn"]
        tc = bcm.get_export(ExportArn=arn)["Export"]["DataQuery"]["TableConfigurations"]
        check("differing export with --yes: now HOURLY",
              tc["COST_AND_USAGE_REPORT"]["TIME_GRANULARITY"] == "HOURLY", str(tc))
        # a key of our user that the vault does not know, made by someone else: never deleted
        iam = sim.client("iam")
        stray = iam.create_access_key(UserName="certerox-billing")["AccessKey"]["AccessKeyId"]
        r = w.batch(ans2, "--yes")
        check("someone's key: the run still succeeds", r.returncode == 0, r.stderr[-800:])
        check("someone's key: it is reported as left alone", stray in r.stderr and "left alone" in r.stderr,
              r.stderr[-800:])
        keys = [k["AccessKeyId"] for k in iam.list_access_keys(UserName="certerox-billing")["AccessKeyMetadata"]]
        check("someone's key: kept even with --yes", stray in keys, str(keys))
        # the same key described as the wizard describes its own (a run whose vault record was
        # lost): reported, deleted only with --yes
        iam.tag_user(UserName="certerox-billing",
                     Tags=[{"Key": stray, "Value": "certerox-aws-setup: CerteroX billing data source"}])
        r = w.batch(ans2)
        check("orphan key: the run still succeeds", r.returncode == 0, r.stderr[-800:])
        check("orphan key: it is reported", stray in r.stderr, r.stderr[-800:])
        keys = [k["AccessKeyId"] for k in iam.list_access_keys(UserName="certerox-billing")["AccessKeyMetadata"]]
        check("orphan key: kept without --yes", stray in keys, str(keys))
        r = w.batch(ans2, "--yes")
        keys = [k["AccessKeyId"] for k in iam.list_access_keys(UserName="certerox-billing")["AccessKeyMetadata"]]
        check("orphan key with --yes: deleted, one key left", r.returncode == 0 and stray not in keys and len(keys) == 1,
              f"{keys} {r.stderr[-500:]}")
    finally:
        sim.cleanup()


def key_delay():
    sim = Sim("--key-delay-ms", "5000").start()
    try:
        sim.client("s3").create_bucket(Bucket="acme-choices")
        w = Wizard(sim, "delay")
        r = w.batch(ANS)
        check("key delay 5 s: exit 0", r.returncode == 0, r.stderr[-800:])
        check("key delay 5 s: the wait is shown", "waiting for AWS to accept the new key" in r.stderr, r.stderr[-800:])
        sts = [q for q in sim.requests() if q.get("operation") == "GetCallerIdentity"
               and q.get("access_key_id") == (r.json or {}).get("access_key_id")]
        rejected = [q for q in sts if q.get("status") != 200]
        accepted = [q for q in sts if q.get("status") == 200]
        check("key delay 5 s: rejected attempts, then accepted", rejected and accepted, f"{len(rejected)} {len(accepted)}")
        if rejected and accepted:
            first = min(q["start"] for q in sts)
            ok_at = min(q["end"] for q in accepted)
            check("key delay 5 s: accepted within 5.3 s of the first attempt (polls often enough)",
                  ok_at - first < 5.3 + 0.5, f"{ok_at - first:.2f}s")
    finally:
        sim.cleanup()


def linked_with_root():
    sim = Sim().start()
    try:
        sim.client("s3").create_bucket(Bucket="acme-choices")
        root = Wizard(sim, "root")
        r = root.batch(ANS)
        check("root first: exit 0", r.returncode == 0, r.stderr[-600:])
        w = Wizard(sim, "linked")
        env = {"AWS_ACCESS_KEY_ID": sim.env["MEMBER_AWS_ACCESS_KEY_ID"],
               "AWS_SECRET_ACCESS_KEY": sim.env["MEMBER_AWS_SECRET_ACCESS_KEY"]}
        r = w.batch({"connection": "linked"}, env=env)
        check("linked with a Root in the organization: exit 0", r.returncode == 0, r.stderr[-600:])
        check("linked with a Root: no missing-root warning", "Root Account is missing" not in r.stderr + r.stdout)
    finally:
        sim.cleanup()


if __name__ == "__main__":
    differing_export_and_orphan_key()
    key_delay()
    linked_with_root()
    sys.exit(finish())
