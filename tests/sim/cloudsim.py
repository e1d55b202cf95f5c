#!/usr/bin/env python3
"""cloudsim: the local simulated cloud (AWS through moto + Data Exports/CUR, and CerteroX).

Usage:
  cloudsim start DIR [--latency-ms N] [--faults FILE] [--key-delay-ms N] [--policy-delay-ms N] [--handshake-ms N] [--no-tls]
                     [--organizations N] [--certerox-version YYYY-MM] [--member-accounts N]
                     [--exports-page N]
  cloudsim stop DIR
  cloudsim deliver DIR [--fail BILL_OWNER_CHANGED|INTERNAL_FAILURE]
  cloudsim import DIR
  cloudsim status DIR

See tests/sim/README.md.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
import ssl

HERE = os.path.dirname(os.path.abspath(__file__))

MANAGEMENT_ACCOUNT = "123456789012"
MEMBER_ACCOUNT = "234567890123"
STANDALONE_ACCOUNT = "345678901234"
REGION = "us-east-1"


def die(msg, code=1):
    sys.stderr.write(f"cloudsim: {msg}\n")
    sys.exit(code)


def read_json(path, default=None):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return default


def write_json_atomic(path, obj):
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=1, sort_keys=True)
    os.replace(tmp, path)


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie child of ours counts as dead
    try:
        with open(f"/proc/{pid}/stat") as f:
            if f.read().split(") ", 1)[1].startswith("Z"):
                return False
    except OSError:
        pass
    return True


def read_pid(d):
    try:
        with open(os.path.join(d, "pid")) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


# ---------------------------------------------------------------------------
# TLS material (openssl CLI)


def make_certs(d):
    ca_key, ca, key, cert = (os.path.join(d, n) for n in ("ca-key.pem", "ca.pem", "server-key.pem", "server.pem"))
    if all(os.path.exists(p) for p in (ca, key, cert)):
        return ca, cert, key

    def run(*args):
        r = subprocess.run(["openssl", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if r.returncode != 0:
            die("openssl failed: " + r.stderr.decode(errors="replace").strip())

    ext = os.path.join(d, "server-ext.cnf")
    with open(ext, "w") as f:
        f.write("basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n")
    run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", ca_key, "-out", ca, "-days", "3650", "-subj", "/CN=cloudsim throwaway CA",
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    csr = os.path.join(d, "server.csr")
    run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key,
        "-out", csr, "-subj", "/CN=127.0.0.1")
    run("x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-out", cert,
        "-days", "825", "-extfile", ext)
    for p in (csr, ext):
        os.unlink(p)
    os.chmod(ca_key, 0o600)
    os.chmod(key, 0o600)
    return ca, cert, key


# ---------------------------------------------------------------------------
# Commands


def env_text(d, info):
    acc = info["accounts"]
    m, mem, st = acc["management"], acc["member"], acc["standalone"]
    cx = info["certerox"]
    lines = [
        "# cloudsim environment: . this file",
        "unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_SECURITY_TOKEN",
        "unset AWS_ENDPOINT_URL_IAM AWS_ENDPOINT_URL_STS AWS_ENDPOINT_URL_S3 AWS_ENDPOINT_URL_EC2",
        "unset AWS_ENDPOINT_URL_ORGANIZATIONS AWS_ENDPOINT_URL_BCM_DATA_EXPORTS "
        "AWS_ENDPOINT_URL_COST_AND_USAGE_REPORT_SERVICE",
    ]
    kv = [
        ("CLOUDSIM_DIR", d),
        ("AWS_ENDPOINT_URL", info["aws_url"]),
        ("AWS_CA_BUNDLE", info["ca_bundle"]),
        ("AWS_CONFIG_FILE", os.path.join(d, "aws-config")),
        ("AWS_SHARED_CREDENTIALS_FILE", os.path.join(d, "aws-credentials")),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("AWS_REGION", REGION),
        ("AWS_DEFAULT_REGION", REGION),
        ("AWS_ACCOUNT_ID", m["account_id"]),
        ("AWS_ACCESS_KEY_ID", m["access_key_id"]),
        ("AWS_SECRET_ACCESS_KEY", m["secret_access_key"]),
        ("MEMBER_AWS_ACCOUNT_ID", mem["account_id"]),
        ("MEMBER_AWS_ACCESS_KEY_ID", mem["access_key_id"]),
        ("MEMBER_AWS_SECRET_ACCESS_KEY", mem["secret_access_key"]),
        ("STANDALONE_AWS_ACCOUNT_ID", st["account_id"]),
        ("STANDALONE_AWS_ACCESS_KEY_ID", st["access_key_id"]),
        ("STANDALONE_AWS_SECRET_ACCESS_KEY", st["secret_access_key"]),
        ("CERTEROX_URL", info["certerox_url"]),
        ("CERTEROX_TOKEN", cx["token"]),
        ("CERTEROX_ORGANIZATION_ID", cx["organization_id"]),
        ("CERTEROX_EMAIL", cx["email"]),
        ("CERTEROX_PASSWORD", cx["password"]),
        ("CERTEROX_VIEWER_TOKEN", cx.get("viewer_token") or ""),
    ]
    if not info["ca_bundle"]:  # --no-tls
        kv = [(k, v) for k, v in kv if k != "AWS_CA_BUNDLE"]
        lines.append("unset AWS_CA_BUNDLE")
    for k, v in kv:
        lines.append("export %s='%s'" % (k, str(v).replace("'", "'\\''")))
    return "\n".join(lines) + "\n"


def cmd_start(a):
    d = os.path.abspath(a.dir)
    os.makedirs(d, exist_ok=True)
    pid = read_pid(d)
    if pid and pid_alive(pid):
        die(f"already running in {d} (pid {pid}); run: cloudsim stop {d}")
    if a.certerox_version is not None and not (len(a.certerox_version) == 7 and a.certerox_version[4] == "-" and
                                               a.certerox_version.replace("-", "", 1).isdigit() and
                                               "01" <= a.certerox_version[5:] <= "12"):
        die(f"--certerox-version {a.certerox_version}: expected YYYY-MM")
    if a.faults:
        try:
            with open(a.faults) as f:
                rules = json.load(f)
            if not isinstance(rules, list):
                raise ValueError("not a JSON list")
        except (OSError, ValueError) as e:
            die(f"--faults {a.faults}: {e}")
    for n in ("ready", "pid"):
        try:
            os.unlink(os.path.join(d, n))
        except FileNotFoundError:
            pass
    for n in ("aws-config", "aws-credentials"):
        open(os.path.join(d, n), "a").close()
    if not a.no_tls:
        make_certs(d)
    opts = {"latency_ms": a.latency_ms, "key_delay_ms": a.key_delay_ms, "tls": not a.no_tls,
            "faults": os.path.abspath(a.faults) if a.faults else None,
            "organizations": max(1, a.organizations), "policy_delay_ms": a.policy_delay_ms,
            "handshake_ms": a.handshake_ms, "certerox_version": a.certerox_version,
            "member_accounts": max(0, a.member_accounts), "exports_page": a.exports_page}
    write_json_atomic(os.path.join(d, "options.json"), opts)
    log = open(os.path.join(d, "server.log"), "ab")
    env = dict(os.environ)
    env["INITIAL_NO_AUTH_ACTION_COUNT"] = "0"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.pop("AWS_PROFILE", None)
    env.pop("MOTO_IAM_LOAD_MANAGED_POLICIES", None)
    p = subprocess.Popen([sys.executable, os.path.join(HERE, "simserver.py"), d], stdin=subprocess.DEVNULL,
                         stdout=log, stderr=log, start_new_session=True, close_fds=True, env=env, cwd=d)
    log.close()
    t0 = time.time()
    ready = os.path.join(d, "ready")
    while not os.path.exists(ready):
        if p.poll() is not None:
            tail = open(os.path.join(d, "server.log"), errors="replace").read()[-3000:]
            die(f"server exited with status {p.returncode}; server.log:\n{tail}")
        if time.time() - t0 > 20:
            p.kill()
            die("server not ready after 20 s")
        time.sleep(0.02)
    info = read_json(ready)
    with open(os.path.join(d, "env.tmp"), "w") as f:
        f.write(env_text(d, info))
    os.replace(os.path.join(d, "env.tmp"), os.path.join(d, "env"))
    print(f"cloudsim: ready in {time.time() - t0:.2f}s: AWS {info['aws_url']}  CerteroX {info['certerox_url']}")
    print(f"cloudsim: . {os.path.join(d, 'env')}")


def cmd_stop(a):
    d = os.path.abspath(a.dir)
    pid = read_pid(d)
    if not pid or not pid_alive(pid):
        print("cloudsim: not running")
        for n in ("ready", "pid"):
            try:
                os.unlink(os.path.join(d, n))
            except FileNotFoundError:
                pass
        return
    logp = os.path.join(d, "server.log")
    try:
        log0 = os.path.getsize(logp)
    except OSError:
        log0 = 0
    os.kill(pid, signal.SIGTERM)
    t0 = time.time()
    killed = False
    while pid_alive(pid):
        if time.time() - t0 > 10:
            os.kill(pid, signal.SIGKILL)
            killed = True
            time.sleep(0.1)
            break
        time.sleep(0.02)
    for n in ("ready", "pid"):
        try:
            os.unlink(os.path.join(d, n))
        except FileNotFoundError:
            pass
    # The state is saved as the server stops: a server that had to be killed, or that could not
    # save, lost what changed since its last save. Said, with the exit status, so that a test
    # restarting the sim fails there and not later on a resource that seems to have vanished.
    try:
        with open(logp, errors="replace") as f:
            f.seek(log0)
            said = f.read()
    except OSError:
        said = ""
    if killed or "state not saved" in said:
        die(("did not stop within 10 s and was killed" if killed else "the server could not save its state")
            + f"; what changed since its last save is lost. server.log since the stop:\n{said[-3000:]}")
    print("cloudsim: stopped")


def control(d, what, body=None):
    info = read_json(os.path.join(d, "ready"))
    pid = read_pid(d)
    if not info or not pid or not pid_alive(pid):
        die(f"not running in {d}")
    tok = open(os.path.join(d, "control-token")).read().strip()
    req = urllib.request.Request(info["aws_url"] + "/__cloudsim/" + what, data=json.dumps(body or {}).encode(),
                                 method="POST",
                                 headers={"X-Cloudsim-Control": tok})
    ctx = ssl.create_default_context(cafile=info["ca_bundle"]) if info["aws_url"].startswith("https") else None
    with urllib.request.urlopen(req, context=ctx, timeout=30) as r:
        return json.loads(r.read())


def cmd_deliver(a):
    d = os.path.abspath(a.dir)
    res = control(d, "deliver", {"fail": a.fail} if getattr(a, "fail", None) else None)
    for line in res.get("delivered", []):
        print("delivered:", line)
    for line in res.get("failed", []):
        print("not delivered:", line)
    if not res.get("delivered") and not res.get("failed"):
        print("cloudsim: no export or report to deliver")


def cmd_import(a):
    """CerteroX's report import of every AWS data source with its own key (see cximport.py)."""
    res = control(os.path.abspath(a.dir), "import")
    for line in res.get("imported", []):
        print("imported:", line)
    for line in res.get("failed", []):
        print("import failed:", line)
    if not res.get("imported") and not res.get("failed"):
        print("cloudsim: no AWS data source to import")


def cmd_status(a):
    d = os.path.abspath(a.dir)
    pid = read_pid(d)
    info = read_json(os.path.join(d, "ready"))
    if not pid or not pid_alive(pid) or not info:
        print("cloudsim: not running")
        sys.exit(3)
    print(f"cloudsim: running, pid {pid}")
    print(f"  AWS       {info['aws_url']}")
    print(f"  CerteroX  {info['certerox_url']}")
    for k, v in info["accounts"].items():
        print(f"  {k:<10} {v['account_id']}  {v['access_key_id']}")
    try:
        st = control(d, "status")
        print(f"  exports {st.get('exports')}  reports {st.get('reports')}  "
              f"data sources {st.get('cloud_accounts')}")
    except Exception as e:  # noqa
        print(f"  (status query failed: {e})")


def main(argv=None):
    ap = argparse.ArgumentParser(prog="cloudsim", description="local simulated AWS + CerteroX")
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("start")
    s.add_argument("dir")
    s.add_argument("--latency-ms", type=int, default=0)
    s.add_argument("--faults")
    s.add_argument("--key-delay-ms", type=int, default=0)
    s.add_argument("--no-tls", action="store_true")
    s.add_argument("--policy-delay-ms", type=int, default=0)
    s.add_argument("--handshake-ms", type=int, default=None)
    s.add_argument("--organizations", type=int, default=1)
    s.add_argument("--member-accounts", type=int, default=0)  # orgsim.py
    s.add_argument("--certerox-version", metavar="YYYY-MM", default=None,
                   help="emulate the OptScale release of that month (default: the newest)")
    # ListExports' page without MaxResults: AWS's model allows 1-300 and documents no default
    s.add_argument("--exports-page", type=int, default=20, metavar="N",
                   help="Data Exports a ListExports without MaxResults answers per page (default 20)")
    for n in ("stop", "deliver", "import", "status"):
        sub.add_parser(n).add_argument("dir")
    # an AWS-side failure of the exports' delivery (billing.py Billing.deliver)
    sub.choices["deliver"].add_argument("--fail", choices=("BILL_OWNER_CHANGED", "INTERNAL_FAILURE"))
    a = ap.parse_args(argv)
    {"start": cmd_start, "stop": cmd_stop, "deliver": cmd_deliver, "import": cmd_import,
     "status": cmd_status}[a.cmd](a)


if __name__ == "__main__":
    main()
