"""BCM Data Exports and legacy CUR, served in the sim process next to moto.

Same SigV4 verification and IAM authorization as moto applies to its own services
(moto.iam.access_control.IAMRequest), AWS's validation, the bucket check at creation,
and delivery of billing files into moto's S3.  State: DIR/billing.json.
"""

import base64
import copy
import csv
import datetime as dt
import gzip
import io
import json
import os
import re
import threading
import time
import uuid
import zipfile

import iamauth
import iampolicy
import simhttp
from simhttp import Resp

from moto.s3.models import s3_backends

HERE = os.path.dirname(os.path.abspath(__file__))
BCM_NS = "com.amazonaws.bcmdataexports#"
# Quotas. Data Exports are limited per table (AWS Data Exports User Guide, "Creating data exports":
# CUR 2.0 5 exports; cost optimization recommendations, FOCUS 1.0, cost and usage dashboard and
# carbon emissions 2 each); the sim has only the COST_AND_USAGE_REPORT table. Legacy CUR: 5 reports
# an account (botocore cur ReportLimitReachedException: "This account already has five reports
# defined"), which is also the only page size DescribeReportDefinitions allows (MaxResults 5-5).
MAX_EXPORTS = 5
MAX_REPORTS = 5
TABLE = "COST_AND_USAGE_REPORT"
TABLE_PROPERTIES = {
    "TIME_GRANULARITY": (["HOURLY", "DAILY", "MONTHLY"], "HOURLY",
                         "Granularity of the line items in the report."),
    "INCLUDE_RESOURCES": (["TRUE", "FALSE"], "FALSE", "Include individual resource IDs in the report."),
    "INCLUDE_SPLIT_COST_ALLOCATION_DATA": (["TRUE", "FALSE"], "FALSE",
                                           "Include split cost allocation data for ECS and EKS."),
    "INCLUDE_MANUAL_DISCOUNT_COMPATIBILITY": (["TRUE", "FALSE"], "FALSE",
                                              "Include manual discount compatibility columns."),
    "BILLING_VIEW_ARN": (None, None, "The Amazon Resource Name (ARN) of the billing view."),
}
SPLIT_COLUMNS = [
    "split_line_item_actual_usage", "split_line_item_net_split_cost", "split_line_item_net_unused_cost",
    "split_line_item_parent_resource_id", "split_line_item_public_on_demand_split_cost",
    "split_line_item_public_on_demand_unused_cost", "split_line_item_reserved_usage",
    "split_line_item_split_cost", "split_line_item_split_usage", "split_line_item_split_usage_ratio",
    "split_line_item_unused_cost",
]
MAP_COLUMNS = {"product", "resource_tags", "cost_category", "discount"}
CUR_REGIONS = ("af-south-1 ap-east-1 ap-south-1 ap-south-2 ap-southeast-1 ap-southeast-2 ap-southeast-3 "
               "ap-northeast-1 ap-northeast-2 ap-northeast-3 ca-central-1 eu-central-1 eu-central-2 eu-west-1 "
               "eu-west-2 eu-west-3 eu-north-1 eu-south-1 eu-south-2 me-central-1 me-south-1 sa-east-1 "
               "us-east-1 us-east-2 us-west-1 us-west-2 cn-north-1 cn-northwest-1").split()
PERMISSION_MSG = "Failed to verify customer bucket permission. accountId= {acct}, bucket= {bucket}, region= {region}"


def data_dir():
    for d in (os.environ.get("CERTEROX_DATADIR"), os.path.join(HERE, "..", "..", "data")):
        if d and os.path.exists(os.path.join(d, "cur2-columns.txt")):
            return d
    raise RuntimeError("data/cur2-columns.txt not found")


def base_columns():
    with open(os.path.join(data_dir(), "cur2-columns.txt")) as f:
        cols = [c.strip() for c in f if c.strip() and not c.startswith("#")]
    return [c for c in cols if c != "line_item_resource_id" and not c.startswith("split_line_item_")]


def column_type(c):
    if c in MAP_COLUMNS:
        return "map<string, string>"
    if re.search(r"(_date|_time|_start_time|_end_time)$", c):
        return "timestamp"
    if re.search(r"(cost|rate|amount|fee|factor|units|quantity|value|usage|ratio|commitment|_to_date|discount)"
                 r"(_for_usage|_for_billing_period)?$", c):
        return "double"
    return "string"


def table_columns(props):
    cols = list(base_columns())
    if props.get("INCLUDE_RESOURCES") == "TRUE":
        cols.append("line_item_resource_id")
    if props.get("INCLUDE_SPLIT_COST_ALLOCATION_DATA") == "TRUE":
        cols += SPLIT_COLUMNS
    return sorted(cols)


def iso(t):
    return dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class ApiError(Exception):
    def __init__(self, code, message, status=400, extra=None):
        super().__init__(message)
        self.code, self.message, self.status, self.extra = code, message, status, extra


class Invalid:
    """Collects field validation errors, Coral style."""

    def __init__(self):
        self.errors = []

    def add(self, path, value, constraint):
        v = "null" if value is None else "'%s'" % (value if not isinstance(value, (dict, list)) else
                                                  json.dumps(value))
        self.errors.append((path, f"Value {v} at '{path}' failed to satisfy constraint: {constraint}"))

    def raise_if(self, bcm):
        if not self.errors:
            return
        n = len(self.errors)
        msg = f"{n} validation error{'s' if n > 1 else ''} detected: " + "; ".join(m for _, m in self.errors)
        extra = None
        if bcm:
            extra = {"Reason": "fieldValidationFailed",
                     "Fields": [{"Name": p, "Message": m} for p, m in self.errors]}
        raise ApiError("ValidationException", msg, 400, extra)


def _str(inv, obj, key, path, required=True, lo=None, hi=None, pattern=None, enum=None):
    v = obj.get(key) if isinstance(obj, dict) else None
    if v is None:
        if required:
            inv.add(path, None, "Member must not be null")
        return None
    if not isinstance(v, str):
        inv.add(path, v, "Member must be a string")
        return None
    if lo is not None and len(v) < lo:
        inv.add(path, v, f"Member must have length greater than or equal to {lo}")
    elif hi is not None and len(v) > hi:
        inv.add(path, v, f"Member must have length less than or equal to {hi}")
    elif pattern and not re.fullmatch(pattern, v):
        inv.add(path, v, f"Member must satisfy regular expression pattern: {pattern}")
    elif enum and v not in enum:
        inv.add(path, v, f"Member must satisfy enum value set: [{', '.join(enum)}]")
    return v


# ---------------------------------------------------------------------------
# Bucket policy evaluation for the delivery principals (iampolicy.py: AWS's evaluation logic)


def policy_permits(policy, bucket, key_prefix, principal, account, source_arn):
    """True when the bucket policy lets the billing principal deliver: s3:PutObject on objects under
    key_prefix and s3:GetBucketPolicy on the bucket, for this account and source ARN. Evaluated as
    AWS does (iampolicy.evaluate): Deny wins, NotPrincipal, negated operators true on a missing key
    (a service principal has no aws:PrincipalOrgID), ...IfExists, Null."""
    who = iampolicy.Principal(service=principal)
    ctx = iampolicy.service_context(principal, account, source_arn)
    obj = f"arn:aws:s3:::{bucket}/" + (key_prefix + "/" if key_prefix else "") + "delivery-check"
    for action, arn in (("s3:PutObject", obj), ("s3:GetBucketPolicy", f"arn:aws:s3:::{bucket}")):
        eff, _sid = iampolicy.evaluate(policy, action, arn, who, ctx)
        if eff != "Allow":
            return False
    return True


# ---------------------------------------------------------------------------


class Billing:
    def __init__(self, sim):
        self.sim = sim
        self.path = os.path.join(sim.dir, "billing.json")
        self.lock = threading.RLock()
        st = {}
        try:
            with open(self.path) as f:
                st = json.load(f)
        except (OSError, ValueError):
            pass
        self.exports = st.get("exports", {})  # acct -> [record]
        self.reports = st.get("reports", {})  # acct -> [record]

    def save(self):
        with self.lock:
            data = json.dumps({"exports": self.exports, "reports": self.reports}, indent=1, sort_keys=True)
        tmp = self.path + ".tmp"
        with open(tmp, "w") as f:
            f.write(data)
        os.replace(tmp, self.path)

    def count(self, what):
        with self.lock:
            return sum(len(v) for v in getattr(self, what).values())

    # -- request handling ----------------------------------------------------
    def handle(self, req):
        bcm = req.service == "bcm-data-exports"
        try:
            acct = self.authorize(req)
            try:
                body = json.loads(req.body.decode("utf-8") or "null")
            except (ValueError, UnicodeDecodeError):
                body = None
            if not isinstance(body, dict):
                if bcm:
                    raise ApiError("ValidationException", "Unable to parse the request body as JSON", 400,
                                   {"Reason": "cannotParse", "Fields": []})
                raise ApiError("SerializationException", "Unable to parse the request body as JSON", 400)
            fn = getattr(self, ("bcm_" if bcm else "cur_") + (req.operation or ""), None)
            if fn is None:
                raise ApiError("UnknownOperationException", f"Unknown operation {req.operation}", 400)
            out = fn(req, acct, body)
            return Resp(200, [("Content-Type", "application/x-amz-json-1.1"),
                              ("x-amzn-RequestId", simhttp.request_id())], json.dumps(out))
        except ApiError as e:
            code = e.code
            return simhttp.aws_error(req, code, e.message, e.status, extra=e.extra,
                                     json_type=(BCM_NS + code) if bcm else code)

    def authorize(self, req, resource="*"):
        if not any(k.lower() == "x-amz-date" for k, _ in req.headers):
            raise ApiError("IncompleteSignatureException", "Authorization header requires existence of either a "
                           "'X-Amz-Date' or a 'Date' header.", 400)
        acct, denied = iamauth.check(self.sim, req, req.operation, resource)
        if denied is None:
            return acct
        code, message = denied
        if code == "InvalidClientTokenId":
            raise ApiError("UnrecognizedClientException", "The security token included in the request is invalid.", 400)
        if code == "SignatureDoesNotMatch":
            raise ApiError("InvalidSignatureException", message, 400)
        raise ApiError("AccessDeniedException", message + " because no identity-based policy allows the action", 400)

    # -- bucket lookup -------------------------------------------------------
    def find_bucket(self, name):
        ent = s3_backends.bucket_accounts.get(name)
        if not ent:
            return None, None
        partition, owner = ent
        b = s3_backends[owner][partition].buckets.get(name)
        return b, owner

    def bucket_ok(self, acct, bucket, region, prefix, principal, source_arn):
        with self.sim.moto_lock:
            b, _owner = self.find_bucket(bucket)
            if b is None or b.region_name != region:
                return False
            pol = b.policy
            seen = self.sim.policy_changed.get(bucket) if getattr(self.sim, "policy_delay", 0) else None
            if seen and time.time() - seen[0] < self.sim.policy_delay:
                pol = seen[1]  # the new policy has not reached the billing services yet (--policy-delay-ms)
        if isinstance(pol, bytes):
            pol = pol.decode("utf-8", "replace")
        return policy_permits(pol, bucket, prefix, principal, acct, source_arn)

    # -- BCM Data Exports ------------------------------------------------------
    def _validate_export(self, exp, inv, path="export"):
        if not isinstance(exp, dict):
            inv.add(path, exp, "Member must not be null")
            return
        _str(inv, exp, "Name", f"{path}.name", lo=1, hi=128, pattern=r"[0-9A-Za-z\-_]+")
        _str(inv, exp, "Description", f"{path}.description", required=False, hi=1024)
        dq = exp.get("DataQuery")
        if not isinstance(dq, dict):
            inv.add(f"{path}.dataQuery", None, "Member must not be null")
        else:
            _str(inv, dq, "QueryStatement", f"{path}.dataQuery.queryStatement", lo=1, hi=36000)
            tc = dq.get("TableConfigurations")
            if tc is not None and not isinstance(tc, dict):
                inv.add(f"{path}.dataQuery.tableConfigurations", tc, "Member must be a map")
        dc = exp.get("DestinationConfigurations")
        s3 = dc.get("S3Destination") if isinstance(dc, dict) else None
        if not isinstance(dc, dict):
            inv.add(f"{path}.destinationConfigurations", None, "Member must not be null")
        elif not isinstance(s3, dict):
            inv.add(f"{path}.destinationConfigurations.s3Destination", None, "Member must not be null")
        else:
            p = f"{path}.destinationConfigurations.s3Destination"
            _str(inv, s3, "S3Bucket", f"{p}.s3Bucket", hi=1024)
            _str(inv, s3, "S3Prefix", f"{p}.s3Prefix", hi=1024)
            _str(inv, s3, "S3Region", f"{p}.s3Region", hi=1024)
            _str(inv, s3, "S3BucketOwner", f"{p}.s3BucketOwner", required=False, pattern=r"[0-9]{12}")
            oc = s3.get("S3OutputConfigurations")
            if not isinstance(oc, dict):
                inv.add(f"{p}.s3OutputConfigurations", None, "Member must not be null")
            else:
                q = f"{p}.s3OutputConfigurations"
                _str(inv, oc, "OutputType", f"{q}.outputType", enum=["CUSTOM", "ATHENA", "REDSHIFT"])
                _str(inv, oc, "Format", f"{q}.format", enum=["TEXT_OR_CSV", "PARQUET"])
                _str(inv, oc, "Compression", f"{q}.compression", enum=["GZIP", "PARQUET"])
                _str(inv, oc, "Overwrite", f"{q}.overwrite", enum=["CREATE_NEW_REPORT", "OVERWRITE_REPORT"])
        rc = exp.get("RefreshCadence")
        if not isinstance(rc, dict):
            inv.add(f"{path}.refreshCadence", None, "Member must not be null")
        else:
            _str(inv, rc, "Frequency", f"{path}.refreshCadence.frequency", enum=["SYNCHRONOUS"])

    def _check_table_props(self, table, props):
        if table != TABLE:
            raise ApiError("ValidationException", f"Table {table} does not exist or is not supported.", 400,
                           {"Reason": "other", "Fields": []})
        if not isinstance(props, dict):
            props = {}
        out = {}
        for k, v in props.items():
            if k not in TABLE_PROPERTIES:
                raise ApiError("ValidationException", f"Invalid table property {k} for table {table}.", 400,
                               {"Reason": "fieldValidationFailed", "Fields": [{"Name": k, "Message":
                                                                               "Unknown table property"}]})
            valid = TABLE_PROPERTIES[k][0]
            if valid is not None and v not in valid:
                raise ApiError("ValidationException", f"Invalid value {v} for table property {k}. Valid values: "
                               f"{', '.join(valid)}.", 400,
                               {"Reason": "fieldValidationFailed", "Fields": [{"Name": k, "Message":
                                                                               "Invalid value"}]})
            out[k] = v
        for k, (valid, default, _d) in TABLE_PROPERTIES.items():
            if default is not None:
                out.setdefault(k, default)
        return out

    def _check_query(self, dq):
        q = dq["QueryStatement"].strip().rstrip(";")
        m = re.fullmatch(r"(?is)\s*SELECT\s+(.+?)\s+FROM\s+([A-Za-z0-9_]+)\s*", q)
        if not m:
            raise ApiError("ValidationException", f"Unable to parse the query statement: {dq['QueryStatement']}",
                           400, {"Reason": "other", "Fields": [{"Name": "QueryStatement",
                                                                "Message": "Invalid query"}]})
        cols_s, table = m.group(1), m.group(2).upper()
        tc = dq.get("TableConfigurations") or {}
        if tc and table not in tc:
            raise ApiError("ValidationException", f"Table {table} in the query has no table configuration.", 400,
                           {"Reason": "other", "Fields": []})
        props = self._check_table_props(table, tc.get(table, {}))
        avail = set(table_columns(props))
        cols = [c.strip() for c in cols_s.split(",")]
        if cols == ["*"]:
            return sorted(avail)
        bad = [c for c in cols if c.lower() not in avail]
        if bad:
            raise ApiError("ValidationException", "Invalid query: column(s) " + ", ".join(bad) + f" not found in "
                           f"table {table} with the given table configurations "
                           f"({', '.join(f'{k}={v}' for k, v in sorted(props.items()))}).", 400,
                           {"Reason": "other", "Fields": [{"Name": "QueryStatement",
                                                           "Message": "Column not found: " + ", ".join(bad)}]})
        return [c.lower() for c in cols]

    def _check_export_semantics(self, exp):
        s3 = exp["DestinationConfigurations"]["S3Destination"]
        oc = s3["S3OutputConfigurations"]
        if (oc["Format"], oc["Compression"]) not in (("TEXT_OR_CSV", "GZIP"), ("PARQUET", "PARQUET")):
            raise ApiError("ValidationException", f"Format {oc['Format']} is not compatible with compression "
                           f"{oc['Compression']}. Valid combinations: TEXT_OR_CSV with GZIP, PARQUET with PARQUET.",
                           400, {"Reason": "fieldValidationFailed",
                                 "Fields": [{"Name": "Compression", "Message": "Incompatible with Format"}]})
        return self._check_query(exp["DataQuery"])

    def _export_bucket_check(self, acct, exp, arn):
        s3 = exp["DestinationConfigurations"]["S3Destination"]
        prefix = "/".join(p for p in (s3["S3Prefix"].strip("/"), exp["Name"]) if p)
        if not self.bucket_ok(acct, s3["S3Bucket"], s3["S3Region"], prefix, "bcm-data-exports.amazonaws.com", arn):
            raise ApiError("ValidationException", PERMISSION_MSG.format(acct=acct, bucket=s3["S3Bucket"],
                                                                        region=s3["S3Region"]), 400,
                           {"Reason": "other", "Fields": []})

    def _clean_export(self, exp, arn, acct):
        """What AWS stores (and GetExport returns): the table properties as sent plus
        BILLING_VIEW_ARN, the account's primary billing view (terraform-provider-aws #43978:
        table_configurations gains BILLING_VIEW_ARN that was never sent). Other properties that
        were not sent are not filled in: that report shows only BILLING_VIEW_ARN appearing, and
        OptScale's review (tools/cloud_adapter/clouds/aws.py AWS._find_exports, which indexes
        TIME_GRANULARITY) met exports without it."""
        keep = {k: exp[k] for k in ("Name", "Description", "DataQuery", "DestinationConfigurations",
                                    "RefreshCadence") if k in exp}
        keep["ExportArn"] = arn
        keep.setdefault("Description", "")
        dq = dict(keep["DataQuery"])
        tc = dq.get("TableConfigurations") or {}
        self._check_table_props(TABLE, tc.get(TABLE, {}))
        props = dict(tc.get(TABLE) or {})
        props.setdefault("BILLING_VIEW_ARN", f"arn:aws:billing::{acct}:billingview/primary")
        dq["TableConfigurations"] = {TABLE: props}
        keep["DataQuery"] = dq
        return keep

    def _find_export(self, acct, arn):
        for rec in self.exports.get(acct, []):
            if rec["Export"]["ExportArn"] == arn:
                return rec
        raise ApiError("ResourceNotFoundException", f"The specified export {arn} does not exist.", 400,
                       {"ResourceId": arn or "", "ResourceType": "Export"})

    def bcm_CreateExport(self, req, acct, body):
        inv = Invalid()
        self._validate_export(body.get("Export"), inv)
        inv.raise_if(True)
        exp = body["Export"]
        self._check_export_semantics(exp)
        with self.lock:
            mine = self.exports.setdefault(acct, [])
            if any(r["Export"]["Name"] == exp["Name"] for r in mine):
                # AWS's wording (aws-solutions-library-samples/cloud-intelligence-dashboards-framework #995)
                raise ApiError("ValidationException", "Cannot create duplicate export name.", 400,
                               {"Reason": "other", "Fields": [{"Name": "Name", "Message": "Duplicate name"}]})
            if len(mine) >= MAX_EXPORTS:
                raise ApiError("ServiceQuotaExceededException", f"You have reached the maximum number of exports "
                               f"({MAX_EXPORTS}) for this account.", 400,
                               {"ResourceId": exp["Name"], "ResourceType": "Export", "QuotaCode": "L-EXPORTS",
                                "ServiceCode": "bcm-data-exports"})
            arn = f"arn:aws:bcm-data-exports:us-east-1:{acct}:export/{exp['Name']}-{uuid.uuid4()}"
            self._export_bucket_check(acct, exp, arn)
            now = time.time()
            mine.append({"Export": self._clean_export(exp, arn, acct),
                         "Status": {"StatusCode": "HEALTHY", "CreatedAt": now, "LastUpdatedAt": now},
                         "Tags": body.get("ResourceTags") or []})
            self.save()
        return {"ExportArn": arn}

    @staticmethod
    def _status_out(st):
        out = {"StatusCode": st["StatusCode"], "CreatedAt": iso(st["CreatedAt"]),
               "LastUpdatedAt": iso(st["LastUpdatedAt"])}
        if st.get("StatusReason"):
            out["StatusReason"] = st["StatusReason"]
        if st.get("LastRefreshedAt"):
            out["LastRefreshedAt"] = iso(st["LastRefreshedAt"])
        return out

    def bcm_GetExport(self, req, acct, body):
        inv = Invalid()
        arn = _str(inv, body, "ExportArn", "exportArn")
        inv.raise_if(True)
        with self.lock:
            rec = self._find_export(acct, arn)
            return {"Export": rec["Export"], "ExportStatus": self._status_out(rec["Status"])}

    def bcm_ListExports(self, req, acct, body):
        # MaxResults 1-300 (botocore bcm-data-exports service-2.json, shape MaxResults); the page
        # without it is not documented: `cloudsim start --exports-page N` (default 20)
        mr = body.get("MaxResults", max(1, int(self.sim.opts.get("exports_page") or 20)))
        if not isinstance(mr, int) or not 1 <= mr <= 300:
            inv = Invalid()
            inv.add("maxResults", mr, "Member must have value between 1 and 300")
            inv.raise_if(True)
        start = 0
        if body.get("NextToken") is not None:
            try:
                start = int(base64.b64decode(body["NextToken"]).decode().split(":")[1])
            except Exception:
                raise ApiError("ValidationException", "Invalid NextToken", 400, {"Reason": "other", "Fields": []})
        with self.lock:
            mine = self.exports.get(acct, [])
            page = mine[start:start + mr]
            out = {"Exports": [{"ExportArn": r["Export"]["ExportArn"], "ExportName": r["Export"]["Name"],
                                "ExportStatus": self._status_out(r["Status"])} for r in page]}
            if start + mr < len(mine):
                out["NextToken"] = base64.b64encode(f"exports:{start + mr}".encode()).decode()
        return out

    def bcm_UpdateExport(self, req, acct, body):
        inv = Invalid()
        arn = _str(inv, body, "ExportArn", "exportArn")
        self._validate_export(body.get("Export"), inv)
        inv.raise_if(True)
        exp = body["Export"]
        with self.lock:
            rec = self._find_export(acct, arn)
            if exp["Name"] != rec["Export"]["Name"]:
                raise ApiError("ValidationException", "The export name cannot be changed.", 400,
                               {"Reason": "fieldValidationFailed", "Fields": [{"Name": "Name",
                                                                               "Message": "Cannot be changed"}]})
            self._check_export_semantics(exp)
            self._export_bucket_check(acct, exp, arn)
            rec["Export"] = self._clean_export(exp, arn, acct)
            rec["Status"]["LastUpdatedAt"] = time.time()
            rec["Status"]["StatusCode"] = "HEALTHY"
            rec["Status"].pop("StatusReason", None)
            self.save()
        return {"ExportArn": arn}

    def bcm_DeleteExport(self, req, acct, body):
        inv = Invalid()
        arn = _str(inv, body, "ExportArn", "exportArn")
        inv.raise_if(True)
        with self.lock:
            rec = self._find_export(acct, arn)
            self.exports[acct].remove(rec)
            self.save()
        return {"ExportArn": arn}

    def bcm_GetTable(self, req, acct, body):
        inv = Invalid()
        name = _str(inv, body, "TableName", "tableName")
        inv.raise_if(True)
        props = self._check_table_props(name, body.get("TableProperties") or {})
        return {"TableName": name, "Description": "Cost and Usage Report (CUR 2.0)",
                "TableProperties": props,
                "Schema": [{"Name": c, "Type": column_type(c), "Description": c.replace("_", " ")}
                           for c in table_columns(props)]}

    def bcm_ListTables(self, req, acct, body):
        return {"Tables": [{"TableName": TABLE, "Description": "Cost and Usage Report (CUR 2.0)",
                            "TableProperties": [
                                {"Name": k, "ValidValues": v[0] or [], "DefaultValue": v[1] or "",
                                 "Description": v[2]} for k, v in TABLE_PROPERTIES.items()]}]}

    # Executions: one per `deliver` of the export (the refresh AWS runs when the source data
    # updates), newest first, with the export as it was then (botocore bcm-data-exports
    # ExecutionReference / GetExecutionResponse).
    @staticmethod
    def _add_execution(rec, ok, reason=None):
        now = time.time()
        ex = {"ExecutionId": str(uuid.uuid4()), "Export": copy.deepcopy(rec["Export"]),
              "ExecutionStatus": {"StatusCode": "DELIVERY_SUCCESS" if ok else "DELIVERY_FAILURE",
                                  "CreatedAt": now, "CompletedAt": now, "LastUpdatedAt": now}}
        if reason:
            ex["ExecutionStatus"]["StatusReason"] = reason
        rec.setdefault("Executions", []).insert(0, ex)
        del rec["Executions"][100:]

    @staticmethod
    def _execution_status_out(st):
        out = {k: iso(v) if k.endswith("At") else v for k, v in st.items()}
        return out

    def bcm_ListExecutions(self, req, acct, body):
        inv = Invalid()
        arn = _str(inv, body, "ExportArn", "exportArn")
        mr = body.get("MaxResults", 20)
        if not isinstance(mr, int) or not 1 <= mr <= 300:
            inv.add("maxResults", mr, "Member must have value between 1 and 300")
        inv.raise_if(True)
        start = 0
        if body.get("NextToken") is not None:
            try:
                start = int(base64.b64decode(body["NextToken"]).decode().split(":")[1])
            except Exception:
                raise ApiError("ValidationException", "Invalid NextToken", 400, {"Reason": "other", "Fields": []})
        with self.lock:
            exs = self._find_export(acct, arn).get("Executions", [])
            out = {"Executions": [{"ExecutionId": e["ExecutionId"],
                                   "ExecutionStatus": self._execution_status_out(e["ExecutionStatus"])}
                                  for e in exs[start:start + mr]]}
            if start + mr < len(exs):
                out["NextToken"] = base64.b64encode(f"executions:{start + mr}".encode()).decode()
        return out

    def bcm_GetExecution(self, req, acct, body):
        inv = Invalid()
        arn = _str(inv, body, "ExportArn", "exportArn")
        eid = _str(inv, body, "ExecutionId", "executionId", hi=1024)
        inv.raise_if(True)
        with self.lock:
            for e in self._find_export(acct, arn).get("Executions", []):
                if e["ExecutionId"] == eid:
                    return {"ExecutionId": eid, "Export": e["Export"],
                            "ExecutionStatus": self._execution_status_out(e["ExecutionStatus"])}
        raise ApiError("ResourceNotFoundException", f"Execution {eid} not found for export {arn}", 400,
                       {"ResourceId": eid, "ResourceType": "Execution"})

    def bcm_ListTagsForResource(self, req, acct, body):
        with self.lock:
            rec = self._find_export(acct, body.get("ResourceArn"))
            return {"ResourceTags": rec.get("Tags", [])}

    # -- legacy CUR ----------------------------------------------------------------
    def _validate_report(self, rd, inv, path="reportDefinition"):
        if not isinstance(rd, dict):
            inv.add(path, None, "Member must not be null")
            return
        _str(inv, rd, "ReportName", f"{path}.reportName", hi=256, pattern=r"[0-9A-Za-z!\-_.*\'()]+")
        _str(inv, rd, "TimeUnit", f"{path}.timeUnit", enum=["HOURLY", "DAILY", "MONTHLY"])
        _str(inv, rd, "Format", f"{path}.format", enum=["textORcsv", "Parquet"])
        _str(inv, rd, "Compression", f"{path}.compression", enum=["ZIP", "GZIP", "Parquet"])
        ase = rd.get("AdditionalSchemaElements")
        if ase is None:
            inv.add(f"{path}.additionalSchemaElements", None, "Member must not be null")
        elif not isinstance(ase, list) or any(x not in ("RESOURCES", "SPLIT_COST_ALLOCATION_DATA",
                                                        "MANUAL_DISCOUNT_COMPATIBILITY") for x in ase):
            inv.add(f"{path}.additionalSchemaElements", ase, "Member must satisfy constraint: [Member must "
                    "satisfy enum value set: [RESOURCES, SPLIT_COST_ALLOCATION_DATA, MANUAL_DISCOUNT_COMPATIBILITY]]")
        _str(inv, rd, "S3Bucket", f"{path}.s3Bucket", hi=256, pattern=r"[A-Za-z0-9_\.\-]+")
        _str(inv, rd, "S3Prefix", f"{path}.s3Prefix", hi=256, pattern=r"[0-9A-Za-z!\-_.*\'()/]*")
        _str(inv, rd, "S3Region", f"{path}.s3Region", enum=CUR_REGIONS)
        aa = rd.get("AdditionalArtifacts")
        if aa is not None and (not isinstance(aa, list) or any(x not in ("REDSHIFT", "QUICKSIGHT", "ATHENA")
                                                               for x in aa)):
            inv.add(f"{path}.additionalArtifacts", aa, "Member must satisfy constraint: [Member must satisfy enum "
                    "value set: [REDSHIFT, QUICKSIGHT, ATHENA]]")
        rcr = rd.get("RefreshClosedReports")
        if rcr is not None and not isinstance(rcr, bool):
            inv.add(f"{path}.refreshClosedReports", rcr, "Member must be a boolean")
        _str(inv, rd, "ReportVersioning", f"{path}.reportVersioning", required=False,
             enum=["CREATE_NEW_REPORT", "OVERWRITE_REPORT"])
        _str(inv, rd, "BillingViewArn", f"{path}.billingViewArn", required=False, hi=128)

    def _check_report_semantics(self, acct, rd):
        fmt, comp = rd["Format"], rd["Compression"]
        if (fmt == "Parquet") != (comp == "Parquet"):
            raise ApiError("ValidationException", f"Format {fmt} is not compatible with compression {comp}.")
        aa = rd.get("AdditionalArtifacts") or []
        if "ATHENA" in aa:
            if len(aa) > 1:
                raise ApiError("ValidationException", "ATHENA cannot be combined with other artifact types.")
            if fmt != "Parquet" or rd.get("ReportVersioning") != "OVERWRITE_REPORT":
                raise ApiError("ValidationException", "ATHENA requires Parquet format and OVERWRITE_REPORT "
                               "report versioning.")
        if any(a in aa for a in ("REDSHIFT", "QUICKSIGHT")) and fmt != "textORcsv":
            raise ApiError("ValidationException", "REDSHIFT and QUICKSIGHT require the textORcsv format.")
        prefix = "/".join(p for p in (rd["S3Prefix"].strip("/"), rd["ReportName"]) if p)
        arn = f"arn:aws:cur:us-east-1:{acct}:definition/{rd['ReportName']}"
        if not self.bucket_ok(acct, rd["S3Bucket"], rd["S3Region"], prefix, "billingreports.amazonaws.com", arn):
            raise ApiError("ValidationException", PERMISSION_MSG.format(acct=acct, bucket=rd["S3Bucket"],
                                                                        region=rd["S3Region"]))

    @staticmethod
    def _clean_report(acct, rd):
        keep = {k: v for k, v in rd.items() if k in (
            "ReportName", "TimeUnit", "Format", "Compression", "AdditionalSchemaElements", "S3Bucket", "S3Prefix",
            "S3Region", "AdditionalArtifacts", "RefreshClosedReports", "ReportVersioning", "BillingViewArn")}
        keep.setdefault("AdditionalArtifacts", [])
        keep.setdefault("RefreshClosedReports", False)
        keep.setdefault("ReportVersioning", "CREATE_NEW_REPORT")
        keep.setdefault("BillingViewArn", f"arn:aws:billing::{acct}:billingview/primary")
        return keep

    def cur_DescribeReportDefinitions(self, req, acct, body):
        if "MaxResults" in body and body["MaxResults"] != 5:
            v = body["MaxResults"]
            inv = Invalid()
            inv.add("maxResults", v, "Member must have value less than or equal to 5" if isinstance(v, int) and
                    v > 5 else "Member must have value greater than or equal to 5")
            inv.raise_if(False)
        start = 0
        tok = body.get("NextToken")
        if tok is not None:
            if not isinstance(tok, str) or not re.fullmatch(r"[A-Za-z0-9_\.\-=]*", tok) or not tok.isdigit():
                raise ApiError("ValidationException", "Invalid NextToken")
            start = int(tok)
        with self.lock:
            mine = self.reports.get(acct, [])
            out = {"ReportDefinitions": [dict(r["Definition"], **({"ReportStatus": r["Status"]}
                                                                 if r.get("Status") else {}))
                                         for r in mine[start:start + 5]]}
            if start + 5 < len(mine):
                out["NextToken"] = str(start + 5)
        return out

    def cur_PutReportDefinition(self, req, acct, body):
        inv = Invalid()
        self._validate_report(body.get("ReportDefinition"), inv)
        inv.raise_if(False)
        rd = body["ReportDefinition"]
        with self.lock:
            mine = self.reports.setdefault(acct, [])
            if any(r["Definition"]["ReportName"] == rd["ReportName"] for r in mine):
                # The API reference's description of DuplicateReportNameException
                raise ApiError("DuplicateReportNameException", "A report with the specified name already exists in "
                               "the account. Specify a different report name.")
            if len(mine) >= MAX_REPORTS:
                raise ApiError("ReportLimitReachedException", f"Report limit of {MAX_REPORTS} reached for this "
                               "account.")
            self._check_report_semantics(acct, rd)
            mine.append({"Definition": self._clean_report(acct, rd), "Tags": body.get("Tags") or []})
            self.save()
        return {}

    def _find_report(self, acct, name):
        for r in self.reports.get(acct, []):
            if r["Definition"]["ReportName"] == name:
                return r
        return None

    def cur_ModifyReportDefinition(self, req, acct, body):
        inv = Invalid()
        name = _str(inv, body, "ReportName", "reportName", hi=256, pattern=r"[0-9A-Za-z!\-_.*\'()]+")
        self._validate_report(body.get("ReportDefinition"), inv)
        inv.raise_if(False)
        rd = body["ReportDefinition"]
        with self.lock:
            rec = self._find_report(acct, name)
            if rec is None:
                raise ApiError("ValidationException", f"Report {name} does not exist.")
            if rd["ReportName"] != name:
                raise ApiError("ValidationException", "ReportName in the report definition must match ReportName.")
            self._check_report_semantics(acct, rd)
            rec["Definition"] = self._clean_report(acct, rd)
            self.save()
        return {}

    def cur_DeleteReportDefinition(self, req, acct, body):
        inv = Invalid()
        name = _str(inv, body, "ReportName", "reportName", hi=256, pattern=r"[0-9A-Za-z!\-_.*\'()]+")
        inv.raise_if(False)
        with self.lock:
            rec = self._find_report(acct, name)
            if rec is None:
                raise ApiError("ValidationException", f"Report {name} does not exist.")
            self.reports[acct].remove(rec)
            self.save()
        return {"ResponseMessage": f"Report definition {name} deleted."}

    def cur_ListTagsForResource(self, req, acct, body):
        with self.lock:
            rec = self._find_report(acct, body.get("ReportName"))
            if rec is None:
                raise ApiError("ResourceNotFoundException", f"Report {body.get('ReportName')} does not exist.")
            return {"Tags": rec.get("Tags", [])}

    # -- delivery --------------------------------------------------------------------
    def deliver(self, fail=None):
        """fail: an ExecutionStatusReason of AWS's side (BILL_OWNER_CHANGED, INTERNAL_FAILURE):
        every export's delivery fails with it, whatever its bucket (legacy reports have no such
        lastStatus and deliver as usual)."""
        now = dt.datetime.now(dt.timezone.utc)
        start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        end = (start + dt.timedelta(days=32)).replace(day=1)
        delivered, failed = [], []
        with self.lock:
            for acct, recs in self.exports.items():
                for rec in recs:
                    exp = rec["Export"]
                    s3 = exp["DestinationConfigurations"]["S3Destination"]
                    base = "/".join(p for p in (s3["S3Prefix"].strip("/"), exp["Name"]) if p)
                    ok = self.bucket_ok(acct, s3["S3Bucket"], s3["S3Region"], base,
                                        "bcm-data-exports.amazonaws.com", exp["ExportArn"])
                    st = rec["Status"]
                    if fail:
                        st["StatusCode"], st["StatusReason"] = "UNHEALTHY", fail
                        failed.append(f"export {acct}/{exp['Name']}: {fail}")
                        self._add_execution(rec, False, fail)
                        continue
                    if not ok:
                        st["StatusCode"], st["StatusReason"] = "UNHEALTHY", "INSUFFICIENT_PERMISSION"
                        failed.append(f"export {acct}/{exp['Name']}: INSUFFICIENT_PERMISSION")
                        self._add_execution(rec, False, "INSUFFICIENT_PERMISSION")
                        continue
                    keys = self._deliver_export(acct, exp, base, start, end)
                    st["StatusCode"] = "HEALTHY"
                    st.pop("StatusReason", None)
                    st["LastRefreshedAt"] = time.time()
                    self._add_execution(rec, True)
                    delivered += [f"s3://{s3['S3Bucket']}/{k}" for k in keys]
            for acct, recs in self.reports.items():
                for rec in recs:
                    rd = rec["Definition"]
                    base = "/".join(p for p in (rd["S3Prefix"].strip("/"), rd["ReportName"]) if p)
                    with self.sim.moto_lock:
                        b, _ = self.find_bucket(rd["S3Bucket"])
                    stamp = now.strftime("%Y%m%dT%H%M%SZ")
                    if b is None:
                        rec["Status"] = {"lastDelivery": stamp, "lastStatus": "ERROR_NO_BUCKET"}
                        failed.append(f"report {acct}/{rd['ReportName']}: ERROR_NO_BUCKET")
                        continue
                    arn = f"arn:aws:cur:us-east-1:{acct}:definition/{rd['ReportName']}"
                    if not self.bucket_ok(acct, rd["S3Bucket"], rd["S3Region"], base, "billingreports.amazonaws.com",
                                          arn):
                        rec["Status"] = {"lastDelivery": stamp, "lastStatus": "ERROR_PERMISSIONS"}
                        failed.append(f"report {acct}/{rd['ReportName']}: ERROR_PERMISSIONS")
                        continue
                    keys = self._deliver_report(acct, rd, base, start, end)
                    rec["Status"] = {"lastDelivery": stamp, "lastStatus": "SUCCESS"}
                    delivered += [f"s3://{rd['S3Bucket']}/{k}" for k in keys]
            self.save()
        self.sim.dirty = True
        return {"delivered": delivered, "failed": failed}

    def _put(self, bucket, key, data, ctype):
        with self.sim.moto_lock:
            b, owner = self.find_bucket(bucket)
            partition = s3_backends.bucket_accounts[bucket][0]
            be = s3_backends[owner][partition]
            k = be.put_object(bucket, key, data)
            try:
                k.set_metadata({"Content-Type": ctype}) if hasattr(k, "set_metadata") else None
            except Exception:
                pass

    @staticmethod
    def _sample(col, acct, i, start):
        day = start + dt.timedelta(days=i)
        c = col
        if c in ("bill_payer_account_id", "line_item_usage_account_id"):
            return acct
        if c.endswith("account_name"):
            return "cloudsim"
        if c == "identity_line_item_id":
            return uuid.uuid5(uuid.NAMESPACE_URL, f"{acct}/{i}").hex
        if c == "identity_time_interval":
            return f"{day:%Y-%m-%dT00:00:00Z}/{day + dt.timedelta(days=1):%Y-%m-%dT00:00:00Z}"
        if c == "bill_billing_period_start_date":
            return f"{start:%Y-%m-%dT00:00:00Z}"
        if c == "bill_billing_period_end_date":
            return f"{(start + dt.timedelta(days=32)).replace(day=1):%Y-%m-%dT00:00:00Z}"
        if c == "line_item_usage_start_date":
            return f"{day:%Y-%m-%dT00:00:00Z}"
        if c == "line_item_usage_end_date":
            return f"{day + dt.timedelta(days=1):%Y-%m-%dT00:00:00Z}"
        if c == "line_item_product_code" or c == "product_servicecode":
            return ["AmazonEC2", "AmazonS3", "AWSDataTransfer"][i % 3]
        if c == "line_item_line_item_type":
            return "Usage"
        if c == "line_item_currency_code" or c == "pricing_currency":
            return "USD"
        if c == "line_item_resource_id":
            return ["i-0abc123def4567890", "cloudsim-bucket", ""][i % 3]
        if c == "line_item_usage_type":
            return ["BoxUsage:t3.micro", "TimedStorage-ByteHrs", "DataTransfer-Out-Bytes"][i % 3]
        if c == "line_item_operation":
            return ["RunInstances", "StandardStorage", "GetObject"][i % 3]
        if c in ("product_region_code", "line_item_availability_zone"):
            return "us-east-1" if c == "product_region_code" else "us-east-1a"
        if c == "bill_billing_entity":
            return "AWS"
        if c == "bill_bill_type":
            return "Anniversary"
        if c in MAP_COLUMNS:
            return "{}"
        t = column_type(c)
        if t == "double":
            return ["0.2496", "0.0230", "0.0900"][i % 3]
        if t == "timestamp":
            return ""
        return ""

    def _csv(self, cols, acct, start, n=3):
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(cols)
        for i in range(n):
            w.writerow([self._sample(c, acct, i, start) for c in cols])
        return buf.getvalue().encode()

    def _deliver_export(self, acct, exp, base, start, end):
        s3 = exp["DestinationConfigurations"]["S3Destination"]
        oc = s3["S3OutputConfigurations"]
        period = f"BILLING_PERIOD={start:%Y-%m}"
        name = exp["Name"]
        try:
            cols = self._check_query(exp["DataQuery"])
        except ApiError:
            cols = ["line_item_usage_start_date", "line_item_unblended_cost"]
        if oc["Format"] == "PARQUET":
            data_key = f"{base}/data/{period}/{name}-00001.snappy.parquet"
            # Not real Parquet (no pyarrow here): magic bytes around the CSV text.
            blob = b"PAR1" + self._csv(cols, acct, start) + b"PAR1"
            ctype = "application/octet-stream"
        else:
            data_key = f"{base}/data/{period}/{name}-00001.csv.gz"
            blob = gzip.compress(self._csv(cols, acct, start), mtime=0)
            ctype = "text/csv"
        self._put(s3["S3Bucket"], data_key, blob, ctype)
        assembly = str(uuid.uuid4())
        manifest = {
            "assemblyId": assembly,
            "account": acct,
            "columns": [{"name": c, "type": column_type(c)} for c in cols],
            "charset": "UTF-8",
            "compression": oc["Compression"],
            "contentType": "text/csv" if oc["Format"] == "TEXT_OR_CSV" else "Parquet",
            "exportArn": exp["ExportArn"],
            "exportName": name,
            "billingPeriod": {"start": f"{start:%Y-%m-%dT00:00:00.000Z}", "end": f"{end:%Y-%m-%dT00:00:00.000Z}"},
            "bucket": s3["S3Bucket"],
            "dataFiles": [f"s3://{s3['S3Bucket']}/{data_key}"],
        }
        man_key = f"{base}/metadata/{period}/{name}-Manifest.json"
        self._put(s3["S3Bucket"], man_key, json.dumps(manifest, indent=2).encode(), "application/json")
        return [data_key, man_key]

    LEGACY_COLUMNS = [
        ("identity", "LineItemId"), ("identity", "TimeInterval"), ("bill", "PayerAccountId"),
        ("bill", "BillingPeriodStartDate"), ("bill", "BillingPeriodEndDate"), ("lineItem", "UsageAccountId"),
        ("lineItem", "LineItemType"), ("lineItem", "UsageStartDate"), ("lineItem", "UsageEndDate"),
        ("lineItem", "ProductCode"), ("lineItem", "UsageType"), ("lineItem", "Operation"),
        ("lineItem", "UnblendedCost"), ("lineItem", "CurrencyCode"), ("lineItem", "ResourceId"),
    ]

    # AWS CUR data dictionary, "Split line item details" (a report with SPLIT_COST_ALLOCATION_DATA)
    LEGACY_SPLIT_COLUMNS = [("splitLineItem", n) for n in (
        "ParentResourceId", "SplitUsage", "ReservedUsage", "ActualUsage", "SplitUsageRatio", "SplitCost",
        "UnusedCost", "NetSplitCost", "NetUnusedCost", "PublicOnDemandSplitCost", "PublicOnDemandUnusedCost")]

    def _deliver_report(self, acct, rd, base, start, end):
        name = rd["ReportName"]
        rng = f"{start:%Y%m%d}-{end:%Y%m%d}"
        cols = self.LEGACY_COLUMNS
        if "RESOURCES" not in (rd.get("AdditionalSchemaElements") or []):
            cols = [c for c in cols if c[1] != "ResourceId"]
        if "SPLIT_COST_ALLOCATION_DATA" in (rd.get("AdditionalSchemaElements") or []):
            cols = cols + self.LEGACY_SPLIT_COLUMNS
        snake = {"LineItemId": "identity_line_item_id", "TimeInterval": "identity_time_interval",
                 "PayerAccountId": "bill_payer_account_id", "BillingPeriodStartDate":
                     "bill_billing_period_start_date", "BillingPeriodEndDate": "bill_billing_period_end_date",
                 "UsageAccountId": "line_item_usage_account_id", "LineItemType": "line_item_line_item_type",
                 "UsageStartDate": "line_item_usage_start_date", "UsageEndDate": "line_item_usage_end_date",
                 "ProductCode": "line_item_product_code", "UsageType": "line_item_usage_type",
                 "Operation": "line_item_operation", "UnblendedCost": "line_item_unblended_cost",
                 "CurrencyCode": "line_item_currency_code", "ResourceId": "line_item_resource_id"}
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        for _, n in self.LEGACY_SPLIT_COLUMNS:  # the CUR 2.0 names: split_line_item_<snake case>
            snake[n] = "split_line_item_" + re.sub(r"(?<!^)(?=[A-Z])", "_", n).lower()
        w.writerow([f"{c}/{n}" for c, n in cols])
        for i in range(3):
            w.writerow([self._sample(snake[n], acct, i, start) for _, n in cols])
        text = buf.getvalue().encode()
        assembly = str(uuid.uuid4())
        if rd["Format"] == "Parquet":
            data_key = f"{base}/{name}/year={start.year}/month={start.month}/{name}-00001.snappy.parquet"
            self._put(rd["S3Bucket"], data_key, b"PAR1" + text + b"PAR1", "application/octet-stream")
            return [data_key]
        sub = f"{base}/{rng}/" + (f"{assembly}/" if rd.get("ReportVersioning") == "CREATE_NEW_REPORT" else "")
        if rd["Compression"] == "ZIP":
            data_key = f"{sub}{name}-00001.csv.zip"
            zb = io.BytesIO()
            with zipfile.ZipFile(zb, "w", zipfile.ZIP_DEFLATED) as z:
                z.writestr(f"{name}-00001.csv", text)
            blob = zb.getvalue()
        else:
            data_key = f"{sub}{name}-00001.csv.gz"
            blob = gzip.compress(text, mtime=0)
        self._put(rd["S3Bucket"], data_key, blob, "text/csv")
        manifest = {
            "assemblyId": assembly, "account": acct,
            "columns": [{"category": c, "name": n, "type": "String"} for c, n in cols],
            "charset": "UTF-8", "compression": rd["Compression"], "contentType": "text/csv",
            "reportId": uuid.uuid5(uuid.NAMESPACE_URL, f"{acct}/{name}").hex, "reportName": name,
            "billingPeriod": {"start": f"{start:%Y%m%dT000000.000Z}", "end": f"{end:%Y%m%dT000000.000Z}"},
            "bucket": rd["S3Bucket"], "reportKeys": [data_key], "additionalArtifactKeys": [],
        }
        man_key = f"{base}/{rng}/{name}-Manifest.json"
        self._put(rd["S3Bucket"], man_key, json.dumps(manifest, indent=2).encode(), "application/json")
        return [data_key, man_key]
