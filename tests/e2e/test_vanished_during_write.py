"""`-c --skip-unreadable` when sources vanish in the middle of the write, after earlier parts of
the archive were uploaded: the volume is rewritten once without them, reading no source twice
(the uploaded parts' sources stayed in memory), and the archive is byte for byte the one a clean
run over the remaining objects makes. Against RGW and moto.

The write is stopped (SIGSTOP) as soon as it starts, three objects of the last part are deleted,
and it is continued. A fault proxy holds the GETs of those three 5 s before relaying the
server's NoSuchKey, so the first two parts are read and uploaded before the failure is seen
(the case that read their sources again: 1.26 x the planned requests in the bench).

With `--concurrency 2` only two upload parts fit in memory: the parts uploaded before them are
pushed out to the spool file, and the rewrite reads their sources from there, not from S3.

With large objects (copied server-side) in the volume, the rewrite stays in the upload the first
attempt left open and keeps the copy parts it stored: no UploadPartCopy is sent twice. A large
object deleted after its copy was stored (and its first bytes read) stays in the archive: the
rewrite has all its bytes and does not look for it again.
"""

import json
import os
import re
import signal
import tempfile
import threading
import time
import unittest

import s3env
from fault_proxy import FaultProxy

OBJECTS = 400
SIZE = 32 * 1024  # about 13 MiB: three upload parts of 5 MiB
VANISHED = ["set/obj-0370.bin", "set/obj-0385.bin", "set/obj-0399.bin"]
# 800 objects: five upload parts of 5 MiB, more than the two memory slots of --concurrency 2.
MORE_OBJECTS = 800
MORE_VANISHED = ["set/obj-0770.bin", "set/obj-0785.bin", "set/obj-0799.bin"]
# Two objects of 11 MiB (one copy part each) among 400 small ones: about 5 MiB of small objects
# before each large one, the last 80 after both; three of those vanish.
LARGE = {"set/big-0.bin": 11 * s3env.MiB, "set/big-1.bin": 11 * s3env.MiB}


class VanishedDuringWrite:
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="s3tar-vanished-")
        self.addCleanup(self.tmp.cleanup)

    def dry_run(self, args):
        rc, out, err = self.srv.run(*args, "--dry-run")
        self.assertEqual(rc, 0, err[-2000:])
        return out

    def planned_requests(self, args):
        return int(re.search(r"Requests: (\d+) total", self.dry_run(args)).group(1))

    def delete_after_copy(self, dst, key):
        """Deletes `key` once the upload holds both large objects' copy parts and every part
        before them (a large object's first bytes are read into the part before its copy), while
        the vanished objects' GETs are held: the write fails after that."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            uploads = self.srv.client.list_multipart_uploads(Bucket=dst).get("Uploads", [])
            if uploads:
                parts = self.srv.client.list_parts(Bucket=dst, Key="a.tar", UploadId=uploads[0]["UploadId"])
                numbers = {p["PartNumber"] for p in parts.get("Parts", [])}
                copies = [p["PartNumber"] for p in parts.get("Parts", []) if p["Size"] > 5.5 * s3env.MiB]
                if len(copies) == len(LARGE) and numbers >= set(range(1, max(copies) + 1)):
                    self.srv.client.delete_object(Bucket=self.src, Key=key)
                    self.deleted_after_copy = True
                    return
            time.sleep(0.05)

    def write_while_deleting(self, args, env, vanished, after_start=None):
        """Runs `args`, deleting `vanished` while the process is stopped at the start of the write,
        then calls `after_start` (on another thread) once it continues."""
        lines = []
        deleted = False
        with self.srv.popen(*args, env=env) as p:
            watchdog = threading.Timer(180, p.kill)  # a hung run ends the test, not the suite
            watchdog.start()
            self.addCleanup(watchdog.cancel)
            for line in p.stderr:
                lines.append(line)
                if not deleted and b'"event":"archive.start"' in line:
                    p.send_signal(signal.SIGSTOP)
                    for key in vanished:
                        self.srv.client.delete_object(Bucket=self.src, Key=key)
                    deleted = True
                    p.send_signal(signal.SIGCONT)
                    if after_start:
                        helper = threading.Thread(target=after_start)
                        helper.start()
                        self.addCleanup(helper.join)
            out = p.stdout.read()
            rc = p.wait(timeout=120)
        return rc, out.decode("utf-8", "replace"), b"".join(lines).decode("utf-8", "replace")

    def test_a_rewrite_reads_no_source_twice_and_makes_the_clean_archive(self):
        self.check_one_rewrite(OBJECTS, VANISHED, [])

    def test_parts_pushed_out_of_memory_are_read_back_from_the_spool(self):
        self.check_one_rewrite(MORE_OBJECTS, MORE_VANISHED, ["--concurrency", "2"])

    def test_a_rewrite_keeps_the_copy_parts_it_stored(self):
        self.check_one_rewrite(OBJECTS, VANISHED, [], large=LARGE)

    def test_a_large_object_deleted_after_its_copy_stays_in_the_archive(self):
        self.check_one_rewrite(OBJECTS, VANISHED, [], large=LARGE, gone_after_copy="set/big-0.bin")

    def check_one_rewrite(self, count, vanished, extra, large=None, gone_after_copy=None):
        self.src, dst = self.srv.new_bucket("src"), self.srv.new_bucket("dst")
        objects = {f"set/obj-{i:04d}.bin": s3env.data_for(f"set/{i}", SIZE) for i in range(count)}
        objects.update({key: s3env.data_for(key, size) for key, size in (large or {}).items()})
        self.srv.put_many(self.src, objects)
        args = ["-cf", f"s3://{dst}/a.tar", f"s3://{self.src}/set/", "--part-size", "5MiB", *extra]
        plan = self.dry_run(args)
        planned = int(re.search(r"Requests: (\d+) total", plan).group(1))
        planned_copies = int(re.search(r"UploadPartCopy (\d+)", plan).group(1))
        self.assertEqual(planned_copies, len(large or {}), plan)
        report = os.path.join(self.tmp.name, "report.json")
        hold = 8 if gone_after_copy else 5  # seconds the vanished objects' GETs are held
        rules = [{"method": "GET", "path": ".*/" + re.escape(key), "responses": [{"action": "forward", "delay": hold}]}
                 for key in vanished]
        with FaultProxy(self.srv, rules) as proxy:
            env = self.srv.binary_env(AWS_ENDPOINT_URL=proxy.endpoint)
            after_start = (lambda: self.delete_after_copy(dst, gone_after_copy)) if gone_after_copy else None
            # Path-style through the proxy (its rules match paths), as the other fault-proxy tests.
            rc, out, err = self.write_while_deleting(
                [*args, "--skip-unreadable", "--report", report, "--path-style"], env, vanished, after_start)
            requests_seen = proxy.requests()
        self.assertEqual(rc, s3env.EXIT_PARTIAL, err[-4000:])
        with open(report, encoding="utf-8") as f:
            rep = json.load(f)
        self.assertEqual(sorted(s["key"] for s in rep["objects_skipped"]), vanished)
        requests = rep["requests"]
        if large:
            # The rewrite went into the first attempt's upload and kept both copy parts.
            self.assertEqual(requests.get("UploadPartCopy"), planned_copies, f"copies sent again: {requests}")
            self.assertEqual(requests.get("CreateMultipartUpload"), 1, f"one upload: {requests}")
            copies = [r for r in requests_seen if r["method"] == "PUT" and "x-amz-copy-source" in r["headers"]]
            self.assertEqual(len(copies), planned_copies, "an UploadPartCopy was sent twice")
        else:
            self.assertEqual(requests.get("CreateMultipartUpload"), 2, f"one rewrite: {requests}")
        parts_sent = [r for r in requests_seen if r["method"] == "PUT" and "partNumber=" in r["query"]]
        self.assertGreater(len(parts_sent), 3, "the case needs parts uploaded before the failure was seen")
        # Every remaining object read once, each vanished one at most twice (its GET, and a GET or
        # HEAD that confirms it gone); the total within the bound of issue 8.
        gets = {}
        for r in requests_seen:
            if r["method"] == "GET" and "/set/obj-" in r["path"]:
                key = r["path"][r["path"].index("set/obj-"):]
                gets[key] = gets.get(key, 0) + 1
        read_again = sorted(k for k, n in gets.items() if n > 1 and k not in vanished)
        self.assertEqual(read_again, [], f"{len(read_again)} remaining objects read again")
        small = [k for k in objects if k.startswith("set/obj-")]  # the large ones are copied
        self.assertEqual(len([k for k in small if k not in vanished and k not in gets]), 0)
        self.assertLessEqual(requests.get("GetObject", 0), count - len(vanished) + 2 * len(vanished), requests)
        self.assertLessEqual(rep["requests_total"], 1.1 * planned + 2 * len(vanished), requests)
        self.assertEqual(self.srv.open_uploads(dst), [])
        if gone_after_copy:
            self.assertTrue(getattr(self, "deleted_after_copy", False), "the copy parts were never all stored")
            # Its first bytes were read once, by a ranged GET before the failure; the rewrite took
            # them from what that attempt kept (a GET after the deletion would have failed).
            reads = [r for r in requests_seen if r["method"] == "GET" and r["path"].endswith("/" + gone_after_copy)]
            self.assertEqual([("range" in r["headers"]) for r in reads], [True], "one ranged GET of its head")
            self.check_members(self.srv.get(dst, "a.tar"), {k: v for k, v in objects.items() if k not in vanished})
            return

        # A clean run over the objects that remain makes the same archive, byte for byte.
        rc, out, err = self.srv.run("-cf", f"s3://{dst}/clean.tar", f"s3://{self.src}/set/", "--part-size", "5MiB")
        self.assertEqual(rc, 0, err[-2000:])
        written, clean = self.srv.get(dst, "a.tar"), self.srv.get(dst, "clean.tar")
        self.assertEqual(len(written), len(clean))
        self.assertTrue(written == clean, "the rewritten archive differs from a clean run's")
        names = {name for name, _, _ in s3env.tar_members(written)} - {"toc.csv"}
        self.assertEqual(names, set(objects) - set(vanished))
        self.assertEqual(self.srv.open_uploads(dst), [])

    def check_members(self, archive, expected):
        """`archive` holds exactly `expected` (name -> bytes), each member's bytes its object's."""
        members = {name: (offset, size) for name, offset, size in s3env.tar_members(archive)}
        members.pop("toc.csv")
        self.assertEqual(sorted(members), sorted(expected))
        for name, (offset, size) in members.items():
            self.assertTrue(archive[offset:offset + size] == expected[name], f"{name}: wrong bytes")


s3env.server_classes(VanishedDuringWrite, globals())

if __name__ == "__main__":
    unittest.main()
