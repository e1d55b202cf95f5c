"""Helpers for the end-to-end tests: the real binary against the simulated cloud.

Reuses tests/sim/simtest.py (Sim, check, finish). Every run gets its own vault, state
directory and passphrase file in a temporary directory; the administrator's credentials
come from the sim's environment, never argv."""

import json
import os
import subprocess
import sys
import tempfile

TOP_SRC = os.environ.get("top_srcdir") or os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TOP_BUILD = os.environ.get("top_builddir") or TOP_SRC
sys.path.insert(0, os.path.join(TOP_SRC, "tests", "sim"))

from simtest import Sim, check, finish  # noqa: E402,F401

CX_BIN = os.environ.get("CX_BIN") or os.path.join(TOP_BUILD, "src", "certerox-aws-setup")
PASSPHRASE = "correct horse battery staple 42"


class Wizard:
    """The binary with a private vault/state directory, run against sim."""

    def __init__(self, sim, name="w"):
        self.sim = sim
        self.home = tempfile.mkdtemp(prefix=f"cxflow-{name}.", dir=os.environ.get("TMPDIR") or "/tmp")
        self.pass_file = os.path.join(self.home, "passphrase")
        with open(self.pass_file, "w") as f:
            f.write(PASSPHRASE + "\n")
        os.chmod(self.pass_file, 0o600)
        self.vault = os.path.join(self.home, "data", "certerox-aws-setup", "credentials.vault")
        self.state = os.path.join(self.home, "state", "certerox-aws-setup")
        self.last = None

    def env(self, extra=None):
        e = {
            "XDG_DATA_HOME": os.path.join(self.home, "data"),
            "XDG_STATE_HOME": os.path.join(self.home, "state"),
            "HOME": self.home,
            "CX_KEY_WAIT_MS": "30000",
        }
        if extra:
            e.update(extra)
        return e

    def answers(self, doc, name="answers.json"):
        p = os.path.join(self.home, name)
        with open(p, "w") as f:
            json.dump(doc, f)
        return p

    def run(self, *args, env=None, input=None):
        r = self.sim.run(CX_BIN, *args, env=self.env(env), input=input)
        r.json = None
        try:
            r.json = json.loads(r.stdout) if r.stdout.strip() else None
        except ValueError:
            pass
        self.last = r
        return r

    def batch(self, doc, *extra, env=None):
        return self.run("--batch", "--answers", self.answers(doc), "--passphrase-file", self.pass_file,
                        "--vault-kdf", "interactive", *extra, env=env)

    def dry_run(self, doc, *extra, env=None):
        return self.run("--dry-run", "--answers", self.answers(doc), *extra, env=env)

    def files_text(self):
        """Every file the wizard wrote outside the vault (state dir), concatenated."""
        out = []
        for root, _, files in os.walk(self.home):
            for fn in files:
                p = os.path.join(root, fn)
                if p == self.vault or fn.startswith("credentials.vault"):
                    continue
                try:
                    with open(p, "rb") as f:
                        out.append(f.read().decode("utf-8", "replace"))
                except OSError:
                    pass
        return "\n".join(out)


def writes(requests):
    """Write operations in a request log slice (CerteroX: POST/PUT/PATCH/DELETE, but the
    cloud_account_verify dry run, which stores nothing; AWS: every operation but the reads,
    GetCallerIdentity and sts AssumeRole, which changes nothing)."""
    ro = ("Get", "List", "Describe", "Head")
    out = []
    for r in requests:
        op = r.get("operation") or ""
        if r.get("service") == "certerox":
            if (op.split(" ")[0] in ("POST", "PUT", "PATCH", "DELETE") and "/auth/" not in op
                    and not op.endswith("/cloud_account_verify")):
                out.append(op)
        elif not op.startswith(ro) and op not in ("GetCallerIdentity", "AssumeRole"):
            out.append(f"{r.get('service')} {op}")
    return out


def secret_of_vault(w):
    """The secret keys in the vault, decrypted by an independent reader (tests/integration)."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import vaultread  # noqa: E402
    doc = vaultread.decrypt(w.vault, PASSPHRASE)
    return doc
