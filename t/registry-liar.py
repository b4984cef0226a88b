#!/usr/bin/env python3
# A stand-in in front of a real registry that relays every request, except
# that what it does to a tag's manifest (HEAD or GET of /manifests/<tag>,
# not by digest) depends on the first word of MODE-FILE, read per request:
#   bogus    the Docker-Content-Digest header names a manifest the registry
#            does not have (a registry misconfigured or hostile);
#   slow N   the answer comes after N seconds;
#   anything else: relayed as it is.
# t/registry-lookup.sh uses it to show that a refusal never rests on
# dreichor-registry's header alone and that a slow lookup gives way.
# Usage: registry-liar.py PORT UPSTREAM-PORT MODE-FILE
import http.client
import re
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, upstream, mode_file = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
BOGUS = "sha256:" + "ab" * 32


def mode():
    try:
        with open(mode_file) as f:
            return f.read().split()
    except OSError:
        return []


class Relay(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def relay(self):
        words = mode()
        by_tag = re.search(r"/manifests/(?!sha256:)[^/?]+$", self.path) is not None
        if by_tag and words[:1] == ["slow"] and len(words) > 1:
            time.sleep(float(words[1]))
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        upstream_conn = http.client.HTTPConnection("127.0.0.1", upstream, timeout=120)
        upstream_conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
        # Every header line as it came: the engine sends Accept several times.
        for name, value in self.headers.items():
            if name.lower() not in ("connection", "content-length"):
                upstream_conn.putheader(name, value)
        if body is not None:
            upstream_conn.putheader("Content-Length", str(len(body)))
        upstream_conn.endheaders(body)
        answer = upstream_conn.getresponse()
        data = answer.read()
        self.send_response(answer.status)
        for name, value in answer.getheaders():
            lower = name.lower()
            if lower in ("connection", "transfer-encoding", "content-length"):
                continue
            if lower == "docker-content-digest" and by_tag and words[:1] == ["bogus"]:
                value = BOGUS
            if lower == "location":
                value = value.replace(f"127.0.0.1:{upstream}", f"127.0.0.1:{port}")
            self.send_header(name, value)
        size = answer.getheader("Content-Length", "0") if self.command == "HEAD" else str(len(data))
        self.send_header("Content-Length", size)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = relay


print("listening", flush=True)
ThreadingHTTPServer(("127.0.0.1", port), Relay).serve_forever()
