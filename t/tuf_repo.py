#!/usr/bin/env python3
"""t/tuf_repo.py: a TUF repository (specification 1.0) made for the tests, step by step, in a
directory, with Python's standard library and the openssl command (keys and signatures).

    REPO/www/       what is served over HTTP: N.root.json (every version), timestamp.json,
                    V.snapshot.json, V.targets.json (consistent_snapshot true) and
                    targets/<hex>.trusted_root.json (once per hash named in targets: sha256, sha512)
    REPO/private/   outside the served tree: the keys (PEM, unencrypted: tests only), state.json
                    (what the next step builds on), every issued file (history/), serve.json (what
                    the server does wrong)

Keys: ECDSA P-256 (keytype "ecdsa", scheme "ecdsa-sha2-nistp256", PEM SPKI in keyval.public,
signature DER in hex) and Ed25519 (keytype and scheme "ed25519", keyval.public the raw 32-byte
key in hex, signature the 64 raw bytes in hex). The bytes signed are the canonical JSON of
"signed" (OLPC / securesystemslib): keys sorted by their UTF-8 bytes, no whitespace, strings
escaping only `"` and `\\`, integers only. The served files are indented JSON (as the Sigstore
repositories serve theirs), so a client must canonicalize what it parsed to verify.

Subcommands (REPO first; times: +7d, -1h, +30m, -10s or 2030-01-01T00:00:00Z):
  init REPO --target FILE [--expires ROLE=TIME]... [--no-meta-hashes]
        root v1 (root keys root1 ecdsa, root2 ed25519, root3 ecdsa, threshold 2; targets1
        ed25519, snapshot1 ecdsa, timestamp1 ed25519, threshold 1 each), then targets, snapshot
        and timestamp v1 naming FILE as trusted_root.json. Default expiries: root +365d,
        targets +180d, snapshot +30d, timestamp +7d (all different: the earliest is the
        timestamp's unless one is set)
  publish REPO [--target FILE] [--roles targets,snapshot,timestamp] [--expires ROLE=TIME]...
        [--sign ROLE=KEY,...]... [--targets-version N] [--pad ROLE=BYTES] [--quirk ROLE=KIND]
        issue the next version of each role named (default all three, in that order); the
        snapshot names the current targets (or version N of the history, with its hashes: a
        targets rollback); the timestamp names the current snapshot. --sign: sign with these
        keys instead of the root's keys for the role. --pad: an extra field of BYTES x's in
        "signed" (signed like the rest: a file over a client's size bound). --quirk ROLE=float:
        a member 1.5 in "signed", signed as written (canonical JSON has no floats);
        --quirk ROLE=duplicate: the served file names "_type" twice (same value)
  rotate-root REPO [--root-keys KEY[:TYPE],...] [--root-threshold N] [--targets-keys ...]
        [--snapshot-keys ...] [--timestamp-keys ...] [--ROLE-threshold N] [--sign KEY,...]
        [--expires TIME]
        the next root version: role keys replaced where given (new keys made, TYPE ecdsa or
        ed25519, default ecdsa), signed by --sign (default every key of the previous root's
        root role and of the new one)
  drop-root REPO        remove the last root version (served file and state): undo a bad rotation
  corrupt-target REPO --hash|--length
        serve other bytes for the target, targets metadata unchanged: one byte changed (same
        length), or one byte more
  rollback REPO --timestamp V           serve the timestamp issued as version V
  mix-and-match REPO
        a new timestamp naming snapshot version S+1 (version only, no length or hashes), and
        S+1.snapshot.json holding the current snapshot (version S)
  heal REPO             serve the current timestamp and target again; clear serve.json
  control REPO [--status PATH=CODE]... [--stall PATH=MODE]... [--clear]
        what the server does for PATH (relative to www, e.g. timestamp.json or *.root.json):
        answer CODE with an empty body; or stall: silent (accept, read the request, send
        nothing), headers (status line, headers and 10 bytes, then nothing), drip (headers
        announcing 15000 bytes, then one byte every 0.5 s), slow:SECONDS (the whole file, spread
        evenly over SECONDS)
  serve REPO --port PORT [--bind ADDR] [--tls-cert PEM --tls-key PEM] [--log FILE]
        serve www (HTTP/1.0, Content-Length, no redirects), obeying serve.json at each request
  info REPO             JSON: versions, expires (per role and the earliest), the target's
                        sha256/length, the pinned root path
"""
import argparse
import datetime
import fnmatch
import hashlib
import http.server
import json
import os
import re
import shutil
import socketserver
import ssl
import subprocess
import sys
import tempfile
import time

ROLES = ("root", "targets", "snapshot", "timestamp")
TARGET = "trusted_root.json"
SPEC_VERSION = "1.0.31"
QUIRKS = {}  # role -> "float" or "duplicate" (publish --quirk)
DEFAULT_EXPIRES = {"root": "+365d", "targets": "+180d", "snapshot": "+30d", "timestamp": "+7d"}


# --- canonical JSON ---

def canonical(value, floats=False):
    """TUF canonical JSON bytes of value (floats=True: floats as Python writes them, which is
    not canonical JSON: what a careless signer would sign)."""
    out = []

    def enc(v):
        if v is True:
            out.append(b"true")
        elif v is False:
            out.append(b"false")
        elif v is None:
            out.append(b"null")
        elif isinstance(v, int):
            out.append(str(v).encode())
        elif isinstance(v, float) and floats:
            out.append(repr(v).encode())
        elif isinstance(v, str):
            out.append(b'"' + v.replace("\\", "\\\\").replace('"', '\\"').encode("utf-8") + b'"')
        elif isinstance(v, (list, tuple)):
            out.append(b"[")
            for i, e in enumerate(v):
                if i:
                    out.append(b",")
                enc(e)
            out.append(b"]")
        elif isinstance(v, dict):
            out.append(b"{")
            for i, k in enumerate(sorted(v, key=lambda s: s.encode("utf-8"))):
                if not isinstance(k, str):
                    raise TypeError("canonical JSON: a key that is not a string")
                if i:
                    out.append(b",")
                enc(k)
                out.append(b":")
                enc(v[k])
            out.append(b"}")
        else:
            raise TypeError("canonical JSON cannot encode %r (floats are not allowed)" % (v,))

    enc(value)
    return b"".join(out)


# --- keys ---

def run(args, data=None):
    p = subprocess.run(args, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        sys.exit("tuf_repo.py: %s failed: %s" % (" ".join(args), p.stderr.decode(errors="replace")))
    return p.stdout


def make_key(repo, name, ktype):
    path = os.path.join(repo, "private", "keys", name + ".pem")
    if ktype == "ecdsa":
        run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", path])
        public = run(["openssl", "pkey", "-in", path, "-pubout"]).decode()
        meta = {"keytype": "ecdsa", "scheme": "ecdsa-sha2-nistp256", "keyval": {"public": public}}
    elif ktype == "ed25519":
        run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", path])
        der = run(["openssl", "pkey", "-in", path, "-pubout", "-outform", "DER"])
        meta = {"keytype": "ed25519", "scheme": "ed25519", "keyval": {"public": der[-32:].hex()}}
    else:
        sys.exit("tuf_repo.py: key type %s: ecdsa or ed25519" % ktype)
    return {"type": ktype, "keyid": hashlib.sha256(canonical(meta)).hexdigest(), "meta": meta}


def sign(repo, key_name, key, data):
    path = os.path.join(repo, "private", "keys", key_name + ".pem")
    with tempfile.NamedTemporaryFile(dir=os.path.join(repo, "private")) as f:
        f.write(data)
        f.flush()
        if key["type"] == "ecdsa":
            sig = run(["openssl", "dgst", "-sha256", "-sign", path, f.name])
        else:
            sig = run(["openssl", "pkeyutl", "-sign", "-inkey", path, "-rawin", "-in", f.name])
    return {"keyid": key["keyid"], "sig": sig.hex()}


# --- state ---

def load(repo):
    with open(os.path.join(repo, "private", "state.json")) as f:
        return json.load(f)


def save(repo, st):
    p = os.path.join(repo, "private", "state.json")
    with open(p + ".tmp", "w") as f:
        json.dump(st, f, indent=1, sort_keys=True)
    os.replace(p + ".tmp", p)


def when(spec, now=None):
    now = now or datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    m = re.fullmatch(r"([+-])(\d+)([dhms])", spec)
    if m:
        n = int(m.group(2)) * {"d": 86400, "h": 3600, "m": 60, "s": 1}[m.group(3)]
        t = now + datetime.timedelta(seconds=n if m.group(1) == "+" else -n)
        return t.strftime("%Y-%m-%dT%H:%M:%SZ")
    if re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", spec):
        return spec
    sys.exit("tuf_repo.py: a time is +Nd, -Nh, +Nm, -Ns or YYYY-MM-DDTHH:MM:SSZ, not %s" % spec)


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".tmp", "wb") as f:
        f.write(data)
    os.replace(path + ".tmp", path)


def served_bytes(doc):
    """The file as served: indented JSON (not canonical), ASCII, a final newline."""
    return (json.dumps(doc, indent=1) + "\n").encode()


def envelope(repo, st, signed, signers, quirk=None):
    if quirk == "float":
        signed["x-dreichor-float"] = 1.5
    data = canonical(signed, floats=True)
    sigs = [sign(repo, n, st["keys"][n], data) for n in signers]
    served = served_bytes({"signatures": sigs, "signed": signed})
    if quirk == "duplicate":
        # "_type" twice, the same value both times: a parser keeping the last (or the first)
        # sees the signed document; a strict one refuses.
        first = b'"_type": "%s"' % signed["_type"].encode()
        served = served.replace(first, first + b",\n  " + first, 1)
    return served


def file_meta(data, version, with_hashes):
    m = {"version": version}
    if with_hashes:
        m["length"] = len(data)
        m["hashes"] = {"sha256": hashlib.sha256(data).hexdigest()}
    return m


def history(repo, role, version):
    return os.path.join(repo, "private", "history", "%s.%d.json" % (role, version))


def root_signed(st, rootst):
    keys = {}
    roles = {}
    for role in ROLES:
        r = rootst["roles"][role]
        roles[role] = {"keyids": [st["keys"][n]["keyid"] for n in r["keys"]], "threshold": r["threshold"]}
        for n in r["keys"]:
            keys[st["keys"][n]["keyid"]] = st["keys"][n]["meta"]
    return {"_type": "root", "spec_version": SPEC_VERSION, "version": rootst["version"],
            "expires": rootst["expires"], "consistent_snapshot": True, "keys": keys, "roles": roles}


def current_root(st):
    return st["roots"][-1]


def role_signers(st, role, override):
    if override.get(role) is not None:
        return override[role]
    return current_root(st)["roles"][role]["keys"]


def write_target(repo, content):
    """Serve content under every hash named in targets (sha256 and sha512)."""
    tdir = os.path.join(repo, "www", "targets")
    os.makedirs(tdir, exist_ok=True)
    for alg in ("sha256", "sha512"):
        write(os.path.join(tdir, "%s.%s" % (hashlib.new(alg, content).hexdigest(), TARGET)), content)


def issue_targets(repo, st, expires, signers, pad):
    st["targets"]["version"] += 1
    st["targets"]["expires"] = expires
    with open(os.path.join(repo, "private", "target.current"), "rb") as f:
        content = f.read()
    signed = {"_type": "targets", "spec_version": SPEC_VERSION, "version": st["targets"]["version"],
              "expires": expires,
              "targets": {TARGET: {"length": len(content),
                                   "hashes": {"sha256": hashlib.sha256(content).hexdigest(),
                                              "sha512": hashlib.sha512(content).hexdigest()},
                                   "custom": {"sigstore": {"status": "Active", "usage": "TrustedRoot"}}}}}
    if pad:
        signed["x-dreichor-pad"] = "x" * pad
    data = envelope(repo, st, signed, signers, QUIRKS.get("targets"))
    write(history(repo, "targets", st["targets"]["version"]), data)
    write(os.path.join(repo, "www", "%d.targets.json" % st["targets"]["version"]), data)
    write_target(repo, content)


def issue_snapshot(repo, st, expires, signers, pad, targets_version=None):
    st["snapshot"]["version"] += 1
    st["snapshot"]["expires"] = expires
    tv = targets_version or st["targets"]["version"]
    with open(history(repo, "targets", tv), "rb") as f:
        tdata = f.read()
    signed = {"_type": "snapshot", "spec_version": SPEC_VERSION, "version": st["snapshot"]["version"],
              "expires": expires, "meta": {"targets.json": file_meta(tdata, tv, st["meta_hashes"])}}
    if pad:
        signed["x-dreichor-pad"] = "x" * pad
    data = envelope(repo, st, signed, signers, QUIRKS.get("snapshot"))
    write(history(repo, "snapshot", st["snapshot"]["version"]), data)
    write(os.path.join(repo, "www", "%d.snapshot.json" % st["snapshot"]["version"]), data)


def issue_timestamp(repo, st, expires, signers, pad, snapshot_meta=None):
    st["timestamp"]["version"] += 1
    st["timestamp"]["expires"] = expires
    if snapshot_meta is None:
        with open(history(repo, "snapshot", st["snapshot"]["version"]), "rb") as f:
            snapshot_meta = file_meta(f.read(), st["snapshot"]["version"], st["meta_hashes"])
    signed = {"_type": "timestamp", "spec_version": SPEC_VERSION, "version": st["timestamp"]["version"],
              "expires": expires, "meta": {"snapshot.json": snapshot_meta}}
    if pad:
        signed["x-dreichor-pad"] = "x" * pad
    data = envelope(repo, st, signed, signers, QUIRKS.get("timestamp"))
    write(history(repo, "timestamp", st["timestamp"]["version"]), data)
    write(os.path.join(repo, "www", "timestamp.json"), data)


def issue_root(repo, st, rootst, signers):
    data = envelope(repo, st, root_signed(st, rootst), signers)
    write(history(repo, "root", rootst["version"]), data)
    write(os.path.join(repo, "www", "%d.root.json" % rootst["version"]), data)


def kv_list(items, what):
    out = {}
    for it in items or []:
        if "=" not in it:
            sys.exit("tuf_repo.py: %s wants NAME=VALUE, not %s" % (what, it))
        k, v = it.split("=", 1)
        out[k] = v
    return out


def role_expiries(args_expires):
    e = kv_list(args_expires, "--expires")
    for r in e:
        if r not in ROLES:
            sys.exit("tuf_repo.py: no role %s" % r)
    return e


def key_list(repo, st, spec):
    names = []
    for item in spec.split(","):
        name, _, ktype = item.partition(":")
        if name not in st["keys"]:
            st["keys"][name] = make_key(repo, name, ktype or "ecdsa")
        names.append(name)
    return names


# --- subcommands ---

def cmd_init(a):
    repo = a.repo
    if os.path.exists(os.path.join(repo, "private", "state.json")):
        sys.exit("tuf_repo.py: %s already holds a repository" % repo)
    for d in ("www/targets", "private/keys", "private/history"):
        os.makedirs(os.path.join(repo, d), exist_ok=True)
    os.chmod(os.path.join(repo, "private"), 0o700)
    st = {"keys": {}, "roots": [], "meta_hashes": not a.no_meta_hashes,
          "targets": {"version": 0}, "snapshot": {"version": 0}, "timestamp": {"version": 0}}
    exp = {r: when(DEFAULT_EXPIRES[r]) for r in ROLES}
    exp.update({r: when(v) for r, v in role_expiries(a.expires).items()})
    rootst = {"version": 1, "expires": exp["root"], "roles": {
        "root": {"keys": key_list(repo, st, "root1:ecdsa,root2:ed25519,root3:ecdsa"), "threshold": 2},
        "targets": {"keys": key_list(repo, st, "targets1:ed25519"), "threshold": 1},
        "snapshot": {"keys": key_list(repo, st, "snapshot1:ecdsa"), "threshold": 1},
        "timestamp": {"keys": key_list(repo, st, "timestamp1:ed25519"), "threshold": 1}}}
    st["roots"].append(rootst)
    issue_root(repo, st, rootst, rootst["roles"]["root"]["keys"])
    shutil.copyfile(a.target, os.path.join(repo, "private", "target.current"))
    issue_targets(repo, st, exp["targets"], role_signers(st, "targets", {}), 0)
    issue_snapshot(repo, st, exp["snapshot"], role_signers(st, "snapshot", {}), 0)
    issue_timestamp(repo, st, exp["timestamp"], role_signers(st, "timestamp", {}), 0)
    save(repo, st)


def cmd_publish(a):
    repo = a.repo
    st = load(repo)
    roles = a.roles.split(",")
    for r in roles:
        if r not in ("targets", "snapshot", "timestamp"):
            sys.exit("tuf_repo.py: publish issues targets, snapshot or timestamp, not %s" % r)
    exp = role_expiries(a.expires)
    signers = {r: v.split(",") for r, v in kv_list(a.sign, "--sign").items()}
    pads = {r: int(v) for r, v in kv_list(a.pad, "--pad").items()}
    QUIRKS.update(kv_list(a.quirk, "--quirk"))
    for q in QUIRKS.values():
        if q not in ("float", "duplicate"):
            sys.exit("tuf_repo.py: --quirk ROLE=float or ROLE=duplicate, not %s" % q)
    if a.target:
        shutil.copyfile(a.target, os.path.join(repo, "private", "target.current"))
        if "targets" not in roles:
            sys.exit("tuf_repo.py: --target needs a new targets version")
    for r in ("targets", "snapshot", "timestamp"):
        if r not in roles:
            continue
        e = when(exp.get(r, DEFAULT_EXPIRES[r]))
        if r == "targets":
            issue_targets(repo, st, e, role_signers(st, r, signers), pads.get(r, 0))
        elif r == "snapshot":
            issue_snapshot(repo, st, e, role_signers(st, r, signers), pads.get(r, 0), a.targets_version)
        else:
            issue_timestamp(repo, st, e, role_signers(st, r, signers), pads.get(r, 0))
    save(repo, st)


def cmd_rotate_root(a):
    repo = a.repo
    st = load(repo)
    old = current_root(st)
    new = json.loads(json.dumps(old))
    new["version"] = old["version"] + 1
    new["expires"] = when(a.expires or DEFAULT_EXPIRES["root"])
    for role in ROLES:
        keys = getattr(a, role + "_keys")
        if keys:
            new["roles"][role]["keys"] = key_list(repo, st, keys)
        th = getattr(a, role + "_threshold")
        if th is not None:
            new["roles"][role]["threshold"] = th
    if a.sign:
        signers = key_list(repo, st, a.sign)
    else:
        signers = list(dict.fromkeys(old["roles"]["root"]["keys"] + new["roles"]["root"]["keys"]))
    st["roots"].append(new)
    issue_root(repo, st, new, signers)
    save(repo, st)


def cmd_drop_root(a):
    st = load(a.repo)
    if len(st["roots"]) < 2:
        sys.exit("tuf_repo.py: root v1 stays")
    gone = st["roots"].pop()
    os.unlink(os.path.join(a.repo, "www", "%d.root.json" % gone["version"]))
    os.unlink(history(a.repo, "root", gone["version"]))
    save(a.repo, st)


def cmd_corrupt_target(a):
    with open(os.path.join(a.repo, "private", "target.current"), "rb") as f:
        content = bytearray(f.read())
    good = bytes(content)
    if a.length:
        content += b"\n"
    else:
        # one byte changed inside the document, so that it still parses: the first hex digit or
        # letter of a base64 string after "rawBytes"
        i = content.find(b'"rawBytes"')
        i = content.find(b'"', i + len(b'"rawBytes"') + 1) + 5
        content[i] = ord("A") if content[i] != ord("A") else ord("B")
    tdir = os.path.join(a.repo, "www", "targets")
    for alg in ("sha256", "sha512"):
        write(os.path.join(tdir, "%s.%s" % (hashlib.new(alg, good).hexdigest(), TARGET)), bytes(content))


def cmd_rollback(a):
    shutil.copyfile(history(a.repo, "timestamp", a.timestamp), os.path.join(a.repo, "www", "timestamp.json"))


def cmd_mix_and_match(a):
    repo = a.repo
    st = load(repo)
    s = st["snapshot"]["version"]
    shutil.copyfile(history(repo, "snapshot", s), os.path.join(repo, "www", "%d.snapshot.json" % (s + 1)))
    issue_timestamp(repo, st, when(DEFAULT_EXPIRES["timestamp"]), role_signers(st, "timestamp", {}), 0,
                    {"version": s + 1})
    save(repo, st)


def cmd_heal(a):
    st = load(a.repo)
    shutil.copyfile(history(a.repo, "timestamp", st["timestamp"]["version"]),
                    os.path.join(a.repo, "www", "timestamp.json"))
    with open(os.path.join(a.repo, "private", "target.current"), "rb") as f:
        write_target(a.repo, f.read())
    write(os.path.join(a.repo, "private", "serve.json"), b"{}")


def cmd_control(a):
    p = os.path.join(a.repo, "private", "serve.json")
    try:
        with open(p) as f:
            c = json.load(f)
    except FileNotFoundError:
        c = {}
    if a.clear:
        c = {}
    c.setdefault("status", {}).update({k: int(v) for k, v in kv_list(a.status, "--status").items()})
    c.setdefault("stall", {}).update(kv_list(a.stall, "--stall"))
    write(p, json.dumps(c).encode())


def cmd_info(a):
    st = load(a.repo)
    root = current_root(st)
    with open(os.path.join(a.repo, "private", "target.current"), "rb") as f:
        content = f.read()
    exp = {"root": root["expires"], "targets": st["targets"]["expires"],
           "snapshot": st["snapshot"]["expires"], "timestamp": st["timestamp"]["expires"]}
    print(json.dumps({"root_version": root["version"], "timestamp_version": st["timestamp"]["version"],
                      "snapshot_version": st["snapshot"]["version"], "targets_version": st["targets"]["version"],
                      "expires": exp, "earliest": min(exp.values()),
                      "sha256": hashlib.sha256(content).hexdigest(), "length": len(content),
                      "pinned_root": os.path.join(os.path.abspath(a.repo), "www", "1.root.json"),
                      "keys": {n: k["keyid"] for n, k in st["keys"].items()}}, sort_keys=True))


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    server_version = "tuf_repo"
    sys_version = ""

    def log_message(self, fmt, *args):
        if self.server.logfile:
            with open(self.server.logfile, "a") as f:
                f.write("%.3f %s\n" % (time.time(), fmt % args))

    def control(self):
        try:
            with open(os.path.join(self.server.repo, "private", "serve.json")) as f:
                return json.load(f)
        except (FileNotFoundError, ValueError):
            return {}

    def do_GET(self):
        rel = self.path.split("?", 1)[0].lstrip("/")
        c = self.control()
        for pat, code in c.get("status", {}).items():
            if fnmatch.fnmatch(rel, pat):
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
        path = os.path.normpath(os.path.join(self.server.www, rel))
        if not path.startswith(self.server.www + os.sep) or not os.path.isfile(path):
            self.send_response(404)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", "10")
            self.end_headers()
            self.wfile.write(b"not found\n")
            return
        with open(path, "rb") as f:
            data = f.read()
        mode = None
        for pat, m in c.get("stall", {}).items():
            if fnmatch.fnmatch(rel, pat):
                mode = m
        if mode == "silent":
            time.sleep(600)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json" if rel.endswith(".json") else "application/octet-stream")
        self.send_header("Content-Length", str(15000 if mode == "drip" else len(data)))
        self.end_headers()
        self.wfile.flush()
        if mode == "headers":
            self.wfile.write(data[:10])
            self.wfile.flush()
            time.sleep(600)
        elif mode == "drip":
            for b in (data * 20)[:15000]:
                self.wfile.write(bytes([b]))
                self.wfile.flush()
                time.sleep(0.5)
        elif mode and mode.startswith("slow:"):
            seconds = float(mode[5:])
            step = max(1, len(data) // max(1, int(seconds * 4)))
            for i in range(0, len(data), step):
                self.wfile.write(data[i:i + step])
                self.wfile.flush()
                time.sleep(seconds * step / len(data))
        else:
            self.wfile.write(data)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def cmd_serve(a):
    srv = Server((a.bind, a.port), Handler)
    srv.repo = os.path.abspath(a.repo)
    srv.www = os.path.join(srv.repo, "www")
    srv.logfile = a.log
    if a.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.tls_cert, a.tls_key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    srv.serve_forever()


def main():
    p = argparse.ArgumentParser(description="a TUF repository for the tests")
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("init")
    s.add_argument("repo")
    s.add_argument("--target", required=True)
    s.add_argument("--expires", action="append")
    s.add_argument("--no-meta-hashes", action="store_true")
    s.set_defaults(fn=cmd_init)
    s = sub.add_parser("publish")
    s.add_argument("repo")
    s.add_argument("--target")
    s.add_argument("--roles", default="targets,snapshot,timestamp")
    s.add_argument("--expires", action="append")
    s.add_argument("--sign", action="append")
    s.add_argument("--targets-version", type=int)
    s.add_argument("--pad", action="append")
    s.add_argument("--quirk", action="append")
    s.set_defaults(fn=cmd_publish)
    s = sub.add_parser("rotate-root")
    s.add_argument("repo")
    for role in ROLES:
        s.add_argument("--%s-keys" % role)
        s.add_argument("--%s-threshold" % role, type=int)
    s.add_argument("--sign")
    s.add_argument("--expires")
    s.set_defaults(fn=cmd_rotate_root)
    s = sub.add_parser("drop-root")
    s.add_argument("repo")
    s.set_defaults(fn=cmd_drop_root)
    s = sub.add_parser("corrupt-target")
    s.add_argument("repo")
    g = s.add_mutually_exclusive_group(required=True)
    g.add_argument("--hash", action="store_true")
    g.add_argument("--length", action="store_true")
    s.set_defaults(fn=cmd_corrupt_target)
    s = sub.add_parser("rollback")
    s.add_argument("repo")
    s.add_argument("--timestamp", type=int, required=True)
    s.set_defaults(fn=cmd_rollback)
    s = sub.add_parser("mix-and-match")
    s.add_argument("repo")
    s.set_defaults(fn=cmd_mix_and_match)
    s = sub.add_parser("heal")
    s.add_argument("repo")
    s.set_defaults(fn=cmd_heal)
    s = sub.add_parser("control")
    s.add_argument("repo")
    s.add_argument("--status", action="append")
    s.add_argument("--stall", action="append")
    s.add_argument("--clear", action="store_true")
    s.set_defaults(fn=cmd_control)
    s = sub.add_parser("serve")
    s.add_argument("repo")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--bind", default="127.0.0.1")
    s.add_argument("--tls-cert")
    s.add_argument("--tls-key")
    s.add_argument("--log")
    s.set_defaults(fn=cmd_serve)
    s = sub.add_parser("info")
    s.add_argument("repo")
    s.set_defaults(fn=cmd_info)
    a = p.parse_args()
    a.fn(a)


if __name__ == "__main__":
    main()
