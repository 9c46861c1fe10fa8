"""A fault-injecting proxy in front of a test server, for the e2e tests of what RGW and moto
never do on their own (200 with an <Error>, throttling, stalls, lost answers).

It is tests/fault/scripted_peer.py with --upstream: requests matching a rule get the scripted
answer, everything else is forwarded to the real server unchanged (signatures stay valid) and its
answer relayed. Use it as a context manager:

    with FaultProxy(self.srv, rules) as proxy:
        rc, out, err = self.srv.run(..., env=self.srv.binary_env(AWS_ENDPOINT_URL=proxy.endpoint))
        proxy.requests()   # the proxy's log: one dict per request
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time

PEER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fault", "scripted_peer.py")


def error_xml(code, message="injected by the test proxy"):
    return f"<Error><Code>{code}</Code><Message>{message}</Message><RequestId>PROXY</RequestId></Error>"


def error_answer(status, code, **extra):
    answer = {"status": status, "headers": {"Content-Type": "application/xml"}, "body": error_xml(code)}
    answer.update(extra)
    return answer


# Rules for the S3 operations, by how their requests look (path-style addressing).
def rule(method, query=None, headers=None, path=None, responses=None):
    r = {"method": method, "responses": responses or [{"action": "forward"}]}
    if query:
        r["query"] = query
    if headers:
        r["headers"] = headers
    if path:
        r["path"] = path
    return r


CREATE = {"method": "POST", "query": r"(^|&)uploads(=|&|$)"}
COMPLETE = {"method": "POST", "query": r"(^|&)uploadId="}
UPLOAD_PART = {"method": "PUT", "query": r"(^|&)partNumber="}
ABORT = {"method": "DELETE", "query": r"(^|&)uploadId="}


def on(op, responses, **extra):
    r = dict(op)
    r.update(extra)
    r["responses"] = responses
    return r


class FaultProxy:
    def __init__(self, server, rules, default=None):
        self.server = server
        self.script = {"rules": rules}
        if default is not None:
            self.script["default"] = default
        self.proc = None
        self.tmp = None

    def __enter__(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="s3tar-proxy-")
        script = os.path.join(self.tmp.name, "script.json")
        port_file = os.path.join(self.tmp.name, "port")
        self.log_path = os.path.join(self.tmp.name, "log.jsonl")
        with open(script, "w", encoding="utf-8") as f:
            json.dump(self.script, f)
        self.proc = subprocess.Popen(
            [sys.executable, PEER, "--port", "0", "--script", script, "--log", self.log_path, "--port-file",
             port_file, "--upstream", self.server.endpoint, "--exit-with-parent"] +
            (["--upstream-ca", self.server.ca_bundle] if self.server.ca_bundle else []))
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if os.path.exists(port_file):
                with open(port_file, encoding="utf-8") as f:
                    self.port = int(f.read().strip())
                self.endpoint = f"http://127.0.0.1:{self.port}"
                return self
            if self.proc.poll() is not None:
                raise AssertionError("the fault proxy exited early")
            time.sleep(0.02)
        self.__exit__(None, None, None)
        raise AssertionError("the fault proxy did not start within 20 s")

    def __exit__(self, *exc):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.tmp is not None:
            self.tmp.cleanup()
        return False

    def requests(self):
        """The requests the proxy saw, in order (one dict each; see scripted_peer.py)."""
        out = []
        if os.path.exists(self.log_path):
            with open(self.log_path, encoding="utf-8") as f:
                for line in f:
                    if line.strip():
                        out.append(json.loads(line))
        return out

    def count(self, method, query_part):
        return sum(1 for r in self.requests() if r["method"] == method and query_part in r["query"])
