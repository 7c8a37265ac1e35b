#!/usr/bin/env python3
"""A recorded-feed server for the `vulndb update` tests and benchmark (loopback only).

  vulnfeed_server.py ADDR PORT DIR

Serves, from DIR:
  /osv/<Ecosystem>/all.zip  the file DIR/osv/<Ecosystem>/all.zip, with an ETag (its SHA-1) and
                            a Last-Modified; If-None-Match / If-Modified-Since -> 304.
  /kev/<file>, /epss/<file> the files below DIR/kev and DIR/epss (the CISA KEV JSON, the EPSS
                            .csv.gz), served the same way.
  /nvd                      the NVD CVE API 2.0 over DIR/nvd.json (a list of `cve` objects):
                            lastModStartDate / lastModEndDate filter on cve.lastModified,
                            startIndex / resultsPerPage paginate; pages hold at most
                            DIR/page_size (default 2) results, as the real API caps them at 2000.
Faults, read from DIR/faults.json at every request (the test edits it between runs):
  {"nvd_500_at": N}      answer HTTP 500 to the NVD request with startIndex N
  {"nvd_busy": K}        answer 429 to the next K NVD requests (K is decremented in the file)
  {"osv_drop": true}     send half of a file (all.zip, KEV, EPSS), then close the connection
Every request is appended to DIR/requests.log as one JSON line: time, path, query, the
conditional and apiKey headers, and the status answered.
"""
import email.utils
import hashlib
import http.server
import json
import os
import sys
import time
import urllib.parse
from datetime import datetime, timezone

ADDR, PORT, ROOT = sys.argv[1], int(sys.argv[2]), sys.argv[3]


def parse_time(text):
    text = text.replace("Z", "+00:00")
    dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def faults(self):
        try:
            with open(os.path.join(ROOT, "faults.json")) as f:
                return json.load(f)
        except FileNotFoundError:
            return {}

    def record(self, status, query):
        entry = {
            "time": time.time(),
            "path": urllib.parse.urlparse(self.path).path,
            "query": query,
            "if_none_match": self.headers.get("If-None-Match"),
            "if_modified_since": self.headers.get("If-Modified-Since"),
            "api_key": self.headers.get("apiKey"),
            "status": status,
        }
        with open(os.path.join(ROOT, "requests.log"), "a") as f:
            f.write(json.dumps(entry) + "\n")

    def answer(self, status, body, ctype="application/json", extra=None, query=None):
        self.record(status, query or {})
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        query = {k: v[0] for k, v in urllib.parse.parse_qs(url.query).items()}
        if (url.path.startswith("/osv/") and url.path.endswith("/all.zip")) or (
            url.path.startswith(("/kev/", "/epss/")) and ".." not in url.path
        ):
            return self.static(url.path, query)
        if url.path == "/nvd":
            return self.nvd(query)
        self.answer(404, b"not found", "text/plain", query=query)

    def static(self, path, query):
        file = os.path.join(ROOT, path.lstrip("/"))
        if not os.path.isfile(file):
            return self.answer(404, b"no such file", "text/plain", query=query)
        data = open(file, "rb").read()
        etag = '"%s"' % hashlib.sha1(data).hexdigest()
        modified = email.utils.formatdate(os.path.getmtime(file), usegmt=True)
        if self.headers.get("If-None-Match") == etag or (
            self.headers.get("If-None-Match") is None
            and self.headers.get("If-Modified-Since") == modified
        ):
            self.record(304, query)
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.faults().get("osv_drop"):
            self.record(200, dict(query, dropped="yes"))
            self.send_response(200)
            self.send_header("Content-Type", "application/zip")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)
            return
        self.answer(200, data, "application/zip",
                    {"ETag": etag, "Last-Modified": modified}, query)

    def nvd(self, query):
        faults = self.faults()
        if faults.get("nvd_busy", 0) > 0:
            faults["nvd_busy"] -= 1
            with open(os.path.join(ROOT, "faults.json"), "w") as f:
                json.dump(faults, f)
            return self.answer(429, b'{"message": "slow down"}', query=query)
        start = int(query.get("startIndex", "0"))
        if faults.get("nvd_500_at") == start:
            return self.answer(500, b"internal server error", "text/plain", query=query)
        per_page = int(query.get("resultsPerPage", "2000"))
        try:
            cap = int(open(os.path.join(ROOT, "page_size")).read())
        except FileNotFoundError:
            cap = 2
        per_page = min(per_page, cap)
        cves = json.load(open(os.path.join(ROOT, "nvd.json")))
        if "lastModStartDate" in query or "lastModEndDate" in query:
            lo = parse_time(query["lastModStartDate"])
            hi = parse_time(query["lastModEndDate"])
            if (hi - lo).days > 120:
                return self.answer(404, b"window over 120 days", "text/plain", query=query)
            cves = [c for c in cves if lo <= parse_time(c["lastModified"]) <= hi]
        page = cves[start:start + per_page]
        body = {
            "resultsPerPage": len(page),
            "startIndex": start,
            "totalResults": len(cves),
            "format": "NVD_CVE",
            "version": "2.0",
            "timestamp": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000"),
            "vulnerabilities": [{"cve": c} for c in page],
        }
        self.answer(200, json.dumps(body).encode(), query=query)


http.server.ThreadingHTTPServer.allow_reuse_address = True
server = http.server.ThreadingHTTPServer((ADDR, PORT), Handler)
server.serve_forever()
