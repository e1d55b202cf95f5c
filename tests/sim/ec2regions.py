"""EC2 DescribeRegions, answered by the sim itself.

The wizard's only EC2 call is DescribeRegions (the key check's proof of ec2:DescribeRegions, with
and without DryRun). moto answers it from its EC2 module, whose import costs about 1.5 s of CPU in
every sim process at the first EC2 request; the test suite starts hundreds of sims. This module
answers DescribeRegions as AWS does, and is closer to AWS than moto on three points:
- without AllRegions=true, only the regions enabled for the account are listed (the default
  regions and the opted-in ones); AllRegions=true adds the not-opted-in ones (moto lists every
  region in both cases) -- EC2 API Reference, DescribeRegions, "AllRegions";
- the opt-in regions are those AWS documents as opt-in (moto marks af-south-1 and others as
  opt-in-not-required) -- AWS Account Management guide, "Enable or disable AWS Regions";
- Filter.N (endpoint, opt-in-status, region-name) with * and ? wildcards, as the API reference
  lists them.
Authentication and authorization go through moto's IAM (the same evaluation moto applies to its
own EC2 responses); their errors have EC2's shapes (AuthFailure 401, UnauthorizedOperation 403).
DryRun: an allowed request answers DryRunOperation 412, a denied one UnauthorizedOperation.
Every other EC2 operation still goes to moto."""

import fnmatch

import simhttp
from simhttp import Resp

EC2_NS = "http://ec2.amazonaws.com/doc/2016-11-15/"

# Regions enabled in every account (launched before 20 March 2019).
DEFAULT_REGIONS = ("ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-southeast-1",
                   "ap-southeast-2", "ca-central-1", "eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2",
                   "eu-west-3", "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2")
# Regions an account must enable first.
OPT_IN_REGIONS = ("af-south-1", "ap-east-1", "ap-east-2", "ap-south-2", "ap-southeast-3", "ap-southeast-4",
                  "ap-southeast-5", "ap-southeast-7", "ca-west-1", "eu-central-2", "eu-south-1", "eu-south-2",
                  "il-central-1", "me-central-1", "me-south-1", "mx-central-1")

# DescribeRegions' filter names (EC2 API reference), each with the field of a region it matches.
REGION_FILTERS = {
    "endpoint": lambda name, status: f"ec2.{name}.amazonaws.com",
    "opt-in-status": lambda name, status: status,
    "region-name": lambda name, status: name,
}


def regions(opted_in=()):
    """(name, opt-in status) of every region, for an account that enabled opted_in."""
    out = [(r, "opt-in-not-required") for r in DEFAULT_REGIONS]
    out += [(r, "opted-in" if r in opted_in else "not-opted-in") for r in OPT_IN_REGIONS]
    return sorted(out)


def _numbered(form, prefix):
    """Values of prefix.1, prefix.2, ... in a query form (parse_qs lists)."""
    out = []
    i = 1
    while f"{prefix}.{i}" in form:
        out.append(form[f"{prefix}.{i}"][0])
        i += 1
    return out


def _filters(form):
    out = []
    i = 1
    while f"Filter.{i}.Name" in form:
        out.append((form[f"Filter.{i}.Name"][0], _numbered(form, f"Filter.{i}.Value")))
        i += 1
    return out


def _true(form, name):
    return (form.get(name) or ["false"])[0].lower() == "true"


def _error(req, code, message, status):
    return simhttp.aws_error(req, code, message, status)


def describe_regions(sim, req, authorize):
    """The answer to an EC2 DescribeRegions request; authorize(req, action) returns None when the
    request's signer may perform action, else (code, message) of moto's IAM error."""
    form = req.form if req.form is not None else {k: v for k, v in req.query.items()}
    denied = authorize(req, "DescribeRegions")
    if denied is not None:
        code, message = denied
        if code in ("AuthFailure", "InvalidClientTokenId", "SignatureDoesNotMatch"):
            return _error(req, "AuthFailure", "AWS was not able to validate the provided access credentials", 401)
        return _error(req, "UnauthorizedOperation", "You are not authorized to perform this operation. " + message,
                      403)
    if _true(form, "DryRun"):
        return _error(req, "DryRunOperation", "Request would have succeeded, but DryRun flag is set.", 412)
    known = dict(regions())
    names = _numbered(form, "RegionName")
    for n in names:
        if n not in known:
            return _error(req, "InvalidParameterValue", f"Invalid region: {n}", 400)
    listed = [(n, s) for n, s in regions() if _true(form, "AllRegions") or names or s != "not-opted-in"]
    if names:
        listed = [(n, s) for n, s in listed if n in names]
    for fname, values in _filters(form):
        if fname not in REGION_FILTERS:
            return _error(req, "InvalidParameterValue", f"The filter '{fname}' is invalid", 400)
        field = REGION_FILTERS[fname]
        listed = [(n, s) for n, s in listed if any(fnmatch.fnmatchcase(field(n, s), v) for v in values)]
    items = "".join(f"<item><regionName>{n}</regionName><regionEndpoint>ec2.{n}.amazonaws.com</regionEndpoint>"
                    f"<optInStatus>{s}</optInStatus></item>" for n, s in listed)
    body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<DescribeRegionsResponse xmlns="{EC2_NS}">'
            f"<requestId>{simhttp.request_id()}</requestId><regionInfo>{items}</regionInfo>"
            "</DescribeRegionsResponse>")
    return Resp(200, [("Content-Type", "text/xml;charset=UTF-8")], body)
