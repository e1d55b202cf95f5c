#!/usr/bin/env python3
"""Discovery (src/run/discover) and the key check (src/run/probe) against the simulated cloud.

One cloudsim (--latency-ms 40 --key-delay-ms 3000) in prepared states, made with the AWS CLI
(buckets, bucket policies, exports, the legacy report, the probed key) and botocore for the bulk
of the IAM set-up (a CLI call costs about a second on a loaded machine);
the C code is driven by tests/integration/discotool (answers JSON in, facts JSON out; `probe`
reads the new key id and secret from stdin). Asserted: the facts of an empty account, a bucket
with a foreign policy, a bucket in another region, exports CerteroX accepts or refuses, delivered
files (before/after `cloudsim deliver`), a legacy report, a policy with several versions, a user
with keys (one of them in a vault), the organization role of the management, member and
standalone accounts, a refused read naming the action; from the sim's request log: every read
once, the reads that need no account id beside GetCallerIdentity, the rest after it in parallel,
nothing written. Probe: a key with both
policies passes every check after waiting out the key delay and is accepted soon after it became
valid; a key without the ReadOnly policy fails naming s3:ListBucket and the policy; a linked
probe needs only the Discover Resources actions; a key that never works times out after polling
at 150 ms. No secret appears in any output.
"""
import json
import os
import re
import sys
import tempfile
import time

TOP_SRC = os.environ.get("top_srcdir") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
TOP_BUILD = os.environ.get("top_builddir") or TOP_SRC
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(TOP_SRC, "tests", "sim"))
import shutil  # noqa: E402

if not shutil.which("aws"):
    print("SKIP: awscli not found (pip install awscli)")
    sys.exit(77)
if not shutil.which("openssl"):
    print("SKIP: openssl not found")
    sys.exit(77)
DISCOTOOL = os.path.join(TOP_BUILD, "tests", "integration", "discotool")
VAULTTOOL = os.path.join(TOP_BUILD, "tests", "integration", "vaulttool")
if not os.access(DISCOTOOL, os.X_OK):
    print("SKIP: " + DISCOTOOL + " not built (make check builds it)")
    sys.exit(77)

from simtest import check, main, bucket_policy, export_def, report_def  # noqa: E402

ACCT = "123456789012"
KEY_DELAY = 3.0
WRITES = re.compile(r"^(Create|Put|Delete|Attach|Detach|Update|Modify|Tag|Untag|Set)|^(POST|PATCH|DELETE) ")
SECRETS = []


class Ctx:
    pass


def wfile(ctx, name, data, mode=0o600):
    p = os.path.join(ctx.tmp, name)
    with open(p, "w") as f:
        f.write(data if isinstance(data, str) else json.dumps(data))
    os.chmod(p, mode)
    return p


def aws(sim, *args, who=None):
    r = sim.aws(*args, who=who)
    if r.returncode != 0:
        raise RuntimeError("aws " + " ".join(args) + " failed: " + r.stderr)
    return r.json


def no_secret(desc, *texts):
    bad = [s for s in SECRETS for t in texts if s and s in (t or "")]
    check(desc + ": no secret in the output", not bad)


def disco(ctx, answers, *extra, who=None):
    """Runs discotool discover; returns (rc, facts or None, stderr, requests of the run, events)."""
    sim = ctx.sim
    path = wfile(ctx, "answers.json", answers)
    evf = os.path.join(ctx.tmp, "events.jsonl")
    if os.path.exists(evf):
        os.unlink(evf)
    env = {}
    if who in ("member", "standalone"):
        p = who.upper() + "_AWS_"
        env = {"AWS_ACCESS_KEY_ID": sim.env[p + "ACCESS_KEY_ID"],
               "AWS_SECRET_ACCESS_KEY": sim.env[p + "SECRET_ACCESS_KEY"]}
    elif isinstance(who, tuple):
        env = {"AWS_ACCESS_KEY_ID": who[0], "AWS_SECRET_ACCESS_KEY": who[1]}
    n0 = len(sim.requests())
    r = sim.run(DISCOTOOL, "discover", path, "--events", evf, *extra, env=env)
    reqs = sim.requests()[n0:]
    facts = None
    if r.returncode == 0:
        try:
            facts = json.loads(r.stdout)
        except ValueError:
            facts = None
    events = []
    if os.path.exists(evf):
        with open(evf) as f:
            events = [json.loads(x) for x in f if x.strip()]
    no_secret("discover " + json.dumps(answers)[:60], r.stdout, r.stderr, json.dumps(events))
    return r.returncode, facts, r.stderr, reqs, events


def ops(reqs):
    out = {}
    for q in reqs:
        k = q["service"] + " " + re.sub(r"/organizations/[^/]+/", "/organizations/{id}/", q["operation"])
        out[k] = out.get(k, 0) + 1
    return out


def max_overlap(reqs):
    best = 0
    for q in reqs:
        n = sum(1 for x in reqs if x["start"] <= q["start"] < x["end"])
        best = max(best, n)
    return best


def probe(ctx, key, *args):
    r = ctx.sim.run(DISCOTOOL, "probe", *args, input=key[0] + "\n" + key[1] + "\n")
    try:
        j = json.loads(r.stdout)
    except ValueError:
        j = {"status": "unparsable", "events": [], "message": r.stdout + r.stderr}
    no_secret("probe " + " ".join(args)[:50], r.stdout, r.stderr)
    return r.returncode, j, r.stderr


def new_key(sim, user, cli=False):
    if cli:
        k = aws(sim, "iam", "create-access-key", "--user-name", user)["AccessKey"]
    else:
        k = sim.client("iam").create_access_key(UserName=user)["AccessKey"]
    SECRETS.append(k["SecretAccessKey"])
    return k["AccessKeyId"], k["SecretAccessKey"]


def policy_doc(name, bucket=None):
    with open(os.path.join(TOP_SRC, "data", "policies", name)) as f:
        t = f.read()
    return t.replace("${BUCKET}", bucket or "")


# ------------------------------------------------------------------------------------------

def empty_account(ctx):
    answers = {"export": {"bucket": "cx-empty-bkt", "setup": "wizard"},
               "iam": {"user": "cx-u0", "readonly_policy": "RO0", "discover_policy": "DR0"}}
    rc, f, err, reqs, events = disco(ctx, answers, "--certerox")
    # the config-key probe (cloud_account_verify, issue 13 B2) stops at CerteroX's type check:
    # CerteroX calls no AWS for it, so every AWS request here is one of discovery's reads
    admin = ctx.sim.env["AWS_ACCESS_KEY_ID"]
    server = [q for q in reqs if q["service"] != "certerox" and q.get("access_key_id") != admin]
    check("empty account: the config-key probe made CerteroX call no AWS", not server, str(server))
    check("empty account: discover succeeds", rc == 0 and f, err)
    if not f:
        return
    check("empty account: account id and caller ARN from GetCallerIdentity",
          f["account_id"] == ACCT and f["caller_arn"].startswith(f"arn:aws:iam::{ACCT}:"), str(f))
    check("empty account: management account of the organization", f["org_role"] == "management")
    check("empty account: the bucket is absent, no policy",
          f["bucket"]["exists"] is False and f["bucket"]["policy"] is None, str(f["bucket"]))
    check("empty account: no exports", f["exports"] == [])
    check("empty account: both policies absent, by ARN",
          [(p["arn"], p["exists"]) for p in f["policies"]] ==
          [(f"arn:aws:iam::{ACCT}:policy/RO0", False), (f"arn:aws:iam::{ACCT}:policy/DR0", False)],
          str(f["policies"]))
    check("empty account: the user is absent", f["user"] == {"exists": False, "owned": False, "attached": [],
                                                          "keys": []}, str(f["user"]))
    check("empty account: CerteroX data sources listed (none)", f.get("data_sources") == [])
    o = ops(reqs)
    want = {"sts GetCallerIdentity": 1, "organizations DescribeOrganization": 1, "s3 HeadBucket": 1,
            "s3 GetBucketPolicy": 1, "bcm-data-exports ListExports": 1, "iam ListPolicies": 1,
            "iam ListAttachedUserPolicies": 1, "iam ListAccessKeys": 1, "iam ListUserTags": 1,
            "certerox GET /restapi/v2/organizations": 1,
            "certerox GET /restapi/v2/organizations/{id}/cloud_accounts": 1,
            "certerox POST /restapi/v2/cloud_account_verify": 1}
    check("empty account: each fact read once (request log)", o == want, str(o))
    check("empty account: only reads (the verify stores nothing)",
          not [q for q in reqs if WRITES.search(q["operation"]) and not q["operation"].endswith("_verify")])
    sts = [q for q in reqs if q["operation"] == "GetCallerIdentity"]
    rest = [q for q in reqs if q["operation"] != "GetCallerIdentity"]
    # nothing waits for the account id on an empty account: the one-page policy listing shows
    # ours absent, DescribeOrganization's manager is compared with the account id afterwards
    check("empty account: every read goes out with GetCallerIdentity, before it answers (depth 1)",
          len(sts) == 1 and len(rest) == sum(want.values()) - 1 and all(q["start"] < sts[0]["end"] for q in rest),
          str([(q["operation"], round(q["start"] - sts[0]["end"], 3)) for q in rest]))
    ov = max_overlap(rest)
    check(f"the reads run in parallel (overlap {ov} >= 5 in the request log)", ov >= 5)
    span = max(q["end"] for q in rest) - min(q["start"] for q in rest)
    total = sum(q["end"] - q["start"] for q in rest)
    check(f"the other reads take {span:.3f}s, under half the sum of their durations ({total:.3f}s)",
          span < 0.5 * total)
    started = [e for e in events if e["phase"] == "started"]
    ended = [e for e in events if e["phase"] in ("done", "failed")]
    check("progress events: one start and one end per read, every read reported",
          len(started) == len(ended) == len(reqs) and
          sorted(e["id"] for e in started) == sorted(e["id"] for e in ended), f"{len(started)} {len(ended)}")
    check("progress events name the read and its fact",
          any(e["label"] == "iam ListPolicies" and "customer polic" in e.get("outcome", "") for e in ended) and
          any(e["label"] == "s3 HeadBucket cx-empty-bkt" and e["outcome"] == "absent" for e in ended),
          json.dumps(ended)[:400])
    # the asynchronous API: the same facts; cancelled while the reads fly: exit 130
    rc2, f2, err2, _, _ = disco(ctx, answers, "--certerox", "--cancel-after-ms", "60000")
    check("asynchronous discover_start gives the same facts as discover_run", rc2 == 0 and f2 == f, err2)
    for ms in ("20", "65"):  # during GetCallerIdentity; during the parallel reads (latency 40 ms)
        rc2, f2, err2, reqs2, ev2 = disco(ctx, answers, "--certerox", "--cancel-after-ms", ms)
        check(f"discover_cancel after {ms} ms: CX_E_CANCELLED (exit 130), every started read ended",
              rc2 == 130 and "CX_E_CANCELLED" in err2 and
              len([e for e in ev2 if e["phase"] == "started"]) ==
              len([e for e in ev2 if e["phase"] != "started"]), err2 + str(len(ev2)))
    # requests cancelled by the client still end in the sim's log: wait until it is quiet
    # (a loaded CI machine may take seconds), so that they do not count for the next run
    last, quiet_since, t_end = -1, time.time(), time.time() + 10
    while time.time() < t_end:
        n = len(ctx.sim.requests())
        if n != last:
            last, quiet_since = n, time.time()
        elif time.time() - quiet_since > 1.0:
            break
        time.sleep(0.1)
    # without CerteroX: data sources unknown
    rc, f, err, reqs, _ = disco(ctx, answers)
    check("without a CerteroX client the data sources stay unknown (no key)",
          rc == 0 and f and "data_sources" not in f and not [q for q in reqs if q["service"] == "certerox"])


def buckets(ctx):
    sim = ctx.sim
    aws(sim, "s3api", "create-bucket", "--bucket", "cx-pol-bkt")
    foreign = {"Version": "2012-10-17", "Statement": [{
        "Sid": "ForeignRead", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
        "Action": "s3:GetObject", "Resource": "arn:aws:s3:::cx-pol-bkt/*"}]}
    aws(sim, "s3api", "put-bucket-policy", "--bucket", "cx-pol-bkt", "--policy",
        "file://" + wfile(ctx, "foreign.json", foreign))
    aws(sim, "s3api", "create-bucket", "--bucket", "cx-eu-bkt", "--region", "eu-west-1",
        "--create-bucket-configuration", "LocationConstraint=eu-west-1")
    iam = {"user": "cx-u0", "readonly_policy": "RO0", "discover_policy": "DR0"}
    rc, f, err, reqs, _ = disco(ctx, {"export": {"bucket": "cx-pol-bkt"}, "iam": iam})
    check("bucket with a foreign policy: exists in us-east-1", rc == 0 and f and f["bucket"]["exists"] and
          f["bucket"]["region"] == "us-east-1", err)
    pol = json.loads(f["bucket"]["policy"]) if f and f["bucket"]["policy"] else {}
    check("bucket with a foreign policy: the policy text as AWS has it",
          [s.get("Sid") for s in pol.get("Statement", [])] == ["ForeignRead"], str(pol))
    check("the region came from HeadBucket: no GetBucketLocation", "s3 GetBucketLocation" not in ops(reqs))
    rc, f, err, reqs, _ = disco(ctx, {"export": {"bucket": "cx-eu-bkt"}, "iam": iam})
    check("bucket in eu-west-1: exists, region eu-west-1, no policy",
          rc == 0 and f and f["bucket"] == {"exists": True, "region": "eu-west-1", "policy": None}, str(f and f["bucket"]))


def exports(ctx):
    sim = ctx.sim
    aws(sim, "s3api", "create-bucket", "--bucket", "cx-bill-bkt")
    aws(sim, "s3api", "put-bucket-policy", "--bucket", "cx-bill-bkt", "--policy",
        "file://" + wfile(ctx, "deliver.json", bucket_policy("cx-bill-bkt", ACCT)))
    good = export_def("cx-good", "cx-bill-bkt", prefix="reports", region="us-east-1")
    bad = export_def("cx-bad", "cx-bill-bkt", prefix="reports", region="us-east-1", overwrite="CREATE_NEW_REPORT")
    aws(sim, "bcm-data-exports", "create-export", "--export", "file://" + wfile(ctx, "good.json", good))
    aws(sim, "bcm-data-exports", "create-export", "--export", "file://" + wfile(ctx, "bad.json", bad))
    leg = report_def("cx-legacy", "cx-bill-bkt", prefix="legacy", region="us-east-1")
    aws(sim, "cur", "put-report-definition", "--region", "us-east-1", "--report-definition",
        "file://" + wfile(ctx, "legacy.json", leg))
    iam = {"user": "cx-u0", "readonly_policy": "RO0", "discover_policy": "DR0"}
    answers = {"export": {"bucket": "cx-bill-bkt", "prefix": "reports", "name": "cx-good", "setup": "existing"},
               "iam": iam}
    accf = os.path.join(ctx.tmp, "accept.json")
    rc, f, err, reqs, _ = disco(ctx, answers, "--acceptance", accf)
    check("exports: discover succeeds", rc == 0 and f, err)
    if not f:
        return
    by = {e["name"]: e for e in f["exports"]}
    check("exports: both Data Exports listed (no legacy report in a CUR 2.0 discovery)",
          sorted(by) == ["cx-bad", "cx-good"] and not any(e["legacy"] for e in f["exports"]), str(sorted(by)))
    g = by.get("cx-good", {})
    check("exports: ARN, status and the GetExport definition",
          g.get("arn", "").startswith(f"arn:aws:bcm-data-exports:us-east-1:{ACCT}:export/cx-good") and
          g.get("status") == "HEALTHY" and
          g.get("definition", {}).get("DestinationConfigurations", {}).get("S3Destination", {}).get("S3Prefix") ==
          "reports", json.dumps(g)[:300])
    with open(accf) as fp:
        acc = json.load(fp)
    check("exports: cx-good would be accepted by CerteroX", acc.get("cx-good") == [], str(acc))
    check("exports: cx-bad would be refused (Overwrite CREATE_NEW_REPORT)",
          any("Overwrite" in x or "OVERWRITE" in x for x in acc.get("cx-bad", [])), str(acc))
    check("exports: nothing delivered yet", g.get("delivered") is False)
    o = ops(reqs)
    check("exports: ListExports once, GetExport once per export, one listing of reports/cx-good/",
          o.get("bcm-data-exports ListExports") == 1 and o.get("bcm-data-exports GetExport") == 2 and
          o.get("s3 ListObjectsV2") == 1 and "cur DescribeReportDefinitions" not in o, str(o))

    r = sim.run(os.path.join(TOP_SRC, "tests", "sim", "cloudsim"), "deliver", sim.dir)
    check("cloudsim deliver", r.returncode == 0, r.stderr)
    rc, f, err, reqs, _ = disco(ctx, answers)
    g = {e["name"]: e for e in (f or {}).get("exports", [])}.get("cx-good", {})
    check("exports: after delivery the files under reports/cx-good/ are seen", g.get("delivered") is True, str(g)[:300])
    answers = {"export": {"type": "legacy", "bucket": "cx-bill-bkt", "prefix": "legacy", "name": "cx-legacy",
                          "setup": "existing"}, "iam": iam}
    rc, f, err, reqs, _ = disco(ctx, answers, "--acceptance", accf)
    ex = (f or {}).get("exports", [])
    check("legacy: the report definition, delivered",
          len(ex) == 1 and ex[0]["legacy"] and ex[0]["name"] == "cx-legacy" and
          ex[0]["definition"].get("ReportVersioning") == "OVERWRITE_REPORT" and ex[0]["delivered"] is True,
          json.dumps(ex)[:400])
    o = ops(reqs)
    check("legacy: DescribeReportDefinitions once, no Data Exports call",
          o.get("cur DescribeReportDefinitions") == 1 and not any(k.startswith("bcm") for k in o), str(o))


def policies_and_user(ctx):
    sim = ctx.sim
    d1 = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}
    d2 = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
    d3 = json.loads(policy_doc("readonly.json", "cx-bill-bkt"))
    iamc = sim.client("iam")
    arn = iamc.create_policy(PolicyName="RO4", PolicyDocument=json.dumps(d1))["Policy"]["Arn"]
    iamc.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(d2))
    iamc.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(d3), SetAsDefault=True)
    iamc.create_user(UserName="cx-u5")
    iamc.attach_user_policy(UserName="cx-u5", PolicyArn=arn)
    k1 = new_key(sim, "cx-u5")
    k2 = new_key(sim, "cx-u5")
    passf = wfile(ctx, "pass", "correct horse battery\n")
    vault = os.path.join(ctx.tmp, "v.vault")
    rec = {"name": "x", "aws_account_id": ACCT, "iam_user": "cx-u5", "connection": "root",
           "access_key_id": k1[0], "secret_access_key": k1[1]}
    r = sim.run(VAULTTOOL, "--min-kdf", "put", vault, passf, input=json.dumps(rec))
    check("vaulttool put: a vault that knows the first key", r.returncode == 0, r.stderr)
    answers = {"export": {"bucket": "cx-bill-bkt", "setup": "wizard"},
               "iam": {"user": "cx-u5", "readonly_policy": "RO4", "discover_policy": "DR4"}}
    rc, f, err, reqs, _ = disco(ctx, answers, "--vault", vault, "--passphrase-file", passf, "--min-kdf")
    check("policies/user: discover succeeds", rc == 0 and f, err)
    if not f:
        return
    p = {x["arn"].rsplit("/", 1)[1]: x for x in f["policies"]}
    ro = p.get("RO4", {})
    check("policy with 3 versions: default v3, oldest non-default v1",
          ro.get("exists") and ro.get("versions") == 3 and ro.get("default_version") == "v3" and
          ro.get("oldest_nondefault") == "v1", str(ro)[:300])
    check("policy with 3 versions: the default version's document", ro.get("document") == d3)
    check("the other policy is absent", p.get("DR4", {}).get("exists") is False)
    o = ops(reqs)
    check("policies: one listing, then only the existing one is read (versions and document)",
          o.get("iam ListPolicies") == 1 and o.get("iam ListPolicyVersions") == 1 and
          o.get("iam GetPolicyVersion") == 1 and "iam GetPolicy" not in o, str(o))
    lv = [q for q in reqs if q["operation"] == "ListPolicyVersions"]
    gv = [q for q in reqs if q["operation"] == "GetPolicyVersion"]
    check("policies: the versions and the default's document are read at once (the listing named "
          "the default)", lv and gv and gv[0]["start"] < lv[0]["end"], str([lv, gv])[:300])
    # more customer policies than one page of the listing: ours are read by ARN, same facts
    for i in range(100):
        iamc.create_policy(PolicyName=f"filler-{i:03d}", PolicyDocument=json.dumps(d1))
    rc, f2, err, reqs, _ = disco(ctx, answers)
    o = ops(reqs)
    p2 = {x["arn"].rsplit("/", 1)[1]: x for x in (f2 or {}).get("policies", [])}
    check("over a page of customer policies: the same policy facts",
          rc == 0 and p2.get("RO4", {}).get("document") == d3 and p2.get("RO4", {}).get("versions") == 3
          and p2.get("DR4", {}).get("exists") is False, err + str(p2)[:300])
    check("over a page of customer policies: read by ARN (ListPolicyVersions per policy)",
          o.get("iam ListPolicies") == 1 and o.get("iam ListPolicyVersions") == 2 and
          o.get("iam GetPolicyVersion") == 1, str(o))
    for i in range(100):
        iamc.delete_policy(PolicyArn=f"arn:aws:iam::{ACCT}:policy/filler-{i:03d}")
    u = f["user"]
    check("user: exists, the attached policy", u["exists"] and u["attached"] == [arn], str(u))
    keys = {k["id"]: k for k in u["keys"]}
    check("user: both keys, Active; in_vault only for the one the vault holds",
          len(keys) == 2 and keys.get(k1[0], {}).get("in_vault") is True and
          keys.get(k2[0], {}).get("in_vault") is False and all(k["status"] == "Active" for k in keys.values()),
          str(u["keys"]))
    check("user: not tagged, so not made by the wizard; neither key is ours",
          u.get("owned") is False and not any(k.get("owned") for k in keys.values()), str(u))
    check("user: each key's age from its CreateDate (0 days)",
          all(k.get("age_days") == 0 and k.get("create_date") for k in keys.values()), str(u["keys"]))
    rc, f, err, reqs, _ = disco(ctx, answers)
    check("without a vault no key is in_vault",
          rc == 0 and f and not any(k["in_vault"] for k in f["user"]["keys"]))
    # the tags the wizard sets: the user's, and the description of k1 (key = its id)
    iamc.tag_user(UserName="cx-u5", Tags=[{"Key": "certerox-aws-setup", "Value": "created by certerox-aws-setup"},
                                          {"Key": k1[0], "Value": "certerox-aws-setup: CerteroX billing data source"},
                                          {"Key": k2[0], "Value": "someone's laptop"}])
    rc, f, err, reqs, _ = disco(ctx, answers)
    keys = {k["id"]: k for k in (f or {}).get("user", {}).get("keys", [])}
    check("tags: the user is the wizard's, k1 is, k2 (another description) is not",
          rc == 0 and f["user"].get("owned") is True and keys.get(k1[0], {}).get("owned") is True
          and keys.get(k2[0], {}).get("owned") is False, err + str(f and f.get("user")))


def org_roles(ctx):
    linked = {"connection": "linked", "iam": {"user": "cx-u0", "discover_policy": "DR0"}}
    rc, f, err, reqs, _ = disco(ctx, linked, who="member")
    check("member account: org_role member, its own account id",
          rc == 0 and f and f["org_role"] == "member" and f["account_id"] == ctx.sim.env["MEMBER_AWS_ACCOUNT_ID"],
          err + str(f)[:200])
    o = ops(reqs)
    check("linked: no bucket or export reads, only the Discover Resources policy",
          not any(k.startswith(("s3", "bcm", "cur")) for k in o) and o.get("iam ListPolicies") == 1, str(o))
    check("linked: policies by ARN in the member account",
          f and [p["arn"] for p in f["policies"]] ==
          [f"arn:aws:iam::{ctx.sim.env['MEMBER_AWS_ACCOUNT_ID']}:policy/DR0"])
    rc, f, err, reqs, _ = disco(ctx, linked, who="standalone")
    check("standalone account: org_role standalone", rc == 0 and f and f["org_role"] == "standalone", err)


def probes(ctx):
    sim = ctx.sim
    iamc = sim.client("iam")
    ro = iamc.create_policy(PolicyName="ROP",
                            PolicyDocument=policy_doc("readonly.json", "cx-bill-bkt"))["Policy"]["Arn"]
    dr = iamc.create_policy(PolicyName="DRP", PolicyDocument=policy_doc("discover.json"))["Policy"]["Arn"]
    for u, pols in (("cx-p1", (ro, dr)), ("cx-p2", (dr,))):
        iamc.create_user(UserName=u)
        for a in pols:
            iamc.attach_user_policy(UserName=u, PolicyArn=a)
    common = ["--bucket", "cx-bill-bkt", "--prefix", "reports", "--readonly-policy", "ROP",
              "--discover-policy", "DRP"]

    # a key with both policies: waits out the key delay, then every check passes
    n0 = len(sim.requests())
    key = new_key(sim, "cx-p1", cli=True)
    rc, j, err = probe(ctx, key, *common, "--user", "cx-p1", "--account", ACCT)
    check("probe with both policies: CX_OK", rc == 0 and j["status"] == "CX_OK", j.get("message", "") + err)
    ev = j["events"]
    waits = [e for e in ev if e["phase"] == "waiting"]
    check(f"probe: the rejected key is waited out ({len(waits)} rejected attempts, "
          "InvalidClientTokenId expected, not an error)",
          len(waits) >= 3 and all(e["detail"] in ("InvalidClientTokenId", "UnrecognizedClientException",
                                                    "InvalidAccessKeyId") for e in waits), json.dumps(waits)[:300])
    oks = sorted(e["check"] for e in ev if e["phase"] == "check_ok")
    check("probe: every permission proved with the new key",
          oks == sorted(["s3:ListBucket", "s3:GetBucketLocation", "bcm-data-exports:ListExports",
                         "ec2:DescribeRegions", "s3:ListAllMyBuckets", "iam:ListUsers"]), str(oks))
    reqs = sim.requests()[n0:]
    made = [q for q in reqs if q["operation"] == "CreateAccessKey"]
    mine = [q for q in reqs if q.get("access_key_id") == key[0]]
    sts = [q for q in mine if q["operation"] == "GetCallerIdentity"]
    ok = [q for q in sts if q["status"] == 200]
    rejected = [q for q in sts if q["status"] != 200]
    if made and ok and rejected:
        # the sim logs when it starts accepting the key (CreateAccessKey's key_valid_at)
        valid_from = made[0].get("key_valid_at") or made[0]["start"] + KEY_DELAY
        late = ok[0]["end"] - valid_from
        gap = ok[0]["start"] - rejected[-1]["start"]
        check(f"probe: accepted {late * 1000:.0f} ms after the key became valid (<= 250 ms + 100 ms slack)",
              late <= 0.35, f"{late:.3f}")
        check(f"probe: polling every 150 ms while waiting (last gap {gap * 1000:.0f} ms)", 0.12 <= gap <= 0.25)
        check("probe: only one GetCallerIdentity accepted, then the checks (ListObjectsV2, ListBuckets, ...)",
              len(ok) == 1 and {q["operation"] for q in mine if q["start"] > ok[0]["start"]} >=
              {"ListObjectsV2", "GetBucketLocation", "ListExports", "DescribeRegions", "ListBuckets", "ListUsers"},
              str(sorted({q["operation"] for q in mine})))
    else:
        check("probe: the request log shows CreateAccessKey, rejected and accepted attempts", False,
              f"{len(made)} {len(ok)} {len(rejected)}")
    r = sim.run(DISCOTOOL, "probe", *common, input=key[0] + "\n")
    check("probe without the secret on stdin is a usage error", r.returncode == 64, r.stderr)

    # a key without the ReadOnly policy: fails naming the action and the policy
    key2 = new_key(sim, "cx-p2")
    rc, j, err = probe(ctx, key2, *common, "--user", "cx-p2", "--denied-retry-ms", "1500")
    msg = j.get("message", "")
    check("probe without ReadOnly: CX_E_DENIED, exit 77", rc == 77 and j["status"] == "CX_E_DENIED", msg + err)
    check("probe without ReadOnly: the message names s3:ListBucket, the policy ROP and the user",
          "s3:ListBucket" in msg and "ROP" in msg and "cx-p2" in msg, msg)
    retried = [e for e in j["events"] if e["phase"] == "check_retry" and e["check"] == "s3:ListBucket"]
    check("probe: AccessDenied right after attachment is retried (IAM propagation) before it counts",
          len(retried) >= 1, json.dumps(j["events"])[:300])
    denied = [e for e in j["events"] if e["phase"] == "check_denied"]
    check("probe: only s3:ListBucket denied (the Discover Resources policy grants the others)",
          [e["check"] for e in denied] == ["s3:ListBucket"] and denied[0]["policy"] == "ROP", str(denied))

    # linked: only the Discover Resources actions
    n1 = len(sim.requests())
    rc, j, err = probe(ctx, key2, "--linked", "--discover-policy", "DRP")
    oks = sorted(e["check"] for e in j["events"] if e["phase"] == "check_ok")
    mine = [q for q in sim.requests()[n1:] if q.get("access_key_id") == key2[0]]
    sts = [q for q in mine if q["operation"] == "GetCallerIdentity"]
    check("a key already valid costs one round trip: the checks go out with GetCallerIdentity, once each",
          len(sts) == 1 and sorted(q["operation"] for q in mine if q is not sts[0]) ==
          ["DescribeRegions", "ListBuckets", "ListUsers"] and
          all(q["start"] < sts[0]["end"] for q in mine), str([(q["operation"], q["start"]) for q in mine]))
    check("linked probe with Discover Resources only: CX_OK with its three actions",
          rc == 0 and oks == ["ec2:DescribeRegions", "iam:ListUsers", "s3:ListAllMyBuckets"], str(oks) + j["message"])
    check("linked probe of a key already valid: one GetCallerIdentity", j["attempts"] == 1, str(j["attempts"]))

    # a root data source in CerteroX (made with the key that passed), then discovery with it
    cfg = {"name": "cx-root", "type": "aws_cnr",
           "config": {"access_key_id": key[0], "secret_access_key": key[1], "linked": False,
                      "use_edp_discount": False, "cur_version": 2, "config_scheme": "create_report",
                      "bucket_name": "cx-bill-bkt", "bucket_prefix": "reports", "report_name": "cx-good"}}
    bodyf = wfile(ctx, "ds.json", cfg)
    org = sim.env["CERTEROX_ORGANIZATION_ID"]
    st, j, text = sim.curl("POST", f"/restapi/v2/organizations/{org}/cloud_accounts",
                           extra=("--data-binary", "@" + bodyf))
    os.unlink(bodyf)
    ds_id = (j or {}).get("id")
    check("CerteroX accepts a root data source with the probed key", st == 201 and ds_id, text[:300])
    mig = {"action": "migrate", "migrate": {"data_source_id": ds_id or "none"},
           "iam": {"readonly_policy": "ROP"}, "certerox": {"organization_id": org}}
    rc, f, err, reqs, _ = disco(ctx, mig, "--certerox")
    dss = (f or {}).get("data_sources", [])
    check("data sources: the root data source with its config",
          rc == 0 and len(dss) == 1 and dss[0]["id"] == ds_id and dss[0]["linked"] is False and
          dss[0]["cur_version"] == 2 and dss[0]["bucket"] == "cx-bill-bkt" and dss[0]["prefix"] == "reports" and
          dss[0]["report_name"] == "cx-good" and dss[0]["account_id"] == ACCT, err + json.dumps(dss)[:300])
    o = ops(reqs)
    # the data source listing names the bucket (the config-key probe, a verify beside it, is not
    # waited for)
    cx_end = max([q["end"] for q in reqs if q["service"] == "certerox" and "cloud_accounts" in q["operation"]]
                 or [0])
    s3_start = min([q["start"] for q in reqs if q["service"] == "s3"] or [0])
    check("migrate: the bucket named by the data source is read after CerteroX answered",
          f and f["bucket"]["exists"] and "s3 HeadBucket" in o and s3_start >= cx_end, str(o))
    check("migrate: CUR 2.0 exports and the ReadOnly policy read, no user, no organization listing",
          o.get("bcm-data-exports ListExports") == 1 and o.get("iam ListPolicyVersions") == 1 and
          "iam ListAccessKeys" not in o and "certerox GET /restapi/v2/organizations" not in o and
          o.get("certerox GET /restapi/v2/organizations/{id}/cloud_accounts") == 1, str(o))
    check("migrate: ReadOnly policy found by ARN",
          f and f["policies"][0]["arn"] == f"arn:aws:iam::{ACCT}:policy/ROP" and f["policies"][0]["exists"])

    # discovery with a key that may not read IAM policies: the error names the action
    rc, f, err, reqs, _ = disco(ctx, {"connection": "linked", "iam": {"user": "cx-p2"}}, who=key2)
    check("discover with a restricted key: exit 77 naming the denied IAM action",
          rc == 77 and re.search(r"iam:(ListPolicyVersions|ListAttachedUserPolicies|ListAccessKeys|ListUserTags)", err), err)
    # an unknown key: the reads that went out beside GetCallerIdentity fail too (S3's 403 says
    # little), but the error is GetCallerIdentity's
    rc, f, err, reqs, _ = disco(ctx, {"export": {"bucket": "cx-bill-bkt"}, "iam": {"user": "u"}},
                                who=("AKIAZZZZZZZZZZZZZZZZ", "x" * 40))
    check("discover with an unknown key: exit 77 with GetCallerIdentity's InvalidClientTokenId, though the "
          "reads beside it failed first", rc == 77 and "InvalidClientTokenId" in err and "sts" in err and
          len(reqs) > 1, err[-400:] + " " + str(sorted(q["operation"] for q in reqs)))

    rc, j, err = probe(ctx, ("AKIAZZZZZZZZZZZZZZZZ", "x" * 40), *common, "--cancel-after-ms", "600")
    check("probe_cancel while waiting: CX_E_CANCELLED (exit 130)", rc == 130 and j["status"] == "CX_E_CANCELLED",
          j.get("message", "") + err)

    # --log (debug level): the facts are logged, the secrets are not
    logf = os.path.join(ctx.tmp, "debug.log")
    r = sim.run(DISCOTOOL, "--log", logf, "probe", *common, input=key[0] + "\n" + key[1] + "\n")
    r2 = sim.run(DISCOTOOL, "--log", logf, "discover", wfile(ctx, "a.json", {"export": {"bucket": "cx-bill-bkt"}}))
    with open(logf) as fp:
        log = fp.read()
    check("--log: the probe and the discovered facts are logged at debug level",
          r.returncode == 0 and r2.returncode == 0 and "discover facts (" in log and "cx-bill-bkt" in log,
          r.stderr + r2.stderr)
    no_secret("--log file", log)

    # a key that never works: polled at 150 ms, then a timeout
    n0 = len(sim.requests())
    rc, j, err = probe(ctx, ("AKIAZZZZZZZZZZZZZZZZ", "x" * 40), *common, "--wait-max-ms", "1200")
    mine = [q for q in sim.requests()[n0:] if q.get("access_key_id") == "AKIAZZZZZZZZZZZZZZZZ"]
    tries = [q for q in mine if q["operation"] == "GetCallerIdentity"]
    check("probe of a key AWS never accepts: CX_E_TIMEOUT after --wait-max-ms",
          j["status"] == "CX_E_TIMEOUT" and "AKIAZZZZZZZZZZZZZZZZ" in j["message"], j["message"])
    check(f"probe: {len(tries)} attempts in 1.2 s (every 150 ms)", 6 <= len(tries) <= 10)
    others = sorted(q["operation"] for q in mine if q["operation"] != "GetCallerIdentity")
    check("probe: the permission checks went out once, with the first attempt, and not again while the "
          "key is rejected", len(others) == 6 and len(set(others)) == 6 and
          all(q["start"] < tries[0]["end"] for q in mine if q["operation"] != "GetCallerIdentity"), str(others))


def body(sim):
    ctx = Ctx()
    ctx.sim = sim
    ctx.tmp = tempfile.mkdtemp(prefix="disco.", dir=sim.dir)
    SECRETS.extend([sim.env["AWS_SECRET_ACCESS_KEY"], sim.env["MEMBER_AWS_SECRET_ACCESS_KEY"],
                    sim.env["STANDALONE_AWS_SECRET_ACCESS_KEY"], sim.env["CERTEROX_TOKEN"]])
    empty_account(ctx)
    buckets(ctx)
    exports(ctx)
    policies_and_user(ctx)
    org_roles(ctx)
    probes(ctx)


if __name__ == "__main__":
    main(body, "--latency-ms", "40", "--key-delay-ms", str(int(KEY_DELAY * 1000)))
