"""SIGTERM during a create (ECS stops a task with SIGTERM): s3tar stops scheduling, aborts the
open multipart upload, writes no archive and exits with the transient code (5).

The signal is sent once the multipart upload is visible on the server (so the abort path is
what gets tested, not the early exit before any write); if the run ends before that, the
workload is doubled and the run repeated, and the test fails if it never catches a run in
flight."""

import json
import signal
import time
import unittest

import s3env
from s3env import MiB


class Sigterm:
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.src = cls.srv.new_bucket("src")

    def ensure_source(self, key, size):
        if not self.srv.exists(self.src, key):
            # Copy ranges need no particular content; a repeated block keeps this fast.
            self.srv.put(self.src, key, (b"0123456789abcdef" * 65536) * (size // MiB))

    def test_sigterm_aborts_upload(self):
        size = 96 * MiB
        for attempt in range(4):
            key = f"big/{size // MiB}mib.bin"
            self.ensure_source(key, size)
            dst = self.srv.new_bucket("dst")
            # 10 MiB copy parts one at a time: many requests, each short.
            p = self.srv.popen("-cvf", f"s3://{dst}/a.tar", f"s3://{self.src}/{key}", "--concurrency", "1",
                               "--max-part-size", "10MiB", "--part-size", "5MiB")
            seen_upload = False
            deadline = time.monotonic() + 30
            while p.poll() is None and time.monotonic() < deadline:
                if self.srv.open_uploads(dst):
                    seen_upload = True
                    break
                time.sleep(0.02)
            if seen_upload and p.poll() is None:
                time.sleep(0.3)  # a few parts in
            if p.poll() is not None:
                out, err = p.communicate()
                self.assertEqual(p.returncode, 0, err.decode(errors="replace"))
                size *= 2  # finished before the signal: more work and try again
                continue
            p.send_signal(signal.SIGTERM)
            try:
                out, err = p.communicate(timeout=60)
            except Exception:
                p.kill()
                p.communicate()
                raise
            err = err.decode(errors="replace")
            self.assertTrue(seen_upload, "the multipart upload was seen before the signal")
            self.assertEqual(p.returncode, s3env.EXIT_TRANSIENT, err[-3000:])
            events = [r.get("event") or r.get("msg") for r in s3env.log_lines(err)]
            self.assertIn("interrupted", json.dumps(events) + err, err[-3000:])
            self.assertEqual(self.srv.open_uploads(dst), [], "the multipart upload must be aborted")
            self.assertEqual(self.srv.keys(dst), [], "no archive or index object")
            return
        self.fail("every run finished before SIGTERM could be sent; the interrupted path was not tested")


s3env.server_classes(Sigterm, globals())

if __name__ == "__main__":
    unittest.main()
