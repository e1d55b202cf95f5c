"""Helpers for the tests of the simulated cloud (tests/sim/test_*.py)."""

import http.client
import json
import os
import shlex
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import traceback

import botocore.session
from botocore.auth import SigV4Auth, S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

HERE = os.path.dirname(os.path.abspath(__file__))
CLOUDSIM = os.path.join(HERE, "cloudsim")

_passed = 0
_failed = 0


_last = [__import__("time").time()]


def check(desc, cond, detail=""):
    if os.environ.get("CLOUDSIM_TIMING"):
        now = time.time()
        desc = f"[{now - _last[0]:.2f}s] {desc}"
        _last[0] = now
    global _passed, _failed
    if cond:
        _passed += 1
        print(f"ok - {desc}")
    else:
        _failed += 1
        print(f"not ok - {desc}" + (f"  [{detail}]" if detail else ""))
    sys.stdout.flush()
    return cond


def finish():
    print(f"# {_passed} passed, {_failed} failed")
    return 1 if _failed else 0


class Sim:
    """A cloudsim in a fresh temporary directory."""

    def __init__(self, *opts, keep_dir=None):
        base = os.environ.get("TMPDIR") or "/tmp"
        self.dir = keep_dir or tempfile.mkdtemp(prefix="cloudsim-test.", dir=base)
        self.opts = list(opts)
        self.env = None

    def start(self):
        t0 = time.time()
        r = subprocess.run(["sh", CLOUDSIM, "start", self.dir, *self.opts], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
        self.start_time = time.time() - t0
        if r.returncode != 0:
            raise RuntimeError("cloudsim start failed:\n" + r.stdout)
        self.env = self.read_env()
        return self

    def read_env(self):
        out = subprocess.run(["sh", "-c", f". {shlex.quote(os.path.join(self.dir, 'env'))} && env -0"],
                             stdout=subprocess.PIPE, env={"PATH": os.environ.get("PATH", "")}).stdout
        env = {}
        for item in out.split(b"\0"):
            if b"=" in item:
                k, v = item.split(b"=", 1)
                env[k.decode()] = v.decode()
        return env

    def stop(self):
        return subprocess.run(["sh", CLOUDSIM, "stop", self.dir], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True)

    def cleanup(self):
        try:
            self.stop()
        finally:
            if not os.environ.get("CLOUDSIM_KEEP"):
                shutil.rmtree(self.dir, ignore_errors=True)

    def run(self, *cmd, env=None, input=None):
        e = dict(os.environ)
        for k in list(e):
            if k.startswith("AWS_"):
                del e[k]
        e.update(self.env)
        if env:
            e.update(env)
        e = {k: v for k, v in e.items() if v is not None}
        return subprocess.run(list(cmd), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=e,
                              input=input)

    def aws(self, *args, who=None, env=None):
        """awscli as the management administrator, or who in ("member", "standalone") or (akid, secret)."""
        e = dict(env or {})
        if who in ("member", "standalone"):
            p = who.upper() + "_AWS_"
            e["AWS_ACCESS_KEY_ID"] = self.env[p + "ACCESS_KEY_ID"]
            e["AWS_SECRET_ACCESS_KEY"] = self.env[p + "SECRET_ACCESS_KEY"]
        elif isinstance(who, tuple):
            e["AWS_ACCESS_KEY_ID"], e["AWS_SECRET_ACCESS_KEY"] = who
        r = self.run("aws", "--output", "json", *args, env=e)
        r.json = None
        if r.returncode == 0 and r.stdout.strip():
            try:
                r.json = json.loads(r.stdout)
            except ValueError:
                pass
        return r

    def curl(self, method, path, body=None, token="default", extra=()):
        url = self.env["CERTEROX_URL"] + path
        args = ["curl", "-sS", "--cacert", self.env["AWS_CA_BUNDLE"], "-X", method, "-o", "-", "-w",
                "\n%{http_code}", "-H", "Content-Type: application/json"]
        if token == "default":
            token = self.env["CERTEROX_TOKEN"]
        if token is not None:
            args += ["-H", f"Authorization: Bearer {token}"]
        if body is not None:
            args += ["--data-binary", body if isinstance(body, str) else json.dumps(body)]
        args += list(extra)
        r = self.run(*args, url)
        text, _, code = r.stdout.rpartition("\n")
        try:
            j = json.loads(text) if text.strip() else None
        except ValueError:
            j = None
        return int(code or 0), j, text

    def client(self, service, who=None, region="us-east-1", retries=0):
        if who in ("member", "standalone"):
            p = who.upper() + "_AWS_"
            ak, sk = self.env[p + "ACCESS_KEY_ID"], self.env[p + "SECRET_ACCESS_KEY"]
        elif isinstance(who, tuple):
            ak, sk = who
        else:
            ak, sk = self.env["AWS_ACCESS_KEY_ID"], self.env["AWS_SECRET_ACCESS_KEY"]
        s = botocore.session.Session()
        s.set_config_variable("config_file", os.path.join(self.dir, "aws-config"))
        s.set_config_variable("credentials_file", os.path.join(self.dir, "aws-credentials"))
        return s.create_client(service, region_name=region, endpoint_url=self.env["AWS_ENDPOINT_URL"],
                               verify=self.env.get("AWS_CA_BUNDLE") or False, aws_access_key_id=ak,
                               aws_secret_access_key=sk,
                               config=Config(retries={"max_attempts": retries + 1, "mode": "standard"},
                                             s3={"addressing_style": "path"}))

    def requests(self):
        out = []
        try:
            with open(os.path.join(self.dir, "requests.jsonl")) as f:
                for line in f:
                    out.append(json.loads(line))
        except OSError:
            pass
        return out

    def ports(self):
        with open(os.path.join(self.dir, "ports.json")) as f:
            p = json.load(f)
        return p["aws"], p["certerox"]


def signed(sim, service, method="POST", path="/", body=b"", headers=None, region="us-east-1", creds=None,
           sign=True, tamper=False, timeout=30):
    """Send one SigV4-signed request on a fresh connection; returns (status, headers dict, body bytes)."""
    url = sim.env["AWS_ENDPOINT_URL"] + path
    hdrs = dict(headers or {})
    req = AWSRequest(method=method, url=url, data=body, headers=hdrs)
    if sign:
        ak, sk = creds or (sim.env["AWS_ACCESS_KEY_ID"], sim.env["AWS_SECRET_ACCESS_KEY"])
        signer = (S3SigV4Auth if service == "s3" else SigV4Auth)(Credentials(ak, sk), service, region)
        signer.add_auth(req)
    prepared = req.prepare()
    h = dict(prepared.headers)
    if tamper:
        h["Authorization"] = h["Authorization"][:-4] + ("0000" if not h["Authorization"].endswith("0000") else "1111")
    host, port = sim.env["AWS_ENDPOINT_URL"].split("://")[1].split(":")
    if sim.env["AWS_ENDPOINT_URL"].startswith("https"):
        ctx = ssl.create_default_context(cafile=sim.env["AWS_CA_BUNDLE"])
        conn = http.client.HTTPSConnection(host, int(port), context=ctx, timeout=timeout)
    else:
        conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        pu = prepared.url.split("://", 1)[1]
        conn.request(method, pu[pu.index("/"):] if "/" in pu else "/", body=prepared.body, headers=h)
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def json_call(sim, service, target, payload, **kw):
    return signed(sim, service, body=json.dumps(payload).encode(),
                  headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target}, **kw)


def query_call(sim, service, params, **kw):
    from urllib.parse import urlencode
    return signed(sim, service, body=urlencode(params).encode(),
                  headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}, **kw)


def listening(port):
    s = socket.socket()
    s.settimeout(0.5)
    try:
        s.connect(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def bucket_policy(bucket, acct):
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "EnableAWSDataExportsToWriteToS3AndCheckPolicy", "Effect": "Allow",
        "Principal": {"Service": ["billingreports.amazonaws.com", "bcm-data-exports.amazonaws.com"]},
        "Action": ["s3:PutObject", "s3:GetBucketPolicy"],
        "Resource": [f"arn:aws:s3:::{bucket}/*", f"arn:aws:s3:::{bucket}"],
        "Condition": {"StringLike": {"aws:SourceAccount": acct, "aws:SourceArn": [
            f"arn:aws:cur:us-east-1:{acct}:definition/*", f"arn:aws:bcm-data-exports:us-east-1:{acct}:export/*"]}}}]})


def export_def(name, bucket, prefix="cur2", region="eu-west-1", columns=None, props=None, fmt="TEXT_OR_CSV",
               comp="GZIP", overwrite="OVERWRITE_REPORT"):
    cols = columns or ["line_item_usage_start_date", "line_item_unblended_cost", "line_item_resource_id"]
    p = {"TIME_GRANULARITY": "DAILY", "INCLUDE_RESOURCES": "TRUE", "INCLUDE_SPLIT_COST_ALLOCATION_DATA": "FALSE",
         "INCLUDE_MANUAL_DISCOUNT_COMPATIBILITY": "FALSE"}
    p.update(props or {})
    return {"Name": name, "Description": "test export",
            "DataQuery": {"QueryStatement": f"SELECT {', '.join(cols)} FROM COST_AND_USAGE_REPORT",
                          "TableConfigurations": {"COST_AND_USAGE_REPORT": p}},
            "DestinationConfigurations": {"S3Destination": {
                "S3Bucket": bucket, "S3Prefix": prefix, "S3Region": region,
                "S3OutputConfigurations": {"OutputType": "CUSTOM", "Format": fmt, "Compression": comp,
                                           "Overwrite": overwrite}}},
            "RefreshCadence": {"Frequency": "SYNCHRONOUS"}}


def report_def(name, bucket, prefix="cur", region="eu-west-1"):
    return {"ReportName": name, "TimeUnit": "DAILY", "Format": "textORcsv", "Compression": "GZIP",
            "AdditionalSchemaElements": ["RESOURCES"], "S3Bucket": bucket, "S3Prefix": prefix, "S3Region": region,
            "AdditionalArtifacts": [], "RefreshClosedReports": True, "ReportVersioning": "OVERWRITE_REPORT"}


def main(body, *opts):
    """Start a sim, run body(sim), stop it; exit status per the checks."""
    sim = Sim(*opts)
    try:
        sim.start()
        check(f"cloudsim start ready in {sim.start_time:.2f}s (< 5 s)", sim.start_time < 5)
        body(sim)
    except Exception:
        traceback.print_exc()
        check("test body ran to the end", False)
    finally:
        sim.cleanup()
    sys.exit(finish())
