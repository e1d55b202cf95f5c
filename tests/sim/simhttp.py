"""HTTP/1.1 keep-alive front of the simulated cloud.

One ThreadingHTTPServer per endpoint (AWS, CerteroX).  Each TCP connection gets an
id; every request is logged to DIR/requests.jsonl.  Latency, faults and key
propagation delay are applied here, before the request reaches moto, the billing
services (billing.py) or CerteroX (certerox.py).
"""

import base64
import hashlib
import itertools
import json
import re
import socket
import ssl
import struct
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, parse_qsl, unquote_to_bytes, urlencode

_conn_ids = itertools.count(1)
_log_lock = threading.Lock()

JSON_TARGETS = {
    "AWSBillingAndCostManagementDataExports": "bcm-data-exports",
    "AWSOrigamiServiceGatewayService": "cur",
    "AWSOrganizationsV20161128": "organizations",
}
QUERY_NS = {
    "iam": "https://iam.amazonaws.com/doc/2010-05-08/",
    "sts": "https://sts.amazonaws.com/doc/2011-06-15/",
}
STS_ACTIONS = {"GetCallerIdentity", "AssumeRole", "GetSessionToken", "GetFederationToken",
               "AssumeRoleWithWebIdentity", "AssumeRoleWithSAML", "DecodeAuthorizationMessage",
               "GetAccessKeyInfo"}


def request_id():
    return str(uuid.uuid4())


# ---------------------------------------------------------------------------
# Request classification


class Req:
    """A parsed request, as the front sees it."""

    def __init__(self, method, raw_path, headers, body):
        self.method = method
        self.raw_path = raw_path
        self.headers = headers  # list of (name, value)
        self.body = body
        self.path, _, self.query_string = raw_path.partition("?")
        self.query = parse_qs(self.query_string, keep_blank_values=True)
        self.hmap = {}
        for k, v in headers:
            lk = k.lower()
            self.hmap[lk] = self.hmap[lk] + "," + v if lk in self.hmap else v
        self.service = None
        self.operation = None
        self.access_key_id = None
        self.form = None
        self._classify()

    def header(self, name, default=None):
        return self.hmap.get(name.lower(), default)

    def _classify(self):
        auth = self.header("authorization", "")
        scope = None
        m = re.search(r"Credential=([^,\s]+)", auth)
        if m:
            scope = m.group(1).split("/")
        elif "X-Amz-Credential" in self.query:
            scope = self.query["X-Amz-Credential"][0].split("/")
        self.scope_region = None
        if scope:
            self.access_key_id = scope[0]
            self.scope_region = scope[2] if len(scope) > 2 else None
        target = self.header("x-amz-target")
        if target and "." in target:
            prefix, op = target.rsplit(".", 1)
            self.service = JSON_TARGETS.get(prefix, scope[3] if scope and len(scope) > 3 else prefix)
            self.operation = op
            self.protocol = "json"
            return
        ctype = self.header("content-type", "")
        if self.method == "POST" and self.path in ("/", "") and (
                "x-www-form-urlencoded" in ctype or (scope and len(scope) > 3 and scope[3] in ("iam", "sts", "ec2"))):
            try:
                self.form = parse_qs(self.body.decode("utf-8"), keep_blank_values=True)
            except UnicodeDecodeError:
                self.form = {}
            action = (self.form.get("Action") or self.query.get("Action") or [None])[0]
            svc = scope[3] if scope and len(scope) > 3 else None
            if svc not in ("iam", "sts", "ec2"):
                svc = "sts" if action in STS_ACTIONS else ("ec2" if action and action.startswith("Describe") else "iam")
            self.service = svc
            self.operation = action
            self.protocol = "ec2" if svc == "ec2" else "query"
            return
        if self.method == "GET" and "Action" in self.query and self.path in ("/", ""):
            svc = scope[3] if scope and len(scope) > 3 else "iam"
            self.service = svc
            self.operation = self.query["Action"][0]
            self.protocol = "ec2" if svc == "ec2" else "query"
            return
        self.service = "s3"
        self.protocol = "s3"
        self.operation = s3_operation(self.method, self.path, self.query, self.hmap)

    @property
    def bucket(self):
        if self.service != "s3":
            return None
        parts = self.path.lstrip("/").split("/", 1)
        return unquote_to_bytes(parts[0]).decode("utf-8", "replace") if parts[0] else None


S3_SUBRESOURCES = [
    "policy", "location", "acl", "tagging", "publicAccessBlock", "policyStatus", "versioning",
    "cors", "lifecycle", "encryption", "logging", "notification", "ownershipControls",
    "replication", "website", "accelerate", "requestPayment", "object-lock", "retention",
    "legal-hold", "analytics", "metrics", "inventory", "intelligent-tiering", "attributes",
]


def _camel(s):
    return "".join(p[:1].upper() + p[1:] for p in re.split(r"[-_]", s))


def s3_operation(method, path, query, headers):
    parts = path.lstrip("/").split("/", 1)
    bucket = parts[0]
    key = parts[1] if len(parts) > 1 else ""
    verb = {"GET": "Get", "PUT": "Put", "DELETE": "Delete", "HEAD": "Head", "POST": "Post"}.get(method, method)
    if not bucket:
        return "ListBuckets" if method == "GET" else f"{method} /"
    if not key:
        if "uploads" in query:
            return "ListMultipartUploads"
        if "delete" in query and method == "POST":
            return "DeleteObjects"
        if "versions" in query:
            return "ListObjectVersions"
        for sub in S3_SUBRESOURCES:
            if sub in query:
                if sub == "location":
                    return "GetBucketLocation"
                if sub == "publicAccessBlock":
                    return verb + "PublicAccessBlock"
                if sub == "ownershipControls":
                    return verb + "BucketOwnershipControls"
                return verb + "Bucket" + _camel(sub)
        if method == "GET":
            return "ListObjectsV2" if query.get("list-type") == ["2"] else "ListObjects"
        return {"PUT": "CreateBucket", "HEAD": "HeadBucket", "DELETE": "DeleteBucket"}.get(method, f"{method} bucket")
    if "uploads" in query and method == "POST":
        return "CreateMultipartUpload"
    if "uploadId" in query:
        return {"PUT": "UploadPart", "POST": "CompleteMultipartUpload", "DELETE": "AbortMultipartUpload",
                "GET": "ListParts"}.get(method, method)
    for sub in ("acl", "tagging", "retention", "legal-hold", "attributes"):
        if sub in query:
            return verb + "Object" + _camel(sub)
    if method == "PUT" and "x-amz-copy-source" in headers:
        return "CopyObject"
    return {"GET": "GetObject", "PUT": "PutObject", "HEAD": "HeadObject", "DELETE": "DeleteObject"}.get(
        method, f"{method} object")


# ---------------------------------------------------------------------------
# Protocol-accurate error bodies


class Resp:
    def __init__(self, status, headers=None, body=b""):
        self.status = status
        self.headers = headers or []
        self.body = body if isinstance(body, bytes) else body.encode("utf-8")
        self.error = None


def xml_escape(s):
    return (str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def aws_error(req, code, message, status, sender=True, extra=None, json_type=None):
    """An error answer in the protocol of req's service."""
    rid = request_id()
    svc = req.service
    if req.protocol == "json":
        body = {"__type": json_type or code, "message": message}
        if svc in ("bcm-data-exports", "cur"):
            body = {"__type": json_type or code, "Message": message}
        if extra:
            body.update(extra)
        r = Resp(status, [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-RequestId", rid),
                          ("x-amzn-ErrorType", code)], json.dumps(body))
    elif req.protocol == "ec2":
        r = Resp(status, [("Content-Type", "text/xml;charset=UTF-8")],
                 "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>%s</Code>"
                 "<Message>%s</Message></Error></Errors><RequestID>%s</RequestID></Response>"
                 % (code, xml_escape(message), rid))
    elif req.protocol == "query":
        ns = QUERY_NS.get(svc, QUERY_NS["iam"])
        r = Resp(status, [("Content-Type", "text/xml"), ("x-amzn-RequestId", rid)],
                 '<ErrorResponse xmlns="%s">\n  <Error>\n    <Type>%s</Type>\n    <Code>%s</Code>\n'
                 '    <Message>%s</Message>\n  </Error>\n  <RequestId>%s</RequestId>\n</ErrorResponse>\n'
                 % (ns, "Sender" if sender else "Receiver", code, xml_escape(message), rid))
    else:  # s3
        more = ""
        if req.bucket and code not in ("InvalidAccessKeyId",):
            more = "<BucketName>%s</BucketName>" % xml_escape(req.bucket)
        if extra:
            more += "".join("<%s>%s</%s>" % (k, xml_escape(v), k) for k, v in extra.items())
        hid = base64.b64encode(hashlib.sha256(rid.encode()).digest()).decode()
        r = Resp(status, [("Content-Type", "application/xml"), ("x-amz-request-id", rid[:16].upper()),
                          ("x-amz-id-2", hid)],
                 '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>%s</Code><Message>%s</Message>%s'
                 '<RequestId>%s</RequestId><HostId>%s</HostId></Error>'
                 % (code, xml_escape(message), more, rid[:16].upper(), hid))
        if req.method == "HEAD":
            r.body_for_log = r.body
    r.error = code
    return r


def fault_error(req, kind, user_arn=None):
    svc, op = req.service, req.operation
    if svc == "certerox":
        if kind == "throttle":
            return certerox_error(429, "OE0000", "Too many requests")
        if kind == "server_error":
            return certerox_error(500, "OE0000", "Internal server error")
        return certerox_error(403, "OE0234", "Forbidden")
    if kind == "throttle":
        if req.protocol == "query":
            return aws_error(req, "Throttling", "Rate exceeded", 400)
        if req.protocol == "ec2":
            return aws_error(req, "RequestLimitExceeded", "Request limit exceeded.", 503)
        if req.protocol == "json":
            if svc == "organizations":
                return aws_error(req, "TooManyRequestsException",
                                 "AWS Organizations can't complete your request because another request is "
                                 "already in progress. Try again later.", 400, extra={"Type": "RequestLimit"})
            return aws_error(req, "ThrottlingException", "Rate exceeded", 400)
        return aws_error(req, "SlowDown", "Please reduce your request rate.", 503)
    if kind == "server_error":
        if req.protocol == "query":
            code = "ServiceFailure" if svc == "iam" else "InternalFailure"
            return aws_error(req, code, "The request processing has failed because of an unknown error, "
                             "exception or failure.", 500, sender=False)
        if req.protocol == "ec2":
            return aws_error(req, "InternalError", "An internal error has occurred", 500)
        if req.protocol == "json":
            code = {"bcm-data-exports": "InternalServerException", "cur": "InternalErrorException",
                    "organizations": "ServiceException"}.get(svc, "InternalFailure")
            return aws_error(req, code, "An internal error occurred.", 500)
        return aws_error(req, "InternalError", "We encountered an internal error. Please try again.", 500)
    # access_denied
    action = f"{svc}:{op}"
    who = user_arn or "arn:aws:iam::123456789012:user/unknown"
    if req.protocol == "query":
        return aws_error(req, "AccessDenied", f"User: {who} is not authorized to perform: {action} "
                         f"because no identity-based policy allows the {action} action", 403)
    if req.protocol == "ec2":
        return aws_error(req, "UnauthorizedOperation", "You are not authorized to perform this operation. "
                         f"User: {who} is not authorized to perform: {action} because no identity-based "
                         "policy allows the action", 403)
    if req.protocol == "json":
        return aws_error(req, "AccessDeniedException", f"User: {who} is not authorized to perform: {action} "
                         "because no identity-based policy allows the action", 400)
    return aws_error(req, "AccessDenied", "Access Denied", 403)


def unknown_key_error(req):
    if req.protocol == "json":
        return aws_error(req, "UnrecognizedClientException", "The security token included in the request is invalid.",
                         400)
    if req.protocol == "ec2":
        return aws_error(req, "AuthFailure", "AWS was not able to validate the provided access credentials", 401)
    if req.protocol == "query":
        return aws_error(req, "InvalidClientTokenId", "The security token included in the request is invalid.", 403)
    return aws_error(req, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.",
                     403, extra={"AWSAccessKeyId": req.access_key_id or ""})


def missing_auth_error(req):
    if req.protocol == "json":
        return aws_error(req, "MissingAuthenticationTokenException", "Missing Authentication Token", 400)
    if req.protocol == "ec2":
        return aws_error(req, "AuthFailure", "AWS was not able to validate the provided access credentials", 401)
    if req.protocol == "query":
        return aws_error(req, "MissingAuthenticationToken", "Request is missing Authentication Token", 403)
    return aws_error(req, "AccessDenied", "Access Denied", 403)


def certerox_error(status, code, reason, params=None):
    r = Resp(status, [("Content-Type", "application/json; charset=UTF-8")],
             json.dumps({"error": {"status_code": status, "error_code": code, "reason": reason,
                                   "params": params or []}}))
    r.error = code
    return r


def error_code_of(resp):
    """The error code in an answer (for the request log), or None."""
    if resp.error:
        return resp.error
    if resp.status < 300:
        return None
    body = getattr(resp, "body_for_log", None) or resp.body
    for k, v in resp.headers:
        if k.lower() == "x-amzn-errortype" and v:
            return v.split(":")[0].split("#")[-1]
    m = re.search(rb"<Code>([^<]+)</Code>", body or b"")
    if m:
        return m.group(1).decode("utf-8", "replace")
    try:
        j = json.loads(body)
        t = j.get("__type") or (j.get("error") or {}).get("error_code")
        if t:
            return t.split(":")[0].split("#")[-1]
    except Exception:
        pass
    return str(resp.status) if resp.status >= 400 else None


# ---------------------------------------------------------------------------
# Faults


class Faults:
    """Rules {"service","operation","nth","count","fault"}; nth counts matching requests from 1."""

    def __init__(self, rules):
        self.rules = []
        for r in rules or []:
            self.rules.append({"service": r.get("service"), "operation": r.get("operation"),
                               "nth": int(r.get("nth", 1)), "count": int(r.get("count", 1)),
                               "fault": str(r["fault"]), "seen": 0})
        self.lock = threading.Lock()

    def match(self, service, operation):
        hit = None
        with self.lock:
            for r in self.rules:
                if r["service"] not in (None, "*", service):
                    continue
                if r["operation"] not in (None, "*", operation):
                    continue
                r["seen"] += 1
                if hit is None and r["nth"] <= r["seen"] < r["nth"] + r["count"]:
                    hit = r["fault"]
        return hit


# ---------------------------------------------------------------------------
# Server


class Front(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, addr, sim, kind, ssl_ctx):
        self.sim = sim
        self.kind = kind  # "aws" or "certerox"
        self.ssl_ctx = ssl_ctx
        self.conns = set()
        self.conns_lock = threading.Lock()
        super().__init__(addr, Handler)

    def get_request(self):
        sock, addr = self.socket.accept()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.ssl_ctx:
            sock = self.ssl_ctx.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, addr

    def handle_error(self, request, client_address):
        pass  # handshake failures, resets by the client: not the server's problem

    def close_all(self):
        with self.conns_lock:
            conns = list(self.conns)
        for s in conns:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 120

    def version_string(self):
        return "AmazonS3" if self.server.kind == "aws" else "nginx"

    def log_message(self, *a):
        pass

    def setup(self):
        self.conn_id = next(_conn_ids)
        self.answered = False  # --handshake-ms: the first answer of a connection comes later
        self.opened_at = time.time()
        with self.server.conns_lock:
            self.server.conns.add(self.request)
        try:
            if isinstance(self.request, ssl.SSLSocket):
                self.request.settimeout(10)
                self.request.do_handshake()
            super().setup()
        except Exception:
            with self.server.conns_lock:
                self.server.conns.discard(self.request)
            raise

    def finish(self):
        try:
            super().finish()
        finally:
            with self.server.conns_lock:
                self.server.conns.discard(self.request)

    def _read_body(self):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            out = []
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                out.append(self.rfile.read(size))
                self.rfile.readline(65537)
            return b"".join(out)
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def _dispatch(self):
        start = time.time()
        sim = self.server.sim
        body = self._read_body()
        headers = [(k, v) for k, v in self.headers.items()
                   if k.lower() != "transfer-encoding"]
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            headers.append(("Content-Length", str(len(body))))
        req = Req(self.command, self.path, headers, body)
        req.client_port = self.client_address[1] if isinstance(self.client_address, tuple) else None
        req.secure = isinstance(self.request, ssl.SSLSocket)  # aws:SecureTransport
        if self.server.kind == "certerox":
            req.service = "certerox"
            req.protocol = "certerox"
            req.operation = f"{self.command} {req.path}"
            req.access_key_id = None
        sim.last_activity = time.time()  # the state is saved when the sim is idle
        fault = sim.faults.match(req.service, req.operation) if sim.faults else None
        resp = None
        stall = 0.0
        if fault in ("throttle", "server_error", "access_denied"):
            resp = fault_error(req, fault, sim.user_arn_of(req.access_key_id) if req.access_key_id else None)
        elif fault and fault.startswith("stall:"):
            stall = float(fault.split(":", 1)[1]) / 1000.0
        if resp is None:
            try:
                if self.server.kind == "certerox":
                    resp = sim.certerox.handle(req)
                else:
                    resp = sim.handle_aws(req)
            except Exception as e:  # a bug in the sim: say so, as a 500
                import traceback
                traceback.print_exc()
                if req.service == "certerox":
                    resp = certerox_error(500, "OE0000", f"Internal server error: {e}")
                else:
                    resp = fault_error(req, "server_error")
        delay = sim.latency + stall
        if not self.answered:
            # A new TCP connection costs its handshakes (TCP + TLS: about two round trips on
            # AWS) before its first request can be sent: its first answer waits until the
            # handshakes would have ended (a connection opened ahead of its first request has
            # already paid them).
            delay += max(0.0, self.opened_at + getattr(sim, "handshake", 0.0) - start)
            self.answered = True
        if delay > 0:
            time.sleep(delay)
        sim.last_activity = time.time()
        err = error_code_of(resp)
        if fault == "reset":
            sim.log_request(start, req, None, "reset", self.conn_id, fault)
            self.close_connection = True
            try:
                self.request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            except OSError:
                pass
            try:
                self.request.close()  # no TLS close_notify; the fd closes (RST) after finish()
            except OSError:
                pass
            return
        req.key_valid_at = key_valid_at(sim, req, resp)
        # Logged before the answer is sent, so a client that has its answer finds the line.
        sim.log_request(start, req, resp.status, err, self.conn_id, fault)
        self.send_response_only(resp.status)
        self.send_header("Date", self.date_time_string())
        self.send_header("Server", self.version_string())
        has_len = False
        for k, v in resp.headers:
            lk = k.lower()
            if lk in ("connection", "transfer-encoding", "date", "server", "keep-alive"):
                continue
            if lk == "content-length":
                if self.command != "HEAD":
                    continue
                has_len = True
            self.send_header(k, v)
        if self.command != "HEAD" and resp.status not in (204, 304):
            self.send_header("Content-Length", str(len(resp.body)))
        elif self.command == "HEAD" and not has_len:
            self.send_header("Content-Length", "0")
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and resp.status not in (204, 304):
            self.wfile.write(resp.body)
        self.wfile.flush()

    def handle_one_request(self):
        try:
            super().handle_one_request()
        except (ConnectionError, ssl.SSLError, socket.timeout, OSError):
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = _dispatch


def make_ssl_context(cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx


def request_digest(req):
    """First 16 hex digits of the SHA-256 of what identifies a request apart from its signing:
    the method, the path, the query parameters sorted (without X-Amz-*, the presigning ones)
    and, for POST/PUT/PATCH, the body (a form body, as IAM/STS/EC2 take, with its parameters
    sorted). Never a header. Equal digests = the same request (bench/: repeated reads)."""
    h = hashlib.sha256()
    h.update(req.method.encode("utf-8", "replace") + b" " + req.path.encode("utf-8", "replace") + b"\n")
    q = sorted((k, v) for k, v in parse_qsl(req.query_string, keep_blank_values=True)
               if not k.lower().startswith("x-amz-"))
    h.update(urlencode(q).encode("utf-8", "replace") + b"\n")
    if req.method in ("POST", "PUT", "PATCH") and req.body:
        if req.form:
            h.update(urlencode(sorted((k, v) for k, vs in req.form.items() for v in vs)).encode("utf-8", "replace"))
        else:
            h.update(req.body)
    return h.hexdigest()[:16]


def key_valid_at(sim, req, resp):
    """For a successful CreateAccessKey: when the sim starts accepting the new key (the time
    simserver.py recorded it in key_created, plus --key-delay-ms), else None."""
    if req.service != "iam" or req.operation != "CreateAccessKey" or resp.status != 200:
        return None
    m = re.search(rb"<AccessKeyId>([^<]+)</AccessKeyId>", resp.body or b"")
    created = getattr(sim, "key_created", {}).get(m.group(1).decode()) if m else None
    return None if created is None else created + getattr(sim, "key_delay", 0.0)


def log_line(path, start, req, status, error, conn_id, fault):
    rec = {"start": round(start, 6), "end": round(time.time(), 6), "service": req.service,
           "operation": req.operation, "status": status, "error": error,
           "access_key_id": req.access_key_id, "connection": conn_id,
           "request_digest": request_digest(req)}
    if getattr(req, "client_port", None):
        rec["client_port"] = req.client_port
    if getattr(req, "key_valid_at", None):
        rec["key_valid_at"] = round(req.key_valid_at, 6)
    if fault:
        rec["fault"] = fault
    line = json.dumps(rec) + "\n"
    with _log_lock:
        with open(path, "a") as f:
            f.write(line)
