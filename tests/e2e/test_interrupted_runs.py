"""Runs of -c that were killed or interrupted, and the run after them to the same key: the next
run aborts the multipart uploads a SIGKILL left open (and says so); a volume set (--size-limit)
that did not finish cannot look finished, and a later set to the same key says which volumes
are current."""

import json
import signal
import time
import unittest

import s3env
from s3env import MiB, data_for


def read_events(proc, until_event, timeout=120):
    """Reads JSON log lines from proc.stderr until one has event `until_event`; returns them."""
    seen = []
    deadline = time.monotonic() + timeout
    for line in proc.stderr:
        rec = s3env.log_lines(line.decode("utf-8", "replace"))
        seen.extend(rec)
        if any(r.get("event") == until_event for r in rec):
            return seen
        if time.monotonic() > deadline:
            break
    raise AssertionError(f"no {until_event} event; saw {[r.get('event') for r in seen]}")


class InterruptedRuns:
    def get_json(self, bucket, key):
        return json.loads(self.srv.get(bucket, key))

    def test_next_create_aborts_the_upload_a_killed_run_left(self):
        src = self.srv.new_bucket("src")
        dst = self.srv.new_bucket("dst")
        # Enough small objects that the upload is open for a while (one GET each).
        self.srv.put_many(src, {f"k/{i:04d}.bin": data_for(str(i), 32 * 1024) for i in range(600)})
        proc = self.srv.popen("-cf", f"s3://{dst}/a.tar", f"s3://{src}/k/")
        try:
            deadline = time.monotonic() + 60
            while not self.srv.open_uploads(dst):
                self.assertIsNone(proc.poll(), "the run ended before its upload could be seen")
                self.assertLess(time.monotonic(), deadline, "no upload was started")
                time.sleep(0.01)
            proc.send_signal(signal.SIGKILL)
        finally:
            proc.wait()
            proc.stdout.close()
            proc.stderr.close()
        left = self.srv.open_uploads(dst)
        self.assertEqual([k for k, _ in left], ["a.tar"], "the killed run left its upload open")

        rc, out, err = self.srv.run("-cf", f"s3://{dst}/a.tar", f"s3://{src}/k/")
        self.assertEqual(rc, 0, err[-3000:])
        said = [r for r in s3env.log_lines(err) if r.get("event") == "upload.stale_aborted"]
        self.assertEqual([r.get("upload_id") for r in said], [left[0][1]], err[-3000:])
        self.assertEqual(self.srv.open_uploads(dst), [])
        self.assertEqual(len(s3env.tar_members(self.srv.get(dst, "a.tar"))), 601)

    def test_an_interrupted_set_does_not_look_finished_and_a_later_set_says_what_is_current(self):
        src = self.srv.new_bucket("src")
        dst = self.srv.new_bucket("dst")
        objects = {f"s/{i}.bin": data_for(f"s/{i}", 3 * MiB) for i in range(6)}
        self.srv.put_many(src, objects)
        # Two objects per volume: three volumes. Stopped once the first is written.
        proc = self.srv.popen("-cf", f"s3://{dst}/set.tar", f"s3://{src}/s/", "--size-limit", "7MiB")
        try:
            read_events(proc, "archive.complete")
            proc.send_signal(signal.SIGTERM)
            proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        self.assertEqual(proc.returncode, s3env.EXIT_TRANSIENT)
        manifest = self.get_json(dst, "set.tar.set.json")
        self.assertEqual(manifest["status"], "writing", manifest)
        self.assertEqual([v["archive"] for v in manifest["volumes"]],
                         [f"s3://{dst}/set.0{i}.tar" for i in (0, 1, 2)])
        first = self.get_json(dst, "set.00.tar.index.json")
        self.assertEqual(first["set"]["volumes"], 3)
        self.assertEqual(first["set"]["volume"], 1)
        self.assertEqual(first["set"]["id"], manifest["set"])
        self.assertEqual(self.srv.open_uploads(dst), [])

        # The same set again finishes it.
        self.assertRc(self.srv.run("-cf", f"s3://{dst}/set.tar", f"s3://{src}/s/", "--size-limit", "7MiB"), 0,
                      "set")
        manifest = self.get_json(dst, "set.tar.set.json")
        self.assertEqual(manifest["status"], "complete")
        self.assertEqual([v["archive"] for v in manifest["volumes"]],
                         [f"s3://{dst}/set.0{i}.tar" for i in (0, 1, 2)])
        for i in (0, 1, 2):
            side = self.get_json(dst, f"set.0{i}.tar.index.json")
            # "volume 1 of 3" is set.00.tar: the sidecar counts from 1, the key from 00.
            self.assertEqual((side["set"]["id"], side["set"]["volume"]), (manifest["set"], i + 1))
            self.assertEqual(side["etag"], manifest["volumes"][i]["etag"])

        # A later, smaller set to the same key: the manifest names only its volumes, and the run
        # says which earlier volume is not part of it.
        for k in list(objects)[4:]:
            self.srv.client.delete_object(Bucket=src, Key=k)
        rc, out, err = self.srv.run("-cf", f"s3://{dst}/set.tar", f"s3://{src}/s/", "--size-limit", "7MiB")
        self.assertEqual(rc, 0, err[-3000:])
        manifest = self.get_json(dst, "set.tar.set.json")
        self.assertEqual(manifest["status"], "complete")
        self.assertEqual([v["archive"] for v in manifest["volumes"]], [f"s3://{dst}/set.0{i}.tar" for i in (0, 1)])
        stale = [r.get("archive") for r in s3env.log_lines(err) if r.get("event") == "set.stale_volume"]
        self.assertEqual(stale, [f"s3://{dst}/set.02.tar"], err[-3000:])
        old = self.get_json(dst, "set.02.tar.index.json")
        self.assertNotEqual(old["set"]["id"], manifest["set"], "the leftover names another set")

        # One volume without --size-limit: still a set, since an earlier one was there.
        rc, out, err = self.srv.run("-cf", f"s3://{dst}/set.tar", f"s3://{src}/s/")
        self.assertEqual(rc, 0, err[-3000:])
        manifest = self.get_json(dst, "set.tar.set.json")
        self.assertEqual([v["archive"] for v in manifest["volumes"]], [f"s3://{dst}/set.tar"])
        stale = sorted(r.get("archive") for r in s3env.log_lines(err) if r.get("event") == "set.stale_volume")
        self.assertEqual(stale, [f"s3://{dst}/set.0{i}.tar" for i in (0, 1, 2)])


s3env.server_classes(InterruptedRuns, globals())

if __name__ == "__main__":
    unittest.main()
