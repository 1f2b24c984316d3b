#!/usr/bin/env python3
"""A small HTTP front for the pull tests, on 127.0.0.1.

  registry_proxy.py PORT UPSTREAM MODE

MODE bearer:  /token answers {"token": ...} (checking service and scope);
              /v2/... needs "Authorization: Bearer <token>", else 401 with
              the challenge public registries send; then forwards to
              UPSTREAM (host:port of a plain http registry).
MODE garbage: every /v2/ manifest GET answers 200 with bytes that are not JSON.
MODE hang:    accepts connections and never answers.
"""
import http.server
import json
import sys
import time
import urllib.request

PORT, UPSTREAM, MODE = int(sys.argv[1]), sys.argv[2], sys.argv[3]
TOKEN = "husk-test-token"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def reply(self, code, body=b"", headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if MODE == "hang":
            time.sleep(3600)
            return
        if MODE == "garbage":
            self.reply(200, b"<html>not a manifest{{{", [("Content-Type", "application/vnd.oci.image.manifest.v1+json")])
            return
        if self.path.startswith("/token"):
            ok = "service=husk-test" in self.path and "scope=repository%3A" in self.path
            self.reply(200 if ok else 400, json.dumps({"token": TOKEN}).encode())
            return
        if self.headers.get("Authorization") != "Bearer " + TOKEN:
            realm = "http://127.0.0.1:%d/token" % PORT
            self.reply(401, b'{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}',
                       [("WWW-Authenticate", 'Bearer realm="%s",service="husk-test"' % realm),
                        ("Content-Type", "application/json")])
            return
        req = urllib.request.Request("http://%s%s" % (UPSTREAM, self.path),
                                     headers={"Accept": self.headers.get("Accept", "*/*")})
        try:
            with urllib.request.urlopen(req) as r:
                body = r.read()
                hdrs = [(k, v) for k, v in r.getheaders()
                        if k.lower() in ("content-type", "docker-content-digest")]
                self.reply(r.status, body, hdrs)
        except urllib.error.HTTPError as e:
            self.reply(e.code, e.read(), [("Content-Type", "application/json")])

    def log_message(self, fmt, *args):
        sys.stderr.write("proxy: " + fmt % args + "\n")


http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
