#!/usr/bin/env python3
"""Reliability (issue 8), the real binary against the simulated cloud:
- CerteroX down (every request from the create on answers 500, or resets the connection) ->
  exit 75, the AWS work kept (user, key in the vault, export), and a re-run once CerteroX is back
  submits without redoing any AWS write.
- Two runs on the same vault at once: the second refuses with exit 75 and the vault-in-use
  message (or waits and succeeds); the vault opens afterwards and the user has one key.
- Hostile answers (wrong types, unknown keys, oversized values, control characters, non-UTF-8,
  oversized file) -> exit 65 naming the JSON path, and no request sent.
- Hostile responses from a local HTTPS server with the sim's certificate (truncated XML, invalid
  JSON, a 100 MB body) -> a clear error, no crash, memory bounded (max RSS < 64 MB)."""

import json
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rellib  # noqa: E402
from rellib import CX_BIN, Result, Sim, Wizard, writes  # noqa: E402


# ---- 4. CerteroX down ----

def certerox_down(kind, clean):
    points, state, dt, prep = clean
    res = Result(f"CerteroX down ({kind})")
    post = [p for p in points if p["service"] == "certerox"][0]
    rule = {"service": "certerox", "operation": "*", "nth": post["nth"], "count": 100000, "fault": kind}
    sim = rellib.faulted_sim([rule], prep)
    w = None
    try:
        w, ans = rellib.prepare(sim, "cur2", f"down-{kind}")
        r = w.batch(ans, env=rellib.env_extra())
        res.check("exit 75", r.returncode == 75, f"rc={r.returncode} {r.stderr[-1000:]}")
        res.check("tells to run the same command again", "run the same command again" in r.stderr, r.stderr[-600:])
        iam = sim.client("iam")
        keys = [k["AccessKeyId"] for k in iam.list_access_keys(UserName="certerox-billing")["AccessKeyMetadata"]]
        res.check("AWS work kept: one key, in the vault", len(keys) == 1 and keys[0] in rellib.vault_keys(w),
                  str(keys))
        exps = [e["ExportName"] for e in sim.client("bcm-data-exports").list_exports()["Exports"]]
        res.check("AWS work kept: the export exists", exps == ["certerox-cur2"], str(exps))
        rellib.restart(sim)
        n0 = len(sim.requests())
        r2 = w.batch(ans, env=rellib.env_extra())
        res.check("CerteroX back: the re-run exits 0", r2.returncode == 0, r2.stderr[-1000:])
        wr = writes(sim.requests()[n0:])
        if kind == "reset":
            # a reset takes effect: CerteroX already has the data source, the re-run finds it
            res.check("the re-run writes nothing (the reset create took effect)", wr == [], str(wr))
        else:
            res.check("the re-run only submits to CerteroX (no AWS write)",
                      len(wr) == 1 and wr[0].startswith("POST ") and "cloud_accounts" in wr[0], str(wr))
        rellib.common_end(res, sim, w, r2)
        d = rellib.diff(state, rellib.snapshot(sim))
        res.check("end state of a clean run", not d, d)
        return res
    finally:
        rellib.cleanup(sim, w)


# ---- 5. concurrent runs on one vault ----

def popen_wizard(sim, w, args, extra=None):
    e = dict(os.environ)
    for k in list(e):
        if k.startswith("AWS_"):
            del e[k]
    e.update(sim.env)
    e.update(w.env(extra))
    return subprocess.Popen([CX_BIN, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=e)


def concurrent(prep):
    res = Result("concurrent runs on one vault")
    rule = {"service": "iam", "operation": "CreateUser", "nth": 1, "fault": "stall:3000"}
    sim = rellib.faulted_sim([rule], prep)
    w = None
    try:
        w, ans = rellib.prepare(sim, "cur2", "conc")
        args = ["--batch", "--answers", w.answers(ans), "--passphrase-file", w.pass_file, "--vault-kdf",
                "interactive"]
        p1 = popen_wizard(sim, w, args)
        deadline = time.time() + 20
        while time.time() < deadline and not any(q.get("operation") == "CreatePolicy" for q in sim.requests()):
            time.sleep(0.1)  # the first run is applying (CreateUser stalls 3 s)
        p2 = popen_wizard(sim, w, args)
        out2, err2 = p2.communicate(timeout=120)
        out1, err1 = p1.communicate(timeout=120)
        res.check("the first run exits 0", p1.returncode == 0, err1[-800:])
        res.check("the second run refuses with exit 75 and the vault-in-use message, or waits and exits 0",
                  (p2.returncode == 75 and "in use by another certerox-aws-setup" in err2) or p2.returncode == 0,
                  f"rc={p2.returncode} {err2[-800:]}")
        print(f"# concurrent: second run exit {p2.returncode}: {err2.strip().splitlines()[-1] if err2.strip() else ''}")
        try:
            doc = rellib.vault_doc(w)
            res.check("the vault opens (independent decryptor) and holds one data source",
                      len(doc.get("data_sources", [])) == 1, json.dumps(doc)[:200])
        except Exception as e:  # noqa: BLE001
            res.check("the vault opens (independent decryptor)", False, str(e))
        rellib.common_end(res, sim, w, None)
        return res
    finally:
        rellib.cleanup(sim, w)


# ---- 6a. hostile answers ----

HOSTILE = [
    ("wrong type", {"connection": 5}, "connection"),
    ("wrong nested type", {"connection": "root", "export": {"type": "cur2", "bucket": ["b"]}}, "export.bucket"),
    ("unknown key", {"connection": "root", "bogus": 1}, "bogus"),
    ("unknown nested key", {"connection": "root", "iam": {"user": "u", "evil": True}}, "iam.evil"),
    ("oversized value", {"connection": "root", "iam": {"user": "u" * 5000}}, "iam.user"),
    ("control character", {"connection": "root", "iam": {"user": "a\u0001b"}}, "iam.user"),
    ("escape sequence", {"connection": "root", "data_source": {"name": "x\u001b[2Jy"}}, "data_source.name"),
]


def hostile_answers(sim):
    res = Result("hostile answers")
    w = Wizard(sim, "hostile")
    try:
        cases = [(d, json.dumps(doc).encode(), path) for d, doc, path in HOSTILE]
        cases.append(("non-UTF-8", b'{"connection": "root", "iam": {"user": "a\xff\xfeb"}}', None))
        cases.append(("oversized file", b'{"connection": "root", "data_source": {"name": "' + b"n" * 200000 + b'"}}',
                      None))
        for desc, raw, path in cases:
            p = os.path.join(w.home, "hostile.json")
            with open(p, "wb") as f:
                f.write(raw)
            n0 = len(sim.requests())
            r = w.run("--batch", "--answers", p, "--passphrase-file", w.pass_file, "--vault-kdf", "interactive")
            time.sleep(0.05)
            res.check(f"{desc}: exit 65", r.returncode == 65, f"rc={r.returncode} {r.stderr[-400:]}")
            if path:
                res.check(f"{desc}: the message names {path}", path in r.stderr, r.stderr[-400:])
            else:
                res.check(f"{desc}: a one-line reason", r.stderr.strip() and len(r.stderr) < 2000, r.stderr[-400:])
            res.check(f"{desc}: nothing sent", len(sim.requests()) == n0, str(sim.requests()[n0:])[:300])
            res.check(f"{desc}: no control character echoed", "\x1b" not in r.stderr and "\x01" not in r.stderr,
                      repr(r.stderr[-200:]))
            r = w.run("--dry-run", "--answers", p)
            res.check(f"{desc}: --dry-run exits 65 too, nothing sent", r.returncode == 65 and len(sim.requests()) == n0,
                      f"rc={r.returncode}")
    finally:
        import shutil
        shutil.rmtree(w.home, ignore_errors=True)
    return res


# ---- 6b. hostile responses ----

STS_OK = (b'<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>'
          b'<Arn>arn:aws:iam::123456789012:user/a</Arn><UserId>AIDA</UserId><Account>123456789012</Account>'
          b'</GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata>'
          b'</GetCallerIdentityResponse>')
HUGE = 100 * 1024 * 1024


class Garbage(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    mode = "xml"
    seen = []

    def log_message(self, *a):
        pass

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        target = self.headers.get("X-Amz-Target") or ""
        Garbage.seen.append(target or body[:40].decode("latin-1"))
        if b"GetCallerIdentity" in body:
            if self.mode == "xml":
                return self.send(200, STS_OK[:90], "text/xml")
            if self.mode == "huge":
                return self.send_huge("text/xml")
            return self.send(200, STS_OK, "text/xml")
        if target:
            if self.mode == "json":
                return self.send(200, b'{"Organization": {"Id": "o-1", "MasterAccountId": ', "application/x-amz-json-1.1")
            if self.mode == "huge":
                return self.send_huge("application/x-amz-json-1.1")
        return self.send(500, b"<Error", "text/xml")

    do_GET = do_PUT = do_HEAD = do_POST

    def send(self, code, body, ctype):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def send_huge(self, ctype):
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(HUGE))
        self.end_headers()
        chunk = b"<a>" + b"x" * 65533
        try:
            for _ in range(HUGE // len(chunk)):
                self.wfile.write(chunk)
        except OSError:
            pass


def garbage_server(simdir, mode):
    Garbage.mode = mode
    Garbage.seen = []
    srv = ThreadingHTTPServer(("127.0.0.1", 0), type("G", (Garbage,), {"mode": mode}))
    srv.daemon_threads = True
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(simdir, "server.pem"), os.path.join(simdir, "server-key.pem"))
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


class Ran:
    pass


def run_measured(sim, w, args, extra):
    """Runs the wizard; returns (result with returncode/stdout/stderr, its peak RSS in KiB).
    With /usr/bin/time the wizard is measured alone; else wait4's figure also counts the
    forked Python image before exec, so the Python process's own peak is subtracted."""
    import resource
    import tempfile
    e = dict(os.environ)
    for k in list(e):
        if k.startswith("AWS_"):
            del e[k]
    e.update(sim.env)
    e.update(w.env(extra))
    e = {k: v for k, v in e.items() if v is not None}
    gnu_time = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r") as tf:
        cmd = [CX_BIN, *args]
        if gnu_time:
            cmd = [gnu_time, "-f", "%M", "-o", tf.name, *cmd]
        p = subprocess.Popen(cmd, stdout=out, stderr=err, env=e)
        _, status, ru = os.wait4(p.pid, 0)
        r = Ran()
        r.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        r.stdout = out.read().decode("utf-8", "replace")
        r.stderr = err.read().decode("utf-8", "replace")
        if gnu_time:
            txt = tf.read().strip().splitlines()
            rss = int(txt[-1]) if txt and txt[-1].isdigit() else -1
        else:
            rss = max(1, ru.ru_maxrss - resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    return r, rss


def hostile_responses(sim):
    res = Result("hostile responses")
    w = Wizard(sim, "garbage")
    ans = w.answers(rellib.answers("cur2"))
    try:
        for mode, what in (("xml", "truncated XML"), ("json", "invalid JSON"), ("huge", "a 100 MB body")):
            srv = garbage_server(sim.dir, mode)
            port = srv.server_address[1]
            t0 = time.time()
            env = {"AWS_ENDPOINT_URL": f"https://127.0.0.1:{port}", "CERTEROX_URL": None}
            r, maxrss = run_measured(sim, w, ["--dry-run", "--answers", ans], env)
            srv.shutdown()
            srv.server_close()
            res.check(f"{what}: fails cleanly (exit 65/69/70/75, no signal)", r.returncode in (65, 69, 70, 75),
                      f"rc={r.returncode} {r.stderr[-500:]}")
            first = (r.stderr.strip().splitlines() or [""])[-1]
            res.check(f"{what}: a clear one-line error", first.startswith("certerox-aws-setup:") and len(first) < 1500,
                      r.stderr[-500:])
            print(f"# {what}: exit {r.returncode} in {time.time() - t0:.1f}s: {first[:200]}")
            res.check(f"{what}: memory bounded (max RSS of the wizard < 64 MB)", 0 < maxrss < 64 * 1024,
                      f"maxrss {maxrss} KiB")
            res.check(f"{what}: the garbage server was asked", len(Garbage.seen) > 0, str(Garbage.seen))
    finally:
        import shutil
        shutil.rmtree(w.home, ignore_errors=True)
    return res


def main():
    t0 = time.time()
    clean = rellib.clean_run("cur2")
    points, state, dt, prep = clean
    sim = Sim().start()
    try:
        rellib.report([hostile_answers(sim), hostile_responses(sim)])
    finally:
        sim.cleanup()
    rellib.report(rellib.parallel(lambda f: f[0](*f[1:]),
                                  [((certerox_down, "server_error", clean),), ((certerox_down, "reset", clean),),
                                   ((concurrent, prep),)]))
    print(f"# misc: {time.time() - t0:.0f}s")
    return rellib.summary("reliability misc")


if __name__ == "__main__":
    sys.exit(main())
