#!/usr/bin/env python3
"""--dry-run against the simulated cloud in several prepared states: the plan is right for
the state, nothing is written (the sim's request log shows reads only), no secret is
printed; and the `--format awscli` script, run by bash against a fresh cloud, produces the
same AWS state as the wizard itself."""

import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from flowlib import Sim, Wizard, check, finish, writes  # noqa: E402

ANS = {"connection": "root",
       "export": {"type": "cur2", "setup": "wizard", "name": "certerox-cur2", "bucket": "acme-dry",
                  "prefix": "reports"}}


def kinds(plan):
    return {s["id"]: s["kind"] for s in plan["steps"]}


def aws_state(sim, user="certerox-billing", bucket="acme-dry"):
    """The AWS end state that matters, normalised (ids, dates and ARN suffixes removed)."""
    iam = sim.client("iam")
    st = {}
    pols = iam.list_policies(Scope="Local")["Policies"]
    st["policies"] = {}
    for p in pols:
        v = iam.get_policy_version(PolicyArn=p["Arn"], VersionId=p["DefaultVersionId"])
        doc = v["PolicyVersion"]["Document"]
        if isinstance(doc, str):
            doc = json.loads(doc)
        n = len(iam.list_policy_versions(PolicyArn=p["Arn"])["Versions"])
        st["policies"][p["PolicyName"]] = (json.dumps(doc, sort_keys=True), n)
    users = [u["UserName"] for u in iam.list_users()["Users"] if u["UserName"] == user]
    st["users"] = users
    if users:
        st["attached"] = sorted(p["PolicyName"] for p in
                                iam.list_attached_user_policies(UserName=user)["AttachedPolicies"])
        st["keys"] = len(iam.list_access_keys(UserName=user)["AccessKeyMetadata"])
    pol = json.loads(sim.client("s3").get_bucket_policy(Bucket=bucket)["Policy"])
    st["bucket_policy"] = json.dumps(pol, sort_keys=True)
    bcm = sim.client("bcm-data-exports")
    exps = []
    for e in bcm.list_exports()["Exports"]:
        ex = bcm.get_export(ExportArn=e["ExportArn"])["Export"]
        ex.pop("ExportArn", None)
        exps.append(json.dumps(ex, sort_keys=True, default=str))
    st["exports"] = sorted(exps)
    return st


def states():
    sim = Sim().start()
    try:
        w = Wizard(sim, "dry")
        s3 = sim.client("s3")
        s3.create_bucket(Bucket="acme-dry")
        # 1. an empty account with a bucket that has a foreign policy
        foreign = {"Version": "2012-10-17", "Statement": [
            {"Sid": "Theirs", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
             "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-dry/*", "X-Unknown": [1, 2]}]}
        s3.put_bucket_policy(Bucket="acme-dry", Policy=json.dumps(foreign))
        n0 = len(sim.requests())
        r = w.dry_run(ANS)
        new = sim.requests()[n0:]
        check("empty account: dry-run exits 0", r.returncode == 0, r.stderr[-800:])
        plan = r.json or {}
        k = kinds(plan)
        check("empty account: creates policies, user, key, export",
              all(k.get(i) == "create" for i in ("policy-readonly", "policy-discover", "user", "key", "export")), str(k))
        check("empty account: bucket policy merged (update), foreign statement kept in the request",
              k.get("bucket-policy") in ("update", "create") and "Theirs" in json.dumps(plan), str(k))
        bp = [s for s in plan.get("steps", []) if s["id"] == "bucket-policy"]
        check("empty account: the bucket-policy step carries a diff", bool(bp and bp[0].get("diff")))
        check("empty account: nothing written", writes(new) == [], str(writes(new)))
        check("empty account: every request was a read", all((q.get("operation") or "").startswith(
            ("Get", "List", "Describe", "Head")) or q["service"] == "certerox" for q in new), str(new[:3]))
        out = r.stdout + r.stderr
        check("dry-run prints no secret", sim.env["AWS_SECRET_ACCESS_KEY"] not in out and
              sim.env["CERTEROX_TOKEN"] not in out)
        n0 = len(sim.requests())
        r = w.dry_run(ANS, "--format", "awscli")
        check("awscli format: exit 0", r.returncode == 0, r.stderr[-500:])
        check("awscli format: passes bash -n", subprocess.run(["bash", "-n"], input=r.stdout, text=True).returncode == 0)
        check("awscli format: nothing written", writes(sim.requests()[n0:]) == [])
        # 2. after a wizard run: the plan skips everything
        rb = w.batch(ANS)
        check("after apply: batch exits 0", rb.returncode == 0, rb.stderr[-800:])
        r = w.dry_run(ANS)
        check("after apply, no passphrase: warns that the vault was not opened", "not opened" in r.stderr, r.stderr)
        r = w.dry_run(ANS, "--passphrase-file", w.pass_file)
        k = kinds(r.json or {"steps": []})
        check("after apply: every write step is skipped",
              all(v in ("skip", "read") for i, v in k.items() if i != "key-check"), str(k))
        # 3. drift: someone changed the ReadOnly policy: a new default version is planned
        iam = sim.client("iam")
        arn = "arn:aws:iam::123456789012:policy/CerteroXReadOnly"
        iam.create_policy_version(PolicyArn=arn, SetAsDefault=True, PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}))
        r = w.dry_run(ANS)
        plan = r.json or {"steps": []}
        st = [s for s in plan["steps"] if s["id"] == "policy-readonly"]
        check("drift: the ReadOnly policy gets a new version", st and st[0]["operation"] == "CreatePolicyVersion"
              and st[0]["kind"] == "update", json.dumps(st)[:300])
        # 4. invalid answers: exit 65 naming the path, nothing sent
        n0 = len(sim.requests())
        bad = w.dry_run({"export": {"bucket": 7}})
        check("bad answers: exit 65", bad.returncode == 65, str(bad.returncode))
        check("bad answers: the message names export.bucket", "export.bucket" in bad.stderr, bad.stderr)
        check("bad answers: nothing sent", len(sim.requests()) == n0)
    finally:
        sim.cleanup()


def chain_levels(reqs, tol=0.003, admin=None):
    """Depth of each request as the log shows it: 1 + the deepest one that ended before it
    started (the sim adds a latency to every request, so a request that waited on another's
    answer starts after it ended). With admin (the administrator's key): a CerteroX request
    also waits for the AWS calls CerteroX makes inside it with another key (a verify or a
    submission checking a key), so it counts 1 + their chain."""
    rs = sorted(reqs, key=lambda r: r["start"])
    # only a POST or PATCH makes CerteroX check a key with AWS (a GET lists or reads)
    cx = [r for r in rs if r["service"] == "certerox" and (r["operation"] or "").startswith(("POST ", "PATCH "))]

    def inside(q):
        return (admin is not None and q["service"] != "certerox" and q.get("access_key_id") != admin
                and any(c["start"] <= q["start"] and q["end"] <= c["end"] for c in cx))
    outer = [r for r in rs if not inside(r)]
    out = []
    for i, r in enumerate(outer):
        own = 1
        if admin is not None and any(r is c for c in cx):
            own += chain_levels([q for q in rs if inside(q) and r["start"] <= q["start"] and q["end"] <= r["end"]],
                                tol)
        out.append(own + max((out[j] for j in range(i) if outer[j]["end"] <= r["start"] + tol), default=0))
    return max(out, default=0)


def critical_path_matches_log():
    """The plan's critical path (discovery, its own requests, CerteroX's check) is the chain
    of round trips a run actually waits for, part by part."""
    # 150 ms: a request held up by the CPU (a sanitized build, a busy machine) for less than a
    # round trip must not look as if it had waited for another one
    sim = Sim("--latency-ms", "150").start()
    try:
        sim.client("s3").create_bucket(Bucket="acme-dry")
        w = Wizard(sim, "path")
        n0 = len(sim.requests())
        r = w.dry_run(ANS)
        check("critical path: dry-run exits 0", r.returncode == 0, r.stderr[-800:])
        plan = r.json or {}
        parts = plan.get("critical_path_parts") or {}
        admin = sim.env["AWS_ACCESS_KEY_ID"]
        disc = chain_levels(sim.requests()[n0:], admin=admin)
        check(f"critical path: discovery part {parts.get('discovery')} = depth of the dry-run's reads {disc}",
              parts.get("discovery") == disc and disc >= 1, json.dumps(parts))
        check("critical path: total = discovery + requests + certerox_check",
              plan.get("critical_path") == sum(parts.get(k, -99) for k in ("discovery", "requests",
                                                                              "certerox_check")), json.dumps(plan.get("critical_path")))
        cx = [s for s in plan.get("steps", []) if s["id"] == "certerox"]
        check("critical path: the certerox step carries the server's chain",
              bool(cx) and cx[0].get("server_requests") == parts.get("certerox_check"), str(cx[:1])[:300])
        n0 = len(sim.requests())
        rb = w.batch(ANS)
        check("critical path: batch exits 0", rb.returncode == 0, rb.stderr[-800:])
        run = sim.requests()[n0:]
        post = [q for q in run if q["service"] == "certerox" and (q["operation"] or "").startswith("POST ")]
        server = [q for q in run if post and q["service"] != "certerox" and q.get("access_key_id") != admin
                  and q["start"] >= post[-1]["start"] and q["end"] <= post[-1]["end"]]
        # a CerteroX request that calls AWS before it answers (a verify that passes the type
        # check): the server's work inside that request, which the wizard waits for
        # (chain_levels nests it)
        client = [q for q in run if not any(q is x for x in server)]
        check(f"critical path: CerteroX's chain in the log {chain_levels(server)} = the plan's "
              f"{parts.get('certerox_check')}", chain_levels(server) == parts.get("certerox_check"),
              str([q["operation"] for q in server]))
        took = chain_levels(client, admin=admin)
        check(f"critical path: the wizard's own requests took depth {took} = discovery + requests "
              f"{parts.get('discovery', 0) + parts.get('requests', 0)}",
              took == parts.get("discovery", 0) + parts.get("requests", 0),
              str([(q["service"], q["operation"]) for q in client]))
    finally:
        sim.cleanup()


def awscli_equivalence():
    a = Sim().start()
    b = Sim().start()
    try:
        for s in (a, b):
            s.client("s3").create_bucket(Bucket="acme-dry")
        wa = Wizard(a, "wiz")
        r = wa.batch(ANS)
        check("equivalence: the wizard run exits 0", r.returncode == 0, r.stderr[-800:])
        wb = Wizard(b, "cli")
        r = wb.dry_run(ANS, "--format", "awscli")
        script = os.path.join(wb.home, "plan.sh")
        with open(script, "w") as f:
            f.write(r.stdout)
        key_file = os.path.join(wb.home, "key.txt")
        run = b.run("bash", script, env={"CX_KEY_FILE": key_file})
        check("equivalence: the awscli script runs against the cloud", run.returncode == 0,
              (run.stdout + run.stderr)[-1500:])
        check("equivalence: the script saved the key with mode 0600, printed no secret",
              os.path.exists(key_file) and (os.stat(key_file).st_mode & 0o777) == 0o600 and
              open(key_file).read().strip() and open(key_file).read().split()[-1] not in run.stdout + run.stderr)
        sa, sb = aws_state(a), aws_state(b)
        for key in sorted(set(sa) | set(sb)):
            check(f"equivalence: same {key}", sa.get(key) == sb.get(key), f"{str(sa.get(key))[:300]} != {str(sb.get(key))[:300]}")
    finally:
        a.cleanup()
        b.cleanup()


if __name__ == "__main__":
    states()
    critical_path_matches_log()
    awscli_equivalence()
    sys.exit(finish())
