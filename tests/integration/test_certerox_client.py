#!/usr/bin/env python3
"""The CerteroX client (src/certerox) against the simulated cloud, over TLS.

Driven through tests/integration/cxtool (secrets on stdin only). Proves: login with email and
password (sync and async API); a wrong password is CX_E_CREDENTIALS/OA0037; organizations are
listed and picked; a token file works and an empty one is refused; a Linked data source is
created with a fresh IAM key of the member account (made with the AWS CLI), listed (with the
"AWS Root Account is missing" warning), read back and updated; the same AWS account again is
OE0402 (CX_E_CONFLICT) and the same name OE0404; a rejected key is OE0433 (CX_E_CREDENTIALS); an
unexpected config key is OE0212 (CX_E_INVALID); delete then get is OE0002 (CX_E_NOT_FOUND);
CerteroX answering 500 and CerteroX unreachable (closed port, stopped sim) are CX_E_UNAVAILABLE
within seconds; a wrong CA is a TLS error naming the endpoint; and no token, password or secret
key ever appears in cxtool's stdout or stderr.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

PASSED = 0
FAILED = 0
OUTPUTS = []  # every stdout/stderr of cxtool, checked for secrets at the end


def check(desc, cond, detail=""):
    global PASSED, FAILED
    if cond:
        PASSED += 1
        print("ok - " + desc)
    else:
        FAILED += 1
        print("not ok - " + desc + (": " + str(detail)[:2000] if detail else ""))


def skip(why):
    print("SKIP: " + why)
    sys.exit(77)


def read_env(path):
    """The exports of DIR/env, without running a shell."""
    env = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line.startswith("export "):
                continue
            k, v = line[len("export "):].split("=", 1)
            if v.startswith("'") and v.endswith("'"):
                v = v[1:-1].replace("'\\''", "'")
            env[k] = v
    return env


class Tool:
    def __init__(self, path, env):
        self.path = path
        self.env = env

    def run(self, cmd, req, *opts, timeout=60):
        argv = [self.path] + list(opts) + [cmd]
        t0 = time.monotonic()
        p = subprocess.run(argv, input=json.dumps(req).encode(), capture_output=True,
                           env=self.env, timeout=timeout)
        dt = time.monotonic() - t0
        out, err = p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
        OUTPUTS.append((" ".join(argv[1:]), out + err))
        try:
            ans = json.loads(out)
        except ValueError:
            ans = {"status": "UNPARSEABLE", "raw": out, "stderr": err}
        ans["_rc"] = p.returncode
        ans["_secs"] = dt
        ans["_stderr"] = err
        return ans


def count_requests(simdir, method):
    """CerteroX requests with this method in the sim's request log."""
    n = 0
    with open(os.path.join(simdir, "requests.jsonl")) as f:
        for line in f:
            rec = json.loads(line)
            if rec.get("service") == "certerox" and rec.get("operation", "").startswith(method):
                n += 1
    return n


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def make_member_key(env, tmp, user):
    """A fresh IAM user and access key in the member account, made with the AWS CLI."""
    aenv = dict(os.environ)
    for k in list(aenv):
        if k.startswith("AWS_"):
            del aenv[k]
    aenv.update({
        "AWS_ACCESS_KEY_ID": env["MEMBER_AWS_ACCESS_KEY_ID"],
        "AWS_SECRET_ACCESS_KEY": env["MEMBER_AWS_SECRET_ACCESS_KEY"],
        "AWS_ENDPOINT_URL": env["AWS_ENDPOINT_URL"],
        "AWS_CA_BUNDLE": env["AWS_CA_BUNDLE"],
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.path.join(tmp, "none"),
        "AWS_SHARED_CREDENTIALS_FILE": os.path.join(tmp, "none"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_PAGER": "",
    })
    subprocess.run(["aws", "iam", "create-user", "--user-name", user], env=aenv, check=True,
                   capture_output=True, timeout=60)
    p = subprocess.run(["aws", "iam", "create-access-key", "--user-name", user, "--output",
                        "json"], env=aenv, check=True, capture_output=True, timeout=60)
    k = json.loads(p.stdout)["AccessKey"]
    return k["AccessKeyId"], k["SecretAccessKey"]


def wrong_ca(tmp):
    """A self-signed CA that did not sign the sim's certificate."""
    key, crt = os.path.join(tmp, "other.key"), os.path.join(tmp, "other.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", crt, "-days", "2", "-subj", "/CN=Other Test CA"],
                   check=True, capture_output=True, timeout=60)
    return crt


def main():
    builddir = os.environ.get("top_builddir")
    srcdir = os.environ.get("top_srcdir")
    if not builddir or not srcdir:
        skip("top_builddir and top_srcdir must be set (run through make check)")
    cxtool = os.path.join(builddir, "tests", "integration", "cxtool")
    cloudsim = os.path.join(srcdir, "tests", "sim", "cloudsim")
    if not os.access(cxtool, os.X_OK):
        skip(f"{cxtool} not built")
    if not os.access(cloudsim, os.X_OK):
        skip(f"{cloudsim} not found")
    for prog in ("aws", "openssl"):
        if not shutil.which(prog):
            skip(f"{prog} not found")

    tmp = tempfile.mkdtemp(prefix="cxcerterox.")
    simdir = os.path.join(tmp, "sim")
    faultdir = os.path.join(tmp, "simfault")
    started = []
    try:
        p = subprocess.run([cloudsim, "start", simdir], capture_output=True, timeout=120)
        if p.returncode != 0:
            skip("cloudsim did not start: " + p.stderr.decode(errors="replace")[-500:])
        started.append(simdir)
        env = read_env(os.path.join(simdir, "env"))
        tenv = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": tmp,
                "CERTEROX_URL": env["CERTEROX_URL"], "AWS_CA_BUNDLE": env["AWS_CA_BUNDLE"]}
        tool = Tool(cxtool, tenv)
        token, org = env["CERTEROX_TOKEN"], env["CERTEROX_ORGANIZATION_ID"]
        secrets = [token, env["CERTEROX_PASSWORD"], env["MEMBER_AWS_SECRET_ACCESS_KEY"],
                   env["AWS_SECRET_ACCESS_KEY"]]

        # -- login ---------------------------------------------------------------
        for mode in ([], ["--async"]):
            a = tool.run("login", {"email": env["CERTEROX_EMAIL"],
                                   "password": env["CERTEROX_PASSWORD"]}, *mode)
            ids = [o["id"] for o in a.get("result", [])]
            check(f"login with email and password {' '.join(mode)}".strip(),
                  a["status"] == "CX_OK" and a["_rc"] == 0 and org in ids, a)
        a = tool.run("login", {"email": env["CERTEROX_EMAIL"], "password": "not-the-password"})
        e = a.get("error", {})
        check("wrong password: CX_E_CREDENTIALS, OA0037, CerteroX's reason, exit 77",
              a["status"] == "CX_E_CREDENTIALS" and e.get("code") == "OA0037"
              and e.get("http_status") == 403 and e.get("msg") == "Email or password is invalid"
              and a["_rc"] == 77, a)
        secrets.append("not-the-password")

        # -- organizations -----------------------------------------------------------
        a = tool.run("orgs", {"token": token})
        check("list organizations with the token",
              a["status"] == "CX_OK" and [o["id"] for o in a["result"]] == [org], a)
        a = tool.run("pick", {"token": token})
        check("the only organization is picked", a.get("result") == org, a)
        a = tool.run("pick", {"token": token, "org": org})
        check("the wanted organization is picked", a.get("result") == org, a)
        a = tool.run("pick", {"token": token, "org": "no-such-org"})
        check("an unknown organization is CX_E_INPUT listing the ones seen",
              a["status"] == "CX_E_INPUT" and org in a["error"]["msg"]
              and "no-such-org" in a["error"]["msg"], a)
        a = tool.run("orgs", {"token": "tok-not-valid-123456"})
        secrets.append("tok-not-valid-123456")
        check("a bad token is CX_E_CREDENTIALS OE0235",
              a["status"] == "CX_E_CREDENTIALS" and a["error"]["code"] == "OE0235", a)
        tokfile = os.path.join(tmp, "token")
        fd = os.open(tokfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.write(fd, (token + "\n").encode())
        os.close(fd)
        a = tool.run("orgs", {}, "--token-file", tokfile)
        check("token from a file", a["status"] == "CX_OK" and a["result"][0]["id"] == org, a)
        emptyfile = os.path.join(tmp, "empty-token")
        open(emptyfile, "w").close()
        a = tool.run("orgs", {}, "--token-file", emptyfile)
        check("an empty token file is refused", a["status"] == "CX_E_INPUT", a)

        # -- a Linked data source with a fresh member key ------------------------------------
        akid, secret = make_member_key(env, tmp, "certerox-linked-test")
        secrets.append(secret)
        linked = {"access_key_id": akid, "secret_access_key": secret, "linked": True}
        a = tool.run("create", {"token": token, "org": org, "name": "Member linked",
                                "config": linked})
        r = a.get("result", {})
        check("create a Linked data source",
              a["status"] == "CX_OK" and r.get("type") == "aws_cnr"
              and r.get("account_id") == env["MEMBER_AWS_ACCOUNT_ID"]
              and r.get("config", {}).get("linked") is True
              and r.get("config", {}).get("access_key_id") == akid, a)
        ds_id = r.get("id", "missing")
        a = tool.run("list", {"token": token, "org": org}, "--async")
        lst = a.get("result", {})
        check("list: the data source, no Root, the web UI's warning",
              a["status"] == "CX_OK" and [d["id"] for d in lst.get("cloud_accounts", [])] == [ds_id]
              and lst.get("has_root_aws") is False
              and lst.get("warning") == "AWS Root Account is missing. AWS Linked Account relies "
              "on billing data from its AWS Root Account.", a)
        a = tool.run("get", {"token": token, "id": ds_id})
        check("get the data source back", a["status"] == "CX_OK"
              and a["result"]["name"] == "Member linked"
              and "secret_access_key" not in a["result"].get("config", {}), a)
        a = tool.run("patch", {"token": token, "id": ds_id, "config": linked}, "--async")
        check("patch with the full config", a["status"] == "CX_OK"
              and a["result"]["id"] == ds_id, a)
        a = tool.run("verify", {"token": token, "config": linked})
        check("verify the key (dry run)", a["status"] == "CX_OK", a)

        # -- refusals -------------------------------------------------------------------
        a = tool.run("create", {"token": token, "org": org, "name": "Member again",
                                "config": linked})
        e = a.get("error", {})
        check("the same AWS account again: CX_E_CONFLICT OE0402, refused wording",
              a["status"] == "CX_E_CONFLICT" and e.get("code") == "OE0402"
              and e.get("http_status") == 409
              and e.get("msg") == "CerteroX refused the data source: Cloud account for this "
              "account already exist (OE0402)", a)
        # another account under the same name (OptScale checks the account first: the same
        # account would be OE0402)
        other = {"access_key_id": env["STANDALONE_AWS_ACCESS_KEY_ID"],
                 "secret_access_key": env["STANDALONE_AWS_SECRET_ACCESS_KEY"], "linked": True}
        secrets.append(other["secret_access_key"])
        a = tool.run("create", {"token": token, "org": org, "name": "Member linked",
                                "config": other})
        check("the same name again: CX_E_CONFLICT OE0404",
              a["status"] == "CX_E_CONFLICT" and a["error"]["code"] == "OE0404", a)
        bad_secret = "Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5"
        secrets.append(bad_secret)
        bad = {"access_key_id": "AKIAZZZZZZZZZZZZZZZZ", "secret_access_key": bad_secret,
               "linked": True}
        a = tool.run("create", {"token": token, "org": org, "name": "Bad key", "config": bad})
        e = a.get("error", {})
        check("a rejected key: CX_E_CREDENTIALS OE0433 with the AWS message",
              a["status"] == "CX_E_CREDENTIALS" and e.get("code") == "OE0433"
              and e.get("msg", "").startswith("CerteroX refused the data source: Cloud error:")
              and a["_rc"] == 77, a)
        a = tool.run("patch", {"token": token, "id": ds_id, "config": bad})
        check("patch with a rejected key: OE0433",
              a["status"] == "CX_E_CREDENTIALS" and a["error"]["code"] == "OE0433", a)
        body = {"name": "Extra key", "type": "aws_cnr",
                "config": dict(linked, no_such_key="us-east-1")}
        a = tool.run("raw-create", {"token": token, "org": org, "body": body})
        e = a.get("error", {})
        check("an unexpected config key: CX_E_INVALID OE0212",
              a["status"] == "CX_E_INVALID" and e.get("code") == "OE0212"
              and e.get("msg") == "CerteroX refused the data source: Unexpected parameters: "
              "['no_such_key'] (OE0212)", a)
        posts = count_requests(simdir, "POST")
        a = tool.run("create", {"token": token, "org": org, "name": "Root no bucket",
                                "config": {"access_key_id": akid, "secret_access_key": secret,
                                           "config_scheme": "create_report", "cur_version": 2}})
        check("client-side check: create_report without a bucket is CX_E_INPUT, nothing sent",
              a["status"] == "CX_E_INPUT" and "bucket_name" in a["error"]["msg"]
              and count_requests(simdir, "POST") == posts, a)

        # -- delete ----------------------------------------------------------------------
        a = tool.run("delete", {"token": token, "id": ds_id}, "--async")
        check("delete the data source", a["status"] == "CX_OK", a)
        a = tool.run("get", {"token": token, "id": ds_id})
        check("get after delete: CX_E_NOT_FOUND OE0002",
              a["status"] == "CX_E_NOT_FOUND" and a["error"]["code"] == "OE0002", a)

        # -- TLS -----------------------------------------------------------------------------
        ca = wrong_ca(tmp)
        a = tool.run("orgs", {"token": token}, "--ca-bundle", ca, "--attempts", "3")
        check("a wrong CA: CX_E_TLS naming the endpoint",
              a["status"] == "CX_E_TLS" and env["CERTEROX_URL"] in a["error"]["msg"], a)

        # -- unavailable -----------------------------------------------------------------------
        port = free_port()
        a = tool.run("orgs", {"token": token}, "--url", f"https://127.0.0.1:{port}",
                     "--attempts", "2", "--connect-timeout-ms", "1000")
        check("a closed port: CX_E_UNAVAILABLE quickly",
              a["status"] == "CX_E_UNAVAILABLE" and a["_secs"] < 10
              and f"127.0.0.1:{port}" in a["error"]["msg"], a)
        faults = os.path.join(tmp, "faults.json")
        with open(faults, "w") as f:
            json.dump([{"service": "certerox", "operation": "*", "nth": 1, "count": 1000,
                        "fault": "server_error"}], f)
        p = subprocess.run([cloudsim, "start", faultdir, "--faults", faults],
                           capture_output=True, timeout=120)
        check("a second sim with CerteroX faults starts", p.returncode == 0, p.stderr)
        if p.returncode == 0:
            started.append(faultdir)
            fenv = read_env(os.path.join(faultdir, "env"))
            a = tool.run("create", {"token": fenv["CERTEROX_TOKEN"],
                                    "org": fenv["CERTEROX_ORGANIZATION_ID"], "name": "x",
                                    "config": linked},
                         "--url", fenv["CERTEROX_URL"], "--ca-bundle", fenv["AWS_CA_BUNDLE"],
                         "--attempts", "3")
            secrets.append(fenv["CERTEROX_TOKEN"])
            check("CerteroX answering 500: CX_E_UNAVAILABLE after the retries",
                  a["status"] == "CX_E_UNAVAILABLE" and a["error"]["http_status"] == 500
                  and a["_secs"] < 15, a)
            reqs = []
            with open(os.path.join(faultdir, "requests.jsonl")) as f:
                for line in f:
                    rec = json.loads(line)
                    if rec.get("service") == "certerox":
                        reqs.append(rec)
            check("the 500 was retried: 3 attempts", len(reqs) == 3, reqs)
        subprocess.run([cloudsim, "stop", simdir], capture_output=True, timeout=60)
        started.remove(simdir)
        a = tool.run("list", {"token": token, "org": org}, "--attempts", "2",
                     "--connect-timeout-ms", "1000")
        check("the stopped sim: CX_E_UNAVAILABLE quickly, exit 69",
              a["status"] == "CX_E_UNAVAILABLE" and a["_rc"] == 69 and a["_secs"] < 10, a)

        # -- secrets -----------------------------------------------------------------------------
        try:
            with open(os.path.join(simdir, "certerox.json")) as f:
                secrets += list(json.load(f).get("tokens", {}).keys())  # login tokens too
        except (OSError, ValueError):
            pass
        leaks = [(cmd, s[:6]) for cmd, text in OUTPUTS for s in secrets if s and s in text]
        check(f"no token, password or secret key in {len(OUTPUTS)} cxtool outputs",
              not leaks and len(OUTPUTS) > 20, leaks)
    finally:
        for d in started:
            subprocess.run([cloudsim, "stop", d], capture_output=True, timeout=60)
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"# {PASSED} passed, {FAILED} failed")
    return 0 if FAILED == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
