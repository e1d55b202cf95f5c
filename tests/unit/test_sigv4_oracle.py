#!/usr/bin/env python3
"""Oracle test: 1,000 random requests signed by src/aws/sigv4.c (through
tests/unit/sigv4_oracle_helper) and by botocore's SigV4Auth / S3SigV4Auth with a frozen
clock must give the same Authorization header.

Requests are built as a real client sends them: paths and query strings percent-encoded
as on the wire (per byte, upper-case hex), with reserved characters, UTF-8, dot and empty
path segments (non-S3 services normalise them), repeated and valueless query keys, header
values with inner and outer spaces and tabs, repeated header names, binary bodies and
session tokens. Exit 0 = all agree, 1 = a mismatch, 77 = skipped (no botocore / helper).
"""
import datetime
import json
import os
import random
import subprocess
import sys
from unittest import mock
from urllib.parse import quote

try:
    import botocore.auth
    import botocore.credentials
    from botocore.awsrequest import AWSRequest
except ImportError:
    print("SKIP: botocore is not installed for", sys.executable)
    sys.exit(77)

SEED = 20150830
COUNT = 1000

builddir = os.environ.get("top_builddir") or os.path.join(os.path.dirname(__file__), "..", "..")
HELPER = os.path.join(builddir, "tests", "unit", "sigv4_oracle_helper")
if not os.access(HELPER, os.X_OK):
    print("FAIL: helper not built:", HELPER, "(run make check)")
    sys.exit(1)

RESERVED = "!$&'()*+,;=:@[]"  # gen-delims and sub-delims
OTHER = " \"%<>\\^`{|}#?"  # always percent-encoded on the wire
UNRESERVED = "abcxyzABCXYZ0189-._~"
UTF8 = ["\u00e9", "\u1234", "\u00fc\u00df", "\U0001f600", "\u4e2d\u6587", "\u0000"]
SERVICES = ["sts", "iam", "ec2", "organizations", "bcm-data-exports", "cur", "service"]
REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2", "us-gov-west-1"]
METHODS = ["GET", "POST", "PUT", "DELETE", "HEAD", "PATCH"]
HEADER_NAMES = ["X-Amz-Meta-Owner", "x-amz-target", "Content-Type", "My-Header1",
                "X-Custom", "x-amz-acl", "X-AMZ-CHECKSUM-CRC32", "If-None-Match", "Range",
                "Accept", "User-Agent", "x-amzn-trace-id", "Expect"]


def rand_text(rng, n):
    out = []
    for _ in range(n):
        k = rng.random()
        if k < 0.5:
            out.append(rng.choice(UNRESERVED))
        elif k < 0.7:
            out.append(rng.choice(RESERVED))
        elif k < 0.85:
            out.append(rng.choice(OTHER))
        else:
            out.append(rng.choice(UTF8))
    return "".join(out)


def wire_encode(s, safe=""):
    """Per-byte percent-encoding as clients send it (botocore's percent_encode)."""
    return quote(s.encode("utf-8"), safe=safe)


def rand_path(rng, s3):
    segs = []
    for _ in range(rng.randint(0, 5)):
        k = rng.random()
        if not s3 and k < 0.12:
            segs.append(rng.choice([".", "..", ""]))
        elif s3 and k < 0.08:
            segs.append(rng.choice([".", "..", ""]))  # S3 keeps them as they are
        else:
            seg = rand_text(rng, rng.randint(1, 12))
            if not s3 and rng.random() < 0.4:
                # sub-delims may travel unencoded on the wire for non-S3 services
                seg = wire_encode(seg, safe="!$&'()*+,;=:@")
            else:
                seg = wire_encode(seg, safe="")
            segs.append(seg)
    path = "/" + "/".join(segs)
    if segs and rng.random() < 0.3:
        path += "/"
    return path


def rand_query(rng):
    if rng.random() < 0.3:
        return None
    keys = [wire_encode(rand_text(rng, rng.randint(1, 8)), safe="-_.~")
            for _ in range(rng.randint(1, 3))]
    pairs = []
    for _ in range(rng.randint(1, 6)):
        k = rng.choice(keys)  # repeated keys
        r = rng.random()
        if r < 0.15:
            pairs.append(k)  # valueless key (?acl)
        elif r < 0.3:
            pairs.append(k + "=")  # empty value
        else:
            pairs.append(k + "=" + wire_encode(rand_text(rng, rng.randint(0, 10)),
                                               safe="-_.~"))
    return "&".join(pairs)


def rand_value(rng):
    words = ["".join(rng.choice("abcXYZ019,;:=/\"'()") for _ in range(rng.randint(1, 6)))
             for _ in range(rng.randint(0, 4))]
    out = ""
    for i, w in enumerate(words):
        if i:
            out += rng.choice([" ", "  ", "\t", " \t  "])
        out += w
    return rng.choice(["", " ", "  ", "\t"]) + out + rng.choice(["", " ", "   ", "\t "])


def rand_request(rng, i):
    s3 = rng.random() < 0.4
    service = "s3" if s3 else rng.choice(SERVICES)
    host = rng.choice(["example.amazonaws.com", "bucket.s3.eu-west-1.amazonaws.com",
                       "127.0.0.1:4566", "iam.amazonaws.com"])
    headers = []
    for _ in range(rng.randint(0, 5)):
        name = rng.choice(HEADER_NAMES)
        if rng.random() < 0.3:
            name = "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in name)
        headers.append([name, rand_value(rng)])
        if rng.random() < 0.2:
            headers.append([name, rand_value(rng)])  # repeated header
    if rng.random() < 0.5:
        body = bytes(rng.randrange(256) for _ in range(rng.randint(1, 300)))
    else:
        body = b""
    t = datetime.datetime(2010, 1, 1) + datetime.timedelta(seconds=rng.randrange(500_000_000))
    token = None
    if rng.random() < 0.3:
        token = "".join(rng.choice("ABCDEFabcdef0123456789+/=") for _ in range(rng.randint(20, 300)))
    return {
        "method": rng.choice(METHODS),
        "path": rand_path(rng, s3),
        "query": rand_query(rng),
        "host": host,
        "headers": headers,
        "body": body,
        "access_key": "AKIA" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
                                       for _ in range(16)),
        "secret_key": "".join(rng.choice("ABCabc0123456789+/") for _ in range(40)),
        "token": token,
        "region": rng.choice(REGIONS),
        "service": service,
        "time": t,
        "s3": s3,
    }


def botocore_sign(r):
    url = "https://" + r["host"] + r["path"]
    if r["query"] is not None:
        url += "?" + r["query"]
    req = AWSRequest(method=r["method"], url=url, data=r["body"])
    for name, value in r["headers"]:
        req.headers[name] = value  # appends: repeated names are kept in order
    creds = botocore.credentials.Credentials(r["access_key"], r["secret_key"], r["token"])
    cls = botocore.auth.S3SigV4Auth if r["s3"] else botocore.auth.SigV4Auth
    auth = cls(creds, r["service"], r["region"])
    with mock.patch("botocore.auth.get_current_datetime", return_value=r["time"]):
        auth.add_auth(req)
    creq = auth.canonical_request(req)
    return req.headers["Authorization"], creq


def main():
    rng = random.Random(SEED)
    reqs = [rand_request(rng, i) for i in range(COUNT)]
    lines = []
    for r in reqs:
        lines.append(json.dumps({
            "method": r["method"],
            "path": r["path"],
            "query": r["query"],
            "headers": [["Host", r["host"]]] + r["headers"] +
                       [["X-Amz-Date", r["time"].strftime("%Y%m%dT%H%M%SZ")]],
            "body_hex": r["body"].hex(),
            "access_key": r["access_key"],
            "secret_key": r["secret_key"],
            "token": r["token"],
            "region": r["region"],
            "service": r["service"],
            "amz_date": r["time"].strftime("%Y%m%dT%H%M%SZ"),
            "s3": r["s3"],
        }))
    proc = subprocess.run([HELPER], input="\n".join(lines) + "\n", capture_output=True,
                          text=True, check=False)
    if proc.returncode != 0:
        print("FAIL: helper exited with", proc.returncode, proc.stderr)
        return 1
    outs = [json.loads(x) for x in proc.stdout.splitlines()]
    if len(outs) != COUNT:
        print("FAIL: helper gave", len(outs), "answers for", COUNT, "requests")
        return 1
    bad = 0
    stats = {"s3": 0, "other": 0, "query": 0, "dot-segments": 0, "utf8": 0, "token": 0,
             "repeated-header": 0}
    for i, (r, o) in enumerate(zip(reqs, outs)):
        want, want_creq = botocore_sign(r)
        stats["s3" if r["s3"] else "other"] += 1
        stats["query"] += r["query"] is not None
        stats["dot-segments"] += ("/." in r["path"]) or ("//" in r["path"])
        stats["utf8"] += "%E1" in r["path"] or "%C3" in r["path"] or "%F0" in r["path"]
        stats["token"] += r["token"] is not None
        names = [h[0].lower() for h in r["headers"]]
        stats["repeated-header"] += len(names) != len(set(names))
        if o.get("authz") != want:
            bad += 1
            if bad <= 5:
                print(f"MISMATCH #{i}: {r['method']} {r['path']} ? {r['query']} "
                      f"(service {r['service']}, s3={r['s3']})")
                print("  ours:     ", o.get("authz") or o.get("error"))
                print("  botocore: ", want)
                print("  our creq:\n" + (o.get("creq") or ""))
                print("  botocore creq:\n" + want_creq)
    print("# coverage:", json.dumps(stats))
    print(f"# {COUNT - bad} agree, {bad} differ")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
