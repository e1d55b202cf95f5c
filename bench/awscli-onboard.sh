#!/bin/sh
# awscli-onboard.sh - the guide's AWS steps ("Configuring AWS Data Sources", root account,
# CUR 2.0 export) done by hand as a careful administrator does them: one `aws` command at a
# time, reading before writing and checking after writing. bench/vs-awscli times this script
# against the wizard on the same simulated cloud.
#
# Usage: awscli-onboard.sh DOCDIR BUCKET [USER]
#   DOCDIR holds the documents the guide gives (copied from the guide / the wizard's plan):
#     bucket-policy.json  policy-readonly.json  policy-discover.json  export.json
#   The administrator's credentials, region, endpoint and CA bundle come from the environment
#   (AWS_*), as for any aws command. The new key pair goes to DOCDIR/access-key.txt (0600).
# Exit status: 0 done, else the failing command's.
set -eu
docs=$1
bucket=$2
user=${3:-certerox-billing}
run() {
	echo "+ aws $*" >&2
	aws --output json "$@"
}

# Who am I: the account id goes into the policy ARNs.
acct=$(run sts get-caller-identity --query Account --output text)
# The bucket exists and where it is.
run s3api head-bucket --bucket "$bucket" >/dev/null
run s3api get-bucket-location --bucket "$bucket" >/dev/null
# The bucket's current policy, to merge our statement into (none here).
run s3api get-bucket-policy --bucket "$bucket" >/dev/null 2>&1 || echo "(no bucket policy yet)" >&2
# No export of that name exists yet.
run bcm-data-exports list-exports >/dev/null
# Step 1: the bucket policy, then read it back.
run s3api put-bucket-policy --bucket "$bucket" --policy "file://$docs/bucket-policy.json"
run s3api get-bucket-policy --bucket "$bucket" >/dev/null
# Step 2: the CUR 2.0 export, then check it is listed.
run bcm-data-exports create-export --export "file://$docs/export.json" >/dev/null
run bcm-data-exports list-exports >/dev/null
# Step 3: the two IAM policies (after checking they do not exist yet).
run iam list-policies --scope Local >/dev/null
run iam create-policy --policy-name CerteroXReadOnly \
	--policy-document "file://$docs/policy-readonly.json" >/dev/null
run iam create-policy --policy-name CerteroXDiscoverResources \
	--policy-document "file://$docs/policy-discover.json" >/dev/null
# Step 4: the user, the attachments (checked), the access key (kept in a 0600 file).
run iam create-user --user-name "$user" >/dev/null
run iam attach-user-policy --user-name "$user" \
	--policy-arn "arn:aws:iam::$acct:policy/CerteroXReadOnly"
run iam attach-user-policy --user-name "$user" \
	--policy-arn "arn:aws:iam::$acct:policy/CerteroXDiscoverResources"
run iam list-attached-user-policies --user-name "$user" >/dev/null
(umask 077 && run iam create-access-key --user-name "$user" \
	--query 'AccessKey.[AccessKeyId,SecretAccessKey]' --output text >"$docs/access-key.txt")
# The new key works (what CerteroX will do with it first).
read -r ak sk <"$docs/access-key.txt"
AWS_ACCESS_KEY_ID=$ak AWS_SECRET_ACCESS_KEY=$sk run sts get-caller-identity >/dev/null
echo "done: key pair in $docs/access-key.txt" >&2
