#!/usr/bin/env python3
"""A differential corpus for the Docker gate (t/gate-corpus.sh).

Hostile create bodies and filters, each sent through dev's gate to the real
engine; the verdict is what the engine did, read from the engine's own
socket afterwards: a container it made must be exactly what the container
contract allows, a list or event stream that reached dev must hold nothing
of prod's. Prints one line per case that did harm and a summary line.
Usage: gate_corpus.py GATE-SOCKET ENGINE-SOCKET IMAGE BIND-AUDIT BIND-SNAPSHOTS RUNTIME-ENV-FILE
"""
import http.client
import json
import socket
import sys
import urllib.parse

GATE, ENGINE, IMAGE, BIND_A, BIND_S, RUNTIME_ENV = sys.argv[1:7]
# The runtime's variables as the agent passes them (the gate checks them by the runtime env's rules).
with open(RUNTIME_ENV) as f:
    ENV = [line.strip() for line in f if "=" in line and not line.startswith("#")] + ["ENVIRONMENT=dev"]
REPOSITORY = IMAGE.split("@")[0]
NAME = "dreichor-runtime-dev"
V = "/v1.41"


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("docker", timeout=60)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect(self.path)


def call(path_sock, method, target, body=None, headers=None):
    conn = UnixConnection(path_sock)
    conn.request(method, target, body=body, headers=headers or {})
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, data


def engine(method, target):
    status, data = call(ENGINE, method, target)
    return status, (json.loads(data) if data.strip() else None)


# --- Create bodies. The allowed body, then spellings that carry a privilege.
HOST = {"Binds": [BIND_A, BIND_S], "RestartPolicy": {"Name": "unless-stopped"}, "NetworkMode": "none"}
PRIVILEGES = {
    "Privileged": "true",
    "Binds": '["/:/host"]',
    "CapAdd": '["ALL"]',
    "PidMode": '"host"',
    "NetworkMode": '"host"',
    "Mounts": '[{"Type":"bind","Source":"/","Target":"/host"}]',
    "SecurityOpt": '["seccomp=unconfined"]',
    "Devices": '[{"PathOnHost":"/dev/mem","PathInContainer":"/dev/mem","CgroupPermissions":"rwm"}]',
}


def enc(s):
    return json.dumps(s)


def host_text(extra=""):
    """HostConfig's members as text, with extra members appended."""
    base = ",".join("%s:%s" % (enc(k), json.dumps(v)) for k, v in HOST.items())
    return "{" + base + ("," + extra if extra else "") + "}"


def body(top_extra="", host_extra="", host=None, image=None):
    h = host if host is not None else host_text(host_extra)
    text = '{"Image":%s,"Env":["LOG_LEVEL=info"],"Labels":{},"HostConfig":%s' % (enc(image or IMAGE), h)
    return text + ("," + top_extra if top_extra else "") + "}"


def escape_char(name, i):
    return name[:i] + "\\u%04x" % ord(name[i]) + name[i + 1:]


def spellings(name):
    """Other spellings of a member name, as the engine's decoder may read them."""
    out = [escape_char(name, i) for i in range(len(name))]
    out += [name.lower(), name.upper(), name.swapcase(), name + "\\u0000", "\\u0000" + name,
            name[:2] + "\\u0000" + name[2:], name + "\\u0001", name + "\\t", name + " "]
    if "s" in name:
        out.append(name.replace("s", "\u017f", 1))
    if "k" in name.lower():
        i = name.lower().index("k")
        out.append(name[:i] + "\u212a" + name[i + 1:])
    return out


def create_corpus():
    cases = []
    bad = '{"Privileged":true,"Binds":["/:/host"],"RestartPolicy":{"Name":"unless-stopped"}}'
    for spelled in spellings("HostConfig"):
        cases.append(("HostConfig as %r, privileged, after the allowed one" % spelled,
                      body(top_extra='"%s":%s' % (spelled, bad))))
        cases.append(("HostConfig as %r, privileged, before the allowed one" % spelled,
                      '{"Image":%s,"Env":%s,"%s":%s,"HostConfig":%s}' % (enc(IMAGE), json.dumps(ENV), spelled, bad, host_text())))
    cases.append(("HostConfig with an escaped NUL, the allowed one last",
                  '{"Image":%s,"Env":%s,"HostConfig":{"Binds":["/:/host"]},"HostConfig\\u0000":%s}' % (enc(IMAGE), json.dumps(ENV), host_text())))
    for key, value in PRIVILEGES.items():
        for spelled in spellings(key)[:6] + [key.lower(), key + "\\u0000"]:
            cases.append(("HostConfig.%s as %r" % (key, spelled), body(host_extra='"%s":%s' % (spelled, value))))
            cases.append(("HostConfig.%s as %r, first" % (key, spelled),
                          body(host="{" + '"%s":%s,' % (spelled, value) + host_text()[1:])))
    for spelled in spellings("Image")[:5] + ["image", "IMAGE"]:
        cases.append(("Image as %r naming another image" % spelled,
                      body(top_extra='"%s":"%s/other/image:1"' % (spelled, REPOSITORY.split("/")[0]))))
    for spelled in ["RestartPolicy", "restartpolicy", "RestartPolic\\u0079"]:
        cases.append(("RestartPolicy twice as %r" % spelled,
                      body(host_extra='"%s":{"Name":"always","MaximumRetryCount":5}' % spelled)))
    cases += [
        ("Binds twice, the same spelling", body(host_extra='"Binds":["/:/host"]')),
        ("Binds as a string", body(host=host_text().replace('"Binds":[', '"Binds":"/:/host","X":['))),
        ("Privileged as a string", body(host_extra='"Privileged":"true"')),
        ("Privileged as a number", body(host_extra='"Privileged":1')),
        ("NetworkMode as a number", body(host=host_text().replace('"NetworkMode":"none"', '"NetworkMode":1'))),
        ("a huge MaximumRetryCount", body(host=host_text().replace('"unless-stopped"}', '"unless-stopped","MaximumRetryCount":1e400}'))),
        ("a huge integer", body(host_extra='"ShmSize":99999999999999999999999999')),
        ("an unknown nested member", body(host=host_text().replace('"unless-stopped"}', '"unless-stopped","X":{"Privileged":true}}'))),
        ("an unknown top member", body(top_extra='"Cmd":["sh","-c","cat /host/etc/shadow"]')),
        ("Labels nested deep", body(top_extra='"X":' + "[" * 64 + "]" * 64)),
        ("Env with an escaped NUL", body().replace('LOG_LEVEL=info', 'LOG_LEVEL=info\\u0000DATABASE_URL=x')),
        ("Env with a newline", body().replace('LOG_LEVEL=info', 'LOG_LEVEL=info\\nX=1')),
        ("a lone surrogate in a value", body().replace('LOG_LEVEL=info', 'LOG_LEVEL=\\ud800')),
        ("invalid UTF-8 in a value", body().replace('LOG_LEVEL=info', 'LOG_LEVEL=\udcc0\udcaf')),
        ("a comment", body().replace('{"Image"', '{/*x*/"Image"')),
        ("single quotes", body().replace('"LOG_LEVEL=info"', "'LOG_LEVEL=info'")),
        ("a trailing comma", body()[:-1] + ",}"),
        ("a second object after the first", body() + body(host_extra='"Privileged":true')),
        ("a byte order mark", "\ufeff" + body(host_extra='"Privileged":true')),
        ("NaN", body(host_extra='"CpuShares":NaN')),
        ("the image by tag", body(image=REPOSITORY + ":1.0.0")),
        ("the image of another repository", body(image=REPOSITORY + "-other@" + IMAGE.split("@")[1])),
        ("an escaped slash in the image", body().replace(enc(IMAGE), enc(IMAGE).replace("/", "\\/"))),
        ("ENVIRONMENT=prod", body().replace('"ENVIRONMENT=dev"', '"ENVIRONMENT=prod"')),
        ("EXECUTION_PLANE=live", body().replace('EXECUTION_PLANE=paper', 'EXECUTION_PLANE=live')),
        ("prod's database", body().replace('/dreichor_dev', '/dreichor_prod')),
        ("SAFETY_MODE as a number-like string", body().replace('SAFETY_MODE=strict', 'SAFETY_MODE=0')),
        ("no Env", body().replace(',"Env":%s' % json.dumps(ENV), '')),
        ("the environment label as prod", body().replace('"Labels":{}', '"Labels":{"dreichor.environment":"prod"}')),
        ("a third bind", body(host=host_text().replace('"Binds":[', '"Binds":["/:/host",'))),
        ("a bind with options", body(host=host_text().replace(':/var/lib/dreichor/snapshots"', ':/var/lib/dreichor/snapshots:rshared"'))),
    ]
    return cases


def allowed_container(c):
    """Why the container the engine made is beyond the contract, or None."""
    h = c["HostConfig"]
    if c["Name"] != "/" + NAME or c["Config"]["Image"] != IMAGE:
        return "name or image"
    if sorted(h.get("Binds") or []) != sorted([BIND_A, BIND_S]):
        return "binds %r" % h.get("Binds")
    for field in ("Privileged", "CapAdd", "Devices", "Mounts", "SecurityOpt", "VolumesFrom", "PidMode", "UsernsMode",
                  "UTSMode", "CgroupParent"):
        if h.get(field):
            return "%s=%r" % (field, h.get(field))
    if h.get("IpcMode") not in ("", "private", "shareable", None) or h.get("NetworkMode") != "none":
        return "IpcMode/NetworkMode"
    for m in c.get("Mounts") or []:
        if m["Type"] != "bind" or "%s:%s" % (m["Source"], m["Destination"]) not in (BIND_A, BIND_S):
            return "mount %r" % m
    if h.get("RestartPolicy", {}).get("Name") != "unless-stopped":
        return "restart policy"
    return None


def run_creates():
    refused = harmless = harmful = 0
    for what, text in create_corpus():
        try:
            status, answer = call(GATE, "POST", V + "/containers/create?name=" + NAME, text.encode("utf-8", "surrogateescape"),
                                  {"Content-Type": "application/json"})
        except OSError as e:
            status, answer = -1, str(e).encode()
        found, made = engine("GET", V + "/containers/%s/json" % NAME)
        if found == 200:
            why = allowed_container(made)
            engine("DELETE", V + "/containers/%s?force=true" % NAME)
            if why:
                harmful += 1
                print("HARM: %s: the gate answered %d, the engine made %s" % (what, status, why))
            else:
                harmless += 1
        elif status == 403:
            refused += 1
        else:
            harmful += 1
            print("ODD: %s: the gate answered %d without a refusal: %s" % (what, status, answer[:200]))
    return refused, harmless, harmful


# --- Filters: spellings of each filter name; what reached dev must hold nothing of prod's.
def filters_corpus():
    cases = []
    for spelled in spellings("container"):
        f = '{"container":["%s"],"%s":["dreichor-runtime-prod"]}' % (NAME, spelled)
        cases.append(("events", "container filter also as %r" % spelled, f))
        cases.append(("events", "only %r" % spelled, '{"%s":["%s"]}' % (spelled, NAME)))
    for spelled in spellings("reference")[:8]:
        cases.append(("images", "reference as %r" % spelled, '{"%s":["%s"]}' % (spelled, REPOSITORY)))
    for spelled in spellings("ancestor")[:6]:
        cases.append(("containers", "ancestor as %r" % spelled, '{"%s":["%s"]}' % (spelled, IMAGE.split("@")[1])))
    cases += [
        ("events", "the older map form", '{"container":{"%s":true}}' % NAME),
        ("events", "a value with an escaped NUL", '{"container":["%s\\u0000"]}' % NAME),
        ("events", "two objects", '{"container":["%s"]}{"type":["image"]}' % NAME),
        ("events", "type twice", '{"container":["%s"],"type":["container"],"Type":["image"]}' % NAME),
    ]
    return cases


def judge_list(kind, data):
    text = data.decode("utf-8", "replace")
    if kind == "events":
        for line in text.splitlines():
            if line.strip() and json.loads(line).get("Actor", {}).get("Attributes", {}).get("name") != NAME:
                return "an event of another container"
    elif kind == "images":
        for image in json.loads(text):
            if not any(r.startswith(REPOSITORY + "@") or r.startswith(REPOSITORY + ":")
                       for r in (image.get("RepoTags") or []) + (image.get("RepoDigests") or [])):
                return "an image of another repository"
    elif any(set(c) != {"ImageID"} for c in json.loads(text)):
        return "a container's details"
    return None


def run_filters():
    refused = harmless = harmful = 0
    for kind, what, text in filters_corpus():
        q = urllib.parse.quote(text, safe="")
        target = {"events": V + "/events?since=0&until=%d&filters=%s",
                  "images": V + "/images/json?filters=%s",
                  "containers": V + "/containers/json?all=1&filters=%s"}[kind]
        if kind == "events":
            import time
            target = target % (int(time.time()) + 1, q)
        else:
            target = target % q
        status, data = call(GATE, "GET", target)
        if status == 403:
            refused += 1
        elif status == 200 and not judge_list(kind, data):
            harmless += 1
        else:
            harmful += 1
            print("HARM: %s %s: %d %s" % (kind, what, status, judge_list(kind, data) if status == 200 else data[:200]))
    return refused, harmless, harmful


r1, h1, x1 = run_creates()
r2, h2, x2 = run_filters()
print("create bodies: %d refused, %d harmless, %d harmful" % (r1, h1, x1))
print("filters: %d refused, %d harmless, %d harmful" % (r2, h2, x2))
print("cases=%d harmful=%d" % (r1 + h1 + x1 + r2 + h2 + x2, x1 + x2))
