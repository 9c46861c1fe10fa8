"""The Go s3tar's command lines, typed as its users type them (its README and usage text: -cvf,
-tvf, -xvf -C, --generate-toc, --generate-manifest, --size-limit in bytes, --storage-class,
--tagging, --urldecode, --skipManifestHeader, --extended, --external-toc, --goroutines,
--region, --endpointUrl), run through this binary; each result is checked against the
objects."""

import csv
import io
import os
import tempfile
import unittest
import urllib.parse

import s3env
from s3env import MiB, data_for


class GoReadme:
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = tempfile.TemporaryDirectory(prefix="s3tar-e2e-go-")
        cls.src = cls.srv.new_bucket("src")
        cls.dst = cls.srv.new_bucket("dst")
        cls.objects = {f"files/f{i:03d}.bin": data_for(f"files/f{i:03d}.bin", 300 * 1024 + i) for i in range(24)}
        cls.objects["files/big.bin"] = data_for("files/big.bin", 6 * MiB + 7)
        cls.objects["files/with space+plus.txt"] = b"encoded in inventories"
        cls.srv.put_many(cls.src, cls.objects)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()
        super().tearDownClass()

    def go(self, *args):
        """As the Go tool's users call it: --region and --endpointUrl first."""
        return self.srv.run("--region", self.srv.region, "--endpointUrl", self.srv.endpoint, *args)

    def path(self, name):
        return os.path.join(self.tmp.name, f"{self.srv.name}-{name}")

    def members(self, key):
        archive = self.srv.get(self.dst, key)
        return archive, {m[0]: archive[m[1] : m[1] + m[2]] for m in s3env.tar_members(archive)}

    def test_create_list_extract(self):
        key = "prefix/archive.tar"
        self.assertRc(self.go("-cvf", f"s3://{self.dst}/{key}", f"s3://{self.src}/files/", "--goroutines", "8"),
                      0, "-cvf")
        _, members = self.members(key)
        self.assertEqual({k: v for k, v in members.items() if k != "toc.csv"}, self.objects)

        rc, out, err = self.go("-tvf", f"s3://{self.dst}/{key}")
        self.assertRc((rc, out, err), 0, "-tvf")
        listed = {line.split(None, 1)[1]: int(line.split(None, 1)[0]) for line in out.split("\n") if line}
        self.assertEqual(listed, {k: len(v) for k, v in self.objects.items()})

        rc, out, err = self.go("-tf", f"s3://{self.dst}/{key}", "--extended")
        self.assertRc((rc, out, err), 0, "-tf --extended")
        archive = self.srv.get(self.dst, key)
        rows = list(csv.reader(io.StringIO(out)))
        self.assertEqual(sorted(r[0] for r in rows), sorted(self.objects))
        for name, off, size, etag in rows:
            self.assertTrue(archive[int(off) : int(off) + int(size)] == self.objects[name], name)

        self.assertRc(self.go("-xvf", f"s3://{self.dst}/{key}", "-C", f"s3://{self.dst}/restored/"), 0, "-xvf -C")
        for k, v in self.objects.items():
            self.assertTrue(self.srv.get(self.dst, "restored/" + k) == v, k)

    def test_manifest_with_header_urldecode_class_and_tags(self):
        manifest = self.path("inventory.csv")
        chosen = ["files/f001.bin", "files/with space+plus.txt", "files/big.bin"]
        with open(manifest, "w") as f:
            f.write("bucket,key,size\n")
            for k in chosen:
                f.write(f"{self.src},{urllib.parse.quote_plus(k, safe='/')},{len(self.objects[k])}\n")
        key = "man/archive.tar"
        tagging = '{"TagSet":[{"Key":"transition-to","Value":"GDA"}]}'
        self.assertRc(self.go("-cvf", f"s3://{self.dst}/{key}", "-m", manifest, "--skipManifestHeader",
                              "--urldecode", "--storage-class", "STANDARD_IA", "--tagging", tagging), 0, "create -m")
        _, members = self.members(key)
        self.assertEqual({k: v for k, v in members.items() if k != "toc.csv"},
                         {k: self.objects[k] for k in chosen})
        self.assertEqual(self.srv.storage_class(self.dst, key), "STANDARD_IA")
        tags = self.srv.client.get_object_tagging(Bucket=self.dst, Key=key)["TagSet"]
        self.assertEqual(tags, [{"Key": "transition-to", "Value": "GDA"}])

    def test_size_limit_in_bytes_names_volumes_as_go(self):
        limit = 3 * MiB
        self.assertRc(self.go("-cvf", f"s3://{self.dst}/vols/archive.tar", f"s3://{self.src}/files/",
                              "--size-limit", str(8 * MiB)), 0, "--size-limit")
        keys = sorted(k for k in self.srv.keys(self.dst, "vols/") if k.endswith(".tar"))
        self.assertGreaterEqual(len(keys), 2, keys)
        self.assertEqual(keys, [f"vols/archive.{i:02d}.tar" for i in range(len(keys))], "Go numbers from 00")
        seen = {}
        for k in keys:
            archive, members = self.members(k)
            self.assertLessEqual(len(archive), 8 * MiB, k)
            seen.update({n: v for n, v in members.items() if n != "toc.csv"})
        self.assertEqual(seen, self.objects)
        del limit

    def test_generate_manifest_toc_and_external_toc(self):
        manifest = self.path("generated.csv")
        self.assertRc(self.go("--generate-manifest", "-f", f"s3://{self.src}/files/", "-C", manifest), 0,
                      "--generate-manifest")
        key = "gen/archive.tar"
        self.assertRc(self.go("-cvf", f"s3://{self.dst}/{key}", "-m", manifest), 0, "create from it")
        toc = self.path("archive.toc.csv")
        # s3tar --generate-toc -f my-previous-archive.tar -C my-previous-archive.toc.csv
        self.assertRc(self.go("--generate-toc", "-f", f"s3://{self.dst}/{key}", "-C", toc), 0, "--generate-toc")
        with open(toc, "rb") as f:
            rows = s3env.parse_toc(f.read())
        self.assertEqual(sorted(r[0] for r in rows), sorted(["toc.csv", *self.objects]))
        # A tar without its own index, listed and extracted with the external one.
        archive = self.srv.get(self.dst, key)
        self.srv.put(self.dst, "gen/plain.tar", archive)
        rc, out, err = self.go("-tf", f"s3://{self.dst}/gen/plain.tar", "--external-toc", toc)
        self.assertRc((rc, out, err), 0, "-t --external-toc")
        self.assertEqual(sorted(line for line in out.split("\n") if line), sorted(["toc.csv", *self.objects]))
        self.assertRc(self.go("-xf", f"s3://{self.dst}/gen/plain.tar", "--external-toc", toc, "-C",
                              f"s3://{self.dst}/gen-out/", "files/f00"), 0, "-x --external-toc member prefix")
        out_keys = sorted(self.srv.keys(self.dst, "gen-out/"))
        self.assertEqual(out_keys, sorted("gen-out/" + k for k in self.objects if k.startswith("files/f00")))


s3env.server_classes(GoReadme, globals())

if __name__ == "__main__":
    unittest.main()
