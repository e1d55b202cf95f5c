#!/usr/bin/env python3
"""bench/org: the `organization` action (issue 16) against the sim with 50 ms latency, for
N = 1, 5, 20, 50 member accounts (access role, max_parallel 8, fresh sim and vault per run).

Per N: W = wall time of --batch (median of --runs), the wizard's peak RSS (wait4 ru_maxrss),
the requests per member (its AssumeRole, the IAM calls signed with its session, its CerteroX
submission: min and max over the members, from the sim's request log), the connections the
wizard opened per host (AWS, CerteroX). Then W(20)/W(1) (target <= 3) and the memory slope
((RSS(50) - RSS(1)) / 49, target < 200 KB per account). --write-results writes the section
"## Organizations (issue 16)" of bench/RESULTS.md from the run (never edit its numbers): it
replaces that section only (up to the next "## " heading), or adds it before bench/status's
section (which bench/status_bench.py keeps last), so bench/run's and bench/status's sections
stay as they are."""

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
CLOUDSIM = os.path.join(TOP, "tests", "sim", "cloudsim")
CX_BIN = os.environ.get("CX_BIN") or (os.path.abspath("src/certerox-aws-setup") if os.path.exists(
    "src/certerox-aws-setup") else os.path.join(TOP, "src", "certerox-aws-setup"))
LAT = int(os.environ.get("BENCH_LATENCY_MS", "50"))
PASS = "correct-Horse-battery-staple-91"


def read_env(d):
    out = subprocess.run(["sh", "-c", f". '{d}/env' && env -0"], stdout=subprocess.PIPE,
                         env={"PATH": os.environ.get("PATH", "")}).stdout
    return dict(x.decode().split("=", 1) for x in out.split(b"\0") if b"=" in x)


def one_run(n):
    base = tempfile.mkdtemp(prefix="orgbench.")
    sim = os.path.join(base, "sim")
    try:
        subprocess.run(["sh", CLOUDSIM, "start", sim, "--latency-ms", str(LAT), "--member-accounts", str(n)],
                       check=True, stdout=subprocess.DEVNULL)
        env = dict(os.environ)
        for k in list(env):
            if k.startswith("AWS_") or k.startswith("CERTEROX_"):
                del env[k]
        env.update(read_env(sim))
        env.update({"XDG_DATA_HOME": os.path.join(base, "data"), "XDG_STATE_HOME": os.path.join(base, "state"),
                    "HOME": base})
        pf = os.path.join(base, "pass")
        with open(pf, "w") as f:
            f.write(PASS + "\n")
        os.chmod(pf, 0o600)
        members = [f"{400000000000 + i:012d}" for i in range(1, n + 1)]
        ans = os.path.join(base, "a.json")
        with open(ans, "w") as f:
            json.dump({"action": "organization", "organization": {"accounts": members, "access": "role",
                                                                  "max_parallel": 8}}, f)
        try:
            with open(os.path.join(sim, "requests.jsonl")) as f:
                skip = sum(1 for _ in f)
        except FileNotFoundError:
            skip = 0
        t0 = time.monotonic()
        p = subprocess.Popen([CX_BIN, "--batch", "--answers", ans, "--passphrase-file", pf, "--vault-kdf",
                              "interactive", "--certerox-url", env["CERTEROX_URL"]],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        out, err = p.communicate()
        w = time.monotonic() - t0
        # communicate() reaped it: its rusage via the children's maximum is shared; use wait4 data
        rss_kb = p_rss(p)
        if p.returncode != 0:
            raise RuntimeError(f"exit {p.returncode}: {err.decode()[-800:]}")
        with open(os.path.join(sim, "requests.jsonl")) as f:
            reqs = [json.loads(x) for x in list(f)[skip:]]
        admin = env["AWS_ACCESS_KEY_ID"]
        # the wizard's member sessions: ASIA keys that signed IAM calls
        sess = {}
        for r in reqs:
            k = r.get("access_key_id") or ""
            if k.startswith("ASIA") and r["service"] == "iam":
                sess.setdefault(k, 0)
                sess[k] += 1
        per = [c + 2 for c in sess.values()]  # + its AssumeRole + its CerteroX submission
        wiz = [r for r in reqs if r["service"] == "certerox" or r.get("access_key_id") == admin
               or (r.get("access_key_id") or "") in sess]
        conns = {"aws": len({r["connection"] for r in wiz if r["service"] != "certerox"}),
                 "certerox": len({r["connection"] for r in wiz if r["service"] == "certerox"})}
        return {"w": w, "rss_kb": rss_kb, "per_min": min(per) if per else 0, "per_max": max(per) if per else 0,
                "sessions": len(sess), "conns": conns, "requests": len(wiz)}
    finally:
        subprocess.run(["sh", CLOUDSIM, "stop", sim], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(base, ignore_errors=True)


_RUSAGE = {}


def p_rss(p):
    return _RUSAGE.get(p.pid, 0)


_orig_wait = subprocess.Popen._try_wait


def _try_wait(self, wait_flags):
    """Popen's wait through os.wait4, keeping the child's peak RSS (KB on Linux)."""
    try:
        pid, sts, ru = os.wait4(self.pid, wait_flags)
    except ChildProcessError:
        pid, sts = self.pid, 0
    else:
        if pid == self.pid:
            _RUSAGE[pid] = ru.ru_maxrss
    return pid, sts


subprocess.Popen._try_wait = _try_wait


HEAD = "## Organizations (issue 16)"
STATUS_HEAD = "## --status over 20 data sources (issue 15)"


def policy_chars(path):
    """A policy document's size as IAM counts it (no white space)."""
    with open(path) as f:
        return len("".join(json.dumps(json.load(f), separators=(",", ":")).split()))


def section(rows, sizes, runs, ratio, slope):
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    disc = policy_chars(os.path.join(TOP, "data", "policies", "discover.json"))
    out = [f"`bench/org --write-results`, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
           f"{platform.machine()}, {os.cpu_count()} CPUs (load average {load}), latency {LAT} ms, "
           f"median of {runs} runs, access role, max_parallel 8, a fresh sim and vault per run:", "",
           "| N members | W (s) | W(N)/W(1) | peak RSS (KB) | requests per member | "
           "connections AWS / CerteroX | wizard requests |",
           "| --- | --- | --- | --- | --- | --- | --- |"]
    for n in sizes:
        r = rows[n]
        out.append(f"| {n} | {r['w']:.2f} | {r['w'] / rows[1]['w']:.2f} | {r['rss_kb']} | "
                   f"{r['per_min']}..{r['per_max']} | {r['conns']['aws']} / {r['conns']['certerox']} | "
                   f"{r['requests']} |")
    out += ["", f"W(20)/W(1) = {ratio:.2f} (target <= 3: {'met' if ratio <= 3 else 'unmet'}); memory per "
            f"account (RSS(50) - RSS(1)) / 49 = {slope:.1f} KB (target < 200: {'met' if slope < 200 else 'unmet'}). "
            "The requests per member are constant (its AssumeRole, the role's reads and writes, its CerteroX "
            "submission); the connections per host stay at max_parallel; the peak RSS is mostly the vault's "
            "Argon2id (64 MB at --vault-kdf interactive).", "",
            "Where real AWS would bind, not this machine. AWS's published IAM and STS quotas (IAM User "
            "Guide, \"IAM and AWS STS quotas\") are sizes and counts; the request rates of IAM and STS "
            "are enforced per account of the calling credentials, are not published as numbers there and "
            "cannot be raised (AWS re:Post Knowledge Center, \"IAM and STS API throttling or rate exceeded "
            "errors\": back off and retry, reuse assumed-role credentials). In role access each member's "
            "IAM writes (CreateRole, PutRolePolicy, each read before) are signed by the role assumed in "
            "that member, so they count against that member's own IAM rate, one account at a time: they do "
            "not add up with N. What adds up with N is the management account: one AssumeRole per member "
            "by the wizard (its OrganizationAccountAccessRole session), one by CerteroX's check of each new "
            "data source, and later one per data source at every import, the last two with the management "
            "user's key, all against the management account's STS rate; the wizard keeps at most max_parallel (8) in flight and retries "
            "Throttling with backoff. Organizations ListAccounts returns at most 20 accounts per page "
            "(MaxResults 1..20 in the service model), so N/20 sequential pages come first (50 round trips "
            "for 1,000 accounts). Sizes: a role's inline policies may total 10,240 characters and a user's "
            f"2,048 (white space not counted); the Discover Resources policy is {disc} characters, so both "
            "access modes fit; a trust policy may be 2,048 characters (ours names one user). User access "
            "instead makes one IAM user and key per member (IAM allows 2 keys per user), each saved in the "
            "vault at once, and puts no load on the management account's STS beyond the AssumeRole per "
            "member."]
    return out


def write_section(lines):
    path = os.path.join(HERE, "RESULTS.md")
    with open(path) as f:
        text = f.read()
    body = HEAD + "\n\n" + "\n".join(lines) + "\n"
    start = text.find("\n" + HEAD + "\n")
    if start >= 0:
        nxt = text.find("\n## ", start + len(HEAD) + 2)
        text = text[:start + 1] + body + ("\n" + text[nxt + 1:] if nxt >= 0 else "")
    else:
        at = text.find("\n" + STATUS_HEAD + "\n")
        if at >= 0:
            text = text[:at + 1] + body + "\n" + text[at + 1:]
        else:
            text = text.rstrip("\n") + "\n\n" + body
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.replace(path + ".tmp", path)
    print(f"wrote the section {HEAD!r} of {path}")


def main():
    runs = 3
    if "--runs" in sys.argv:
        runs = int(sys.argv[sys.argv.index("--runs") + 1])
    sizes = [1, 5, 20, 50]
    rows = {}
    for n in sizes:
        rs = [one_run(n) for _ in range(runs)]
        rows[n] = {"w": statistics.median(r["w"] for r in rs), "rss_kb": max(r["rss_kb"] for r in rs),
                   "per_min": min(r["per_min"] for r in rs), "per_max": max(r["per_max"] for r in rs),
                   "sessions": rs[0]["sessions"], "conns": rs[0]["conns"], "requests": rs[0]["requests"]}
        r = rows[n]
        print(f"N={n:3d}  W={r['w']:.2f} s  RSS={r['rss_kb']} KB  requests/member={r['per_min']}..{r['per_max']}"
              f"  member sessions={r['sessions']}  connections aws={r['conns']['aws']}"
              f" certerox={r['conns']['certerox']}  wizard requests={r['requests']}", flush=True)
    ratio = rows[20]["w"] / rows[1]["w"]
    slope = (rows[50]["rss_kb"] - rows[1]["rss_kb"]) / 49.0
    print(f"W(20)/W(1) = {ratio:.2f} (target <= 3)")
    print(f"memory per account = {slope:.1f} KB (target < 200)")
    if "--write-results" in sys.argv:
        write_section(section(rows, sizes, runs, ratio, slope))
    return 0 if ratio <= 3 and slope < 200 else 1


if __name__ == "__main__":
    sys.exit(main())
