"""-m with sizes and ETags: how many requests the sources cost (from --report), that the
archive is byte-identical to the one a prefix listing makes, and that an object changed after
the manifest was made is detected by its pinned read, not archived silently."""

import json
import os
import tempfile
import unittest

import s3env
from s3env import MiB, data_for

N_SMALL = 40


class ManifestRequests:
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = tempfile.TemporaryDirectory(prefix="s3tar-e2e-manifest-requests-")
        cls.src = cls.srv.new_bucket("src")
        cls.dst = cls.srv.new_bucket("dst")
        cls.objects = {f"logs/{i:03d}.log": data_for(f"logs/{i:03d}.log", 3000 + 37 * i) for i in range(N_SMALL)}
        cls.srv.put_many(cls.src, cls.objects)
        # Another folder the listing must not wander into.
        cls.srv.put(cls.src, "logs/deeper/x.log", b"not in the manifest")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()
        super().tearDownClass()

    def path(self, name):
        return os.path.join(self.tmp.name, f"{self.srv.name}-{name}")

    def listing(self, bucket, prefix):
        """{key: (size, etag, last_modified ISO)} as ListObjectsV2 says."""
        out = {}
        for page in self.srv.client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for o in page.get("Contents", []):
                out[o["Key"]] = (o["Size"], o["ETag"].strip('"'), o["LastModified"].strftime("%Y-%m-%dT%H:%M:%S.000Z"))
        return out

    def write_manifest(self, name, bucket, keys, columns):
        listed = self.listing(bucket, "")
        lines = []
        for k in keys:
            size, etag, mtime = listed[k]
            lines.append(",".join([bucket, k, str(size), etag, mtime][:columns]))
        p = self.path(name)
        with open(p, "w") as f:
            f.write("\n".join(lines) + "\n")
        return p

    def create(self, key, *args, report_name):
        report = self.path(report_name)
        result = self.srv.run("-cf", f"s3://{self.dst}/{key}", *args, "--report", report)
        data = None
        if os.path.exists(report):
            with open(report) as f:
                data = json.load(f)
        return result, data

    def test_rows_with_size_etag_and_mtime_need_no_head(self):
        keys = sorted(self.objects)
        manifest = self.write_manifest("pinned.csv", self.src, keys, 5)
        (rc, _, err), report = self.create("pinned.tar", "-m", manifest, report_name="pinned.json")
        self.assertEqual(rc, 0, err[-3000:])
        requests = report["requests"]
        # The only HEAD is the check of the written archive.
        self.assertEqual(requests.get("HeadObject"), 1, requests)
        # No listing of the sources' folder: the two listings are the check of the volume's
        # sources before it is written (one page covers them) and of what earlier runs left
        # under the archive's key.
        self.assertEqual(requests.get("ListObjectsV2"), 2, requests)
        self.assertEqual(requests.get("GetObject"), N_SMALL, requests)
        # One GET per object, plus the archive's own few requests (listings of the open uploads
        # and of earlier outputs, the sources' check, put, verify, index).
        self.assertLessEqual(report["requests_total"], N_SMALL + 7, requests)
        # The same archive, byte for byte, as from the prefix listing.
        (rc, _, err), _ = self.create("listed.tar", f"s3://{self.src}/logs/", report_name="listed.json")
        self.assertEqual(rc, 0, err[-3000:])
        listed = self.srv.get(self.dst, "listed.tar")
        # The prefix listing is recursive (logs/deeper/x.log too): compare with a manifest of that set.
        all_keys = sorted(self.listing(self.src, "logs/"))
        full = self.write_manifest("pinned-all.csv", self.src, all_keys, 5)
        (rc, _, err), _ = self.create("pinned-all.tar", "-m", full, report_name="pinned-all.json")
        self.assertEqual(rc, 0, err[-3000:])
        self.assertEqual(self.srv.get(self.dst, "pinned-all.tar"), listed)

    def test_rows_without_mtime_of_one_folder_are_listed_not_headed(self):
        keys = sorted(self.objects)
        manifest = self.write_manifest("four.csv", self.src, keys, 4)
        (rc, _, err), report = self.create("four.tar", "-m", manifest, report_name="four.json")
        self.assertEqual(rc, 0, err[-3000:])
        requests = report["requests"]
        self.assertEqual(requests.get("HeadObject"), 1, requests)  # the written archive's check
        # The folder's listing, plus the sources' check and the earlier outputs' listing.
        self.assertEqual(requests.get("ListObjectsV2"), 1 + 2, requests)
        self.assertEqual(requests.get("GetObject"), N_SMALL, requests)
        pinned = self.srv.get(self.dst, "four.tar")
        (rc, _, err), _ = self.create("four-pinned.tar", "-m", self.write_manifest("five.csv", self.src, keys, 5),
                                      report_name="five.json")
        self.assertEqual(rc, 0, err[-3000:])
        self.assertEqual(self.srv.get(self.dst, "four-pinned.tar"), pinned)

    def test_few_rows_are_headed(self):
        keys = sorted(self.objects)[:3]
        manifest = self.write_manifest("few.csv", self.src, keys, 4)
        (rc, _, err), report = self.create("few.tar", "-m", manifest, report_name="few.json")
        self.assertEqual(rc, 0, err[-3000:])
        self.assertEqual(report["requests"].get("HeadObject"), 3 + 1, report["requests"])  # + the archive's
        # Not the folder's listing: the sources' check and the earlier outputs' listing.
        self.assertEqual(report["requests"].get("ListObjectsV2"), 2, report["requests"])

    def test_object_changed_after_the_manifest_is_detected(self):
        bucket = self.srv.new_bucket("chg")
        small = {f"c/{i}.bin": data_for(f"c/{i}.bin", 2000 + i) for i in range(5)}
        big_key = "c/big.bin"
        small[big_key] = data_for(big_key, 11 * MiB)  # over the copy threshold: UploadPartCopy
        self.srv.put_many(bucket, small)
        keys = sorted(small)
        manifest = self.write_manifest("changed.csv", bucket, keys, 5)
        # Both change after the manifest: the small one keeps its size (only the ETag tells).
        changed_small = "c/2.bin"
        self.srv.put(bucket, changed_small, bytes(reversed(small[changed_small])))
        self.srv.put(bucket, big_key, data_for("other", 11 * MiB))
        rc, _, err = self.srv.run("-cf", f"s3://{self.dst}/changed.tar", "-m", manifest)
        self.assertEqual(rc, s3env.EXIT_BAD_INPUT, err[-3000:])
        self.assertIn("changed", err)
        self.assertFalse(self.srv.exists(self.dst, "changed.tar"))
        self.assertEqual([u for u in self.srv.open_uploads(self.dst) if u[0] == "changed.tar"], [])
        # With --skip-unreadable: both are left out and named in the report, the rest archived.
        (rc, _, err), report = self.create("changed-skip.tar", "-m", manifest, "--skip-unreadable",
                                           report_name="changed.json")
        self.assertEqual(rc, s3env.EXIT_PARTIAL, err[-3000:])
        skipped = {(s["key"], s["reason"]) for s in report["objects_skipped"]}
        self.assertEqual(skipped, {(changed_small, "changed"), (big_key, "changed")}, report["objects_skipped"])
        data = self.srv.get(self.dst, "changed-skip.tar")
        members = s3env.tar_members(data)
        toc = s3env.parse_toc(data[members[0][1] : members[0][1] + members[0][2]])
        self.assertEqual(sorted(r[0] for r in toc), sorted(set(keys) - {changed_small, big_key}))
        for name, off, size, _ in toc:
            self.assertTrue(data[off : off + size] == small[name], name)


s3env.server_classes(ManifestRequests, globals())

if __name__ == "__main__":
    unittest.main()
