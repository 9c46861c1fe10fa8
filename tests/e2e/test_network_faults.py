"""Network faults and stops, with the s3tar binary against RGW and moto through a fault-injecting
proxy (tests/e2e/fault_proxy.py) for what the servers never do on their own:

- SIGTERM while the upload's part requests stall, and while they are throttled (503 SlowDown
  forever): exit 5 within 10 s, the multipart upload aborted, nothing written;
- UploadPart answered 200 with an <Error><Code>InternalError</Code> body until the retries run out:
  retried, then exit 5, the upload aborted;
- a source whose GET body does not match its MD5 ETag: read once more, then exit 5;
- an endpoint name that does not resolve: retried, exit 5, the real cause named, each retry logged
  with -v;
- --debug: one line per request (method, path, status, request id, milliseconds), never the
  secret key or a signature."""

import base64
import signal
import subprocess
import time
import unittest

import s3env
from fault_proxy import FaultProxy, on
from s3env import MiB, data_for

UPLOAD_PART_COPY = {"method": "PUT", "query": r"(^|&)partNumber=", "headers": {"x-amz-copy-source": "."}}
PART = {"method": "PUT", "query": r"(^|&)partNumber="}  # UploadPart or UploadPartCopy
ABORT = {"method": "DELETE", "query": r"(^|&)uploadId="}
STOP_BUDGET_S = 10  # ECS waits 30 s after SIGTERM; we promise a third of it


def slowdown():
    return {"status": 503, "headers": {"Content-Type": "application/xml"},
            "body": "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"}


class NetworkFaults:
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.src = cls.srv.new_bucket("src")
        # A large object (copied with UploadPartCopy) and small ones (assembled into UploadPart).
        cls.objects = {"set/big.bin": data_for("set/big.bin", 11 * MiB)}
        cls.objects.update({f"set/small-{i}.txt": data_for(f"set/small-{i}.txt", 1000 + i) for i in range(4)})
        cls.srv.put_many(cls.src, cls.objects)

    def create_args(self, dst):
        return ("-cf", f"s3://{dst}/a.tar", f"s3://{self.src}/set/", "--path-style", "--concurrency", "2")

    def assert_nothing_left(self, dst):
        self.assertEqual(self.srv.open_uploads(dst), [], "the multipart upload must be aborted")
        self.assertEqual(self.srv.keys(dst), [], "no archive or index object")

    def sigterm_when(self, proxy, env, dst, seen):
        """Starts a create through the proxy, sends SIGTERM once seen(requests) holds, and returns
        (exit code, seconds from the signal to the exit, stderr)."""
        p = self.srv.popen(*self.create_args(dst), env=env)
        try:
            deadline = time.monotonic() + 60
            while p.poll() is None and time.monotonic() < deadline and not seen(proxy.requests()):
                time.sleep(0.05)
            if p.poll() is not None:
                self.fail("the run ended before the fault was reached: " +
                          p.stderr.read().decode(errors="replace")[-3000:])
            self.assertTrue(seen(proxy.requests()), "the fault was never reached")
            time.sleep(0.5)  # well inside the stall or the back-off
            sent = time.monotonic()
            p.send_signal(signal.SIGTERM)
            try:
                _, err = p.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                self.fail("still running 30 s after SIGTERM (ECS would SIGKILL it: exit 137)")
            return p.returncode, time.monotonic() - sent, err.decode(errors="replace")
        finally:
            if p.poll() is None:
                p.kill()
                p.communicate()

    def test_sigterm_while_parts_stall(self):
        dst = self.srv.new_bucket("dst")
        stall = {"action": "delay", "seconds": 300, "status": 500}
        with FaultProxy(self.srv, [on(PART, [stall])]) as proxy:
            env = self.srv.binary_env(AWS_ENDPOINT_URL=proxy.endpoint)
            rc, took, err = self.sigterm_when(
                proxy, env, dst, lambda reqs: any(r["method"] == "PUT" and "partNumber=" in r["query"] for r in reqs))
            aborts = proxy.count("DELETE", "uploadId=")
        self.assertEqual(rc, s3env.EXIT_TRANSIENT, err[-3000:])
        self.assertLess(took, STOP_BUDGET_S, err[-3000:])
        self.assertGreaterEqual(aborts, 1, "the upload was aborted through the proxy")
        self.assertRegex(err, "interrupted|cancelled by a stop request")
        self.assert_nothing_left(dst)

    def test_sigterm_while_throttled(self):
        dst = self.srv.new_bucket("dst")
        with FaultProxy(self.srv, [on(PART, [slowdown()])]) as proxy:
            env = self.srv.binary_env(AWS_ENDPOINT_URL=proxy.endpoint, AWS_MAX_ATTEMPTS="20")
            rc, took, err = self.sigterm_when(
                proxy, env, dst,
                lambda reqs: sum(r["method"] == "PUT" and "partNumber=" in r["query"] for r in reqs) >= 3)
            aborts = proxy.count("DELETE", "uploadId=")
        self.assertEqual(rc, s3env.EXIT_TRANSIENT, err[-3000:])
        self.assertLess(took, STOP_BUDGET_S, err[-3000:])
        self.assertGreaterEqual(aborts, 1)
        self.assert_nothing_left(dst)

    def test_upload_part_200_with_error_is_retried_then_exit_5(self):
        dst = self.srv.new_bucket("dst")
        error200 = {"status": 200, "headers": {"Content-Type": "application/xml"},
                    "body": "<Error><Code>InternalError</Code><Message>injected</Message></Error>"}
        rules = [on(UPLOAD_PART_COPY, [{"action": "forward"}]), on(PART, [error200])]
        with FaultProxy(self.srv, rules) as proxy:
            env = self.srv.binary_env(AWS_ENDPOINT_URL=proxy.endpoint, AWS_MAX_ATTEMPTS="3")
            rc, out, err = self.srv.run(*self.create_args(dst), env=env, timeout=120)
            plain_parts = [r for r in proxy.requests() if r["method"] == "PUT" and "partNumber=" in r["query"]
                           and "x-amz-copy-source" not in r["headers"]]
        self.assertEqual(rc, s3env.EXIT_TRANSIENT, err[-3000:])
        self.assertIn("InternalError", err)
        by_part = {}
        for r in plain_parts:
            by_part[r["query"]] = by_part.get(r["query"], 0) + 1
        self.assertTrue(by_part, "an UploadPart was sent")
        self.assertIn(3, by_part.values(), f"an UploadPart was tried 3 times: {by_part}")
        self.assert_nothing_left(dst)

    def test_corrupted_source_body_is_read_again_then_exit_5(self):
        dst = self.srv.new_bucket("dst")
        key = "set/small-1.txt"
        data = self.objects[key]
        corrupted = bytes([data[0] ^ 1]) + data[1:]
        answer = {"status": 200, "headers": {"ETag": f'"{s3env.md5(data)}"', "Content-Type": "binary/octet-stream"},
                  "body_base64": base64.b64encode(corrupted).decode()}
        rules = [{"method": "GET", "path": f"/{self.src}/{key}", "responses": [answer]}]
        with FaultProxy(self.srv, rules) as proxy:
            env = self.srv.binary_env(AWS_ENDPOINT_URL=proxy.endpoint)
            rc, out, err = self.srv.run(*self.create_args(dst), env=env, timeout=120)
            gets = [r for r in proxy.requests() if r["method"] == "GET" and r["path"] == f"/{self.src}/{key}"]
        self.assertEqual(rc, s3env.EXIT_TRANSIENT, err[-3000:])
        self.assertIn("MD5 ETag", err)
        self.assertEqual(len(gets), 2, "read once more, then given up")
        self.assert_nothing_left(dst)

    def test_unresolvable_endpoint_is_retried_and_named(self):
        env = self.srv.binary_env(AWS_ENDPOINT_URL="http://nonexistent.invalid:9", AWS_MAX_ATTEMPTS="3")
        rc, out, err = s3env.run_binary(["-tvf", "s3://bucket/a.tar", "--path-style"], env, timeout=60)
        self.assertEqual(rc, s3env.EXIT_TRANSIENT, err)
        self.assertIn("Could not resolve host", err)
        self.assertIn("nonexistent.invalid", err)
        self.assertNotIn("bad argument", err)
        retries = [r for r in s3env.log_lines(err) if r.get("event") == "s3.retry"]
        self.assertEqual(len(retries), 2, err)
        for r in retries:
            self.assertIn("Could not resolve host", r["cause"])
            for field in ("operation", "resource", "attempt", "wait_ms"):
                self.assertIn(field, r)

    def test_debug_logs_every_request_without_secrets(self):
        dst = self.srv.new_bucket("dst")
        rc, out, err = self.srv.run(*self.create_args(dst), "--debug")
        self.assertEqual(rc, 0, err[-3000:])
        requests = [r for r in s3env.log_lines(err) if r.get("event") == "s3.request"]
        self.assertTrue(any(r["method"] == "POST" and "uploads" in r["path"] for r in requests), err[-3000:])
        for r in requests:
            for field in ("method", "path", "status", "request_id", "ms"):
                self.assertIn(field, r)
        self.assertTrue(all(r["status"] for r in requests))
        secret = self.srv.env["AWS_SECRET_ACCESS_KEY"]
        self.assertNotIn(secret, err)
        self.assertNotIn("Signature=", err)
        self.assertNotIn("Credential=", err)


s3env.server_classes(NetworkFaults, globals())

if __name__ == "__main__":
    unittest.main()
