"""Resource-based (bucket) policy evaluation as AWS documents it, for the sim.

Sources (AWS IAM User Guide):
  - "Policy evaluation logic": an explicit Deny in any statement wins; otherwise an Allow is
    needed; a principal of another account needs the resource policy's Allow (cross-account).
  - "IAM JSON policy elements: Principal / NotPrincipal": "*" and {"AWS": "*"} match everyone;
    an account id or arn:aws:iam::ACCT:root matches every principal of that account; a user ARN
    matches that user; {"Service": name} matches that service principal. NotPrincipal applies
    the statement to every principal except the listed ones.
  - "IAM JSON policy elements: Condition operators": "If the key that you specify in a policy
    condition is not present in the request context, the values do not match and the condition
    is false. If the policy condition requires that the key is not matched, such as StringNotLike
    or ArnNotLike, and the right key is not present, the condition is true." ...IfExists: a
    missing key makes the condition true. Null tests presence. ForAnyValue:/ForAllValues: on
    multivalued keys. Keys are case-insensitive; values of String* are case-sensitive.
  - "AWS global condition context keys": aws:SecureTransport (true over TLS),
    aws:PrincipalAccount, aws:PrincipalArn, aws:PrincipalOrgID (absent for service principals),
    aws:PrincipalIsAWSService, aws:PrincipalServiceName, aws:SourceAccount, aws:SourceArn.
"""

import json
import re


def as_list(x):
    return x if isinstance(x, list) else [x]


def glob(pattern, value, case=True):
    rx = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in str(pattern))
    return re.fullmatch(rx, value, 0 if case else re.I) is not None


class Principal:
    """Who asks: an IAM principal (arn, account) or a service principal (service)."""

    def __init__(self, arn=None, account=None, service=None):
        self.arn, self.account, self.service = arn, account, service

    def matches(self, spec):
        if spec == "*":
            return True
        if not isinstance(spec, dict):
            return False
        for kind, vals in spec.items():
            for v in as_list(vals):
                if not isinstance(v, str):
                    continue
                if kind == "AWS":
                    if v == "*":
                        return True
                    if self.account and v in (self.account, f"arn:aws:iam::{self.account}:root"):
                        return True
                    if self.arn and v == self.arn:
                        return True
                elif kind == "Service" and self.service and v == self.service:
                    return True
        return False


def _one(base, have, want):
    """One value test of a (non-negated) operator."""
    if base in ("StringEquals", "ArnEquals"):
        return have == want
    if base == "StringEqualsIgnoreCase":
        return have.lower() == want.lower()
    if base in ("StringLike", "ArnLike"):
        return glob(want, have)
    if base == "Bool":
        return have.lower() == want.lower()
    if base in ("NumericEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan",
                "NumericGreaterThanEquals"):
        try:
            a, b = float(have), float(want)
        except ValueError:
            return False
        return {"NumericEquals": a == b, "NumericLessThan": a < b, "NumericLessThanEquals": a <= b,
                "NumericGreaterThan": a > b, "NumericGreaterThanEquals": a >= b}[base]
    if base == "IpAddress":
        return have == want.split("/")[0] or want in ("0.0.0.0/0", "127.0.0.0/8", "127.0.0.1/32")
    return None  # unknown operator


NEGATED = {"StringNotEquals": "StringEquals", "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
           "StringNotLike": "StringLike", "ArnNotEquals": "ArnEquals", "ArnNotLike": "ArnLike",
           "NumericNotEquals": "NumericEquals", "NotIpAddress": "IpAddress"}


def conditions_hold(cond, ctx):
    """ctx: lower-case key -> str or list of str (multivalued)."""
    if not cond:
        return True
    if not isinstance(cond, dict):
        return False
    for op, kv in cond.items():
        if not isinstance(kv, dict):
            return False
        qual, _, base = op.rpartition(":")
        if_exists = base.endswith("IfExists")
        if if_exists:
            base = base[:-len("IfExists")]
        for key, want in kv.items():
            wants = [str(w).lower() if isinstance(w, bool) else str(w) for w in as_list(want)]
            have = ctx.get(key.lower())
            if base == "Null":
                absent = have is None or have == []
                if not any((w.lower() == "true") == absent for w in wants):
                    return False
                continue
            if have is None:
                if if_exists:
                    continue
                if base in NEGATED:
                    continue  # a negated operator on a missing key is true
                return False
            negated = base in NEGATED
            pos = NEGATED.get(base, base)
            haves = as_list(have)
            if _one(pos, "x", "x") is None:
                return False  # unknown operator: never matches
            if qual == "ForAllValues":
                ok = all(any(_one(pos, h, w) for w in wants) for h in haves)
            else:
                ok = any(_one(pos, h, w) for h in haves for w in wants)
            if negated:
                ok = not ok
            if not ok:
                return False
    return True


def _action_matches(stmt, action):
    if "Action" in stmt:
        return any(glob(a, action, case=False) for a in as_list(stmt["Action"]))
    if "NotAction" in stmt:
        return not any(glob(a, action, case=False) for a in as_list(stmt["NotAction"]))
    return False


def _resource_matches(stmt, arn):
    if "Resource" in stmt:
        return any(glob(r, arn) for r in as_list(stmt["Resource"]))
    if "NotResource" in stmt:
        return not any(glob(r, arn) for r in as_list(stmt["NotResource"]))
    return False


def _principal_applies(stmt, who):
    if "Principal" in stmt:
        return who.matches(stmt["Principal"])
    if "NotPrincipal" in stmt:
        return not who.matches(stmt["NotPrincipal"])
    return False


def statements(policy):
    if not policy:
        return []
    if isinstance(policy, bytes):
        policy = policy.decode("utf-8", "replace")
    try:
        doc = json.loads(policy) if isinstance(policy, str) else policy
        return [s for s in as_list(doc.get("Statement", [])) if isinstance(s, dict)]
    except (ValueError, AttributeError):
        return []


def evaluate(policy, action, resource, who, ctx):
    """("Deny", sid) when a statement denies, ("Allow", sid) when one allows and none denies,
    (None, None) when the policy says nothing about this request."""
    allow = None
    for i, s in enumerate(statements(policy)):
        if not (_principal_applies(s, who) and _action_matches(s, action) and _resource_matches(s, resource)):
            continue
        if not conditions_hold(s.get("Condition"), ctx):
            continue
        sid = s.get("Sid") or f"#{i + 1}"
        if s.get("Effect") == "Deny":
            return "Deny", sid
        if s.get("Effect") == "Allow" and allow is None:
            allow = sid
    return ("Allow", allow) if allow is not None else (None, None)


def service_context(service, source_account, source_arn, secure=True):
    """The request context of a billing service principal writing on a customer's behalf."""
    return {"aws:sourceaccount": source_account, "aws:sourcearn": source_arn,
            "aws:securetransport": "true" if secure else "false", "aws:principalisawsservice": "true",
            "aws:principalservicename": service}


def user_context(arn, account, org_id, secure):
    ctx = {"aws:principalarn": arn, "aws:principalaccount": account, "aws:principalisawsservice": "false",
           "aws:securetransport": "true" if secure else "false", "aws:sourceip": "127.0.0.1",
           "aws:principaltype": "User"}
    if arn and ":user/" in arn:
        ctx["aws:username"] = arn.rsplit("/", 1)[-1]
    if org_id:
        ctx["aws:principalorgid"] = org_id
    return ctx
