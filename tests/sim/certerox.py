"""CerteroX (OptScale) REST emulation: auth tokens, organizations, cloud_accounts, cloud_account_verify.

The contract is ../shared/spec/certerox-api.md.  Server-side AWS work is done with the
submitted key, through botocore, against the sim's own AWS endpoint (TLS, latency and faults
as any client's).  Like a real server's, the clients are warm: one per service and region,
built at start (models loaded once), sharing one pool of kept-alive connections, each call
signed with the key of the request its thread serves (SubmittedKey).  State: DIR/certerox.json.
"""

import datetime as dt
import json
import os
import re
import secrets
import threading
import time
import uuid

import botocore.session
from botocore.config import Config
from botocore.credentials import Credentials, ReadOnlyCredentials
from botocore.exceptions import ClientError, BotoCoreError

import simhttp
from simhttp import Resp

CONFIG_KEYS = {"access_key_id": str, "secret_access_key": str, "linked": bool, "cur_version": int,
               "config_scheme": str, "bucket_name": str, "bucket_prefix": str, "report_name": str,
               "use_edp_discount": bool}
CREATE_KEYS = ("name", "type", "config", "auto_import", "process_recommendations")
PATCH_KEYS = ("name", "config", "auto_import", "process_recommendations", "last_import_at",
              "last_import_modified_at", "last_import_attempt_at", "last_import_attempt_error")
SCHEMES = ("find_report", "create_report", "bucket_only")
NAME_CHARS = r"[A-Za-z0-9!'()*+,\-./:;<=>?@\[\\\]_|]+"
DATA_SUFFIXES = (".csv.gz", ".csv.zip", ".snappy.parquet")
DENIED = ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AllAccessDisabled")


class CxError(Exception):
    def __init__(self, status, code, reason, params=None):
        super().__init__(reason)
        self.status, self.code, self.reason, self.params = status, code, reason, params or []


class ReportError(Exception):
    pass


def bucket_policy(bucket, acct):
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "EnableAWSDataExportsToWriteToS3AndCheckPolicy",
        "Effect": "Allow",
        "Principal": {"Service": ["billingreports.amazonaws.com", "bcm-data-exports.amazonaws.com"]},
        "Action": ["s3:PutObject", "s3:GetBucketPolicy"],
        "Resource": [f"arn:aws:s3:::{bucket}/*", f"arn:aws:s3:::{bucket}"],
        "Condition": {"StringLike": {"aws:SourceAccount": acct, "aws:SourceArn": [
            f"arn:aws:cur:us-east-1:{acct}:definition/*", f"arn:aws:bcm-data-exports:us-east-1:{acct}:export/*"]}},
    }]})


class SubmittedKey(Credentials):
    """What the server-side clients sign with: the key submitted in the CerteroX request this
    thread is serving (set by CerteroX._client, cleared when the request is answered).  One set of
    clients thus serves every key, warm, as a real server's do: a client per key cost 2-10 ms
    per service and a TLS handshake per service, a cold service 50-130 ms (model loading)."""

    def __init__(self):  # no super().__init__: access_key and secret_key are per thread
        self._tl = threading.local()
        self.token = None
        self.method = "explicit"
        self.account_id = None

    def use(self, access_key_id, secret_access_key):
        self._tl.pair = (access_key_id, secret_access_key)

    def clear(self):
        self._tl.pair = None

    def _pair(self):
        pair = getattr(self._tl, "pair", None)
        if pair is None:
            raise RuntimeError("cloudsim CerteroX: AWS call without a submitted key")
        return pair

    @property
    def access_key(self):
        return self._pair()[0]

    @property
    def secret_key(self):
        return self._pair()[1]

    def get_frozen_credentials(self):
        ak, sk = self._pair()
        return ReadOnlyCredentials(ak, sk, None, None)


class _KeyProvider:
    """The session's credential_provider component: always the thread's submitted key."""

    def __init__(self, creds):
        self.creds = creds

    def load_credentials(self):
        return self.creds


# Clients built when the server starts (their models loaded once): the services and regions of
# the usual submissions; any other region gets its client at first use (~5 ms).
WARM_CLIENTS = (("sts", "us-east-1"), ("s3", "us-east-1"), ("bcm-data-exports", "us-east-1"),
                ("cur", "us-east-1"))


class CerteroX:
    def __init__(self, sim):
        self.sim = sim
        self.path = os.path.join(sim.dir, "certerox.json")
        self.lock = threading.RLock()
        self.boto_lock = threading.Lock()
        self._key = SubmittedKey()
        self._session = None
        self._clients = {}  # (service, region) -> botocore client, shared by every request and key
        self._http = None  # the clients' one HTTP session (connection pool)
        try:
            with open(self.path) as f:
                self.st = json.load(f)
        except (OSError, ValueError):
            uid = str(uuid.uuid4())
            org = str(uuid.uuid4())
            self.st = {
                "users": [{"id": uid, "email": "admin@certerox.test", "password": secrets.token_urlsafe(12),
                           "display_name": "CerteroX Admin"}],
                "tokens": {},
                "organizations": [{"id": org, "name": "Cloudsim Org", "pool_id": str(uuid.uuid4()),
                                   "is_demo": False, "currency": "USD", "created_at": int(time.time()),
                                   "deleted_at": 0}],
                "cloud_accounts": [],
            }
            self.st["bootstrap_token"] = self._new_token(uid)
            self.save()
        # --organizations N: the bootstrap user sees N organizations (extra ones are added,
        # never removed; the first stays the one of CERTEROX_ORGANIZATION_ID).
        want = int((getattr(sim, "opts", None) or {}).get("organizations") or 1)
        orgs = self.st["organizations"]
        if len(orgs) < want:
            for i in range(len(orgs) + 1, want + 1):
                orgs.append({"id": str(uuid.uuid4()), "name": f"Cloudsim Org {i}",
                             "pool_id": str(uuid.uuid4()), "is_demo": False, "currency": "USD",
                             "created_at": int(time.time()), "deleted_at": 0})
            self.save()
        for service, region in WARM_CLIENTS:
            self._shared_client(service, region)

    # -- state --------------------------------------------------------------
    def save(self):
        with self.lock:
            data = json.dumps(self.st, indent=1, sort_keys=True)
        tmp = self.path + ".tmp"
        with open(tmp, "w") as f:
            f.write(data)
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)

    def count(self):
        with self.lock:
            return len(self.st["cloud_accounts"])

    def env_info(self):
        u = self.st["users"][0]
        return {"token": self.st["bootstrap_token"], "organization_id": self.st["organizations"][0]["id"],
                "email": u["email"], "password": u["password"]}

    def _new_token(self, uid):
        tok = secrets.token_urlsafe(48)
        self.st["tokens"][tok] = {"user_id": uid, "valid_until": int(time.time()) + 7 * 86400}
        return tok

    # -- HTTP ---------------------------------------------------------------
    def handle(self, req):
        try:
            return self._route(req)
        except CxError as e:
            return simhttp.certerox_error(e.status, e.code, e.reason, e.params)
        finally:
            self._key.clear()

    def _json(self, status, obj):
        if status == 204:
            return Resp(204, [], b"")
        return Resp(status, [("Content-Type", "application/json; charset=UTF-8")], json.dumps(obj))

    def _body(self, req):
        try:
            b = json.loads(req.body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            raise CxError(400, "OE0233", "Incorrect request body received")
        if not isinstance(b, dict):
            raise CxError(400, "OE0233", "Incorrect request body received")
        return b

    def _auth(self, req):
        h = req.header("authorization")
        if not h:
            raise CxError(401, "OE0237", "This resource requires authorization")
        tok = h[7:] if h.startswith("Bearer ") else None
        ent = self.st["tokens"].get(tok) if tok else None
        if not ent or ent["valid_until"] < time.time():
            raise CxError(401, "OE0235", "Unauthorized")
        return ent["user_id"]

    def _org(self, org_id):
        for o in self.st["organizations"]:
            if o["id"] == org_id and not o.get("deleted_at"):
                return o
        raise CxError(404, "OE0002", f"Organization {org_id} not found", ["Organization", org_id])

    def _ca(self, ca_id):
        for c in self.st["cloud_accounts"]:
            if c["id"] == ca_id:
                return c
        raise CxError(404, "OE0002", f"Cloud account {ca_id} not found", ["Cloud account", ca_id])

    def _route(self, req):
        p = req.path.rstrip("/") or "/"
        m = req.method
        if p == "/auth/v2/tokens":
            if m != "POST":
                raise CxError(405, "OE0002", "Method not allowed")
            return self.login(req)
        if not p.startswith("/restapi/v2/"):
            raise CxError(404, "OE0002", "Not found")
        self._auth(req)
        rest = p[len("/restapi/v2/"):]
        if rest == "organizations" and m == "GET":
            return self._json(200, {"organizations": [o for o in self.st["organizations"] if not o.get("deleted_at")]})
        mo = re.fullmatch(r"organizations/([^/]+)", rest)
        if mo and m == "GET":
            return self._json(200, self._org(mo.group(1)))
        mo = re.fullmatch(r"organizations/([^/]+)/cloud_accounts", rest)
        if mo:
            org = self._org(mo.group(1))
            if m == "POST":
                return self.create(req, org)
            if m == "GET":
                return self.list(req, org)
        mo = re.fullmatch(r"cloud_accounts/([^/]+)", rest)
        if mo:
            with self.lock:
                ca = self._ca(mo.group(1))
            if m == "GET":
                return self._json(200, self._public(ca))
            if m == "PATCH":
                return self.patch(req, ca)
            if m == "DELETE":
                with self.lock:
                    self.st["cloud_accounts"] = [c for c in self.st["cloud_accounts"] if c["id"] != ca["id"]]
                    self.save()
                return self._json(204, None)
        if rest == "cloud_account_verify" and m == "POST":
            return self.verify(req)
        raise CxError(404, "OE0002", "Not found")

    def login(self, req):
        b = self._body(req)
        for k in ("email", "password"):
            if not b.get(k):
                raise CxError(400, "OA0039", f"{k} is not provided", [k])
        with self.lock:
            for u in self.st["users"]:
                if u["email"].lower() == str(b["email"]).lower() and u["password"] == b["password"]:
                    tok = self._new_token(u["id"])
                    self.save()
                    now = int(time.time())
                    return self._json(201, {
                        "token": tok, "user_id": u["id"], "user_email": u["email"],
                        "created_at": dt.datetime.utcfromtimestamp(now).isoformat(),
                        "valid_until": dt.datetime.utcfromtimestamp(self.st["tokens"][tok]["valid_until"]).isoformat(),
                        "ip": "127.0.0.1", "digest": secrets.token_hex(16)})
        raise CxError(403, "OA0037", "Email or password is invalid")

    # -- cloud accounts -------------------------------------------------------
    @staticmethod
    def _public(ca):
        out = {k: v for k, v in ca.items() if k != "config"}
        out["config"] = {k: v for k, v in ca["config"].items() if k != "secret_access_key"}
        return out

    def list(self, req, org):
        typ = req.query.get("type", [None])[0]
        only_linked = req.query.get("only_linked", ["false"])[0].lower() == "true"
        with self.lock:
            out = [self._public(c) for c in self.st["cloud_accounts"] if c["organization_id"] == org["id"]
                   and (typ is None or c["type"] == typ)
                   and (not only_linked or c["config"].get("linked"))]
        return self._json(200, {"cloud_accounts": out})

    @staticmethod
    def _check_unexpected(d, allowed):
        extra = [k for k in d if k not in allowed]
        if extra:
            raise CxError(400, "OE0212", f"Unexpected parameters: {extra!r}", [str(extra)])

    @staticmethod
    def _check_str(key, v, allow_empty=False):
        if not isinstance(v, str):
            raise CxError(400, "OE0214", f"{key} should be a string", [key])
        if not allow_empty and not 1 <= len(v) <= 255 or allow_empty and len(v) > 255:
            raise CxError(400, "OE0215", f"{key} should contain 1-255 characters", [key, 1, 255])
        if v and not v.strip():
            raise CxError(400, "OE0416", f"{key} should not contain only whitespaces", [key])

    def _validate_config(self, cfg):
        if not isinstance(cfg, dict):
            raise CxError(400, "OE0344", "config should be a dictionary", ["config"])
        self._check_unexpected(cfg, CONFIG_KEYS)
        for k in ("access_key_id", "secret_access_key"):
            if cfg.get(k) is None:
                raise CxError(400, "OE0216", f"{k} is not provided", [k])
        for k, t in CONFIG_KEYS.items():
            if k not in cfg or cfg[k] is None:
                continue
            v = cfg[k]
            if t is str:
                self._check_str(k, v, allow_empty=(k == "bucket_prefix"))
            elif t is bool and not isinstance(v, bool):
                raise CxError(400, "OE0226", f"{k} should be True or False", [k])
            elif t is int and (isinstance(v, bool) or not isinstance(v, int)):
                raise CxError(400, "OE0223", f"{k} should be integer", [k])
        if cfg.get("config_scheme") is not None and cfg["config_scheme"] not in SCHEMES:
            raise CxError(400, "OE0217", f"Invalid config_scheme: {cfg['config_scheme']}", ["config_scheme"])

    def _validate_top(self, b, allowed, creating):
        self._check_unexpected(b, allowed)
        if creating:
            for k in ("name", "type", "config"):
                if b.get(k) is None:
                    raise CxError(400, "OE0216", f"{k} is not provided", [k])
        if "name" in b:
            self._check_str("name", b["name"])
        if creating and b["type"] != "aws_cnr":
            self._check_str("type", b["type"])
            raise CxError(400, "OE0436", f"{b['type']} cloud is not supported", [b["type"]])
        for k in ("auto_import", "process_recommendations"):
            if k in b and not isinstance(b[k], bool):
                raise CxError(400, "OE0226", f"{k} should be True or False", [k])
        if "config" in b:
            self._validate_config(b["config"])

    def create(self, req, org):
        b = self._body(req)
        self._validate_top(b, CREATE_KEYS, True)
        with self.lock:
            if any(c["name"] == b["name"] and c["organization_id"] == org["id"] for c in self.st["cloud_accounts"]):
                raise CxError(409, "OE0404", f"Cloud account {b['name']} already exists for organization "
                              f"{org['id']}", [b["name"], org["id"]])
        cfg = dict(b["config"])
        acct = self._caller_account(cfg)
        self._check_account_unique(org, acct, None)
        cfg = self._configure(cfg, acct)
        now = int(time.time())
        ca = {"id": str(uuid.uuid4()), "name": b["name"], "type": "aws_cnr", "organization_id": org["id"],
              "config": cfg, "account_id": acct, "auto_import": b.get("auto_import", True),
              "process_recommendations": b.get("process_recommendations", True), "created_at": now,
              "deleted_at": 0, "last_import_at": 0, "last_import_modified_at": 0, "last_import_attempt_at": 0,
              "last_import_attempt_error": None, "last_getting_metrics_at": 0, "last_getting_metric_attempt_at": 0,
              "last_getting_metric_attempt_error": None, "cleaned_at": 0, "parent_id": None,
              "import_period": 1, "creator_id": None}
        with self.lock:
            if any(c["name"] == b["name"] and c["organization_id"] == org["id"] for c in self.st["cloud_accounts"]):
                raise CxError(409, "OE0404", f"Cloud account {b['name']} already exists for organization "
                              f"{org['id']}", [b["name"], org["id"]])
            self._check_account_unique(org, acct, None)
            self.st["cloud_accounts"].append(ca)
            self.save()
        return self._json(201, self._public(ca))

    def patch(self, req, ca):
        b = self._body(req)
        self._validate_top(b, PATCH_KEYS, False)
        upd = {}
        if "config" in b:
            cfg = dict(b["config"])
            acct = self._caller_account(cfg)
            org = self._org(ca["organization_id"])
            self._check_account_unique(org, acct, ca["id"])
            upd["config"] = self._configure(cfg, acct)
            upd["account_id"] = acct
        with self.lock:
            if "name" in b and any(c["name"] == b["name"] and c["organization_id"] == ca["organization_id"] and
                                   c["id"] != ca["id"] for c in self.st["cloud_accounts"]):
                raise CxError(409, "OE0404", f"Cloud account {b['name']} already exists for organization "
                              f"{ca['organization_id']}", [b["name"], ca["organization_id"]])
            for k in PATCH_KEYS:
                if k in b and k != "config":
                    ca[k] = b[k]
            ca.update(upd)
            self.save()
        return self._json(200, self._public(ca))

    def verify(self, req):
        b = self._body(req)
        self._check_unexpected(b, ("type", "config"))
        for k in ("type", "config"):
            if b.get(k) is None:
                raise CxError(400, "OE0216", f"{k} is not provided", [k])
        if b["type"] != "aws_cnr":
            raise CxError(400, "OE0436", f"{b['type']} cloud is not supported", [b["type"]])
        self._validate_config(b["config"])
        self._caller_account(b["config"])
        return self._json(200, {"status": "ok"})

    def _check_account_unique(self, org, acct, self_id):
        with self.lock:
            for c in self.st["cloud_accounts"]:
                if c["organization_id"] == org["id"] and c["account_id"] == acct and c["id"] != self_id:
                    raise CxError(409, "OE0402", "Cloud account for this account already exist", [acct])

    # -- AWS side, with the submitted key ----------------------------------------
    def _shared_client(self, service, region):
        with self.boto_lock:
            if self._session is None:
                self._session = botocore.session.get_session()
                self._session.set_config_variable("config_file", "/dev/null")
                self._session.set_config_variable("credentials_file", "/dev/null")
                self._session.register_component("credential_provider", _KeyProvider(self._key))
            c = self._clients.get((service, region))
            if c is None:
                c = self._clients[(service, region)] = self._session.create_client(
                    service, region_name=region, endpoint_url=self.sim.aws_url,
                    verify=self.sim.ca_bundle or False,
                    config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 3, "mode": "standard"},
                                  connect_timeout=10, read_timeout=60))
                # One endpoint for every service: one pool of kept-alive connections for every client
                # (botocore has no public way to share it; if that changes, each keeps its own).
                ep = getattr(c, "_endpoint", None)
                if ep is not None and hasattr(ep, "http_session"):
                    if self._http is None:
                        self._http = ep.http_session
                    elif ep.http_session is not self._http:
                        ep.http_session.close()
                        ep.http_session = self._http
            return c

    def _client(self, cfg, service, region="us-east-1"):
        """The client of service in region, signing this thread's calls with cfg's key."""
        self._key.use(cfg["access_key_id"], cfg["secret_access_key"])
        return self._shared_client(service, region)

    def _caller_account(self, cfg):
        try:
            ident = self._client(cfg, "sts").get_caller_identity()
        except ClientError as e:
            raise CxError(403, "OE0433", f"Cloud error: {e.response['Error'].get('Message') or str(e)}",
                          [e.response["Error"].get("Message") or str(e)])
        except BotoCoreError as e:
            raise CxError(403, "OE0433", f"Cloud error: {e}", [str(e)])
        return ident["Account"]

    @staticmethod
    def _aws(action, fn):
        try:
            return fn()
        except ClientError as e:
            err = e.response.get("Error", {})
            msg = err.get("Message") or str(e)
            if err.get("Code") in DENIED:
                raise ReportError(f"Not enough permissions to {action}: {msg}")
            raise ReportError(f"Unable to {action}: {msg}")
        except BotoCoreError as e:
            raise ReportError(f"Unable to {action}: {e}")

    def _configure(self, cfg, acct):
        if cfg.get("linked"):
            return cfg
        try:
            return self._configure_report(cfg, acct)
        except ReportError as e:
            raise CxError(400, "OE0371", f"Unable to configure billing report: {e}", [str(e)])

    @staticmethod
    def _check_formats(cfg):
        p = cfg.get("bucket_prefix")
        if p:
            if not re.fullmatch(NAME_CHARS, p):
                raise ReportError(f'Bucket prefix "{p}" has incorrect format')
            cfg["bucket_prefix"] = p.rstrip("/") if p != "/" else p
        r = cfg.get("report_name")
        if r and not re.fullmatch(NAME_CHARS, r):
            raise ReportError(f'Report name "{r}" has incorrect format')

    def _bucket_region(self, cfg, b, create_missing, acct):
        s3 = self._client(cfg, "s3")
        try:
            loc = s3.get_bucket_location(Bucket=b).get("LocationConstraint") or "us-east-1"
            return "eu-west-1" if loc == "EU" else loc
        except ClientError as e:
            err = e.response.get("Error", {})
            if err.get("Code") not in ("NoSuchBucket",):
                msg = err.get("Message") or str(e)
                if err.get("Code") in DENIED:
                    raise ReportError(f"Not enough permissions to check bucket {b} existence: {msg}")
                raise ReportError(f"Unable to check bucket {b} existence: {msg}")
        except BotoCoreError as e:
            raise ReportError(f"Unable to check bucket {b} existence: {e}")
        if not create_missing:
            raise ReportError(f"Bucket {b} not found")
        region = "eu-central-1"
        s3r = self._client(cfg, "s3", region)
        self._aws(f"create bucket {b}", lambda: s3r.create_bucket(
            Bucket=b, CreateBucketConfiguration={"LocationConstraint": region}))
        self._aws(f"configure bucket {b} policy", lambda: s3r.put_bucket_policy(Bucket=b,
                                                                                Policy=bucket_policy(b, acct)))
        return region

    @staticmethod
    def _export_problems(exp, fields=None):
        """Section 5 acceptance rules for a Data Export; fields = (bucket, prefix, region) to compare too."""
        probs = []
        dq = exp.get("DataQuery", {})
        tc = dq.get("TableConfigurations") or {}
        q = dq.get("QueryStatement", "")
        if "COST_AND_USAGE_REPORT" not in tc and "COST_AND_USAGE_REPORT" not in q.upper():
            probs.append("Table must be COST_AND_USAGE_REPORT")
        tg = (tc.get("COST_AND_USAGE_REPORT") or {}).get("TIME_GRANULARITY", "HOURLY")
        if tg not in ("DAILY", "HOURLY"):
            probs.append("TIME_GRANULARITY must be DAILY or HOURLY")
        s3 = exp.get("DestinationConfigurations", {}).get("S3Destination", {})
        oc = s3.get("S3OutputConfigurations", {})
        if oc.get("Format") not in ("TEXT_OR_CSV", "PARQUET"):
            probs.append("Format must be TEXT_OR_CSV or PARQUET")
        if oc.get("Overwrite") != "OVERWRITE_REPORT":
            probs.append("Overwrite must be OVERWRITE_REPORT")
        if fields:
            b, p, r = fields
            if s3.get("S3Bucket") != b:
                probs.append(f"S3Bucket must be {b}")
            if (s3.get("S3Prefix") or "").rstrip("/") != (p or "").rstrip("/"):
                probs.append(f"S3Prefix must be {p}")
            if s3.get("S3Region") != r:
                probs.append(f"S3Region must be {r}")
        return probs

    @staticmethod
    def _report_problems(rd, fields=None):
        probs = []
        if rd.get("TimeUnit") not in ("DAILY", "HOURLY"):
            probs.append("TimeUnit must be DAILY or HOURLY")
        if rd.get("Format") not in ("textORcsv", "Parquet"):
            probs.append("Format must be textORcsv or Parquet")
        if rd.get("Compression") not in ("ZIP", "GZIP", "Parquet"):
            probs.append("Compression must be ZIP, GZIP or Parquet")
        if rd.get("AdditionalSchemaElements") != ["RESOURCES"]:
            probs.append("AdditionalSchemaElements must be ['RESOURCES']")
        if rd.get("RefreshClosedReports") is not True:
            probs.append("RefreshClosedReports must be True")
        if rd.get("ReportVersioning") != "OVERWRITE_REPORT":
            probs.append("ReportVersioning must be OVERWRITE_REPORT")
        if fields:
            b, p, r = fields
            if rd.get("S3Bucket") != b:
                probs.append(f"S3Bucket must be {b}")
            if (rd.get("S3Prefix") or "").rstrip("/") != (p or "").rstrip("/"):
                probs.append(f"S3Prefix must be {p}")
            if rd.get("S3Region") != r:
                probs.append(f"S3Region must be {r}")
        return probs

    def _list_exports(self, cfg):
        bcm = self._client(cfg, "bcm-data-exports")
        out, tok = [], None
        while True:
            kw = {"NextToken": tok} if tok else {}
            page = self._aws("list reports", lambda: bcm.list_exports(**kw))
            for e in page.get("Exports", []):
                full = self._aws(f"find report {e['ExportName']}", lambda: bcm.get_export(ExportArn=e["ExportArn"]))
                out.append(full["Export"])
            tok = page.get("NextToken")
            if not tok:
                return out

    def _list_reports(self, cfg):
        cur = self._client(cfg, "cur")
        out, tok = [], None
        while True:
            kw = {"MaxResults": 5}
            if tok:
                kw["NextToken"] = tok
            page = self._aws("list reports", lambda: cur.describe_report_definitions(**kw))
            out += page.get("ReportDefinitions", [])
            tok = page.get("NextToken")
            if not tok:
                return out

    def _check_access(self, cfg, bucket, prefix, region):
        s3 = self._client(cfg, "s3", region)
        kw = {"Bucket": bucket, "MaxKeys": 15}
        if prefix:
            kw["Prefix"] = prefix
        page = self._aws(f"check access to {bucket}/{prefix}", lambda: s3.list_objects_v2(**kw))
        objs = page.get("Contents", [])
        if objs:
            smallest = min(objs, key=lambda o: o["Size"])
            self._aws(f"perform test {smallest['Key']} download",
                      lambda: s3.get_object(Bucket=bucket, Key=smallest["Key"])["Body"].read())

    def _configure_report(self, cfg, acct):
        scheme = cfg.get("config_scheme") or "find_report"
        v2 = cfg.get("cur_version") == 2
        self._check_formats(cfg)
        if scheme == "find_report":
            if v2:
                items = [(e["Name"], e, self._export_problems(e)) for e in self._list_exports(cfg)]
            else:
                items = [(r["ReportName"], r, self._report_problems(r)) for r in self._list_reports(cfg)]
            good = [(n, x) for n, x, probs in items if not probs]
            if not good:
                raise ReportError("Unable to find report with required configuration")
            checked = []
            for name, x in good:
                if v2:
                    s3d = x["DestinationConfigurations"]["S3Destination"]
                    b, p, r = s3d["S3Bucket"], s3d["S3Prefix"], s3d["S3Region"]
                else:
                    b, p, r = x["S3Bucket"], x["S3Prefix"], x["S3Region"]
                checked.append(name)
                try:
                    self._check_access(cfg, b, "/".join(s for s in (p.strip("/"), name) if s) + "/", r)
                except ReportError:
                    continue
                cfg.update({"bucket_name": b, "report_name": name, "bucket_prefix": p, "region_name": r})
                return cfg
            raise ReportError("Unable to read report data. Checked reports: " + ", ".join(checked))
        if scheme == "create_report":
            for k in ("bucket_name", "report_name"):
                if not cfg.get(k):
                    raise ReportError(f"{k} is required")
            if cfg.get("bucket_prefix") is None:
                cfg["bucket_prefix"] = "reports"
            b, r, p = cfg["bucket_name"], cfg["report_name"], cfg["bucket_prefix"]
            region = self._bucket_region(cfg, b, True, acct)
            if v2:
                existing = [e for e in self._list_exports(cfg) if e["Name"] == r]
                if existing:
                    probs = self._export_problems(existing[0], (b, p, region))
                    if probs:
                        raise ReportError("Invalid report configuration: " + ", ".join(probs))
                else:
                    self._create_export(cfg, b, p, r, region)
            else:
                existing = [x for x in self._list_reports(cfg) if x["ReportName"] == r]
                if existing:
                    probs = self._report_problems(existing[0], (b, p, region))
                    if probs:
                        raise ReportError("Invalid report configuration: " + ", ".join(probs))
                else:
                    cur = self._client(cfg, "cur")
                    self._aws(f"create report {r}", lambda: cur.put_report_definition(ReportDefinition={
                        "ReportName": r, "TimeUnit": "DAILY", "Format": "textORcsv", "Compression": "ZIP",
                        "AdditionalSchemaElements": ["RESOURCES"], "S3Bucket": b, "S3Prefix": p, "S3Region": region,
                        "AdditionalArtifacts": [], "RefreshClosedReports": True,
                        "ReportVersioning": "OVERWRITE_REPORT"}))
            self._check_access(cfg, b, "/".join(s for s in (p.strip("/"), r) if s) + "/", region)
            cfg["region_name"] = region
            return cfg
        # bucket_only
        for k in ("bucket_name", "report_name", "bucket_prefix"):
            if cfg.get(k) is None:
                raise ReportError(f"{k} is required")
        b, r, p = cfg["bucket_name"], cfg["report_name"], cfg["bucket_prefix"]
        region = self._bucket_region(cfg, b, False, acct)
        s3 = self._client(cfg, "s3", region)
        prefixes = [p]
        if "/" in p.strip("/"):
            prefixes.append(p.strip("/").rsplit("/", 1)[0])
        for pp in prefixes:
            lp = "/".join(s for s in (pp.strip("/"), r) if s) + "/"
            files, tok = [], None
            while True:
                kw = {"Bucket": b, "Prefix": lp}
                if tok:
                    kw["ContinuationToken"] = tok
                page = self._aws(f"check access to {b}/{lp}", lambda: s3.list_objects_v2(**kw))
                files += [o for o in page.get("Contents", []) if o["Key"].endswith(DATA_SUFFIXES)]
                tok = page.get("NextContinuationToken")
                if not tok:
                    break
            if files:
                smallest = min(files, key=lambda o: o["Size"])
                self._aws(f"perform test {smallest['Key']} download",
                          lambda: s3.get_object(Bucket=b, Key=smallest["Key"])["Body"].read())
                cfg["bucket_prefix"] = pp
                cfg["region_name"] = region
                return cfg
        raise ReportError(f"Unable to find report {r} files")

    def _create_export(self, cfg, b, p, r, region):
        from billing import data_dir
        with open(os.path.join(data_dir(), "cur2-columns.txt")) as f:
            cols = [c.strip() for c in f if c.strip()]
        bcm = self._client(cfg, "bcm-data-exports")
        self._aws(f"create report {r}", lambda: bcm.create_export(Export={
            "Name": r, "Description": "CerteroX data export",
            "DataQuery": {"QueryStatement": f"SELECT {', '.join(cols)} FROM COST_AND_USAGE_REPORT",
                          "TableConfigurations": {"COST_AND_USAGE_REPORT": {
                              "INCLUDE_MANUAL_DISCOUNT_COMPATIBILITY": "FALSE", "INCLUDE_RESOURCES": "TRUE",
                              "INCLUDE_SPLIT_COST_ALLOCATION_DATA": "TRUE", "TIME_GRANULARITY": "DAILY"}}},
            "DestinationConfigurations": {"S3Destination": {
                "S3Bucket": b, "S3Prefix": p, "S3Region": region,
                "S3OutputConfigurations": {"OutputType": "CUSTOM", "Format": "TEXT_OR_CSV", "Compression": "GZIP",
                                           "Overwrite": "OVERWRITE_REPORT"}}},
            "RefreshCadence": {"Frequency": "SYNCHRONOUS"}}))
