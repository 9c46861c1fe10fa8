"""A recording reverse proxy for the end-to-end tests: the binary talks to it as its endpoint, it
forwards every request unchanged to the real server (moto, RGW) and records who signed what.

Each record holds the method, the path, the service and access key of the SigV4 credential scope,
whether a session token was sent, and for STS calls the form sent and the answer's AccessKeyId.
It never changes a request, so the server sees exactly what the binary sent (signatures stay
valid: the Host header is passed through).

With `bucket_regions` ({bucket: region}) it also plays S3's answer to a request signed for the
wrong region, which no local server gives: for a path-style request to such a bucket whose
SigV4 scope names another region it answers instead of forwarding, like AWS does: a HEAD gets a
bodiless 301 with x-amz-bucket-region; other requests get either 301 PermanentRedirect with
x-amz-bucket-region (`wrong_region_answer="redirect"`) or 400 AuthorizationHeaderMalformed whose
body names the region (`"malformed"`). Those answers are recorded with "wrong_region": True.
"""

import http.client
import re
import ssl
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/[^/]+/([^/]+)/([^/]+)/aws4_request")
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
               "proxy-authorization", "proxy-authenticate"}


class RecordingProxy:
    def __init__(self, upstream, bucket_regions=None, wrong_region_answer="redirect", ca_bundle=None):
        self.upstream = urllib.parse.urlsplit(upstream)
        # An HTTPS upstream (the AWS-like pass) is verified against ca_bundle (the test CA).
        self.tls = ssl.create_default_context(cafile=ca_bundle) if self.upstream.scheme == "https" else None
        self.bucket_regions = dict(bucket_regions or {})
        self.wrong_region_answer = wrong_region_answer
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
                answer = proxy.wrong_region(self.command, self.path, self.headers)
                if answer:
                    status, headers, data = answer
                    proxy.record(self.command, self.path, self.headers, body, status, data, wrong_region=True)
                    self.send_response(status)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP
                           and k.lower() != "expect"}
                if body or self.command in ("PUT", "POST"):
                    headers["Content-Length"] = str(len(body))
                if proxy.tls is not None:
                    conn = http.client.HTTPSConnection(proxy.upstream.hostname, proxy.upstream.port, timeout=120,
                                                       context=proxy.tls)
                else:
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

    def wrong_region(self, method, path, headers):
        """S3's answer when the request is signed for another region than its bucket's, else None."""
        bucket = urllib.parse.urlsplit(path).path.lstrip("/").split("/", 1)[0]
        region = self.bucket_regions.get(urllib.parse.unquote(bucket))
        m = _CREDENTIAL.search(headers.get("Authorization", ""))
        if not region or not m or m.group(2) == region:
            return None
        if method == "HEAD":
            return 301, {"x-amz-bucket-region": region}, b""
        if self.wrong_region_answer == "malformed":
            body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AuthorizationHeaderMalformed</Code>"
                    f"<Message>The authorization header is malformed; the region '{m.group(2)}' is wrong; "
                    f"expecting '{region}'</Message><Region>{region}</Region><RequestId>WR1</RequestId></Error>")
            return 400, {"Content-Type": "application/xml"}, body.encode()
        body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>PermanentRedirect</Code>"
                "<Message>The bucket you are attempting to access must be addressed using the specified "
                f"endpoint. Please send all future requests to this endpoint.</Message><Bucket>{bucket}</Bucket>"
                f"<Endpoint>{bucket}.s3.{region}.amazonaws.com</Endpoint><RequestId>WR2</RequestId></Error>")
        return 301, {"Content-Type": "application/xml", "x-amz-bucket-region": region}, body.encode()

    def record(self, method, path, headers, body, status, answer, wrong_region=False):
        m = _CREDENTIAL.search(headers.get("Authorization", ""))
        rec = {
            "wrong_region": wrong_region,
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
