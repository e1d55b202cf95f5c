"""Authentication and authorization of a request the sim answers itself (the billing services,
EC2 DescribeRegions) through moto's IAM: the signature, then the signer's policies, as moto does
for the services it answers (moto/iam/access_control.py IAMRequest)."""

from moto.core.exceptions import (AccessDeniedError, AuthFailureError, InvalidClientTokenIdError,
                                  SignatureDoesNotMatchError)
from moto.iam.access_control import IAMRequest
from moto.iam.models import get_account_id_from


def check(sim, req, action, resource="*"):
    """(account id, None) when the signer of req may perform action on resource, else
    (account id, (code, message)) with code InvalidClientTokenId, SignatureDoesNotMatch, AuthFailure
    (EC2) or AccessDenied and moto's message. A missing X-Amz-Date is the caller's to refuse first."""
    hdrs = {}
    for k, v in req.headers:
        hdrs["-".join(p.capitalize() for p in k.split("-"))] = v
    with sim.moto_lock:
        acct = get_account_id_from(req.access_key_id or "")
        try:
            r = IAMRequest(account_id=acct, method=req.method, path=req.raw_path, data={}, body=req.body,
                           headers=hdrs, action=action)
            r.check_signature()
            r.check_action_permitted(resource)
        except InvalidClientTokenIdError as e:
            return acct, ("InvalidClientTokenId", e.message)
        except SignatureDoesNotMatchError as e:
            return acct, ("SignatureDoesNotMatch", e.message)
        except AuthFailureError as e:  # moto's words for EC2 (a bad key or a bad signature)
            return acct, ("AuthFailure", e.message)
        except AccessDeniedError as e:
            return acct, ("AccessDenied", e.message)
    return acct, None
