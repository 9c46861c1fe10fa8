#!/usr/bin/env python3
"""Scripted HTTP/1.1 peer for fault tests: answers requests from a JSON script and logs them.

Usage:
    scripted_peer.py --port 0 --script SCRIPT.json --log LOG.jsonl --port-file PORT.txt
                     [--exit-with-parent] [--upstream http(s)://127.0.0.1:PORT [--upstream-ca CA.pem]]

With --upstream it is a fault-injecting proxy in front of a real server: requests no rule
matches (and rules answering {"action": "forward"}) are forwarded there unchanged (same method,
path, query, headers and body, so SigV4 signatures stay valid) and the server's answer is relayed.

Binds 127.0.0.1 (port 0 = a free port). Once listening, writes the port number to --port-file
(atomically: readers never see a partial file). Keeps connections alive (HTTP/1.1). Exits on
SIGTERM or SIGINT (and, with --exit-with-parent, when its parent dies, so a crashed test does
not leave it behind). Python 3 standard library only.

Script: a JSON list of rules, or an object {"rules": [...], "default": RESPONSE, "throttle": T}.
Rules are tried in order; the first that matches a request answers it.

    T = {"rate": R, "burst": B, "response": RESPONSE}
        optional: S3's request-rate throttling. A token bucket refilled at R tokens per second
        (B at most, default max(1, R / 10); full at the start) admits each request; a request
        that finds it empty is answered RESPONSE (default: 503 SlowDown) at once instead of by
        its rule, and logged with "throttled": true.

    RULE = {
      "method":  "PUT" | ["GET", "HEAD"],       optional, default any method
      "path":    "regex",                        optional, re.fullmatch on the path (no query),
                                                 as sent (still percent-encoded)
      "query":   "regex",                        optional, re.search on the raw query string
                                                 ("" when there is none), e.g. "(^|&)uploads(=|&|$)"
      "headers": {"name": "regex", ...},         optional, re.search on each header value
                                                 (names case-insensitive; a missing header fails)
      "responses": [RESPONSE, ...]               consumed one per matching request; the last
                                                 one repeats forever
    }

    RESPONSE = {
      "status": 200,                             default 200
      "headers": {"ETag": "\\"abc\\"", ...},      optional; Content-Length is added unless
                                                 the response is chunked
      "body": "text",                            optional (UTF-8), or
      "body_base64": "...",                      or
      "body_size": N,                            N bytes of "0123456789abcdef" repeated, or
      "echo": true,                              the request body
      "delay": SECONDS,                          optional: wait before answering
      "times": N,                                optional: this entry stands for N entries
      "chunks_delay": SECONDS,                   optional: send the status line and headers at
                                                 once (Transfer-Encoding: chunked), then
      "whitespace_chunks": N,                    N (default 3) chunks of whitespace, SECONDS
                                                 apart, then the body (as S3's
                                                 CompleteMultipartUpload does)
      "close_after": true,                       optional: close the connection (FIN) right after
                                                 the response, without a Connection: close
                                                 header (as a server's idle timeout does)
      "action": "reset"                          close the socket abruptly (RST, SO_LINGER 0),
                                                 no response
              | "forward"                        (with --upstream) forward the request and relay
                                                 the server's answer
              | "forward_then_reset"             (with --upstream) forward the request, let the
                                                 server act on it, then RST without answering
                                                 (a lost response)
              | "close"                          close the connection cleanly (FIN), no response
              | "truncate"                       send the headers and half the body, then RST
              | "delay", "seconds": N            wait N seconds, then answer with the other
                                                 fields of this object (or with "then": RESPONSE)
    }

    Unmatched requests get "default" (404 with an <Error><Code>NoRule</Code> body if not given;
    {"action": "forward"} with --upstream).

Example (S3 throttling then success):
    [{"method": "PUT", "path": "/bucket/.*", "query": "partNumber=",
      "responses": [{"status": 503, "times": 2,
                     "body": "<Error><Code>SlowDown</Code><Message>Reduce your request rate.</Message></Error>"},
                    {"status": 200, "headers": {"ETag": "\\"etag-1\\""}}]}]

Log: one JSON object per request, appended to --log and flushed before the response is sent:
    {"seq": 1, "time": 1700000000.123, "conn": 3, "in_flight": 2,
     "method": "PUT", "path": "/bucket/key", "query": "partNumber=1&uploadId=x",
     "headers": {"host": "...", ...}  (names lowercased; repeated headers joined with ", "),
     "body_len": 11, "body_sha256": "...", "body": "..." (only when <= 4096 bytes, UTF-8 with
     replacement), "rule": 0 (index, null when unmatched), "response": 1 (index in the rule's
     list), "status": 503 or null, "action": "reset" or null}
conn numbers connections from 1 in accept order; in_flight counts requests received and not
yet answered, including this one (a request stops counting just before its last bytes are
written, so a client that waits for its responses is never over-counted).

Control: GET /__peer__/stats answers {"requests", "connections", "max_in_flight", "in_flight",
"throttled"}
(not logged, not counted; a connection counts once it carries a counted request).
"""

import argparse
import base64
import hashlib
import http.server
import json
import os
import re
import signal
import socket
import socketserver
import ssl
import struct
import sys
import threading
import time

PATTERN = b"0123456789abcdef"
STATS_PATH = "/__peer__/stats"
SLOW_DOWN = {"status": 503, "headers": {"Content-Type": "application/xml"},
             "body": "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"}


class Rule:
    def __init__(self, spec, index):
        self.index = index
        methods = spec.get("method")
        if methods is None:
            self.methods = None
        elif isinstance(methods, str):
            self.methods = {methods.upper()}
        else:
            self.methods = {m.upper() for m in methods}
        self.path = re.compile(spec["path"]) if "path" in spec else None
        self.query = re.compile(spec["query"]) if "query" in spec else None
        self.headers = {k.lower(): re.compile(v) for k, v in spec.get("headers", {}).items()}
        self.responses = []
        for r in spec.get("responses", [{"status": 200}]):
            self.responses.extend([r] * int(r.get("times", 1)))
        if not self.responses:
            raise ValueError("rule %d has no responses" % index)
        self.used = 0

    def matches(self, method, path, query, headers):
        if self.methods is not None and method not in self.methods:
            return False
        if self.path is not None and not self.path.fullmatch(path):
            return False
        if self.query is not None and not self.query.search(query):
            return False
        for name, rx in self.headers.items():
            if name not in headers or not rx.search(headers[name]):
                return False
        return True

    def take(self):
        i = min(self.used, len(self.responses) - 1)
        self.used += 1
        return i, self.responses[i]


class TokenBucket:
    """R requests per second, bursts of at most B; full at the start."""

    def __init__(self, spec):
        self.rate = float(spec["rate"])
        self.burst = float(spec.get("burst", max(1.0, self.rate / 10)))
        self.response = spec.get("response", SLOW_DOWN)
        self.tokens = self.burst
        self.last = time.monotonic()

    def admit(self):
        """Called under the peer's lock: True when the request may go on."""
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.last) * self.rate)
        self.last = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class Peer:
    def __init__(self, script, log_path, upstream=None, upstream_ca=None):
        if isinstance(script, list):
            script = {"rules": script}
        self.bucket = TokenBucket(script["throttle"]) if "throttle" in script else None
        self.throttled = 0
        self.rules = [Rule(spec, i) for i, spec in enumerate(script.get("rules", []))]
        self.upstream = upstream
        self.upstream_ca = upstream_ca
        no_rule = {"status": 404, "headers": {"Content-Type": "application/xml"},
                   "body": "<Error><Code>NoRule</Code><Message>no rule matched</Message></Error>"}
        self.default = script.get("default", {"action": "forward"} if upstream else no_rule)
        self.lock = threading.Lock()
        self.log = open(log_path, "a", encoding="utf-8") if log_path else None
        self.seq = 0
        self.next_conn = 0
        self.counted_conns = set()
        self.in_flight = 0
        self.max_in_flight = 0

    def new_connection_id(self):
        with self.lock:
            self.next_conn += 1
            return self.next_conn

    def begin(self, conn):
        """Counts a request in; returns (sequence number, requests in flight including it)."""
        with self.lock:
            self.seq += 1
            self.counted_conns.add(conn)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            return self.seq, self.in_flight

    def choose(self, method, path, query, headers):
        """(rule index, response index, response, throttled)."""
        with self.lock:
            if self.bucket is not None and not self.bucket.admit():
                self.throttled += 1
                return None, None, self.bucket.response, True
            for rule in self.rules:
                if rule.matches(method, path, query, headers):
                    i, resp = rule.take()
                    return rule.index, i, resp, False
            return None, None, self.default, False

    def end(self):
        with self.lock:
            self.in_flight -= 1

    def write_log(self, record):
        if self.log is None:
            return
        line = json.dumps(record, sort_keys=True) + "\n"
        with self.lock:
            self.log.write(line)
            self.log.flush()

    def stats(self):
        with self.lock:
            return {"requests": self.seq, "connections": len(self.counted_conns),
                    "max_in_flight": self.max_in_flight, "in_flight": self.in_flight,
                    "throttled": self.throttled}


def response_body(resp, request_body):
    if "body_bytes" in resp:  # an upstream's answer being relayed
        return resp["body_bytes"]
    if "body_base64" in resp:
        return base64.b64decode(resp["body_base64"])
    if "body_size" in resp:
        n = int(resp["body_size"])
        return (PATTERN * (n // len(PATTERN) + 1))[:n]
    if resp.get("echo"):
        return request_body
    return resp.get("body", "").encode("utf-8")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "scripted-peer"
    sys_version = ""

    def setup(self):
        super().setup()
        self.conn_id = self.server.peer.new_connection_id()
        self.ended = False

    def log_message(self, format, *args):  # noqa: A002 - silence stderr access log
        pass

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size_line = self.rfile.readline()
                size = int(size_line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length", "0") or "0")
        return self.rfile.read(length) if length > 0 else b""

    def finish_counting(self):
        if not self.ended:
            self.ended = True
            self.server.peer.end()

    def send_all(self, data, last):
        if last:
            self.finish_counting()
        self.wfile.write(data)

    def reset(self):
        self.finish_counting()
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass
        self.close_connection = True

    def handle_any(self):
        peer = self.server.peer
        split = self.path.split("?", 1)
        path, query = split[0], (split[1] if len(split) > 1 else "")
        body = self.read_body()
        if self.command == "GET" and path == STATS_PATH:
            data = json.dumps(peer.stats()).encode()
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                             % (len(data), data))
            return

        self.ended = False
        seq, in_flight = peer.begin(self.conn_id)
        headers = {}
        for name, value in self.headers.items():
            name = name.lower()
            headers[name] = headers[name] + ", " + value if name in headers else value
        rule, index, resp, throttled = peer.choose(self.command, path, query, headers)
        delay = float(resp.get("delay", 0))
        action = resp.get("action")
        if action == "delay":
            delay += float(resp.get("seconds", 0))
            resp = resp.get("then", {k: v for k, v in resp.items() if k not in ("action", "seconds", "delay")})
            delay += float(resp.get("delay", 0))
            action = resp.get("action")
        record = {
            "seq": seq, "time": time.time(), "conn": self.conn_id, "in_flight": in_flight,
            "method": self.command, "path": path, "query": query, "headers": headers,
            "body_len": len(body), "body_sha256": hashlib.sha256(body).hexdigest(),
            "rule": rule, "response": index, "action": action,
            "status": None if action else int(resp.get("status", 200)),
            "throttled": throttled,
        }
        if len(body) <= 4096:
            record["body"] = body.decode("utf-8", errors="replace")
        peer.write_log(record)
        try:
            if delay > 0:
                time.sleep(delay)
            if action in ("forward", "forward_then_reset"):
                answer = self.forward(body)
                if action == "forward_then_reset":
                    self.reset()
                    return
                resp, action = answer, None
            self.respond(resp, action, body)
            if resp.get("close_after"):
                self.close_connection = True
        finally:
            self.finish_counting()

    HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
                  "proxy-connection"}

    def forward(self, body):
        """Sends the request to the upstream server as is; returns its answer as a RESPONSE."""
        import http.client
        import urllib.parse

        up = urllib.parse.urlsplit(self.server.peer.upstream)
        conn = getattr(self, "upstream_conn", None)
        headers = [(k, v) for k, v in self.headers.items() if k.lower() not in self.HOP_BY_HOP]
        if body and not any(k.lower() == "content-length" for k, _ in headers):
            headers.append(("Content-Length", str(len(body))))
        for attempt in range(2):  # a kept-alive upstream connection may have been closed meanwhile
            if conn is None:
                if up.scheme == "https":  # verified against --upstream-ca (a test CA) or the system's
                    ctx = ssl.create_default_context(cafile=self.server.peer.upstream_ca)
                    conn = http.client.HTTPSConnection(up.hostname, up.port, timeout=300, context=ctx)
                else:
                    conn = http.client.HTTPConnection(up.hostname, up.port, timeout=300)
                self.upstream_conn = conn
            try:
                conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
                for k, v in headers:
                    conn.putheader(k, v)
                conn.endheaders(body if body else None)
                r = conn.getresponse()
                data = r.read()
                break
            except (http.client.RemoteDisconnected, ConnectionError, BrokenPipeError):
                conn.close()
                conn = None
                if attempt == 1:
                    raise
        out = {}
        for k, v in r.getheaders():
            if k.lower() not in self.HOP_BY_HOP:
                out[k] = v if k not in out else out[k] + ", " + v
        return {"status": r.status, "headers": out, "body_bytes": data}

    def respond(self, resp, action, request_body):
        if action == "reset":
            self.reset()
            return
        if action == "close":
            self.finish_counting()
            self.close_connection = True
            return
        status = int(resp.get("status", 200))
        body = response_body(resp, request_body)
        reason = http.server.BaseHTTPRequestHandler.responses.get(status, ("Unknown",))[0]
        head = ["HTTP/1.1 %d %s" % (status, reason)]
        names = set()
        for name, value in resp.get("headers", {}).items():
            head.append("%s: %s" % (name, value))
            names.add(name.lower())
        chunked = "chunks_delay" in resp
        if chunked:
            head.append("Transfer-Encoding: chunked")
        elif "content-length" not in names:
            head.append("Content-Length: %d" % len(body))
        if "connection" not in names and self.close_connection:
            head.append("Connection: close")
        head_bytes = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1")
        if self.command == "HEAD" or status in (204, 304) or 100 <= status < 200:
            self.send_all(head_bytes, last=True)
            return
        if action == "truncate":
            self.wfile.write(head_bytes + body[: len(body) // 2])
            self.reset()
            return
        if not chunked:
            self.send_all(head_bytes + body, last=True)
            return
        self.wfile.write(head_bytes)
        for _ in range(int(resp.get("whitespace_chunks", 3))):
            time.sleep(float(resp["chunks_delay"]))
            self.wfile.write(b"1\r\n \r\n")
        tail = (b"%x\r\n%s\r\n" % (len(body), body) if body else b"") + b"0\r\n\r\n"
        self.send_all(tail, last=True)

    do_GET = do_HEAD = do_PUT = do_POST = do_DELETE = do_PATCH = do_OPTIONS = handle_any


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def handle_error(self, request, client_address):
        # Clients that hang up (resets, aborted transfers) are part of the game: stay quiet.
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, BrokenPipeError, TimeoutError, OSError)):
            return
        super().handle_error(request, client_address)


def main():
    parser = argparse.ArgumentParser(description="Scripted HTTP/1.1 peer for fault tests.")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--script", required=True)
    parser.add_argument("--log", default=None)
    parser.add_argument("--port-file", default=None)
    parser.add_argument("--upstream", default=None,
                        help="forward unmatched requests to this server (http://host:port)")
    parser.add_argument("--upstream-ca", default=None, help="CA bundle for an https --upstream")
    parser.add_argument("--exit-with-parent", action="store_true",
                        help="exit when the process that started the peer goes away")
    args = parser.parse_args()

    if args.exit_with_parent:
        parent = os.getppid()

        def watch_parent():
            while os.getppid() == parent:
                time.sleep(0.5)
            os._exit(0)

        threading.Thread(target=watch_parent, daemon=True).start()

    with open(args.script, encoding="utf-8") as f:
        script = json.load(f)
    server = Server(("127.0.0.1", args.port), Handler)
    server.peer = Peer(script, args.log, args.upstream, args.upstream_ca)

    def stop(signum, frame):
        # Exit at once: every log line is already flushed, and an interpreter shutting down
        # around daemon handler threads can wedge, leaving the test that waits for us hanging.
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    port = server.server_address[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write("%d\n" % port)
        os.replace(tmp, args.port_file)
    else:
        print(port, flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except SystemExit:
        pass
    finally:
        server.server_close()
        if server.peer.log is not None:
            server.peer.log.close()


if __name__ == "__main__":
    main()
