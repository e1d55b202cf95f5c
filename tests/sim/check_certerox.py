"""The CerteroX side of the sim, driven with curl: auth, validation, each config_scheme, error envelope."""

import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from simtest import Sim, check, main, bucket_policy, report_def  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def envelope(j, status, code):
    e = (j or {}).get("error") or {}
    return (e.get("status_code") == status and e.get("error_code") == code and isinstance(e.get("reason"), str)
            and isinstance(e.get("params"), list))


def body(sim):
    env = sim.env
    org = env["CERTEROX_ORGANIZATION_ID"]
    cas = f"/restapi/v2/organizations/{org}/cloud_accounts"
    mk, ms = env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]

    def keys(who="m"):
        if who == "m":
            return {"access_key_id": mk, "secret_access_key": ms}
        p = who.upper() + "_AWS_"
        return {"access_key_id": env[p + "ACCESS_KEY_ID"], "secret_access_key": env[p + "SECRET_ACCESS_KEY"]}

    # auth
    st, j, t = sim.curl("POST", "/auth/v2/tokens", {"email": env["CERTEROX_EMAIL"],
                                                    "password": env["CERTEROX_PASSWORD"]}, token=None)
    check("POST /auth/v2/tokens -> 201 with a token", st == 201 and j.get("token") and j.get("user_id"), t)
    token2 = (j or {}).get("token")
    st, j, t = sim.curl("POST", "/auth/v2/tokens", {"email": env["CERTEROX_EMAIL"], "password": "wrong"}, token=None)
    check("wrong password -> 403 OA0037", st == 403 and envelope(j, 403, "OA0037"), t)
    st, j, t = sim.curl("POST", "/auth/v2/tokens", {"email": env["CERTEROX_EMAIL"]}, token=None)
    check("password not provided -> 400 OA0039", st == 400 and envelope(j, 400, "OA0039"), t)
    st, j, t = sim.curl("GET", "/restapi/v2/organizations", token=None)
    check("no token -> 401 OE0237 'This resource requires authorization'",
          st == 401 and envelope(j, 401, "OE0237") and j["error"]["reason"] == "This resource requires authorization", t)
    st, j, t = sim.curl("GET", "/restapi/v2/organizations", token="nope")
    check("bad token -> 401 OE0235", st == 401 and envelope(j, 401, "OE0235"), t)
    st, j, t = sim.curl("GET", "/restapi/v2/organizations", token=token2)
    check("GET organizations with the new token lists CERTEROX_ORGANIZATION_ID",
          st == 200 and org in [o["id"] for o in j["organizations"]], t)

    # validation
    st, j, t = sim.curl("POST", cas, "{not json")
    check("invalid JSON -> 400 OE0233", st == 400 and envelope(j, 400, "OE0233"), t)
    st, j, t = sim.curl("POST", cas, {"name": "x", "type": "aws_cnr", "config": keys(), "extra": 1})
    check("unexpected top-level key -> 400 OE0212 \"Unexpected parameters: ['extra']\"",
          st == 400 and envelope(j, 400, "OE0212") and j["error"]["reason"] == "Unexpected parameters: ['extra']", t)
    # OptScale controllers/cloud_account.py validate_config: every unexpected key named, params [[keys]]
    st, j, t = sim.curl("POST", cas, {"name": "x", "type": "aws_cnr", "config": dict(keys(), zz=1, yy=2)})
    check("unexpected config keys -> 400 OE0212 \"Unexpected parameters: ['zz', 'yy']\", params [['zz', 'yy']]",
          st == 400 and envelope(j, 400, "OE0212") and j["error"]["reason"] == "Unexpected parameters: ['zz', 'yy']"
          and j["error"]["params"] == [["zz", "yy"]], t)
    # newest aws.py Aws.validate_credentials: region_name must be a region the adapter knows
    st, j, t = sim.curl("POST", cas, {"name": "x", "type": "aws_cnr", "config": dict(keys(), region_name="xx-nowhere-1")})
    check("newest release: config.region_name unknown -> 403 OE0433 'Cloud error: Invalid region: xx-nowhere-1'",
          st == 403 and envelope(j, 403, "OE0433") and
          j["error"]["reason"] == "Cloud error: Invalid region: xx-nowhere-1", t)
    st, j, t = sim.curl("POST", cas, {"name": "x", "type": "aws_cnr", "config": {"secret_access_key": ms}})
    check("no access_key_id -> 400 OE0216 'access_key_id is not provided'",
          st == 400 and envelope(j, 400, "OE0216") and j["error"]["reason"] == "access_key_id is not provided", t)
    st, j, t = sim.curl("POST", cas, {"name": "x", "type": "aws_cnr", "config": dict(keys(), bucket_name=5)})
    check("bucket_name not a string -> 400 OE0214", st == 400 and envelope(j, 400, "OE0214"), t)
    st, j, t = sim.curl("POST", cas, {"name": "x" * 256, "type": "aws_cnr", "config": keys()})
    check("name of 256 chars -> 400 OE0215", st == 400 and envelope(j, 400, "OE0215"), t)
    st, j, t = sim.curl("POST", cas, {"name": "   ", "type": "aws_cnr", "config": keys()})
    check("whitespace name -> 400 OE0416", st == 400 and envelope(j, 400, "OE0416"), t)
    st, j, t = sim.curl("POST", cas, {"name": "x", "type": "aws_cnr", "config": dict(keys(), linked="yes")})
    check("linked not a bool -> 400 OE0226", st == 400 and envelope(j, 400, "OE0226"), t)
    st, j, t = sim.curl("POST", cas, {"name": "x", "type": "aws_cnr", "config": dict(keys(), cur_version="2")})
    check("cur_version not an integer -> 400 OE0223", st == 400 and envelope(j, 400, "OE0223"), t)
    # validate_part runs type by type over every key present, before handle_config calls AWS
    # (controllers/cloud_account.py; utils.py check_string_attribute / check_int_attribute)
    ver = "/restapi/v2/cloud_account_verify"
    n0 = len(sim.requests())
    st, j, t = sim.curl("POST", ver, {"type": "aws_cnr", "config": dict(keys(), access_key_id=0, cur_version=2)})
    aws_calls = [r for r in sim.requests()[n0:] if r["service"] != "certerox"]
    check("verify: access_key_id a number -> 400 OE0214 'access_key_id should be a string', no call to AWS",
          st == 400 and envelope(j, 400, "OE0214") and j["error"]["reason"] == "access_key_id should be a string"
          and not aws_calls, f"{t} {aws_calls}")
    st, j, t = sim.curl("POST", ver, {"type": "aws_cnr", "config": dict(keys(), access_key_id=0, zz=1)})
    check("verify: an unexpected key before the types -> OE0212", st == 400 and envelope(j, 400, "OE0212"), t)
    st, j, t = sim.curl("POST", ver, {"type": "aws_cnr", "config": dict(keys(), access_key_id=None)})
    check("verify: access_key_id null -> 400 OE0214 (present, so type-checked)",
          st == 400 and envelope(j, 400, "OE0214"), t)
    st, j, t = sim.curl("POST", ver, {"type": "aws_cnr", "config": dict(keys(), cur_version=None)})
    check("verify: cur_version null -> 400 OE0216 'cur_version is not provided'",
          st == 400 and envelope(j, 400, "OE0216") and j["error"]["reason"] == "cur_version is not provided", t)
    st, j, t = sim.curl("POST", ver, {"type": "aws_cnr", "config": dict(keys("member"), bucket_prefix="p" * 300)})
    check("verify: bucket_prefix of 300 characters passes (handle_config's check_string has no length limit)",
          st == 200, t)
    st, j, t = sim.curl("POST", cas, {"name": "x", "type": "aws_cnr", "config": dict(keys(), secret_access_key="x" * 40)})
    check("rejected key -> 403 OE0433 with botocore's text (aws.py validate_credentials str(ClientError))",
          st == 403 and envelope(j, 403, "OE0433") and j["error"]["reason"].startswith(
              "Cloud error: An error occurred (SignatureDoesNotMatch) when calling the GetCallerIdentity operation"), t)
    # A1: order of the checks (controllers/cloud_account.py create: validate_config, validate_credentials,
    # check_cloud_account_exists, _validate, _configure_report)
    st, j, t = sim.curl("POST", cas, {"name": "x", "type": "aws_cnr",
                                      "config": dict(keys(), secret_access_key="x" * 40, zz=1)})
    check("A1: unexpected key and a rejected key -> OE0212 first", st == 400 and envelope(j, 400, "OE0212"), t)
    st, j, t = sim.curl("POST", cas, {"name": "x", "type": "aws_cnr", "config": dict(keys(), config_scheme="nope")})
    check("A1/A5: bad config_scheme -> 400 OE0371 'Unable to configure billing report: Incorrect config_scheme'",
          st == 400 and envelope(j, 400, "OE0371") and
          j["error"]["reason"] == "Unable to configure billing report: Incorrect config_scheme", t)
    # A5: a user without MANAGE_CLOUD_CREDENTIALS (handlers/v2/cloud_account.py check_permissions)
    viewer = env["CERTEROX_VIEWER_TOKEN"]
    st, j, t = sim.curl("POST", cas, {"name": "x", "type": "aws_cnr", "config": keys()}, token=viewer)
    check("A5: create with a token lacking MANAGE_CLOUD_CREDENTIALS -> 403 OE0234 'Forbidden'",
          st == 403 and envelope(j, 403, "OE0234") and j["error"]["reason"] == "Forbidden", t)
    st, j, t = sim.curl("POST", cas, {"name": "x", "type": "aws_cnr", "config": {}}, token=viewer)
    check("A5: the permission is checked before the config (403, not OE0216)", st == 403, t)
    st, j, t = sim.curl("POST", "/restapi/v2/cloud_account_verify", {"type": "aws_cnr", "config": keys("member")},
                        token=viewer)
    check("A5: cloud_account_verify needs any token only -> 200", st == 200 and j == {"status": "ok"}, t)
    st, j, t = sim.curl("GET", cas, token=viewer)
    check("A5: listing with that token -> 200", st == 200, t)
    st, j, t = sim.curl("POST", "/restapi/v2/organizations/00000000-0000-0000-0000-000000000000/cloud_accounts",
                        {"name": "x", "type": "aws_cnr", "config": keys()})
    check("unknown organization -> 404 OE0002", st == 404 and envelope(j, 404, "OE0002"), t)

    # linked (member)
    st, j, t = sim.curl("POST", cas, {"name": "member", "type": "aws_cnr", "config": dict(keys("member"), linked=True)})
    check("linked member account -> 201, account_id from STS, no secret in the answer",
          st == 201 and j["account_id"] == env["MEMBER_AWS_ACCOUNT_ID"] and "secret_access_key" not in j["config"]
          and env["MEMBER_AWS_SECRET_ACCESS_KEY"] not in t, t)
    member_id = (j or {}).get("id")
    st, j, t = sim.curl("POST", cas, {"name": "member", "type": "aws_cnr",
                                      "config": dict(keys("standalone"), linked=True)})
    check("duplicate name -> 409 OE0404", st == 409 and envelope(j, 409, "OE0404"), t)
    st, j, t = sim.curl("POST", cas, {"name": "member", "type": "aws_cnr",
                                      "config": dict(keys("member"), secret_access_key="y" * 40, linked=True)})
    check("A1: duplicate name with a rejected key -> 403 OE0433 (the key is checked first)",
          st == 403 and envelope(j, 403, "OE0433"), t)
    st, j, t = sim.curl("POST", cas, {"name": "member", "type": "aws_cnr", "config": dict(keys("member"), linked=True)})
    check("A1: same account and same name (a create sent again) -> 409 OE0402, not OE0404",
          st == 409 and envelope(j, 409, "OE0402") and j["error"]["params"] == [], t)
    st, j, t = sim.curl("POST", cas, {"name": "member9", "type": "aws_cnr",
                                      "config": dict(keys("member"), linked=False, config_scheme="nope")})
    check("A1: account already connected -> OE0402 before the report setup", st == 409 and
          envelope(j, 409, "OE0402"), t)
    st, j, t = sim.curl("POST", cas, {"name": "member2", "type": "aws_cnr", "config": dict(keys("member"), linked=True)})
    check("same AWS account again -> 409 OE0402 'Cloud account for this account already exist'",
          st == 409 and envelope(j, 409, "OE0402") and
          j["error"]["reason"] == "Cloud account for this account already exist", t)

    # Root: bucket_only before delivery, create_report, find_report, bucket_only after delivery
    s3 = sim.client("s3", region="eu-west-1")
    s3.create_bucket(Bucket="cx-bkt", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.put_bucket_policy(Bucket="cx-bkt", Policy=bucket_policy("cx-bkt", "123456789012"))
    root = dict(keys(), linked=False, cur_version=2, bucket_name="cx-bkt", bucket_prefix="reports",
                report_name="cx-export")
    st, j, t = sim.curl("POST", cas, {"name": "root", "type": "aws_cnr", "config": dict(root, config_scheme="bucket_only",
                                                                                      bucket_prefix="reports/x")})
    check("bucket_only before deliver, prefix with '/' -> 400 OE0371 'Unable to find report cx-export files'",
          st == 400 and envelope(j, 400, "OE0371") and j["error"]["reason"] ==
          "Unable to configure billing report: Unable to find report cx-export files", t)
    # A2: aws.py _configure_bucket_only swallows the missing files when the prefix has no '/'
    st, j, t = sim.curl("POST", cas, {"name": "root", "type": "aws_cnr", "config": dict(root, config_scheme="bucket_only")})
    check("A2: bucket_only before deliver, prefix without '/' -> 201 (no files, no error), region_name stored",
          st == 201 and j["config"]["bucket_prefix"] == "reports" and j["config"].get("region_name") == "eu-west-1", t)
    st, _, t = sim.curl("DELETE", f"/restapi/v2/cloud_accounts/{(j or {}).get('id')}")
    check("  (deleted again)", st == 204, t)
    st, j, t = sim.curl("POST", cas, {"name": "root", "type": "aws_cnr",
                                      "config": dict(root, config_scheme="bucket_only", bucket_name="no-such-bkt")})
    check("bucket_only with a missing bucket -> OE0371 'Bucket no-such-bkt not found'",
          st == 400 and envelope(j, 400, "OE0371") and "Bucket no-such-bkt not found" in j["error"]["reason"], t)
    st, j, t = sim.curl("POST", cas, {"name": "root", "type": "aws_cnr",
                                      "config": {k: v for k, v in dict(root, config_scheme="create_report").items()
                                                 if k != "bucket_name"}})
    check("create_report without bucket_name -> OE0371 'bucket_name is required'",
          st == 400 and envelope(j, 400, "OE0371") and "bucket_name is required" in j["error"]["reason"], t)
    st, j, t = sim.curl("POST", cas, {"name": "root", "type": "aws_cnr",
                                      "config": dict(root, config_scheme="create_report", report_name="bad name")})
    check("report name with a space -> OE0371 'Report name \"bad name\" has incorrect format'",
          st == 400 and 'Report name "bad name" has incorrect format' in (j or {}).get("error", {}).get("reason", ""), t)

    # a key with only the guide's ReadOnly policy: create_report for legacy CUR fails (no cur:PutReportDefinition)
    iam = sim.client("iam")
    iam.create_user(UserName="certerox")
    with open(os.path.join(os.environ.get("top_srcdir", os.path.join(HERE, "..", "..")), "data", "policies",
                           "readonly.json")) as f:
        ro = f.read().replace("${BUCKET}", "cx-bkt").replace("${ACCOUNT_ID}", "123456789012")
    iam.put_user_policy(UserName="certerox", PolicyName="readonly", PolicyDocument=ro)
    k = iam.create_access_key(UserName="certerox")["AccessKey"]
    ro_keys = {"access_key_id": k["AccessKeyId"], "secret_access_key": k["SecretAccessKey"]}
    st, j, t = sim.curl("POST", cas, {"name": "legacy", "type": "aws_cnr", "config": dict(
        ro_keys, linked=False, config_scheme="create_report", bucket_name="cx-bkt", bucket_prefix="cur",
        report_name="legacy-cur")})
    check("legacy create_report with the ReadOnly key -> OE0371 'Not enough permissions to create report legacy-cur'",
          st == 400 and "Not enough permissions to create report legacy-cur" in (j or {}).get("error", {}).get(
              "reason", ""), t)
    st, j, t = sim.curl("POST", cas, {"name": "root", "type": "aws_cnr", "config": dict(
        ro_keys, linked=False, cur_version=2, config_scheme="create_report", bucket_name="cx-bkt",
        bucket_prefix="reports", report_name="cx-export")})
    check("CUR 2.0 create_report with the ReadOnly key -> 201 (creates the export with that key)",
          st == 201 and j["config"]["region_name"] == "eu-west-1" and j["account_id"] == "123456789012", t)
    root_id = (j or {}).get("id")
    ex = sim.client("bcm-data-exports").list_exports()["Exports"]
    check("the export exists in AWS afterwards", [e["ExportName"] for e in ex] == ["cx-export"], str(ex))
    recs = [r for r in sim.requests() if r["operation"] == "CreateExport"]
    check("the server did CreateExport with the submitted key", recs and recs[-1]["access_key_id"] == k["AccessKeyId"]
          and recs[-1]["status"] == 200, str(recs))
    st, j, t = sim.curl("GET", f"/restapi/v2/cloud_accounts/{root_id}")
    check("GET cloud_account -> 200 without secret", st == 200 and j["id"] == root_id and
          "secret_access_key" not in j["config"], t)
    st, j, t = sim.curl("GET", cas + "?type=aws_cnr")
    check("list cloud_accounts -> both", st == 200 and {c["name"] for c in j["cloud_accounts"]} == {"root", "member"}, t)
    st, j, t = sim.curl("GET", cas + "?only_linked=true")
    check("list ?only_linked=true -> member only", st == 200 and [c["name"] for c in j["cloud_accounts"]] == ["member"])

    # PATCH: find_report (detects the export), then bucket_only after deliver
    st, j, t = sim.curl("PATCH", f"/restapi/v2/cloud_accounts/{root_id}", {"config": dict(
        ro_keys, linked=False, cur_version=2, config_scheme="find_report")})
    check("PATCH find_report -> 200, detected bucket/report/prefix",
          st == 200 and j["config"].get("report_name") == "cx-export" and j["config"].get("bucket_name") == "cx-bkt", t)
    check("A2: find_report does not store region_name", st == 200 and "region_name" not in j["config"], t)
    # A2: create_report compares S3Prefix exactly (aws.py check_report_definition)
    st, j, t = sim.curl("PATCH", f"/restapi/v2/cloud_accounts/{root_id}", {"config": dict(
        ro_keys, linked=False, cur_version=2, config_scheme="create_report", bucket_name="cx-bkt",
        bucket_prefix="reports/", report_name="cx-export")})
    check("A2: create_report naming the export with prefix 'reports/' (AWS has 'reports') -> OE0371 "
          "'Invalid report configuration: S3Prefix must be reports/'",
          st == 400 and envelope(j, 400, "OE0371") and j["error"]["reason"] ==
          "Unable to configure billing report: Invalid report configuration: S3Prefix must be reports/", t)
    st, j, t = sim.curl("PATCH", f"/restapi/v2/cloud_accounts/{root_id}", {"config": dict(
        ro_keys, linked=False, cur_version=2, config_scheme="bucket_only", bucket_name="cx-bkt",
        bucket_prefix="reports/", report_name="cx-export")})
    check("A2: PATCH bucket_only before deliver, prefix 'reports/' -> 400 OE0371 (retried as 'reports')",
          st == 400 and envelope(j, 400, "OE0371"), t)
    r = sim.run("sh", os.path.join(HERE, "cloudsim"), "deliver", sim.dir)
    check("cloudsim deliver", r.returncode == 0 and "cx-export-00001.csv.gz" in r.stdout, r.stdout + r.stderr)
    st, j, t = sim.curl("PATCH", f"/restapi/v2/cloud_accounts/{root_id}", {"config": dict(
        ro_keys, linked=False, cur_version=2, config_scheme="bucket_only", bucket_name="cx-bkt",
        bucket_prefix="reports/", report_name="cx-export")})
    check("A2: PATCH bucket_only after deliver -> 200, the prefix stored as sent ('reports/')",
          st == 200 and j["config"]["bucket_prefix"] == "reports/", t)
    st, j, t = sim.curl("PATCH", f"/restapi/v2/cloud_accounts/{root_id}", {"config": dict(
        ro_keys, linked=False, cur_version=2, config_scheme="bucket_only", bucket_name="cx-bkt",
        bucket_prefix="reports/extra", report_name="cx-export")})
    check("bucket_only with prefix a/b retries a once -> 200", st == 200 and j["config"]["bucket_prefix"] == "reports", t)
    st, j, t = sim.curl("POST", cas, {"name": "standalone", "type": "aws_cnr", "config": dict(
        keys("standalone"), linked=False, cur_version=2, config_scheme="find_report")})
    check("find_report in an account without exports -> OE0371 'Unable to find report with required configuration'",
          st == 400 and (j or {}).get("error", {}).get("reason") ==
          "Unable to configure billing report: Unable to find report with required configuration", t)
    st, j, t = sim.curl("POST", "/restapi/v2/cloud_account_verify", {"type": "aws_cnr", "config": keys("standalone")})
    check("cloud_account_verify -> 200 {status: ok}", st == 200 and j == {"status": "ok"}, t)
    st, j, t = sim.curl("DELETE", f"/restapi/v2/cloud_accounts/{member_id}")
    check("DELETE -> 204", st == 204, t)
    st, j, t = sim.curl("GET", f"/restapi/v2/cloud_accounts/{member_id}")
    check("GET deleted -> 404 OE0002", st == 404 and envelope(j, 404, "OE0002"), t)

    fidelity(sim, cas, keys)

    # persistence
    sim.stop()
    sim.start()
    st, j, t = sim.curl("GET", f"/restapi/v2/cloud_accounts/{root_id}")
    check("after stop/start: the data source and the token survive", st == 200 and j["id"] == root_id, t)
    with open(os.path.join(sim.dir, "requests.jsonl")) as f:
        log = f.read()
    check("requests.jsonl: certerox requests logged as 'METHOD /path', no secret, no token",
          '"operation": "POST /auth/v2/tokens"' in log and env["CERTEROX_PASSWORD"] not in log and
          env["CERTEROX_TOKEN"] not in log and ms not in log and ro_keys["secret_access_key"] not in log)


def fidelity(sim, cas, keys):
    """Issue 13 A2-A4: rules of OptScale's aws.py, in the standalone account."""
    env = sim.env
    sa = keys("standalone")
    acct = env["STANDALONE_AWS_ACCOUNT_ID"]
    s3 = sim.client("s3", region="us-east-1", who="standalone")
    s3.create_bucket(Bucket="sa-bkt")
    s3.put_bucket_policy(Bucket="sa-bkt", Policy=bucket_policy("sa-bkt", acct))

    def post(name, **cfg):
        return sim.curl("POST", cas, {"name": name, "type": "aws_cnr", "config": dict(sa, linked=False, **cfg)})

    def delete(j):
        return sim.curl("DELETE", f"/restapi/v2/cloud_accounts/{(j or {}).get('id')}")[0] == 204

    # A2: bucket_only sees data files only under date-named folders of <prefix>/<report>/
    s3.put_object(Bucket="sa-bkt", Key="p/q/rep/rep-00001.csv.gz", Body=b"x" * 10)
    st, j, t = post("sa", cur_version=1, config_scheme="bucket_only", bucket_name="sa-bkt", bucket_prefix="p/q",
                    report_name="rep")
    check("A2: bucket_only, a data file right under <prefix>/<report>/ -> OE0371 'Unable to find report rep files'",
          st == 400 and j["error"]["reason"] == "Unable to configure billing report: Unable to find report rep files", t)
    s3.put_object(Bucket="sa-bkt", Key="p/q/rep/20240101-20240201/rep-00001.csv.gz", Body=b"x" * 10)
    st, j, t = post("sa", cur_version=1, config_scheme="bucket_only", bucket_name="sa-bkt", bucket_prefix="p/q",
                    report_name="rep")
    check("A2: ... and under a date-named folder -> 201", st == 201, t)
    check("  (deleted again)", delete(j))

    # A4: create_report lists the whole prefix ("" = the whole bucket) and downloads the smallest object
    s3.put_object(Bucket="sa-bkt", Key="a-tiny.txt", Body=b"1")
    n0 = len(sim.requests())
    st, j, t = post("sa", cur_version=1, config_scheme="create_report", bucket_name="sa-bkt", bucket_prefix="",
                    report_name="sa-legacy")
    got = [r for r in sim.requests()[n0:] if r["service"] == "s3" and r["operation"] in ("GetObject", "HeadObject")]
    check("A4: create_report with prefix \"\" -> 201 after a test download of the bucket's smallest object",
          st == 201 and got and all(r.get("access_key_id") == sa["access_key_id"] for r in got), t + str(got))
    lists = [r for r in sim.requests()[n0:] if r["operation"] == "ListObjectsV2"]
    check("A4: one ListObjectsV2 (15 keys of the prefix)", len(lists) == 1, str(lists))
    # C11: OptScale's adapter makes a new client (a new connection pool) at each use
    # (tools/cloud_adapter/clouds/base.py Base.s3, aws.py Aws.sts): its calls do not share one
    # connection; HeadObject and GetObject are one download_fileobj of one client
    mine = [r for r in sim.requests()[n0:] if r["service"] != "certerox" and r["operation"] != "GetObject"]
    check("C11: each AWS call of CerteroX's check goes out on a new connection",
          len(mine) >= 4 and len({r["connection"] for r in mine}) == len(mine),
          str([(r["operation"], r["connection"]) for r in mine]))
    check("  (deleted again)", delete(j))
    iam = sim.client("iam", who="standalone")
    iam.create_user(UserName="nodl")
    iam.put_user_policy(UserName="nodl", PolicyName="p", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"},
                                               {"Effect": "Deny", "Action": "s3:GetObject",
                                                "Resource": "arn:aws:s3:::sa-bkt/a-tiny.txt"}]}))
    k = iam.create_access_key(UserName="nodl")["AccessKey"]
    st, j, t = sim.curl("POST", cas, {"name": "sa", "type": "aws_cnr", "config": {
        "access_key_id": k["AccessKeyId"], "secret_access_key": k["SecretAccessKey"], "linked": False,
        "cur_version": 1, "config_scheme": "create_report", "bucket_name": "sa-bkt", "bucket_prefix": "",
        "report_name": "sa-legacy"}})
    check("A4: that object not readable -> OE0371 'Not enough permissions to perform test a-tiny.txt download: "
          "An error occurred (403) when calling the HeadObject operation: Forbidden'",
          st == 400 and j["error"]["reason"] == "Unable to configure billing report: Not enough permissions to "
          "perform test a-tiny.txt download: An error occurred (403) when calling the HeadObject operation: "
          "Forbidden", t)

    # A3: an export without TIME_GRANULARITY -> the server's KeyError: HTTP 500
    bcm = sim.client("bcm-data-exports", who="standalone")
    bcm.create_export(Export={
        "Name": "odd", "DataQuery": {"QueryStatement": "SELECT line_item_usage_account_id FROM COST_AND_USAGE_REPORT",
                                     "TableConfigurations": {"COST_AND_USAGE_REPORT": {"INCLUDE_RESOURCES": "TRUE"}}},
        "DestinationConfigurations": {"S3Destination": {
            "S3Bucket": "sa-bkt", "S3Prefix": "odd", "S3Region": "us-east-1", "S3OutputConfigurations": {
                "OutputType": "CUSTOM", "Format": "TEXT_OR_CSV", "Compression": "GZIP",
                "Overwrite": "OVERWRITE_REPORT"}}},
        "RefreshCadence": {"Frequency": "SYNCHRONOUS"}})
    n0 = len(sim.requests())
    st, j, t = post("sa", cur_version=2, config_scheme="find_report")
    check("A3: find_report (CUR 2.0) with an export lacking TIME_GRANULARITY -> HTTP 500",
          st == 500 and envelope(j, 500, "U0500"), t)
    st, j, t = post("sa", cur_version=2, config_scheme="create_report", bucket_name="sa-bkt", bucket_prefix="x",
                    report_name="sa-new")
    check("A3: create_report (CUR 2.0) in that account -> HTTP 500 as well", st == 500, t)
    lst = [r for r in sim.requests()[n0:] if r["operation"] in ("ListExports", "DescribeReportDefinitions")]
    check("A3: one ListExports per submission (the first page only)",
          len(lst) == 2 and all(r["operation"] == "ListExports" for r in lst), str(lst))
    st, j, t = post("sa", cur_version=1, config_scheme="find_report")
    check("A3: legacy find_report in that account is not affected (finds sa-legacy: 201, no 500)",
          st == 201 and j["config"]["report_name"] == "sa-legacy", t)
    check("  (deleted again)", delete(j))

    # C8: a legacy report with split cost allocation data. aws.py AWS.check_report_definition compares
    # AdditionalSchemaElements with ['RESOURCES'] for equality (find_report, create_report); bucket_only
    # reads only the bucket
    cur = sim.client("cur", who="standalone")
    cur.delete_report_definition(ReportName="sa-legacy")
    cur.put_report_definition(ReportDefinition=dict(
        report_def("sa-split", "sa-bkt", prefix="split", region="us-east-1"), Compression="ZIP",
        AdditionalSchemaElements=["RESOURCES", "SPLIT_COST_ALLOCATION_DATA"]))
    st, j, t = post("sa", cur_version=1, config_scheme="find_report")
    check("C8: legacy find_report with only a report with SPLIT_COST_ALLOCATION_DATA -> OE0371 'Unable to find "
          "report with required configuration'", st == 400 and j["error"]["reason"] == "Unable to configure "
          "billing report: Unable to find report with required configuration", t)
    st, j, t = post("sa", cur_version=1, config_scheme="create_report", bucket_name="sa-bkt", bucket_prefix="split",
                    report_name="sa-split")
    check("C8: legacy create_report naming it -> OE0371 \"... AdditionalSchemaElements must be ['RESOURCES']\"",
          st == 400 and j["error"]["reason"] == "Unable to configure billing report: Invalid report "
          "configuration: AdditionalSchemaElements must be ['RESOURCES']", t)
    st, j, t = post("sa", cur_version=1, config_scheme="bucket_only", bucket_name="sa-bkt", bucket_prefix="split",
                    report_name="sa-split")
    check("C8: bucket_only with that report (prefix without '/', no files yet) -> 201", st == 201, t)
    check("  (deleted again)", delete(j))

    # A6 (newest): assume_role_* -> sts:AssumeRole, the data source is the role's account
    iam.create_role(RoleName="cx-role", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"AWS": f"arn:aws:iam::{env['AWS_ACCOUNT_ID']}:root"}}]}))
    n0 = len(sim.requests())
    st, j, t = sim.curl("POST", "/restapi/v2/cloud_account_verify", {"type": "aws_cnr", "config": dict(
        keys(), assume_role_account_id=acct, assume_role_name="cx-role")})
    ar = [r for r in sim.requests()[n0:] if r["operation"] == "AssumeRole"]
    check("A6: newest release accepts assume_role_account_id/assume_role_name: sts:AssumeRole with the key",
          st == 200 and len(ar) == 1 and ar[0]["access_key_id"] == env["AWS_ACCESS_KEY_ID"], t + str(ar))


def releases():
    """A6: --certerox-version YYYY-MM: the config keys of that month's OptScale release."""
    def keys(env):
        return {"access_key_id": env["AWS_ACCESS_KEY_ID"], "secret_access_key": env["AWS_SECRET_ACCESS_KEY"]}

    for ver, cfg, want in (
            ("2024-07", {"cur_version": 2, "use_edp_discount": False}, "Unexpected parameters: ['cur_version', "
                                                                       "'use_edp_discount']"),
            ("2024-09", {"cur_version": 2, "use_edp_discount": False}, "Unexpected parameters: ['use_edp_discount']"),
            ("2024-10", {"cur_version": 2, "use_edp_discount": False, "region_name": "eu-west-1"},
             "Unexpected parameters: ['region_name']"),
            ("2024-10", {"cur_version": 2, "use_edp_discount": False}, None),
            ("2025-05", {"region_name": "eu-west-1"}, "Unexpected parameters: ['region_name']"),
            ("2025-06", {"region_name": "eu-west-1", "assume_role_account_id": "345678901234",
                         "assume_role_name": "r"}, "Unexpected parameters: ['assume_role_account_id', "
                                                   "'assume_role_name']"),
            ("2025-06", {"region_name": "xx-nowhere-1"}, "Cloud error: Invalid region: xx-nowhere-1"),
            ("2025-07", {"assume_role_account_id": "345678901234", "assume_role_name": "no-such-role"},
             "OE0433")):
        sim = Sim("--certerox-version", ver)
        try:
            sim.start()
            st, j, t = sim.curl("POST", "/restapi/v2/cloud_account_verify",
                                {"type": "aws_cnr", "config": dict(keys(sim.env), **cfg)})
            if want == "OE0433":  # the keys are known: sts:AssumeRole is tried (and refused)
                check(f"A6: release {ver}: verify with {sorted(cfg)} -> 403 OE0433 (keys accepted, AssumeRole refused)",
                      st == 403 and (j or {}).get("error", {}).get("error_code") == "OE0433", t)
            elif want and want.startswith("Cloud error"):
                check(f"A6: release {ver}: verify with {sorted(cfg)} -> 403 OE0433 '{want}'",
                      st == 403 and (j or {}).get("error", {}).get("reason") == want, t)
            elif want:
                check(f"A6: release {ver}: verify with {sorted(cfg)} -> 400 OE0212 '{want}'",
                      st == 400 and (j or {}).get("error", {}).get("reason") == want, t)
            else:
                check(f"A6: release {ver}: verify with {sorted(cfg)} -> 200", st == 200, t)
        finally:
            sim.cleanup()
    r = Sim("--certerox-version", "2024-13")
    try:
        r.start()
        check("A6: --certerox-version 2024-13 is refused", False)
    except RuntimeError as e:
        check("A6: --certerox-version 2024-13 is refused, naming the option", "--certerox-version" in str(e), str(e))
    finally:
        r.cleanup()


def body_all(sim):
    body(sim)
    releases()


if __name__ == "__main__":
    main(body_all)
