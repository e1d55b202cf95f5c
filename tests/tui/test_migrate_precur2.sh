#!/bin/sh
# migrate by keystrokes on an account onboarded before CUR 2.0 BY HAND (boto3 and curl, never
# the wizard): a legacy CUR report, a user with a name of its own (billing-reader), a
# customer-managed policy that grants only cur:DescribeReportDefinitions and read on the bucket,
# that user's access key, and a CerteroX data source with that key and the legacy config. The
# wizard finds the real user from the key, shows its policy's new version as a diff, asks for
# the new export's name, prefix, granularity and format and whether the legacy report is kept
# (here: deleted), and names the real user on the Done page. Judged by boto3 (the policy's new
# default version grants the Data Exports actions and still cur:DescribeReportDefinitions; the
# export with the typed name, prefix and granularity; the legacy report gone) and curl
# (CerteroX's data source: cur_version 2, the new export, a key of billing-reader whose secret
# the vault holds). A golden of every page at 80x24 (and 120x40, 60x20 and back: tui_page).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/tui/lib.sh"
tui_require
tui_sim_start
PASS="precur2-Horse-battery-staple-91"
tui_home
printf '%s\n' "$PASS" >"$T_TMP/passfile"
chmod 600 "$T_TMP/passfile"

# The hand-made account, with boto3; the data source, with curl (its answer in ds0.json).
(
	set -a
	. "$TUI_SIM/env"
	"$CLOUDSIM_PYTHON" -c '
import json, boto3
acct = boto3.client("sts").get_caller_identity()["Account"]
s3, iam, cur = boto3.client("s3"), boto3.client("iam"), boto3.client("cur", region_name="us-east-1")
s3.create_bucket(Bucket="acme-billing")
s3.put_bucket_policy(Bucket="acme-billing", Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Sid": "AllowCURDelivery", "Effect": "Allow", "Principal": {"Service": "billingreports.amazonaws.com"},
    "Action": ["s3:GetBucketAcl", "s3:GetBucketPolicy", "s3:PutObject"],
    "Resource": ["arn:aws:s3:::acme-billing", "arn:aws:s3:::acme-billing/*"],
    "Condition": {"StringEquals": {"aws:SourceAccount": acct}}}]}))
cur.put_report_definition(ReportDefinition={
    "ReportName": "acme-cur", "TimeUnit": "DAILY", "Format": "textORcsv", "Compression": "GZIP",
    "AdditionalSchemaElements": ["RESOURCES"], "S3Bucket": "acme-billing", "S3Prefix": "cur",
    "S3Region": "us-east-1", "RefreshClosedReports": True, "ReportVersioning": "OVERWRITE_REPORT"})
doc = {"Version": "2012-10-17", "Statement": [
    {"Sid": "ReadReports", "Effect": "Allow", "Action": "cur:DescribeReportDefinitions", "Resource": "*"},
    {"Sid": "ReadBucket", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::acme-billing/*"},
    {"Sid": "ListBucket", "Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetBucketLocation"],
     "Resource": "arn:aws:s3:::acme-billing"}]}
arn = iam.create_policy(PolicyName="AcmeCurRead", PolicyDocument=json.dumps(doc))["Policy"]["Arn"]
iam.create_user(UserName="billing-reader")
iam.attach_user_policy(UserName="billing-reader", PolicyArn=arn)
k = iam.create_access_key(UserName="billing-reader")["AccessKey"]
json.dump({"name": "Acme legacy billing", "type": "aws_cnr", "config": {
    "access_key_id": k["AccessKeyId"], "secret_access_key": k["SecretAccessKey"], "linked": False,
    "cur_version": 1, "config_scheme": "bucket_only", "bucket_name": "acme-billing",
    "bucket_prefix": "cur", "report_name": "acme-cur"}}, open("'"$T_TMP"'/ds-body.json", "w"))
print(k["AccessKeyId"])'
) >"$T_TMP/setup.out" 2>"$T_TMP/setup.err"
check "boto3: the hand-made account" test -s "$T_TMP/setup.out"
OLD=$(cat "$T_TMP/setup.out")
curl -sS --cacert "$TUI_SIM/ca.pem" -H "Authorization: Bearer $(tui_sim_var CERTEROX_TOKEN)" \
	-H 'Content-Type: application/json' --data @"$T_TMP/ds-body.json" \
	"$(tui_sim_var CERTEROX_URL)/restapi/v2/organizations/$(tui_sim_var CERTEROX_ORGANIZATION_ID)/cloud_accounts" \
	>"$T_TMP/ds0.json" 2>&1 || true
rm -f "$T_TMP/ds-body.json" # it held the hand-made key's secret
tui_cx_keys
check "curl: CerteroX's legacy data source holds billing-reader's key" grep -q " $OLD\$" "$T_TMP/cx.txt"
DSID=$(awk '{print $1}' "$T_TMP/cx.txt")

ENVS="$TUI_HOME_ENV $TUI_SIM_ENV"
tui_mask_data_source
page() { tui_page "$1" 10 "$2" "$3"; }
# shellcheck disable=SC2086
tui_start 80 24 $ENVS
tui_launch --vault-kdf interactive
check "start page sees the data source" tui_wait "(1 AWS data source)" 20
tui_page 1 12 Welcome precur2-01-start
tui_keys Down Enter
check "migrate: CerteroX page next" tui_wait "Page 2 of 10: CerteroX" 10
check "signed in" tui_wait "Signed in; organization" 10
tui_keys Enter
check "the legacy data source is listed" \
	tui_wait "(*) Acme legacy billing (account 123456789012, legacy CUR)" 15
page 3 "Data source to migrate" precur2-03-data-source
tui_keys Enter
check "the new export's page" tui_wait "Page 4 of 10: New CUR 2.0 export" 10
check "it offers to keep the legacy report (the default)" tui_wait "Legacy report      < keep >" 5
check "its prefix starts as the data source's" tui_wait "S3 prefix          [cur  " 5
tui_keys C-u
tui_type "acme-cur2"
tui_keys Tab C-u
tui_type "billing/cur2"
tui_keys Tab Right Tab Tab Right
check "the legacy report will be deleted" tui_wait "Legacy report      < delete >" 5
check "granularity HOURLY" tui_wait "Granularity        < HOURLY >" 5
page 4 "New CUR 2.0 export" precur2-04-export
tui_keys Enter
check "the bucket policy gains the Data Exports principal" tui_wait "bcm-data-exports.amazonaws.com" 20
page 5 "Bucket policy" precur2-05-bucket-policy
tui_keys Enter
check "IAM: the real user, found from its key" \
	tui_wait "User billing-reader (found by iam GetAccessKeyLastUsed)" 20
check "IAM: a new default version of its own policy" tui_wait "Policy AcmeCurRead: a new default version adds the Data Exports actions" 5
check "IAM: the diff adds the Data Exports actions" tui_wait '+        "bcm-data-exports:CreateExport"' 5
tui_capture >"$T_TMP/iam.screen"
check "IAM: the diff removes no line of the policy" sh -c "! grep -qE '│ -([^-]|\$)' '$T_TMP/iam.screen'"
page 6 "IAM policies" precur2-06-iam
tui_keys Enter
check "review: the export with the typed name" tui_wait "create  bcm-data-exports CreateExport acme-cur2" 20
check "review: a new key of the real user" tui_wait "create  iam CreateAccessKey billing-reader" 5
check "review: the policy's new version" tui_wait "update  iam CreatePolicyVersion AcmeCurRead" 5
page 7 "Review the plan" precur2-07-review
tui_keys End
check "review: the legacy report is deleted" tui_wait "delete  cur DeleteReportDefinition acme-cur" 5
tui_keys Enter
check "vault: a new one" tui_wait "Page 8 of 10: Credential vault" 10
tui_type "$PASS"
tui_keys Tab
tui_type "$PASS"
check "passphrase masked" tui_wait "[*******" 5
page 8 "Credential vault" precur2-08-vault
tui_keys Enter
check "Apply now? asks" tui_wait "Apply now?" 30
tui_capture >"$T_TMP/applynow.screen"
check "Apply now? names the legacy report it deletes" grep -q "acme-cur" "$T_TMP/applynow.screen"
tui_keys y
check "apply finishes" tui_wait "Done: every step finished" 90
TUI_GOLDEN_LINES=12 page 9 Apply precur2-09-apply
tui_keys Enter
check "done names the real user" tui_wait "IAM user         billing-reader" 5
check "done names the new export" tui_wait "Export           acme-cur2 (CUR 2.0)" 5
check "done: the legacy report deleted, as chosen" tui_wait "Legacy report    acme-cur (deleted)" 5
page 10 Done precur2-10-done
tui_keys Enter
check "exit 0" tui_wait "[exit 0]" 10
tui_tmux capture-pane -t cx -p -S -400 >"$T_TMP/summary.txt"
check "the summary's IAM user is the real user" grep -qE 'IAM user: +billing-reader' "$T_TMP/summary.txt"

# boto3: the end state in AWS
(
	set -a
	. "$TUI_SIM/env"
	"$CLOUDSIM_PYTHON" -c '
import json, boto3
acct = boto3.client("sts").get_caller_identity()["Account"]
iam = boto3.client("iam")
arn = "arn:aws:iam::%s:policy/AcmeCurRead" % acct
pol = iam.get_policy(PolicyArn=arn)["Policy"]
d = iam.get_policy_version(PolicyArn=arn, VersionId=pol["DefaultVersionId"])["PolicyVersion"]["Document"]
d = json.loads(d) if isinstance(d, str) else d
acts = set()
for st in d["Statement"]:
    a = st["Action"]
    acts.update(a if isinstance(a, list) else [a])
print("default", pol["DefaultVersionId"])
print("actions", " ".join(sorted(acts)))
for k in iam.list_access_keys(UserName="billing-reader")["AccessKeyMetadata"]:
    print("key", k["AccessKeyId"], k["Status"])
users = [u["UserName"] for u in iam.list_users()["Users"]]
print("certerox-billing", "yes" if "certerox-billing" in users else "no")
bcm = boto3.client("bcm-data-exports", region_name="us-east-1")
for e in bcm.list_exports()["Exports"]:
    x = bcm.get_export(ExportArn=e["ExportArn"])["Export"]
    s3d = x["DestinationConfigurations"]["S3Destination"]
    g = x["DataQuery"]["TableConfigurations"]["COST_AND_USAGE_REPORT"]["TIME_GRANULARITY"]
    print("export", x["Name"], s3d["S3Bucket"], s3d["S3Prefix"], g)
cur = boto3.client("cur", region_name="us-east-1")
for r in cur.describe_report_definitions()["ReportDefinitions"]:
    print("report", r["ReportName"])'
) >"$T_TMP/aws.txt" 2>"$T_TMP/aws.err"
check "boto3: the policy has a new default version" grep -qx "default v2" "$T_TMP/aws.txt"
check "boto3: it grants the Data Exports actions" \
	grep -q "^actions .*bcm-data-exports:CreateExport.*bcm-data-exports:GetExport.*bcm-data-exports:ListExports" "$T_TMP/aws.txt"
check "boto3: and still cur:DescribeReportDefinitions" \
	grep -q "^actions .*cur:DescribeReportDefinitions" "$T_TMP/aws.txt"
check "boto3: the export has the typed name, prefix and granularity" \
	grep -qx "export acme-cur2 acme-billing billing/cur2 HOURLY" "$T_TMP/aws.txt"
check "boto3: the legacy report was deleted, as chosen" sh -c "! grep -q '^report ' '$T_TMP/aws.txt'"
check "boto3: no certerox-billing user was made" grep -qx "certerox-billing no" "$T_TMP/aws.txt"
check "boto3: the hand-made key is kept (not the wizard's; no --yes)" grep -q "^key $OLD " "$T_TMP/aws.txt"
NEW=$(awk -v o="$OLD" '$1 == "key" && $2 != o && $3 == "Active" {print $2}' "$T_TMP/aws.txt")
check "boto3: billing-reader has a new, active key" test -n "$NEW"
# curl: CerteroX's data source
tui_cx_keys
check "curl: CerteroX's data source holds the new key of billing-reader" grep -qx "$DSID $NEW" "$T_TMP/cx.txt"
"$CLOUDSIM_PYTHON" -c '
import json, sys
for d in json.load(open(sys.argv[1]))["cloud_accounts"]:
    c = d.get("config") or {}
    print(d["id"], c.get("cur_version"), c.get("report_name"), c.get("bucket_prefix"))' \
	"$T_TMP/ds.json" >"$T_TMP/cfg.txt" 2>&1
check "curl: cur_version 2, the new export and prefix" grep -qx "$DSID 2 acme-cur2 billing/cur2" "$T_TMP/cfg.txt"
(
	XDG_DATA_HOME="$HOMEDIR/data" XDG_STATE_HOME="$HOMEDIR/state" \
		"$CX_BIN" --list --format json --passphrase-file "$T_TMP/passfile"
) >"$T_TMP/list.json" 2>"$T_TMP/list.err" || true
check "the vault holds the new key for the data source" \
	grep -q "\"access_key_id\": \"$NEW\"" "$T_TMP/list.json"
check "passphrase never on screen" sh -c "! grep -qF -- '$PASS' '$TUI_ALL'"
finish
