#!/usr/bin/env python3
"""The vault file format, checked by an independent implementation.

A vault is written through the real library (tests/integration/vaulttool), then opened here by
a decryptor written from the documented format only (man page, FILES): libsodium through ctypes,
crypto_pwhash Argon2id v1.3 with the header's limits, XChaCha20-Poly1305 (IETF) with the 65
header bytes as additional data. The other way round, a vault encrypted here is listed by
`certerox-aws-setup --list`. Also: --list shows no secret (table and JSON), a wrong passphrase
leaves the file untouched, a missing vault is an empty list, no tty and no passphrase file is a
usage error, the file and directory modes, and a second opener waits for the lock.
"""
import ctypes
import ctypes.util
import json
import os
import struct
import subprocess
import sys
import tempfile
import time

PASSED = 0
FAILED = 0


def check(desc, cond, detail=""):
    global PASSED, FAILED
    if cond:
        PASSED += 1
        print("ok - " + desc)
    else:
        FAILED += 1
        print("not ok - " + desc + (": " + detail if detail else ""))


def skip(why):
    print("SKIP: " + why)
    sys.exit(77)


def load_sodium():
    names = [ctypes.util.find_library("sodium"), "libsodium.so.23", "libsodium.so"]
    for n in names:
        if not n:
            continue
        try:
            lib = ctypes.CDLL(n)
        except OSError:
            continue
        if lib.sodium_init() < 0:
            continue
        return lib
    skip("libsodium shared library not found for ctypes")


SODIUM = None
MAGIC = b"CXVAULT1"
HEADER = 65
ALG_ARGON2ID13 = 2


def derive(passphrase, salt, ops, mem):
    key = ctypes.create_string_buffer(32)
    SODIUM.crypto_pwhash.argtypes = [ctypes.c_char_p, ctypes.c_ulonglong, ctypes.c_char_p,
                                     ctypes.c_ulonglong, ctypes.c_char_p, ctypes.c_ulonglong,
                                     ctypes.c_size_t, ctypes.c_int]
    rc = SODIUM.crypto_pwhash(key, 32, passphrase, len(passphrase), salt, ops, mem,
                              ALG_ARGON2ID13)
    if rc != 0:
        raise RuntimeError("crypto_pwhash failed")
    return key.raw


def decrypt_vault(data, passphrase):
    """Independent decryptor: returns the JSON document, or raises ValueError."""
    if len(data) < HEADER + 16 or data[:8] != MAGIC:
        raise ValueError("not a vault")
    kdf = data[8]
    if kdf != 2:
        raise ValueError("kdf id %d" % kdf)
    ops, mem = struct.unpack("<QQ", data[9:25])
    salt, nonce = data[25:41], data[41:65]
    key = derive(passphrase, salt, ops, mem)
    c = data[HEADER:]
    m = ctypes.create_string_buffer(len(c))
    mlen = ctypes.c_ulonglong(0)
    f = SODIUM.crypto_aead_xchacha20poly1305_ietf_decrypt
    f.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_ulonglong), ctypes.c_void_p,
                  ctypes.c_char_p, ctypes.c_ulonglong, ctypes.c_char_p, ctypes.c_ulonglong,
                  ctypes.c_char_p, ctypes.c_char_p]
    if f(m, ctypes.byref(mlen), None, c, len(c), data[:HEADER], HEADER, nonce, key) != 0:
        raise ValueError("authentication failed")
    return json.loads(m.raw[:mlen.value].decode("utf-8")), ops, mem, salt, nonce


def encrypt_vault(doc, passphrase, ops, mem):
    salt = os.urandom(16)
    nonce = os.urandom(24)
    header = MAGIC + bytes([2]) + struct.pack("<QQ", ops, mem) + salt + nonce
    key = derive(passphrase, salt, ops, mem)
    m = json.dumps(doc).encode("utf-8")
    c = ctypes.create_string_buffer(len(m) + 16)
    clen = ctypes.c_ulonglong(0)
    f = SODIUM.crypto_aead_xchacha20poly1305_ietf_encrypt
    f.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_ulonglong), ctypes.c_char_p,
                  ctypes.c_ulonglong, ctypes.c_char_p, ctypes.c_ulonglong, ctypes.c_void_p,
                  ctypes.c_char_p, ctypes.c_char_p]
    if f(c, ctypes.byref(clen), m, len(m), header, len(header), None, nonce, key) != 0:
        raise RuntimeError("encrypt failed")
    return header + c.raw[:clen.value]


def run(args, stdin=None, new_session=False):
    p = subprocess.run(args, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       start_new_session=new_session, stdin=None if stdin is not None else
                       subprocess.DEVNULL)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def run_on_pty(args, typed):
    """Runs args with a new pseudo-terminal as its controlling tty (stdout piped), types
    `typed` once the prompt shows, returns (rc, what the terminal showed, stdout)."""
    import fcntl
    import pty
    import select
    import termios
    master, slave = pty.openpty()
    slave_name = os.ttyname(slave)

    def child_setup():
        os.setsid()
        fd = os.open(slave_name, os.O_RDWR)
        fcntl.ioctl(fd, termios.TIOCSCTTY, 0)
        os.close(fd)

    p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, preexec_fn=child_setup)
    # the parent keeps the slave open: with no opener left, reading the master fails (EIO)
    screen = b""
    typed_yet = False
    deadline = time.monotonic() + 90  # a loaded CI machine (ASan, parallel sims) is slow
    while time.monotonic() < deadline:
        r, _, _ = select.select([master], [], [], 0.2)
        if r:
            try:
                screen += os.read(master, 1024)
            except OSError:
                time.sleep(0.05)
        if not typed_yet and b":" in screen:
            time.sleep(0.2)  # let the program turn echo off after the prompt
            os.write(master, typed)
            typed_yet = True
        if p.poll() is not None:
            break
    if p.poll() is None:
        p.kill()
    out, err = p.communicate(timeout=90)
    os.close(slave)
    os.close(master)
    return p.returncode, screen, out.decode("utf-8", "replace") + err.decode("utf-8", "replace")


def main():
    global SODIUM
    cx_bin = os.environ.get("CX_BIN")
    builddir = os.environ.get("top_builddir")
    if not cx_bin or not builddir:
        skip("CX_BIN and top_builddir must be set (run through make check)")
    tool = os.path.join(builddir, "tests", "integration", "vaulttool")
    if not os.access(tool, os.X_OK):
        skip("tests/integration/vaulttool is not built")
    SODIUM = load_sodium()

    tmp = tempfile.mkdtemp(prefix="cxvault.")
    passphrase = b"correct horse battery staple 7"
    passfile = os.path.join(tmp, "pass")
    with open(passfile, "wb") as f:
        f.write(passphrase + b"\n")
    os.chmod(passfile, 0o600)
    vdir = os.path.join(tmp, "data", "certerox-aws-setup")
    vault = os.path.join(vdir, "credentials.vault")
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"
    record = {
        "name": "Production billing",
        "certerox_url": "https://certerox.example",
        "organization_id": "org-1",
        "aws_account_id": "123456789012",
        "connection": "root",
        "export": {"type": "cur2", "name": "certerox-cur2", "bucket": "billing-bucket",
                   "prefix": "cur2", "region": "us-east-1",
                   "arn": "arn:aws:bcm-data-exports:us-east-1:123456789012:export/certerox-cur2"},
        "iam_user": "certerox-billing",
        "access_key_id": "AKIAIOSFODNN7EXAMPLE",
        "secret_access_key": secret,
        "history": [{"event": "key-created", "detail": "CreateAccessKey"}],
    }

    # 1. the library writes a pending key; the independent decryptor reads it
    old_umask = os.umask(0)
    rc, out, err = run([tool, "--kdf", "interactive", "put", vault, passfile],
                       stdin=json.dumps(record).encode())
    os.umask(old_umask)
    check("vaulttool put creates the vault", rc == 0, err)
    check("vault file mode 0600 (umask 0)", os.stat(vault).st_mode & 0o777 == 0o600,
          oct(os.stat(vault).st_mode))
    check("vault directory mode 0700 (umask 0)", os.stat(vdir).st_mode & 0o777 == 0o700,
          oct(os.stat(vdir).st_mode))
    data = open(vault, "rb").read()
    check("file starts with CXVAULT1 and KDF id 2", data[:9] == MAGIC + b"\x02")
    doc, ops, mem, salt1, nonce1 = decrypt_vault(data, passphrase)
    check("header carries the interactive limits", (ops, mem) == (2, 64 * 1024 * 1024),
          "%d %d" % (ops, mem))
    check("document version 1", doc.get("version") == 1, json.dumps(doc))
    pend = doc.get("pending", [])
    check("the key is pending (no data source id yet)", len(pend) == 1 and
          pend[0].get("data_source_id") == "" and doc.get("data_sources") == [], json.dumps(doc))
    p0 = pend[0] if pend else {}
    for k in ("name", "certerox_url", "organization_id", "aws_account_id", "connection",
              "export", "iam_user", "access_key_id", "secret_access_key"):
        check("pending record keeps " + k, p0.get(k) == record[k], repr(p0.get(k)))
    check("created_at/updated_at are ISO 8601 UTC",
          all(len(p0.get(k, "")) == 20 and p0[k].endswith("Z") and p0[k][10] == "T"
              for k in ("created_at", "updated_at")), repr(p0))
    check("history kept", [h.get("event") for h in p0.get("history", [])] == ["key-created"])
    check("the secret is not in the file in clear", secret.encode() not in data)
    try:
        decrypt_vault(data, b"not the passphrase")
        check("independent decryptor rejects a wrong passphrase", False)
    except ValueError:
        check("independent decryptor rejects a wrong passphrase", True)

    # 2. submitting the data source moves the record from pending to data_sources
    sub = {"aws_account_id": "123456789012", "iam_user": "certerox-billing",
           "data_source_id": "ds-42", "history": [{"event": "submitted", "detail": "POST"}]}
    rc, out, err = run([tool, "put", vault, passfile], stdin=json.dumps(sub).encode())
    check("vaulttool put (submit) succeeds", rc == 0, err)
    data2 = open(vault, "rb").read()
    doc2, _, _, salt2, nonce2 = decrypt_vault(data2, passphrase)
    check("new salt on save", salt1 != salt2)
    check("new nonce on save", nonce1 != nonce2)
    ds = doc2.get("data_sources", [])
    check("record became data source ds-42", len(ds) == 1 and ds[0]["data_source_id"] ==
          "ds-42" and doc2.get("pending") == [], json.dumps(doc2))
    check("submitted record keeps the secret",
          bool(ds) and ds[0].get("secret_access_key") == secret)
    check("history appended", bool(ds) and [h["event"] for h in ds[0]["history"]] ==
          ["key-created", "submitted"])
    leftovers = [n for n in os.listdir(vdir) if n not in ("credentials.vault",
                                                           "credentials.vault.lock")]
    check("no temporary file left", leftovers == [], repr(leftovers))

    # 3. --list shows the data source without the secret
    rc, out, err = run([cx_bin, "--list", "--vault", vault, "--passphrase-file", passfile])
    check("--list (table) exits 0", rc == 0, err)
    check("--list table shows the name, id, account and key id",
          all(s in out for s in ("Production billing", "ds-42", "123456789012",
                                 "AKIAIOSFODNN7EXAMPLE", "certerox-billing")), out)
    check("--list table: secret nowhere", secret not in out + err)
    logfile = os.path.join(tmp, "list.log")
    rc, out, err = run([cx_bin, "--list", "--format", "json", "--vault", vault,
                        "--passphrase-file", passfile, "--log", logfile])
    check("--list --format json exits 0", rc == 0, err)
    logtext = open(logfile).read() if os.path.exists(logfile) else ""
    check("--log file written", "opened" in logtext or "started" in logtext, logtext)
    check("--log file: no secret, no passphrase",
          secret not in logtext and passphrase.decode() not in logtext, logtext)
    try:
        lst = json.loads(out)
    except ValueError:
        lst = None
    check("--list json is an array of one data source", isinstance(lst, list) and
          len(lst) == 1 and lst[0].get("data_source_id") == "ds-42", out)
    check("--list json has the access key id but no secret field",
          bool(lst) and lst[0].get("access_key_id") == "AKIAIOSFODNN7EXAMPLE" and
          "secret_access_key" not in lst[0], out)
    check("--list json: secret nowhere", secret not in out + err)
    check("--list json: passphrase nowhere", passphrase.decode() not in out + err)

    # 4. a vault written by the independent encryptor is read by the binary
    py_vault = os.path.join(tmp, "py.vault")
    py_secret = "pYtH0nWrItTeNsEcReTkEyAbCdEfGhIjKlMnOpQr"
    py_doc = {"version": 1, "data_sources": [dict(record, name="Written by Python",
                                                  data_source_id="ds-py",
                                                  secret_access_key=py_secret,
                                                  created_at="2024-01-02T03:04:05Z",
                                                  updated_at="2024-01-02T03:04:05Z")],
              "pending": []}
    with open(py_vault, "wb") as f:
        f.write(encrypt_vault(py_doc, passphrase, 1, 8192 * 1024))
    rc, out, err = run([cx_bin, "--list", "--format", "json", "--vault", py_vault,
                        "--passphrase-file", passfile])
    check("binary lists a vault encrypted by the independent implementation", rc == 0 and
          json.loads(out or "[]")[0:1] and json.loads(out)[0]["name"] == "Written by Python",
          out + err)
    check("... without its secret", py_secret not in out + err)

    # 5. wrong passphrase: one clear error, exit 65, file untouched
    wrongfile = os.path.join(tmp, "wrong")
    with open(wrongfile, "wb") as f:
        f.write(b"not the passphrase\n")
    os.chmod(wrongfile, 0o600)
    before = open(vault, "rb").read()
    rc, out, err = run([cx_bin, "--list", "--vault", vault, "--passphrase-file", wrongfile])
    check("wrong passphrase exits 65", rc == 65, "rc=%d %s" % (rc, err))
    check("wrong passphrase message", "cannot open vault %s: wrong passphrase or the file is "
          "damaged" % vault in err, err)
    check("wrong passphrase leaves the file unchanged", open(vault, "rb").read() == before)

    # 6. tampered file: same error, file untouched
    tampered = os.path.join(tmp, "tampered.vault")
    t = bytearray(before)
    t[-5] ^= 1
    open(tampered, "wb").write(bytes(t))
    rc, out, err = run([cx_bin, "--list", "--vault", tampered, "--passphrase-file", passfile])
    check("tampered vault exits 65 with the same message", rc == 65 and
          "wrong passphrase or the file is damaged" in err, err)
    check("tampered vault left as it was", open(tampered, "rb").read() == bytes(t))
    notvault = os.path.join(tmp, "notvault")
    open(notvault, "wb").write(b"hello world, this is not a vault at all" * 3)
    rc, out, err = run([cx_bin, "--list", "--vault", notvault, "--passphrase-file", passfile])
    check("a file that is not a vault: exit 65, says so", rc == 65 and
          "is not a certerox-aws-setup vault" in err, err)

    # 7. missing vault: empty list, exit 0
    missing = os.path.join(tmp, "nothing", "here.vault")
    rc, out, err = run([cx_bin, "--list", "--format", "json", "--vault", missing])
    check("missing vault: exit 0 and []", rc == 0 and json.loads(out) == [], out + err)
    check("missing vault: message", "no vault at %s: nothing saved yet" % missing in err, err)
    check("missing vault is not created", not os.path.exists(os.path.dirname(missing)))

    # 8. no terminal and no passphrase file: usage error
    rc, out, err = run([cx_bin, "--list", "--vault", vault], new_session=True)
    check("no tty and no --passphrase-file exits 64", rc == 64, "rc=%d %s" % (rc, err))
    check("... with a message naming --passphrase-file", "--passphrase-file" in err, err)

    # 8b. the passphrase asked on the terminal, echo off
    rc, screen, out = run_on_pty([cx_bin, "--list", "--format", "json", "--vault", vault],
                                 passphrase + b"\n")
    check("--list asks on the terminal and lists", rc == 0 and "ds-42" in out,
          "rc=%s %r %r" % (rc, screen, out))
    check("the prompt is shown", b"passphrase" in screen, repr(screen))
    check("the passphrase is not echoed", passphrase not in screen, repr(screen))

    # 9. a second opener waits for the lock
    holder = subprocess.Popen([tool, "hold", vault, passfile, "2"], stdout=subprocess.PIPE)
    line = holder.stdout.readline()
    check("vaulttool holds the lock", line.strip() == b"locked")
    lock_text = open(vault + ".lock").read().strip()
    check("lock file names the holder's pid", lock_text == str(holder.pid), lock_text)
    t0 = time.monotonic()
    rc, out, err = run([cx_bin, "--list", "--vault", vault, "--passphrase-file", passfile])
    waited = time.monotonic() - t0
    holder.wait()
    check("--list waits for the holder and then succeeds", rc == 0 and waited >= 1.0,
          "rc=%d waited %.2f s %s" % (rc, waited, err))
    check("lock file is 0600", os.stat(vault + ".lock").st_mode & 0o777 == 0o600)

    print("# %d passed, %d failed" % (PASSED, FAILED))
    subprocess.run(["rm", "-rf", tmp])
    return 0 if FAILED == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
