"""Create options against real servers: the archive's storage class, objects split into several
copy ranges under a lowered maximum part size, numbered volumes under --size-limit, tagging and
--dry-run writing nothing."""

import json
import os
import re
import tempfile
import unittest

import s3env
from s3env import MiB, data_for


class CreateOptions:
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = tempfile.TemporaryDirectory(prefix="s3tar-e2e-create-")
        cls.src = cls.srv.new_bucket("src")
        cls.dst = cls.srv.new_bucket("dst")
        # A big object (split into copy ranges when the part size is lowered) and small ones.
        cls.big = {"big/object.bin": data_for("big/object.bin", 40 * MiB + 1001)}
        cls.big.update({f"big/small-{i}.txt": data_for(f"big/small-{i}.txt", 100 + i) for i in range(5)})
        # For volumes: 30 x 200 KiB + 2 x 6 MiB (about 18 MiB).
        cls.vol = {f"vol/s{i:02d}.bin": data_for(f"vol/s{i:02d}.bin", 200 * 1024) for i in range(30)}
        cls.vol.update({f"vol/L{i}.bin": data_for(f"vol/L{i}.bin", 6 * MiB + i) for i in range(2)})
        # A few objects for storage-class and tagging runs.
        cls.few = {f"few/{i}.txt": data_for(f"few/{i}.txt", 1000 * i) for i in range(4)}
        cls.few["few/six-mib.bin"] = data_for("few/six-mib.bin", 6 * MiB)
        cls.srv.put_many(cls.src, {**cls.big, **cls.vol, **cls.few})

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()
        super().tearDownClass()

    def report_path(self, name):
        return os.path.join(self.tmp.name, f"{self.srv.name}-{name}.json")

    def assert_archive_holds(self, archive, objects):
        members = s3env.tar_members(archive)
        self.assertEqual(members[0][0], "toc.csv")
        toc = s3env.parse_toc(archive[members[0][1] : members[0][1] + members[0][2]])
        self.assertEqual(sorted(r[0] for r in toc), sorted(objects))
        for name, off, size, _ in toc:
            self.assertTrue(archive[off : off + size] == objects[name], f"bytes of {name}")
        self.assertEqual(archive[-1024:], b"\0" * 1024, "end-of-archive blocks")
        return toc

    # ---- storage class ------------------------------------------------------------------------

    def test_storage_class_on_archive(self):
        # GLACIER on a single-PutObject archive, DEEP_ARCHIVE on a multipart one.
        cases = [("GLACIER", "few/", {k: v for k, v in self.few.items() if k.endswith(".txt")}),
                 ("DEEP_ARCHIVE", "few/", self.few)]
        for i, (cls_name, _prefix, objs) in enumerate(cases):
            with self.subTest(storage_class=cls_name):
                key = f"class/{cls_name}.tar"
                if len(objs) == len(self.few):
                    args = ["-cf", f"s3://{self.dst}/{key}", f"s3://{self.src}/few/"]
                else:
                    manifest = os.path.join(self.tmp.name, f"{self.srv.name}-class-{i}.csv")
                    with open(manifest, "w") as f:
                        for k, v in objs.items():
                            f.write(f"{self.src},{k},{len(v)}\n")
                    args = ["-cf", f"s3://{self.dst}/{key}", "-m", manifest]
                self.assertRc(self.srv.run(*args, "--storage-class", cls_name), 0, f"create {cls_name}")
                self.assertEqual(self.srv.storage_class(self.dst, key), cls_name)
                self.assertEqual(self.srv.storage_class(self.dst, key + ".index.json"), "STANDARD",
                                 "the sidecar index stays readable without a restore")
                # Both servers serve a GET of a GLACIER/DEEP_ARCHIVE object? moto does not
                # (InvalidObjectState), so read the bytes back only where allowed.
                if self.srv.name == "rgw":
                    self.assert_archive_holds(self.srv.get(self.dst, key), objs)

    # ---- several copy ranges per object ---------------------------------------------------------

    def test_lowered_max_part_size_splits_copies(self):
        key = "split/big.tar"
        limit = ["--max-part-size", "12MiB"]
        rc, out, err = self.srv.run("-cf", f"s3://{self.dst}/{key}", f"s3://{self.src}/big/", *limit, "--dry-run")
        self.assertRc((rc, out, err), 0, "dry run")
        m = re.search(r"(\d+) parts \((\d+) copied server-side, (\d+) uploaded\)", out)
        self.assertIsNotNone(m, f"dry-run output names the parts:\n{out}")
        self.assertGreaterEqual(int(m.group(2)), 3, f"a 40 MiB object under 12 MiB parts needs 3+ copies:\n{out}")
        self.assertEqual(self.srv.keys(self.dst, "split/"), [], "--dry-run writes nothing")

        report = self.report_path("split")
        self.assertRc(self.srv.run("-cf", f"s3://{self.dst}/{key}", f"s3://{self.src}/big/", *limit,
                                   "--report", report), 0, "create")
        with open(report) as f:
            rep = json.load(f)
        copies = rep["requests"].get("UploadPartCopy", 0)
        self.assertGreaterEqual(copies, 3, f"requests: {rep['requests']}")
        self.assertEqual(copies, int(m.group(2)), "the run makes the copies the plan announced")
        self.assert_archive_holds(self.srv.get(self.dst, key), self.big)

        # Default limits: the same object is one copy range.
        report2 = self.report_path("nosplit")
        self.assertRc(self.srv.run("-cf", f"s3://{self.dst}/split/default.tar", f"s3://{self.src}/big/",
                                   "--report", report2), 0, "create with default limits")
        with open(report2) as f:
            self.assertEqual(json.load(f)["requests"].get("UploadPartCopy", 0), 1)
        self.assertTrue(self.srv.get(self.dst, "split/default.tar") == self.srv.get(self.dst, key),
                        "part boundaries do not change the archive's bytes")

    # ---- volumes --------------------------------------------------------------------------------

    def test_size_limit_numbered_volumes(self):
        limit = 8 * MiB
        report = self.report_path("volumes")
        self.assertRc(self.srv.run("-cf", f"s3://{self.dst}/vols/day.tar", f"s3://{self.src}/vol/",
                                   "--size-limit", str(limit), "--report", report), 0, "create")
        keys = sorted(k for k in self.srv.keys(self.dst, "vols/") if k.endswith(".tar"))
        self.assertGreaterEqual(len(keys), 3, keys)
        self.assertEqual(keys, [f"vols/day.{i:02d}.tar" for i in range(len(keys))])
        # The set manifest names them all, finished.
        manifest = json.loads(self.srv.get(self.dst, "vols/day.tar.set.json"))
        self.assertEqual(manifest["status"], "complete")
        self.assertEqual([v["archive"] for v in manifest["volumes"]], [f"s3://{self.dst}/{k}" for k in keys])
        seen = []
        for k in keys:
            archive = self.srv.get(self.dst, k)
            self.assertLessEqual(len(archive), limit, k)
            members = s3env.tar_members(archive)  # each volume is a valid tar on its own
            self.assertEqual(members[0][0], "toc.csv", k)
            toc = s3env.parse_toc(archive[members[0][1] : members[0][1] + members[0][2]])
            for name, off, size, _ in toc:
                self.assertTrue(archive[off : off + size] == self.vol[name], f"{k}: {name}")
            self.assertEqual(len(toc), len(members) - 1, k)
            seen.extend(r[0] for r in toc)
            self.assertTrue(self.srv.exists(self.dst, k + ".index.json"), k)
        self.assertEqual(sorted(seen), sorted(self.vol), "every object exactly once")
        with open(report) as f:
            rep = json.load(f)
        self.assertEqual(sorted(a["archive"] for a in rep["archives"]), [f"s3://{self.dst}/{k}" for k in keys])

    # ---- tagging, dry run ------------------------------------------------------------------------

    def test_tagging(self):
        tags = {"TagSet": [{"Key": "project", "Value": "logs"}, {"Key": "day", "Value": "2024-01-02"}]}
        # A single-PutObject archive on both servers; a multipart one on moto only: RGW 16 drops
        # x-amz-tagging on CreateMultipartUpload (checked with boto3 alone), AWS and moto keep it.
        cases = [("tagged/small.tar", "few/0.txt")]
        if self.srv.name != "rgw":
            cases.append(("tagged/multipart.tar", "few/"))
        for key, prefix in cases:
            with self.subTest(key=key):
                self.assertRc(self.srv.run("-cf", f"s3://{self.dst}/{key}", f"s3://{self.src}/{prefix}",
                                           "--tagging", json.dumps(tags)), 0, "create")
                got = self.srv.client.get_object_tagging(Bucket=self.dst, Key=key).get("TagSet", [])
                self.assertEqual(sorted((t["Key"], t["Value"]) for t in got),
                                 [("day", "2024-01-02"), ("project", "logs")])

    def test_dry_run_writes_nothing(self):
        rc, out, err = self.srv.run("-cf", f"s3://{self.dst}/dry/a.tar", f"s3://{self.src}/vol/", "--dry-run",
                                    "--size-limit", "8MiB")
        self.assertRc((rc, out, err), 0, "dry run")
        self.assertIn("Plan:", out)
        self.assertEqual(self.srv.keys(self.dst, "dry/"), [])
        self.assertEqual(self.srv.open_uploads(self.dst), [])


s3env.server_classes(CreateOptions, globals())

if __name__ == "__main__":
    unittest.main()
