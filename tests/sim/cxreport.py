"""CerteroX's report setup (config_scheme find_report / create_report / bucket_only), emulated
rule by rule after OptScale's AWS adapter, tools/cloud_adapter/clouds/aws.py (class Aws), as of
the release chosen with `cloudsim start --certerox-version` (see releases.py).  The logic is
written here from what that code does; none of it is copied.

Errors: ReportError(text) -> 400 OE0371 "Unable to configure billing report: <text>";
Internal() -> HTTP 500 (an exception the adapter does not catch, e.g. a KeyError).
"""

import json
import re

from botocore.exceptions import BotoCoreError, ClientError

DEFAULT_REPORT_NAME = "optscale-report"  # aws.py DEFAULT_REPORT_NAME
DEFAULT_BUCKET_PREFIX = "reports"  # aws.py DEFAULT_BUCKET_PREFIX
DEFAULT_S3_REGION = "eu-central-1"  # aws.py Aws.DEFAULT_S3_REGION_NAME
# aws.py Aws._wrap: the codes it reports as "Not enough permissions"
DENIED_CODES = ("AccessDenied", "AccessDeniedException", "403", "Forbidden")
# aws.py CSV_FORMAT_PATTERN / PARQUET_FORMAT_PATTERN
CSV_RE, PARQUET_RE = r"\.csv.(gz|zip)$", r"\.snappy.parquet$"
# aws.py GROUP_DATES_PATTERNS: date-named folders; newer releases keep them per CUR version
DATES_CUR2 = [r"BILLING_PERIOD=[0-9]{4}-[0-9]{2}/"]
DATES_LEGACY = [r"[0-9]{8}-[0-9]{8}/", r"year=[0-9]{4}/month=([1-9]|1[0-2])/"]
# S3CloudMixin.is_valid_s3_object_key (tools/cloud_adapter/clouds/base.py): its character class
# holds the range ')'..'\\' (so + , : ; < = > ? @ [ \\ too), and ']' is not in it
KEY_RE = r"[a-zA-Z0-9!_.*'()+,\-/:;<=>?@\[\\|]+"


class Release:
    """What differs between OptScale releases (`cloudsim start --certerox-version YYYY-MM`;
    default: the newest).  Dates from `git log -S` on aws.py in hystax/optscale where the
    mirror reaches (it ends 2024-10-18); later ones from the newest aws.py (BILLING_CREDS,
    validate_credentials, _collect_s3_objects) and the release pull request that lists each change
    (hystax/optscale "Pull request update/YYMMDD", merged the month named)."""

    NEWEST = "9999-12"

    def __init__(self, version=None):
        v = version or self.NEWEST
        if not re.fullmatch(r"[0-9]{4}-(0[1-9]|1[0-2])", v):
            raise ValueError(f"--certerox-version {v}: expected YYYY-MM")
        self.version = v
        # 9108d0b6 2024-08-16 "OS-7697. Data export support on cloud account connection"
        self.cur_version = v >= "2024-08"
        # 68428d24 2024-09-25 "OS-7806. Added use_edp_discount flag for aws cloud account"
        self.use_edp_discount = v >= "2024-10"
        # #531 update/250123 (2025-01-23): 86373623 "OS-7822. Find report files based on cur version"
        self.dates_per_version = v >= "2025-01"
        # #680 update/250606 (2025-06-06): f25b82e6 "OSN-884. Allow setting bucket region_name in aws
        # cloud config", 69917c66 "OSN-886. Support region_name on connecting AWS with bucket_only";
        # #682 update/250611 (2025-06-10): f0658afa "OSN-922. Fixed 500 on invalid region_name"
        # (validate_credentials "Invalid region"), a8154a32 "OSN-923. Updated error message on connect
        # aws" (the region hint of create_report's bucket error)
        self.region_name = v >= "2025-06"
        # #721 update/250728 (2025-07-28): 97c8d209 "OSN-962: AWS cross account (#1623)"
        # (BILLING_CREDS assume_role_account_id, assume_role_name, assume_role_session_name)
        self.assume_role = v >= "2025-07"
        # #817 update/260108 (2026-01-08): 9bd9ebd9 "OSN-1270. Fix missing report files on buckets with
        # 1000+ files" (_collect_s3_objects pages each folder)
        self.paginate_files = v >= "2026-01"

    def config_keys(self):
        keys = {"access_key_id": str, "secret_access_key": str, "config_scheme": str, "bucket_name": str,
                "bucket_prefix": str, "report_name": str, "linked": bool}
        if self.region_name:
            keys["region_name"] = str
        if self.assume_role:
            keys.update(assume_role_account_id=str, assume_role_name=str, assume_role_session_name=str)
        if self.cur_version:
            keys["cur_version"] = int
        if self.use_edp_discount:
            keys["use_edp_discount"] = bool
        return keys


class ReportError(Exception):
    pass


class Internal(Exception):
    """What OptScale does not catch: the REST server answers 500."""


class FilesNotFound(Exception):
    pass


class _BucketMissing(Exception):
    pass


def bucket_policy(bucket, acct):
    """The policy the server writes on a bucket it creates (tools/cloud_adapter/templates.py,
    AwsTemplates.get_bucket_policy; the guide's statement)."""
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "EnableAWSDataExportsToWriteToS3AndCheckPolicy",
        "Effect": "Allow",
        "Principal": {"Service": ["billingreports.amazonaws.com", "bcm-data-exports.amazonaws.com"]},
        "Action": ["s3:PutObject", "s3:GetBucketPolicy"],
        "Resource": [f"arn:aws:s3:::{bucket}/*", f"arn:aws:s3:::{bucket}"],
        "Condition": {"StringLike": {"aws:SourceAccount": acct, "aws:SourceArn": [
            f"arn:aws:cur:us-east-1:{acct}:definition/*", f"arn:aws:bcm-data-exports:us-east-1:{acct}:export/*"]}},
    }]})


class Report:
    """One configure_report run for cfg (mutated in place, as the adapter's self.config is the
    controller's config dict: what it sets there is stored with the data source)."""

    def __init__(self, cx, cfg, acct, release):
        self.cx, self.cfg, self.acct, self.rel = cx, cfg, acct, release

    def client(self, service, region="us-east-1"):
        return self.cx._client(self.cfg, service, region)

    # -- aws.py Aws._wrap: ClientError -> ReportError with botocore's own text
    def wrap(self, action, fn):
        try:
            return fn()
        except ClientError as e:
            if (e.response.get("Error") or {}).get("Code") in DENIED_CODES:
                raise ReportError(f"Not enough permissions to {action}: {e}")
            raise ReportError(f"Unable to {action}: {e}")
        except BotoCoreError as e:  # not caught by the adapter (retried, then raised): 500
            raise Internal(str(e))

    # -- aws.py Aws.get_bucket_region
    def bucket_region(self, bucket):
        s3 = self.client("s3")
        try:
            loc = s3.get_bucket_location(Bucket=bucket).get("LocationConstraint")
        except ClientError as e:
            if (e.response.get("Error") or {}).get("Code") == "NoSuchBucket":
                raise _BucketMissing(bucket)
            raise
        return "eu-west-1" if loc == "EU" else (loc or "us-east-1")

    # -- aws.py Aws.check_prefix_report_name (S3CloudMixin.is_valid_s3_object_key)
    @staticmethod
    def check_names(prefix, report):
        if prefix and not re.fullmatch(KEY_RE, prefix):
            raise ReportError(f'Bucket prefix "{prefix}" has incorrect format')
        if not isinstance(report, str) or not re.fullmatch(KEY_RE, report):
            raise ReportError(f'Report name "{report}" has incorrect format')

    # -- aws.py Aws.download_report_file: self.s3.download_fileobj (a client of its own, so a
    # connection of its own) = HeadObject, then GetObject
    def download(self, region, bucket, key):
        s3 = self.client("s3", region)
        s3.head_object(Bucket=bucket, Key=key)
        s3.get_object(Bucket=bucket, Key=key)["Body"].read()

    # -- aws.py Aws._find_exports / find_reports: the first page only
    def _exports(self):
        out = []
        # a client (a new connection) per call, as the adapter's self.cur_2 property makes one
        for r in self.client("bcm-data-exports").list_exports()["Exports"]:  # no NextToken followed
            ex = self.client("bcm-data-exports").get_export(ExportArn=r["ExportArn"])["Export"]
            fmt = {"TEXT_OR_CSV": "textORcsv", "PARQUET": "Parquet"}
            try:
                dest = ex["DestinationConfigurations"]["S3Destination"]
                oc = dest["S3OutputConfigurations"]
                cur = ex["DataQuery"]["TableConfigurations"].get("COST_AND_USAGE_REPORT")
                if not cur:
                    continue
                out.append({"ReportName": ex["Name"], "TimeUnit": cur["TIME_GRANULARITY"],
                            "Format": fmt.get(oc["Format"]) or oc["Format"],
                            "Compression": fmt.get(oc["Compression"]) or oc["Compression"],
                            "S3Bucket": dest["S3Bucket"], "S3Prefix": dest["S3Prefix"],
                            "S3Region": dest["S3Region"], "ReportVersioning": oc["Overwrite"],
                            "AdditionalSchemaElements": ["RESOURCES"], "RefreshClosedReports": True})
            except KeyError as e:  # the adapter indexes these without a check: HTTP 500
                raise Internal(f"KeyError: {e}")
        return out

    def reports(self):
        if self.cfg.get("cur_version") == 2:
            return self._exports()
        # DescribeReportDefinitions without MaxResults: one page of at most 5, no NextToken followed
        return self.client("cur").describe_report_definitions()["ReportDefinitions"]

    # -- aws.py Aws.check_report_definition: the problems of r, in the adapter's order and words.
    # Each wanted value is compared with != : AdditionalSchemaElements must equal ['RESOURCES'], so a
    # legacy report with SPLIT_COST_ALLOCATION_DATA (or MANUAL_DISCOUNT_COMPATIBILITY) fails find_report
    # and create_report; _find_exports writes ['RESOURCES'] into every CUR 2.0 entry, so exports pass.
    def problems(self, r, exclude_s3=False, exclude_name=False):
        c = self.cfg
        want = {"ReportName": c.get("report_name", DEFAULT_REPORT_NAME),
                "AdditionalSchemaElements": ["RESOURCES"], "S3Bucket": c.get("bucket_name"),
                "S3Prefix": c.get("bucket_prefix", DEFAULT_BUCKET_PREFIX),
                "S3Region": c.get("region_name", DEFAULT_S3_REGION), "RefreshClosedReports": True,
                "ReportVersioning": "OVERWRITE_REPORT"}
        skip = set()
        if exclude_name:
            skip.add("ReportName")
        if exclude_s3:
            skip |= {"S3Bucket", "S3Prefix", "S3Region"}
        out = [f"{k} must be {v}" for k, v in want.items() if k not in skip and r.get(k) != v]
        comp = ["ZIP", "GZIP", "Parquet"]
        if r.get("Compression") not in comp:
            out.append(f"Compression must be in {comp}")
        # the adapter names the compression list for these two as well
        if r.get("TimeUnit") not in ("DAILY", "HOURLY"):
            out.append(f"TimeUnit must be in {comp}")
        if r.get("Format") not in ("textORcsv", "Parquet"):
            out.append(f"Format must be in {comp}")
        return out

    def run(self):
        """aws.py Aws.configure_report: {config_updates} or raises."""
        if self.cfg.get("linked"):
            return {}
        scheme = self.cfg.get("config_scheme", "find_report")
        fn = {"find_report": self.find_report, "create_report": self.create_report,
              "bucket_only": self.bucket_only}.get(scheme)
        if fn is None:
            raise ReportError("Incorrect config_scheme")
        return fn() or {}

    # -- aws.py Aws._configure_find_report
    def find_report(self):
        found = [r for r in self.wrap("list reports", self.reports)
                 if not self.problems(r, exclude_s3=True, exclude_name=True)]
        if not found:
            raise ReportError("Unable to find report with required configuration")
        by_name = {}
        for r in found:
            by_name[r["ReportName"]] = r
        for name, r in by_name.items():
            b, p = r["S3Bucket"], r["S3Prefix"]
            s3 = self.client("s3", r.get("S3Region") or "us-east-1")
            try:
                objs = sorted(s3.list_objects_v2(Bucket=b, Prefix=p, MaxKeys=15).get("Contents", []),
                              key=lambda o: o.get("Size", 0))
                if objs:
                    self.cfg["bucket_name"] = b
                    self.download(r.get("S3Region") or "us-east-1", b, objs[0]["Key"])
                # no region_name: the adapter returns these three only
                return {"bucket_name": b, "report_name": name, "bucket_prefix": p}
            except ClientError:
                continue
            except BotoCoreError as e:
                raise Internal(str(e))
        raise ReportError("Unable to read report data. Checked reports: " + ", ".join(by_name))

    # -- aws.py Aws._configure_create_report
    def create_report(self):
        c = self.cfg
        b = c.get("bucket_name")
        if b is None:
            raise ReportError("bucket_name is required")
        missing = False
        try:
            c["region_name"] = self.wrap(f"check bucket {b} existence", lambda: self.bucket_region(b))
        except _BucketMissing:
            missing = True
        except ReportError as e:
            if self.rel.region_name:  # newer aws.py adds a hint
                raise ReportError(str(e) + ". Please try to set correct region name and check "
                                  "permissions for user and bucket")
            raise
        if missing:
            self.create_bucket(b)
        prefix = c.get("bucket_prefix", DEFAULT_BUCKET_PREFIX)
        name = c.get("report_name", DEFAULT_REPORT_NAME)
        self.check_names(prefix, name)
        region = c.get("region_name", DEFAULT_S3_REGION)

        def find():
            mine = [r for r in self.reports() if r["ReportName"] == name]
            for r in mine:
                probs = self.problems(r)  # everything, S3Prefix compared exactly
                if probs:
                    raise ReportError("Invalid report configuration: " + ", ".join(probs))
            return mine

        if not self.wrap(f"find report {name}", find):
            self.wrap(f"create report {name}", lambda: self.create(name, b, prefix, region))
        s3 = self.client("s3", region)
        # the whole prefix (the whole bucket when it is ""), 15 keys, the smallest downloaded
        resp = self.wrap(f"check access to {b}/{prefix}",
                         lambda: s3.list_objects_v2(Bucket=b, Prefix=prefix, MaxKeys=15))
        objs = sorted(resp.get("Contents", []), key=lambda o: o.get("Size", 0))
        if objs:
            k = objs[0]["Key"]
            self.wrap(f"perform test {k} download", lambda: self.download(region, b, k))
        return {}

    def create(self, name, b, prefix, region):
        """create_export / create_report of _configure_create_report, with their own messages."""
        if self.cfg.get("cur_version") == 2:
            bcm = self.client("bcm-data-exports")
            try:
                bcm.create_export(Export=self.cx.export_template(name, b, prefix, region))
            except ClientError as e:
                code = (e.response.get("Error") or {}).get("Code")
                if code == "ServiceQuotaExceededException":
                    raise ReportError("Unable to create report: quota exceeded")
                if code == "ValidationException":
                    raise ReportError("Unable to create report: validation error")
                raise
            return
        cur = self.client("cur")
        try:
            cur.put_report_definition(ReportDefinition={
                "ReportName": name, "TimeUnit": "DAILY", "Format": "textORcsv", "Compression": "ZIP",
                "AdditionalSchemaElements": ["RESOURCES"], "S3Bucket": b, "S3Prefix": prefix,
                "S3Region": region, "RefreshClosedReports": True, "ReportVersioning": "OVERWRITE_REPORT"})
        except ClientError as e:
            code = (e.response.get("Error") or {}).get("Code")
            if code == "ReportLimitReachedException":
                raise ReportError("Unable to create report: report limit reached")
            if code == "DuplicateReportNameException":
                raise ReportError(f"Unable to create report: {name} already exists")
            raise

    # -- aws.py Aws.create_bucket_for_report (+ configure_bucket_policy)
    def create_bucket(self, b):
        region = self.cfg.get("region_name", DEFAULT_S3_REGION)
        s3 = self.client("s3", region)

        def mk():
            kw = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
            try:
                s3.create_bucket(Bucket=b, ACL="private", **kw)
            except ClientError as e:
                if (e.response.get("Error") or {}).get("Code") in ("BucketAlreadyExists", "BucketAlreadyOwnedByYou"):
                    raise ReportError(f"Bucket {b} already exists")
                raise

        def policy():
            acct = self.cx.caller_account(self.cfg)  # validate_credentials again
            s3.put_bucket_policy(Bucket=b, Policy=bucket_policy(b, acct))

        self.wrap(f"create bucket {b}", mk)
        self.wrap(f"configure bucket {b} policy", policy)

    # -- aws.py Aws._configure_bucket_only, get_report_files, _collect_s3_objects,
    #    find_reports_by_format
    def bucket_only(self):
        c = self.cfg
        for k in ("bucket_name", "report_name", "bucket_prefix"):
            if c.get(k) is None:
                raise ReportError(f"{k} is required")
        b, name, prefix = c["bucket_name"], c["report_name"], c["bucket_prefix"]
        try:
            c["region_name"] = self.wrap(f"check bucket {b} existence", lambda: self.bucket_region(b))
        except _BucketMissing:
            raise ReportError(f"Bucket {b} not found")
        self.check_names(prefix, name)
        try:
            self.check_download(b, prefix)
        except FilesNotFound:
            # retried once without the last '/'-segment; a prefix without '/' is not retried and
            # the missing files are not reported (the exception is swallowed)
            m = re.match(r"^(.*)(/.*)$", prefix)
            if m:
                c["bucket_prefix"] = m.group(1)
                try:
                    self.check_download(b, m.group(1))
                except FilesNotFound:
                    raise ReportError(f"Unable to find report {name} files")
        return {}

    def check_download(self, b, prefix_for_message):
        files = self.wrap(f"check {b}/{prefix_for_message} access", self.report_files)
        if files:
            obj = list(files.values())[-1][0]  # dict.popitem(): the last group
            self.wrap(f"perform test {obj} download", lambda: self.download(self.cfg["region_name"], b, obj["Key"]))

    def report_files(self):
        c = self.cfg
        b = c["bucket_name"]
        prefix = c.get("bucket_prefix", DEFAULT_BUCKET_PREFIX)
        if prefix.endswith("/"):
            prefix = prefix[:-1]
        name = c.get("report_name", DEFAULT_REPORT_NAME)
        c["region_name"] = self.bucket_region(b)
        s3 = self.client("s3", c["region_name"])
        top = s3.list_objects_v2(Bucket=b, Prefix=f"{prefix}/{name}/", Delimiter="/")
        objs = []
        for cp in top.get("CommonPrefixes", []):  # files directly under <prefix>/<name>/ are not seen
            kw = {"Bucket": b, "Prefix": cp["Prefix"]}
            while True:
                page = s3.list_objects_v2(**kw)
                objs += page.get("Contents", [])
                if not (self.rel.paginate_files and page.get("IsTruncated")):
                    break
                kw["ContinuationToken"] = page["NextContinuationToken"]
        groups = self.by_format(objs, CSV_RE) or self.by_format(objs, PARQUET_RE)
        if not groups:
            raise FilesNotFound(name)
        return groups

    def by_format(self, objs, fmt):
        cand = [o for o in objs if re.search(fmt, o["Key"])]
        if self.rel.dates_per_version:
            v = self.cfg.get("cur_version")
            pats = {2: DATES_CUR2, 1: DATES_LEGACY}.get(v) or DATES_CUR2 + DATES_LEGACY
            pats = [next((p for p in pats if any(re.search(p, o["Key"]) for o in cand)), None)]
            pats = [p for p in pats if p]
        else:
            pats = DATES_CUR2 + DATES_LEGACY
        groups = {}
        for o in cand:
            for p in pats:
                m = re.search(p, o["Key"])
                if m:
                    groups.setdefault(m.group(0), []).append(o)
                    break
        return groups
