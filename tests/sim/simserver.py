"""The cloudsim server process: `simserver.py DIR` (started by `cloudsim start`).

moto's WSGI app in-process behind the keep-alive front of simhttp.py, the billing
services of billing.py and CerteroX of certerox.py.  State: DIR/aws-state.pickle
(moto backends), DIR/billing.json, DIR/certerox.json.
"""

import os

os.environ["INITIAL_NO_AUTH_ACTION_COUNT"] = "0"  # enforcement on for every HTTP request
os.environ.pop("MOTO_IAM_LOAD_MANAGED_POLICIES", None)

import base64  # noqa: E402
import gc  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import zlib  # noqa: E402
import pickle  # noqa: E402
import re  # noqa: E402
import secrets  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import calendar  # noqa: E402
import traceback  # noqa: E402
from urllib.parse import unquote_to_bytes  # noqa: E402

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import iamauth  # noqa: E402
import iampolicy  # noqa: E402
import simhttp  # noqa: E402
from simhttp import Resp  # noqa: E402
from cloudsim import (MANAGEMENT_ACCOUNT, MEMBER_ACCOUNT, STANDALONE_ACCOUNT, REGION,  # noqa: E402
                      read_json, write_json_atomic)

from moto import settings as moto_settings  # noqa: E402
from moto.core.authorization import ActionAuthenticatorMixin  # noqa: E402
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app  # noqa: E402
from moto.iam.models import iam_backends, get_account_id_from  # noqa: E402
from moto.s3.models import s3_backends, S3Backend, FakeBucket  # noqa: E402
from moto.s3.exceptions import S3ClientError  # noqa: E402
from moto.sts.models import sts_backends  # noqa: E402
from moto.organizations.models import organizations_backends  # noqa: E402
import moto.organizations.utils as org_utils  # noqa: E402

moto_settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
ActionAuthenticatorMixin.request_count = 0

ADMIN_POLICY = json.dumps({"Version": "2012-10-17",
                           "Statement": [{"Sid": "All", "Effect": "Allow", "Action": "*", "Resource": "*"}]})
ADMIN_USER = "cloudsim-admin"
PERSISTED = {"iam": iam_backends, "s3": s3_backends, "sts": sts_backends, "organizations": organizations_backends}
PERSISTED_ATTRS = ("master_accounts", "bucket_accounts")


# S3: reject invalid policy JSON as AWS does (moto stores it and then fails on the bucket).
class S3Error(S3ClientError):
    code = "MalformedPolicy"


_orig_put_bucket_policy = S3Backend.put_bucket_policy


_current = threading.local()  # the front's request being served by moto in this thread


def _check_body_checksum(body):
    """AWS requires Content-MD5 or an x-amz-checksum-* header on PutBucketPolicy (httpChecksumRequired)
    and checks it; moto checks neither."""
    req = getattr(_current, "req", None)
    if req is None:
        return
    md5 = req.header("content-md5")
    if md5 is not None:
        if base64.b64encode(hashlib.md5(body).digest()).decode() != md5.strip():
            raise S3Error("BadDigest", "The Content-MD5 you specified did not match what we received.")
        return
    algos = {"x-amz-checksum-crc32": lambda b: zlib.crc32(b).to_bytes(4, "big"),
             "x-amz-checksum-sha1": lambda b: hashlib.sha1(b).digest(),
             "x-amz-checksum-sha256": lambda b: hashlib.sha256(b).digest()}
    present = [k for k in req.hmap if k.startswith("x-amz-checksum-") and k != "x-amz-checksum-type"]
    if not present:
        raise S3Error("InvalidRequest", "Missing required header for this request: Content-MD5")
    for k in present:
        if k in algos and base64.b64encode(algos[k](body)).decode() != req.hmap[k].strip():
            raise S3Error("BadDigest", f"The {k[len('x-amz-checksum-'):].upper()} you specified did not "
                                  "match the calculated checksum.")


def _checked_put_bucket_policy(self, bucket_name, policy):
    self.get_bucket(bucket_name)
    _check_body_checksum(policy if isinstance(policy, bytes) else str(policy).encode())
    try:
        doc = json.loads(policy)
    except (ValueError, UnicodeDecodeError):
        raise S3Error("MalformedPolicy", "Policies must be valid JSON and the first byte must be '{'")
    if not isinstance(doc, dict):
        raise S3Error("MalformedPolicy", "Policies must be valid JSON and the first byte must be '{'")
    st = doc.get("Statement")
    if st is None:
        raise S3Error("MalformedPolicy", "Missing required field Statement")
    for s in st if isinstance(st, list) else [st]:
        if not isinstance(s, dict) or s.get("Effect") not in ("Allow", "Deny"):
            raise S3Error("MalformedPolicy", "Invalid effect: %s" % (s.get("Effect") if isinstance(s, dict)
                                                                             else s))
        if "Principal" not in s and "NotPrincipal" not in s:
            raise S3Error("MalformedPolicy", "Missing required field Principal")
        if "Action" not in s and "NotAction" not in s:
            raise S3Error("MalformedPolicy", "Missing required field Action")
        if "Resource" not in s and "NotResource" not in s:
            raise S3Error("MalformedPolicy", "Missing required field Resource")
    return _orig_put_bucket_policy(self, bucket_name, policy)


S3Backend.put_bucket_policy = _checked_put_bucket_policy

# moto evaluates a bucket policy on object requests without a request context (a statement whose
# condition names a key then always counts as a Deny, and Principal/NotPrincipal are ignored):
# Sim.s3_policy_check evaluates every S3 request against its bucket's policy as AWS does, before
# moto sees it, so moto's own check stands aside.
FakeBucket.get_permission = lambda self, action, resource: __import__(
    "moto.iam.access_control", fromlist=["PermissionResult"]).PermissionResult.NEUTRAL

# S3 operation -> IAM action (Service Authorization Reference, Amazon S3 actions).
S3_ACTIONS = {"HeadBucket": "s3:ListBucket", "ListObjects": "s3:ListBucket", "ListObjectsV2": "s3:ListBucket",
              "ListObjectVersions": "s3:ListBucketVersions", "HeadObject": "s3:GetObject",
              "CopyObject": "s3:PutObject", "DeleteObjects": "s3:DeleteObject",
              "ListMultipartUploads": "s3:ListBucketMultipartUploads", "CreateMultipartUpload": "s3:PutObject",
              "UploadPart": "s3:PutObject", "CompleteMultipartUpload": "s3:PutObject",
              "AbortMultipartUpload": "s3:AbortMultipartUpload", "ListParts": "s3:ListMultipartUploadParts",
              "GetBucketEncryption": "s3:GetEncryptionConfiguration",
              "PutBucketEncryption": "s3:PutEncryptionConfiguration",
              "GetPublicAccessBlock": "s3:GetBucketPublicAccessBlock",
              "PutPublicAccessBlock": "s3:PutBucketPublicAccessBlock"}


# moto verifies SigV4 against werkzeug's request.url, whose query string is percent-decoded
# (prefix=a%2F becomes prefix=a/), while botocore's canonical query takes the query text as is:
# every signed request with an encoded query value would fail.  Verify against the raw URI.
from moto.core.responses import BaseResponse  # noqa: E402

_orig_setup_class = BaseResponse.setup_class
_orig_authenticate = ActionAuthenticatorMixin._authenticate_and_authorize_action


def _setup_class(self, request, full_url, headers, *a, **kw):
    _orig_setup_class(self, request, full_url, headers, *a, **kw)
    env = getattr(request, "environ", None)
    self._cloudsim_raw_uri = env.get("RAW_URI") if isinstance(env, dict) else None


def _authenticate(self, iam_request_cls, resource="*"):
    raw = getattr(self, "_cloudsim_raw_uri", None)
    if not raw:
        return _orig_authenticate(self, iam_request_cls, resource)
    saved = self.uri
    self.uri = "https://cloudsim" + raw
    try:
        return _orig_authenticate(self, iam_request_cls, resource)
    finally:
        self.uri = saved


BaseResponse.setup_class = _setup_class
ActionAuthenticatorMixin._authenticate_and_authorize_action = _authenticate


class Sim:
    def __init__(self, d):
        self.dir = d
        self.opts = read_json(os.path.join(d, "options.json"), {})
        self.latency = (self.opts.get("latency_ms") or 0) / 1000.0
        self.key_delay = (self.opts.get("key_delay_ms") or 0) / 1000.0
        # --handshake-ms N (default twice --latency-ms): the first answer on each new connection
        hs = self.opts.get("handshake_ms")
        self.handshake = (2 * (self.opts.get("latency_ms") or 0) if hs is None else hs) / 1000.0
        # --policy-delay-ms: the billing services see a new bucket policy only N ms after
        # PutBucketPolicy (S3 policy changes are eventually consistent; AWS answers "Failed to verify
        # customer bucket permission" meanwhile). bucket -> (time of the change, previous policy)
        self.policy_delay = (self.opts.get("policy_delay_ms") or 0) / 1000.0
        self.policy_changed = {}
        self.faults = None
        if self.opts.get("faults"):
            with open(self.opts["faults"]) as f:
                self.faults = simhttp.Faults(json.load(f))
        self.moto_lock = threading.RLock()
        self.app = DomainDispatcherApplication(create_backend_app)
        self.key_created = {}
        self.dirty = False
        self.last_activity = 0.0  # time of the last request seen (simhttp)
        self.log_path = os.path.join(d, "requests.jsonl")
        self.control_token = None
        self.aws_url = None
        self.ca_bundle = os.path.join(d, "ca.pem") if self.opts.get("tls", True) else None

    # -- state -------------------------------------------------------------
    def state_path(self):
        return os.path.join(self.dir, "aws-state.pickle")

    def load_or_bootstrap(self):
        p = self.state_path()
        self.accounts = read_json(os.path.join(self.dir, "accounts.json"))
        if os.path.exists(p) and self.accounts:
            with open(p, "rb") as f:
                state = pickle.load(f)
            for name, bd in PERSISTED.items():
                data, attrs = state[name]
                bd.clear()
                bd.update(data)
                for k, v in attrs.items():
                    setattr(bd, k, v)
            return
        self.bootstrap()

    def save(self):
        with self.moto_lock:
            state = {}
            for name, bd in PERSISTED.items():
                attrs = {k: getattr(bd, k) for k in PERSISTED_ATTRS if hasattr(bd, k)}
                state[name] = (dict(bd), attrs)
            data = pickle.dumps(state)
            self.dirty = False
        tmp = self.state_path() + ".tmp"
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, self.state_path())

    def bootstrap(self):
        def admin(acct):
            iam = iam_backends[acct]["global"]
            iam.create_user(REGION, ADMIN_USER, "/", [])
            pol = iam.create_policy("Allow-all policy of the cloudsim bootstrap administrator", "/", ADMIN_POLICY,
                                    "CloudsimAdministratorAccess", [])
            iam.attach_user_policy(pol.arn, ADMIN_USER)
            k = iam.create_access_key(ADMIN_USER)
            return {"account_id": acct, "user": ADMIN_USER, "access_key_id": k.access_key_id,
                    "secret_access_key": k.secret_access_key}

        org = organizations_backends[MANAGEMENT_ACCOUNT]["aws"]
        org.create_organization(region=REGION, FeatureSet="ALL")
        orig = org_utils.make_random_account_id
        org_utils.make_random_account_id = lambda: MEMBER_ACCOUNT
        try:
            org.create_account(AccountName="member", Email="member@example.com")
        finally:
            org_utils.make_random_account_id = orig
        self.accounts = {"management": admin(MANAGEMENT_ACCOUNT), "member": admin(MEMBER_ACCOUNT),
                         "standalone": admin(STANDALONE_ACCOUNT)}
        write_json_atomic(os.path.join(self.dir, "accounts.json"), self.accounts)
        self.save()

    # -- helpers -----------------------------------------------------------
    def user_arn_of(self, akid):
        with self.moto_lock:
            acct = get_account_id_from(akid)
            k = iam_backends[acct]["global"].access_keys.get(akid)
            if k is not None and k.user_name:
                return f"arn:aws:iam::{acct}:user/{k.user_name}"
        return f"arn:aws:iam::{acct}:user/unknown"

    def log_request(self, start, req, status, error, conn_id, fault):
        if getattr(req, "nolog", False):
            return
        simhttp.log_line(self.log_path, start, req, status, error, conn_id, fault)

    def call_moto(self, req):
        path = req.path or "/"
        environ = {
            "REQUEST_METHOD": req.method,
            "SCRIPT_NAME": "",
            "PATH_INFO": unquote_to_bytes(path).decode("latin-1"),
            "QUERY_STRING": req.query_string,
            "RAW_URI": req.raw_path,
            "REQUEST_URI": req.raw_path,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": str(self.aws_port),
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "https" if self.ca_bundle else "http",
            "wsgi.input": __import__("io").BytesIO(req.body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
            "CONTENT_LENGTH": str(len(req.body)),
        }
        for k, v in req.headers:
            lk = k.lower()
            if lk == "content-type":
                environ["CONTENT_TYPE"] = v
                continue
            if lk == "content-length":
                continue
            key = "HTTP_" + k.upper().replace("-", "_")
            environ[key] = environ[key] + "," + v if key in environ else v
        out = {}

        def start_response(status, headers, exc_info=None):
            out["status"] = int(status.split()[0])
            out["headers"] = headers

        with self.moto_lock:
            _current.req = req
            try:
                it = self.app(environ, start_response)
                try:
                    body = b"".join(it)
                finally:
                    if hasattr(it, "close"):
                        it.close()
            finally:
                _current.req = None
        return Resp(out["status"], list(out["headers"]), body)

    # -- the AWS endpoint ----------------------------------------------------
    def handle_aws(self, req):
        if req.path.startswith("/__cloudsim/"):
            req.nolog = True
            return self.handle_control(req)
        if req.path.startswith("/moto-api"):
            req.nolog = True
            return Resp(404, [("Content-Type", "text/plain")], b"not found\n")
        auth = req.header("authorization")
        if not auth and "X-Amz-Credential" not in req.query:
            return simhttp.missing_auth_error(req)
        if auth and not auth.startswith("AWS4-HMAC-SHA256 "):
            if req.protocol == "json":
                return simhttp.aws_error(req, "IncompleteSignatureException",
                                         "Authorization header requires 'Credential' parameter.", 400)
            if req.protocol == "s3":
                return simhttp.aws_error(req, "InvalidArgument", "Unsupported Authorization Type", 400)
            return simhttp.aws_error(req, "IncompleteSignature", "Authorization header requires 'Credential' "
                                     "parameter.", 403)
        if self.key_delay and req.access_key_id in self.key_created:
            if time.time() - self.key_created[req.access_key_id] < self.key_delay:
                return simhttp.unknown_key_error(req)
        skewed = self.clock_check(req)
        if skewed is not None:
            return skewed
        if req.service in ("bcm-data-exports", "cur"):
            return self.billing.handle(req)
        if req.protocol != "s3" and (auth or "") and "X-Amz-Date" not in [k.title() for k, _ in req.headers] \
                and "x-amz-date" not in req.hmap:
            # moto would crash without it; AWS says the signature is incomplete
            return simhttp.aws_error(req, "IncompleteSignature" if req.protocol == "query"
                                     else "IncompleteSignatureException",
                                     "Authorization header requires existence of either a 'X-Amz-Date' or a "
                                     "'Date' header.", 403 if req.protocol == "query" else 400)
        if req.service == "s3" and req.bucket and req.scope_region:
            wrong = self.s3_region_check(req)
            if wrong is not None:
                return wrong
        if req.service == "sts" and req.operation == "AssumeRole":  # moto has no trust check
            import orgsim
            with self.moto_lock:
                denied = orgsim.trust_check(req)
            if denied is not None:
                return denied
        if req.service == "s3" and req.bucket:
            denied = self.s3_policy_check(req)
            if denied is not None:
                return denied
        if req.service == "ec2" and req.operation == "DescribeRegions":
            import ec2regions  # moto's EC2 module takes ~1.5 s of CPU to import (ec2regions.py)
            return ec2regions.describe_regions(self, req, lambda q, action: iamauth.check(self, q, action)[1])
        prev_policy = None
        if self.policy_delay and req.operation in ("PutBucketPolicy", "DeleteBucketPolicy"):
            with self.moto_lock:
                ent = s3_backends.bucket_accounts.get(req.bucket)
                b = s3_backends[ent[1]][ent[0]].buckets.get(req.bucket) if ent else None
                prev_policy = b.policy if b is not None else None
        resp = self.call_moto(req)
        if self.policy_delay and req.operation in ("PutBucketPolicy", "DeleteBucketPolicy") and resp.status < 300:
            old = self.policy_changed.get(req.bucket)
            if old and time.time() - old[0] < self.policy_delay:
                prev_policy = old[1]  # still propagating: the billing services still see the older one
            self.policy_changed[req.bucket] = (time.time(), prev_policy)
        if req.service == "s3" and req.operation == "ListBuckets":
            import s3buckets
            with self.moto_lock:
                resp = s3buckets.add_regions(req, resp)
        if req.service == "organizations" and resp.status >= 400:
            resp = self.orgs_error_to_json(req, resp)
        elif req.protocol in ("query", "ec2") and resp.status >= 400 and b"<ErrorResponse><Errors>" in resp.body:
            resp = self.auth_error_shape(req, resp)
        if req.operation not in (None,) and req.method not in ("GET", "HEAD") and not re.match(
                r"(Get|List|Describe|Head)", req.operation or ""):
            self.dirty = True
        if req.operation in ("PutBucketPolicy", "DeleteBucketPolicy") and resp.status in (200, 204):
            resp = Resp(204, [(k, v) for k, v in resp.headers if k.lower() not in ("content-type", "content-length")])
        if req.service == "iam" and req.operation == "CreateAccessKey" and resp.status == 200:
            m = re.search(rb"<AccessKeyId>([^<]+)</AccessKeyId>", resp.body)
            if m:
                self.key_created[m.group(1).decode()] = time.time()
        return resp

    def clock_check(self, req):
        """AWS refuses a request whose X-Amz-Date is more than 5 minutes (S3: 15) from its clock,
        each protocol in its own words; moto does not check."""
        stamp = req.hmap.get("x-amz-date") or req.query.get("X-Amz-Date")
        if isinstance(stamp, list):
            stamp = stamp[0] if stamp else None
        if not stamp:
            return None
        try:
            t = calendar.timegm(time.strptime(stamp, "%Y%m%dT%H%M%SZ"))
        except ValueError:
            return None
        now = time.time()
        limit = 900 if req.protocol == "s3" else 300
        if abs(now - t) <= limit:
            return None
        server = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now))
        if req.protocol == "s3":
            return simhttp.aws_error(req, "RequestTimeTooSkewed", "The difference between the request time "
                                     "and the current time is too large.", 403,
                                     extra={"RequestTime": stamp, "ServerTime": server})
        if req.protocol == "ec2":
            return simhttp.aws_error(req, "RequestExpired", "Request has expired.", 400)
        word = "earlier" if t < now else "later"
        msg = (f"Signature expired: {stamp} is now {word} than {server} "
               f"({time.strftime('%Y%m%dT%H%M%SZ', time.gmtime(now - limit))} - 5 min.)")
        if req.protocol == "json":
            return simhttp.aws_error(req, "InvalidSignatureException", msg, 400)
        return simhttp.aws_error(req, "SignatureDoesNotMatch", msg, 403)

    def s3_region_check(self, req):
        """AWS answers a request signed for the wrong region (one endpoint here: the signing region
        is the region the client addressed) with AuthorizationHeaderMalformed; moto accepts it."""
        if req.operation in ("ListBuckets", "GetBucketLocation"):
            return None
        if req.operation == "CreateBucket":
            m = re.search(rb"<LocationConstraint>([^<]*)</LocationConstraint>", req.body or b"")
            want = m.group(1).decode() if m and m.group(1) else "us-east-1"
            if want != req.scope_region:
                if m and m.group(1):
                    msg = (f"The {want} location constraint is incompatible for the region specific endpoint "
                           "this request was sent to.")
                else:
                    msg = ("The unspecified location constraint is incompatible for the region specific "
                           "endpoint this request was sent to.")
                return simhttp.aws_error(req, "IllegalLocationConstraintException", msg, 400)
            return None
        with self.moto_lock:
            ent = s3_backends.bucket_accounts.get(req.bucket)
            b = s3_backends[ent[1]][ent[0]].buckets.get(req.bucket) if ent else None
            region = b.region_name if b is not None else None
        if region is None or region == req.scope_region:
            return None
        r = simhttp.aws_error(req, "AuthorizationHeaderMalformed",
                              f"The authorization header is malformed; the region '{req.scope_region}' is wrong; "
                              f"expecting '{region}'", 400, extra={"Region": region})
        r.headers.append(("x-amz-bucket-region", region))
        return r

    def org_of(self, acct):
        """The id of the Organization acct belongs to, or None."""
        for by_acct in list(organizations_backends.values()):
            be = by_acct.get("aws") if hasattr(by_acct, "get") else None
            org = getattr(be, "org", None)
            if org is not None and any(a.id == acct for a in be.accounts):
                return org.id
        return None

    def s3_policy_check(self, req):
        """The bucket policy, evaluated as AWS does (iampolicy.py): an explicit Deny refuses the request
        (403 AccessDenied); a principal of another account needs the policy's Allow (AWS: cross-account
        access needs both the identity policy, which moto checks, and the resource policy).
        aws:SecureTransport is true on a TLS connection (moto would see plain HTTP)."""
        op = req.operation or ""
        if op in ("CreateBucket", "ListBuckets") or not req.access_key_id:
            return None
        with self.moto_lock:
            ent = s3_backends.bucket_accounts.get(req.bucket)
            b = s3_backends[ent[1]][ent[0]].buckets.get(req.bucket) if ent else None
            if b is None:
                return None
            owner, policy = ent[1], b.policy
            caller = get_account_id_from(req.access_key_id)
            if caller not in iam_backends or req.access_key_id not in iam_backends[caller]["global"].access_keys:
                return None  # an unknown key: moto answers InvalidAccessKeyId
            org = self.org_of(caller)
        arn = self.user_arn_of(req.access_key_id)
        action = S3_ACTIONS.get(op) or ("s3:" + op if re.match(r"(Get|Put|Delete)", op) else "s3:" + op)
        key = req.path.lstrip("/").split("/", 1)
        resource = f"arn:aws:s3:::{req.bucket}" + (
            "/" + unquote_to_bytes(key[1]).decode("utf-8", "replace") if len(key) > 1 and key[1] else "")
        if op == "DeleteObjects":
            resource = f"arn:aws:s3:::{req.bucket}/*"
        ctx = iampolicy.user_context(arn, caller, org, getattr(req, "secure", bool(self.ca_bundle)))
        eff, _sid = iampolicy.evaluate(policy, action, resource, iampolicy.Principal(arn=arn, account=caller), ctx)
        if eff == "Deny":
            msg = (f"User: {arn} is not authorized to perform: {action} on resource: \"{resource}\" with an explicit "
                   "deny in a resource-based policy") if caller == owner else "Access Denied"
            return simhttp.aws_error(req, "AccessDenied", msg, 403)
        if caller != owner and eff != "Allow":
            return simhttp.aws_error(req, "AccessDenied", "Access Denied", 403)
        return None

    def auth_error_shape(self, req, resp):
        """moto's auth layer answers <ErrorResponse><Errors><Error>...; AWS's query services answer
        <ErrorResponse xmlns=..><Error>..</Error><RequestId>, EC2 <Response><Errors>..<RequestID>,
        and EC2 says UnauthorizedOperation where moto says AccessDenied."""
        code = re.search(rb"<Code>([^<]*)</Code>", resp.body)
        msg = re.search(rb"<Message>([^<]*)</Message>", resp.body)
        code = code.group(1).decode() if code else "InternalFailure"
        msg = msg.group(1).decode() if msg else ""
        msg = msg.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
        if req.protocol == "ec2" and code == "AccessDenied":
            code = "UnauthorizedOperation"
            msg = "You are not authorized to perform this operation. " + msg
        return simhttp.aws_error(req, code, msg, resp.status)

    def orgs_error_to_json(self, req, resp):
        ctype = dict((k.lower(), v) for k, v in resp.headers).get("content-type", "")
        if "json" in ctype:
            return resp
        code = re.search(rb"<Code>([^<]*)</Code>", resp.body)
        msg = re.search(rb"<Message>([^<]*)</Message>", resp.body)
        code = code.group(1).decode() if code else "ServiceException"
        msg = msg.group(1).decode() if msg else ""
        msg = msg.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
        json_code = {"AccessDenied": "AccessDeniedException", "InvalidClientTokenId": "UnrecognizedClientException",
                     "SignatureDoesNotMatch": "InvalidSignatureException"}.get(code, code)
        status = 500 if resp.status >= 500 else 400
        return simhttp.aws_error(req, json_code, msg, status)

    def handle_control(self, req):
        if req.header("x-cloudsim-control") != self.control_token:
            return Resp(403, [("Content-Type", "text/plain")], b"forbidden\n")
        what = req.path[len("/__cloudsim/"):]
        if what == "deliver":
            try:
                fail = json.loads(req.body or b"{}").get("fail")
            except ValueError:
                fail = None
            res = self.billing.deliver(fail)
            return Resp(200, [("Content-Type", "application/json")], json.dumps(res))
        if what == "import":
            import cximport
            return Resp(200, [("Content-Type", "application/json")], json.dumps(cximport.run(self.certerox)))
        if what == "status":
            res = {"exports": self.billing.count("exports"), "reports": self.billing.count("reports"),
                   "cloud_accounts": self.certerox.count()}
            return Resp(200, [("Content-Type", "application/json")], json.dumps(res))
        if what == "save":
            self.save()
            return Resp(200, [("Content-Type", "application/json")], b"{}")
        return Resp(404, [("Content-Type", "text/plain")], b"not found\n")


def bind_front(sim, kind, port, ctx):
    for p in ([port] if port else []) + [0]:
        try:
            return simhttp.Front(("127.0.0.1", p), sim, kind, ctx)
        except OSError:
            continue
    raise OSError("cannot bind")


def warm_moto(sim):
    """CLOUDSIM_WARM_EC2=1 (bench/): runs the read operations of the wizard's discovery and key
    check once, in process (no HTTP: not logged, no latency, no faults), signed by the management
    administrator, so that moto's first-call work (imports, templates, routes: 50-250 ms each,
    under the moto lock) is done before the sim is ready. Real AWS has no such first call."""
    import botocore.session
    from botocore.awsrequest import AWSResponse
    from botocore.config import Config
    from moto.core.botocore_stubber import MockRawResponse
    from urllib.parse import urlsplit

    def send(request, **kw):
        u = urlsplit(request.url)
        body = request.body or b""
        if hasattr(body, "read"):
            body = body.read()
        if isinstance(body, str):
            body = body.encode()
        hdrs = [(k, v.decode() if isinstance(v, bytes) else v) for k, v in request.headers.items()]
        hdrs.append(("Host", u.netloc))
        r = sim.handle_aws(simhttp.Req(request.method, u.path + ("?" + u.query if u.query else ""), hdrs, body))
        return AWSResponse(request.url, r.status, dict(r.headers), MockRawResponse(r.body))

    adm = sim.accounts["management"]
    s = botocore.session.get_session()
    s.set_config_variable("config_file", "/dev/null")
    s.set_config_variable("credentials_file", "/dev/null")
    cfg = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1})

    def client(svc):
        c = s.create_client(svc, region_name=REGION, endpoint_url=sim.aws_url, verify=False,
                            aws_access_key_id=adm["access_key_id"], aws_secret_access_key=adm["secret_access_key"],
                            config=cfg)
        c.meta.events.register("before-send", send)
        return c

    iam, s3, ec2 = client("iam"), client("s3"), client("ec2")
    pol = f"arn:aws:iam::{adm['account_id']}:policy/CloudsimAdministratorAccess"
    calls = [lambda: client("sts").get_caller_identity(),
             lambda: client("organizations").describe_organization(),
             lambda: ec2.describe_regions(), lambda: ec2.describe_regions(DryRun=True),
             lambda: iam.list_users(), lambda: iam.list_access_keys(UserName=ADMIN_USER),
             lambda: iam.list_attached_user_policies(UserName=ADMIN_USER),
             lambda: iam.list_policy_versions(PolicyArn=pol),
             lambda: iam.get_policy_version(PolicyArn=pol, VersionId="v1"),
             lambda: s3.list_buckets(), lambda: s3.head_bucket(Bucket="cloudsim-warm-none"),
             lambda: s3.get_bucket_location(Bucket="cloudsim-warm-none"),
             lambda: s3.get_bucket_policy(Bucket="cloudsim-warm-none"),
             lambda: s3.list_objects_v2(Bucket="cloudsim-warm-none", Prefix="p/")]
    for call in calls:
        try:
            call()
        except Exception:  # noqa: BLE001 (an error answer warms the same paths)
            pass


def main():
    d = os.path.abspath(sys.argv[1])
    t0 = time.time()
    sim = Sim(d)
    sim.load_or_bootstrap()
    import orgsim  # --member-accounts N; never fewer than before; members' admin role
    have = read_json(os.path.join(d, "members.json"), [])
    members = orgsim.ensure_members(sim, MANAGEMENT_ACCOUNT, have, sim.opts.get("member_accounts") or 0)
    if members != have:
        write_json_atomic(os.path.join(d, "members.json"), members)
    if members != have or sim.dirty:
        sim.save()
    if os.environ.get("CLOUDSIM_WARM_EC2") == "1":  # bench/: moto builds EC2 lazily (~2 s at 1st call)
        from moto.ec2.models import ec2_backends
        for acct in sim.accounts.values():
            ec2_backends[acct["account_id"]][REGION]
        sim.app.get_application({"PATH_INFO": "/", "HTTP_HOST": "127.0.0.1", "HTTP_AUTHORIZATION":
                                 "AWS4-HMAC-SHA256 Credential=A/20250101/us-east-1/ec2/aws4_request"})
    import billing
    import certerox
    sim.billing = billing.Billing(sim)
    prev = read_json(os.path.join(d, "ports.json"), {})
    ctx = None
    if sim.ca_bundle:
        ctx = simhttp.make_ssl_context(os.path.join(d, "server.pem"), os.path.join(d, "server-key.pem"))
    aws = bind_front(sim, "aws", prev.get("aws"), ctx)
    cx = bind_front(sim, "certerox", prev.get("certerox"), ctx)
    sim.aws_port = aws.server_address[1]
    scheme = "https" if ctx else "http"
    sim.aws_url = f"{scheme}://127.0.0.1:{sim.aws_port}"
    sim.certerox_url = f"{scheme}://127.0.0.1:{cx.server_address[1]}"
    sim.certerox = certerox.CerteroX(sim)
    if os.environ.get("CLOUDSIM_WARM_EC2") == "1":
        warm_moto(sim)
    write_json_atomic(os.path.join(d, "ports.json"), {"aws": sim.aws_port, "certerox": cx.server_address[1]})
    sim.control_token = secrets.token_hex(16)
    tokpath = os.path.join(d, "control-token")
    with open(tokpath + ".tmp", "w") as f:
        f.write(sim.control_token)
    os.chmod(tokpath + ".tmp", 0o600)
    os.replace(tokpath + ".tmp", tokpath)

    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    threads = []
    for srv in (aws, cx):
        t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        t.start()
        threads.append(t)
    with open(os.path.join(d, "pid.tmp"), "w") as f:
        f.write(str(os.getpid()))
    os.replace(os.path.join(d, "pid.tmp"), os.path.join(d, "pid"))
    info = {"aws_url": sim.aws_url, "certerox_url": sim.certerox_url, "ca_bundle": sim.ca_bundle or "",
            "pid": os.getpid(), "accounts": sim.accounts, "certerox": sim.certerox.env_info()}
    # Everything built so far (moto, botocore models, the warm clients of certerox.py, and start-up
    # garbage) lives as long as the server: out of the collector's reach, so that no full collection
    # of it (~130 ms, GIL held) stalls a request ~1 s after ready (a sim artefact on a client's path).
    gc.freeze()
    write_json_atomic(os.path.join(d, "ready"), info)
    sys.stderr.write(f"cloudsim server pid {os.getpid()} ready in {time.time() - t0:.2f}s\n")
    sys.stderr.flush()

    # The state is pickled under the moto lock (~100 ms): done when no request has been seen for
    # a second, so that it does not stall a client's requests (a sim artefact on their path),
    # and at the latest 30 s after the last save.
    last_save = time.time()
    while not stop.wait(0.1):
        now = time.time()
        if sim.dirty and now - last_save > 2 and (now - sim.last_activity > 1.0 or now - last_save > 30):
            try:
                sim.save()
            except Exception:
                traceback.print_exc()
            last_save = time.time()
    for srv in (aws, cx):
        srv.shutdown()
        srv.server_close()
        srv.close_all()
    try:
        sim.save()
        sim.billing.save()
        sim.certerox.save()
    except Exception as e:
        traceback.print_exc()
        sys.stderr.write(f"cloudsim server: state not saved: {e!r}\n")  # cloudsim stop says so
    for n in ("ready", "pid"):
        try:
            os.unlink(os.path.join(d, n))
        except FileNotFoundError:
            pass
    sys.stderr.write("cloudsim server stopped\n")
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
