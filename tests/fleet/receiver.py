#!/usr/bin/env python3
"""A webhook receiver for the fleet tests: checks X-Drydock-Signature (HMAC-SHA256 of the body
with the shared secret), appends each good delivery's body as one line to OUT, and each bad one
to BAD, and answers 204. Writes its port to PORT_FILE once listening.

    receiver.py SECRET OUT BAD PORT_FILE
"""
import hashlib
import hmac
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

secret, out_path, bad_path, port_path = sys.argv[1:5]


class Hook(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        sig = self.headers.get("X-Drydock-Signature", "")
        want = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        ok = hmac.compare_digest(sig, want)
        try:
            doc = json.loads(body)
        except ValueError:
            doc, ok = None, False
        line = json.dumps({"delivery": self.headers.get("X-Drydock-Delivery"), "body": doc},
                          sort_keys=True)
        with open(out_path if ok else bad_path, "a") as f:
            f.write(line + "\n")
        self.send_response(204)
        self.end_headers()

    def log_message(self, fmt, *args):
        sys.stderr.write("receiver: " + fmt % args + "\n")


srv = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
with open(port_path + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
import os  # noqa: E402  (the rename makes the port file appear whole)
os.rename(port_path + ".tmp", port_path)
srv.serve_forever()
