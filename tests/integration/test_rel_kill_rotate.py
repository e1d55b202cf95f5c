#!/usr/bin/env python3
"""Reliability (issues 8 and 14): SIGKILL of the wizard during a rotate. A data source is
connected with --batch; the sim is restarted with a stall on one request of the rotate (the
stall holds the request, then it takes effect on the server), the rotate is killed while that
request is in flight or just after a step finished. Nothing is lost:
 - the vault opens, and once the stalled request has taken effect the vault holds the secret of
   the key CerteroX uses (pending or live);
 - a re-run of the rotate with --yes completes (a key the killed run made but never saved is
   deleted, a pending record is settled by the key CerteroX holds);
 - after it: CerteroX's key works and the vault holds its secret as the data source's live
   record, no pending record remains, and every key of the user in AWS is that one (no key
   without a secret in the vault).
Judged with boto3 (keys), curl (CerteroX's data source) and an independent vault decryptor."""
import json
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rellib  # noqa: E402
from rellib import CX_BIN, Result, Sim, Wizard  # noqa: E402

USER = "certerox-billing"
ANS = {"connection": "root",
       "export": {"type": "cur2", "setup": "wizard", "name": "certerox-cur2", "bucket": "acme-rot",
                  "prefix": "reports"}}
PATCH = "PATCH /restapi/v2/cloud_accounts/{ds}"
# (label, stalled (service, operation[, count]) or None, stderr pattern that starts the countdown,
#  delay s, stall ms)
POINTS = [
    ("CreateAccessKey in flight", ("iam", "CreateAccessKey"), "CreateAccessKey certerox-billing ...", 0.4,
     rellib.STALL_MS),
    ("just after CreateAccessKey", ("iam", "TagUser"), "CreateAccessKey certerox-billing ... done", 0.0,
     rellib.STALL_MS),
    ("CheckKey in flight", None, "CheckKey certerox-billing ...", 0.2, 0),
    ("CerteroX PATCH in flight", ("certerox", PATCH), "UpdateDataSource", 0.5, 4000),
    # its first attempt times out on the client and takes effect later; the retry is stalled too
    ("CerteroX PATCH in flight, killed after the client's time-out", ("certerox", PATCH, 2), "UpdateDataSource",
     rellib.TIMEOUT_MS / 1000.0 + 0.5, rellib.STALL_MS),
    ("DeleteAccessKey of the old key in flight", ("iam", "DeleteAccessKey"), "DeleteAccessKey certerox-billing",
     0.4, rellib.STALL_MS),
]


def keys_of(sim):
    return [k["AccessKeyId"] for k in sim.client("iam").list_access_keys(UserName=USER)["AccessKeyMetadata"]]


def cx_key(sim, ds_id):
    code, ds, _ = sim.curl("GET", f"/restapi/v2/cloud_accounts/{ds_id}")
    return (ds or {}).get("config", {}).get("access_key_id") if code == 200 else None


def vault_records(w):
    """{access key id: state} of the vault's records that hold a secret: "live", "retired" or
    "pending" (as --list names them)."""
    doc = rellib.vault_doc(w)
    out = {}
    for rec in doc.get("data_sources", []) or []:
        if rec.get("access_key_id") and rec.get("secret_access_key"):
            out[rec["access_key_id"]] = "retired" if rec.get("retired") else "live"
    for rec in doc.get("pending", []) or []:
        if rec.get("access_key_id") and rec.get("secret_access_key"):
            out.setdefault(rec["access_key_id"], "pending")
    return out, doc


def key_works(sim, ak, doc):
    sk = None
    for section in ("data_sources", "pending"):
        for rec in doc.get(section, []) or []:
            if rec.get("access_key_id") == ak and rec.get("secret_access_key"):
                sk = rec["secret_access_key"]
    if not sk:
        return False
    try:
        sim.client("sts", who=(ak, sk)).get_caller_identity()
        return True
    except Exception:  # noqa: BLE001
        return False


def scenario(idx):
    label, stalled, pattern, delay, stall_ms = POINTS[idx]
    res = Result(f"rotate kill #{idx + 1} {label}")
    sim = Sim().start()
    w = Wizard(sim, f"rk{idx}")
    try:
        sim.client("s3").create_bucket(Bucket="acme-rot")
        r = w.batch(ANS)  # default time-outs outside the killed run: the machine may be loaded
        if not res.check("(setup) connect exits 0", r.returncode == 0, r.stderr[-800:]):
            return res
        ds_id = r.json["data_source_id"]
        old = cx_key(sim, ds_id)
        rules = []
        if stalled:
            rules.append({"service": stalled[0], "operation": stalled[1].format(ds=ds_id), "nth": 1,
                          "count": stalled[2] if len(stalled) > 2 else 1, "fault": f"stall:{stall_ms}"})
        rellib.with_faults(sim, rules)
        rot = {"action": "rotate", "rotate": {"data_source_id": ds_id}}
        args = ["--batch", "--answers", w.answers(rot, "rotate.json"), "--passphrase-file", w.pass_file,
                "--vault-kdf", "interactive"]
        p = rellib.spawn(sim, w, args, rellib.env_extra())
        seen = False
        t_end = time.time() + 60
        for line in p.stderr:
            if pattern in line and (pattern != "UpdateDataSource" or line.rstrip().endswith("...")):
                seen = True
                break
            if time.time() > t_end:
                break
        time.sleep(delay)
        alive = p.poll() is None
        p.send_signal(signal.SIGKILL)
        p.communicate(timeout=30)
        res.check("the moment was reached and the rotate killed while running", seen and alive,
                  f"seen={seen} alive={alive}")
        # the stalled request takes effect when its stall ends: wait for it
        time.sleep((stall_ms / 1000.0 + 0.5) * (stalled[2] if stalled and len(stalled) > 2 else 1) if stalled else 0)
        try:
            recs, doc = vault_records(w)
            opened = True
        except Exception as e:  # noqa: BLE001
            recs, doc, opened = {}, {}, str(e)
        res.check("the vault opens after the kill", opened is True, str(opened))
        cur = cx_key(sim, ds_id)
        res.check("after the kill, the vault holds the secret of the key CerteroX uses",
                  cur in recs and key_works(sim, cur, doc), f"cerotex={cur} old={old} vault={recs}")
        # the re-run
        rellib.restart(sim)
        r = w.batch(rot, "--yes")
        if not res.check("the re-run of the rotate (--yes) exits 0", r.returncode == 0, r.stderr[-1500:]):
            return res
        cur = cx_key(sim, ds_id)
        recs, doc = vault_records(w)
        keys = keys_of(sim)
        res.check("CerteroX's key works and is the data source's live record in the vault",
                  recs.get(cur) == "live" and key_works(sim, cur, doc), f"{cur} {recs}")
        res.check("no pending record remains", not (doc.get("pending") or []) and "pending" not in recs.values(),
                  json.dumps(doc.get("pending"))[:300] if doc.get("pending") else str(recs))
        res.check("every key of the user is CerteroX's, whose secret the vault holds (no key without one)",
                  keys == [cur], f"aws={keys} cerotex={cur} vault={recs}")
        res.check("the old key is gone", old not in keys, f"old={old} aws={keys}")
        lst = w.run("--list", "--format", "json", "--passphrase-file", w.pass_file)
        states = {x.get("access_key_id"): x.get("state") for x in (lst.json or [])}
        res.check("--list: CerteroX's key live, nothing pending", states.get(cur) == "live"
                  and "pending" not in states.values(), str(states))
        return res
    finally:
        rellib.cleanup(sim, w)


def main():
    only = [int(a) - 1 for a in sys.argv[1:]] or list(range(len(POINTS)))
    if not os.path.exists(CX_BIN):
        print(f"SKIP: no binary {CX_BIN}")
        sys.exit(77)
    t0 = time.time()
    rellib.report(rellib.parallel(scenario, [(i,) for i in only]))
    print(f"# rotate kill points: {time.time() - t0:.0f}s")
    sys.exit(rellib.summary("kill rotate"))


if __name__ == "__main__":
    main()
