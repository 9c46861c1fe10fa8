"""A recording reverse proxy for the end-to-end tests: the binary talks to it as its endpoint, it
forwards every request unchanged to the real server (moto, RGW) and records who signed what.

Each record holds the method, the path, the service and access key of the SigV4 credential scope,
whether a session token was sent, and for STS calls the form sent and the answer's AccessKeyId.
It never changes a request, so the server sees exactly what the binary sent (signatures stay
valid: the Host header is passed through).
"""

import http.client
import re
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/[^/]+/([^/]+)/([^/]+)/aws4_request")
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
               "proxy-authorization", "proxy-authenticate"}


class RecordingProxy:
    def __init__(self, upstream):
        self.upstream = urllib.parse.urlsplit(upstream)
        self.records = []
        self.lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def read_body(self):
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    out = bytearray()
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                        if size == 0:
                            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                                pass
                            return bytes(out)
                        out += self.rfile.read(size)
                        self.rfile.readline()
                n = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(n) if n else b""

            def forward(self):
                body = self.read_body()
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP
                           and k.lower() != "expect"}
                if body or self.command in ("PUT", "POST"):
                    headers["Content-Length"] = str(len(body))
                conn = http.client.HTTPConnection(proxy.upstream.hostname, proxy.upstream.port, timeout=120)
                try:
                    conn.request(self.command, self.path, body=body, headers=headers)
                    resp = conn.getresponse()
                    data = resp.read()
                    resp_headers = resp.getheaders()
                    status = resp.status
                finally:
                    conn.close()
                proxy.record(self.command, self.path, self.headers, body, status, data)
                self.send_response(status)
                for k, v in resp_headers:
                    if k.lower() not in _HOP_BY_HOP and k.lower() != "content-length":
                        self.send_header(k, v)
                length = dict((k.lower(), v) for k, v in resp_headers).get("content-length", str(len(data)))
                self.send_header("Content-Length", length if self.command == "HEAD" else str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.server.server_address[1]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def record(self, method, path, headers, body, status, answer):
        m = _CREDENTIAL.search(headers.get("Authorization", ""))
        rec = {
            "method": method,
            "path": path,
            "status": status,
            "access_key": m.group(1) if m else None,
            "region": m.group(2) if m else None,
            "service": m.group(3) if m else None,
            "session_token": bool(headers.get("X-Amz-Security-Token")),
        }
        if rec["service"] == "sts":
            rec["form"] = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode("utf-8", "replace")).items()}
            found = re.search(rb"<AccessKeyId>([^<]+)</AccessKeyId>", answer)
            rec["issued_key"] = found.group(1).decode() if found else None
        with self.lock:
            self.records.append(rec)

    def snapshot(self):
        with self.lock:
            return list(self.records)
