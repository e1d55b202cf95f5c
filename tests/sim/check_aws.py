"""The AWS side of the sim: TLS, accounts, enforcement, Data Exports, CUR, delivery, log, stop/start."""

import gzip
import json
import os
import re
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from simtest import (check, main, signed, json_call, query_call, listening, bucket_policy, export_def,  # noqa: E402
                     report_def)

ENV_KEYS = ["AWS_ENDPOINT_URL", "AWS_CA_BUNDLE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
            "MEMBER_AWS_ACCOUNT_ID", "MEMBER_AWS_ACCESS_KEY_ID", "MEMBER_AWS_SECRET_ACCESS_KEY",
            "STANDALONE_AWS_ACCOUNT_ID", "STANDALONE_AWS_ACCESS_KEY_ID", "STANDALONE_AWS_SECRET_ACCESS_KEY",
            "AWS_REGION", "CERTEROX_URL", "CERTEROX_TOKEN", "CERTEROX_ORGANIZATION_ID", "CERTEROX_EMAIL",
            "CERTEROX_PASSWORD", "CLOUDSIM_DIR", "AWS_ACCOUNT_ID"]
BCM = "AWSBillingAndCostManagementDataExports."


def body(sim):
    env = sim.env
    check("DIR/env exports every variable", all(env.get(k) for k in ENV_KEYS),
          str([k for k in ENV_KEYS if not env.get(k)]))
    check("endpoints are HTTPS on 127.0.0.1", env["AWS_ENDPOINT_URL"].startswith("https://127.0.0.1:") and
          env["CERTEROX_URL"].startswith("https://127.0.0.1:"))

    # TLS and accounts, with awscli
    r = sim.aws("sts", "get-caller-identity")
    check("awscli with AWS_CA_BUNDLE: management admin is account 123456789012",
          r.json and r.json["Account"] == "123456789012", r.stderr)
    r = sim.run("curl", "-sS", "-o", "/dev/null", env["AWS_ENDPOINT_URL"] + "/", env={"CURL_CA_BUNDLE": None})
    check("curl without the CA: the throwaway CA is not trusted", r.returncode == 60, r.stderr)
    r = sim.run("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", env["AWS_CA_BUNDLE"],
                env["AWS_ENDPOINT_URL"].replace("127.0.0.1", "localhost") + "/")
    check("curl with AWS_CA_BUNDLE: certificate valid for localhost too", r.returncode == 0, r.stderr)
    o = sim.client("organizations").describe_organization()["Organization"]
    check("DescribeOrganization (management): MasterAccountId is the caller", o["MasterAccountId"] == "123456789012")
    o = sim.client("organizations", who="member").describe_organization()["Organization"]
    check("DescribeOrganization (member): MasterAccountId is the management account",
          o["MasterAccountId"] == "123456789012")
    a = sim.client("sts", who="member").get_caller_identity()["Account"]
    check("member key acts in MEMBER_AWS_ACCOUNT_ID", a == env["MEMBER_AWS_ACCOUNT_ID"])
    a = sim.client("sts", who="standalone").get_caller_identity()["Account"]
    check("standalone key acts in STANDALONE_AWS_ACCOUNT_ID", a == env["STANDALONE_AWS_ACCOUNT_ID"])
    r = sim.aws("organizations", "describe-organization", who="standalone")
    check("DescribeOrganization (standalone): AWSOrganizationsNotInUseException",
          r.returncode != 0 and "AWSOrganizationsNotInUseException" in r.stderr, r.stderr)

    # Enforcement: bad signature, unknown key, unsigned
    r = sim.aws("iam", "list-users", who=(env["AWS_ACCESS_KEY_ID"], "x" * 40))
    check("awscli: wrong secret -> SignatureDoesNotMatch", "SignatureDoesNotMatch" in r.stderr, r.stderr)
    r = sim.aws("iam", "list-users", who=("AKIAZZZZZZZZZZZZZZZZ", "x" * 40))
    check("awscli: unknown key -> InvalidClientTokenId", "InvalidClientTokenId" in r.stderr, r.stderr)
    st, h, b = signed(sim, "s3", "GET", "/", creds=("AKIAZZZZZZZZZZZZZZZZ", "x" * 40))
    check("unknown key on S3 -> 403 InvalidAccessKeyId", st == 403 and b"<Code>InvalidAccessKeyId</Code>" in b, b)
    r = sim.aws("bcm-data-exports", "list-exports", who=("AKIAZZZZZZZZZZZZZZZZ", "x" * 40))
    check("awscli: unknown key on Data Exports -> UnrecognizedClientException",
          "UnrecognizedClientException" in r.stderr, r.stderr)
    st, h, b = json_call(sim, "bcm-data-exports", BCM + "ListExports", {}, tamper=True)
    j = json.loads(b or b"{}")
    check("tampered signature on Data Exports -> 400 InvalidSignatureException (JSON __type)",
          st == 400 and j.get("__type", "").endswith("InvalidSignatureException"), f"{st} {b[:200]}")
    st, h, b = query_call(sim, "iam", {"Action": "ListUsers", "Version": "2010-05-08"}, tamper=True)
    check("tampered signature on IAM -> 403 SignatureDoesNotMatch in AWS's ErrorResponse/Error shape",
          st == 403 and b"<Code>SignatureDoesNotMatch</Code>" in b and b"<Errors>" not in b and
          re.match(rb'<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">\s*<Error>', b) and
          b"<RequestId>" in b, f"{st} {b[:200]}")
    r = sim.run("curl", "-sS", "--cacert", env["AWS_CA_BUNDLE"], "-o", "-", "-w", "\n%{http_code}", "-d",
                "Action=ListUsers&Version=2010-05-08", env["AWS_ENDPOINT_URL"] + "/")
    check("curl: unsigned IAM request -> 403 MissingAuthenticationToken",
          r.stdout.endswith("403") and "MissingAuthenticationToken" in r.stdout, r.stdout)

    # Organizations errors are JSON 1.1 (moto's auth layer answers XML)
    iam = sim.client("iam")
    iam.create_user(UserName="nobody")
    k = iam.create_access_key(UserName="nobody")["AccessKey"]
    nobody = (k["AccessKeyId"], k["SecretAccessKey"])
    st, h, b = json_call(sim, "organizations", "AWSOrganizationsV20161128.DescribeOrganization", {}, creds=nobody)
    try:
        j = json.loads(b)
    except ValueError:
        j = {}
    check("Organizations AccessDenied is JSON: __type AccessDeniedException",
          st == 400 and j.get("__type") == "AccessDeniedException" and "message" in j, f"{st} {b[:200]}")

    st, h, b = query_call(sim, "ec2", {"Action": "DescribeRegions", "Version": "2016-11-15", "DryRun": "true"},
                          creds=nobody)
    check("EC2 denied -> 403 UnauthorizedOperation in Response/Errors (moto says AccessDenied)",
          st == 403 and b"<Response><Errors><Error><Code>UnauthorizedOperation</Code>" in b and b"<RequestID>" in b,
          f"{st} {b[:200]}")
    st, h, b = query_call(sim, "ec2", {"Action": "DescribeRegions", "Version": "2016-11-15", "DryRun": "true"})
    check("EC2 DryRun allowed -> 412 DryRunOperation", st == 412 and b"<Code>DryRunOperation</Code>" in b, b[:200])
    # tests/sim/ec2regions.py: DescribeRegions as the EC2 API Reference describes it
    st, h, b = query_call(sim, "ec2", {"Action": "DescribeRegions", "Version": "2016-11-15"})
    names = re.findall(rb"<regionName>([^<]+)</regionName>", b)
    check("EC2 DescribeRegions lists the enabled regions only: us-east-1 yes, opt-in af-south-1 no",
          st == 200 and b"us-east-1" in names and b"af-south-1" not in names and len(names) == 17, f"{st} {names}")
    st, h, b = query_call(sim, "ec2", {"Action": "DescribeRegions", "Version": "2016-11-15", "AllRegions": "true"})
    check("EC2 DescribeRegions AllRegions=true adds the opt-in regions as not-opted-in",
          st == 200 and re.search(rb"<regionName>af-south-1</regionName><regionEndpoint>[^<]*</regionEndpoint>"
                                  rb"<optInStatus>not-opted-in</optInStatus>", b) is not None, b[:300])
    st, h, b = query_call(sim, "ec2", {"Action": "DescribeRegions", "Version": "2016-11-15",
                                       "Filter.1.Name": "region-name", "Filter.1.Value.1": "eu-west-*"})
    check("EC2 DescribeRegions Filter region-name eu-west-* -> eu-west-1..3",
          re.findall(rb"<regionName>([^<]+)</regionName>", b) == [b"eu-west-1", b"eu-west-2", b"eu-west-3"], b[:300])
    st, h, b = query_call(sim, "ec2", {"Action": "DescribeRegions", "Version": "2016-11-15", "AllRegions": "true",
                                       "Filter.1.Name": "opt-in-status", "Filter.1.Value.1": "not-opted-in"})
    names = re.findall(rb"<regionName>([^<]+)</regionName>", b)
    check("EC2 DescribeRegions Filter opt-in-status not-opted-in -> opt-in regions only",
          st == 200 and b"af-south-1" in names and b"us-east-1" not in names, f"{st} {names}")
    st, h, b = query_call(sim, "ec2", {"Action": "DescribeRegions", "Version": "2016-11-15",
                                       "Filter.1.Name": "zone-name", "Filter.1.Value.1": "x"})
    check("EC2 DescribeRegions of an unknown filter name -> 400 InvalidParameterValue",
          st == 400 and b"<Code>InvalidParameterValue</Code>" in b, f"{st} {b[:200]}")
    st, h, b = query_call(sim, "ec2", {"Action": "DescribeRegions", "Version": "2016-11-15",
                                       "RegionName.1": "xx-west-9"})
    check("EC2 DescribeRegions of an unknown region -> 400 InvalidParameterValue",
          st == 400 and b"<Code>InvalidParameterValue</Code>" in b, f"{st} {b[:200]}")
    st, h, b = query_call(sim, "ec2", {"Action": "DescribeRegions", "Version": "2016-11-15"},
                          creds=("AKIAUNKNOWNUNKNOWN00", "x" * 40))
    check("EC2 unknown key -> 401 AuthFailure", st == 401 and b"<Code>AuthFailure</Code>" in b, f"{st} {b[:200]}")

    # Data Exports / CUR authorization
    r = sim.aws("bcm-data-exports", "list-exports", who=nobody)
    check("awscli: user without Data Exports rights -> AccessDeniedException",
          "AccessDeniedException" in r.stderr and "bcm-data-exports:ListExports" in r.stderr, r.stderr)
    st, h, b = json_call(sim, "cur", "AWSOrigamiServiceGatewayService.DescribeReportDefinitions", {}, creds=nobody)
    check("user without CUR rights -> AccessDeniedException",
          st == 400 and b"AccessDeniedException" in b and b"cur:DescribeReportDefinitions" in b, b)
    iam.put_user_policy(UserName="nobody", PolicyName="ro", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["bcm-data-exports:ListExports"],
                                                "Resource": "*"}]}))
    x = sim.client("bcm-data-exports", who=nobody).list_exports()
    check("after granting bcm-data-exports:ListExports the same key lists exports", x["Exports"] == [])

    # S3 bucket, malformed policy
    s3 = sim.client("s3", region="eu-west-1")
    s3.create_bucket(Bucket="billing-bkt", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    bad = os.path.join(sim.dir, "bad-policy.json")
    with open(bad, "w") as f:
        f.write("{not json")
    r = sim.aws("s3api", "put-bucket-policy", "--bucket", "billing-bkt", "--policy", "file://" + bad,
                "--region", "eu-west-1")
    check("awscli: invalid bucket policy JSON -> MalformedPolicy", "MalformedPolicy" in r.stderr, r.stderr)
    try:
        s3.get_bucket_policy(Bucket="billing-bkt")
        code = None
    except s3.exceptions.ClientError as e:
        code = e.response["Error"]["Code"]
    check("the bucket still works after the rejected policy (NoSuchBucketPolicy)", code == "NoSuchBucketPolicy", code)
    # ListBuckets: BucketRegion only when a parameter is given (S3 API Reference, ListBuckets)
    plain = {b["Name"]: b.get("BucketRegion") for b in s3.list_buckets()["Buckets"]}
    paged = {b["Name"]: b.get("BucketRegion") for b in s3.list_buckets(MaxBuckets=1000)["Buckets"]}
    check("ListBuckets without a parameter: no BucketRegion", plain.get("billing-bkt", "x") is None, plain)
    check("ListBuckets with max-buckets: each bucket's BucketRegion", paged.get("billing-bkt") == "eu-west-1", paged)

    # CreateExport before and after the bucket policy
    exp = export_def("cx-export", "billing-bkt")
    expf = os.path.join(sim.dir, "export.json")
    with open(expf, "w") as f:
        json.dump(exp, f)
    r = sim.aws("bcm-data-exports", "create-export", "--export", "file://" + expf)
    check("awscli: CreateExport before the bucket policy -> ValidationException (bucket permission)",
          "ValidationException" in r.stderr and "bucket permission" in r.stderr, r.stderr)
    pol = os.path.join(sim.dir, "policy.json")
    with open(pol, "w") as f:
        f.write(bucket_policy("billing-bkt", "123456789012"))
    pb = bucket_policy("billing-bkt", "123456789012").encode()
    st, h, b = signed(sim, "s3", "PUT", "/billing-bkt?policy", body=pb, region="eu-west-1")
    check("PutBucketPolicy without Content-MD5 or x-amz-checksum-* -> 400 InvalidRequest (checksum required)",
          st == 400 and b"<Code>InvalidRequest</Code>" in b, b[:200])
    st, h, b = signed(sim, "s3", "PUT", "/billing-bkt?policy", body=pb, region="eu-west-1",
                      headers={"Content-MD5": "AAAAAAAAAAAAAAAAAAAAAA=="})
    check("PutBucketPolicy with a wrong Content-MD5 -> 400 BadDigest", st == 400 and b"<Code>BadDigest</Code>" in b,
          b[:200])
    st, h, b = signed(sim, "s3", "GET", "/billing-bkt?list-type=2", region="us-east-1")
    check("S3 request signed for the wrong region -> 400 AuthorizationHeaderMalformed with <Region>",
          st == 400 and b"<Code>AuthorizationHeaderMalformed</Code>" in b and b"<Region>eu-west-1</Region>" in b and
          h.get("x-amz-bucket-region") == "eu-west-1", b[:300])
    r = sim.aws("s3api", "put-bucket-policy", "--bucket", "billing-bkt", "--policy", "file://" + pol,
                "--region", "eu-west-1")
    check("awscli: PutBucketPolicy with the delivery statement", r.returncode == 0, r.stderr)
    r = sim.aws("bcm-data-exports", "create-export", "--export", "file://" + expf)
    arn = r.json and r.json.get("ExportArn")
    check("awscli: CreateExport after the bucket policy succeeds",
          arn and re.fullmatch(r"arn:aws:bcm-data-exports:us-east-1:123456789012:export/cx-export-[0-9a-f-]+", arn),
          r.stderr)
    st, h, b = json_call(sim, "bcm-data-exports", BCM + "CreateExport", {"Export": exp})
    check("CreateExport with a duplicate name -> ValidationException", st == 400 and b"ValidationException" in b, b)
    sim.client("s3", region="eu-west-1").put_bucket_policy(Bucket="billing-bkt",
                                                           Policy=bucket_policy("billing-bkt", "999999999999"))
    st, h, b = json_call(sim, "bcm-data-exports", BCM + "CreateExport", {"Export": export_def("other", "billing-bkt")})
    check("CreateExport with a policy for another account's SourceAccount -> ValidationException",
          st == 400 and b"ValidationException" in b, b[:200])
    s3.put_bucket_policy(Bucket="billing-bkt", Policy=bucket_policy("billing-bkt", "123456789012"))

    # Validation, wire format
    bad_name = export_def("bad name", "billing-bkt")
    st, h, b = json_call(sim, "bcm-data-exports", BCM + "CreateExport", {"Export": bad_name})
    j = json.loads(b)
    check("invalid export name -> ValidationException with Reason fieldValidationFailed and Fields",
          st == 400 and j["__type"].endswith("#ValidationException") and j.get("Reason") == "fieldValidationFailed"
          and j["Fields"][0]["Name"] == "export.name" and h.get("x-amzn-errortype") == "ValidationException",
          b[:300])
    st, h, b = json_call(sim, "bcm-data-exports", BCM + "CreateExport",
                         {"Export": export_def("e2", "billing-bkt", fmt="PARQUET", comp="GZIP")})
    check("Format PARQUET with Compression GZIP -> ValidationException", st == 400 and b"ValidationException" in b)
    st, h, b = json_call(sim, "bcm-data-exports", BCM + "CreateExport",
                         {"Export": export_def("e2", "billing-bkt", props={"INCLUDE_RESOURCES": "FALSE"})})
    check("line_item_resource_id with INCLUDE_RESOURCES=FALSE -> ValidationException (column not in table)",
          st == 400 and b"line_item_resource_id" in b, b[:300])
    e3 = export_def("e3", "billing-bkt")
    del e3["RefreshCadence"]
    st, h, b = json_call(sim, "bcm-data-exports", BCM + "CreateExport", {"Export": e3})
    check("missing RefreshCadence -> ValidationException", st == 400 and b"refreshCadence" in b, b[:300])
    st, h, b = json_call(sim, "bcm-data-exports", BCM + "GetExport", {"ExportArn": arn + "x"})
    check("GetExport of an unknown ARN -> ResourceNotFoundException",
          st == 400 and b"ResourceNotFoundException" in b, b[:200])
    bcm = sim.client("bcm-data-exports")
    with open(os.path.join(os.environ.get("top_srcdir", os.path.join(os.path.dirname(__file__), "..", "..")),
                           "data", "cur2-columns.txt")) as f:
        cols = [c.strip() for c in f if c.strip()]
    props = {"TIME_GRANULARITY": "DAILY", "INCLUDE_RESOURCES": "TRUE", "INCLUDE_SPLIT_COST_ALLOCATION_DATA": "TRUE",
             "INCLUDE_MANUAL_DISCOUNT_COMPATIBILITY": "FALSE"}
    t = bcm.get_table(TableName="COST_AND_USAGE_REPORT", TableProperties=props)
    names = {c["Name"] for c in t["Schema"]}
    check("GetTable: the project's data/cur2-columns.txt is a subset of the table's columns",
          set(cols) <= names, str(set(cols) - names))
    t2 = bcm.get_table(TableName="COST_AND_USAGE_REPORT", TableProperties={"INCLUDE_RESOURCES": "FALSE"})
    check("GetTable without INCLUDE_RESOURCES has no line_item_resource_id",
          "line_item_resource_id" not in {c["Name"] for c in t2["Schema"]})
    for i in range(4):
        bcm.create_export(Export=export_def(f"q{i}", "billing-bkt", columns=cols, props=props))
    st, h, b = json_call(sim, "bcm-data-exports", BCM + "CreateExport", {"Export": export_def("q5", "billing-bkt")})
    check("6th export -> ServiceQuotaExceededException", st == 400 and b"ServiceQuotaExceededException" in b, b[:200])
    p1 = bcm.list_exports(MaxResults=2)
    allx = list(p1["Exports"])
    tok = p1.get("NextToken")
    while tok:
        p = bcm.list_exports(MaxResults=2, NextToken=tok)
        allx += p["Exports"]
        tok = p.get("NextToken")
    check("ListExports pages with NextToken (5 exports, 2 a page)", len(allx) == 5 and "NextToken" in p1)
    # without MaxResults: the sim's --exports-page (default 20; AWS documents no default)
    p0 = bcm.list_exports()
    check("ListExports without MaxResults: one page of the 5 (default page 20), no NextToken",
          len(p0["Exports"]) == 5 and "NextToken" not in p0, str(p0.get("NextToken")))
    st, h, b = json_call(sim, "bcm-data-exports", BCM + "ListExports", {"MaxResults": 301})
    check("ListExports MaxResults 301 -> ValidationException (the model's 1-300)",
          st == 400 and b"ValidationException" in b, b[:200])
    upd = export_def("q0", "billing-bkt", columns=cols, props=dict(props, TIME_GRANULARITY="HOURLY"))
    q0 = [e["ExportArn"] for e in allx if e["ExportName"] == "q0"][0]
    bcm.update_export(ExportArn=q0, Export=upd)
    g = bcm.get_export(ExportArn=q0)["Export"]["DataQuery"]["TableConfigurations"]["COST_AND_USAGE_REPORT"]
    check("UpdateExport replaces the definition", g["TIME_GRANULARITY"] == "HOURLY", str(g))
    st, h, b = json_call(sim, "bcm-data-exports", BCM + "UpdateExport",
                         {"ExportArn": q0, "Export": export_def("renamed", "billing-bkt")})
    check("UpdateExport cannot rename -> ValidationException", st == 400 and b"ValidationException" in b, b[:200])
    bcm.delete_export(ExportArn=allx[-1]["ExportArn"])
    check("DeleteExport removes it", len(bcm.list_exports()["Exports"]) == 4)

    # CUR
    cur = sim.client("cur")
    st, h, b = json_call(sim, "cur", "AWSOrigamiServiceGatewayService.DescribeReportDefinitions", {"MaxResults": 10})
    check("DescribeReportDefinitions MaxResults 10 -> ValidationException", st == 400 and b"ValidationException" in b,
          b[:200])
    s3.create_bucket(Bucket="cur-bkt", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    st, h, b = json_call(sim, "cur", "AWSOrigamiServiceGatewayService.PutReportDefinition",
                         {"ReportDefinition": report_def("legacy", "cur-bkt")})
    check("PutReportDefinition before the bucket policy -> ValidationException",
          st == 400 and b"ValidationException" in b and b"Failed to verify customer bucket permission" in b, b[:200])
    s3.put_bucket_policy(Bucket="cur-bkt", Policy=bucket_policy("cur-bkt", "123456789012"))
    cur.put_report_definition(ReportDefinition=report_def("legacy", "cur-bkt"))
    st, h, b = json_call(sim, "cur", "AWSOrigamiServiceGatewayService.PutReportDefinition",
                         {"ReportDefinition": report_def("legacy", "cur-bkt")})
    check("PutReportDefinition twice -> DuplicateReportNameException", b"DuplicateReportNameException" in b)
    rd2 = dict(report_def("legacy", "cur-bkt"), Format="Parquet", Compression="GZIP")
    st, h, b = json_call(sim, "cur", "AWSOrigamiServiceGatewayService.ModifyReportDefinition",
                         {"ReportName": "legacy", "ReportDefinition": rd2})
    check("ModifyReportDefinition Parquet+GZIP -> ValidationException", st == 400 and b"ValidationException" in b, b)
    cur.modify_report_definition(ReportName="legacy", ReportDefinition=dict(report_def("legacy", "cur-bkt"),
                                                                            TimeUnit="HOURLY"))
    check("ModifyReportDefinition replaces the definition",
          cur.describe_report_definitions()["ReportDefinitions"][0]["TimeUnit"] == "HOURLY")
    r = cur.describe_report_definitions()
    check("DescribeReportDefinitions lists the report", [d["ReportName"] for d in r["ReportDefinitions"]] == ["legacy"])
    # C8: SchemaElement is RESOURCES | SPLIT_COST_ALLOCATION_DATA | MANUAL_DISCOUNT_COMPATIBILITY
    # (botocore cur service-2.json); AWS stores and answers the list as sent
    split = dict(report_def("legacy-split", "cur-bkt"),
                 AdditionalSchemaElements=["RESOURCES", "SPLIT_COST_ALLOCATION_DATA"])
    cur.put_report_definition(ReportDefinition=split)
    got = [d for d in cur.describe_report_definitions()["ReportDefinitions"] if d["ReportName"] == "legacy-split"]
    check("C8: PutReportDefinition with SPLIT_COST_ALLOCATION_DATA -> DescribeReportDefinitions echoes "
          "['RESOURCES', 'SPLIT_COST_ALLOCATION_DATA']",
          got and got[0]["AdditionalSchemaElements"] == ["RESOURCES", "SPLIT_COST_ALLOCATION_DATA"], str(got))
    st, h, b = json_call(sim, "cur", "AWSOrigamiServiceGatewayService.PutReportDefinition",
                         {"ReportDefinition": dict(split, ReportName="legacy-bad", AdditionalSchemaElements=["SPLIT"])})
    check("C8: an AdditionalSchemaElements value outside the enum -> ValidationException naming the enum",
          st == 400 and b"ValidationException" in b and b"SPLIT_COST_ALLOCATION_DATA" in b, b[:300])

    # Delivery
    r = sim.run("sh", os.path.join(os.path.dirname(os.path.abspath(__file__)), "cloudsim"), "deliver", sim.dir)
    check("cloudsim deliver", r.returncode == 0, r.stderr)
    r = sim.aws("s3", "ls", "--recursive", "s3://billing-bkt/cur2/cx-export/", "--region", "eu-west-1")
    keys = [line.split()[-1] for line in r.stdout.splitlines()]
    per = re.search(r"BILLING_PERIOD=(\d{4}-\d{2})", r.stdout)
    per = per.group(1) if per else "?"
    want = [f"cur2/cx-export/data/BILLING_PERIOD={per}/cx-export-00001.csv.gz",
            f"cur2/cx-export/metadata/BILLING_PERIOD={per}/cx-export-Manifest.json"]
    check("deliver: CUR 2.0 layout (data .csv.gz + Manifest.json)", sorted(keys) == want, str(keys))
    if sorted(keys) == want:
        data = s3.get_object(Bucket="billing-bkt", Key=want[0])["Body"].read()
        text = gzip.decompress(data).decode()
        lines = text.splitlines()
        check("delivered CSV header = the export's columns, with rows",
              lines[0] == "line_item_usage_start_date,line_item_unblended_cost,line_item_resource_id" and len(lines) > 2,
              lines[0])
        man = json.loads(s3.get_object(Bucket="billing-bkt", Key=want[1])["Body"].read())
        check("manifest names the data file", any(want[0] in k for k in man.get("dataFiles", [])))
    r.stdout = "\n".join(o["Key"] for o in s3.list_objects_v2(Bucket="cur-bkt").get("Contents", []))
    check("deliver: legacy layout <prefix>/<report>/YYYYMMDD-YYYYMMDD/<report>-00001.csv.gz + Manifest",
          re.search(r"cur/legacy/\d{8}-\d{8}/legacy-00001\.csv\.gz", r.stdout) and
          re.search(r"cur/legacy/\d{8}-\d{8}/legacy-Manifest\.json", r.stdout), r.stdout)
    def header(report):
        k = [o["Key"] for o in s3.list_objects_v2(Bucket="cur-bkt", Prefix=f"cur/{report}/").get("Contents", [])
             if o["Key"].endswith("-00001.csv.gz")]
        return gzip.decompress(s3.get_object(Bucket="cur-bkt", Key=k[0])["Body"].read()).decode().splitlines()[0] \
            if k else ""
    h_split, h_plain = header("legacy-split"), header("legacy")
    check("C8: deliver: a legacy report with SPLIT_COST_ALLOCATION_DATA has the splitLineItem/* columns, "
          "one without has none", "splitLineItem/SplitCost" in h_split and "splitLineItem/ParentResourceId" in
          h_split and h_plain and "splitLineItem" not in h_plain, f"{h_split[-200:]} | {h_plain[-120:]}")
    x = bcm.get_export(ExportArn=arn)["ExportStatus"]
    check("after deliver: export HEALTHY with LastRefreshedAt", x["StatusCode"] == "HEALTHY" and "LastRefreshedAt" in x)
    s3.delete_bucket_policy(Bucket="billing-bkt")
    s3.delete_bucket_policy(Bucket="cur-bkt")
    sim.run("sh", os.path.join(os.path.dirname(os.path.abspath(__file__)), "cloudsim"), "deliver", sim.dir)
    x = bcm.get_export(ExportArn=arn)["ExportStatus"]
    lx = [e for e in bcm.list_exports()["Exports"] if e["ExportArn"] == arn][0]["ExportStatus"]
    check("policy removed + deliver: export UNHEALTHY / INSUFFICIENT_PERMISSION (GetExport and ListExports)",
          x["StatusCode"] == "UNHEALTHY" and x.get("StatusReason") == "INSUFFICIENT_PERMISSION" and
          lx["StatusCode"] == "UNHEALTHY", str(x))
    rd = cur.describe_report_definitions()["ReportDefinitions"][0]
    check("policy removed + deliver: report lastStatus ERROR_PERMISSIONS",
          rd.get("ReportStatus", {}).get("lastStatus") == "ERROR_PERMISSIONS", str(rd.get("ReportStatus")))

    # Request log and keep-alive
    before = len(sim.requests())
    c = sim.client("iam")
    for _ in range(3):
        c.list_users()
    recs = sim.requests()[before:]
    conns = {r["connection"] for r in recs if r["operation"] == "ListUsers"}
    check("keep-alive: 3 calls of one client share one connection id", len(recs) == 3 and len(conns) == 1, str(recs))
    digs = {r["request_digest"] for r in recs}
    check("request_digest: 3 identical ListUsers calls have one digest, 16 hex digits",
          len(digs) == 1 and all(re.fullmatch(r"[0-9a-f]{16}", d or "") for d in digs), str(digs))
    before = len(sim.requests())
    q = [("Action", "ListUsers"), ("Version", "2010-05-08"), ("MaxItems", "5")]
    query_call(sim, "iam", q)
    query_call(sim, "iam", list(reversed(q)))
    query_call(sim, "iam", q[:2] + [("MaxItems", "6")])
    signed(sim, "s3", "GET", "/billing-bkt?list-type=2&max-keys=1", region="eu-west-1")
    signed(sim, "s3", "GET", "/billing-bkt?max-keys=1&list-type=2", region="eu-west-1")
    signed(sim, "s3", "GET", "/billing-bkt?list-type=2&max-keys=2", region="eu-west-1")
    d = [r["request_digest"] for r in sim.requests()[before:]]
    check("request_digest: same form parameters in another order -> same digest, another value -> another",
          len(d) == 6 and d[0] == d[1] and d[2] != d[0], str(d))
    check("request_digest: same query parameters in another order -> same digest, another value -> another",
          len(d) == 6 and d[3] == d[4] and d[5] != d[3] and d[3] != d[0], str(d))
    all_recs = sim.requests()
    keys_ok = all(set(("start", "end", "service", "operation", "status", "error", "access_key_id", "connection",
                       "request_digest"))
                  <= set(r) for r in all_recs)
    check("requests.jsonl: every line has the keys", keys_ok and len(all_recs) > 20)
    services = {r["service"] for r in all_recs}
    check("requests.jsonl: services named", {"iam", "s3", "sts", "organizations", "bcm-data-exports", "cur"} <= services,
          str(services))
    with open(os.path.join(sim.dir, "requests.jsonl")) as f:
        log = f.read()
    check("requests.jsonl holds no secret", env["AWS_SECRET_ACCESS_KEY"] not in log and nobody[1] not in log)
    r = [x for x in all_recs if x["operation"] == "CreateExport" and x["status"] == 200]
    check("requests.jsonl: CreateExport logged with status and key", r and r[0]["access_key_id"] == env[
        "AWS_ACCESS_KEY_ID"])

    fidelity(sim)

    # stop leaves no listener; state survives stop/start
    aws_port, cx_port = sim.ports()
    r = sim.stop()
    check("cloudsim stop", r.returncode == 0, r.stdout)
    check("stop leaves no listener on either port", not listening(aws_port) and not listening(cx_port))
    check("stop removes DIR/pid", not os.path.exists(os.path.join(sim.dir, "pid")))
    sim.start()
    check(f"restart ready in {sim.start_time:.2f}s", sim.start_time < 5)
    r = sim.aws("sts", "get-caller-identity")
    check("after restart: same administrator key works", r.json and r.json["Account"] == "123456789012", r.stderr)
    r = sim.aws("bcm-data-exports", "list-exports")
    check("after restart: the exports are still there", r.json and len(r.json["Exports"]) == 4, r.stderr)
    keys = [o["Key"] for o in sim.client("s3", region="eu-west-1").list_objects_v2(
        Bucket="billing-bkt").get("Contents", [])]
    check("after restart: the delivered objects are still there", any("cx-export-Manifest.json" in k for k in keys))
    check("after restart: IAM users made through the API are still there",
          sim.client("iam").get_user(UserName="nobody")["User"]["UserName"] == "nobody")
    o = sim.client("organizations", who="member").describe_organization()["Organization"]
    check("after restart: the member is still in the Organization", o["MasterAccountId"] == "123456789012")
    policy_delay()
    assume_role_checks(sim)
    member_accounts()


def assume_role_checks(sim):
    """orgsim.py: the member's OrganizationAccountAccessRole (AdministratorAccess) and the trust
    check moto lacks."""
    member = sim.env["MEMBER_AWS_ACCOUNT_ID"]
    arn = f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole"
    c = sim.client("sts").assume_role(RoleArn=arn, RoleSessionName="chk")["Credentials"]
    iam = sim.client("iam", who=(c["AccessKeyId"], c["SecretAccessKey"]))
    iam.meta.events.register("before-sign.iam.*", lambda request, **kw: request.headers.__setitem__(
        "X-Amz-Security-Token", c["SessionToken"]))
    try:
        roles = [r["RoleName"] for r in iam.list_roles()["Roles"]]
    except Exception as e:  # noqa: BLE001
        roles = str(e)
    check("AssumeRole: management admin into the member's OrganizationAccountAccessRole, which administers it",
          isinstance(roles, list) and "OrganizationAccountAccessRole" in roles, str(roles))
    for who, role, what in (("standalone", arn, "a caller the trust policy does not name"),
                            (None, f"arn:aws:iam::{member}:role/NoSuchRole", "a role that does not exist")):
        try:
            sim.client("sts", who=who).assume_role(RoleArn=role, RoleSessionName="chk")
            err = "assumed"
        except Exception as e:  # noqa: BLE001
            err = str(e)
        check(f"AssumeRole refused for {what}: AccessDenied naming the caller and the role",
              "AccessDenied" in err and "is not authorized to perform: sts:AssumeRole on resource: " + role in err, err)


def _err(fn):
    try:
        fn()
        return None, ""
    except Exception as e:  # botocore ClientError
        r = getattr(e, "response", {}) or {}
        return (r.get("Error") or {}).get("Code") or str(r.get("ResponseMetadata", {}).get("HTTPStatusCode")), \
            (r.get("Error") or {}).get("Message", "")


def fidelity(sim):
    """Issue 13 C: the sim answers as AWS does. Exports and buckets of the standalone account (the
    management account's quota of 5 exports is used above)."""
    env = sim.env
    acct = env["STANDALONE_AWS_ACCOUNT_ID"]
    s3 = sim.client("s3", who="standalone", region="eu-west-1")
    bcm = sim.client("bcm-data-exports", who="standalone")
    s3.create_bucket(Bucket="fid-bkt", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    delivery = json.loads(bucket_policy("fid-bkt", acct))["Statement"]

    def put_policy(*stmts):
        s3.put_bucket_policy(Bucket="fid-bkt", Policy=json.dumps({"Version": "2012-10-17", "Statement": list(stmts)}))

    def create(name, **kw):
        return _err(lambda: bcm.create_export(Export=export_def(name, "fid-bkt", **kw)))

    # C2: requests over TLS are secure transport. The common "deny plain HTTP" statement (AWS S3 User
    # Guide, "Enforce encryption in transit": Deny s3:* when aws:SecureTransport is false) leaves the
    # owner's requests over HTTPS and the billing services alone.
    deny_http = {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                 "Resource": ["arn:aws:s3:::fid-bkt", "arn:aws:s3:::fid-bkt/*"],
                 "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
    put_policy(*delivery, deny_http)
    code, _ = _err(lambda: s3.get_bucket_policy(Bucket="fid-bkt"))
    code2, _ = _err(lambda: s3.put_object(Bucket="fid-bkt", Key="p/x.txt", Body=b"x"))
    code3, _ = _err(lambda: s3.get_object(Bucket="fid-bkt", Key="p/x.txt"))
    code4, _ = _err(lambda: s3.list_objects_v2(Bucket="fid-bkt", Prefix="p/"))
    check("C2: deny-plain-HTTP bucket: the owner's GetBucketPolicy, PutObject, GetObject, ListObjectsV2 over TLS "
          "succeed (aws:SecureTransport true)", (code, code2, code3, code4) == (None, None, None, None),
          str((code, code2, code3, code4)))
    code, msg = create("fid-tls")
    check("C2: deny-plain-HTTP bucket: CreateExport succeeds (the billing service writes over TLS)", code is None,
          f"{code} {msg}")
    bcm.delete_export(ExportArn=[x["ExportArn"] for x in bcm.list_exports()["Exports"]
                                 if x["ExportName"] == "fid-tls"][0])

    # C3: Deny, NotPrincipal, negated conditions on keys a service principal lacks (IAM User Guide,
    # "Condition operators": a negated operator on a missing key is true; aws:PrincipalOrgID is absent
    # for service principals)
    org_deny = {"Sid": "DenyOutsideOrg", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                "Resource": ["arn:aws:s3:::fid-bkt", "arn:aws:s3:::fid-bkt/*"],
                "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-abcdef1234"}}}
    put_policy(*delivery, org_deny)
    code, msg = create("fid-org")
    check("C3: Deny StringNotEquals aws:PrincipalOrgID blocks the billing service (key missing -> condition true)",
          code == "ValidationException" and "Failed to verify customer bucket permission" in msg, f"{code} {msg}")
    code, _ = _err(lambda: s3.get_bucket_policy(Bucket="fid-bkt"))
    check("C3: ... and the owner of an account in no Organization (no aws:PrincipalOrgID) -> AccessDenied",
          code == "AccessDenied", str(code))
    # the owner can no longer change the policy: start again with a new bucket
    s3.create_bucket(Bucket="fid-bkt2", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    d2 = json.loads(bucket_policy("fid-bkt2", acct))["Statement"]
    org_deny2 = dict(org_deny, Resource=["arn:aws:s3:::fid-bkt2", "arn:aws:s3:::fid-bkt2/*"],
                     Condition={"StringNotEquals": {"aws:PrincipalOrgID": "o-abcdef1234", "aws:PrincipalAccount": acct},
                                "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}})
    s3.put_bucket_policy(Bucket="fid-bkt2", Policy=json.dumps({"Version": "2012-10-17", "Statement": d2 + [org_deny2]}))
    code, msg = _err(lambda: bcm.create_export(Export=export_def("fid-org2", "fid-bkt2")))
    check("C3: the same Deny with BoolIfExists aws:PrincipalIsAWSService false (and the account excepted) spares "
          "the billing service", code is None, f"{code} {msg}")
    notp = {"Sid": "DenyAllButOwner", "Effect": "Deny", "NotPrincipal": {"AWS": f"arn:aws:iam::{acct}:root"},
            "Action": "s3:PutObject", "Resource": "arn:aws:s3:::fid-bkt2/*"}
    s3.put_bucket_policy(Bucket="fid-bkt2", Policy=json.dumps({"Version": "2012-10-17", "Statement": d2 + [notp]}))
    code, msg = _err(lambda: bcm.create_export(Export=export_def("fid-notp", "fid-bkt2")))
    code2, _ = _err(lambda: s3.put_object(Bucket="fid-bkt2", Key="a.txt", Body=b"a"))
    check("C3: Deny with NotPrincipal (the account) blocks the billing service, not the account's user",
          code == "ValidationException" and code2 is None, f"{code} {msg} {code2}")
    prefix_deny = {"Sid": "DenyCur2", "Effect": "Deny", "Principal": {"Service": "bcm-data-exports.amazonaws.com"},
                   "Action": "s3:PutObject", "Resource": "arn:aws:s3:::fid-bkt2/cur2/*"}
    s3.put_bucket_policy(Bucket="fid-bkt2", Policy=json.dumps({"Version": "2012-10-17",
                                                               "Statement": d2 + [prefix_deny]}))
    code, _ = _err(lambda: bcm.create_export(Export=export_def("fid-pfx", "fid-bkt2")))
    code2, _ = _err(lambda: bcm.create_export(Export=export_def("fid-pfx2", "fid-bkt2", prefix="other")))
    check("C3: a Deny of s3:PutObject under one prefix blocks that prefix only", code == "ValidationException" and
          code2 is None, f"{code} {code2}")
    for x in bcm.list_exports()["Exports"]:
        bcm.delete_export(ExportArn=x["ExportArn"])

    # C4: another account's bucket (IAM User Guide, "Cross-account policy evaluation logic": the bucket
    # policy must allow a principal of another account)
    mgmt = sim.client("s3", region="eu-west-1")
    code, _ = _err(lambda: mgmt.head_bucket(Bucket="fid-bkt2"))
    code2, _ = _err(lambda: mgmt.get_bucket_policy(Bucket="fid-bkt2"))
    before = s3.get_bucket_policy(Bucket="fid-bkt2")["Policy"]
    code3, _ = _err(lambda: mgmt.put_bucket_policy(Bucket="fid-bkt2", Policy=bucket_policy("fid-bkt2", "123456789012")))
    after = s3.get_bucket_policy(Bucket="fid-bkt2")["Policy"]
    check("C4: another account's administrator: HeadBucket 403, GetBucketPolicy and PutBucketPolicy AccessDenied, "
          "the policy unchanged", code == "403" and code2 == "AccessDenied" and code3 == "AccessDenied" and
          before == after, f"{code} {code2} {code3}")
    grant = {"Sid": "LetManagementRead", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
             "Action": ["s3:ListBucket", "s3:GetBucketPolicy"], "Resource": "arn:aws:s3:::fid-bkt2"}
    s3.put_bucket_policy(Bucket="fid-bkt2", Policy=json.dumps({"Version": "2012-10-17", "Statement": d2 + [grant]}))
    code, _ = _err(lambda: mgmt.head_bucket(Bucket="fid-bkt2"))
    code2, _ = _err(lambda: mgmt.get_bucket_policy(Bucket="fid-bkt2"))
    code3, _ = _err(lambda: mgmt.put_bucket_policy(Bucket="fid-bkt2", Policy=bucket_policy("fid-bkt2", "1")))
    check("C4: granted by the bucket policy: HeadBucket and GetBucketPolicy work, PutBucketPolicy (not granted) "
          "AccessDenied", code is None and code2 is None and code3 == "AccessDenied", f"{code} {code2} {code3}")

    # C1: GetExport returns the table properties AWS adds (terraform-provider-aws #43978: BILLING_VIEW_ARN)
    e = export_def("fid-tc", "fid-bkt2")
    e["DataQuery"]["TableConfigurations"]["COST_AND_USAGE_REPORT"] = {"TIME_GRANULARITY": "DAILY",
                                                                      "INCLUDE_RESOURCES": "TRUE"}
    arn = bcm.create_export(Export=e)["ExportArn"]
    tc = bcm.get_export(ExportArn=arn)["Export"]["DataQuery"]["TableConfigurations"]["COST_AND_USAGE_REPORT"]
    check("C1: GetExport: TableConfigurations gain BILLING_VIEW_ARN (primary view), the rest as sent",
          tc == {"TIME_GRANULARITY": "DAILY", "INCLUDE_RESOURCES": "TRUE",
                 "BILLING_VIEW_ARN": f"arn:aws:billing::{acct}:billingview/primary"}, str(tc))

    # C10: AWS's codes and wording
    code, msg = _err(lambda: bcm.create_export(Export=e))
    check("C10: duplicate export name -> ValidationException 'Cannot create duplicate export name.'",
          code == "ValidationException" and msg == "Cannot create duplicate export name.", f"{code} {msg}")
    bcm.delete_export(ExportArn=arn)
    cur = sim.client("cur", who="standalone")
    code, msg = _err(lambda: cur.delete_report_definition(ReportName="no-such-report"))
    check("C10: DeleteReportDefinition of a missing report -> ValidationException", code == "ValidationException",
          f"{code} {msg}")

    # C5: the CUR API's S3Region enum (botocore cur service-2.json AWSRegion) lacks newer regions
    for region in ("ca-west-1", "il-central-1", "ap-southeast-5"):
        rd = report_def("fid-legacy", "fid-bkt2", region=region)
        code, msg = _err(lambda: cur.put_report_definition(ReportDefinition=rd))
        check(f"C5: PutReportDefinition with S3Region {region} -> ValidationException (not in the enum)",
              code == "ValidationException" and "s3Region" in msg and "enum" in msg, f"{code} {msg}")

    # C8: the split cost allocation columns of data/cur2-columns.txt need INCLUDE_SPLIT_COST_ALLOCATION_DATA
    with open(os.path.join(os.environ.get("top_srcdir", os.path.join(os.path.dirname(__file__), "..", "..")),
                           "data", "cur2-columns.txt")) as f:
        split = [c.strip() for c in f if c.startswith("split_line_item_")]
    check("C8: data/cur2-columns.txt lists the split_line_item_* columns", len(split) == 11, str(split))
    cols = ["line_item_unblended_cost"] + split
    code, msg = _err(lambda: bcm.create_export(Export=export_def("fid-split0", "fid-bkt2", columns=cols)))
    code2, msg2 = _err(lambda: bcm.create_export(Export=export_def(
        "fid-split1", "fid-bkt2", columns=cols, props={"INCLUDE_SPLIT_COST_ALLOCATION_DATA": "TRUE"})))
    check("C8: split columns: refused without INCLUDE_SPLIT_COST_ALLOCATION_DATA, accepted with it",
          code == "ValidationException" and code2 is None, f"{code} {msg} / {code2} {msg2}")
    rd = report_def("fid-split", "fid-bkt2")
    rd["AdditionalSchemaElements"] = ["RESOURCES", "SPLIT_COST_ALLOCATION_DATA"]
    code, msg = _err(lambda: cur.put_report_definition(ReportDefinition=rd))
    got = [d for d in cur.describe_report_definitions()["ReportDefinitions"] if d["ReportName"] == "fid-split"]
    check("C8: legacy report with SPLIT_COST_ALLOCATION_DATA in AdditionalSchemaElements accepted",
          code is None and got and "SPLIT_COST_ALLOCATION_DATA" in got[0]["AdditionalSchemaElements"], f"{code} {msg}")


def policy_delay():
    """C7: --policy-delay-ms N: the billing services see a new bucket policy N ms after PutBucketPolicy
    (S3 User Guide: bucket policy changes are eventually consistent); meanwhile CreateExport and
    PutReportDefinition are refused as with no policy ("Failed to verify customer bucket permission")."""
    import time
    from simtest import Sim
    sim = Sim("--policy-delay-ms", "2500", "--latency-ms", "100").start()
    try:
        # C11: a new connection's first answer also waits for the handshakes it stands for
        # (--handshake-ms, default twice --latency-ms: TCP + TLS, about two round trips)
        sts = sim.client("sts")
        t = time.time()
        sts.get_caller_identity()
        first = time.time() - t
        t = time.time()
        sts.get_caller_identity()
        second = time.time() - t
        check("C11: --latency-ms 100: the first answer of a new connection takes >= 0.3 s (handshakes: 2 x 100 ms), "
              "the next on it < 0.3 s", first >= 0.3 and 0.1 <= second < 0.3, f"{first:.3f} {second:.3f}")
        s3 = sim.client("s3", region="eu-west-1")
        s3.create_bucket(Bucket="slow-bkt", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        s3.put_bucket_policy(Bucket="slow-bkt", Policy=bucket_policy("slow-bkt", "123456789012"))
        t0 = time.time()
        bcm, cur = sim.client("bcm-data-exports"), sim.client("cur")
        code, msg = _err(lambda: bcm.create_export(Export=export_def("slow", "slow-bkt")))
        code2, _ = _err(lambda: cur.put_report_definition(ReportDefinition=report_def("slow", "slow-bkt")))
        early = time.time() - t0 < 2.0
        check("C7: right after PutBucketPolicy (--policy-delay-ms 2500): CreateExport and PutReportDefinition "
              "refused 'Failed to verify customer bucket permission'", early and code == "ValidationException" and
              "Failed to verify customer bucket permission" in msg and code2 == "ValidationException", f"{code} {msg}")
        time.sleep(max(0.0, 2.7 - (time.time() - t0)))
        code, msg = _err(lambda: bcm.create_export(Export=export_def("slow", "slow-bkt")))
        code2, msg2 = _err(lambda: cur.put_report_definition(ReportDefinition=report_def("slow", "slow-bkt")))
        check("C7: once the policy has propagated both succeed", code is None and code2 is None, f"{msg} {msg2}")
    finally:
        sim.cleanup()


def member_accounts():
    """`cloudsim start --member-accounts N` (orgsim.py): N ACTIVE member accounts that
    organizations ListAccounts lists, page after page (MaxResults 5), and in each an
    OrganizationAccountAccessRole whose trust names the management account: the management
    administrator assumes it (boto3) and acts in that account."""
    import boto3
    from simtest import Sim
    n = 12
    sim = Sim("--member-accounts", str(n)).start()
    try:
        org = sim.client("organizations")
        mgmt = org.describe_organization()["Organization"]["MasterAccountId"]
        pages, accts, token = 0, [], None
        while True:
            kw = {"MaxResults": 5}
            if token:
                kw["NextToken"] = token
            r = org.list_accounts(**kw)
            pages += 1
            accts += r["Accounts"]
            token = r.get("NextToken")
            if not token or pages > 20:
                break
        ids = [a["Id"] for a in accts]
        want = [f"{400000000000 + i:012d}" for i in range(1, n + 1)]
        check(f"--member-accounts {n}: ListAccounts lists each member once, over every page (MaxResults 5)",
              set(want) <= set(ids) and len(ids) == len(set(ids)) and mgmt in ids
              and pages >= (len(ids) + 4) // 5 and pages > 1, f"{pages} pages, {sorted(ids)}")
        check(f"--member-accounts {n}: the members are ACTIVE",
              all(a["Status"] == "ACTIVE" for a in accts if a["Id"] in want), str([a["Status"] for a in accts]))
        bad = {}
        for acct in want:
            arn = f"arn:aws:iam::{acct}:role/OrganizationAccountAccessRole"
            try:
                c = sim.client("sts").assume_role(RoleArn=arn, RoleSessionName="chk")["Credentials"]
                sess = boto3.session.Session(aws_access_key_id=c["AccessKeyId"],
                                             aws_secret_access_key=c["SecretAccessKey"],
                                             aws_session_token=c["SessionToken"], region_name="us-east-1")
                sts, iam = (sess.client(x, endpoint_url=sim.env["AWS_ENDPOINT_URL"], verify=sim.env["AWS_CA_BUNDLE"])
                            for x in ("sts", "iam"))
                got = sts.get_caller_identity()["Account"]
                trust = iam.get_role(RoleName="OrganizationAccountAccessRole")["Role"]["AssumeRolePolicyDocument"]
                trust = json.loads(trust) if isinstance(trust, str) else trust
                names = json.dumps(trust)
                if got != acct:
                    bad[acct] = f"acts in {got}"
                elif f"arn:aws:iam::{mgmt}:root" not in names and f'"{mgmt}"' not in names:
                    bad[acct] = f"trust {names}"
            except Exception as e:  # noqa: BLE001
                bad[acct] = str(e)
        check(f"--member-accounts {n}: each member's OrganizationAccountAccessRole trusts the management account; "
              "assumed with boto3 it acts in that member", not bad, json.dumps(bad)[:1200])
    finally:
        sim.cleanup()


if __name__ == "__main__":
    main(body)
