#!/usr/bin/env python3
"""bench.py - the benchmarks of issue 9 (run through bench/run, bench/apply, ...).

Every figure comes from this run: wall times measured here, request counts and timings from
the simulated cloud's request log (DIR/requests.jsonl), the critical path from the plan
(--dry-run --format json). Nothing is typed in. A part that cannot be measured yet says so
("not measurable yet: <why>") instead of giving a number.

Usage: bench.py NAME [--json FILE] [--runs N]   NAME: apply rotate keycheck vs-awscli tui startup memory
Environment: CX_BIN (the binary; default: src/certerox-aws-setup under the build directory
or the source tree), BENCH_LATENCY_MS (default 50)."""

import datetime
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(TOP, "tests", "sim"))
sys.path.insert(0, os.path.join(TOP, "tests", "integration"))


def find_bin():
    for p in (os.environ.get("CX_BIN"),
              os.path.join(os.environ.get("top_builddir") or os.getcwd(), "src", "certerox-aws-setup"),
              os.path.join(TOP, "src", "certerox-aws-setup")):
        if p and os.access(p, os.X_OK):
            return os.path.abspath(p)
    sys.exit("bench: no binary: build it (make) or set CX_BIN=/path/to/certerox-aws-setup")


CX_BIN = find_bin()
os.environ["CX_BIN"] = CX_BIN
LAT = int(os.environ.get("BENCH_LATENCY_MS") or 50)

from simtest import Sim  # noqa: E402
from flowlib import Wizard, writes  # noqa: E402

ROWS = []   # {"figure", "value", "target", "status"}
NOTES = []  # lines of analysis


def row(figure, value, target="", status="info"):
    ROWS.append({"figure": figure, "value": value, "target": target, "status": status})
    print(f"  {figure}: {value}" + (f"  (target {target}: {status})" if target else ""), flush=True)


def note(text=""):
    NOTES.append(text)
    print(text, flush=True)


def met(ok):
    return "met" if ok else "unmet"


def ms(x):
    return f"{x * 1000:.0f} ms"


def start_sim(*opts, warm_ec2=True):
    """A cloudsim in a fresh directory; warm_ec2 asks it to build moto's EC2 backend before it
    reports ready (CLOUDSIM_WARM_EC2=1, tests/sim/simserver.py), so the lazy ~2 s EC2
    initialisation of the sim does not land in the measured run."""
    old = os.environ.get("CLOUDSIM_WARM_EC2")
    os.environ["CLOUDSIM_WARM_EC2"] = "1" if warm_ec2 else "0"
    try:
        return Sim(*opts).start()
    finally:
        if old is None:
            del os.environ["CLOUDSIM_WARM_EC2"]
        else:
            os.environ["CLOUDSIM_WARM_EC2"] = old


BUCKET = "acme-bench-billing"
ANSWERS = {"connection": "root",
           "export": {"type": "cur2", "setup": "wizard", "name": "certerox-cur2", "bucket": BUCKET,
                      "prefix": "reports"}}


def aws_state(sim, user="certerox-billing", bucket=BUCKET):
    """The AWS end state that matters, normalised (ids, dates and ARN suffixes removed)."""
    iam = sim.client("iam")
    st = {"policies": {}}
    for p in iam.list_policies(Scope="Local")["Policies"]:
        v = iam.get_policy_version(PolicyArn=p["Arn"], VersionId=p["DefaultVersionId"])
        doc = v["PolicyVersion"]["Document"]
        if isinstance(doc, str):
            doc = json.loads(doc)
        n = len(iam.list_policy_versions(PolicyArn=p["Arn"])["Versions"])
        st["policies"][p["PolicyName"]] = (json.dumps(doc, sort_keys=True), n)
    st["users"] = [u["UserName"] for u in iam.list_users()["Users"] if u["UserName"] == user]
    if st["users"]:
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


# ---------------------------------------------------------------- request-log analysis

def levels(rs, tol=0.002):
    """Observed depth of each request: 1 + the deepest request that ended before it started."""
    out = []
    for i, r in enumerate(rs):
        lv = 1
        for j in range(i):
            if rs[j]["end"] <= r["start"] + tol and out[j] + 1 > lv:
                lv = out[j] + 1
        out.append(lv)
    return out


def chain_depth(rs, admin_key, tol=0.002):
    """Round trips the requests rs waited for one after another, as the log shows them: a
    request is 1 + the deepest of those that ended before it started; a CerteroX request also
    waits for the AWS calls CerteroX made inside it (not with the administrator's key: the
    verify's check of its placeholder key, the submission's of the new key), so it counts 1 +
    their own chain (tests/integration/test_dry_run.py chain_levels)."""
    rs = sorted(rs, key=lambda r: r["start"])
    # only a POST or PATCH makes CerteroX check a key with AWS (a GET lists or reads)
    cx = [r for r in rs if r["service"] == "certerox" and (r["operation"] or "").startswith(("POST ", "PATCH "))]

    def inside(q):
        return (q["service"] != "certerox" and q.get("access_key_id") != admin_key
                and any(c["start"] <= q["start"] and q["end"] <= c["end"] for c in cx))
    outer = [r for r in rs if not inside(r)]
    out = []
    for i, r in enumerate(outer):
        own = 1
        if any(r is c for c in cx):
            own += max(levels([q for q in rs if inside(q) and r["start"] <= q["start"] and q["end"] <= r["end"]]),
                       default=0)
        out.append(max((out[j] for j in range(i) if outer[j]["end"] <= r["start"] + tol), default=0) + own)
    return max(out, default=0)


def analyse(rs, t0, t1, admin_key, log_text=None):
    """Splits one --batch run's requests into phases and finds where the time went."""
    rs = sorted(rs, key=lambda r: r["start"])
    post = [r for r in rs if r["service"] == "certerox" and (r["operation"] or "").startswith(("POST ", "PATCH "))]
    post = post[-1] if post else None
    # requests CerteroX makes itself while it checks the submitted key (server side)
    server = [r for r in rs if post and r is not post and r["service"] != "certerox"
              and r.get("access_key_id") != admin_key and r["start"] >= post["start"] and r["end"] <= post["end"]]
    client = [r for r in rs if not any(r is s for s in server)]
    first_write = next((r for r in client if writes([r])), None)
    wstart = first_write["start"] if first_write else t1
    disc = [r for r in client if r["start"] < wstart]
    writes_ = [r for r in client if r["start"] >= wstart and r.get("access_key_id") == admin_key]
    keycheck = [r for r in client if r["start"] >= wstart and r.get("access_key_id") not in (None, admin_key)]
    a = {"n": len(rs), "n_client": len(client), "n_server": len(server), "disc": disc, "writes": writes_,
         "keycheck": keycheck, "post": post, "server": server, "wstart": wstart}
    a["d_disc_observed"] = chain_depth(disc, admin_key)
    a["d_cx"] = max(levels(server), default=0)
    a["d_observed"] = chain_depth(client, admin_key)
    # idle periods: nothing of ours in flight at the sim
    busy = sorted((r["start"], r["end"]) for r in client)
    gaps, cur = [], t0
    prev_op = "process start"
    for s, e in busy:
        if s > cur + 0.005:
            nxt = next(r for r in client if r["start"] == s)
            gaps.append((cur, s, prev_op, f"{nxt['service']} {nxt['operation']}"))
        if e > cur:
            cur = e
            prev_op = next(f"{r['service']} {r['operation']}" for r in client if r["end"] == e)
    if t1 > cur + 0.005:
        gaps.append((cur, t1, prev_op, "process exit"))
    a["gaps"] = gaps
    conns = {}
    for r in client:
        host = "certerox" if r["service"] == "certerox" else "aws"
        conns.setdefault(host, set()).add(r["connection"])
    a["conns"] = {h: len(c) for h, c in conns.items()}
    peak = {}
    for r in client:
        host = "certerox" if r["service"] == "certerox" else "aws"
        n = sum(1 for q in client if ("certerox" if q["service"] == "certerox" else "aws") == host
                and q["start"] <= r["start"] < q["end"])
        peak[host] = max(peak.get(host, 0), n)
    a["peak"] = peak
    # new connections opened while another one to the same host stood idle: from the wizard's
    # own --log (needless_connections)
    needless = needless_connections(log_text, client) if log_text is not None else None
    a["needless_conns"] = needless
    a["slow"] = [r for r in client if r is not post and r["end"] - r["start"] > LAT / 1000.0 + 0.025]
    a["conns_server"] = len({r["connection"] for r in server})
    # CerteroX's server-side requests that were the first on their connection (each paid a
    # handshake at the sim, --handshake-ms)
    seen, new = set(), 0
    for r in rs:
        if r["connection"] not in seen and any(r is q for q in server):
            new += 1
        seen.add(r["connection"])
    a["server_new_conns"] = new
    a["repeats"] = repeated_reads(client)
    return a


# Answers that are not a fact about the account: throttles, and rejections of a key AWS does not
# accept (yet) or does not permit (yet), which the key check retries while IAM propagates
# (src/run/probe.h). 5xx and resets (status null) are not facts either.
THROTTLES = ("Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded",
             "SlowDown", "OE0000")
REJECTIONS = ("InvalidClientTokenId", "UnrecognizedClientException", "InvalidAccessKeyId", "AuthFailure",
              "AccessDenied", "AccessDeniedException", "UnauthorizedOperation")


TIMING = re.compile(r"^(\S+)Z DEBUG +http timing (.*): (new|reused) connection \(local port (\d+)\), .* "
                    r"done ([0-9.]+) ms after curl got it$")


def needless_connections(log_text, client):
    """New connections the wizard opened while another of its connections to the same host
    stood idle, as the client itself saw it: the --log "http timing" line of each request gives
    its end (the line's time), its duration from the moment libcurl got it, whether it opened a
    connection and the connection's local port, which the sim's log (client_port) ties to the
    host. A connection is idle at instant t when a request on it ended before t and none on it is
    in flight at t. CreateAccessKey is no exception: it goes out on a pooled connection too
    (src/aws/http.h never_resend)."""
    host = {}
    for r in client:
        if r.get("client_port"):
            host[r["client_port"]] = "certerox" if r["service"] == "certerox" else "aws"
    xs = []
    for line in log_text.splitlines():
        m = TIMING.match(line)
        if not m:
            continue
        end = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S.%f").replace(
            tzinfo=datetime.timezone.utc).timestamp()
        xs.append({"label": m.group(2), "new": m.group(3) == "new", "port": int(m.group(4)),
                   "end": end, "start": end - float(m.group(5)) / 1000.0})
    out = []
    for x in xs:
        if not x["new"] or x["port"] not in host:
            continue
        t = x["start"]
        for port in {y["port"] for y in xs if y["port"] != x["port"] and host.get(y["port"]) == host[x["port"]]}:
            on = [y for y in xs if y["port"] == port]
            # 1 ms: the log's time has millisecond resolution
            if any(y["end"] <= t - 0.001 for y in on) and not any(y["start"] <= t < y["end"] for y in on):
                out.append(f"{x['label']} on a new connection (port {x['port']}) while port {port} stood idle")
                break
    return out


def repeated_reads(rs):
    """Reads (not flowlib.writes) that repeat an earlier read of the same run with the same key
    and the same request (the log's request_digest) whose answer was a fact: status < 500, not a
    throttle, not a rejection of the key. Returns those repeats, in order."""
    seen, out = set(), []
    for r in sorted(rs, key=lambda r: r["start"]):
        if writes([r]) or "request_digest" not in r:
            continue
        k = (r.get("access_key_id"), r["service"], r["request_digest"])
        if k in seen:
            out.append(r)
        st = r.get("status")
        if st is not None and st < 500 and r.get("error") not in THROTTLES + REJECTIONS:
            seen.add(k)
    return out


def count_ops(rs):
    """"service operation xN, ..." of requests."""
    n = {}
    for r in rs:
        op = f"{r['service']} {r['operation']}"
        n[op] = n.get(op, 0) + 1
    return ", ".join(f"{op} x{c}" for op, c in n.items())


def fmt_req(r, t0):
    return (f"{(r['start'] - t0) * 1000:7.0f} {(r['end'] - t0) * 1000:7.0f} {(r['end'] - r['start']) * 1000:5.0f}"
            f"  c{r['connection']:<3} {r['service']} {r['operation']}"[:110])


# ---------------------------------------------------------------- apply

def apply_once(warm_ec2=True, keep=None, key_delay_ms=0):
    sim = start_sim("--latency-ms", str(LAT), "--key-delay-ms", str(key_delay_ms), warm_ec2=warm_ec2)
    try:
        sim.client("s3").create_bucket(Bucket=BUCKET)
        w = Wizard(sim, "bench")
        r = w.dry_run(ANSWERS, "--format", "json")
        if r.returncode != 0 or not r.json:
            raise RuntimeError("--dry-run failed: " + r.stderr[-800:])
        plan = r.json
        n0 = len(sim.requests())
        logf = os.path.join(w.home, "batch.log")
        t0 = time.time()
        b = w.batch(ANSWERS, "--log", logf)
        t1 = time.time()
        if b.returncode != 0:
            raise RuntimeError(f"--batch exit {b.returncode}: " + b.stderr[-1500:])
        rs = sim.requests()[n0:]
        with open(logf) as f:
            log_text = f.read()
        res = {"W": t1 - t0, "t0": t0, "t1": t1, "rs": rs, "plan": plan, "admin_key": sim.env["AWS_ACCESS_KEY_ID"],
               "a": analyse(rs, t0, t1, sim.env["AWS_ACCESS_KEY_ID"], log_text), "summary": b.json,
               "log": log_text}
        if keep is not None:
            keep["state"] = aws_state(sim)
            keep["plan"] = plan
        return res
    finally:
        sim.cleanup()


def depth_rows(name, runs, W, a, d, parts, server_what):
    """The figure rows every timed flow shares: N, D (the plan DAG's critical path and its parts),
    W, W / (D x RTT) with its target, the same with the first handshake's round trips, and the
    plan's parts against the chain the request log shows."""
    d_disc, d_req, d_cx = parts.get("discovery", 0), parts.get("requests", 0), parts.get("certerox_check", 0)
    unit = LAT / 1000.0
    row(f"{name}: N, requests sent by the run (request log)", f"{a['n']} ({a['n_client']} by the wizard, "
        f"{a['n_server']} by CerteroX {server_what})")
    row(f"{name}: D, critical path of the plan DAG (--dry-run critical_path)",
        f"{d} = discovery {d_disc} + the plan's requests {d_req} + CerteroX's check {d_cx}")
    row(f"{name}: W, wall time of --batch (median of {runs})", ms(W))
    hs = handshake_rtts()
    h = handshakes_charged(a)
    r1 = W / (d * unit)
    row(f"{name}: W / (D x {LAT} ms), handshakes not charged (no target: the target is on the next figure, "
        f"which charges the handshakes no run avoids)", f"{r1:.2f}")
    r2 = W / ((d + h) * unit)
    row(f"{name}: W / ((D + H) x {LAT} ms), handshakes charged: H = {h:g} round trips, {hs:g} for the "
        f"first connection's handshakes (--handshake-ms {hs * LAT:g}) and {h - hs:g} for the "
        f"{a['server_new_conns']} new connections CerteroX opens to AWS in its check (OptScale's adapter: "
        f"a client per call)", f"{r2:.2f}", "<= 1.3", met(r2 <= 1.3))
    ok = (a["d_disc_observed"], a["d_cx"], a["d_observed"]) == (d_disc, d_cx, d_disc + d_req)
    row(f"{name}: the plan's parts against the chain the log shows (discovery, CerteroX's check, the "
        "wizard's own requests)",
        f"{a['d_disc_observed']}/{d_disc}, {a['d_cx']}/{d_cx}, {a['d_observed']}/{d_disc + d_req}", "equal",
        met(ok))


def timeline_notes(name, med, a):
    """The median run's requests in start order, as a note section."""
    t0 = med["t0"]
    note("")
    note(f"### {name}: where the time goes (median run, W {ms(med['W'])}; times in ms from process start)")
    note("")
    note("```")
    note("  start     end   dur  conn service operation")
    for r in sorted(med["rs"], key=lambda r: r["start"]):
        mark = "   (CerteroX, server side)" if any(r is q for q in a["server"]) else ""
        note(fmt_req(r, t0) + mark)
    note(f"{(med['t1'] - t0) * 1000:7.0f}                process exit")
    note("```")
    note("")


def bench_apply(runs):
    print(f"apply: {runs} runs of --batch (root/cur2/wizard), each on a fresh sim "
          f"(--latency-ms {LAT} --key-delay-ms 0, EC2 warmed at start)", flush=True)
    res = []
    for i in range(runs):
        x = apply_once()
        res.append(x)
        a = x["a"]
        print(f"  run {i + 1}: W {ms(x['W'])}, {a['n']} requests, plan depth {x['plan']['critical_path']}",
              flush=True)
    med = sorted(res, key=lambda x: x["W"])[len(res) // 2]  # the median run, analysed below
    W = statistics.median(x["W"] for x in res)
    a = med["a"]
    # D from the plan DAG (--dry-run's critical_path): discovery's depth (measured by the
    # wizard's discovery), the plan's own requests, and CerteroX's chain before it answers
    parts = med["plan"].get("critical_path_parts") or {}
    d = med["plan"]["critical_path"]
    d_disc, d_req, d_cx = parts.get("discovery", 0), parts.get("requests", 0), parts.get("certerox_check", 0)
    unit = LAT / 1000.0
    depth_rows("apply", runs, W, a, d, parts, "checking the key")
    apply_phase_row("apply", res, a, d_req, d_cx)
    r0 = W / (d_req * unit)
    row(f"apply: W / (the plan's requests alone x {LAT} ms) (no target: W also waits for discovery and "
        f"CerteroX's check, {d_disc + d_cx} round trips)", f"{r0:.2f}")
    connection_rows("apply", med)

    # where the time goes: the median run
    t0 = med["t0"]
    timeline_notes("apply", med, a)
    net = sum(e - s for s, e in merge([(r["start"], r["end"]) for r in med["rs"]]))
    idle = sum(e - s for s, e, _, _ in a["gaps"])
    note(f"- Network busy (at least one request in flight): {ms(net)}; idle (no request of the wizard "
         f"in flight): {ms(idle)} in {len(a['gaps'])} gaps; the ideal is D x {LAT} ms = "
         f"{ms(d * unit)}.")
    note("- Idle gaps (the wizard computing or waiting on something other than the network):")
    for s, e, before, after in a["gaps"]:
        note(f"  - {ms(e - s)} at {ms(s - t0)}: after `{before}`, before `{after}`")
    nd = len(a["disc"])
    note(f"- Discovery: {nd} reads, depth {a['d_disc_observed']} in the log ({d_disc} in the plan) "
         f"({ms(a['wstart'] - t0)} from process start to the first write).")
    if a["post"]:
        p = a["post"]
        note(f"- CerteroX submission: {ms(p['end'] - p['start'])}: 1 round trip of the wizard plus "
             f"{a['n_server']} serial AWS calls CerteroX makes with the new key (depth {a['d_cx']}).")
    ag = argon2_ms()
    if ag is not None:
        kc0 = a["keycheck"][0] if a["keycheck"] else None
        kc0 = f"{kc0['service']} {kc0['operation']}" if kc0 else None
        vault_gaps = [g for g in a["gaps"] if g[2] == "process start" or g[3] == "process exit" or g[3] == kc0]
        note(f"- Argon2id (interactive: opslimit 2, memlimit 64 MiB) takes {ag:.0f} ms per derivation on this "
             f"machine (libsodium via ctypes, median of 5). The wizard derives the vault key 3 times (vault "
             f"created, key saved, data source saved), each in a worker thread (src/vault/vault.c: "
             f"vault_open_derive while discovery reads, vault_prepare_save ahead of each save), so the event "
             f"loop does not wait for them; the gaps above at process start, before the key check and before "
             f"exit add up to {ms(sum(e - s for s, e, _, _ in vault_gaps))}.")
    if a["post"] and a["server"]:
        p = a["post"]
        inner = sum(r["end"] - r["start"] for r in a["server"])
        note(f"- The sim's CerteroX spends {ms(p['end'] - p['start'] - inner - LAT / 1000.0)} of the POST outside "
             f"its {len(a['server'])} AWS calls and its {LAT} ms latency (botocore's work between the calls; "
             f"tests/sim/certerox.py keeps its clients loaded, each call on a new connection as OptScale's).")
    if a["slow"]:
        note(f"- Requests slower than latency + 25 ms (time inside the sim: moto runs under one global lock, "
             f"tests/sim/simserver.py): " + ", ".join(f"{r['service']} {r['operation']} {ms(r['end'] - r['start'])}"
                                                        for r in a["slow"]))
    kc = a["keycheck"]
    if kc:
        slow = max(kc, key=lambda r: r["end"] - r["start"])
        note(f"- Key check: {len(kc)} requests with the new key, slowest {slow['service']} {slow['operation']} "
             f"{ms(slow['end'] - slow['start'])}.")
    NOTES_APPLY_EXTRA(med, a)
    return res


# ---------------------------------------------------------------- rotate (issue 14)

def rotate_once():
    """One fresh sim: connect (apply's answers) in setup, untimed; then --dry-run of the rotate
    of that data source (its plan) and the timed --batch rotate, with --log."""
    sim = start_sim("--latency-ms", str(LAT), "--key-delay-ms", "0")
    try:
        sim.client("s3").create_bucket(Bucket=BUCKET)
        w = Wizard(sim, "bench-rotate")
        c = w.batch(ANSWERS)
        if c.returncode != 0 or not c.json:
            raise RuntimeError(f"setup: connect exit {c.returncode}: " + c.stderr[-800:])
        rot = {"action": "rotate", "rotate": {"data_source_id": c.json["data_source_id"]}}
        r = w.dry_run(rot, "--format", "json")
        if r.returncode != 0 or not r.json:
            raise RuntimeError("rotate --dry-run failed: " + r.stderr[-800:])
        plan = r.json
        n0 = len(sim.requests())
        logf = os.path.join(w.home, "rotate.log")
        t0 = time.time()
        b = w.batch(rot, "--log", logf)
        t1 = time.time()
        if b.returncode != 0:
            raise RuntimeError(f"rotate --batch exit {b.returncode}: " + b.stderr[-1500:])
        if (b.json or {}).get("previous_access_key_id") == (b.json or {}).get("access_key_id"):
            raise RuntimeError("rotate --batch: no new key in the summary: " + b.stdout[-600:])
        rs = sim.requests()[n0:]
        with open(logf) as f:
            log_text = f.read()
        admin = sim.env["AWS_ACCESS_KEY_ID"]
        return {"W": t1 - t0, "t0": t0, "t1": t1, "rs": rs, "plan": plan, "admin_key": admin,
                "a": analyse(rs, t0, t1, admin, log_text), "log": log_text}
    finally:
        sim.cleanup()


def bench_rotate(runs):
    print(f"rotate: {runs} runs, each on a fresh sim (--latency-ms {LAT} --key-delay-ms 0, handshakes charged "
          f"by the sim's default --handshake-ms {2 * LAT}): connect in setup, then --batch rotate of that data "
          f"source timed", flush=True)
    res = []
    for i in range(runs):
        x = rotate_once()
        res.append(x)
        print(f"  run {i + 1}: W {ms(x['W'])}, {x['a']['n']} requests, plan depth {x['plan']['critical_path']}",
              flush=True)
    med = sorted(res, key=lambda x: x["W"])[len(res) // 2]
    W = statistics.median(x["W"] for x in res)
    a = med["a"]
    parts = med["plan"].get("critical_path_parts") or {}
    d = med["plan"]["critical_path"]
    d_disc, d_req, d_cx = parts.get("discovery", 0), parts.get("requests", 0), parts.get("certerox_check", 0)
    unit = LAT / 1000.0
    depth_rows("rotate", runs, W, a, d, parts, "checking the new key in the PATCH")
    apply_phase_row("rotate", res, a, d_req, d_cx)
    connection_rows("rotate", med)
    t0 = med["t0"]
    timeline_notes("rotate", med, a)
    idle = sum(e - s for s, e, _, _ in a["gaps"])
    note(f"- Idle (no request of the wizard in flight): {ms(idle)} in {len(a['gaps'])} gaps; the ideal is "
         f"D x {LAT} ms = {ms(d * unit)}.")
    for s_, e, before, after in a["gaps"]:
        note(f"  - {ms(e - s_)} at {ms(s_ - t0)}: after `{before}`, before `{after}`")
    note(f"- Discovery: {len(a['disc'])} reads, depth {a['d_disc_observed']} in the log ({d_disc} in the plan), "
         f"{ms(a['wstart'] - t0)} from process start to the first write.")
    if a["post"]:
        p = a["post"]
        note(f"- CerteroX PATCH: {ms(p['end'] - p['start'])}: 1 round trip of the wizard plus {a['n_server']} "
             f"serial AWS calls CerteroX makes with the new key (depth {a['d_cx']}).")
    return res


def apply_phase_row(name, res, a, d_req, d_cx):
    """The apply phase (first write to exit, median of the runs) against the plan's requests and
    CerteroX's check, with the handshake round trips of CerteroX's own new connections."""
    w_apply = statistics.median(x["t1"] - x["a"]["wstart"] for x in res)
    h_cx = handshakes_charged(a) - handshake_rtts()
    r3 = w_apply / ((d_req + d_cx + h_cx) * (LAT / 1000.0))
    row(f"{name}: apply phase (first write to exit) / ((requests + CerteroX's check + its {h_cx:g} handshake "
        f"round trips) x {LAT} ms)", f"{r3:.2f}", "<= 1.3", met(r3 <= 1.3))


def handshakes_charged(a):
    """H: the handshake round trips on the critical path that no run of the wizard avoids: its
    first connection's (every run opens one), and those of each new connection CerteroX opens to
    AWS while it checks the key (its server-side calls are serial, so all are on the path). New
    connections the wizard opens after its first wave are not in H: W pays them."""
    return handshake_rtts() * (1 + a["server_new_conns"])


def handshake_rtts():
    """Round trips a new connection's handshakes cost in the sim: its default --handshake-ms
    (tests/sim/simserver.py: twice --latency-ms) over the latency."""
    return 2.0


def connection_rows(name, med):
    """Connections per host, the new ones on the critical path, those opened while another
    stood idle, and the reads the wizard repeated, of the median run."""
    a = med["a"]
    conns = ", ".join(f"{h} {n} (peak {a['peak'].get(h, 0)} in flight)" for h, n in sorted(a["conns"].items()))
    row(f"{name}: connections opened per host (TLS handshakes)", conns)
    late = new_after_first_wave(med)
    row(f"{name}: requests of the wizard that opened a connection after its first wave (each waits a handshake, "
        f"--handshake-ms)", str(len(late)) + (": " + ", ".join(late) if late else ""))
    nl = a["needless_conns"] or []
    row(f"{name}: connections opened while another to the host stood idle (the wizard's --log)", str(len(nl)), "0",
        met(a["needless_conns"] is not None and not nl))
    if nl:
        note("- Connections opened while another stood idle: " + "; ".join(nl))
    if all("request_digest" in r for r in med["rs"]):
        rep = a["repeats"]
        row(f"{name}: reads repeated by the wizard (same key, same request)", str(len(rep)), "0", met(not rep))
        if rep:
            note(f"- Reads repeated by the wizard (same key and request_digest as an earlier read answered "
                 f"with a fact; median run): " + count_ops(rep))
    else:
        row(f"{name}: reads repeated by the wizard (same key, same request)",
            "not measurable yet: the sim's request log has no request_digest", "0", "not measurable yet")


def new_after_first_wave(x):
    """The wizard's requests that opened a new connection (its --log) after the first of its
    requests had been answered: a handshake (--handshake-ms) on their way; those of the first
    wave cannot avoid one."""
    xs = []
    for line in x["log"].splitlines():
        m = TIMING.match(line)
        if not m:
            continue
        end = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S.%f").replace(
            tzinfo=datetime.timezone.utc).timestamp()
        xs.append((end - float(m.group(5)) / 1000.0, end, m.group(2), m.group(3) == "new"))
    if not xs:
        return []
    first_end = min(e for _, e, _, _ in xs)
    return [label for st, _, label, new in sorted(xs) if new and st > first_end + 0.001]


def argon2_ms():
    """Milliseconds of one Argon2id derivation at the interactive limits (libsodium), or None."""
    import ctypes
    import ctypes.util
    name = ctypes.util.find_library("sodium")
    if not name:
        return None
    so = ctypes.CDLL(name)
    if so.sodium_init() < 0:
        return None
    so.crypto_pwhash_opslimit_interactive.restype = ctypes.c_size_t
    so.crypto_pwhash_memlimit_interactive.restype = ctypes.c_size_t
    ops, mem = so.crypto_pwhash_opslimit_interactive(), so.crypto_pwhash_memlimit_interactive()
    out, salt, pw = ctypes.create_string_buffer(32), ctypes.create_string_buffer(16), b"bench passphrase"
    ts = []
    for _ in range(5):
        t = time.perf_counter()
        so.crypto_pwhash(out, ctypes.c_ulonglong(32), pw, ctypes.c_ulonglong(len(pw)), salt,
                         ctypes.c_ulonglong(ops), ctypes.c_size_t(mem), ctypes.c_int(2))
        ts.append(time.perf_counter() - t)
    return statistics.median(ts) * 1000


def merge(iv):
    out = []
    for s, e in sorted(iv):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def NOTES_APPLY_EXTRA(med, a):
    """The sim artefact: one extra run without the EC2 warm-up shows what it costs."""
    try:
        x = apply_once(warm_ec2=False)
    except Exception as e:  # report, do not hide
        note(f"- EC2 artefact: the run without the warm-up failed: {e}")
        return
    ec2 = [r for r in x["rs"] if r["service"] == "ec2"]
    d = max((r["end"] - r["start"] for r in ec2), default=0)
    note(f"- Sim artefact (moto builds its EC2 backend at the first EC2 call): one extra run on a sim "
         f"started without CLOUDSIM_WARM_EC2=1 took W {ms(x['W'])} instead of {ms(med['W'])}; its "
         f"ec2 DescribeRegions took {ms(d)} and the sim's global moto lock stalled the requests beside it. "
         f"Not counted above: the measured runs use a sim that builds the backend before it is ready.")


# ---------------------------------------------------------------- key check

KEY_DELAY_MS = 1500
# The runs' key delays are spread over 250 ms (the target) above KEY_DELAY_MS, so that the key
# becomes valid at a different phase of the wizard's polling in each run: with one fixed delay,
# every run would meet the polling at the same phase and measure it alone.
KEY_DELAY_SPREAD_MS = 250


def keycheck_of(x, delay_ms):
    """The key check of one apply_once run: the moment the new key became valid at the sim (the
    CreateAccessKey log record's key_valid_at; without it, the end of CreateAccessKey plus the
    delay), the wizard's requests with the new key, the first of them the sim answered 2xx."""
    a = x["a"]
    cak = [r for r in x["rs"] if r.get("operation") == "CreateAccessKey" and r.get("status") == 200
           and r.get("access_key_id") == x["admin_key"]]
    if not cak:
        raise RuntimeError("no successful CreateAccessKey in the request log")
    cak = cak[-1]
    derived = "key_valid_at" not in cak
    valid = cak["end"] + delay_ms / 1000.0 if derived else cak["key_valid_at"]
    kc = sorted(a["keycheck"], key=lambda r: r["start"])
    ok = next((r for r in kc if r.get("status") is not None and 200 <= r["status"] < 300), None)
    if ok is None:
        raise RuntimeError("no request with the new key was answered 2xx")
    return {"cak": cak, "valid": valid, "derived": derived, "kc": kc, "ok": ok,
            "after": ok["end"] - valid,
            "rejected": [r for r in kc if r["start"] < ok["start"] and r.get("error") in REJECTIONS],
            "repeats": [r for r in a["repeats"] if r.get("access_key_id") not in (None, x["admin_key"])]}


def bench_keycheck(runs):
    delays = [KEY_DELAY_MS + round(i * KEY_DELAY_SPREAD_MS / runs) for i in range(runs)]
    print(f"keycheck: {runs} runs of --batch (root/cur2/wizard), each on a fresh sim "
          f"(--latency-ms {LAT} --key-delay-ms {', '.join(map(str, delays))}, EC2 warmed at start)", flush=True)
    ks = []
    for i, delay in enumerate(delays):
        x = apply_once(key_delay_ms=delay)
        k = keycheck_of(x, delay)
        k["W"], k["delay"] = x["W"], delay
        ks.append(k)
        print(f"  run {i + 1} (key delay {delay} ms): W {ms(x['W'])}, first accepted {k['ok']['service']} "
              f"{k['ok']['operation']} {ms(k['after'])} after the key became valid, {len(k['rejected'])} "
              f"attempts rejected before", flush=True)
    med = sorted(ks, key=lambda k: k["after"])[len(ks) // 2]
    after = statistics.median(k["after"] for k in ks)
    worst = max(ks, key=lambda k: k["after"])
    how = "CreateAccessKey's key_valid_at" if not med["derived"] else "end of CreateAccessKey + delay (derived)"
    dl = f"{delays[0]}-{delays[-1]}" if len(delays) > 1 else str(delays[0])
    row(f"keycheck: first accepted request with the new key, after the key became valid "
        f"(key delay {dl} ms, median of {runs})", ms(after), "<= 250 ms", met(after <= 0.25))
    if runs > 1:
        row(f"keycheck: the same, worst of the {runs} runs (key delay {worst['delay']} ms)", ms(worst["after"]),
            "<= 250 ms", met(worst["after"] <= 0.25))
    rej = [len(k["rejected"]) for k in ks]
    row(f"keycheck: attempts with the new key rejected while it was not valid yet (median of {runs})",
        f"{statistics.median(rej):g} (runs: {', '.join(map(str, rej))})")
    c, v, ok = med["cak"], med["valid"], med["ok"]
    note("")
    note(f"### keycheck: the median run (key delay {med['delay']} ms; times in ms from the end of "
         f"CreateAccessKey; the key became valid "
         f"at {ms(v - c['end'])}, from {how}; the sim judges a request when it arrives and answers it "
         f"{LAT} ms later, so {ms(LAT / 1000.0)} is the floor)")
    note("")
    note("```")
    note("  start     end   dur  conn status service operation")
    for r in med["kc"]:
        if r["start"] > ok["end"] + 0.001:
            break
        note(f"{(r['start'] - c['end']) * 1000:7.0f} {(r['end'] - c['end']) * 1000:7.0f} "
             f"{(r['end'] - r['start']) * 1000:5.0f}  c{r['connection']:<3} {r['status']} {r['error'] or ''} "
             f"{r['service']} {r['operation']}"[:110])
    note("```")
    note("")
    gci = [r for r in med["kc"] if r["operation"] == "GetCallerIdentity" and r["start"] <= ok["start"]]
    starts = [round((b["start"] - a["start"]) * 1000) for a, b in zip(gci, gci[1:])]
    note(f"- GetCallerIdentity attempts with the new key up to the first accepted request: {len(gci)}, "
         f"start-to-start intervals (ms): {', '.join(map(str, starts)) or 'none'}; the first started "
         f"{ms(gci[0]['start'] - c['end']) if gci else '-'} after CreateAccessKey's answer was logged.")
    note(f"- First accepted: {ok['service']} {ok['operation']}, arrived {ms(ok['start'] - v)} after the key "
         f"became valid, answered {ms(ok['end'] - v)} after; per run (key delay: first accepted answer "
         f"after validity): " + ", ".join(f"{k['delay']} ms: {ms(k['after'])}" for k in ks) + ".")
    nrep = [r for k in ks for r in k["repeats"]]
    note(f"- Reads with the new key repeated after a factual answer (same request_digest), all {runs} runs: "
         + (count_ops(nrep) if nrep else "none") + ".")


# ---------------------------------------------------------------- vs awscli

def bench_vs_awscli(runs):
    print(f"vs-awscli: bench/awscli-onboard.sh vs --batch, {runs} runs each, fresh sims, --latency-ms {LAT}",
          flush=True)
    if not shutil.which("aws"):
        row("vs-awscli: W_cli / W", "not measurable yet: no aws CLI on PATH", ">= 10", "not measurable yet")
        return
    wiz_keep = {}
    W = []
    for i in range(runs):
        x = apply_once(keep=wiz_keep if i == 0 else None)
        W.append(x["W"])
    plan = wiz_keep["plan"]
    docs_of = {s["id"]: s.get("request") or {} for s in plan["steps"]}
    Wc = []
    cli_state = None
    ncli = 0
    for i in range(runs):
        sim = start_sim("--latency-ms", str(LAT), "--key-delay-ms", "0")
        d = tempfile.mkdtemp(prefix="cxbench-cli.")
        try:
            sim.client("s3").create_bucket(Bucket=BUCKET)
            for name, doc in (("bucket-policy.json", docs_of["bucket-policy"]["Policy"]),
                              ("policy-readonly.json", docs_of["policy-readonly"]["PolicyDocument"]),
                              ("policy-discover.json", docs_of["policy-discover"]["PolicyDocument"]),
                              ("export.json", docs_of["export"]["Export"])):
                with open(os.path.join(d, name), "w") as f:
                    json.dump(doc, f, indent=2)
            n0 = len(sim.requests())
            t0 = time.time()
            r = sim.run("sh", os.path.join(HERE, "awscli-onboard.sh"), d, BUCKET)
            t1 = time.time()
            if r.returncode != 0:
                row("vs-awscli: W_cli / W", f"awscli-onboard.sh failed (exit {r.returncode})", ">= 10", "unmet")
                note("awscli-onboard.sh stderr:\n```\n" + r.stderr[-2000:] + "\n```")
                return
            Wc.append(t1 - t0)
            ncli = len(sim.requests()) - n0
            if i == 0:
                cli_state = aws_state(sim)
        finally:
            sim.cleanup()
            shutil.rmtree(d, ignore_errors=True)
    same = cli_state == wiz_keep["state"]
    row("vs-awscli: same AWS end state (policies, user, attachments, keys, bucket policy, export)",
        "yes" if same else "NO", "yes", met(same))
    if not same:
        for k in sorted(set(cli_state) | set(wiz_keep["state"])):
            if cli_state.get(k) != wiz_keep["state"].get(k):
                note(f"- end state differs in {k}: awscli {str(cli_state.get(k))[:300]} / wizard "
                     f"{str(wiz_keep['state'].get(k))[:300]}")
    wc, w = statistics.median(Wc), statistics.median(W)
    row(f"vs-awscli: W_cli, awscli-onboard.sh ({ncli} requests, median of {runs})", ms(wc))
    row(f"vs-awscli: W, --batch (median of {runs})", ms(w))
    row("vs-awscli: W_cli / W", f"{wc / w:.1f}", ">= 10", met(wc / w >= 10))
    note(f"- vs-awscli: the CLI path ({ncli} requests, one `aws` process per step) ends at the AWS end state; "
         f"the wizard's W also includes the key check and the CerteroX submission, which the CLI path "
         f"leaves to the web UI.")


# ---------------------------------------------------------------- start-up

def hyperfine_median(hf, command):
    """Median seconds of `hyperfine -N` over 300 runs of command (a string), None on failure."""
    out = tempfile.mktemp(suffix=".json")
    subprocess.run([hf, "-N", "--warmup", "20", "--runs", "300", "--export-json", out, command],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    try:
        with open(out) as f:
            return json.load(f)["results"][0]["median"]
    except (OSError, ValueError, KeyError, IndexError):
        return None
    finally:
        if os.path.exists(out):
            os.unlink(out)


def bench_startup():
    hf = shutil.which("hyperfine")
    med = hyperfine_median(hf, f"{CX_BIN} --version") if hf else None
    if med is not None:
        how = "hyperfine -N, 300 runs"
    else:
        ts = []
        for _ in range(300):
            t = time.perf_counter()
            subprocess.run([CX_BIN, "--version"], stdout=subprocess.DEVNULL)
            ts.append(time.perf_counter() - t)
        med, how = statistics.median(ts), "subprocess loop, 300 runs (includes Python's fork/exec)"
    row(f"start-up: --version wall time (median, {how})", f"{med * 1000:.2f} ms", "< 5 ms", met(med < 0.005))
    main_bin = os.path.join(os.path.dirname(CX_BIN), "certerox-aws-setup-main")
    libs = subprocess.run(["ldd", main_bin if os.path.exists(main_bin) else CX_BIN], stdout=subprocess.PIPE,
                          text=True).stdout.splitlines()
    front_libs = subprocess.run(["ldd", CX_BIN], stdout=subprocess.PIPE, text=True).stdout.splitlines()
    help_s = hyperfine_median(hf, f"{CX_BIN} --help") if hf else None
    help_ms = help_s * 1000 if help_s is not None else None
    if help_ms is not None:
        row("start-up: --help, answered by the wizard proper through the front end (median, hyperfine -N, "
            "300 runs)", f"{help_ms:.2f} ms")
    true_s = hyperfine_median(hf, "/bin/true") if hf else None
    true_ms = true_s * 1000 if true_s is not None else None
    empty_ms = None
    cc = shutil.which("cc") or shutil.which("gcc")
    if hf and cc:
        d = tempfile.mkdtemp(prefix="cxbench-empty.")
        try:
            with open(os.path.join(d, "e.c"), "w") as f:
                f.write("int main(void) { return 0; }\n")
            exe = os.path.join(d, "empty")
            # an empty program linked with the same libraries as the binary
            if subprocess.run([cc, os.path.join(d, "e.c"), "-o", exe, "-Wl,--no-as-needed", "-lncursesw", "-ltinfo",
                               "-lcurl", "-lcrypto", "-lcjson", "-lsodium", "-lxml2", "-lm"],
                              stderr=subprocess.DEVNULL).returncode == 0:
                e = hyperfine_median(hf, exe)
                empty_ms = e * 1000 if e is not None else None
        finally:
            shutil.rmtree(d, ignore_errors=True)
    if empty_ms is not None:
        row("start-up: an empty main() linked with the wizard's libraries (control)", f"{empty_ms:.2f} ms")
    note(f"- --version is answered by the command itself (src/front.c, {len(front_libs)} shared objects: libc); "
         f"every other command line is executed by the wizard proper, certerox-aws-setup-main, which loads "
         f"{len(libs)} shared objects (ldd; libcurl brings gnutls, krb5, ldap, ssh, rtmp, idn2, psl..., libxml2 "
         f"brings ICU and libstdc++)" + (f"; /bin/true takes {true_ms:.2f} ms the same way" if true_ms else "")
         + ". The wizard's own start-up time is the dynamic loader's (see the control).")
    first_frame()


def pty_first_output(argv, env, want, timeout=5.0):
    """Runs argv on a pseudo-terminal (80x24); seconds until the output contains want (bytes)."""
    import fcntl
    import pty
    import select
    import struct
    import termios
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(argv[0], argv, env)
    t0 = time.perf_counter()
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    buf = b""
    got = None
    try:
        while time.perf_counter() - t0 < timeout:
            r, _, _ = select.select([fd], [], [], 0.05)
            if r:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                buf += chunk
                if got is None and want in buf:
                    got = time.perf_counter() - t0
                    break
    finally:
        try:
            os.kill(pid, 9)
        except OSError:
            pass
        os.waitpid(pid, 0)
        os.close(fd)
    return got, buf


def first_frame():
    """First frame: the status line ("F10 quit", drawn at the bottom of every frame) reaches the
    pseudo-terminal. The wizard runs against a sim (its discovery runs behind a progress pane)."""
    base = {"PATH": os.environ.get("PATH", ""), "TERM": "xterm-256color", "LANG": "C.UTF-8"}
    r = subprocess.run([CX_BIN], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, env=dict(base, TERM="dumb"), timeout=10)
    if "not implemented" in r.stderr:
        row("start-up: first frame of the wizard", "not measurable yet: the wizard's pages are not built in ("
            + r.stderr.strip().split(": ", 1)[-1] + ")", "< 50 ms", "not measurable yet")
        return
    sim = start_sim("--latency-ms", str(LAT), "--key-delay-ms", "0")
    home = tempfile.mkdtemp(prefix="cxbench-frame.")
    try:
        env = dict(base, HOME=home, XDG_DATA_HOME=os.path.join(home, "d"), XDG_STATE_HOME=os.path.join(home, "s"))
        env.update(sim.env)
        ts, tail = [], b""
        for _ in range(20):
            t, buf = pty_first_output([CX_BIN], env, b"F10 quit", 3.0)
            if t is None:
                tail = buf
                break
            ts.append(t)
    finally:
        sim.cleanup()
        shutil.rmtree(home, ignore_errors=True)
    if not ts:
        row("start-up: first frame of the wizard", "not measurable yet: no status line within 3 s: "
            + tail[-120:].decode("utf-8", "replace").strip(), "< 50 ms", "not measurable yet")
        return
    m = statistics.median(ts)
    row(f"start-up: first frame of the wizard (pty 80x24, median of {len(ts)}, max {max(ts) * 1000:.1f} ms)",
        f"{m * 1000:.1f} ms", "< 50 ms", met(m < 0.05))


# ---------------------------------------------------------------- memory

ARGON2_INTERACTIVE_MEM = 64 * 1024 * 1024  # crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE


def max_rss(cmd, env):
    with tempfile.NamedTemporaryFile(suffix=".rss") as t:
        r = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", t.name] + cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, env=env)
        with open(t.name) as f:
            kb = int(f.read().strip().splitlines()[-1])
    return r, kb * 1024


def bench_memory():
    if not os.access("/usr/bin/time", os.X_OK):
        row("memory: peak RSS of --batch", "not measurable yet: /usr/bin/time missing (apt-get install time)",
            "< 100 MB", "not measurable yet")
        return
    sim = start_sim("--latency-ms", str(LAT), "--key-delay-ms", "0")
    try:
        sim.client("s3").create_bucket(Bucket=BUCKET)
        w = Wizard(sim, "mem")
        ans = w.answers(ANSWERS)
        cmd = [CX_BIN, "--batch", "--answers", ans, "--passphrase-file", w.pass_file, "--vault-kdf", "interactive"]
        env = dict(os.environ)
        for k in list(env):
            if k.startswith("AWS_"):
                del env[k]
        env.update(sim.env)
        env.update(w.env())
        r, new = max_rss(cmd, env)
        if r.returncode != 0:
            row("memory: peak RSS of --batch", f"--batch failed (exit {r.returncode})", "< 100 MB", "unmet")
            note("memory: --batch stderr:\n```\n" + r.stderr[-1500:] + "\n```")
            return
        r2, again = max_rss(cmd, env)
    finally:
        sim.cleanup()
    mib = 1024 * 1024
    row("memory: peak RSS of --batch, new vault (--vault-kdf interactive)", f"{new / mib:.1f} MiB")
    row("memory: Argon2id interactive memlimit (inside that peak)", f"{ARGON2_INTERACTIVE_MEM / mib:.0f} MiB")
    ex = new - ARGON2_INTERACTIVE_MEM
    row("memory: peak RSS minus Argon2id", f"{ex / mib:.1f} MiB", "< 100 MB", met(ex < 100e6))
    row("memory: peak RSS of --batch on the existing vault (re-run)"
        + ("" if r2.returncode == 0 else f" [exit {r2.returncode}]"), f"{again / mib:.1f} MiB "
        f"({(again - ARGON2_INTERACTIVE_MEM) / mib:.1f} MiB without Argon2id)", "< 100 MB",
        met(again - ARGON2_INTERACTIVE_MEM < 100e6))


# ---------------------------------------------------------------- TUI

def bench_tui():
    import tuibench
    tuibench.run(CX_BIN, row, note, start_sim, LAT)


# ---------------------------------------------------------------- bench/run

ORDER = ["apply", "rotate", "keycheck", "vs-awscli", "tui", "startup", "memory"]


def machine():
    def first(path, key):
        try:
            with open(path) as f:
                for line in f:
                    if line.startswith(key):
                        return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return "unknown"
    ver = subprocess.run([CX_BIN, "--version"], stdout=subprocess.PIPE, text=True).stdout.splitlines()
    aws = subprocess.run(["aws", "--version"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True).stdout.strip() if shutil.which("aws") else "none"
    import moto
    return [("date (UTC)", time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())),
            ("nproc", str(os.cpu_count())),
            ("CPU", first("/proc/cpuinfo", "model name")),
            ("memory", first("/proc/meminfo", "MemTotal")),
            ("kernel", os.uname().release),
            ("load average at start", " ".join(f"{x:.2f}" for x in os.getloadavg())),
            ("binary", f"{CX_BIN} ({ver[0] if ver else '?'})"),
            ("simulated cloud", f"tests/sim/cloudsim, moto {moto.__version__}, Python {sys.version.split()[0]}, "
                                f"--latency-ms {LAT} --key-delay-ms 0 (keycheck: {KEY_DELAY_MS} + "
                                f"i x {KEY_DELAY_SPREAD_MS} / runs), handshakes charged (the sim's default "
                                f"--handshake-ms {handshake_rtts() * LAT:g}: a new connection's first answer comes "
                                f"that much later)"),
            ("aws CLI", aws.split()[0] if aws else "none")]


def table(rows):
    out = ["| figure | value | target | met? |", "| --- | --- | --- | --- |"]
    for r in rows:
        st = r["status"] if r["target"] else ""
        out.append(f"| {r['figure']} | {r['value']} | {r['target']} | {st} |".replace("\n", " "))
    return out


def run_all(o):
    mach = machine()
    rows, notes = [], []
    names = ORDER
    if o.only:
        names = [n for n in ORDER if n in o.only.split(",")]
        bad = set(o.only.split(",")) - set(ORDER)
        if bad or not names:
            sys.exit(f"bench/run --only: unknown benchmark {', '.join(sorted(bad)) or o.only} (of {', '.join(ORDER)})")
    for name in names:
        print(f"== {name}", flush=True)
        fd, path = tempfile.mkstemp(suffix=f".{name}.json")
        os.close(fd)
        try:
            cmd = [sys.executable, os.path.abspath(__file__), name, "--json", path]
            if name in ("apply", "rotate", "keycheck", "vs-awscli") and o.runs:
                cmd += ["--runs", str(o.runs)]
            subprocess.run(cmd, check=False)
            with open(path) as f:
                res = json.load(f)
        except (OSError, ValueError) as e:
            res = {"rows": [{"figure": f"{name}: benchmark crashed", "value": str(e), "target": "",
                             "status": "unmet"}], "notes": []}
        finally:
            os.unlink(path)
        rows += res["rows"]
        if res["notes"]:
            notes += [f"## {name}", ""] + res["notes"] + [""]
    tab = table(rows)
    print()
    print("\n".join(tab))
    if o.write_results:
        dest = os.path.join(HERE, "RESULTS.md")
        with open(dest + ".tmp", "w") as f:
            f.write("# Benchmark results (issue 9)\n\n")
            f.write("Generated by `bench/run --write-results`: every number below comes from that run; "
                    "do not edit by hand. See bench/README.md for what each figure means.\n\n")
            f.write("## Machine\n\n")
            for k, v in mach:
                f.write(f"- {k}: {v}\n")
            if names != ORDER:
                f.write(f"- benchmarks run: {', '.join(names)} only (`bench/run --only`); not run: "
                        f"{', '.join(n for n in ORDER if n not in names)}: a full `bench/run --write-results` "
                        f"on a quiet machine is still needed for them\n")
            f.write("\n## Figures\n\n" + "\n".join(tab) + "\n\n")
            f.write("\n".join(notes).rstrip() + "\n")
            # sections other scripts own (bench/org, bench/status) stay, in that order
            try:
                with open(dest) as old:
                    text = old.read()
            except OSError:
                text = ""
            for head in ("## Organizations (issue 16)", "## --status over 20 data sources (issue 15)"):
                if "\n" + head + "\n" in text:
                    f.write("\n" + head + "\n" + text.split("\n" + head + "\n", 1)[1].split("\n## ", 1)[0].rstrip("\n")
                            + "\n")
        os.replace(dest + ".tmp", dest)
        print(f"\nwrote {dest}")
    return 0


def main(argv):
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("name", choices=ORDER + ["run"])
    ap.add_argument("--json")
    ap.add_argument("--runs", type=int, default=None,
                    help="runs of apply, rotate and vs-awscli (default 5) and of keycheck (default 3)")
    ap.add_argument("--write-results", action="store_true")
    ap.add_argument("--only", help="bench/run: these benchmarks only, comma-separated (e.g. apply,rotate)")
    o = ap.parse_args(argv)
    if o.name == "run":
        return run_all(o)
    try:
        if o.name == "apply":
            bench_apply(o.runs or 5)
        elif o.name == "rotate":
            bench_rotate(o.runs or 5)
        elif o.name == "keycheck":
            bench_keycheck(o.runs or 3)
        elif o.name == "vs-awscli":
            bench_vs_awscli(o.runs or 5)
        elif o.name == "startup":
            bench_startup()
        elif o.name == "memory":
            bench_memory()
        elif o.name == "tui":
            bench_tui()
    except Exception as e:
        import traceback
        traceback.print_exc()
        row(f"{o.name}: benchmark failed", f"{type(e).__name__}: {str(e)[:200]}", "", "unmet")
    if o.json:
        with open(o.json, "w") as f:
            json.dump({"rows": ROWS, "notes": NOTES}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
