"""Archives and TOCs that are not what they claim: -t, -x and verify exit 3 (bad input) with one
error line, and a hostile toc.csv is refused before any request is made for its members. Also:
local extraction of names up to 255 bytes per path component, and verify --content streaming
members (bounded memory) rather than holding them."""

import io
import os
import re
import subprocess
import tarfile
import tempfile
import time
import unittest

import boto3.s3.transfer

import s3env
from s3env import MiB, data_for


def tar_bytes(members, fmt=tarfile.PAX_FORMAT):
    """A tar (in memory) of [(name, bytes)], in order."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as tf:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1700000000
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def tar_with_toc_header_size(claimed):
    """A tar whose first member is toc.csv with a header claiming `claimed` bytes (ustar size
    field in octal, 11 digits + NUL; base-256 for bigger), followed by a short body."""
    data = bytearray(tar_bytes([("toc.csv", b"a,1536,1,\n"), ("a", b"x")], fmt=tarfile.USTAR_FORMAT))
    if claimed < 8**11:
        field = ("%011o" % claimed).encode() + b"\0"
    else:
        field = b"\x80" + claimed.to_bytes(11, "big")
    data[124:136] = field
    data[148:156] = b"        "
    data[148:156] = ("%06o" % sum(data[0:512])).encode() + b"\0 "
    return bytes(data)


class BadArchives:
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = tempfile.TemporaryDirectory(prefix="s3tar-e2e-bad-archives-")
        cls.bucket = cls.srv.new_bucket("bad")
        cls.srv.put(cls.bucket, "junk.tar", os.urandom(64 * 1024))
        cls.srv.put(cls.bucket, "badtoc.tar", tar_bytes([("toc.csv", b"a,not-a-number\n"), ("a", b"x")]))
        # A TOC row claiming a petabyte: extracting it server-side would queue ~186,000 copies.
        hostile = tar_bytes([("toc.csv", b"a,1536,1000000000000000,\n"), ("a", b"x")])
        cls.srv.put(cls.bucket, "hostile.tar", hostile)
        cls.srv.put(cls.bucket, "bigheader.tar", tar_with_toc_header_size(10**12))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()
        super().tearDownClass()

    def url(self, key):
        return f"s3://{self.bucket}/{key}"

    def assert_bad_input(self, result, needle=""):
        rc, out, err = result
        self.assertEqual(rc, s3env.EXIT_BAD_INPUT, f"stdout:{out[-2000:]}\nstderr:{err[-3000:]}")
        errors = s3env.error_lines(err)
        self.assertEqual(len(errors), 1, err[-3000:])
        self.assertIn(needle, errors[0].get("msg", ""), errors[0])
        self.assertLess(len(err), 8192, "no huge error lines")

    def test_not_a_tar_is_bad_input(self):
        self.assert_bad_input(self.srv.run("-tf", self.url("junk.tar")), "junk.tar")
        self.assert_bad_input(self.srv.run("verify", "-f", self.url("junk.tar")), "junk.tar")
        out_dir = os.path.join(self.tmp.name, f"{self.srv.name}-junk")
        self.assert_bad_input(self.srv.run("-xf", self.url("junk.tar"), "-C", out_dir), "junk.tar")

    def test_malformed_toc_is_bad_input(self):
        self.assert_bad_input(self.srv.run("-tf", self.url("badtoc.tar")), "toc.csv row 1")
        self.assert_bad_input(self.srv.run("-xf", self.url("badtoc.tar"), "-C", f"s3://{self.bucket}/out-badtoc/"),
                              "toc.csv row 1")

    def test_toc_header_claiming_more_than_the_archive_is_bad_input(self):
        self.assert_bad_input(self.srv.run("-tf", self.url("bigheader.tar")), "past the end")

    def test_hostile_toc_is_refused_before_any_request_for_its_members(self):
        for dest in (f"s3://{self.bucket}/out-hostile/", os.path.join(self.tmp.name, f"{self.srv.name}-hostile")):
            with self.subTest(dest=dest):
                t0 = time.monotonic()
                self.assert_bad_input(self.srv.run("-xf", self.url("hostile.tar"), "-C", dest, timeout=60),
                                      "past the end of the archive")
                self.assertLess(time.monotonic() - t0, 30)
        self.assertEqual(self.srv.keys(self.bucket, "out-hostile/"), [])
        self.assertEqual(self.srv.open_uploads(self.bucket), [])
        local = os.path.join(self.tmp.name, f"{self.srv.name}-hostile")
        self.assertEqual(os.listdir(local) if os.path.isdir(local) else [], [], "nothing extracted locally")
        # An external TOC gets the same check.
        toc = os.path.join(self.tmp.name, f"{self.srv.name}-hostile-toc.csv")
        with open(toc, "w") as f:
            f.write("a,1536,1000000000000000,\n")
        self.assert_bad_input(self.srv.run("-xf", self.url("junk.tar"), "--external-toc", toc, "-C",
                                           f"s3://{self.bucket}/out-hostile/"), "past the end of the archive")


class LongNames:
    """Member names of up to 255 bytes per path component extract locally."""

    def test_255_byte_names_extract_locally(self):
        src = self.srv.new_bucket("src")
        dst = self.srv.new_bucket("dst")
        objects = {f"d/{'n' * n}": data_for(str(n), 100 + n) for n in (200, 242, 250, 255)}
        objects["d/" + "\u00e9" * 127] = b"two-byte characters: 254 bytes"
        self.srv.put_many(src, objects)
        self.assertRc(self.srv.run("-cf", f"s3://{dst}/long.tar", f"s3://{src}/d/"), 0, "create")
        with tempfile.TemporaryDirectory(prefix="s3tar-e2e-long-") as out:
            self.assertRc(self.srv.run("-xf", f"s3://{dst}/long.tar", "-C", out), 0, "extract")
            for k, v in objects.items():
                with open(os.path.join(out, k), "rb") as f:
                    self.assertTrue(f.read() == v, k)
            self.assertEqual(sorted(os.listdir(os.path.join(out, "d"))), sorted(k[2:] for k in objects),
                             "no temporary files left")


def peak_rss_kib(srv, args):
    """Runs s3tar under /usr/bin/time -v; returns (rc, stderr, peak RSS in KiB) of s3tar alone
    (a child forked from this process would count this process's memory as its own)."""
    p = subprocess.run(["/usr/bin/time", "-v", s3env.binary(), *args], env=srv.binary_env(),
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=600)
    err = p.stderr.decode("utf-8", "replace")
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", err)
    if not m:
        raise s3env.SetupError("/usr/bin/time -v printed no peak RSS: " + err[-500:])
    return p.returncode, err, int(m.group(1))


class StreamingVerify:
    """verify --content streams a member and its source through MD5: its memory does not grow with
    the member (today a 96 MiB member took more than twice that)."""

    def test_verify_content_memory_does_not_grow_with_the_member(self):
        src = self.srv.new_bucket("src")
        dst = self.srv.new_bucket("dst")
        big = data_for("big.bin", 96 * MiB)
        # A multipart source: its ETag is no MD5, so verify compares against the source's bytes.
        cfg = boto3.s3.transfer.TransferConfig(multipart_threshold=8 * MiB, multipart_chunksize=8 * MiB)
        self.srv.client.upload_fileobj(io.BytesIO(big), src, "v/big.bin", Config=cfg)
        self.srv.put(src, "v/small.txt", b"small")
        self.assertIn("-", self.srv.head(src, "v/big.bin")["ETag"])
        self.assertRc(self.srv.run("-cf", f"s3://{dst}/v.tar", f"s3://{src}/v/"), 0, "create")
        rc, err, rss = peak_rss_kib(self.srv, ["verify", "-f", f"s3://{dst}/v.tar", "--content"])
        self.assertEqual(rc, 0, err[-3000:])
        self.assertLess(rss, 64 * 1024, f"peak RSS {rss} KiB for a 96 MiB member")


s3env.server_classes(BadArchives, globals())
s3env.server_classes(LongNames, globals())
s3env.server_classes(StreamingVerify, globals())

if __name__ == "__main__":
    unittest.main()
