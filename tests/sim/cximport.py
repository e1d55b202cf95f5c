"""`cloudsim import DIR`: CerteroX's report import of every AWS data source, with its own key.

What OptScale does (read in the real source, rewritten here):
- diworker/diworker/main.py DIWorker.report_import: the importer runs; any exception ends the
  attempt with update_cloud_import_attempt(now, str(exc)) (importers/base.py), i.e.
  last_import_attempt_at = now and last_import_attempt_error = the exception's text.
- importers/base.py BaseReportImporter.import_report / update_cloud_import_time: on success
  last_import_at = last_import_attempt_at = now (the error is left as it was; the UI's
  ngui utils/dataSources/getBillingImportStatus.ts calls the import failed only while
  error and last_import_at < last_import_attempt_at).
- importers/base.py CSVBaseReportImporter.download_from_cloud: the cloud adapter's
  get_report_files, then (first import) the latest billing-period group's files downloaded.
- tools/cloud_adapter/clouds/aws.py Aws.get_report_files: get_bucket_location
  ("Bucket <b> not found" on NoSuchBucket), _collect_s3_objects (ListObjectsV2 of
  "<prefix>/<report>/" with Delimiter "/", then each common prefix, the latest object per
  day-stripped key), the CSV files (r'\\.csv.(gz|zip)$') else Parquet ('\\.snappy.parquet$')
  grouped by billing period; none: "Report files for report <r> not found in bucket <b>".
- importers/aws.py AWSReportImporter.unpack_report: a zip must hold one file ("zip excepted
  to have one file inside"); gzip is inflated.
AWS errors surface as botocore's ClientError text ("An error occurred (AccessDenied) when
calling the ListObjectsV2 operation: Access Denied"), as in OptScale. Linked data sources
are not imported on their own (their costs come with the Root's report).
"""

import gzip
import io
import re
import time
import zipfile

from botocore.exceptions import BotoCoreError, ClientError

CSV_FORMAT = r"\.csv.(gz|zip)$"
PARQUET_FORMAT = r"\.snappy.parquet$"
GROUP_DATES = [r"BILLING_PERIOD=[0-9]{4}-[0-9]{2}/", r"[0-9]{8}-[0-9]{8}/",
               r"year=[0-9]{4}/month=([1-9]|1[0-2])/"]


class ImportError_(Exception):
    pass


def _group_key(group):
    """A billing-period directory as 'YYYYMM01-YYYYMM01' (Aws._group_to_daterange)."""
    if "BILLING_PERIOD" in group:
        year, month = int(group[-8:-4]), int(group[-3:-1])
    elif "year=" in group:
        year = int(group[5:].split("/")[0])
        month = int(group.split("month=")[1].split("/")[0])
    else:
        return group.replace("/", "")
    ny, nm = (year + 1, 1) if month == 12 else (year, month + 1)
    return f"{year}{month:02d}01-{ny}{nm:02d}01"


def _collect(s3, bucket, prefix, report):
    resp = s3.list_objects_v2(Bucket=bucket, Prefix=f"{prefix}/{report}/", Delimiter="/")
    out = []
    for cp in resp.get("CommonPrefixes", []):
        cp = cp["Prefix"]
        latest = {}
        for o in s3.list_objects_v2(Bucket=bucket, Prefix=cp).get("Contents", []):
            day = o["Key"].split(cp)[1].split(report)[0]
            if day:
                for rgx in GROUP_DATES:
                    if re.search(rgx, day):
                        day = re.sub(rgx, "", day)
                        break
            k = o["Key"].replace(day, "")
            if k not in latest or latest[k]["LastModified"] < o["LastModified"]:
                latest[k] = o
        out.extend(latest.values())
    return out


def _by_format(objs, pattern):
    groups = {}
    for o in objs:
        if not re.search(pattern, o["Key"]):
            continue
        for g in GROUP_DATES:
            m = re.search(g, o["Key"])
            if m:
                groups.setdefault(_group_key(m.group(0)), []).append(o)
                break
    return groups


def _unpack(key, data):
    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            if len(z.filelist) > 1:
                raise ImportError_("zip excepted to have one file inside")
            z.read(z.filelist[0])
    elif key.endswith(".gz"):
        gzip.decompress(data)


def import_one(cx, cfg):
    """Imports one data source's latest billing period; returns the files' newest LastModified
    (epoch seconds). Raises with OptScale's error text."""
    bucket = cfg.get("bucket_name") or ""
    prefix = cfg.get("bucket_prefix", "reports")
    if prefix is None:
        prefix = "reports"
    if prefix.endswith("/"):
        prefix = prefix[:-1]
    report = cfg.get("report_name") or "optscale-report"
    s3 = cx._client(cfg, "s3")
    try:
        loc = s3.get_bucket_location(Bucket=bucket)
    except ClientError as e:
        if e.response.get("Error", {}).get("Code") == "NoSuchBucket":
            raise ImportError_(f"Bucket {bucket} not found")
        raise
    region = loc.get("LocationConstraint") or "us-east-1"
    s3 = cx._client(cfg, "s3", region)
    objs = _collect(s3, bucket, prefix, report)
    groups = _by_format(objs, CSV_FORMAT) or _by_format(objs, PARQUET_FORMAT)
    if not groups:
        raise ImportError_(f"Report files for report {report} not found in bucket {bucket}")
    latest = groups[sorted(groups)[-1]]
    newest = 0
    for o in latest:
        data = s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read()
        _unpack(o["Key"], data)
        newest = max(newest, int(o["LastModified"].timestamp()))
    return newest


def run(cx):
    """Imports every AWS (aws_cnr, not linked) data source of every organization."""
    with cx.lock:
        cas = [c for c in cx.st["cloud_accounts"] if c.get("type") == "aws_cnr"
               and not c["config"].get("linked") and c.get("auto_import", True)]
    done, failed = [], []
    try:
        for ca in cas:
            now = int(time.time())
            try:
                modified = import_one(cx, dict(ca["config"]))
                upd = {"last_import_at": now, "last_import_attempt_at": now,
                       "last_import_modified_at": modified}
                done.append(f"{ca['name']} ({ca['id']})")
            except (ClientError, BotoCoreError, ImportError_, OSError, EOFError, zipfile.BadZipFile) as e:
                upd = {"last_import_attempt_at": now, "last_import_attempt_error": str(e)}
                failed.append(f"{ca['name']} ({ca['id']}): {e}")
            with cx.lock:
                ca.update(upd)
        with cx.lock:
            cx.save()
    finally:
        cx._key.clear()
    return {"imported": done, "failed": failed}
