#!/usr/bin/env python3
"""Reliability (issue 8), secrets end to end, the real binary against the simulated cloud.

Known values: the administrator's secret key and the temporary secret key and session token of
an assumed role (the main run uses them: AWS_SESSION_TOKEN is signed and never shown), a made-up
session token the sim refuses (exit 77, still nowhere), the CerteroX
token and password, the vault passphrase, and the new secret key (read back from the vault by the
independent decryptor). None appears in stdout, stderr, the --log file, the journal and state
directory, the plan (--dry-run, json and awscli), or the argv of any process (every
/proc/*/cmdline polled while the runs execute); the new secret is at rest only in the vault,
encrypted. Files: vault 0600 in a 0700 directory, state directory 0700 and its files 0600, under
umask 000 and 077. Core dumps off: /proc/PID/limits of a running wizard shows a core size of 0;
secret memory is locked (VmLck > 0 in /proc/PID/status) where the OS allows it.
TLS: a wrong CA fails before any request reaches the server; http:// to a non-loopback host is
refused; a host name not in the certificate (127.0.0.2 forwarded to the sim) fails."""

import json
import os
import socket
import stat
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rellib  # noqa: E402
from rellib import Result, Sim, Wizard  # noqa: E402
from flowlib import PASSPHRASE  # noqa: E402

SESSION_TOKEN = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN0123456789abcdefKNOWNVALUE"


class ProcWatch:
    """Polls /proc/*/cmdline (and the wizard's limits) until stopped."""

    def __init__(self):
        self.cmdlines = set()
        self.core_limits = {}
        self.locked_kb = {}  # pid -> largest VmLck seen (secrets live in mlock'ed sodium memory)
        self.stop = False
        self.t = threading.Thread(target=self.loop, daemon=True)
        self.t.start()

    def loop(self):
        while not self.stop:
            for pid in os.listdir("/proc"):
                if not pid.isdigit():
                    continue
                try:
                    with open(f"/proc/{pid}/cmdline", "rb") as f:
                        cl = f.read()
                except OSError:
                    continue
                self.cmdlines.add(cl)
                if cl.split(b"\0")[0].endswith(b"certerox-aws-setup") and pid not in self.core_limits:
                    try:
                        with open(f"/proc/{pid}/limits") as f:
                            for ln in f:
                                if ln.startswith("Max core file size"):
                                    self.core_limits[pid] = ln.split()[4]
                    except OSError:
                        pass
                if cl.split(b"\0")[0].endswith(b"certerox-aws-setup"):
                    try:
                        with open(f"/proc/{pid}/status") as f:
                            for ln in f:
                                if ln.startswith("VmLck:"):
                                    kb = int(ln.split()[1])
                                    self.locked_kb[pid] = max(kb, self.locked_kb.get(pid, 0))
                    except (OSError, ValueError):
                        pass
            time.sleep(0.02)

    def done(self):
        self.stop = True
        self.t.join()


def tree_text(root, skip=()):
    out = []
    for d, _, files in os.walk(root):
        for fn in files:
            p = os.path.join(d, fn)
            if p in skip:
                continue
            try:
                with open(p, "rb") as f:
                    out.append(f.read())
            except OSError:
                pass
    return b"\n".join(out)


def modes(res, w, label):
    st = os.stat(w.vault)
    res.check(f"{label}: vault 0600", stat.S_IMODE(st.st_mode) == 0o600, oct(st.st_mode))
    res.check(f"{label}: vault directory 0700", stat.S_IMODE(os.stat(os.path.dirname(w.vault)).st_mode) == 0o700)
    bad = []
    for d, dirs, files in os.walk(w.state):
        if stat.S_IMODE(os.stat(d).st_mode) != 0o700:
            bad.append(f"{d} {oct(os.stat(d).st_mode)}")
        for fn in files:
            m = stat.S_IMODE(os.stat(os.path.join(d, fn)).st_mode)
            if m != 0o600:
                bad.append(f"{fn} {oct(m)}")
    nfiles = sum(len(f) for _, _, f in os.walk(w.state))
    res.check(f"{label}: state directory 0700 and its {nfiles} files 0600", not bad and nfiles > 0, str(bad))


def assumed_role_credentials(sim):
    """Temporary credentials with a session token, as an administrator gets from SSO or
    AssumeRole: a role with an allow-all policy, trusted by the sim's administrator."""
    iam = sim.client("iam")
    name = "cx-secrets-admin"
    try:
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:user/cloudsim-admin"},
                "Action": "sts:AssumeRole"}]}))
        iam.put_role_policy(RoleName=name, PolicyName="all", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
    except iam.exceptions.EntityAlreadyExistsException:
        pass
    c = sim.client("sts").assume_role(RoleArn=f"arn:aws:iam::123456789012:role/{name}",
                                      RoleSessionName="secrets")["Credentials"]
    return {"AWS_ACCESS_KEY_ID": c["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": c["SecretAccessKey"],
            "AWS_SESSION_TOKEN": c["SessionToken"]}


def secrets_run(umask):
    res = Result(f"secrets, umask {umask:03o}")
    rule = {"service": "bcm-data-exports", "operation": "CreateExport", "nth": 1, "fault": "stall:1500"}
    sim = rellib.faulted_sim([rule], {})
    w = None
    try:
        w, ans = rellib.prepare(sim, "cur2", f"sec{umask:o}")
        log = os.path.join(w.home, "run.log")
        known = {"administrator secret key": sim.env["AWS_SECRET_ACCESS_KEY"],
                 "CerteroX token": sim.env["CERTEROX_TOKEN"], "CerteroX password": sim.env["CERTEROX_PASSWORD"],
                 "vault passphrase": PASSPHRASE}
        watch = ProcWatch()
        outs = []
        try:
            for fmt in ("json", "awscli"):
                p = rellib.spawn(sim, w, ["--dry-run", "--format", fmt, "--answers", w.answers(ans)], umask=umask)
                o, e = p.communicate(timeout=60)
                res.check(f"--dry-run --format {fmt} exits 0", p.returncode == 0, e[-500:])
                outs += [o, e]
            temp = assumed_role_credentials(sim)
            known["temporary secret key"] = temp["AWS_SECRET_ACCESS_KEY"]
            known["session token of the administrator"] = temp["AWS_SESSION_TOKEN"]
            env = dict(rellib.env_extra())
            env.update(temp)
            p = rellib.spawn(sim, w, ["--batch", "--answers", w.answers(ans), "--passphrase-file", w.pass_file,
                                      "--vault-kdf", "interactive", "--log", log], env, umask=umask)
            o, e = p.communicate(timeout=120)
            outs += [o, e]
            res.check("the run with a session token (assumed role) exits 0", p.returncode == 0, e[-800:])
            # a session token the sim refuses: exit 77, and the token nowhere
            p = rellib.spawn(sim, w, ["--batch", "--answers", w.answers(ans), "--passphrase-file", w.pass_file,
                                      "--log", log + ".token"], {"AWS_SESSION_TOKEN": SESSION_TOKEN}, umask=umask)
            o2, e2 = p.communicate(timeout=120)
            res.check("with a session token the sim refuses: exit 77", p.returncode == 77, f"rc={p.returncode} {e2[-400:]}")
            outs += [o2, e2]
        finally:
            watch.done()
        known["session token"] = SESSION_TOKEN
        doc = rellib.vault_doc(w)
        new = [d.get("secret_access_key") for d in doc.get("data_sources", []) if d.get("secret_access_key")]
        if res.check("the vault holds the new secret", len(new) == 1, str(len(new))):
            known["new secret key"] = new[0]
        res.check("core dumps disabled: Max core file size 0 in /proc/PID/limits of the running wizard",
                  watch.core_limits and all(v == "0" for v in watch.core_limits.values()), str(watch.core_limits))
        import resource
        soft, _ = resource.getrlimit(resource.RLIMIT_MEMLOCK)
        with open(rellib.CX_BIN, "rb") as f:
            asan = b"__asan_init" in f.read()
        if asan:
            # AddressSanitizer replaces mlock() with a no-op ("mlock is not supported"): nothing to see
            print("# built with AddressSanitizer, whose mlock() does nothing: VmLck not checked")
        elif os.geteuid() == 0 or soft == resource.RLIM_INFINITY or soft >= 64 * 1024:
            res.check("secret memory is locked: VmLck > 0 in /proc/PID/status of the running wizard",
                      watch.locked_kb and max(watch.locked_kb.values()) > 0, str(watch.locked_kb))
        else:
            print(f"# RLIMIT_MEMLOCK is {soft} bytes: the OS does not allow locking, not checked")
        at_rest = tree_text(w.home, skip=(w.vault, w.pass_file))
        with open(w.vault, "rb") as f:
            vault_raw = f.read()
        argv = b"\n".join(watch.cmdlines)
        streams = "\n".join(outs)
        print(f"# {res.name}: {len(watch.cmdlines)} distinct command lines seen, {len(at_rest)} bytes at rest")
        for what, val in known.items():
            b = val.encode()
            res.check(f"{what}: not in stdout/stderr/plan", val not in streams)
            res.check(f"{what}: not in the log, journal or state files", b not in at_rest)
            res.check(f"{what}: not in any process's argv", b not in argv)
            res.check(f"{what}: not in the vault file in clear", b not in vault_raw)
        res.check("the --log file was written", os.path.getsize(log) > 0)
        modes(res, w, f"umask {umask:03o}")
        return res
    finally:
        rellib.cleanup(sim, w)


class Forward:
    """127.0.0.2:port -> 127.0.0.1:target, raw TCP (so TLS sees the name 127.0.0.2)."""

    def __init__(self, target):
        self.s = socket.socket()
        self.s.bind(("127.0.0.2", 0))
        self.s.listen(8)
        self.port = self.s.getsockname()[1]
        self.target = target
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                c, _ = self.s.accept()
            except OSError:
                return
            u = socket.create_connection(("127.0.0.1", self.target))
            for a, b in ((c, u), (u, c)):
                threading.Thread(target=self.pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def pipe(a, b):
        try:
            while True:
                d = a.recv(65536)
                if not d:
                    break
                b.sendall(d)
        except OSError:
            pass
        finally:
            for x in (a, b):
                try:
                    x.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


def tls():
    res = Result("TLS")
    sim = Sim().start()
    w = Wizard(sim, "tls")
    try:
        ans = w.answers(rellib.answers("cur2"))
        aws_port, _ = sim.ports()
        cases = []
        other_ca = "/etc/ssl/certs/ca-certificates.crt" if os.path.exists("/etc/ssl/certs/ca-certificates.crt") \
            else os.path.join(sim.dir, "server.pem")
        cases.append(("a wrong CA", {"AWS_CA_BUNDLE": other_ca}, ()))
        try:
            fw = Forward(aws_port)
            cases.append(("a host name not in the certificate (127.0.0.2)", {}, ("--endpoint-url", f"https://127.0.0.2:{fw.port}")))
        except OSError as e:
            print(f"# 127.0.0.2 not bindable ({e}): host name case left out")
        for desc, env, args in cases:
            n0 = len(sim.requests())
            t0 = time.time()
            r = w.run("--dry-run", "--answers", ans, *args, env=dict(env, CERTEROX_URL=None))
            res.check(f"{desc}: fails (exit 69)", r.returncode == 69, f"rc={r.returncode} {r.stderr[-400:]}")
            res.check(f"{desc}: says it is a TLS/certificate problem",
                      any(k in r.stderr.lower() for k in ("certificate", "tls", "ssl")), r.stderr[-400:])
            time.sleep(0.2)
            res.check(f"{desc}: no request reached the server", len(sim.requests()) == n0, str(sim.requests()[n0:])[:300])
            print(f"# {desc}: exit {r.returncode} in {time.time() - t0:.1f}s")
        n0 = len(sim.requests())
        t0 = time.time()
        r = w.run("--dry-run", "--answers", ans, "--endpoint-url", "http://192.0.2.10:8080",
                  env={"CERTEROX_URL": None})
        res.check("http:// to a non-loopback host: refused (exit 64/65) at once", r.returncode in (64, 65) and
                  time.time() - t0 < 5, f"rc={r.returncode} {time.time() - t0:.1f}s {r.stderr[-300:]}")
        res.check("http:// to a non-loopback host: the message says why", "http" in r.stderr.lower(), r.stderr[-300:])
        res.check("http:// to a non-loopback host: nothing sent", len(sim.requests()) == n0)
    finally:
        import shutil
        shutil.rmtree(w.home, ignore_errors=True)
        sim.cleanup()
    return res


def main():
    t0 = time.time()
    rellib.report(rellib.parallel(lambda f: f[0](*f[1:]), [((secrets_run, 0o000),), ((secrets_run, 0o077),), ((tls,),)]))
    print(f"# secrets: {time.time() - t0:.0f}s")
    return rellib.summary("secrets")


if __name__ == "__main__":
    sys.exit(main())
