#!/usr/bin/env python3
"""A reverse proxy that adds a fixed delay to every request, so that a local S3 server answers
with a round trip like a remote one (AWS S3 from the same region: ~10 ms to first byte).

Every request is held for --latency-ms before it is forwarded to --upstream, then streamed
through both ways; connections are kept alive, one upstream connection per client connection.
Requests are forwarded unchanged (the Host header included, so SigV4 signatures made for the
proxy's address still verify upstream). Counts requests and bytes and prints them on SIGTERM
or SIGINT as one JSON line on stderr.

Usage: bench/latency_proxy.py --upstream http://127.0.0.1:7480 [--listen 127.0.0.1:0]
                              [--latency-ms 10] [--port-file FILE]
It prints "http://127.0.0.1:PORT" on stdout once it listens (and writes it to --port-file).
"""

import argparse
import http.client
import http.server
import json
import signal
import socketserver
import sys
import threading
import time
import urllib.parse

CHUNK = 256 * 1024
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer",
              "upgrade", "expect"}


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests = 0
        self.bytes_up = 0
        self.bytes_down = 0

    def add(self, up, down):
        with self.lock:
            self.requests += 1
            self.bytes_up += up
            self.bytes_down += down


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "latency-proxy"

    def log_message(self, *args):
        pass

    def upstream(self):
        conn = getattr(self, "_upstream", None)
        if conn is None:
            u = self.server.upstream
            conn = http.client.HTTPConnection(u.hostname, u.port, timeout=600)
            self._upstream = conn
        return conn

    def request_body(self):
        """The request body as an iterator of chunks, and its length (None when chunked)."""
        te = self.headers.get("Transfer-Encoding", "").lower()
        if "chunked" in te:
            def chunks():
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                    if size == 0:
                        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                            pass
                        return
                    yield self.rfile.read(size)
                    self.rfile.readline()
            return chunks(), None
        length = int(self.headers.get("Content-Length", "0") or 0)

        def fixed():
            left = length
            while left > 0:
                data = self.rfile.read(min(CHUNK, left))
                if not data:
                    raise ConnectionError("client closed the connection mid-body")
                left -= len(data)
                yield data
        return fixed(), length

    def forward(self):
        time.sleep(self.server.latency)
        body, length = self.request_body()
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        if length is not None:
            headers["Content-Length"] = str(length)
        sent = 0
        for attempt in range(2):
            conn = self.upstream()
            try:
                conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
                for k, v in headers.items():
                    conn.putheader(k, v)
                if length is None:
                    conn.putheader("Transfer-Encoding", "chunked")
                conn.endheaders()
                for data in body:
                    sent += len(data)
                    conn.send(b"%x\r\n%s\r\n" % (len(data), data) if length is None else data)
                if length is None:
                    conn.send(b"0\r\n\r\n")
                resp = conn.getresponse()
                break
            except (ConnectionError, http.client.RemoteDisconnected, BrokenPipeError):
                # A kept-alive upstream connection closed while idle: retry once, before any body
                # byte was consumed.
                conn.close()
                self._upstream = None
                if attempt == 1 or sent > 0:
                    raise
        self.send_response_only(resp.status, resp.reason)
        chunked = resp.getheader("Content-Length") is None and self.command != "HEAD" and resp.status not in (204, 304)
        for k, v in resp.getheaders():
            if k.lower() not in HOP_BY_HOP:
                self.send_header(k, v)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        down = 0
        while True:
            data = resp.read(CHUNK)  # b"" at once for HEAD, 204 and 304
            if not data:
                break
            down += len(data)
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data) if chunked else data)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()
        if resp.will_close:
            conn.close()
            self._upstream = None
        self.server.stats.add(sent, down)

    do_GET = do_HEAD = do_PUT = do_POST = do_DELETE = forward


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--listen", default="127.0.0.1:0")
    ap.add_argument("--latency-ms", type=float, default=10.0)
    ap.add_argument("--port-file")
    args = ap.parse_args()
    host, port = args.listen.rsplit(":", 1)
    if host not in ("127.0.0.1", "localhost"):
        raise SystemExit("latency_proxy listens on loopback only")
    server = Server((host, int(port)), Handler)
    server.upstream = urllib.parse.urlsplit(args.upstream)
    server.latency = args.latency_ms / 1000.0
    server.stats = Stats()
    url = f"http://127.0.0.1:{server.server_address[1]}"

    def stop(*_):
        s = server.stats
        sys.stderr.write(json.dumps({"requests": s.requests, "bytes_up": s.bytes_up, "bytes_down": s.bytes_down}) + "\n")
        sys.stderr.flush()
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.port_file:
        with open(args.port_file, "w") as f:
            f.write(url + "\n")
    print(url, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
