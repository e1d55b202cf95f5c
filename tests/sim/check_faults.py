"""Faults, latency, key propagation delay and concurrency of the sim."""

import http.client
import json
import os
import ssl
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import simtest  # noqa: E402
from simtest import check, signed, json_call, query_call, finish  # noqa: E402

LATENCY_MS = 150
KEY_DELAY_MS = 1500
RULES = [
    {"service": "iam", "operation": "CreateUser", "nth": 1, "count": 1, "fault": "throttle"},
    {"service": "iam", "operation": "CreateUser", "nth": 2, "count": 1, "fault": "access_denied"},
    {"service": "iam", "operation": "CreateUser", "nth": 3, "count": 1, "fault": "server_error"},
    {"service": "iam", "operation": "CreateUser", "nth": 4, "count": 1, "fault": "reset"},
    {"service": "iam", "operation": "ListUsers", "nth": 1, "count": 2, "fault": "throttle"},
    {"service": "bcm-data-exports", "operation": "ListExports", "nth": 1, "count": 2, "fault": "throttle"},
    {"service": "bcm-data-exports", "operation": "ListExports", "nth": 3, "count": 1, "fault": "server_error"},
    {"service": "cur", "operation": "DescribeReportDefinitions", "nth": 1, "count": 1, "fault": "access_denied"},
    {"service": "s3", "operation": "ListBuckets", "nth": 1, "count": 1, "fault": "throttle"},
    {"service": "s3", "operation": "ListBuckets", "nth": 2, "count": 1, "fault": "server_error"},
    {"service": "s3", "operation": "CreateBucket", "nth": 1, "count": 1, "fault": "reset"},
    {"service": "ec2", "operation": "DescribeRegions", "nth": 1, "count": 1, "fault": "throttle"},
    {"service": "organizations", "operation": "DescribeOrganization", "nth": 1, "count": 1, "fault": "throttle"},
    {"service": "sts", "operation": "GetCallerIdentity", "nth": 1, "count": 1, "fault": "stall:1200"},
    {"service": "certerox", "operation": "GET /restapi/v2/organizations", "nth": 1, "count": 1, "fault": "server_error"},
]
IAMV = {"Version": "2010-05-08"}


def xml_code(b):
    import re
    m = re.search(rb"<Code>([^<]+)</Code>", b)
    return m.group(1).decode() if m else None


def body(sim):
    env = sim.env
    lat = LATENCY_MS / 1000.0

    # stall + latency on the first GetCallerIdentity
    t0 = time.time()
    st, h, b = query_call(sim, "sts", {"Action": "GetCallerIdentity", "Version": "2011-06-15"})
    dt = time.time() - t0
    check(f"stall:1200 (+{LATENCY_MS} ms latency): answered after {dt:.2f}s, correctly",
          st == 200 and dt >= 1.2 + lat and b"<Account>123456789012</Account>" in b, f"{st} {dt}")
    t0 = time.time()
    st, h, b = query_call(sim, "sts", {"Action": "GetCallerIdentity", "Version": "2011-06-15"})
    dt = time.time() - t0
    check(f"--latency-ms {LATENCY_MS}: a request takes {dt:.2f}s", st == 200 and lat <= dt < lat + 1.0)

    # IAM CreateUser: throttle, access_denied, server_error, reset
    cu = dict(IAMV, Action="CreateUser", UserName="faulty")
    st, h, b = query_call(sim, "iam", cu)
    check("throttle on IAM: 400 Throttling in an ErrorResponse",
          st == 400 and xml_code(b) == "Throttling" and b.startswith(b"<ErrorResponse") and b"<Type>Sender</Type>" in b,
          f"{st} {b[:200]}")
    st, h, b = query_call(sim, "iam", cu)
    check("access_denied on IAM: 403 AccessDenied", st == 403 and xml_code(b) == "AccessDenied", f"{st} {b[:200]}")
    st, h, b = query_call(sim, "iam", dict(IAMV, Action="GetUser", UserName="faulty"))
    check("access_denied: the operation did not take effect (NoSuchEntity)", st == 404 and xml_code(b) == "NoSuchEntity",
          f"{st} {b[:200]}")
    st, h, b = query_call(sim, "iam", cu)
    check("server_error on IAM: 500 ServiceFailure (Receiver)",
          st == 500 and xml_code(b) == "ServiceFailure" and b"<Type>Receiver</Type>" in b, f"{st} {b[:200]}")
    try:
        st, h, b = query_call(sim, "iam", cu)
        got = f"answer {st}"
    except (ConnectionError, http.client.HTTPException, ssl.SSLError, OSError) as e:
        got = type(e).__name__
    check(f"reset on IAM CreateUser: the connection is closed without an answer ({got})",
          not got.startswith("answer"), got)
    st, h, b = query_call(sim, "iam", dict(IAMV, Action="GetUser", UserName="faulty"))
    check("reset: the operation took effect (GetUser finds the user)", st == 200, f"{st} {b[:200]}")
    st, h, b = query_call(sim, "iam", cu)
    check("CreateUser again: EntityAlreadyExists (what idempotence must survive)",
          st == 409 and xml_code(b) == "EntityAlreadyExists", f"{st} {b[:200]}")
    r = sim.aws("iam", "list-users")
    recs = [x for x in sim.requests() if x["operation"] == "ListUsers"]
    check("awscli retries a throttled ListUsers (2 Throttling, then 200)",
          r.returncode == 0 and [x["error"] for x in recs] == ["Throttling", "Throttling", None], str(recs))
    recs = [x for x in sim.requests() if x["operation"] == "CreateUser"]
    check("requests.jsonl records the faults",
          [x.get("fault") for x in recs[:4]] == ["throttle", "access_denied", "server_error", "reset"] and
          recs[3]["status"] is None, str(recs))

    # JSON 1.1
    bcm_t = "AWSBillingAndCostManagementDataExports.ListExports"
    st, h, b = json_call(sim, "bcm-data-exports", bcm_t, {})
    j = json.loads(b)
    check("throttle on Data Exports: 400 ThrottlingException JSON",
          st == 400 and j["__type"].endswith("ThrottlingException") and h.get("x-amzn-errortype") ==
          "ThrottlingException", f"{st} {b[:200]}")
    st, h, b = json_call(sim, "bcm-data-exports", bcm_t, {})
    check("count 2: the second ListExports is throttled too", st == 400 and b"ThrottlingException" in b)
    st, h, b = json_call(sim, "bcm-data-exports", bcm_t, {})
    check("server_error on Data Exports: 500 InternalServerException", st == 500 and b"InternalServerException" in b)
    st, h, b = json_call(sim, "bcm-data-exports", bcm_t, {})
    check("then ListExports works", st == 200 and json.loads(b) == {"Exports": []}, b)
    st, h, b = json_call(sim, "cur", "AWSOrigamiServiceGatewayService.DescribeReportDefinitions", {})
    check("access_denied on CUR: AccessDeniedException JSON", st == 400 and b"AccessDeniedException" in b, b[:200])
    st, h, b = json_call(sim, "organizations", "AWSOrganizationsV20161128.DescribeOrganization", {})
    check("throttle on Organizations: TooManyRequestsException", st == 400 and b"TooManyRequestsException" in b, b)

    # S3 and EC2
    st, h, b = signed(sim, "s3", "GET", "/")
    check("throttle on S3: 503 SlowDown", st == 503 and xml_code(b) == "SlowDown" and b.startswith(b"<?xml"), b[:200])
    st, h, b = signed(sim, "s3", "GET", "/")
    check("server_error on S3: 500 InternalError", st == 500 and xml_code(b) == "InternalError", b[:200])
    try:
        st, h, b = signed(sim, "s3", "PUT", "/reset-bkt")
        got = f"answer {st}"
    except (ConnectionError, http.client.HTTPException, ssl.SSLError, OSError) as e:
        got = type(e).__name__
    check(f"reset on S3 CreateBucket: no answer ({got})", not got.startswith("answer"))
    st, h, b = signed(sim, "s3", "HEAD", "/reset-bkt")
    check("reset: the bucket exists (HeadBucket 200)", st == 200, st)
    st, h, b = query_call(sim, "ec2", {"Action": "DescribeRegions", "Version": "2016-11-15"})
    check("throttle on EC2: 503 RequestLimitExceeded in Response/Errors",
          st == 503 and b"<Response><Errors><Error><Code>RequestLimitExceeded</Code>" in b, b[:200])

    # CerteroX
    st, j, t = sim.curl("GET", "/restapi/v2/organizations")
    check("server_error on CerteroX: 500 with the error envelope",
          st == 500 and (j or {}).get("error", {}).get("status_code") == 500, t)
    t0 = time.time()
    st, j, t = sim.curl("GET", "/restapi/v2/organizations")
    check("then CerteroX answers", st == 200 and j["organizations"], t)
    rec = [x for x in sim.requests() if x["service"] == "certerox"][-1]
    check(f"--latency-ms applies to CerteroX too ({rec['end'] - rec['start']:.3f}s)",
          rec["end"] - rec["start"] >= lat - 0.005 and time.time() - t0 >= lat, str(rec))

    # Key propagation delay
    iam = sim.client("iam", retries=0)
    iam.create_user(UserName="fresh")
    iam.put_user_policy(UserName="fresh", PolicyName="all", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
    k = iam.create_access_key(UserName="fresh")["AccessKey"]
    t_created = time.time()
    creds = (k["AccessKeyId"], k["SecretAccessKey"])
    st, h, b = query_call(sim, "sts", {"Action": "GetCallerIdentity", "Version": "2011-06-15"}, creds=creds)
    check("new key within --key-delay-ms: STS InvalidClientTokenId", st == 403 and xml_code(b) == "InvalidClientTokenId",
          b[:200])
    st, h, b = signed(sim, "s3", "GET", "/", creds=creds)
    check("new key within the delay: S3 InvalidAccessKeyId", st == 403 and xml_code(b) == "InvalidAccessKeyId", b[:200])
    st, h, b = json_call(sim, "bcm-data-exports", bcm_t, {}, creds=creds)
    check("new key within the delay: JSON UnrecognizedClientException", st == 400 and
          b"UnrecognizedClientException" in b, b[:200])
    time.sleep(max(0.0, KEY_DELAY_MS / 1000.0 - (time.time() - t_created)) + 0.1)
    st, h, b = query_call(sim, "sts", {"Action": "GetCallerIdentity", "Version": "2011-06-15"}, creds=creds)
    check("after the delay the key works", st == 200 and b"user/fresh" in b, b[:200])
    made = [r for r in sim.requests() if r["operation"] == "CreateAccessKey" and r["status"] == 200]
    valid_at = made[-1].get("key_valid_at") if made else None
    check("request log: CreateAccessKey says when the key becomes valid (key_valid_at = created + delay)",
          valid_at is not None and made[-1]["start"] + KEY_DELAY_MS / 1000.0 - 0.01 <= valid_at
          <= made[-1]["end"] + KEY_DELAY_MS / 1000.0, str(made[-1:]))

    # Concurrency and keep-alive under latency
    results = []

    def one():
        t = time.time()
        s, _, _ = query_call(sim, "sts", {"Action": "GetCallerIdentity", "Version": "2011-06-15"})
        results.append((s, time.time() - t))

    t0 = time.time()
    ths = [threading.Thread(target=one) for _ in range(8)]
    for t in ths:
        t.start()
    for t in ths:
        t.join()
    wall = time.time() - t0
    check(f"8 concurrent requests with {LATENCY_MS} ms latency take {wall:.2f}s (served concurrently)",
          all(s == 200 for s, _ in results) and wall < 8 * lat, str(results))
    host, port = env["AWS_ENDPOINT_URL"].split("://")[1].split(":")
    before = len(sim.requests())
    c = sim.client("sts")
    for _ in range(3):
        c.get_caller_identity()
    recs = sim.requests()[before:]
    check("keep-alive: 3 calls, one connection id",
          len(recs) == 3 and len({x["connection"] for x in recs}) == 1, str(recs))
    check("request log times: end - start >= latency",
          all(x["end"] - x["start"] >= lat - 0.005 for x in recs), str(recs))


def main():
    fd, path = tempfile.mkstemp(prefix="cloudsim-faults.", suffix=".json", dir=os.environ.get("TMPDIR") or "/tmp")
    with os.fdopen(fd, "w") as f:
        json.dump(RULES, f)
    sim = simtest.Sim("--latency-ms", str(LATENCY_MS), "--key-delay-ms", str(KEY_DELAY_MS), "--faults", path)
    try:
        sim.start()
        check(f"cloudsim start with faults/latency/key delay ready in {sim.start_time:.2f}s", sim.start_time < 5)
        body(sim)
    except Exception:
        import traceback
        traceback.print_exc()
        check("test body ran to the end", False)
    finally:
        sim.cleanup()
        os.unlink(path)
    plain = simtest.Sim("--no-tls")
    try:
        plain.start()
        ok = plain.env["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")
        a = plain.client("sts").get_caller_identity()["Account"]
        check("--no-tls: plain HTTP endpoints work", ok and a == "123456789012", plain.env["AWS_ENDPOINT_URL"])
    except Exception as e:
        check("--no-tls: plain HTTP endpoints work", False, repr(e))
    finally:
        plain.cleanup()
    sys.exit(finish())


if __name__ == "__main__":
    main()
