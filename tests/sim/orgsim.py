"""Member accounts of the simulated Organization (`cloudsim start --member-accounts N`) and
the trust check of sts:AssumeRole, which moto does not make (its assume_role accepts any role
ARN, existing or not, and never reads the role's trust policy).

AWS's rules followed (IAM User Guide, "Policy evaluation logic", cross-account access): the
role must exist in the account of the RoleArn, and its trust policy must allow the caller
(Principal "AWS": "*", the caller's account id or arn:aws:iam::<acct>:root, the caller's
user ARN, or the role ARN an assumed-role session comes from); a matching Deny wins. The
caller's own identity policy is checked by moto (sts resource = the RoleArn). Conditions of a
trust policy are not evaluated (the wizard writes none). A refusal is 403 AccessDenied
"User: <caller> is not authorized to perform: sts:AssumeRole on resource: <role arn>".
"""
import datetime
import json
from urllib.parse import parse_qs

import simhttp
from moto.iam.models import iam_backends, get_account_id_from
from moto.organizations.models import organizations_backends
from moto.sts.models import sts_backends
import moto.organizations.utils as org_utils

MEMBER_BASE = 400000000000  # member i (1-based) of --member-accounts is 4000000000ii
ADMIN_DOC = json.dumps({"Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})


def member_id(i):
    return f"{MEMBER_BASE + i:012d}"


def ensure_members(sim, management, have, n):
    """Creates the missing members 1..n (organizations CreateAccount: moto makes each one's
    OrganizationAccountAccessRole trusting the management account); as on AWS, that role gets
    AdministratorAccess. Never removes one. have: the ids made before (DIR/members.json).
    Returns the list of member ids."""
    have = list(have)
    org = organizations_backends[management]["aws"]
    orig = org_utils.make_random_account_id
    base = datetime.datetime(2025, 1, 1)
    try:
        for i in range(len(have) + 1, n + 1):
            acct = member_id(i)
            org_utils.make_random_account_id = lambda a=acct: a
            org.create_account(AccountName=f"member-{i:03d}", Email=f"member-{i:03d}@example.com")
            # distinct JoinedTimestamp: moto's ListAccounts pages by it
            for a in org.accounts:
                if a.id == acct:
                    a.create_time = base + datetime.timedelta(seconds=i)
            iam_backends[acct]["global"].put_role_policy(
                "OrganizationAccountAccessRole", "AdministratorAccess", ADMIN_DOC)
            have.append(acct)
    finally:
        org_utils.make_random_account_id = orig
    # every created account's OrganizationAccountAccessRole has AdministratorAccess (AWS
    # Organizations User Guide, "Accessing member accounts"); moto's has no policy
    changed = False
    for a in org.accounts:
        iam = iam_backends[a.id]["global"]
        if a.id == management or a.joined_method != "CREATED":
            continue
        try:
            role = iam.get_role("OrganizationAccountAccessRole")
        except Exception:
            continue  # deleted (a test of a missing member role)
        if "AdministratorAccess" not in role.policies:
            iam.put_role_policy("OrganizationAccountAccessRole", "AdministratorAccess", ADMIN_DOC)
            changed = True
    if changed:
        sim.dirty = True
    return have


def _list(v):
    return v if isinstance(v, list) else [v]


def _caller(akid):
    """(caller ARN as AWS prints it, account, the ARNs a trust policy may name for it)."""
    acct = get_account_id_from(akid)
    iam = iam_backends[acct]["global"]
    k = iam.access_keys.get(akid)
    if k is not None and k.user_name:
        arn = f"arn:aws:iam::{acct}:user/{k.user_name}"
        return arn, acct, {arn}
    for r in sts_backends[acct]["aws"].assumed_roles:
        if r.access_key_id == akid:
            name = r.role_arn.split("/")[-1]
            return (f"arn:aws:sts::{acct}:assumed-role/{name}/{r.session_name}", acct,
                    {r.role_arn, f"arn:aws:sts::{acct}:assumed-role/{name}/{r.session_name}"})
    return None, acct, set()


def _matches(stmt, acct, names):
    acts = [a.lower() for a in _list(stmt.get("Action", []))]
    if not any(a in ("*", "sts:*", "sts:assumerole") for a in acts):
        return False
    p = stmt.get("Principal")
    if p == "*":
        return True
    if not isinstance(p, dict):
        return False
    for v in _list(p.get("AWS", [])):
        if v in ("*", acct, f"arn:aws:iam::{acct}:root") or v in names:
            return True
    return False


def trust_check(req):
    """None when AssumeRole may go on to moto, else the AccessDenied answer."""
    form = {k: v[0] for k, v in parse_qs(req.body.decode("utf-8", "replace")).items()}
    role_arn = form.get("RoleArn", "")
    caller, acct, names = _caller(req.access_key_id or "")
    if caller is None:
        return None  # an unknown key: moto answers InvalidClientTokenId
    parts = role_arn.split(":")
    allowed = False
    if len(parts) == 6 and parts[5].startswith("role/"):
        try:
            role = iam_backends[parts[4]]["global"].get_role(parts[5].split("/")[-1])
            doc = json.loads(role.assume_role_policy_document)
            stmts = _list(doc.get("Statement", []))
            allowed = any(s.get("Effect") == "Allow" and _matches(s, acct, names) for s in stmts) and \
                not any(s.get("Effect") == "Deny" and _matches(s, acct, names) for s in stmts)
        except Exception:  # no such role, or an unreadable trust policy
            allowed = False
    if allowed:
        return None
    return simhttp.aws_error(req, "AccessDenied", f"User: {caller} is not authorized to perform: "
                             f"sts:AssumeRole on resource: {role_arn}", 403)
