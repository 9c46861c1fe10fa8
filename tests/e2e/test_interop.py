"""Archives written by s3tar are standard tars: GNU tar, bsdtar and Python's tarfile list and
extract them byte for byte; toc.csv offsets point at each member's data; `-tf` prints the exact
keys; the sidecar index stays in STANDARD; the same input gives the same bytes.

Source set (per server): 0-byte object, objects just under / at / over 5 MiB, 1,000 small
objects and a larger one, keys with spaces, '+', unicode, 100+ and 255+ byte names, a key with a
'..' segment (stored escaped, exact in the TOC) and, on moto only, a key with '%' (RGW
URL-decodes copy sources twice, see tests/servers/README.md; the '%' key here is below 5 MiB
so it is fetched with GET, but it is kept off RGW anyway so no path can crash radosgw).
"""

import os
import subprocess
import tarfile
import tempfile
import unittest

import s3env
from s3env import MiB, data_for, member_name_for_key

N_SMALL = 1000


def source_objects(server_name):
    objs = {
        "src/empty.bin": 0,
        "src/edge/under-5mib.bin": 5 * MiB - 1,
        "src/edge/at-5mib.bin": 5 * MiB,
        "src/edge/over-5mib.bin": 5 * MiB + 1,
        "src/large/twelve.bin": 12 * MiB + 333,
        "src/with space/a file name.txt": 1234,
        "src/plus+sign+key.txt": 77,
        "src/unicode/h\u00e9llo w\u00f6rld \u2713 \u65e5\u672c\u8a9e.txt": 2048,
        "src/long100/" + "n" * 110 + ".txt": 600,
        "src/long255/" + "d" * 120 + "/" + "e" * 150 + ".bin": 513,
    }
    if server_name == "moto":
        objs["src/pct/100% done %41.txt"] = 321
        objs["src/pct/%41start/%.txt"] = 10
        objs["src/pct/big 50%.bin"] = 6 * MiB + 5  # copied with UploadPartCopy
    for i in range(N_SMALL):
        objs[f"src/small/{i:04d}.dat"] = (i * 7919) % 3000  # 0..2999 bytes, some 0
    return {k: data_for(k, n) for k, n in objs.items()}


class Interop:
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        srv = cls.srv
        cls.tmp = tempfile.TemporaryDirectory(prefix="s3tar-e2e-interop-")
        cls.src = srv.new_bucket("src")
        cls.dst = srv.new_bucket("dst")
        cls.objects = source_objects(srv.name)
        srv.put_many(cls.src, cls.objects)
        # The server must hold the exact keys (a normalising server would break the '..' case).
        listed = set(srv.keys(cls.src))
        missing = set(cls.objects) - listed
        assert not missing, f"{srv.name} did not store keys {sorted(missing)[:5]}"
        cls.archives = {}
        cls.runs = {}
        for fmt in ("pax", "gnu"):
            key = f"out/{fmt}.tar"
            cls.runs[fmt] = srv.run("-cvf", f"s3://{cls.dst}/{key}", f"s3://{cls.src}/src/", "--format", fmt)
            if cls.runs[fmt][0] == 0:
                cls.archives[fmt] = srv.get(cls.dst, key)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()
        super().tearDownClass()

    def archive(self, fmt):
        self.assertRc(self.runs[fmt], 0, f"create --format {fmt}")
        return self.archives[fmt]

    def archive_file(self, fmt):
        path = os.path.join(self.tmp.name, f"{fmt}.tar")
        if not os.path.exists(path):
            with open(path, "wb") as f:
                f.write(self.archive(fmt))
        return path

    def expected_names(self):
        return sorted(["toc.csv"] + [member_name_for_key(k) for k in self.objects])

    def check_tree(self, root, what):
        """Every source is at its (escaped) member name under root, byte for byte, and nothing else
        but toc.csv is there."""
        found = set()
        for dirpath, _dirs, files in os.walk(root):
            for f in files:
                found.add(os.path.relpath(os.path.join(dirpath, f), root))
        want = {member_name_for_key(k) for k in self.objects} | {"toc.csv"}
        self.assertEqual(sorted(found - want), [], f"{what}: unexpected files")
        self.assertEqual(sorted(want - found), [], f"{what}: missing files")
        bad = []
        for key, data in self.objects.items():
            with open(os.path.join(root, member_name_for_key(key)), "rb") as f:
                if f.read() != data:
                    bad.append(key)
        self.assertEqual(bad, [], f"{what}: members whose bytes differ from the source")

    # ---- external readers -----------------------------------------------------------------

    def _external_tool(self, tool, fmt):
        path = self.archive_file(fmt)
        listing = subprocess.run([tool, "-tf", path], capture_output=True, env={**os.environ, "LC_ALL": "C.UTF-8"})
        self.assertEqual(listing.returncode, 0, listing.stderr.decode(errors="replace"))
        names = listing.stdout.decode("utf-8").splitlines()
        self.assertEqual(sorted(names), self.expected_names(), f"{tool} -tf lists other members")
        self.assertEqual(names[0], "toc.csv", "toc.csv must be the first member")
        out = tempfile.mkdtemp(dir=self.tmp.name, prefix=f"{tool}-{fmt}-")
        ex = subprocess.run([tool, "-xf", path, "-C", out], capture_output=True,
                            env={**os.environ, "LC_ALL": "C.UTF-8"})
        self.assertEqual(ex.returncode, 0, ex.stderr.decode(errors="replace"))
        self.check_tree(out, f"{tool} -x ({fmt})")

    def test_gnu_tar_pax(self):
        self._external_tool("tar", "pax")

    def test_gnu_tar_gnu(self):
        self._external_tool("tar", "gnu")

    def test_bsdtar_pax(self):
        self._external_tool("bsdtar", "pax")

    def test_bsdtar_gnu(self):
        self._external_tool("bsdtar", "gnu")

    def _python_tarfile(self, fmt):
        path = self.archive_file(fmt)
        with tarfile.open(path, "r:") as tf:
            members = tf.getmembers()
            self.assertEqual(sorted(m.name for m in members), self.expected_names())
            self.assertTrue(all(m.isreg() for m in members), "every member is a regular file")
            out = tempfile.mkdtemp(dir=self.tmp.name, prefix=f"py-{fmt}-")
            tf.extractall(out, filter="data")
        self.check_tree(out, f"tarfile ({fmt})")

    def test_python_tarfile_pax(self):
        self._python_tarfile("pax")

    def test_python_tarfile_gnu(self):
        self._python_tarfile("gnu")

    # ---- TOC, listing, sidecar ---------------------------------------------------------------

    def _toc(self, fmt):
        data = self.archive(fmt)
        members = s3env.tar_members(data)
        self.assertEqual(members[0][0], "toc.csv")
        _, off, size = members[0]
        return s3env.parse_toc(data[off : off + size]), members

    def _check_toc(self, fmt):
        data = self.archive(fmt)
        toc, members = self._toc(fmt)
        self.assertEqual(sorted(r[0] for r in toc), sorted(self.objects), "the TOC keeps the exact keys")
        by_name = {m[0]: (m[1], m[2]) for m in members}
        for name, offset, size, etag in toc:
            self.assertEqual(size, len(self.objects[name]), name)
            self.assertEqual(data[offset : offset + size], self.objects[name], f"TOC offset of {name!r}")
            self.assertEqual(by_name[member_name_for_key(name)], (offset, size), f"header of {name!r}")
            if etag:
                self.assertEqual(etag.strip('"'), s3env.md5(self.objects[name]), f"TOC ETag of {name!r}")
        # TOC rows follow the archive order.
        order = [m[0] for m in members[1:]]
        self.assertEqual([member_name_for_key(r[0]) for r in toc], order)

    def test_toc_offsets_pax(self):
        self._check_toc("pax")

    def test_toc_offsets_gnu(self):
        self._check_toc("gnu")

    def test_list_prints_exact_keys(self):
        toc, _ = self._toc("pax")
        rc, out, err = self.srv.run("-tf", f"s3://{self.dst}/out/pax.tar")
        self.assertRc((rc, out, err), 0, "-tf")
        self.assertEqual(out.splitlines(), [r[0] for r in toc])

    def test_list_extended_matches_toc(self):
        for fmt in ("pax", "gnu"):
            with self.subTest(fmt=fmt):
                toc, _ = self._toc(fmt)
                rc, out, err = self.srv.run("-tf", f"s3://{self.dst}/out/{fmt}.tar", "--extended")
                self.assertRc((rc, out, err), 0, "-tf --extended")
                rows = s3env.parse_toc(out.encode("utf-8"))
                self.assertEqual([r[:3] for r in rows], [r[:3] for r in toc])

    def test_sidecar_index_in_standard(self):
        for fmt in ("pax", "gnu"):
            with self.subTest(fmt=fmt):
                self.archive(fmt)
                key = f"out/{fmt}.tar.index.json"
                self.assertEqual(self.srv.storage_class(self.dst, key), "STANDARD")
                import json

                idx = json.loads(self.srv.get(self.dst, key))
                self.assertEqual(len(idx["members"]), len(self.objects))
                toc, _ = self._toc(fmt)
                self.assertEqual([(m["key"], m["offset"], m["size"]) for m in idx["members"]],
                                 [r[:3] for r in toc])

    def test_same_input_same_bytes(self):
        first = self.archive("pax")
        key = "out/pax.tar"
        r = self.srv.run("-cf", f"s3://{self.dst}/{key}", f"s3://{self.src}/src/", "--format", "pax")
        self.assertRc(r, 0, "second create")
        again = self.srv.get(self.dst, key)
        self.assertEqual(len(again), len(first))
        self.assertTrue(again == first, "the same input must give a byte-identical archive")
        other = self.srv.run("-cf", f"s3://{self.dst}/elsewhere/copy.tar", f"s3://{self.src}/src/")
        self.assertRc(other, 0, "create under another key")
        self.assertTrue(self.srv.get(self.dst, "elsewhere/copy.tar") == first,
                        "the archive's bytes do not depend on its key")


class DotDotKeys:
    """Keys with '.' and '..' segments: the server stores them as they are; the archive stores
    them escaped (%2E%2E) so no extractor leaves its directory, and the TOC, -tf and -x keep the
    exact key. Kept apart from Interop so one failure here does not hide the rest."""

    KEYS = {
        "dd/dots/../escaped.txt": 100,  # fetched with GET (small)
        "dd/big/../large.bin": 6 * MiB + 1,  # copied with UploadPartCopy + ranged GET
        "dd/./here.txt": 10,
        "dd/plain.txt": 20,
    }

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = tempfile.TemporaryDirectory(prefix="s3tar-e2e-dotdot-")
        cls.src = cls.srv.new_bucket("src")
        cls.dst = cls.srv.new_bucket("dst")
        cls.objects = {k: data_for(k, n) for k, n in cls.KEYS.items()}
        cls.srv.put_many(cls.src, cls.objects)
        assert sorted(cls.srv.keys(cls.src)) == sorted(cls.objects), "the server keeps '..' keys as they are"

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()
        super().tearDownClass()

    def test_dotdot_keys_round_trip(self):
        url = f"s3://{self.dst}/dd.tar"
        self.assertRc(self.srv.run("-cf", url, f"s3://{self.src}/dd/"), 0, "create with '..' keys")
        data = self.srv.get(self.dst, "dd.tar")
        members = s3env.tar_members(data)
        self.assertEqual(sorted(m[0] for m in members),
                         sorted(["toc.csv"] + [member_name_for_key(k) for k in self.objects]))
        toc = s3env.parse_toc(data[members[0][1] : members[0][1] + members[0][2]])
        self.assertEqual(sorted(r[0] for r in toc), sorted(self.objects), "the TOC keeps the exact keys")
        for name, off, size, _ in toc:
            self.assertTrue(data[off : off + size] == self.objects[name], name)
        rc, out, err = self.srv.run("-tf", url)
        self.assertRc((rc, out, err), 0, "-tf")
        self.assertEqual(sorted(out.splitlines()), sorted(self.objects), "-tf prints the exact keys")
        # GNU tar extracts inside the directory only.
        path = os.path.join(self.tmp.name, f"{self.srv.name}.tar")
        with open(path, "wb") as f:
            f.write(data)
        out_dir = tempfile.mkdtemp(dir=self.tmp.name)
        self.assertEqual(subprocess.run(["tar", "-xf", path, "-C", out_dir]).returncode, 0)
        self.assertEqual(member_name_for_key("dd/dots/../escaped.txt"), "dd/dots/%2E%2E/escaped.txt")
        with open(os.path.join(out_dir, "dd", "dots", "%2E%2E", "escaped.txt"), "rb") as f:
            self.assertEqual(f.read(), self.objects["dd/dots/../escaped.txt"])
        # Server-side extract restores the exact keys.
        self.assertRc(self.srv.run("-xf", url, "-C", f"s3://{self.dst}/restore/"), 0, "extract to s3")
        for k, v in self.objects.items():
            self.assertTrue(self.srv.get(self.dst, "restore/" + k) == v, k)
        # Local extract stays inside the directory.
        local = os.path.join(self.tmp.name, f"{self.srv.name}-local")
        self.assertRc(self.srv.run("-xf", url, "-C", local), 0, "extract to a directory")
        for k, v in self.objects.items():
            with open(os.path.join(local, member_name_for_key(k)), "rb") as f:
                self.assertTrue(f.read() == v, k)
        self.assertFalse(os.path.exists(os.path.join(local, "dd", "escaped.txt")))
        self.assertFalse(os.path.exists(os.path.join(self.tmp.name, "escaped.txt")))


s3env.server_classes(Interop, globals())
s3env.server_classes(DotDotKeys, globals())

if __name__ == "__main__":
    unittest.main()
