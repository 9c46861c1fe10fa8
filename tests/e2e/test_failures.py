"""Failure modes of create: missing, changed and archived sources, malformed manifests and bad
flags give the documented exit codes, a one-line error, and leave nothing behind (no archive
object, no open multipart upload); --skip-unreadable completes without the bad sources and
lists them in the report."""

import json
import os
import tempfile
import unittest

import s3env
from s3env import MiB, data_for


class Failures:
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = tempfile.TemporaryDirectory(prefix="s3tar-e2e-fail-")
        cls.src = cls.srv.new_bucket("src")
        # A large object so that a full run would need a multipart upload.
        cls.objects = {"ok/big.bin": data_for("ok/big.bin", 6 * MiB + 10)}
        cls.objects.update({f"ok/{i}.txt": data_for(f"ok/{i}.txt", 300 * i + 1) for i in range(5)})
        cls.srv.put_many(cls.src, cls.objects)
        # GLACIER sources: both servers accept the class on PUT.
        cls.glacier_key = "cold/frozen.txt"
        cls.srv.put(cls.src, cls.glacier_key, b"frozen bytes", StorageClass="GLACIER")
        cls.srv.put(cls.src, "cold/warm.txt", b"warm bytes")
        cls.srv.put(cls.src, "cold/big-warm.bin", data_for("cold/big-warm.bin", 6 * MiB))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()
        super().tearDownClass()

    def manifest(self, name, rows):
        path = os.path.join(self.tmp.name, f"{self.srv.name}-{name}")
        with open(path, "w", encoding="utf-8") as f:
            f.write("".join(r + "\n" for r in rows))
        return path

    def ok_rows(self):
        return [f"{self.src},{k},{len(v)}" for k, v in self.objects.items()]

    def assert_nothing_written(self, bucket):
        self.assertEqual(self.srv.keys(bucket), [], "no archive or index object may be written")
        self.assertEqual(self.srv.open_uploads(bucket), [], "no multipart upload may be left open")

    def assert_one_error_naming(self, err, needle):
        errors = s3env.error_lines(err)
        self.assertEqual(len(errors), 1, f"exactly one error line:\n{err}")
        self.assertIn(needle, json.dumps(errors[0], ensure_ascii=False), errors[0])
        self.assertNotIn("\n", errors[0].get("msg", errors[0].get("message", "")))

    # ---- missing sources --------------------------------------------------------------------

    def test_missing_object_fails_cleanly(self):
        dst = self.srv.new_bucket("dst")
        rows = self.ok_rows() + [f"{self.src},ok/not-there.txt,42"]
        rc, out, err = self.srv.run("-cf", f"s3://{dst}/a.tar", "-m", self.manifest("missing.csv", rows))
        self.assertEqual(rc, s3env.EXIT_BAD_INPUT, err)
        self.assert_one_error_naming(err, "ok/not-there.txt")
        self.assert_nothing_written(dst)

    def test_missing_object_skipped(self):
        dst = self.srv.new_bucket("dst")
        rows = self.ok_rows() + [f"{self.src},ok/not-there.txt,42"]
        report = os.path.join(self.tmp.name, f"{self.srv.name}-skip-report.json")
        rc, out, err = self.srv.run("-cf", f"s3://{dst}/a.tar", "-m", self.manifest("missing2.csv", rows),
                                    "--skip-unreadable", "--report", report)
        self.assertEqual(rc, s3env.EXIT_PARTIAL, err)
        data = self.srv.get(dst, "a.tar")
        names = [m[0] for m in s3env.tar_members(data)]
        self.assertEqual(sorted(names), sorted(["toc.csv", *self.objects]))
        with open(report) as f:
            rep = json.load(f)
        skipped = rep["objects_skipped"]
        self.assertEqual([(s["bucket"], s["key"]) for s in skipped], [(self.src, "ok/not-there.txt")])
        self.assertEqual(skipped[0]["reason"], "missing")
        self.assertEqual(self.srv.open_uploads(dst), [])

    # ---- changed sources ----------------------------------------------------------------------

    def test_wrong_etag_is_changed(self):
        dst = self.srv.new_bucket("dst")
        rows = [f"{self.src},{k},{len(v)},{s3env.md5(v)}" for k, v in self.objects.items()]
        rows[1] = f"{self.src},ok/0.txt,1,0123456789abcdef0123456789abcdef"
        rc, out, err = self.srv.run("-cf", f"s3://{dst}/a.tar", "-m", self.manifest("etag.csv", rows))
        self.assertEqual(rc, s3env.EXIT_BAD_INPUT, err)
        self.assert_one_error_naming(err, "ok/0.txt")
        self.assertIn("changed", err)
        self.assert_nothing_written(dst)

    def test_wrong_size_is_changed(self):
        dst = self.srv.new_bucket("dst")
        rows = self.ok_rows()
        rows[0] = f"{self.src},ok/big.bin,{6 * MiB}"
        rc, out, err = self.srv.run("-cf", f"s3://{dst}/a.tar", "-m", self.manifest("size.csv", rows))
        self.assertEqual(rc, s3env.EXIT_BAD_INPUT, err)
        self.assert_one_error_naming(err, "ok/big.bin")
        self.assert_nothing_written(dst)

    # ---- archived sources ---------------------------------------------------------------------

    def test_glacier_source_in_listing(self):
        self.assertEqual(self.srv.storage_class(self.src, self.glacier_key), "GLACIER")
        dst = self.srv.new_bucket("dst")
        rc, out, err = self.srv.run("-cf", f"s3://{dst}/a.tar", f"s3://{self.src}/cold/")
        self.assertEqual(rc, s3env.EXIT_BAD_INPUT, err)
        self.assertIn(self.glacier_key, err)
        self.assert_nothing_written(dst)

        report = os.path.join(self.tmp.name, f"{self.srv.name}-glacier-report.json")
        rc, out, err = self.srv.run("-cf", f"s3://{dst}/a.tar", f"s3://{self.src}/cold/", "--skip-unreadable",
                                    "--report", report)
        self.assertEqual(rc, s3env.EXIT_PARTIAL, err)
        names = [m[0] for m in s3env.tar_members(self.srv.get(dst, "a.tar"))]
        self.assertEqual(sorted(names), ["cold/big-warm.bin", "cold/warm.txt", "toc.csv"])
        with open(report) as f:
            skipped = json.load(f)["objects_skipped"]
        self.assertEqual([(s["key"], s["reason"]) for s in skipped], [(self.glacier_key, "archived")])

    def test_glacier_source_in_manifest(self):
        dst = self.srv.new_bucket("dst")
        rows = self.ok_rows() + [f"{self.src},{self.glacier_key},12"]
        rc, out, err = self.srv.run("-cf", f"s3://{dst}/a.tar", "-m", self.manifest("glacier.csv", rows))
        self.assertEqual(rc, s3env.EXIT_BAD_INPUT, err)
        self.assert_one_error_naming(err, self.glacier_key)
        self.assert_nothing_written(dst)

    # ---- malformed input, bad flags -------------------------------------------------------------

    def test_malformed_manifest_row(self):
        dst = self.srv.new_bucket("dst")
        for name, bad in [("short.csv", f"{self.src},ok/1.txt"), ("nan.csv", f"{self.src},ok/1.txt,twelve")]:
            with self.subTest(row=bad):
                rows = self.ok_rows()[:2] + [bad] + self.ok_rows()[2:]
                path = self.manifest(name, rows)
                rc, out, err = self.srv.run("-cf", f"s3://{dst}/a.tar", "-m", path)
                self.assertEqual(rc, s3env.EXIT_BAD_INPUT, err)
                self.assertIn(f"{path}:3", err, "the error names file:line")
                self.assertEqual(len(s3env.error_lines(err)), 1, err)
        self.assert_nothing_written(dst)

    def test_missing_local_manifest(self):
        dst = self.srv.new_bucket("dst")
        rc, out, err = self.srv.run("-cf", f"s3://{dst}/a.tar", "-m", os.path.join(self.tmp.name, "nope.csv"))
        self.assertIn(rc, (s3env.EXIT_USAGE, s3env.EXIT_BAD_INPUT), err)
        self.assert_nothing_written(dst)

    def test_bad_flags_exit_2(self):
        dst = f"s3://{self.src}/never.tar"
        cases = [
            ["--no-such-flag"],
            ["-cf", dst],  # no source
            ["-c", "-t", "-f", dst, f"s3://{self.src}/ok/"],
            ["-cf", dst, f"s3://{self.src}/ok/", "--format", "zip"],
            ["-cf", dst, f"s3://{self.src}/ok/", "--size-limit", "12XB"],
            ["-cf", "not-an-s3-url.tar", f"s3://{self.src}/ok/"],
            ["-cf", dst, f"s3://{self.src}/ok/", "-m", "x.csv"],
            ["-xf", dst],  # no -C
            ["-tf"],
            ["verify"],
        ]
        for args in cases:
            with self.subTest(args=args):
                rc, out, err = self.srv.run(*args)
                self.assertEqual(rc, s3env.EXIT_USAGE, f"stdout:{out}\nstderr:{err}")
                self.assertTrue(err.strip(), "a usage error says why")
        self.assertFalse(self.srv.exists(self.src, "never.tar"))

    def test_inconsistent_part_limits_exit_2(self):
        # Limits that no plan can satisfy come from the command line: a usage error (2), not bad
        # input data (3).
        rc, out, err = self.srv.run("-cf", f"s3://{self.src}/never.tar", f"s3://{self.src}/ok/",
                                    "--server-max-part-size", "7MiB", "--dry-run")
        self.assertEqual(rc, s3env.EXIT_USAGE, err)

    def test_missing_destination_bucket(self):
        rc, out, err = self.srv.run("-cf", "s3://no-such-bucket-s3tar-e2e/a.tar", f"s3://{self.src}/ok/")
        self.assertEqual(rc, s3env.EXIT_USAGE, err)


s3env.server_classes(Failures, globals())

if __name__ == "__main__":
    unittest.main()
