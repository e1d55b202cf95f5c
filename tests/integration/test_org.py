#!/usr/bin/env python3
"""Action organization (issue 16) through the real binary against the sim's Organization
(`cloudsim start --member-accounts N`). End states are judged by boto3 (as the management
administrator, and inside each member through its OrganizationAccountAccessRole) and by curl
against CerteroX; "writes nothing" by the sim's request log.

- role access, 20 members (+ the sim's bootstrap member), one member without its member role:
  that one is reported with the role it could not assume, every other one is connected (data
  source config, role, trust, policy, tag; the management user's only permission; the key in
  the vault works through the role); once the member role is back a re-run connects only it;
  a third run writes nothing;
- a run killed half-way (SIGKILL) through 20 members resumes to completion: one data source per
  member, one key;
- user access for 3 members: a tagged user, the Discover policy, one key each (secret in the
  vault), plain Linked data sources;
- an untagged CerteroXDiscover role of someone else is left untouched and the account fails
  naming it; a member account's and a standalone account's credentials are refused with the
  reason;
- a CerteroX without the assume-role keys: access defaults to user, role is refused;
- a new key AWS accepts only later: CerteroX's refusals are waited through;
- --dry-run: the plan per account (the management user's steps from reads of what is there;
  already connected and suspended accounts said), and the request log holds no write."""

import json
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from flowlib import CX_BIN, TOP_SRC, Sim, Wizard, check, finish, writes  # noqa: E402
import test_vault_format as vf  # noqa: E402

import boto3  # noqa: E402

MGMT = "123456789012"
BOOT_MEMBER = "234567890123"
ROLE = "CerteroXDiscover"
ADMIN_ROLE = "OrganizationAccountAccessRole"


def vault_records(w):
    """The vault's records, decrypted by the independent reader of test_vault_format."""
    if vf.SODIUM is None:
        vf.SODIUM = vf.load_sodium()
    with open(w.pass_file, "rb") as f:
        pw = f.read().rstrip(b"\n")
    with open(w.vault, "rb") as f:
        return vf.decrypt_vault(f.read(), pw)[0].get("data_sources", [])


def member_id(i):
    return f"{400000000000 + i:012d}"


def discover_doc():
    with open(os.path.join(TOP_SRC, "data", "policies", "discover.json")) as f:
        return json.load(f)


def session(sim, akid, secret, token=None):
    return boto3.session.Session(aws_access_key_id=akid, aws_secret_access_key=secret, aws_session_token=token,
                                 region_name="us-east-1")


def client(sim, sess, svc):
    return sess.client(svc, endpoint_url=sim.env["AWS_ENDPOINT_URL"], verify=sim.env["AWS_CA_BUNDLE"])


def admin(sim):
    return session(sim, sim.env["AWS_ACCESS_KEY_ID"], sim.env["AWS_SECRET_ACCESS_KEY"])


def assume(sim, sess, acct, role):
    c = client(sim, sess, "sts").assume_role(RoleArn=f"arn:aws:iam::{acct}:role/{role}",
                                             RoleSessionName="test-org")["Credentials"]
    return session(sim, c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])


def in_member(sim, acct, svc="iam"):
    return client(sim, assume(sim, admin(sim), acct, ADMIN_ROLE), svc)


def data_sources(sim):
    code, j, _ = sim.curl("GET", f"/restapi/v2/organizations/{sim.env['CERTEROX_ORGANIZATION_ID']}/cloud_accounts")
    return (j or {}).get("cloud_accounts", []) if code == 200 else None


def by_account(dss):
    out = {}
    for d in dss:
        out.setdefault(d.get("account_id"), []).append(d)
    return out


def tags_of(items):
    return {t["Key"]: t["Value"] for t in items or []}


def remove_member_role(sim, acct):
    """Deletes the member's OrganizationAccountAccessRole, keeping a way back in (a spare role)."""
    iam = in_member(sim, acct)
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{MGMT}:root"}, "Action": "sts:AssumeRole"}]})
    iam.create_role(RoleName="TestSpare", AssumeRolePolicyDocument=trust)
    iam.put_role_policy(RoleName="TestSpare", PolicyName="all", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
    iam = client(sim, assume(sim, admin(sim), acct, "TestSpare"), "iam")
    for p in iam.list_role_policies(RoleName=ADMIN_ROLE)["PolicyNames"]:
        iam.delete_role_policy(RoleName=ADMIN_ROLE, PolicyName=p)
    iam.delete_role(RoleName=ADMIN_ROLE)
    return trust


def restore_member_role(sim, acct, trust):
    iam = client(sim, assume(sim, admin(sim), acct, "TestSpare"), "iam")
    iam.create_role(RoleName=ADMIN_ROLE, AssumeRolePolicyDocument=trust)
    iam.put_role_policy(RoleName=ADMIN_ROLE, PolicyName="AdministratorAccess", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))


def max_in_flight(reqs):
    """The most members worked on at once: each member's IAM calls are signed with its own
    assumed-role key (ASIA...); the windows [first start, last end] of those keys overlap."""
    win = {}
    for x in reqs:
        k = x.get("access_key_id") or ""
        if x.get("service") == "iam" and k.startswith("ASIA"):
            a, b = win.get(k, (x["start"], x["end"]))
            win[k] = (min(a, x["start"]), max(b, x["end"]))
    best = 0
    for k, (a, b) in win.items():
        best = max(best, sum(1 for (c, d) in win.values() if c <= a < d))
    return best, len(win)


def outcomes(r):
    return {a["id"]: a for a in (r.json or {}).get("accounts", [])}


POLICY = "CerteroXDiscoverResources"  # the name action connect gives the Discover policy


def policy_arn(acct):
    return f"arn:aws:iam::{acct}:policy/{POLICY}"


def default_doc(iam, arn):
    """The document of a managed policy's default version (GetPolicy, GetPolicyVersion)."""
    v = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
    doc = iam.get_policy_version(PolicyArn=arn, VersionId=v)["PolicyVersion"]["Document"]
    return json.loads(doc) if isinstance(doc, str) else doc


def versions(iam, arn):
    """[(VersionId, IsDefaultVersion, document)] of every version of a managed policy."""
    out = []
    for v in iam.list_policy_versions(PolicyArn=arn)["Versions"]:
        d = iam.get_policy_version(PolicyArn=arn, VersionId=v["VersionId"])["PolicyVersion"]["Document"]
        out.append((v["VersionId"], v["IsDefaultVersion"], json.loads(d) if isinstance(d, str) else d))
    return sorted(out, key=lambda x: x[0])


def managed_policy_problem(iam, acct, kind, name):
    """The guide's way: the customer managed Discover Resources policy (the Discover document,
    tagged certerox-aws-setup) attached to the role or user, and no inline policy on it ("" when
    so)."""
    if kind == "role":
        att = iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
        inl = iam.list_role_policies(RoleName=name)["PolicyNames"]
    else:
        att = iam.list_attached_user_policies(UserName=name)["AttachedPolicies"]
        inl = iam.list_user_policies(UserName=name)["PolicyNames"]
    if [a["PolicyArn"] for a in att] != [policy_arn(acct)]:
        return f"attached policies {att}"
    if inl:
        return f"inline policies {inl}"
    doc = default_doc(iam, policy_arn(acct))
    if doc != discover_doc():
        return f"policy document {doc}"
    tags = tags_of(iam.list_policy_tags(PolicyArn=policy_arn(acct))["Tags"])
    if "certerox-aws-setup" not in tags:
        return f"policy tags {tags}"
    return ""


def check_role_member(sim, acct, user_arn, akid, ds):
    """The member's role, trust, policy and tag, and its data source's config."""
    iam = in_member(sim, acct)
    try:
        role = iam.get_role(RoleName=ROLE)["Role"]
    except Exception as e:  # noqa: BLE001
        return f"GetRole: {e}"
    trust = role["AssumeRolePolicyDocument"]
    if isinstance(trust, str):
        trust = json.loads(trust)
    st = trust["Statement"]
    st = st if isinstance(st, list) else [st]
    if not any(s.get("Effect") == "Allow" and s.get("Principal", {}).get("AWS") == user_arn
               and s.get("Action") == "sts:AssumeRole" for s in st):
        return f"trust {trust}"
    if len(st) != 1:
        return f"trust has {len(st)} statements"
    if tags_of(iam.list_role_tags(RoleName=ROLE)["Tags"]).get("certerox-aws-setup") is None:
        return "role without the tag certerox-aws-setup"
    p = managed_policy_problem(iam, acct, "role", ROLE)
    if p:
        return p
    if not ds or len(ds) != 1:
        return f"data sources {ds}"
    cfg = ds[0].get("config") or {}
    want = {"access_key_id": akid, "linked": True, "assume_role_account_id": acct, "assume_role_name": ROLE}
    for k, v in want.items():
        if cfg.get(k) != v:
            return f"config {k}={cfg.get(k)!r}, want {v!r}"
    if "secret_access_key" in cfg:
        return "config shows the secret"
    return ""


def role_access_twenty():
    sim = Sim("--member-accounts", "20").start()
    try:
        w = Wizard(sim, "org-role")
        missing = member_id(7)
        spare_trust = remove_member_role(sim, missing)
        n0 = len(sim.requests())
        r = w.batch({"action": "organization", "organization": {"accounts": "all", "max_parallel": 8}},
                    "--certerox-url", sim.env["CERTEROX_URL"])
        check("role: a member without its member role: exit 75", r.returncode == 75,
              f"{r.returncode} {r.stderr[-1500:]}")
        out = outcomes(r)
        peak, nkeys = max_in_flight(sim.requests()[n0:])
        check("role: members worked on concurrently, at most max_parallel (8) at once",
              1 < peak <= 8 and nkeys >= 20, f"peak {peak}, {nkeys} member sessions")
        check("role: the summary says access role", (r.json or {}).get("access") == "role", r.stdout[:300])
        pages = [x for x in sim.requests()[n0:] if x.get("service") == "organizations"
                 and x.get("operation") == "ListAccounts"]
        everyone = [a for p in client(sim, admin(sim), "organizations").get_paginator("list_accounts").paginate()
                    for a in p["Accounts"]]
        check("role: ListAccounts read page by page, once each (MaxResults 20: 22 accounts = 2 calls)",
              len(everyone) == 22 and len(pages) == 2 and all(x.get("status") == 200 for x in pages),
              f"{len(everyone)} accounts, {[(x.get('status'), x.get('error')) for x in pages]}")
        check("role: the summary gives each account's ms (a number; > 0 for each connected one)",
              all(isinstance(a.get("ms"), (int, float)) for a in (r.json or {}).get("accounts", []))
              and all(a["ms"] > 0 for a in (r.json or {}).get("accounts", []) if a.get("outcome") == "connected"),
              json.dumps([(a.get("id"), a.get("ms")) for a in (r.json or {}).get("accounts", [])])[:600])
        bad = out.get(missing, {})
        check("role: the member without its member role is reported, naming the role",
              bad.get("outcome") == "failed" and f"arn:aws:iam::{missing}:role/{ADMIN_ROLE}" in bad.get("reason", "")
              and "member_role" in bad.get("fix", ""), json.dumps(bad))
        check("role: the management account itself is skipped", out.get(MGMT, {}).get("outcome") == "skipped",
              json.dumps(out.get(MGMT)))
        others = [member_id(i) for i in range(1, 21) if i != 7] + [BOOT_MEMBER]
        check("role: every other member is connected",
              all(out.get(a, {}).get("outcome") == "connected" for a in others),
              json.dumps({a: out.get(a, {}).get("outcome") for a in others}))
        # the management user: one key, only sts:AssumeRole on the role
        iam = client(sim, admin(sim), "iam")
        user = iam.get_user(UserName="certerox-discover")["User"]
        keys = iam.list_access_keys(UserName="certerox-discover")["AccessKeyMetadata"]
        check("role: one management user key", len(keys) == 1, str(keys))
        akid = keys[0]["AccessKeyId"] if keys else None
        check("role: the summary names that key", (r.json or {}).get("access_key_id") == akid, r.stdout[:400])
        check("role: the management user carries the tag",
              "certerox-aws-setup" in tags_of(iam.list_user_tags(UserName="certerox-discover")["Tags"]))
        pols = iam.list_user_policies(UserName="certerox-discover")["PolicyNames"]
        attached = iam.list_attached_user_policies(UserName="certerox-discover")["AttachedPolicies"]
        doc = iam.get_user_policy(UserName="certerox-discover", PolicyName=pols[0])["PolicyDocument"] if pols else {}
        if isinstance(doc, str):
            doc = json.loads(doc)
        st = doc.get("Statement", [{}])
        st = st if isinstance(st, list) else [st]
        check("role: the management user may only sts:AssumeRole on arn:aws:iam::*:role/CerteroXDiscover",
              len(pols) == 1 and not attached and len(st) == 1 and st[0].get("Action") == "sts:AssumeRole"
              and st[0].get("Resource") == f"arn:aws:iam::*:role/{ROLE}" and st[0].get("Effect") == "Allow",
              json.dumps(doc))
        # the secret is in the vault, and it works through a member's role
        recs = [x for x in vault_records(w) if x.get("access_key_id") == akid and x.get("secret_access_key")]
        check("role: the key's secret is in the vault", bool(recs), str(len(recs)))
        if recs:
            sess = session(sim, akid, recs[0]["secret_access_key"])
            try:
                ec2 = client(sim, assume(sim, sess, member_id(3), ROLE), "ec2")
                ok = "Regions" in ec2.describe_regions()
            except Exception as e:  # noqa: BLE001
                ok = str(e)
            check("role: the vault's key assumes CerteroXDiscover in a member and discovers", ok is True, str(ok))
            try:
                assume(sim, sess, member_id(3), ADMIN_ROLE)
                ok = "assumed the admin role"
            except Exception as e:  # noqa: BLE001
                ok = "AccessDenied" in str(e)
            check("role: the key cannot assume any other role", ok is True, str(ok))
        dss = by_account(data_sources(sim) or [])
        problems = {a: check_role_member(sim, a, user["Arn"], akid, dss.get(a)) for a in others}
        problems = {a: p for a, p in problems.items() if p}
        check("role: each member's role, trust, tag, policy and data source config (boto3 + curl)",
              not problems, json.dumps(problems)[:1500])
        check("role: no data source for the failed member", missing not in dss, str(dss.get(missing)))
        check("role: no secret on stdout/stderr", not recs or recs[0]["secret_access_key"] not in r.stdout + r.stderr)
        # the member role is back: a re-run connects only that one. The key's description is
        # taken away first (as a run stopped between the vault's save and TagUser leaves it):
        # the vault's key is described again
        iam.untag_user(UserName="certerox-discover", TagKeys=[akid])
        restore_member_role(sim, missing, spare_trust)
        n1 = len(sim.requests())
        r = w.batch({"action": "organization", "organization": {"accounts": "all"}},
                    "--certerox-url", sim.env["CERTEROX_URL"])
        check("role: re-run after the fix: exit 0", r.returncode == 0, f"{r.returncode} {r.stderr[-1000:]}")
        out = outcomes(r)
        check("role: re-run: the fixed member connected, the others marked already connected",
              out.get(missing, {}).get("outcome") == "connected"
              and all(out.get(a, {}).get("outcome") == "already_connected" for a in others),
              json.dumps({a: o.get("outcome") for a, o in out.items()}))
        wr = [x for x in writes(sim.requests()[n1:]) if x != "sts AssumeRole"]  # stores nothing
        check("role: re-run writes only the fixed member's role, policy and data source (and the key's "
              "description)",
              sorted(x.split(" /")[0] for x in wr) == ["POST", "iam AttachRolePolicy", "iam CreatePolicy", "iam CreateRole",
                                                       "iam TagUser"], str(wr))
        check("role: the vault's key is described on its user again",
              tags_of(iam.list_user_tags(UserName="certerox-discover")["Tags"]).get(akid, "").startswith(
                  "certerox-aws-setup"), str(iam.list_user_tags(UserName="certerox-discover")["Tags"]))
        dss = by_account(data_sources(sim) or [])
        p = check_role_member(sim, missing, user["Arn"], akid, dss.get(missing))
        check("role: the fixed member's role and data source", not p, p)
        n2 = len(sim.requests())
        r = w.batch({"action": "organization", "organization": {"accounts": "all"}},
                    "--certerox-url", sim.env["CERTEROX_URL"])
        check("role: third run: exit 0", r.returncode == 0, f"{r.returncode} {r.stderr[-800:]}")
        check("role: third run writes nothing", writes(sim.requests()[n2:]) == [], str(writes(sim.requests()[n2:])))
        check("role: one data source per account",
              all(len(v) == 1 for v in by_account(data_sources(sim) or []).values()))
        check("role: first run's requests all signed (no unsigned or unknown-key errors)",
              not [x for x in sim.requests()[n0:] if x.get("error") in ("MissingAuthenticationToken",
                                                                       "InvalidClientTokenId")
                   and x.get("access_key_id") in (akid, sim.env["AWS_ACCESS_KEY_ID"])])
    finally:
        sim.cleanup()


def killed_half_way():
    sim = Sim("--member-accounts", "20", "--latency-ms", "20").start()
    try:
        w = Wizard(sim, "org-kill")
        closed = member_id(20)
        client(sim, admin(sim), "organizations").close_account(AccountId=closed)  # SUSPENDED
        args = [CX_BIN, "--batch", "--answers", w.answers({"action": "organization",
                                                           "organization": {"max_parallel": 2}}),
                "--passphrase-file", w.pass_file, "--vault-kdf", "interactive",
                "--certerox-url", sim.env["CERTEROX_URL"]]
        e = dict(os.environ)
        for k in list(e):
            if k.startswith("AWS_"):
                del e[k]
        e.update(sim.env)
        e.update(w.env())
        p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=e)
        seen = 0
        t0 = time.time()
        for ln in p.stderr:
            if ": connected (" in ln:
                seen += 1
            if seen >= 10 or time.time() - t0 > 60:  # half of the 20
                break
        p.send_signal(signal.SIGKILL)
        p.wait()
        p.stdout.close()
        p.stderr.close()
        before = by_account(data_sources(sim) or [])
        members = [member_id(i) for i in range(1, 20)] + [BOOT_MEMBER]
        check("kill: killed with some members connected and some not",
              0 < sum(1 for a in members if a in before) < len(members), str(sorted(before)))
        r = w.batch({"action": "organization", "organization": {}}, "--certerox-url", sim.env["CERTEROX_URL"])
        check("kill: the re-run exits 0", r.returncode == 0, f"{r.returncode} {r.stderr[-1000:]}")
        after = by_account(data_sources(sim) or [])
        o = outcomes(r).get(closed, {})
        check("suspended account: skipped, the summary says its status, no data source",
              o.get("outcome") == "skipped" and "SUSPENDED" in o.get("reason", "") and closed not in after
              and f"{closed} member-020: skipped: status SUSPENDED" in r.stderr, json.dumps(o))
        check("kill: every member has exactly one data source", all(len(after.get(a, [])) == 1 for a in members),
              json.dumps({a: len(after.get(a, [])) for a in members}))
        keys = client(sim, admin(sim), "iam").list_access_keys(UserName="certerox-discover")["AccessKeyMetadata"]
        check("kill: one management user key", len(keys) == 1, str(keys))
        check("kill: every data source uses that key",
              all(after[a][0]["config"].get("access_key_id") == keys[0]["AccessKeyId"] for a in members if a in after))
        ids = {after[a][0]["id"] for a in members if a in after}
        recs = {x.get("data_source_id") for x in vault_records(w)}
        check("kill: the vault holds a record of every data source (lost ones adopted by the re-run)",
              ids <= recs, str(sorted(ids - recs)))
        journal = os.path.join(w.state, f"journal-{MGMT}.jsonl")
        try:
            with open(journal) as f:
                ev = [json.loads(x) for x in f if x.strip()]
        except OSError:
            ev = []
        done = {x.get("account") for x in ev if x.get("event") == "org-account"
                and x.get("state") in ("connected", "already-connected")}
        check("kill: the journal records each member's outcome", set(members) <= done, str(sorted(done)))
        steps = {x.get("state") for x in ev if x.get("event") == "org-account"}
        check("kill: the journal records the steps within an account", "role-ready" in steps, str(steps))
    finally:
        sim.cleanup()


def user_access_and_refusals():
    sim = Sim("--member-accounts", "4").start()
    try:
        w = Wizard(sim, "org-user")
        three = [member_id(i) for i in (1, 2, 3)]
        n0 = len(sim.requests())
        r = w.batch({"action": "organization", "organization": {"accounts": three, "access": "user",
                                                                "max_parallel": 1}},
                    "--certerox-url", sim.env["CERTEROX_URL"])
        peak, nkeys = max_in_flight(sim.requests()[n0:])
        check("user: max_parallel 1: one member at a time", peak == 1 and nkeys == 3, f"peak {peak}, {nkeys}")
        check("user: exit 0", r.returncode == 0, f"{r.returncode} {r.stderr[-1000:]}")
        out = outcomes(r)
        check("user: only the 3 chosen accounts", sorted(out) == sorted(three), str(sorted(out)))
        recs = vault_records(w)
        dss = by_account(data_sources(sim) or [])
        for a in three:
            iam = in_member(sim, a)
            try:
                keys = iam.list_access_keys(UserName="certerox-discover")["AccessKeyMetadata"]
                tags = tags_of(iam.list_user_tags(UserName="certerox-discover")["Tags"])
                pol = managed_policy_problem(iam, a, "user", "certerox-discover")
            except Exception as e:  # noqa: BLE001
                check(f"user: {a}: the user exists", False, str(e))
                continue
            akid = keys[0]["AccessKeyId"] if len(keys) == 1 else None
            check(f"user: {a}: a tagged user, the managed Discover policy attached (tagged, no inline), one key",
                  akid and "certerox-aws-setup" in tags and not pol, f"{keys} {tags} {pol}")
            sec = [x for x in recs if isinstance(x, dict) and x.get("access_key_id") == akid
                   and x.get("secret_access_key")]
            check(f"user: {a}: the key's secret is in the vault", bool(sec))
            cfg = (dss.get(a) or [{}])[0].get("config") or {}
            check(f"user: {a}: one Linked data source with that key, no assume-role keys",
                  len(dss.get(a) or []) == 1 and cfg.get("access_key_id") == akid and cfg.get("linked") is True
                  and "assume_role_account_id" not in cfg, json.dumps(cfg))
        n1 = len(sim.requests())
        r = w.batch({"action": "organization", "organization": {"accounts": three, "access": "user"}},
                    "--certerox-url", sim.env["CERTEROX_URL"])
        check("user: re-run exit 0 and writes nothing", r.returncode == 0 and writes(sim.requests()[n1:]) == [],
              f"{r.returncode} {writes(sim.requests()[n1:])}")
        # keys of our user that a vault lacks (as after a run killed between CreateAccessKey and
        # the vault's save): left in place and named, refused at two, deleted only with --yes
        m2 = member_id(2)
        ans2 = {"action": "organization", "organization": {"accounts": [m2], "access": "user"}}
        iam2 = in_member(sim, m2)

        def drop_ds():
            for d in (data_sources(sim) or []):
                if d.get("account_id") == m2:
                    sim.curl("DELETE", f"/restapi/v2/cloud_accounts/{d['id']}")

        old_key = iam2.list_access_keys(UserName="certerox-discover")["AccessKeyMetadata"][0]["AccessKeyId"]
        drop_ds()
        r = Wizard(sim, "org-user2").batch(ans2, "--certerox-url", sim.env["CERTEROX_URL"])
        o = outcomes(r).get(m2, {})
        check("unknown key: one the vault lacks is left in place and named in the summary",
              r.returncode == 0 and old_key in o.get("warning", "") and old_key in [
                  k["AccessKeyId"] for k in iam2.list_access_keys(UserName="certerox-discover")["AccessKeyMetadata"]],
              f"{r.returncode} {json.dumps(o)}")
        drop_ds()
        w3 = Wizard(sim, "org-user3")
        r = w3.batch(ans2, "--certerox-url", sim.env["CERTEROX_URL"])
        o = outcomes(r).get(m2, {})
        check("unknown keys: two the vault lacks: the account fails, the fix names --yes, exit 75",
              r.returncode == 75 and "--yes" in o.get("fix", ""), f"{r.returncode} {json.dumps(o)}")
        r = w3.batch(ans2, "--certerox-url", sim.env["CERTEROX_URL"], "--yes")
        keys = iam2.list_access_keys(UserName="certerox-discover")["AccessKeyMetadata"]
        cfg = ((by_account(data_sources(sim) or []).get(m2) or [{}])[0]).get("config") or {}
        vkeys = {x.get("access_key_id") for x in vault_records(w3) if x.get("secret_access_key")}
        check("unknown keys with --yes: deleted, one new key, in the vault and in CerteroX",
              r.returncode == 0 and len(keys) == 1 and keys[0]["AccessKeyId"] == cfg.get("access_key_id")
              and keys[0]["AccessKeyId"] in vkeys and old_key != keys[0]["AccessKeyId"],
              f"{r.returncode} {keys} {cfg} {r.stderr[-500:]}")
        new2 = keys[0]["AccessKeyId"] if keys else None
        check("ownership: the member's new key is described on its user (tag key = key id)",
              tags_of(iam2.list_user_tags(UserName="certerox-discover")["Tags"]).get(new2, "").startswith(
                  "certerox-aws-setup"), str(iam2.list_user_tags(UserName="certerox-discover")["Tags"]))
        # a hand-made key on the wizard's tagged user survives --yes; the wizard's unused one does not
        hand = iam2.create_access_key(UserName="certerox-discover")["AccessKey"]["AccessKeyId"]
        drop_ds()
        r = Wizard(sim, "org-user4").batch(ans2, "--certerox-url", sim.env["CERTEROX_URL"], "--yes")
        keys = {k["AccessKeyId"] for k in iam2.list_access_keys(UserName="certerox-discover")["AccessKeyMetadata"]}
        o = outcomes(r).get(m2, {})
        check("ownership: --yes deletes the wizard's unused key, keeps the hand-made one, and connects",
              r.returncode == 0 and hand in keys and new2 not in keys and len(keys) == 2
              and o.get("outcome") == "connected" and hand in o.get("warning", ""),
              f"{r.returncode} {sorted(keys)} hand {hand} ours {new2} {json.dumps(o)}")
        # someone else's CerteroXDiscover role (no tag) in member 4: untouched, the account fails
        m4 = member_id(4)
        foreign = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{m4}:root"}, "Action": "sts:AssumeRole"}]})
        in_member(sim, m4).create_role(RoleName=ROLE, AssumeRolePolicyDocument=foreign)
        n2 = len(sim.requests())
        r = w.batch({"action": "organization", "organization": {"accounts": [m4], "access": "role"}},
                    "--certerox-url", sim.env["CERTEROX_URL"])
        o = outcomes(r).get(m4, {})
        check("ownership: an untagged CerteroXDiscover role: the account fails naming it, exit 75",
              r.returncode == 75 and o.get("outcome") == "failed" and ROLE in o.get("reason", "")
              and "certerox-aws-setup" in o.get("reason", ""), f"{r.returncode} {json.dumps(o)}")
        member_writes = [x for x in sim.requests()[n2:]
                         if x.get("service") == "iam" and x.get("operation") in
                         ("UpdateAssumeRolePolicy", "PutRolePolicy", "CreateRole", "DeleteRole", "TagRole",
                                                  "AttachRolePolicy", "DeleteRolePolicy", "CreatePolicy")]
        check("ownership: nothing written to that role", member_writes == [], str(member_writes))
        trust = in_member(sim, m4).get_role(RoleName=ROLE)["Role"]["AssumeRolePolicyDocument"]
        trust = json.loads(trust) if isinstance(trust, str) else trust
        check("ownership: its trust policy is unchanged", trust == json.loads(foreign), json.dumps(trust))
        # refused anywhere but the management account
        for who in ("MEMBER", "STANDALONE"):
            env = {"AWS_ACCESS_KEY_ID": sim.env[f"{who}_AWS_ACCESS_KEY_ID"],
                   "AWS_SECRET_ACCESS_KEY": sim.env[f"{who}_AWS_SECRET_ACCESS_KEY"]}
            n3 = len(sim.requests())
            r = w.batch({"action": "organization", "organization": {}}, "--certerox-url", sim.env["CERTEROX_URL"],
                        env=env)
            want = "member of organization" if who == "MEMBER" else "in no AWS Organization"
            check(f"refused from a {who.lower()} account, saying why", r.returncode == 65 and want in r.stderr,
                  f"{r.returncode} {r.stderr[-600:]}")
            check(f"refused from a {who.lower()} account: nothing written", writes(sim.requests()[n3:]) == [],
                  str(writes(sim.requests()[n3:])))
        r = w.run("--answers", w.answers({"action": "organization"}), "--certerox-url", sim.env["CERTEROX_URL"])
        check("without --batch: an answers file with action organization is refused, naming --batch and "
              "the TUI's Welcome choice, exit 64",
              r.returncode == 64 and "--batch" in r.stderr and "Connect member accounts" in r.stderr,
              f"{r.returncode} {r.stderr[-300:]}")
        r = w.batch({"action": "organization", "organization": {"accounts": ["12345"]}},
                    "--certerox-url", sim.env["CERTEROX_URL"])
        check("answers: a bad account id is refused naming the field and the value",
              r.returncode == 65 and "organization.accounts[0]" in r.stderr and "12345" in r.stderr, r.stderr[-400:])
    finally:
        sim.cleanup()


def managed_policy_cases():
    """The managed Discover policy in members that already hold something of that name:
    m1 a hand-made policy granting more than needed: used (attached), never rewritten;
    m2 a hand-made policy lacking grants: the member stops naming it, nothing written to it or
    attached, the others complete; m3 the wizard's own tagged policy with an outdated document
    and 5 versions: the oldest non-default version deleted, a new default version covering the
    Discover actions and keeping its grants; m4 an earlier release's state (the wizard's tagged
    role with the inline policy, not yet connected): the managed policy attached first, then the
    inline one deleted; m5 connected by an earlier release (inline policy, a journal that does
    not know it): still already connected, the managed policy attached before the inline one is
    deleted, its data source unchanged, and not visited again. All judged with boto3 (versions compared) and the request log."""
    sim = Sim("--member-accounts", "5").start()
    try:
        w = Wizard(sim, "org-mpol")
        m1, m2, m3, m4 = (member_id(i) for i in (1, 2, 3, 4))
        broad = {"Version": "2012-10-17", "Statement": [{"Sid": "Mine", "Effect": "Allow", "Action": [
            "ec2:*", "s3:Get*", "s3:List*", "iam:Get*", "iam:List*", "cloudwatch:*", "cur:*", "bcm-data-exports:*",
            "elasticloadbalancing:Describe*"], "Resource": "*"}]}
        narrow = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}]}
        tag = [{"Key": "certerox-aws-setup", "Value": "created by certerox-aws-setup"}]
        i1, i2, i3, i4 = (in_member(sim, m) for m in (m1, m2, m3, m4))
        i1.create_policy(PolicyName=POLICY, PolicyDocument=json.dumps(broad))
        i1.create_policy_version(PolicyArn=policy_arn(m1), PolicyDocument=json.dumps(broad), SetAsDefault=True)
        i2.create_policy(PolicyName=POLICY, PolicyDocument=json.dumps(narrow))
        i3.create_policy(PolicyName=POLICY, PolicyDocument=json.dumps(narrow), Tags=tag)
        for k in range(4):  # v2..v5, v5 the default
            i3.create_policy_version(PolicyArn=policy_arn(m3), PolicyDocument=json.dumps(narrow),
                                     SetAsDefault=k == 3)
        trust = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{MGMT}:root"}, "Action": "sts:AssumeRole"}]})
        i4.create_role(RoleName=ROLE, AssumeRolePolicyDocument=trust, Tags=[{"Key": "certerox-aws-setup",
                                                                          "Value": "organization"}])
        i4.put_role_policy(RoleName=ROLE, PolicyName=POLICY, PolicyDocument=json.dumps(discover_doc()))
        before1, before2 = versions(i1, policy_arn(m1)), versions(i2, policy_arn(m2))
        before3 = versions(i3, policy_arn(m3))
        n0 = len(sim.requests())
        r = w.batch({"action": "organization", "organization": {"accounts": [m1, m2, m3, m4], "access": "role",
                                                                "max_parallel": 1}},
                    "--certerox-url", sim.env["CERTEROX_URL"])
        reqs = sim.requests()[n0:]
        out = outcomes(r)
        check("managed: a member with a hand-made policy lacking grants: exit 75, the others connected",
              r.returncode == 75 and all(out.get(a, {}).get("outcome") == "connected" for a in (m1, m3, m4)),
              f"{r.returncode} {json.dumps({a: o.get('outcome') for a, o in out.items()})} {r.stderr[-800:]}")
        # m1: used as it is
        check("managed: a hand-made policy that grants every Discover action is attached to the role",
              [a["PolicyArn"] for a in i1.list_attached_role_policies(RoleName=ROLE)["AttachedPolicies"]]
              == [policy_arn(m1)] and not i1.list_role_policies(RoleName=ROLE)["PolicyNames"],
              str(i1.list_attached_role_policies(RoleName=ROLE)))
        check("managed: the hand-made policy is never rewritten (every version unchanged, no tag added)",
              versions(i1, policy_arn(m1)) == before1
              and not tags_of(i1.list_policy_tags(PolicyArn=policy_arn(m1))["Tags"]), str(versions(i1, policy_arn(m1))))
        # m2: refused naming the policy, untouched
        o = out.get(m2, {})
        check("managed: a hand-made policy lacking grants: the member fails naming the policy and what it lacks",
              o.get("outcome") == "failed" and policy_arn(m2) in o.get("reason", "")
              and "certerox-aws-setup" in o.get("reason", "") and "iam:ListUsers" in o.get("reason", ""),
              json.dumps(o))
        check("managed: that policy is untouched (versions compared) and attached nowhere",
              versions(i2, policy_arn(m2)) == before2
              and i2.get_policy(PolicyArn=policy_arn(m2))["Policy"]["AttachmentCount"] == 0,
              str(versions(i2, policy_arn(m2))))
        check("managed: no data source for that member", m2 not in by_account(data_sources(sim) or []))
        # m3: ours, outdated, 5 versions
        after3 = versions(i3, policy_arn(m3))
        default3 = [d for (_, isdef, d) in after3 if isdef]
        ids3 = [v for (v, _, _) in after3]
        acts = set()
        for st in (default3[0]["Statement"] if default3 else []):
            a = st.get("Action", [])
            acts |= set([a] if isinstance(a, str) else a)
        want = set(discover_doc()["Statement"][0]["Action"])
        check("managed: our outdated policy with 5 versions: the oldest non-default (v1) deleted, a new default",
              len(after3) == 5 and "v1" not in ids3 and "v6" in ids3 and [v for (v, d, _) in after3 if d] == ["v6"]
              and [(x[0], x[2]) for x in after3 if x[0] in ("v2", "v3", "v4", "v5")] ==
              [(x[0], x[2]) for x in before3 if x[0] in ("v2", "v3", "v4", "v5")], str([(v, d) for (v, d, _) in after3]))
        check("managed: the new default version grants every Discover action and keeps its grants",
              want <= acts and "ec2:Describe*" in acts, str(sorted(acts)))
        check("managed: our policy attached to the role",
              [a["PolicyArn"] for a in i3.list_attached_role_policies(RoleName=ROLE)["AttachedPolicies"]]
              == [policy_arn(m3)])
        # m4: an earlier release's inline policy replaced, attach first
        p = managed_policy_problem(i4, m4, "role", ROLE)
        check("managed: an earlier run's role: the managed policy attached, the inline one deleted", not p, p)
        ops = [(x["operation"], x.get("access_key_id")) for x in reqs if x.get("service") == "iam"]
        dele = [k for (op, k) in ops if op == "DeleteRolePolicy"]
        att = [i for i, (op, k) in enumerate(ops) if op == "AttachRolePolicy" and dele and k == dele[0]]
        dpos = [i for i, (op, k) in enumerate(ops) if op == "DeleteRolePolicy"]
        check("managed: the inline policy deleted only after the managed one was attached (never without)",
              len(dele) == 1 and att and dpos and att[0] < dpos[0], str(ops))
        wr = [x for x in writes(reqs) if x.startswith("iam ")]
        check("managed: no policy written in the hand-made members (m3's new version, m4's new policy only)",
              wr.count("iam CreatePolicyVersion") == 1 and wr.count("iam DeletePolicyVersion") == 1
              and wr.count("iam CreatePolicy") == 1 and "iam PutRolePolicy" not in wr, str(wr))
        # a re-run: only m2 is left; it still fails and nothing is written
        n1 = len(sim.requests())
        r = w.batch({"action": "organization", "organization": {"accounts": [m1, m2, m3, m4], "access": "role"}},
                    "--certerox-url", sim.env["CERTEROX_URL"])
        wr = [x for x in writes(sim.requests()[n1:]) if x != "sts AssumeRole"]
        check("managed: a re-run writes nothing (m2 still refused, untouched)",
              r.returncode == 75 and wr == [] and versions(i2, policy_arn(m2)) == before2, f"{r.returncode} {wr}")
        # m5 connected by an earlier release: its role holds the Discover policy inline. Made by
        # connecting it, then putting back what that release left (no managed policy, the inline
        # one) and running from another state directory (whose journal does not know m5)
        m5 = member_id(5)
        r = w.batch({"action": "organization", "organization": {"accounts": [m5], "access": "role"}},
                    "--certerox-url", sim.env["CERTEROX_URL"])
        i5 = in_member(sim, m5)
        i5.detach_role_policy(RoleName=ROLE, PolicyArn=policy_arn(m5))
        i5.delete_policy(PolicyArn=policy_arn(m5))
        i5.put_role_policy(RoleName=ROLE, PolicyName=POLICY, PolicyDocument=json.dumps(discover_doc()))
        ds5 = by_account(data_sources(sim) or []).get(m5)
        w5 = Wizard(sim, "org-mpol-old")
        ans5 = {"action": "organization", "organization": {"accounts": [m5], "access": "role"}}
        d = w5.dry_run(ans5, "--certerox-url", sim.env["CERTEROX_URL"])
        acc5 = {x.get("id"): x for x in (d.json or {}).get("accounts", [])}.get(m5, {})
        check("earlier release: --dry-run says the inline policy would be replaced by the managed one",
              d.returncode == 0 and acc5.get("outcome") == "already_connected"
              and POLICY in acc5.get("policy_upgrade", ""), f"{d.returncode} {json.dumps(acc5)}")
        d = w.dry_run(ans5, "--certerox-url", sim.env["CERTEROX_URL"])
        acc5 = {x.get("id"): x for x in (d.json or {}).get("accounts", [])}.get(m5, {})
        check("--dry-run with the journal of the run that connected it: no policy upgrade",
              d.returncode == 0 and "policy_upgrade" not in acc5, json.dumps(acc5))
        n2 = len(sim.requests())
        r = w5.batch({"action": "organization", "organization": {"accounts": [m5], "access": "role"}},
                     "--certerox-url", sim.env["CERTEROX_URL"])
        reqs = sim.requests()[n2:]
        o = outcomes(r).get(m5, {})
        check("earlier release: the member stays already connected, the summary says what changed",
              r.returncode == 0 and o.get("outcome") == "already_connected" and "inline" in o.get("warning", ""),
              f"{r.returncode} {json.dumps(o)} {r.stderr[-600:]}")
        p = managed_policy_problem(i5, m5, "role", ROLE)
        check("earlier release: its role gets the managed policy, the inline one is gone", not p, p)
        ops = [x["operation"] for x in reqs if x.get("service") == "iam"]
        check("earlier release: attached before the inline policy was deleted",
              "AttachRolePolicy" in ops and "DeleteRolePolicy" in ops
              and ops.index("AttachRolePolicy") < ops.index("DeleteRolePolicy"), str(ops))
        check("earlier release: its data source unchanged",
              by_account(data_sources(sim) or []).get(m5) == ds5 and not [
                  x for x in writes(reqs) if x.startswith(("POST", "PATCH", "DELETE"))], str(writes(reqs)))
        n3 = len(sim.requests())
        r = w5.batch({"action": "organization", "organization": {"accounts": [m5], "access": "role"}},
                     "--certerox-url", sim.env["CERTEROX_URL"])
        wr = [x for x in writes(sim.requests()[n3:]) if x != "sts AssumeRole"]
        iam_calls = [x for x in sim.requests()[n3:] if x.get("service") == "iam"]
        check("earlier release: a re-run writes nothing and does not visit the member again",
              r.returncode == 0 and wr == [] and iam_calls == [], f"{r.returncode} {wr} {len(iam_calls)}")
    finally:
        sim.cleanup()


def older_certerox():
    """A CerteroX without the assume-role keys (OptScale before 2025-07): access defaults to
    user; access role is refused before any write, saying why."""
    sim = Sim("--member-accounts", "1", "--certerox-version", "2025-06").start()
    try:
        w = Wizard(sim, "org-old")
        n0 = len(sim.requests())
        r = w.batch({"action": "organization", "organization": {"accounts": [member_id(1)], "access": "role"}},
                    "--certerox-url", sim.env["CERTEROX_URL"])
        check("older CerteroX: access role refused naming the keys, exit 65",
              r.returncode == 65 and "assume_role_account_id" in r.stderr and "OptScale 2025-07 and later" in r.stderr,
              f"{r.returncode} {r.stderr[-500:]}")
        check("older CerteroX: nothing written", writes(sim.requests()[n0:]) == [], str(writes(sim.requests()[n0:])))
        d = w.dry_run({"action": "organization", "organization": {"accounts": [member_id(1)], "access": "role"}},
                      "--certerox-url", sim.env["CERTEROX_URL"])
        check("older CerteroX: --dry-run refuses access role with the same release (OptScale 2025-07, #721)",
              d.returncode == 65 and "OptScale 2025-07 and later" in d.stderr, f"{d.returncode} {d.stderr[-400:]}")
        r = w.batch({"action": "organization", "organization": {"accounts": [member_id(1)]}},
                    "--certerox-url", sim.env["CERTEROX_URL"])
        check("older CerteroX: access defaults to user and connects", r.returncode == 0
              and (r.json or {}).get("access") == "user"
              and outcomes(r).get(member_id(1), {}).get("outcome") == "connected", f"{r.returncode} {r.stdout[-600:]}")
    finally:
        sim.cleanup()


def key_delay():
    """A new key AWS accepts only 3 s later (--key-delay-ms): CerteroX's check refuses it
    (OE0433) and the submission is repeated until it passes."""
    sim = Sim("--member-accounts", "2", "--key-delay-ms", "3000").start()
    try:
        w = Wizard(sim, "org-delay")
        for access in ("role", "user"):
            acct = member_id(1 if access == "role" else 2)
            n0 = len(sim.requests())
            r = w.batch({"action": "organization", "organization": {"accounts": [acct], "access": access}},
                        "--certerox-url", sim.env["CERTEROX_URL"])
            posts = [x for x in sim.requests()[n0:] if x["service"] == "certerox"
                     and x["operation"].startswith("POST") and x["operation"].endswith("/cloud_accounts")]
            check(f"key delay ({access}): connected after CerteroX refused the new key at first",
                  r.returncode == 0 and outcomes(r).get(acct, {}).get("outcome") == "connected"
                  and len(posts) >= 2 and posts[0]["status"] == 403 and posts[-1]["status"] == 201,
                  f"{r.returncode} {[(x['status'], x['error']) for x in posts]} {r.stderr[-400:]}")
    finally:
        sim.cleanup()


def dry_run_plan():
    """--dry-run of action organization: the plan per account and no write (request log), before
    and after one member is connected; a suspended account is skipped; no vault is made."""
    sim = Sim("--member-accounts", "3").start()
    try:
        w = Wizard(sim, "org-dry")
        client(sim, admin(sim), "organizations").close_account(AccountId=member_id(3))  # SUSPENDED
        ans = {"action": "organization", "organization": {"access": "role"}}
        n0 = len(sim.requests())
        r = w.dry_run(ans, "--certerox-url", sim.env["CERTEROX_URL"])
        wr = writes(sim.requests()[n0:])
        check("dry-run: exit 0, the request log holds no write", r.returncode == 0 and wr == [],
              f"{r.returncode} {wr} {r.stderr[-600:]}")
        check("dry-run: no vault made", not os.path.exists(w.vault), w.vault)
        j = r.json or {}
        acc = {a.get("id"): a for a in j.get("accounts", [])}
        mg = [x.get("step") for x in (j.get("management") or {}).get("plan", [])]
        check("dry-run: the management user, its AssumeRole policy and a key (described as the wizard's) would be made",
              j.get("dry_run") is True and j.get("access") == "role"
              and mg == ["iam CreateUser", "iam PutUserPolicy", "iam CreateAccessKey", "iam TagUser"],
              json.dumps(j)[:800])
        steps = [x.get("step") for x in acc.get(member_id(1), {}).get("plan", [])]
        check("dry-run: a member's plan: AssumeRole, CreateRole, the managed policy and its attachment, "
              "the data source",
              acc.get(member_id(1), {}).get("outcome") == "would_connect"
              and steps == ["sts AssumeRole", "iam CreateRole", "iam CreatePolicy", "iam AttachRolePolicy",
                            "certerox create data source"],
              json.dumps(acc.get(member_id(1)))[:600])
        check("dry-run: the suspended account is skipped with its status",
              acc.get(member_id(3), {}).get("outcome") == "skipped"
              and "SUSPENDED" in acc.get(member_id(3), {}).get("reason", ""), json.dumps(acc.get(member_id(3))))
        check("dry-run: the management account itself is skipped", acc.get(MGMT, {}).get("outcome") == "skipped")
        check("dry-run: totals", (j.get("totals") or {}).get("would_connect") == 3, json.dumps(j.get("totals")))
        check("dry-run: no secret printed", sim.env["AWS_SECRET_ACCESS_KEY"] not in r.stdout + r.stderr)
        r = w.batch({"action": "organization", "organization": {"accounts": [member_id(1)], "access": "role"}},
                    "--certerox-url", sim.env["CERTEROX_URL"])
        check("dry-run: member 1 connected for real", r.returncode == 0, f"{r.returncode} {r.stderr[-600:]}")
        n1 = len(sim.requests())
        r = w.dry_run(ans, "--certerox-url", sim.env["CERTEROX_URL"])
        wr = writes(sim.requests()[n1:])
        j = r.json or {}
        acc = {a.get("id"): a for a in j.get("accounts", [])}
        mg = [x.get("step") for x in (j.get("management") or {}).get("plan", [])]
        check("dry-run after a run: no write", r.returncode == 0 and wr == [], f"{r.returncode} {wr}")
        check("dry-run after a run: member 1 already connected, the user and its policy in place",
              acc.get(member_id(1), {}).get("outcome") == "already_connected"
              and mg == ["iam CreateAccessKey", "iam TagUser"]
              and "vault lacks" in json.dumps(j.get("management")), json.dumps(j)[:800])
        r = w.dry_run(ans, "--certerox-url", sim.env["CERTEROX_URL"], "--format", "awscli")
        check("dry-run --format awscli: refused (JSON only), exit 64", r.returncode == 64 and "JSON" in r.stderr,
              f"{r.returncode} {r.stderr[-300:]}")
    finally:
        sim.cleanup()


def mgmt_keys(sim):
    iam = client(sim, admin(sim), "iam")
    return {k["AccessKeyId"] for k in iam.list_access_keys(UserName="certerox-discover")["AccessKeyMetadata"]}


def working_keys(sim, w, accounts):
    """Each account's data source (curl): its key is a live key of the management user whose
    secret the vault holds, and that key assumes CerteroXDiscover in the account (boto3).
    {account: problem} of those that do not work."""
    dss = by_account(data_sources(sim) or [])
    live = mgmt_keys(sim)
    secrets = {x.get("access_key_id"): x.get("secret_access_key") for x in vault_records(w)
               if x.get("secret_access_key")}
    bad = {}
    for a in accounts:
        ds = dss.get(a) or []
        akid = ((ds[0] if ds else {}).get("config") or {}).get("access_key_id")
        if len(ds) != 1 or akid not in live:
            bad[a] = f"data sources {ds}, live keys {sorted(live)}"
            continue
        if akid not in secrets:
            bad[a] = f"the vault lacks the secret of {akid}"
            continue
        try:
            client(sim, assume(sim, session(sim, akid, secrets[akid]), a, ROLE), "ec2").describe_regions()
        except Exception as e:  # noqa: BLE001
            bad[a] = f"{akid} does not assume {ROLE}: {e}"
    return bad


def lost_vault():
    """Issue 14's rule for the organization action: a re-run from an empty vault with --yes never
    deletes the management key live data sources use; it makes a new key (described on the user
    as the wizard's), moves those data sources to it (PATCH) once CerteroX accepted it, and keeps
    the old key. --yes deletes only a key the wizard made (user tag = key id) that nothing uses; a
    hand-made key on the wizard's user survives. With no room for a new key the run stops naming
    the key and the data sources. Judged by boto3 (keys, tags, AssumeRole with the vault's secrets)
    and curl (each data source's config)."""
    sim = Sim("--member-accounts", "4").start()
    try:
        w = Wizard(sim, "org-lost")
        m1, m2, m3, m4 = (member_id(i) for i in (1, 2, 3, 4))
        # never narrowing: m1 holds the wizard's role (tagged) whose trust names someone else's
        # principal, not this management user: our principal is added, theirs kept
        theirs = {"Sid": "Theirs", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{m1}:root"},
                  "Action": "sts:AssumeRole"}
        in_member(sim, m1).create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [theirs]}), Tags=[{"Key": "certerox-aws-setup",
                                                                   "Value": "organization"}])
        ans = {"action": "organization", "organization": {"accounts": [m1, m2], "access": "role"}}
        r = w.batch(ans, "--certerox-url", sim.env["CERTEROX_URL"])
        check("lost vault: first run connects 2 members", r.returncode == 0, f"{r.returncode} {r.stderr[-600:]}")
        trust = in_member(sim, m1).get_role(RoleName=ROLE)["Role"]["AssumeRolePolicyDocument"]
        trust = json.loads(trust) if isinstance(trust, str) else trust
        sts_ = trust.get("Statement") or []
        user_arn = client(sim, admin(sim), "iam").get_user(UserName="certerox-discover")["User"]["Arn"]
        check("never narrowing: the role's trust keeps the other principal and adds the management user (get_role)",
              theirs in sts_ and any(x.get("Principal", {}).get("AWS") == user_arn and x.get("Effect") == "Allow"
                                     for x in sts_) and len(sts_) == 2, json.dumps(trust))
        k1 = (r.json or {}).get("access_key_id")
        iam = client(sim, admin(sim), "iam")
        utags = tags_of(iam.list_user_tags(UserName="certerox-discover")["Tags"])
        check("ownership: the management key is described on its user (tag key = key id)",
              k1 and utags.get(k1, "").startswith("certerox-aws-setup"), json.dumps(utags))
        os.remove(w.vault)  # the vault is lost; the journal stays
        ans["organization"]["accounts"] = [m1, m2, m3]
        n0 = len(sim.requests())
        r = w.batch(ans, "--certerox-url", sim.env["CERTEROX_URL"], "--yes")
        check("lost vault + --yes, one new member: exit 0", r.returncode == 0, f"{r.returncode} {r.stderr[-1500:]}")
        keys = mgmt_keys(sim)
        k2 = (r.json or {}).get("access_key_id")
        check("lost vault: the key live data sources use still exists (boto3), a new one beside it",
              k1 in keys and k2 in keys and k1 != k2 and len(keys) == 2, f"{sorted(keys)} {k1} {k2}")
        dels = [x for x in sim.requests()[n0:] if x.get("operation") == "DeleteAccessKey"]
        check("lost vault: no DeleteAccessKey", not dels, str(dels))
        bad = working_keys(sim, w, [m1, m2, m3])
        check("lost vault: every data source has a working key the vault holds (curl + boto3)", not bad,
              json.dumps(bad)[:1500])
        moves = (r.json or {}).get("key_moves") or []
        check("lost vault: the summary names the data sources moved from the old key to the new",
              sorted(x.get("account") for x in moves if x.get("outcome") == "moved"
                     and x.get("from_access_key_id") == k1 and x.get("to_access_key_id") == k2) == [m1, m2],
              json.dumps(moves))
        check("lost vault: the old key is named as kept", k1 in json.dumps((r.json or {}).get("management_warnings")),
              json.dumps((r.json or {}).get("management_warnings")))
        out = outcomes(r)
        check("lost vault: the new member connected, the others already connected",
              out.get(m3, {}).get("outcome") == "connected"
              and all(out.get(a, {}).get("outcome") == "already_connected" for a in (m1, m2)),
              json.dumps({a: o.get("outcome") for a, o in out.items()}))
        # lost again: k1 (the wizard's, now unused) is deleted with --yes, k2 (in use) kept
        os.remove(w.vault)
        ans["organization"]["accounts"] = [m1, m2, m3, m4]
        r = w.batch(ans, "--certerox-url", sim.env["CERTEROX_URL"], "--yes")
        keys = mgmt_keys(sim)
        k3 = (r.json or {}).get("access_key_id")
        check("lost twice + --yes: the wizard's unused key deleted, the used one kept, a new one made",
              r.returncode == 0 and k1 not in keys and keys == {k2, k3} and k3 != k2,
              f"{r.returncode} {sorted(keys)} k1 {k1} k2 {k2} k3 {k3} {r.stderr[-800:]}")
        bad = working_keys(sim, w, [m1, m2, m3, m4])
        check("lost twice: every data source has a working key the vault holds", not bad, json.dumps(bad)[:1500])
        # a hand-made key on the wizard's tagged user is never the wizard's to delete
        iam.delete_access_key(UserName="certerox-discover", AccessKeyId=k2)  # unused now
        hand = iam.create_access_key(UserName="certerox-discover")["AccessKey"]["AccessKeyId"]
        os.remove(w.vault)
        ans["organization"]["accounts"] = [m1, m2, m3, m4, BOOT_MEMBER]
        n1 = len(sim.requests())
        r = w.batch(ans, "--certerox-url", sim.env["CERTEROX_URL"], "--yes")
        keys = mgmt_keys(sim)
        text = r.stderr + json.dumps(r.json or {})
        check("ownership: --yes keeps a hand-made key of the wizard's user", hand in keys and k3 in keys,
              f"{sorted(keys)} hand {hand}")
        check("two keys, neither the vault's nor deletable: the run stops before any member, naming both keys, "
              "the data sources using k3 and the fix",
              r.returncode != 0 and hand in text and k3 in text and "rotate" in text
              and all(by_account(data_sources(sim) or []).get(a, [{}])[0].get("id", "?") in text for a in (m1, m4))
              and BOOT_MEMBER not in by_account(data_sources(sim) or []), f"{r.returncode} {r.stderr[-1500:]}")
        wr = [x for x in writes(sim.requests()[n1:]) if x.startswith("iam ")]
        check("that stop writes nothing in IAM", wr == [], str(wr))
        # the owner removes the hand-made key: room for a new key, the data sources moved to it
        iam.delete_access_key(UserName="certerox-discover", AccessKeyId=hand)
        r = w.batch(ans, "--certerox-url", sim.env["CERTEROX_URL"], "--yes")
        check("after the owner freed a key: exit 0", r.returncode == 0, f"{r.returncode} {r.stderr[-1200:]}")
        check("after the owner freed a key: k3 (in use until moved) still exists", k3 in mgmt_keys(sim))
        bad = working_keys(sim, w, [m1, m2, m3, m4, BOOT_MEMBER])
        check("after the owner freed a key: every data source works with a key the vault holds", not bad,
              json.dumps(bad)[:1500])
    finally:
        sim.cleanup()


if __name__ == "__main__":
    only = sys.argv[1:]  # names of the scenarios to run (all by default)
    for t in (user_access_and_refusals, role_access_twenty, killed_half_way, managed_policy_cases, older_certerox,
              key_delay, dry_run_plan, lost_vault):
        if not only or t.__name__ in only:
            t()
    finish()
