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


s3env.server_classes(Manifest, globals())

if __name__ == "__main__":
    unittest.main()
