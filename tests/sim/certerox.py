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
from cxreport import Internal, Release, Report, ReportError, bucket_policy  # noqa: F401 (bucket_policy: API)

CREATE_KEYS = ("name", "type", "config", "auto_import", "process_recommendations")
PATCH_KEYS = ("name", "config", "auto_import", "process_recommendations", "last_import_at",
              "last_import_modified_at", "last_import_attempt_at", "last_import_attempt_error")
# tools/cloud_adapter/clouds/aws.py Aws._get_coordinates_map: the regions validate_credentials
# accepts for region_name (newer releases)
REGIONS = ("eu-central-1", "eu-central-2", "eu-west-1", "eu-west-2", "eu-west-3", "eu-south-1", "eu-south-2",
           "eu-north-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2", "af-south-1", "ap-east-1",
           "ap-south-1", "ap-south-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1",
           "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-7",
           "ca-central-1", "ca-west-1", "me-central-1", "me-south-1", "sa-east-1", "cn-north-1",
           "cn-northwest-1", "us-gov-east-1", "us-gov-west-1", "il-central-1", "mx-central-1", "global")


class CxError(Exception):
    def __init__(self, status, code, reason, params=None):
        super().__init__(reason)
        self.status, self.code, self.reason, self.params = status, code, reason, params or []


class SubmittedKey(Credentials):
    """What the server-side clients sign with: the key submitted in the CerteroX request this
    thread is serving (set by CerteroX._client, cleared when the request is answered).  One set of
    clients thus serves every key with its service model loaded (a cold service costs the sim
    50-130 ms of model loading); the connections are new at each use, as OptScale's are (see
    CerteroX._client)."""

    def __init__(self):  # no super().__init__: access_key and secret_key are per thread
        self._tl = threading.local()
        self.method = "explicit"
        self.account_id = None

    def use(self, access_key_id, secret_access_key, token=None):
        self._tl.pair = (access_key_id, secret_access_key, token)

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

    @property
    def token(self):
        return self._pair()[2]

    def get_frozen_credentials(self):
        ak, sk, tok = self._pair()
        return ReadOnlyCredentials(ak, sk, tok, None)


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
        self._role = threading.local()  # credentials of an assumed role, per request
        self.release = Release((getattr(sim, "opts", None) or {}).get("certerox_version"))
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
        # A user of the first organization without MANAGE_CLOUD_CREDENTIALS (OptScale's role
        # check, rest_api handlers v2/cloud_account.py post/patch/delete): CERTEROX_VIEWER_TOKEN.
        if not any(u.get("role") == "viewer" for u in self.st["users"]):
            vid = str(uuid.uuid4())
            self.st["users"].append({"id": vid, "email": "viewer@certerox.test", "role": "viewer",
                                     "password": secrets.token_urlsafe(12), "display_name": "CerteroX Viewer"})
            self.st["viewer_token"] = self._new_token(vid)
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
                "email": u["email"], "password": u["password"], "viewer_token": self.st.get("viewer_token"),
                "version": self.release.version}

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
        except Internal:
            # an exception OptScale does not catch: tornado's BaseHandler.write_error, code U0500
            return simhttp.certerox_error(500, "U0500", "Internal Server Error", [])
        finally:
            self._key.clear()
            self._role.creds = None

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

    def _may_manage(self, uid):
        """check_permissions('MANAGE_CLOUD_CREDENTIALS', ...) of rest_api handlers v2/cloud_account.py:
        403 OE0234 "Forbidden"."""
        u = next((u for u in self.st["users"] if u["id"] == uid), None)
        if not u or u.get("role") == "viewer":
            raise CxError(403, "OE0234", "Forbidden")

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
        uid = self._auth(req)
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
                self._body(req)  # the body is parsed before the permission check (OE0233)
                self._may_manage(uid)
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
                self._may_manage(uid)
                return self.patch(req, ca)
            if m == "DELETE":
                self._may_manage(uid)
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
            # Err.OE0212 with the list as its one parameter (controllers/cloud_account.py validate_config)
            raise CxError(400, "OE0212", f"Unexpected parameters: {extra!r}", [extra])

    @staticmethod
    def _check_str(key, v, check_length=True):
        """utils.py check_string_attribute; check_length=False: check_string alone (any length,
        "" included)."""
        if not isinstance(v, str):
            raise CxError(400, "OE0214", f"{key} should be a string", [key])
        if check_length and not 1 <= len(v) <= 255:
            raise CxError(400, "OE0215", f"{key} should contain 1-255 characters", [key, "1-255"])
        if v and not v.strip():
            raise CxError(400, "OE0416", f"{key} should not contain only whitespaces", [key])

    def _validate_config(self, cfg):
        """controllers/cloud_account.py CloudAccountController.validate_config against the release's
        Aws.BILLING_CREDS: missing required keys (OE0216), then unexpected keys (OE0212, all of
        them named), then the types."""
        if not isinstance(cfg, dict):
            raise CxError(400, "OE0344", "config should be a dictionary", ["config"])
        keys = self.release.config_keys()
        missing = [k for k in ("access_key_id", "secret_access_key") if k not in cfg]
        if missing:
            raise CxError(400, "OE0216", f"{', '.join(missing)} is not provided", [", ".join(missing)])
        self._check_unexpected(cfg, keys)
        # validate_part: type by type (str, int, bool), each in BILLING_CREDS order, every key
        # that is present (a null too): utils.py check_string_attribute (OE0214 for null or a
        # number, OE0215 length, OE0416 blank), check_int_attribute (null: OE0216; OE0223),
        # check_bool_attribute (OE0226). bucket_prefix goes through handle_config's own
        # check_string instead: any string, "" included, no length limit.
        for t in (str, int, bool):
            for k, kt in keys.items():
                if kt is not t or k not in cfg:
                    continue
                v = cfg[k]
                if t is str:
                    self._check_str(k, v, check_length=(k != "bucket_prefix"))
                elif t is bool and not isinstance(v, bool):
                    raise CxError(400, "OE0226", f"{k} should be True or False", [k])
                elif t is int and v is None:
                    raise CxError(400, "OE0216", f"{k} is not provided", [k])
                elif t is int and (isinstance(v, bool) or not isinstance(v, int)):
                    raise CxError(400, "OE0223", f"{k} should be integer", [k])

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
            raise CxError(400, "OE0436", f"{b['type']} type is not supported", [b["type"]])
        for k in ("auto_import", "process_recommendations"):
            if k in b and not isinstance(b[k], bool):
                raise CxError(400, "OE0226", f"{k} should be True or False", [k])

    def _handle_config(self, cfg):
        """CloudAccountController.handle_config: validate_config, then Aws.validate_credentials
        (region_name in the region map, sts:GetCallerIdentity; 403 OE0433). The account id."""
        self._validate_config(cfg)
        return self.caller_account(cfg)

    def _name_taken(self, org_id, name, self_id=None):
        with self.lock:
            if any(c["name"] == name and c["organization_id"] == org_id and c["id"] != self_id
                   for c in self.st["cloud_accounts"]):
                raise CxError(409, "OE0404", f"Cloud account {name} already exists for organization {org_id}",
                              [name, org_id])

    def create(self, req, org):
        """CloudAccountController.create: the order of its checks is the real one: config keys
        and types, the key (STS), the account already connected (OE0402), the name (OE0404),
        then the report setup."""
        b = self._body(req)
        self._validate_top(b, CREATE_KEYS, True)
        cfg = dict(b["config"])
        acct = self._handle_config(cfg)
        self._check_account_unique(org, acct, None)
        self._name_taken(org["id"], b["name"])
        cfg = self._configure(cfg, acct)
        now = int(time.time())
        ca = {"id": str(uuid.uuid4()), "name": b["name"], "type": "aws_cnr", "organization_id": org["id"],
              "config": cfg, "account_id": acct, "auto_import": b.get("auto_import", True),
              "process_recommendations": b.get("process_recommendations", True), "created_at": now,
              "deleted_at": 0, "last_import_at": 0, "last_import_modified_at": 0, "last_import_attempt_at": 0,
              "last_import_attempt_error": None, "last_getting_metrics_at": 0, "last_getting_metric_attempt_at": 0,
              "last_getting_metric_attempt_error": None, "cleaned_at": 0, "parent_id": None,
              "import_period": 1, "creator_id": None}
        with self.lock:  # two creates at once: the database's uniqueness decides
            self._check_account_unique(org, acct, None)
            self._name_taken(org["id"], b["name"])
            self.st["cloud_accounts"].append(ca)
            self.save()
        return self._json(201, self._public(ca))

    def patch(self, req, ca):
        """CloudAccountController.edit: the name first (OE0404), then the config (validated, the
        key, OE0402); the report setup runs again only when the config changed and auto_import is on."""
        b = self._body(req)
        self._validate_top(b, PATCH_KEYS, False)
        if "config" in b:
            self._validate_config(b["config"])
        if "name" in b:
            self._name_taken(ca["organization_id"], b["name"], ca["id"])
        upd = {}
        if b.get("config"):
            cfg = dict(b["config"])
            acct = self.caller_account(cfg)
            org = self._org(ca["organization_id"])
            self._check_account_unique(org, acct, ca["id"])
            upd["account_id"] = acct
            if cfg != ca["config"] and ca.get("auto_import", True):
                cfg = self._configure(cfg, acct)
            upd["config"] = cfg
        with self.lock:
            if "name" in b:
                self._name_taken(ca["organization_id"], b["name"], ca["id"])
            for k in PATCH_KEYS:
                if k in b and k != "config":
                    ca[k] = b[k]
            ca.update(upd)
            self.save()
        return self._json(200, self._public(ca))

    def verify(self, req):
        """handlers/v2/cloud_account_verify.py + CloudAccountController.verify: any token; other
        top-level keys are ignored; config validated as on create (OE0216, OE0212, types), then the
        key (403 OE0433). No report setup."""
        b = self._body(req)
        if b.get("type") is None:
            raise CxError(400, "OE0216", "type is not provided", ["type"])
        if b["type"] != "aws_cnr":
            raise CxError(400, "OE0436", f"{b['type']} type is not supported", [b["type"]])
        cfg = b.get("config") or {}
        self._handle_config(dict(cfg) if isinstance(cfg, dict) else cfg)
        return self._json(200, {"status": "ok"})

    def _check_account_unique(self, org, acct, self_id):
        with self.lock:
            for c in self.st["cloud_accounts"]:
                if c["organization_id"] == org["id"] and c["account_id"] == acct and c["id"] != self_id:
                    raise CxError(409, "OE0402", "Cloud account for this account already exist", [])

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
        """The client of service in region, signing this thread's calls with cfg's key (or the
        role it assumed, see caller_account).

        Each use goes out on a new connection: OptScale's adapter makes a new botocore client,
        with its own connection pool, every time it names one (tools/cloud_adapter/clouds/
        base.py Base.s3, aws.py Aws.sts and Aws.cur_2: session.client() inside a property, e.g.
        _find_exports calls self.cur_2 once for ListExports and again for each GetExport), so each
        AWS call of its check pays the TCP and TLS handshakes (--handshake-ms on the AWS side).
        The sim's clients stay loaded; only their kept-alive connections are dropped here."""
        creds = getattr(self._role, "creds", None)
        if creds:
            self._key.use(creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
        else:
            self._key.use(cfg["access_key_id"], cfg["secret_access_key"])
        c = self._shared_client(service, region)
        with self.boto_lock:
            if self._http is not None:
                self._http.close()  # idle connections only: a call in flight keeps its own
        return c

    @staticmethod
    def _cloud_error(text):
        return CxError(403, "OE0433", f"Cloud error: {text}", [text])

    def caller_account(self, cfg):
        """aws.py Aws.validate_credentials: region_name must be one the adapter knows ("Invalid
        region: x"); with assume_role_account_id and assume_role_name, sts:AssumeRole into
        arn:aws:iam::<id>:role/<name> (session name assume_role_session_name, default
        "opt-session") first (Aws.get_session); then sts:GetCallerIdentity. Rejections: 403
        OE0433 "Cloud error: <botocore's text>"."""
        region = cfg.get("region_name")
        if self.release.region_name and region and region not in REGIONS:
            raise self._cloud_error(f"Invalid region: {region}")
        self._role.creds = None
        try:
            if self.release.assume_role and cfg.get("assume_role_account_id") and cfg.get("assume_role_name"):
                arn = f"arn:aws:iam::{cfg['assume_role_account_id']}:role/{cfg['assume_role_name']}"
                r = self._client(cfg, "sts").assume_role(
                    RoleArn=arn, RoleSessionName=cfg.get("assume_role_session_name") or "opt-session")
                self._role.creds = r["Credentials"]
            ident = self._client(cfg, "sts").get_caller_identity()
        except ClientError as e:
            raise self._cloud_error(str(e))
        except BotoCoreError as e:
            raise self._cloud_error(str(e))
        return ident["Account"]

    def _configure(self, cfg, acct):
        """CloudAccountController._configure_report: the adapter's errors -> 400 OE0371; the
        config it changed is what is stored."""
        try:
            upd = Report(self, cfg, acct, self.release).run()
        except ReportError as e:
            raise CxError(400, "OE0371", f"Unable to configure billing report: {e}", [str(e)])
        cfg.update(upd)
        return cfg

    def export_template(self, name, bucket, prefix, region):
        """The Data Export the server creates (certerox-api.md section 6)."""
        from billing import data_dir
        with open(os.path.join(data_dir(), "cur2-columns.txt")) as f:
            cols = [c.strip() for c in f if c.strip()]
        return {
            "Name": name, "Description": "CerteroX data export",
            "DataQuery": {"QueryStatement": f"SELECT {', '.join(cols)} FROM COST_AND_USAGE_REPORT",
                          "TableConfigurations": {"COST_AND_USAGE_REPORT": {
                              "INCLUDE_MANUAL_DISCOUNT_COMPATIBILITY": "FALSE", "INCLUDE_RESOURCES": "TRUE",
                              "INCLUDE_SPLIT_COST_ALLOCATION_DATA": "TRUE", "TIME_GRANULARITY": "DAILY"}}},
            "DestinationConfigurations": {"S3Destination": {
                "S3Bucket": bucket, "S3Prefix": prefix, "S3Region": region,
                "S3OutputConfigurations": {"OutputType": "CUSTOM", "Format": "TEXT_OR_CSV", "Compression": "GZIP",
                                           "Overwrite": "OVERWRITE_REPORT"}}},
            "RefreshCadence": {"Frequency": "SYNCHRONOUS"}}
