"""Reliability tests (issue 8): shared helpers for tests/integration/test_rel_*.py.

The real binary in --batch against the simulated cloud, one fresh cloud per scenario, several
scenarios at once in threads (each scenario is its own sim process and wizard process). A
scenario returns its checks as a list; the main thread prints them, so the output stays in
order and ends with the figure "scenarios: N run, N passed" and "# N passed, N failed".

Flows (the write steps under test):
  cur2    root, CUR 2.0 export made by the wizard; the bucket already has a foreign policy
          statement (merge) and CerteroXReadOnly exists with an outdated document
          (CreatePolicyVersion): PutBucketPolicy, CreatePolicyVersion, CreatePolicy,
          CreateUser, AttachUserPolicy x2, CreateAccessKey, CreateExport, CerteroX POST.
  legacy  root, legacy CUR made by the wizard: the same plus PutReportDefinition.
  migrate a legacy data source made by a first run, then action=migrate: CreateExport,
          CerteroX PATCH.
"""

import concurrent.futures
import json
import os
import shutil
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from flowlib import CX_BIN, Sim, Wizard, check, finish, writes  # noqa: E402,F401
import test_vault_format as vf  # noqa: E402

# Per-attempt HTTP timeout of the wizard in these tests (test-only variable read by
# src/run/session.c), and a stall that outlasts it.
TIMEOUT_MS = int(os.environ.get("CX_REL_TIMEOUT_MS", "2000"))
STALL_MS = TIMEOUT_MS + 1500
JOBS = int(os.environ.get("CX_REL_JOBS", "2"))
# CX_REL_SAMPLE=K/N runs only the scenarios whose index modulo N is K. The plain suite runs every
# scenario; CI's second pass under ASan+UBSan samples the matrices (.ci/run), because each
# scenario drives the same C paths with another fault point and the whole matrix twice would
# double CI's longest part.
SAMPLE = os.environ.get("CX_REL_SAMPLE", "")
SID = "EnableAWSDataExportsToWriteToS3AndCheckPolicy"
BUCKET = "acme-rel"
FOREIGN = {"Sid": "SomeoneElses", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
           "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{BUCKET}/public/*"}
OLD_READONLY = {"Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": "*"}]}

FAULTS = {
    "throttle": {"fault": "throttle", "count": 2},
    "server_error": {"fault": "server_error", "count": 1},
    "reset": {"fault": "reset", "count": 1},
    "stall": {"fault": f"stall:{STALL_MS}", "count": 1},
}

_lock = threading.Lock()
_scen = {"run": 0, "passed": 0}


class Result:
    """Checks of one scenario, printed later by the main thread."""

    def __init__(self, name):
        self.name = name
        self.items = []

    def check(self, desc, cond, detail=""):
        self.items.append((f"{self.name}: {desc}", bool(cond), str(detail)[:1500]))
        return bool(cond)

    @property
    def ok(self):
        return all(c for _, c, _ in self.items) and bool(self.items)


def report(results):
    for res in results:
        for desc, cond, detail in res.items:
            check(desc, cond, detail)
        _scen["run"] += 1
        _scen["passed"] += 1 if res.ok else 0


def summary(title):
    print(f"# {title}: scenarios: {_scen['run']} run, {_scen['passed']} passed")
    return finish()


def sampled(jobs):
    """The matrix's scenarios that CX_REL_SAMPLE keeps (all of them when it is unset)."""
    if not SAMPLE:
        return jobs
    k, n = (int(x) for x in SAMPLE.split("/"))
    kept = [j for i, j in enumerate(jobs) if i % n == k]
    print(f"# CX_REL_SAMPLE={SAMPLE}: {len(kept)} of {len(jobs)} scenarios")
    return kept


def parallel(fn, args_list, jobs=JOBS):
    """Runs fn(*args) for each args in threads; returns the Results in order."""
    out = [None] * len(args_list)
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as ex:
        futs = {ex.submit(_guard, fn, a): i for i, a in enumerate(args_list)}
        for f in concurrent.futures.as_completed(futs):
            out[futs[f]] = f.result()
    return out


def _guard(fn, args):
    try:
        return fn(*args)
    except Exception as e:  # the scenario itself broke: a failed check, with the traceback
        import traceback
        r = Result(f"{fn.__name__}{tuple(a if isinstance(a, (str, int)) else a.get('label', '?') if isinstance(a, dict) and 'label' in a else '.' for a in args)}")
        r.check("scenario ran to the end", False, traceback.format_exc()[-1500:] + str(e))
        return r


# ---- flows ----

def answers(flow, ds_id=None):
    if flow == "cur2":
        return {"connection": "root", "export": {"type": "cur2", "setup": "wizard", "name": "certerox-cur2",
                                                 "bucket": BUCKET, "prefix": "reports"}}
    if flow == "legacy":
        return {"connection": "root", "export": {"type": "legacy", "setup": "wizard", "name": "certerox-cur",
                                                 "bucket": BUCKET, "prefix": "cur"}}
    if flow == "migrate":
        return {"action": "migrate", "migrate": {"data_source_id": ds_id, "export_name": "certerox-cur2"}}
    raise ValueError(flow)


def prepare(sim, flow, name):
    """Sets up the cloud for flow on a sim without faults; returns (wizard, answers)."""
    s3 = sim.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    w = Wizard(sim, name)
    if flow == "cur2":
        s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps({"Version": "2012-10-17", "Statement": [FOREIGN]}))
        sim.client("iam").create_policy(PolicyName="CerteroXReadOnly", PolicyDocument=json.dumps(OLD_READONLY))
        return w, answers(flow)
    if flow == "legacy":
        return w, answers(flow)
    if flow == "migrate":
        r = w.batch(answers("legacy"))
        if r.returncode != 0:
            raise RuntimeError("migrate preparation failed: " + r.stderr[-800:])
        return w, answers(flow, r.json["data_source_id"])
    raise ValueError(flow)


def env_extra():
    return {"CX_TEST_HTTP_TIMEOUT_MS": str(TIMEOUT_MS)}


def vault_doc(w):
    if vf.SODIUM is None:
        vf.SODIUM = vf.load_sodium()
    with open(w.vault, "rb") as f:
        data = f.read()
    with open(w.pass_file, "rb") as f:
        pw = f.read().rstrip(b"\n")
    return vf.decrypt_vault(data, pw)[0]


def vault_keys(w):
    """Access key ids the vault holds a secret for."""
    try:
        doc = vault_doc(w)
    except (OSError, ValueError):
        return set()
    out = set()
    for section in ("data_sources", "pending"):
        for rec in doc.get(section, []) or []:
            if rec.get("access_key_id") and rec.get("secret_access_key"):
                out.add(rec["access_key_id"])
    return out


def snapshot(sim):
    """The AWS and CerteroX end state, normalised (no ids, dates or key ids)."""
    iam = sim.client("iam")
    st = {"users": {}, "policies": {}, "exports": {}, "reports": {}, "bucket": None, "certerox": []}
    for u in iam.list_users()["Users"]:
        n = u["UserName"]
        att = sorted(p["PolicyName"] for p in iam.list_attached_user_policies(UserName=n)["AttachedPolicies"])
        keys = iam.list_access_keys(UserName=n)["AccessKeyMetadata"]
        st["users"][n] = {"attached": att, "keys": len(keys)}
    for p in iam.list_policies(Scope="Local")["Policies"]:
        vs = iam.list_policy_versions(PolicyArn=p["Arn"])["Versions"]
        d = iam.get_policy_version(PolicyArn=p["Arn"], VersionId=p["DefaultVersionId"])["PolicyVersion"]["Document"]
        if isinstance(d, str):
            d = json.loads(d)
        st["policies"][p["PolicyName"]] = {"versions": sorted(v["VersionId"] for v in vs),
                                           "default": p["DefaultVersionId"], "document": d}
    bcm = sim.client("bcm-data-exports")
    for e in bcm.list_exports()["Exports"]:
        x = bcm.get_export(ExportArn=e["ExportArn"])["Export"]
        x.pop("ExportArn", None)
        st["exports"][e["ExportName"]] = x
    for rp in sim.client("cur").describe_report_definitions()["ReportDefinitions"]:
        st["reports"][rp["ReportName"]] = rp
    try:
        pol = json.loads(sim.client("s3").get_bucket_policy(Bucket=BUCKET)["Policy"])
        st["bucket"] = sorted((json.dumps(s, sort_keys=True) for s in pol["Statement"]))
    except Exception as e:  # noqa: BLE001
        st["bucket"] = f"error: {e}"
    code, j, _ = sim.curl("GET", f"/restapi/v2/organizations/{sim.env['CERTEROX_ORGANIZATION_ID']}/cloud_accounts")
    for ds in (j or {}).get("cloud_accounts", []) or []:
        cfg = dict(ds.get("config") or {})
        cfg.pop("access_key_id", None)
        st["certerox"].append({"name": ds.get("name"), "type": ds.get("type"), "config": cfg})
    st["certerox"].sort(key=lambda x: json.dumps(x, sort_keys=True))
    return st


def diff(a, b, path=""):
    """First difference between two snapshots, as text, or ''."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return f"{path}/{k}: only in {'clean' if k in a else 'faulted'}"
            d = diff(a[k], b[k], f"{path}/{k}")
            if d:
                return d
        return ""
    return "" if a == b else f"{path}: clean={json.dumps(a)[:300]} faulted={json.dumps(b)[:300]}"


def restart(sim, *opts):
    r = sim.stop()
    if r.returncode != 0:  # the sim lost state as it stopped (cloudsim stop says how)
        raise RuntimeError(f"cloudsim stop: {r.stdout[-3000:]}")
    sim.opts = list(opts)
    sim.start()
    return sim


def with_faults(sim, rules):
    p = os.path.join(sim.dir, "rel-faults.json")
    with open(p, "w") as f:
        json.dump(rules, f)
    return restart(sim, "--faults", p)


def cleanup(sim, w):
    sim.cleanup()
    if w and not os.environ.get("CLOUDSIM_KEEP"):
        shutil.rmtree(w.home, ignore_errors=True)


def write_points(reqs):
    """Write requests of a run as fault targets: (service, operation, nth) where nth counts the
    requests of the same service+operation ("*" for CerteroX, whose paths hold ids)."""
    seen = {}
    digests = set()
    out = []
    for r in reqs:
        svc = r.get("service")
        op = r.get("operation") or ""
        key_op = "*" if svc == "certerox" else op
        # an AWS write sent again (the same digest: a retry after a timeout on a loaded machine)
        # is not a step of its own; counting it would put every later point one request too far
        dg = r.get("request_digest") if svc != "certerox" and writes([r]) else None
        if dg and (svc, key_op, dg) in digests:
            continue
        if dg:
            digests.add((svc, key_op, dg))
        seen[(svc, key_op)] = seen.get((svc, key_op), 0) + 1
        if writes([r]):
            label = op.split(" ")[0] + " " + op.split("/")[-1] if svc == "certerox" else op
            if svc == "certerox":
                label = "POST create" if op.startswith("POST") else op.split(" ")[0] + " update"
            out.append({"service": svc, "operation": key_op, "nth": seen[(svc, key_op)], "label": label})
    return out


def clean_run(flow):
    """A run without faults: (write points, snapshot, seconds, prep counts) for flow. The prep
    counts are the requests per fault key the preparation made, so that a rule given at the
    sim's start can skip them."""
    sim = Sim().start()
    w = None
    try:
        w, ans = prepare(sim, flow, f"clean-{flow}")
        n0 = len(sim.requests())
        prep = {}
        for q in sim.requests():
            k = (q.get("service"), "*" if q.get("service") == "certerox" else q.get("operation"))
            prep[k] = prep.get(k, 0) + 1
        t0 = time.time()
        r = w.batch(ans, env=env_extra())
        dt = time.time() - t0
        if r.returncode != 0:
            raise RuntimeError(f"clean {flow} run failed ({r.returncode}): {r.stderr[-1500:]}")
        return write_points(sim.requests()[n0:]), snapshot(sim), dt, prep
    finally:
        cleanup(sim, w)


def faulted_sim(rules, prep):
    """A sim started with rules whose nth skips the preparation's requests."""
    sim = Sim()
    os.makedirs(sim.dir, exist_ok=True)
    out = []
    for r in rules:
        r = dict(r)
        r["nth"] = r["nth"] + prep.get((r["service"], r["operation"]), 0)
        out.append(r)
    p = os.path.join(sim.dir, "rel-faults.json")
    with open(p, "w") as f:
        json.dump(out, f)
    sim.opts = ["--faults", p]
    return sim.start()


def common_end(res, sim, w, r, user="certerox-billing"):
    """Exactly one key for the user, the one in the vault and given to CerteroX."""
    iam = sim.client("iam")
    keys = [k["AccessKeyId"] for k in iam.list_access_keys(UserName=user)["AccessKeyMetadata"]]
    vk = vault_keys(w)
    res.check("exactly one access key, and the vault has its secret", len(keys) == 1 and keys[0] in vk,
              f"aws={keys} vault={sorted(vk)}")
    return keys


# ---- 1. fault matrix ----

def fault_lines(sim, count, wait=False):
    """Request-log lines a fault hit. A stalled request is logged when its stall ends, which
    may be after the wizard has finished: with wait, poll for it."""
    deadline = time.time() + (STALL_MS / 1000.0 + 3 if wait else 0)
    while True:
        hit = [q for q in sim.requests() if q.get("fault")]
        if len(hit) >= count or time.time() >= deadline:
            return hit
        time.sleep(0.2)


def fault_scenario(flow, point, kind, clean_state, prep):
    name = f"{flow} {point['service']} {point['label']} x {kind}"
    res = Result(name)
    rule = {"service": point["service"], "operation": point["operation"], "nth": point["nth"]}
    rule.update(FAULTS[kind])
    sim = faulted_sim([rule], prep)
    w = None
    try:
        w, ans = prepare(sim, flow, f"f-{flow}-{kind}")
        r = w.batch(ans, env=env_extra())
        hit = fault_lines(sim, rule["count"], wait=kind == "stall")
        res.check("the fault hit the step", len(hit) == rule["count"], str(hit))
        if not res.check("exit 0 through retries", r.returncode == 0, r.stderr[-1500:]):
            return res
        common_end(res, sim, w, r)
        d = diff(clean_state, snapshot(sim))
        res.check("end state equals the clean run's", not d, d)
        return res
    finally:
        cleanup(sim, w)


def fault_matrix(kinds, flows=("cur2", "legacy", "migrate")):
    """Every write step of each flow x each fault kind."""
    t0 = time.time()
    cleans = dict(zip(flows, (r for r in parallel(lambda f: _clean_result(f), [(f,) for f in flows]))))
    jobs = []
    for flow in flows:
        cres = cleans[flow]
        if not check(f"{flow}: clean run", isinstance(cres, tuple), "" if isinstance(cres, tuple) else cres.items):
            continue
        points, state, dt, prep = cres
        print(f"# {flow}: clean run {dt:.1f}s, write steps: {[p['service'] + ' ' + p['label'] for p in points]}")
        for p in points:
            if flow == "legacy" and p["operation"] != "PutReportDefinition":
                continue  # the other steps are the cur2 flow's
            for k in kinds:
                jobs.append((flow, p, k, state, prep))
    report(parallel(fault_scenario, sampled(jobs)))
    print(f"# fault matrix {', '.join(kinds)}: {time.time() - t0:.0f}s")


def _clean_result(flow):
    return clean_run(flow)


# ---- 2. permanent access_denied ----

ACTIONS = {"PutBucketPolicy": "s3:PutBucketPolicy", "CreatePolicyVersion": "iam:CreatePolicyVersion",
           "CreatePolicy": "iam:CreatePolicy", "CreateUser": "iam:CreateUser",
           "AttachUserPolicy": "iam:AttachUserPolicy", "CreateAccessKey": "iam:CreateAccessKey",
           "CreateExport": "bcm-data-exports:CreateExport", "PutReportDefinition": "cur:PutReportDefinition",
           "TagUser": "iam:TagUser"}


def bucket_statements(sim):
    try:
        pol = json.loads(sim.client("s3").get_bucket_policy(Bucket=BUCKET)["Policy"])
        return sorted(json.dumps(s, sort_keys=True) for s in pol["Statement"])
    except Exception as e:  # noqa: BLE001
        return f"error: {e}"


def denied_scenario(flow, point, clean_state, prep):
    name = f"{flow} {point['service']} {point['label']} x access_denied"
    res = Result(name)
    rule = {"service": point["service"], "operation": point["operation"], "nth": point["nth"],
            "count": 1000, "fault": "access_denied"}
    sim = faulted_sim([rule], prep)
    w = None
    try:
        w, ans = prepare(sim, flow, f"d-{flow}")
        old = bucket_statements(sim)
        r = w.batch(ans, env=env_extra())
        res.check("exit 77", r.returncode == 77, f"rc={r.returncode} {r.stderr[-1200:]}")
        op = point["operation"]
        if point["service"] != "certerox":
            fail_lines = [ln for ln in r.stderr.splitlines() if "FAILED" in ln]
            res.check("the failure names the step", any(op in ln for ln in fail_lines), r.stderr[-1200:])
            res.check(f"the fix names the action {ACTIONS.get(op, op)}",
                      f"fix: allow {ACTIONS.get(op, op)}" in r.stderr, r.stderr[-1200:])
        else:
            res.check("the failure names the CerteroX step and a fix",
                      any("FAILED" in ln and "certerox" in ln for ln in r.stderr.splitlines()) and "fix:" in r.stderr,
                      r.stderr[-1200:])
        now = bucket_statements(sim)
        res.check("the bucket policy is the old one or the merged one", now in (old, clean_state["bucket"]),
                  f"old={old} now={now}")
        # the fault removed (state persists across stop/start): a re-run completes
        restart(sim)
        r2 = w.batch(ans, env=env_extra())
        if not res.check("after the fault is removed, a re-run exits 0", r2.returncode == 0, r2.stderr[-1200:]):
            return res
        common_end(res, sim, w, r2)
        d = diff(clean_state, snapshot(sim))
        res.check("no duplicates: the end state of a clean run", not d, d)
        return res
    finally:
        cleanup(sim, w)


def denied_matrix(flows=("cur2", "legacy", "migrate")):
    t0 = time.time()
    cleans = dict(zip(flows, parallel(lambda f: _clean_result(f), [(f,) for f in flows])))
    jobs = []
    for flow in flows:
        cres = cleans[flow]
        if not check(f"{flow}: clean run", isinstance(cres, tuple), "" if isinstance(cres, tuple) else cres.items):
            continue
        points, state, dt, prep = cres
        for p in points:
            if flow == "legacy" and p["operation"] != "PutReportDefinition":
                continue
            jobs.append((flow, p, state, prep))
    report(parallel(denied_scenario, sampled(jobs)))
    print(f"# access_denied matrix: {time.time() - t0:.0f}s")


def spawn(sim, w, args, extra=None, umask=None):
    """The wizard as a Popen (pipes, text), with the sim's and the wizard's environment."""
    import subprocess
    e = dict(os.environ)
    for k in list(e):
        if k.startswith("AWS_"):
            del e[k]
    e.update(sim.env)
    e.update(w.env(extra))
    e = {k: v for k, v in e.items() if v is not None}
    pre = (lambda: os.umask(umask)) if umask is not None else None
    return subprocess.Popen([CX_BIN, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=e,
                            preexec_fn=pre)


# ---- 3. SIGKILL during the apply ----

def _w(op):
    return {"service": "certerox", "operation": "*"} if op == "certerox" else \
        {"service": {"PutBucketPolicy": "s3", "CreateExport": "bcm-data-exports"}.get(op, "iam"), "operation": op}


# (label, stalled operation or None, stderr pattern that starts the countdown, delay s)
KILL_POINTS = [
    ("discovery (ListExports stalled)", ("bcm-data-exports", "ListExports"), None, 0.9),
    ("PutBucketPolicy in flight", "PutBucketPolicy", "s3 PutBucketPolicy acme-rel ...", 0.4),
    ("CreatePolicyVersion in flight", "CreatePolicyVersion", "CreatePolicyVersion CerteroXReadOnly ...", 0.4),
    ("CreatePolicy in flight", "CreatePolicy", "CreatePolicy CerteroXDiscoverResources ...", 0.4),
    ("CreateUser in flight", "CreateUser", "CreateUser certerox-billing ...", 0.4),
    ("AttachUserPolicy in flight", "AttachUserPolicy", "AttachUserPolicy certerox-billing CerteroXReadOnly ...", 0.4),
    ("CreateAccessKey in flight", "CreateAccessKey", "CreateAccessKey certerox-billing ...", 0.4),
    ("CreateExport in flight", "CreateExport", "CreateExport certerox-cur2 ...", 0.4),
    ("CheckKey in flight", None, "CheckKey certerox-billing ...", 0.2),
    ("CerteroX create in flight", "certerox", "CreateDataSource", 0.4),
    ("just after PutBucketPolicy", None, "PutBucketPolicy acme-rel ... done", 0.0),
    ("just after CreatePolicyVersion", None, "CreatePolicyVersion CerteroXReadOnly ... done", 0.0),
    ("just after CreatePolicy", None, "CreatePolicy CerteroXDiscoverResources ... done", 0.0),
    ("just after CreateUser", None, "CreateUser certerox-billing ... done", 0.0),
    ("just after AttachUserPolicy", None, "CerteroXDiscoverResources ... done", 0.0),
    ("just after CreateAccessKey", None, "CreateAccessKey certerox-billing ... done", 0.0),
    ("just after CreateExport", None, "CreateExport certerox-cur2 ... done", 0.0),
    ("CreateAccessKey in flight, killed later", "CreateAccessKey", "CreateAccessKey certerox-billing ...", 1.2),
    # the CerteroX answer is held back so that the wizard is still running when the line is read
    ("just after CheckKey", "certerox", "CheckKey certerox-billing ... done", 0.0),
    ("CerteroX create in flight, killed later", "certerox", "CreateDataSource", 1.2),
]


def kill_scenario(idx, clean_state, prep, cx_nth=2):
    """cx_nth: the CerteroX request that creates the data source, counted in a clean run."""
    import signal
    import subprocess
    label, stalled, pattern, delay = KILL_POINTS[idx]
    res = Result(f"kill #{idx + 1} {label}")
    rules = []
    if stalled:
        if isinstance(stalled, tuple):
            rules.append({"service": stalled[0], "operation": stalled[1], "nth": 1, "fault": "stall:3000"})
        else:
            r = _w(stalled)
            r.update({"nth": cx_nth if stalled == "certerox" else 1, "fault": "stall:3000"})
            rules.append(r)
    sim = faulted_sim(rules, prep)
    w = None
    try:
        w, ans = prepare(sim, "cur2", f"k{idx}")
        args = ["--batch", "--answers", w.answers(ans), "--passphrase-file", w.pass_file, "--vault-kdf",
                "interactive"]
        p = spawn(sim, w, args, env_extra())
        seen = pattern is None
        t_end = time.time() + 40
        if pattern:
            for line in p.stderr:
                if pattern in line:
                    seen = True
                    break
                if time.time() > t_end:
                    break
        time.sleep(delay)
        alive = p.poll() is None
        p.send_signal(signal.SIGKILL)
        p.communicate(timeout=30)
        res.check("the moment was reached and the wizard killed while running", seen and alive,
                  f"seen={seen} alive={alive}")
        # the vault always opens (or was never written)
        if os.path.exists(w.vault):
            try:
                vault_doc(w)
                ok = True
            except Exception as e:  # noqa: BLE001
                ok = str(e)
            res.check("the vault opens after the kill", ok is True, str(ok))
        # every key in AWS is in the vault or reported as orphaned by the re-run
        rellib_restart_plain = restart(sim)  # noqa: F841  (faults gone, state kept)
        r = w.batch(ans, env=env_extra())
        iam = sim.client("iam")
        keys = [k["AccessKeyId"] for k in iam.list_access_keys(UserName="certerox-billing")["AccessKeyMetadata"]]
        unknown = [k for k in keys if k not in vault_keys(w)]
        if unknown:
            # the kill lost a new key's secret: the re-run reports it as orphaned, --yes deletes it
            res.check("the re-run names every key the vault lacks (orphaned)",
                      all(k in r.stderr + r.stdout for k in unknown), f"rc={r.returncode} unknown={unknown} "
                      f"{r.stderr[-600:]}")
            print(f"# {res.name}: orphaned key reported by the re-run: {unknown}")
            r = w.batch(ans, "--yes", env=env_extra())
        if not res.check("a re-run completes", r.returncode == 0, r.stderr[-1000:]):
            return res
        common_end(res, sim, w, r)
        d = diff(clean_state, snapshot(sim))
        res.check("end state of a clean run", not d, d)
        return res
    finally:
        cleanup(sim, w)


def kill_matrix(indices):
    t0 = time.time()
    cres = _clean_result("cur2")
    points, state, dt, prep = cres
    cx_nth = [p["nth"] for p in points if p["service"] == "certerox"][0]
    report(parallel(kill_scenario, sampled([(i, state, prep, cx_nth) for i in indices])))
    print(f"# kill points {indices[0] + 1}..{indices[-1] + 1}: {time.time() - t0:.0f}s")
