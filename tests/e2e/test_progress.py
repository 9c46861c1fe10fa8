"""Progress that moves: an archive smaller than one upload part and the extraction of a single
member report bytes as their reads complete, not only once everything is done, and each ends
with a summary giving objects, bytes and the elapsed time. Read from the JSON log lines
(stderr is not a terminal here); S3TAR_PROGRESS_SECONDS=0 reports every step."""

import json
import os
import tempfile
import unittest

import s3env
from s3env import MiB, data_for

KiB = 1024


def log_lines(err):
    out = []
    for line in err.splitlines():
        if line.startswith("{"):
            out.append(json.loads(line))
    return out


class ProgressLines:
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = tempfile.TemporaryDirectory(prefix="s3tar-e2e-progress-")
        cls.src = cls.srv.new_bucket("src")
        cls.dst = cls.srv.new_bucket("dst")
        # 2.5 MiB in all: below the 5 MiB minimum part, so the archive is one PutObject.
        cls.small = {f"p/{i:02d}.bin": data_for(f"p/{i:02d}.bin", 256 * KiB + i) for i in range(10)}
        cls.srv.put_many(cls.src, cls.small)
        cls.one = {"q/three-mib.bin": data_for("q/three-mib.bin", 3 * MiB + 5)}
        cls.srv.put_many(cls.src, cls.one)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()
        super().tearDownClass()

    def env(self):
        env = self.srv.binary_env()
        env["S3TAR_LOG_FORMAT"] = "json"
        env["S3TAR_PROGRESS_SECONDS"] = "0"
        return env

    def progress_of(self, err, label):
        lines = [j for j in log_lines(err) if j.get("msg") == label]
        moving = [j for j in lines if j["event"] == "progress"]
        summaries = [j for j in lines if j["event"] == "progress.summary"]
        return moving, summaries

    def check_moves_then_sums_up(self, err, label, objects, total):
        moving, summaries = self.progress_of(err, label)
        self.assertTrue(moving, f"no progress line for {label}:\n{err[-3000:]}")
        seen = [j["bytes"] for j in moving]
        self.assertEqual(seen, sorted(seen), "progress never goes back")
        self.assertTrue(all(j["bytes_total"] == total for j in moving), moving[:3])
        between = [b for b in seen if 0 < b < total]
        self.assertTrue(between, f"no progress between 0 and {total} bytes: {seen}")
        self.assertEqual(len(summaries), 1, err[-3000:])
        s = summaries[0]
        self.assertEqual((s["objects"], s["objects_total"]), (objects, objects))
        self.assertEqual((s["bytes"], s["bytes_total"]), (total, total))
        self.assertIsInstance(s["elapsed_seconds"], float)
        self.assertGreater(s["elapsed_seconds"], 0)

    def test_archive_smaller_than_one_part(self):
        archive = f"s3://{self.dst}/small.tar"
        rc, out, err = self.srv.run("-cf", archive, f"s3://{self.src}/p/", env=self.env())
        self.assertRc((rc, out, err), 0, "create")
        size = self.srv.client.head_object(Bucket=self.dst, Key="small.tar")["ContentLength"]
        self.assertLess(size, 5 * MiB)
        self.check_moves_then_sums_up(err, archive, len(self.small), size)

    def test_extracting_one_member(self):
        archive = f"s3://{self.dst}/one.tar"
        self.assertRc(self.srv.run("-cf", archive, f"s3://{self.src}/q/"), 0, "create")
        out_dir = os.path.join(self.tmp.name, f"{self.srv.name}-one")
        rc, out, err = self.srv.run("-xf", archive, "-C", out_dir, env=self.env())
        self.assertRc((rc, out, err), 0, "extract")
        with open(os.path.join(out_dir, "q", "three-mib.bin"), "rb") as f:
            self.assertTrue(f.read() == self.one["q/three-mib.bin"])
        self.check_moves_then_sums_up(err, "extract " + archive, 1, 3 * MiB + 5)


s3env.server_classes(ProgressLines, globals())

if __name__ == "__main__":
    unittest.main()
