"""Extract (server-side into s3://, and into a local directory) gives back the sources byte for
byte, also for members large enough to be copied with ranged UploadPartCopy; member-name
filters select members; verify accepts a good archive and rejects corrupted ones."""

import os
import tempfile
import unittest

import s3env
from s3env import MiB, data_for, member_name_for_key


class ExtractVerify:
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = tempfile.TemporaryDirectory(prefix="s3tar-e2e-extract-")
        cls.src = cls.srv.new_bucket("src")
        cls.dst = cls.srv.new_bucket("dst")
        sizes = {
            "d/big/eleven.bin": 11 * MiB + 17,
            "d/big/at-5mib.bin": 5 * MiB,
            "d/empty.bin": 0,
            "d/sub/one.txt": 10,
            "d/sub/two.txt": 2000,
            "d/sub2/three.txt": 3000,
            "d/with space/\u00fcnicode \u2603.txt": 99,
        }
        sizes.update({f"d/many/{i:03d}.log": 100 + i for i in range(40)})
        cls.objects = {k: data_for(k, n) for k, n in sizes.items()}
        cls.srv.put_many(cls.src, cls.objects)
        cls.archive = f"s3://{cls.dst}/arch/a.tar"
        cls.create = cls.srv.run("-cf", cls.archive, f"s3://{cls.src}/d/")
        # A second archive of the same sources, overwritten in place with a corrupted copy.
        cls.victim = f"s3://{cls.dst}/arch/victim.tar"
        cls.create_victim = cls.srv.run("-cf", cls.victim, f"s3://{cls.src}/d/")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()
        super().tearDownClass()

    def setUp(self):
        self.assertRc(self.create, 0, "create")

    def test_extract_to_s3(self):
        self.assertRc(self.srv.run("-xf", self.archive, "-C", f"s3://{self.dst}/restore/"), 0, "extract")
        got = sorted(self.srv.keys(self.dst, "restore/"))
        self.assertEqual(got, sorted("restore/" + k for k in self.objects))
        bad = [k for k, v in self.objects.items() if self.srv.get(self.dst, "restore/" + k) != v]
        self.assertEqual(bad, [], "restored objects differ from the sources")
        self.assertEqual(self.srv.open_uploads(self.dst), [])

    def test_extract_filter(self):
        self.assertRc(self.srv.run("-xf", self.archive, "-C", f"s3://{self.dst}/filtered/", "d/sub/",
                                   "d/big/eleven.bin"), 0, "extract with filters")
        want = ["d/big/eleven.bin", "d/sub/one.txt", "d/sub/two.txt"]
        self.assertEqual(sorted(self.srv.keys(self.dst, "filtered/")), ["filtered/" + k for k in want])
        for k in want:
            self.assertTrue(self.srv.get(self.dst, "filtered/" + k) == self.objects[k], k)

    def test_extract_filter_matching_nothing(self):
        rc, out, err = self.srv.run("-xf", self.archive, "-C", f"s3://{self.dst}/none/", "no/such/member")
        self.assertEqual(rc, s3env.EXIT_BAD_INPUT, err)
        self.assertEqual(self.srv.keys(self.dst, "none/"), [])

    def test_extract_to_local_dir(self):
        out = os.path.join(self.tmp.name, f"{self.srv.name}-local")
        self.assertRc(self.srv.run("-xf", self.archive, "-C", out), 0, "extract -C ./dir")
        found = set()
        for dirpath, _d, files in os.walk(out):
            found |= {os.path.relpath(os.path.join(dirpath, f), out) for f in files}
        self.assertEqual(sorted(found), sorted(member_name_for_key(k) for k in self.objects))
        for k, v in self.objects.items():
            with open(os.path.join(out, member_name_for_key(k)), "rb") as f:
                self.assertTrue(f.read() == v, k)
        # And a filtered extract into a relative directory (cwd-relative paths work).
        rc = self.srv.run("-xf", self.archive, "-C", "rel", "d/sub2/", cwd=self.tmp.name)
        self.assertRc(rc, 0, "relative -C")
        with open(os.path.join(self.tmp.name, "rel", "d", "sub2", "three.txt"), "rb") as f:
            self.assertEqual(f.read(), self.objects["d/sub2/three.txt"])

    def test_verify_good_archive(self):
        rc, out, err = self.srv.run("verify", "-f", self.archive)
        self.assertRc((rc, out, err), 0, "verify")
        rc, out, err = self.srv.run("verify", "-f", self.archive, "--content")
        self.assertRc((rc, out, err), 0, "verify --content")
        self.assertIn("0 problem", out)

    def _corrupt(self, name, mutate):
        """Writes a modified copy of the archive (and its sidecar) under corrupt/NAME.tar."""
        data = bytearray(self.srv.get(self.dst, "arch/a.tar"))
        index = self.srv.get(self.dst, "arch/a.tar.index.json")
        data = mutate(data)
        key = f"corrupt/{name}.tar"
        self.srv.put(self.dst, key, bytes(data))
        self.srv.put(self.dst, key + ".index.json", index)
        return f"s3://{self.dst}/{key}"

    def _member(self, data, key):
        for name, off, size in s3env.tar_members(bytes(data)):
            if name == member_name_for_key(key):
                return off, size
        raise AssertionError(key)

    def test_verify_corrupted_data(self):
        self.assertRc(self.create_victim, 0, "create")
        self.assertRc(self.srv.run("verify", "-f", self.victim, "--content"), 0, "verify before corruption")
        data = bytearray(self.srv.get(self.dst, "arch/victim.tar"))
        off, size = self._member(data, "d/sub/two.txt")
        data[off + size // 2] ^= 0xFF
        self.srv.put(self.dst, "arch/victim.tar", bytes(data))  # overwrite the archive object
        url = self.victim
        rc, out, err = self.srv.run("verify", "-f", url, "--content")
        self.assertNotEqual(rc, 0, f"verify --content accepted a corrupted member:\n{out}\n{err}")
        self.assertIn("d/sub/two.txt", out + err)

    def test_verify_corrupted_header(self):
        def flip_header(data):
            off, _ = self._member(data, "d/sub/one.txt")
            # The member's ustar header is the 512 bytes before its data; change its size field.
            hdr = off - 512
            data[hdr + 124 : hdr + 136] = b"00000000777\0"
            return data

        url = self._corrupt("header", flip_header)
        rc, out, err = self.srv.run("verify", "-f", url)
        self.assertNotEqual(rc, 0, f"verify accepted a corrupted header:\n{out}\n{err}")

    def test_verify_truncated(self):
        url = self._corrupt("truncated", lambda data: data[: len(data) - 1024])
        rc, out, err = self.srv.run("verify", "-f", url)
        self.assertNotEqual(rc, 0, f"verify accepted an archive without its end blocks:\n{out}\n{err}")


s3env.server_classes(ExtractVerify, globals())

if __name__ == "__main__":
    unittest.main()
