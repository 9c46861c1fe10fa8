"""-m manifest.csv (local and s3://) with bucket,key,size[,etag] rows, --skipManifestHeader and
--urldecode (S3 Inventory style form-encoded keys)."""

import os
import tempfile
import unittest
import urllib.parse

import s3env
from s3env import MiB, data_for


class Manifest:
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = tempfile.TemporaryDirectory(prefix="s3tar-e2e-manifest-")
        cls.src = cls.srv.new_bucket("src")
        cls.src2 = cls.srv.new_bucket("src2")
        cls.dst = cls.srv.new_bucket("dst")
        names = ["m/a.txt", "m/b c.txt", "m/plus+sign.txt", "m/\u00e9t\u00e9/\u00fcber.txt", "m/empty.bin",
                 "m/six.bin"]
        if cls.srv.name == "moto":  # '%' keys only where UploadPartCopy decodes copy sources once
            names += ["m/50% off.txt", "m/big 100%.bin"]
        sizes = {"m/empty.bin": 0, "m/six.bin": 6 * MiB + 7, "m/big 100%.bin": 5 * MiB + 3}
        cls.objects = {(cls.src, k): data_for(k, sizes.get(k, 500 + len(k))) for k in names}
        cls.objects[(cls.src2, "other/x.txt")] = data_for("other/x.txt", 4321)
        for (b, k), v in cls.objects.items():
            cls.srv.put(b, k, v)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()
        super().tearDownClass()

    def write_manifest(self, name, text):
        path = os.path.join(self.tmp.name, f"{self.srv.name}-{name}")
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        return path

    def check_archive(self, key, objects):
        data = self.srv.get(self.dst, key)
        members = s3env.tar_members(data)
        self.assertEqual(members[0][0], "toc.csv")
        toc = s3env.parse_toc(data[members[0][1] : members[0][1] + members[0][2]])
        self.assertEqual(sorted(r[0] for r in toc), sorted(k for _, k in objects))
        by_key = {k: v for (_, k), v in objects.items()}
        for name, off, size, _ in toc:
            self.assertTrue(data[off : off + size] == by_key[name], name)

    def rows(self, objects, etag=False, encode=None):
        out = []
        for (b, k), v in objects.items():
            key = encode(k) if encode else k
            key = '"' + key.replace('"', '""') + '"' if ("," in key or '"' in key) else key
            row = f"{b},{key},{len(v)}"
            if etag:
                row += f",{s3env.md5(v)}"
            out.append(row)
        return "\n".join(out) + "\n"

    def test_local_manifest(self):
        path = self.write_manifest("plain.csv", self.rows(self.objects))
        self.assertRc(self.srv.run("-cvf", f"s3://{self.dst}/local.tar", "-m", path), 0, "create -m local")
        self.check_archive("local.tar", self.objects)

    def test_local_manifest_with_etags(self):
        path = self.write_manifest("etag.csv", self.rows(self.objects, etag=True))
        self.assertRc(self.srv.run("-cf", f"s3://{self.dst}/etag.tar", "-m", path), 0, "create -m with ETags")
        self.check_archive("etag.tar", self.objects)

    def test_s3_manifest(self):
        self.srv.put(self.dst, "manifests/list.csv", self.rows(self.objects).encode("utf-8"))
        self.assertRc(self.srv.run("-cf", f"s3://{self.dst}/from-s3.tar", "-m", f"s3://{self.dst}/manifests/list.csv"),
                      0, "create -m s3://")
        self.check_archive("from-s3.tar", self.objects)

    def test_skip_manifest_header(self):
        path = self.write_manifest("header.csv", "Bucket,Key,Size,ETag\n" + self.rows(self.objects, etag=True))
        self.assertRc(self.srv.run("-cf", f"s3://{self.dst}/header.tar", "-m", path, "--skipManifestHeader"), 0,
                      "create --skipManifestHeader")
        self.check_archive("header.tar", self.objects)
        # Without the flag the header row is an error (its size is not a number), not a member.
        rc, out, err = self.srv.run("-cf", f"s3://{self.dst}/header-noflag.tar", "-m", path)
        self.assertEqual(rc, s3env.EXIT_BAD_INPUT, err)
        self.assertFalse(self.srv.exists(self.dst, "header-noflag.tar"))

    def test_urldecode(self):
        # S3 Inventory encodes keys like an HTML form: '+' is a space, '%2B' a plus.
        def form(k):
            return urllib.parse.quote_plus(k, safe="/")

        path = self.write_manifest("encoded.csv", self.rows(self.objects, encode=form))
        self.assertIn("%2B", open(path, encoding="utf-8").read())
        self.assertRc(self.srv.run("-cf", f"s3://{self.dst}/decoded.tar", "-m", path, "--urldecode"), 0,
                      "create --urldecode")
        self.check_archive("decoded.tar", self.objects)

    def test_batch_operations_manifest(self):
        # S3 Batch Operations CSV: bucket,key[,versionId], keys URL-encoded, no sizes (HEAD gives them).
        lines = []
        for (b, k) in self.objects:
            lines.append(f"{b},{urllib.parse.quote(k, safe='/')}")
        path = self.write_manifest("batch.csv", "\n".join(lines) + "\n")
        self.assertRc(self.srv.run("-cf", f"s3://{self.dst}/batch.tar", "-m", path, "--manifest-format", "batch"), 0,
                      "create -m batch manifest")
        self.check_archive("batch.tar", self.objects)
        # A missing object named by the batch manifest is reported, nothing is written.
        path = self.write_manifest("batch-missing.csv", f"{self.src},m/no-such-object.txt\n")
        rc, out, err = self.srv.run("-cf", f"s3://{self.dst}/batch-missing.tar", "-m", path,
                                    "--manifest-format", "batch")
        self.assertEqual(rc, s3env.EXIT_BAD_INPUT, err)
        self.assertIn("no-such-object.txt", err)
        self.assertFalse(self.srv.exists(self.dst, "batch-missing.tar"))


class ManifestInput:
    """What people really put in manifests: spreadsheets' byte order marks and spaces, hand
    edits, hostile fields. Bad rows are refused with exit 3 naming file:line before any request."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = tempfile.TemporaryDirectory(prefix="s3tar-e2e-manifest-input-")
        cls.src = cls.srv.new_bucket("src")
        cls.objects = {" lead.txt": b"with a leading space", "lead.txt": b"without", "b.txt": b"bee"}
        for k, v in cls.objects.items():
            cls.srv.put(cls.src, k, v)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()
        super().tearDownClass()

    def write_manifest(self, name, data):
        path = os.path.join(self.tmp.name, f"{self.srv.name}-{name}")
        with open(path, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode("utf-8"))
        return path

    def toc_names(self, bucket, key):
        data = self.srv.get(bucket, key)
        members = s3env.tar_members(data)
        return [r[0] for r in s3env.parse_toc(data[members[0][1] : members[0][1] + members[0][2]])]

    def assert_refused(self, result, path, line, needle, dst):
        rc, out, err = result
        self.assertEqual(rc, s3env.EXIT_BAD_INPUT, err[-3000:])
        errors = s3env.error_lines(err)
        self.assertEqual(len(errors), 1, err[-3000:])
        self.assertIn(f"{path}:{line}", errors[0].get("msg", ""), errors[0])
        self.assertIn(needle, errors[0].get("msg", ""), errors[0])
        self.assertEqual(self.srv.keys(dst), [])
        self.assertEqual(self.srv.open_uploads(dst), [])

    def test_unquoted_field_keeps_its_spaces(self):
        dst = self.srv.new_bucket("dst")
        v = self.objects[" lead.txt"]
        path = self.write_manifest("spaces.csv", f"{self.src}, lead.txt,{len(v)}\n")
        self.assertRc(self.srv.run("-cf", f"s3://{dst}/a.tar", "-m", path), 0, "create")
        self.assertEqual(self.toc_names(dst, "a.tar"), [" lead.txt"])

    def test_byte_order_mark_is_ignored(self):
        dst = self.srv.new_bucket("dst")
        path = self.write_manifest("bom.csv", b"\xef\xbb\xbf" + f"{self.src},b.txt,3\n".encode())
        self.assertRc(self.srv.run("-cf", f"s3://{dst}/a.tar", "-m", path), 0, "create")
        self.assertEqual(self.toc_names(dst, "a.tar"), ["b.txt"])

    def test_invalid_bucket_name_is_bad_input_naming_the_line(self):
        dst = self.srv.new_bucket("dst")
        path = self.write_manifest("bucket.csv", f"{self.src},b.txt,3\nmy bucket,b.txt,3\n")
        self.assert_refused(self.srv.run("-cf", f"s3://{dst}/a.tar", "-m", path), path, 2, "invalid bucket name",
                            dst)

    def test_key_over_1024_bytes_is_bad_input_naming_the_line(self):
        dst = self.srv.new_bucket("dst")
        path = self.write_manifest("long.csv", f"{self.src},{'k' * 1025},3\n")
        self.assert_refused(self.srv.run("-cf", f"s3://{dst}/a.tar", "-m", path), path, 1, "1025 bytes", dst)

    def test_duplicate_rows_are_bad_input(self):
        dst = self.srv.new_bucket("dst")
        path = self.write_manifest("dup.csv", f"{self.src},b.txt,3\n{self.src},lead.txt,7\n{self.src},b.txt,3\n")
        self.assert_refused(self.srv.run("-cf", f"s3://{dst}/a.tar", "-m", path), path, 3, "first on line 1", dst)

    def test_a_10_mb_field_never_makes_a_10_mb_log_line(self):
        dst = self.srv.new_bucket("dst")
        huge = "7" * (10 * MiB)
        for name, text in [("size", f"{self.src},b.txt,{huge}x\n"), ("etag", f"{self.src},b.txt,3,{huge}\n"),
                           ("key", f"{self.src},{huge},3\n"), ("bucket", f"{huge},b.txt,3\n")]:
            with self.subTest(field=name):
                path = self.write_manifest(f"huge-{name}.csv", text)
                rc, out, err = self.srv.run("-cf", f"s3://{dst}/a.tar", "-m", path)
                self.assertEqual(rc, s3env.EXIT_BAD_INPUT, err[-2000:])
                self.assertLess(len(err), 4096, err[:2000])
        self.assertEqual(self.srv.keys(dst), [])

    def test_rows_without_etags_warn_that_reads_are_unpinned(self):
        dst = self.srv.new_bucket("dst")
        path = self.write_manifest("noetag.csv", f"{self.src},b.txt,3\n{self.src},lead.txt,7,{s3env.md5(b'without')}\n")
        rc, out, err = self.srv.run("-cf", f"s3://{dst}/a.tar", "-m", path)
        self.assertEqual(rc, 0, err)
        warnings = [r for r in s3env.log_lines(err) if r.get("event") == "manifest.unpinned"]
        self.assertEqual(len(warnings), 1, err)
        self.assertEqual(warnings[0].get("level"), "warn")
        self.assertIn("1 of the 2 rows", warnings[0]["msg"])
        # Fully pinned manifests say nothing.
        path = self.write_manifest("etag.csv", f"{self.src},b.txt,3,{s3env.md5(b'bee')}\n")
        rc, out, err = self.srv.run("-cf", f"s3://{dst}/b.tar", "-m", path)
        self.assertEqual(rc, 0, err)
        self.assertNotIn("manifest.unpinned", err)


s3env.server_classes(Manifest, globals())
s3env.server_classes(ManifestInput, globals())

if __name__ == "__main__":
    unittest.main()
