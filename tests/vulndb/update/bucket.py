#!/usr/bin/env python3
"""A loopback stand-in for osv.dev's bucket, for the `drydock db update` test.

  bucket.py build VULNDATA DIR EXPECTED   lays out DIR like the bucket (<Ecosystem>/all.zip, one
                                          <ID>.json per record, built from the shared jsonl files)
                                          and writes the counts an import must give to EXPECTED
  bucket.py serve DIR PORTFILE LOG        serves DIR over HTTP on 127.0.0.1 (a free port, written
                                          to PORTFILE once listening); one line per request to LOG

The server is Python's http.server: SimpleHTTPRequestHandler sends Last-Modified and
Content-Length and answers If-Modified-Since with 304. Like Google Cloud Storage it also sends
the object's hashes, base64 of the big-endian CRC32C and of the MD5: as one
`x-goog-hash: crc32c=...` and one `x-goog-hash: md5=...` header, or, for objects under a
directory whose name starts with a lower-case letter (npm, crates.io), as the one list
`x-goog-hash: crc32c=...,md5=...` that a proxy joining the two passes on. Files beside an object
change how it is served:
  OBJECT.goog-md5   its content replaces the md5= value sent (a wrong checksum)
  OBJECT.cut        the body stops halfway although Content-Length announced all of it
  OBJECT.stall      nothing is sent for 30 seconds (a server that hangs)
"""
import base64
import collections
import hashlib
import http.server
import json
import os
import struct
import sys
import time
import zipfile

SOURCES = {  # shared vulndata file -> the bucket directory osv.dev uses for that ecosystem
    "debian.osv.jsonl": "Debian",
    "alpine.osv.jsonl": "Alpine",
    "pypi.osv.jsonl": "PyPI",
    "npm.osv.jsonl": "npm",
    "go.osv.jsonl": "Go",
    "crates.osv.jsonl": "crates.io",
    "rubygems.osv.jsonl": "RubyGems",
}


def build(vulndata, out_dir, expected_path):
    """Writes the archives and, per archive, the counts a rebuild from it must give: records
    stored (withdrawn ones are left out) and, per affected ecosystem, distinct records and
    affected entries. Record ids are unique across the sources, so archives add up."""
    expected = {}
    ids = set()
    for src, eco in SOURCES.items():
        path = os.path.join(vulndata, src)
        os.makedirs(os.path.join(out_dir, eco), exist_ok=True)
        zpath = os.path.join(out_dir, eco, "all.zip")
        stored = withdrawn = 0
        eco_records = collections.Counter()
        eco_affected = collections.Counter()
        with open(path, encoding="utf-8") as f, zipfile.ZipFile(
            zpath + ".tmp", "w", compression=zipfile.ZIP_DEFLATED
        ) as z:
            for line in f:
                if not line.strip():
                    continue
                rec = json.loads(line)
                if rec["id"] in ids:
                    sys.exit(f"{src}: {rec['id']} is in two sources")
                ids.add(rec["id"])
                z.writestr(rec["id"] + ".json", json.dumps(rec, indent=2, ensure_ascii=False))
                if rec.get("withdrawn"):
                    withdrawn += 1
                    continue
                stored += 1
                seen = set()
                for a in rec.get("affected") or []:
                    e = a["package"]["ecosystem"]
                    eco_affected[e] += 1
                    seen.add(e)
                for e in seen:
                    eco_records[e] += 1
        os.replace(zpath + ".tmp", zpath)
        expected[eco] = {
            "stored": stored,
            "withdrawn": withdrawn,
            "ecosystems": {e: [eco_records[e], eco_affected[e]] for e in sorted(eco_affected)},
        }
    with open(expected_path, "w", encoding="utf-8") as f:
        json.dump(expected, f, indent=1, sort_keys=True)


def _crc32c_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


CRC32C = _crc32c_table()


def crc32c(data):
    c = 0xFFFFFFFF
    t = CRC32C
    for b in data:
        c = t[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


class Bucket(http.server.SimpleHTTPRequestHandler):
    hashes = {}  # (path, mtime_ns, size) -> (crc32c b64, md5 b64)
    log_file = None

    def log_message(self, fmt, *args):
        pass

    def log_request(self, code="-", size="-"):
        code = getattr(code, "value", code)
        ims = "ims" if self.headers.get("If-Modified-Since") else "-"
        ua = self.headers.get("User-Agent", "-").replace(" ", "_")
        with open(self.log_file, "a", encoding="utf-8") as f:
            f.write(f"{self.path} {code} {ims} {ua}\n")

    def _object_hashes(self, path):
        st = os.stat(path)
        key = (path, st.st_mtime_ns, st.st_size)
        if key not in self.hashes:
            with open(path, "rb") as f:
                data = f.read()
            crc = base64.b64encode(struct.pack(">I", crc32c(data))).decode()
            md5 = base64.b64encode(hashlib.md5(data).digest()).decode()
            self.hashes[key] = (crc, md5)
        return self.hashes[key]

    def end_headers(self):
        path = self.translate_path(self.path)
        if getattr(self, "_status", 0) == 200 and os.path.isfile(path):
            crc, md5 = self._object_hashes(path)
            if os.path.exists(path + ".goog-md5"):
                with open(path + ".goog-md5", encoding="ascii") as f:
                    md5 = f.read().strip()
            if self.path.lstrip("/")[:1].islower():
                self.send_header("x-goog-hash", f"crc32c={crc},md5={md5}")
            else:
                self.send_header("x-goog-hash", "crc32c=" + crc)
                self.send_header("x-goog-hash", "md5=" + md5)
        super().end_headers()

    def send_response(self, code, message=None):
        self._status = code
        super().send_response(code, message)

    def send_head(self):
        path = self.translate_path(self.path)
        if os.path.exists(path + ".stall"):
            time.sleep(30)
        return super().send_head()

    def copyfile(self, source, outputfile):
        path = self.translate_path(self.path)
        if os.path.exists(path + ".cut"):
            data = source.read()
            outputfile.write(data[: len(data) // 2])
            outputfile.flush()
            self.close_connection = True
            return
        super().copyfile(source, outputfile)


def serve(directory, port_file, log_file):
    Bucket.log_file = log_file
    handler = lambda *a, **kw: Bucket(*a, directory=directory, **kw)  # noqa: E731
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    with open(port_file + ".tmp", "w", encoding="ascii") as f:
        f.write(str(httpd.server_address[1]))
    os.replace(port_file + ".tmp", port_file)
    httpd.serve_forever()


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "build":
        build(*sys.argv[2:])
    elif len(sys.argv) == 5 and sys.argv[1] == "serve":
        serve(*sys.argv[2:])
    else:
        sys.exit(__doc__)
