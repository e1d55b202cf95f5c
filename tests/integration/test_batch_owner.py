#!/usr/bin/env python3
"""Ownership and later runs (issue 14), --batch against the simulated cloud, judged with boto3:
- what the wizard creates carries the tag certerox-aws-setup (user, policies, export), and
  its key is described on the user (a tag whose key is the access key id);
- a person's existing user given as iam.user is refused without "existing_user": "use"; with
  it and --yes, her own key is never deleted and the summary's iam_user is her user;
- an already-connected account: a second connect with another bucket, and a re-run from an
  empty vault with --yes, stop before any write, naming the data source (and --dry-run names
  it); CerteroXReadOnly is not narrowed, no user or key is made, the key CerteroX uses stays;
- a shared CerteroXReadOnly that grants another bucket keeps it (the new version is a merge);
- a stdout closed early (| head -c1): the run is not killed, every key is in the vault;
- a vault that cannot be saved: the new key is deleted at once;
- a bucket policy with our Sid but other content keeps it (ours gets its own Sid); a Deny
  that blocks delivery stops the plan, naming it."""

import json
import os
import resource
import shlex
import signal
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from flowlib import CX_BIN, Sim, Wizard, check, finish, writes  # noqa: E402
import test_vault_format as vf  # noqa: E402

TAG = "certerox-aws-setup"
SID = "EnableAWSDataExportsToWriteToS3AndCheckPolicy"


def ans(bucket, **iam):
    a = {"connection": "root",
         "export": {"type": "cur2", "setup": "wizard", "name": "certerox-cur2", "bucket": bucket, "prefix": "reports"}}
    if iam:
        a["iam"] = iam
    return a


def vault_keys(w):
    """Access key ids whose secret the vault holds (independent decryptor)."""
    if not os.path.exists(w.vault):
        return set()
    if vf.SODIUM is None:
        vf.SODIUM = vf.load_sodium()
    with open(w.vault, "rb") as f:
        data = f.read()
    with open(w.pass_file, "rb") as f:
        pw = f.read().rstrip(b"\n")
    doc = vf.decrypt_vault(data, pw)[0]
    out = set()
    for section in ("data_sources", "pending"):
        for rec in doc.get(section, []) or []:
            if rec.get("access_key_id") and rec.get("secret_access_key"):
                out.add(rec["access_key_id"])
    return out


def user_keys(iam, user):
    try:
        return {k["AccessKeyId"]: k["Status"] for k in iam.list_access_keys(UserName=user)["AccessKeyMetadata"]}
    except iam.exceptions.NoSuchEntityException:
        return {}


def user_tags(iam, user):
    return {t["Key"]: t["Value"] for t in iam.list_user_tags(UserName=user)["Tags"]}


def readonly_doc(iam, acct):
    arn = f"arn:aws:iam::{acct}:policy/CerteroXReadOnly"
    v = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
    doc = iam.get_policy_version(PolicyArn=arn, VersionId=v)["PolicyVersion"]["Document"]
    return json.loads(doc) if isinstance(doc, str) else doc


def grants_bucket(doc, bucket):
    text = json.dumps(doc)
    return f"arn:aws:s3:::{bucket}/*" in text and f"arn:aws:s3:::{bucket}\"" in text


def people_and_connected_account():
    """A person's user, then later runs of a connected account (management account)."""
    sim = Sim().start()
    try:
        iam, s3 = sim.client("iam"), sim.client("s3")
        acct = sim.env["AWS_ACCOUNT_ID"]
        for b in ("acme-owner-1", "acme-owner-2"):
            s3.create_bucket(Bucket=b)
        iam.create_user(UserName="alice")
        alice_key = iam.create_access_key(UserName="alice")["AccessKey"]["AccessKeyId"]
        w = Wizard(sim, "owner")

        # 1. her user without the explicit answer: refused before any write
        n0 = len(sim.requests())
        r = w.batch(ans("acme-owner-1", user="alice"), "--yes")
        check("person's user without existing_user: refused", r.returncode != 0, r.stderr[-600:])
        check("person's user without existing_user: the message says how",
              '"existing_user": "use"' in r.stderr and "did not create it" in r.stderr, r.stderr[-600:])
        check("person's user without existing_user: nothing written", writes(sim.requests()[n0:]) == [],
              str(writes(sim.requests()[n0:])))

        # 2. with "use" and --yes: her key stays, a new key is made and described
        r = w.batch(ans("acme-owner-1", user="alice", existing_user="use"), "--yes")
        check("existing_user use + --yes: exit 0", r.returncode == 0, r.stderr[-1500:])
        keys = user_keys(iam, "alice")
        check("existing_user use + --yes: her own key is not deleted and stays Active",
              keys.get(alice_key) == "Active", str(keys))
        new = (r.json or {}).get("access_key_id")
        check("existing_user use: a second key, the one in the summary", new in keys and len(keys) == 2, f"{new} {keys}")
        check("summary: iam_user is the real user", (r.json or {}).get("iam_user") == "alice", r.stdout[:400])
        tags = user_tags(iam, "alice")
        check("the new key is described on its user (tag key = key id)",
              tags.get(new, "").startswith(TAG), str(tags))
        check("her key has no description of ours", alice_key not in tags, str(tags))
        check("her user is not marked as ours", TAG not in tags, str(tags))
        ptags = {t["Key"]: t["Value"] for t in iam.list_policy_tags(
            PolicyArn=f"arn:aws:iam::{acct}:policy/CerteroXReadOnly")["Tags"]}
        check("the ReadOnly policy carries the tag", TAG in ptags, str(ptags))
        bcm = sim.client("bcm-data-exports")
        arn = [e["ExportArn"] for e in bcm.list_exports()["Exports"] if e["ExportName"] == "certerox-cur2"]
        rt = bcm.list_tags_for_resource(ResourceArn=arn[0])["ResourceTags"] if arn else []
        check("the export carries ResourceTags", any(t["Key"] == TAG for t in rt), str(rt))
        ds_id = (r.json or {}).get("data_source_id")

        # 3. --dry-run names the data source
        r = w.dry_run(ans("acme-owner-1", user="alice", existing_user="use"))
        check("dry-run names the connected data source",
              f"id {ds_id}" in r.stderr and "certerox-cur2" in r.stderr and new in r.stderr
              and "the vault" in r.stderr, r.stderr[-800:])

        # 4. a second connect with another bucket: stops, nothing narrowed, nothing made
        users0 = {u["UserName"] for u in iam.list_users()["Users"]}
        n0 = len(sim.requests())
        r = w.batch(ans("acme-owner-2", user="alice", existing_user="use"), "--yes")
        check("second connect, other bucket: refused", r.returncode != 0, r.stderr[-800:])
        check("second connect: names the data source and the actions",
              ds_id and ds_id in r.stderr and '"rotate"' in r.stderr and '"migrate"' in r.stderr, r.stderr[-900:])
        check("second connect: nothing written", writes(sim.requests()[n0:]) == [], str(writes(sim.requests()[n0:])))
        check("second connect: CerteroXReadOnly still grants the first bucket",
              grants_bucket(readonly_doc(iam, acct), "acme-owner-1"), json.dumps(readonly_doc(iam, acct))[:400])
        check("second connect: no new user, no new key",
              {u["UserName"] for u in iam.list_users()["Users"]} == users0 and len(user_keys(iam, "alice")) == 2)

        # 5. a re-run from an empty vault with --yes: the key CerteroX uses is not deleted
        os.unlink(w.vault)
        n0 = len(sim.requests())
        r = w.batch(ans("acme-owner-1", user="alice", existing_user="use"), "--yes")
        check("empty vault re-run: refused, naming the data source and rotate",
              r.returncode != 0 and ds_id in r.stderr and '"rotate"' in r.stderr
              and "does not hold" in r.stderr, r.stderr[-900:])
        keys = user_keys(iam, "alice")
        check("empty vault re-run with --yes: the key CerteroX uses still exists",
              keys.get(new) == "Active" and keys.get(alice_key) == "Active", str(keys))
        check("empty vault re-run: nothing written", writes(sim.requests()[n0:]) == [], str(writes(sim.requests()[n0:])))
        code, ds, _ = sim.curl("GET", f"/restapi/v2/cloud_accounts/{ds_id}")
        check("CerteroX still uses that key", code == 200 and ds["config"]["access_key_id"] == new, str(ds)[:300])
    finally:
        sim.cleanup()


def run_as(w, who, doc, *extra, **kw):
    """The wizard as the administrator of the member or standalone account."""
    p = who.upper() + "_AWS_"
    env = {"AWS_ACCESS_KEY_ID": w.sim.env[p + "ACCESS_KEY_ID"], "AWS_SECRET_ACCESS_KEY": w.sim.env[p + "SECRET_ACCESS_KEY"]}
    return w.batch(doc, *extra, env=env, **kw)


def merge_and_bucket_policy():
    """A shared ReadOnly keeps its other bucket; Sid collision; a blocking Deny."""
    sim = Sim().start()
    try:
        # standalone account: CerteroXReadOnly exists (made by someone) for bucket "older"
        iam, s3 = sim.client("iam", who="standalone"), sim.client("s3", who="standalone")
        acct = sim.env["STANDALONE_AWS_ACCOUNT_ID"]
        s3.create_bucket(Bucket="acme-merge")
        old = {"Version": "2012-10-17", "Statement": [
            {"Sid": "GetObject", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::older/*"},
            {"Sid": "BucketOperations", "Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetBucketLocation"],
             "Resource": "arn:aws:s3:::older"}]}
        iam.create_policy(PolicyName="CerteroXReadOnly", PolicyDocument=json.dumps(old))
        # our Sid already used by their statement, with other content
        theirs = {"Sid": SID, "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{acct}:root"},
                  "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-merge/*"}
        s3.put_bucket_policy(Bucket="acme-merge", Policy=json.dumps({"Version": "2012-10-17", "Statement": [theirs]}))
        w = Wizard(sim, "merge")
        r = run_as(w, "standalone", ans("acme-merge"), "--yes")
        check("merge: exit 0", r.returncode == 0, r.stderr[-1500:])
        doc = readonly_doc(iam, acct)
        check("shared ReadOnly: still grants the other bucket", grants_bucket(doc, "older"), json.dumps(doc)[:500])
        check("shared ReadOnly: grants the new bucket", grants_bucket(doc, "acme-merge"), json.dumps(doc)[:500])
        pol = json.loads(s3.get_bucket_policy(Bucket="acme-merge")["Policy"])["Statement"]
        kept = [s for s in pol if s.get("Sid") == SID]
        check("Sid collision: their statement is kept unchanged", len(kept) == 1 and kept[0]["Principal"] == theirs["Principal"]
              and kept[0]["Action"] == "s3:GetObject", json.dumps(pol)[:600])
        ours = [s for s in pol if s.get("Sid", "").startswith(SID) and s.get("Sid") != SID]
        check("Sid collision: ours is added under its own Sid",
              len(ours) == 1 and "bcm-data-exports.amazonaws.com" in json.dumps(ours[0]), json.dumps(pol)[:600])
        bcm = sim.client("bcm-data-exports", who="standalone")
        check("Sid collision: the export exists (delivery allowed)",
              any(e["ExportName"] == "certerox-cur2" for e in bcm.list_exports()["Exports"]))

        # member account: a Deny that blocks delivery stops the plan, naming it
        s3m = sim.client("s3", who="member")
        s3m.create_bucket(Bucket="acme-deny")
        deny = {"Sid": "NoWrites", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
                "Resource": "arn:aws:s3:::acme-deny/*"}
        s3m.put_bucket_policy(Bucket="acme-deny", Policy=json.dumps({"Version": "2012-10-17", "Statement": [deny]}))
        w2 = Wizard(sim, "deny")
        n0 = len(sim.requests())
        r = run_as(w2, "member", ans("acme-deny"), "--yes")
        check("blocking Deny: refused", r.returncode != 0, r.stderr[-600:])
        check("blocking Deny: names the statement", '"NoWrites"' in r.stderr and "(Deny s3:PutObject)" in r.stderr
              and "bcm-data-exports.amazonaws.com" in r.stderr, r.stderr[-600:])
        check("blocking Deny: nothing written", writes(sim.requests()[n0:]) == [], str(writes(sim.requests()[n0:])))
        r = w2.dry_run(ans("acme-deny"), env={"AWS_ACCESS_KEY_ID": sim.env["MEMBER_AWS_ACCESS_KEY_ID"],
                                              "AWS_SECRET_ACCESS_KEY": sim.env["MEMBER_AWS_SECRET_ACCESS_KEY"]})
        check("blocking Deny: --dry-run names it too", r.returncode != 0 and '"NoWrites"' in r.stderr, r.stderr[-600:])
    finally:
        sim.cleanup()


def sigpipe_and_unsaved_key():
    sim = Sim().start()
    try:
        iam = sim.client("iam")
        sim.client("s3").create_bucket(Bucket="acme-pipe")
        w = Wizard(sim, "pipe")
        # stdout and stderr (the progress lines, the summary) closed after one byte: the run
        # must not die of SIGPIPE in the middle (e.g. between CreateAccessKey and the vault save)
        cmd = [CX_BIN, "--batch", "--answers", w.answers(ans("acme-pipe")), "--passphrase-file", w.pass_file,
               "--vault-kdf", "interactive"]
        status = os.path.join(w.home, "status")
        script = f'{" ".join(shlex.quote(c) for c in cmd)} 2>&1 | head -c1 >/dev/null; echo "${{PIPESTATUS[0]}}" >{status}'
        r = sim.run("bash", "-c", script, env=w.env())
        with open(status) as f:
            rc = int(f.read().strip() or -1)
        check("| head -c1: the wizard is not killed by SIGPIPE (exit 0)", rc == 0, f"{rc} {r.stderr[-800:]}")
        keys = set(user_keys(iam, "certerox-billing"))
        check("| head -c1: every key of the user is in the vault", keys and keys <= vault_keys(w),
              f"{keys} {vault_keys(w)}")

        # a run killed while CreateAccessKey was in flight leaves a key with no description:
        # the journal's intent record (written before the request) makes it known as ours
        stray = iam.create_access_key(UserName="certerox-billing")["AccessKey"]["AccessKeyId"]
        r = w.batch(ans("acme-pipe"), "--yes")
        check("untagged key, no intent in the journal: left alone even with --yes",
              r.returncode == 0 and stray in user_keys(iam, "certerox-billing") and "left alone" in r.stderr,
              r.stderr[-800:])
        import datetime
        jpath = os.path.join(w.state, f"journal-{sim.env['AWS_ACCOUNT_ID']}.jsonl")
        now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        with open(jpath, "a") as f:
            f.write(json.dumps({"at": now, "event": "creating_access_key", "user": "certerox-billing"}) + "\n")
        r = w.batch(ans("acme-pipe"), "--yes")
        check("the intent of a killed run: its key is the wizard's, deleted with --yes",
              r.returncode == 0 and stray not in user_keys(iam, "certerox-billing"), r.stderr[-800:])

        # the vault cannot be saved: the new key is deleted at once (member account)
        env = {"AWS_ACCESS_KEY_ID": sim.env["MEMBER_AWS_ACCESS_KEY_ID"],
               "AWS_SECRET_ACCESS_KEY": sim.env["MEMBER_AWS_SECRET_ACCESS_KEY"]}
        sim.client("s3", who="member").create_bucket(Bucket="acme-nosave")
        iam_m = sim.client("iam", who="member")
        w2 = Wizard(sim, "nosave")
        # a vault exists (made by a run stopped before any write: a missing bucket)
        r = w2.batch(ans("acme-missing-bucket"), env=env)
        size = os.path.getsize(w2.vault) if os.path.exists(w2.vault) else 0
        check("nosave: a vault exists after the first run", size > 0, r.stderr[-500:])

        def limit():
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (size + 16, size + 16))
        e = dict(os.environ)
        for k in list(e):
            if k.startswith("AWS_"):
                del e[k]
        e.update(sim.env)
        e.update(w2.env(env))
        p = subprocess.run([CX_BIN, "--batch", "--answers", w2.answers(ans("acme-nosave")), "--passphrase-file",
                            w2.pass_file, "--vault-kdf", "interactive", "--yes"], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, env=e, preexec_fn=limit)
        check("nosave: the run fails", p.returncode != 0, p.stderr[-800:])
        made = [q for q in sim.requests() if q.get("operation") == "CreateAccessKey" and q.get("status") == 200
                and q.get("access_key_id") == sim.env["MEMBER_AWS_ACCESS_KEY_ID"]]
        left = user_keys(iam_m, "certerox-billing")
        check("nosave: a key was made, then deleted: the user has no key", made and not left, f"{len(made)} {left}")
        check("nosave: the run says the key was deleted", "could not be saved in the vault, so it was deleted"
              in p.stderr, p.stderr[-800:])
    finally:
        sim.cleanup()


if __name__ == "__main__":
    people_and_connected_account()
    merge_and_bucket_policy()
    sigpipe_and_unsaved_key()
    finish()
