"""The command line Go s3tar users and AWS CLI users expect, through the binary: help and usage,
-V/--print-version, --location, --generate-manifest, --generate-toc on its own, names listed as
GNU tar quotes them, the --json summary, and bad bucket names refused before any request."""

import csv
import io
import json
import os
import re
import tempfile
import unittest

import s3env
from s3env import EXIT_USAGE, data_for


class HelpAndVersion(unittest.TestCase):
    """No server needed: nothing here may send a request."""

    def run_binary(self, *args):
        return s3env.run_binary(list(args), s3env.clean_env({"AWS_ENDPOINT_URL": "http://127.0.0.1:9"}))

    def test_no_arguments_points_to_help(self):
        rc, out, err = self.run_binary()
        self.assertEqual(rc, EXIT_USAGE, err)
        self.assertIn("s3tar --help", err)
        self.assertEqual(out, "")

    def test_usage_lists_every_command(self):
        rc, out, err = self.run_binary("--help")
        self.assertEqual(rc, 0, err)
        usage = out.split("\n\n")[0]
        for form in ("s3tar -c ", "s3tar -t ", "s3tar -x ", "s3tar --generate-toc", "s3tar --generate-manifest",
                     "s3tar verify ", "s3tar run ", "s3tar inventory "):
            self.assertIn(form, usage, usage)
        for flag in ("--location", "--print-version", "--json", "--max-part-size", "--generate-manifest"):
            self.assertIn(flag, out)

    def test_each_subcommand_has_its_own_help(self):
        for sub, own, foreign in (("verify", "--content", "--storage-class"),
                                  ("run", "--config", "--generate-toc"),
                                  ("inventory", "--output", "--generate-toc")):
            with self.subTest(sub=sub):
                rc, out, err = self.run_binary(sub, "--help")
                self.assertEqual(rc, 0, err)
                self.assertRegex(out, rf"Usage: s3tar {sub} ")
                self.assertIn(own, out)
                self.assertNotIn(foreign, out, f"{sub} --help shows the main help")

    def test_print_version(self):
        for flag in ("-V", "--print-version", "--version"):
            with self.subTest(flag=flag):
                rc, out, err = self.run_binary(flag)
                self.assertEqual(rc, 0, err)
                self.assertRegex(out, r"^s3tar \d+\.\d+\.\d+\n$")

    def test_bad_flag_names_help(self):
        rc, out, err = self.run_binary("-tf", "s3://b/k.tar", "--no-such-flag")
        self.assertEqual(rc, EXIT_USAGE)
        errors = s3env.error_lines(err)
        self.assertEqual(len(errors), 1, err)
        self.assertIn("--no-such-flag", errors[0]["msg"])
        self.assertIn("--help", errors[0]["msg"])

    def test_bad_bucket_names_are_usage_errors(self):
        # Refused before any request (the endpoint is a closed port: a request would be exit 5).
        for args in (["-cf", "s3://dst/k.tar", "s3://Bad Bucket/p/"],
                     ["-cf", "s3://dst!/k.tar", "s3://src/p/", "--dry-run"],
                     ["-xf", "s3://dst/k.tar", "-C", "s3://a*b/p/"]):
            with self.subTest(args=args):
                rc, out, err = self.run_binary(*args)
                self.assertEqual(rc, EXIT_USAGE, err)
                self.assertIn("not a valid bucket name", err)


def human_bytes(b):
    """As the text log prints sizes (s3tar/log/log.cpp)."""
    units = ["B", "KiB", "MiB", "GiB", "TiB"]
    u = 0
    while b >= 1024 and u < 4:
        b /= 1024
        u += 1
    return f"{b:.0f} {units[u]}" if u == 0 else f"{b:.1f} {units[u]}"


class GoFlags:
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = tempfile.TemporaryDirectory(prefix="s3tar-e2e-cli-")
        cls.src = cls.srv.new_bucket("src")
        cls.dst = cls.srv.new_bucket("dst")
        cls.objects = {f"docs/{i:02d}.txt": data_for(f"docs/{i:02d}.txt", 700 * i + 3) for i in range(8)}
        cls.objects["docs/sub/big.bin"] = data_for("docs/sub/big.bin", 6 * s3env.MiB + 5)
        cls.srv.put_many(cls.src, cls.objects)
        cls.srv.put(cls.src, "docs/folder/", b"")  # a folder marker: not an object to archive

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()
        super().tearDownClass()

    def path(self, name):
        return os.path.join(self.tmp.name, f"{self.srv.name}-{name}")

    def make_archive(self, key, prefix="docs/"):
        self.assertRc(self.srv.run("-cf", f"s3://{self.dst}/{key}", f"s3://{self.src}/{prefix}"), 0, "create")

    def test_generate_manifest_then_create_from_it(self):
        manifest = self.path("manifest.csv")
        rc, out, err = self.srv.run("--generate-manifest", "-f", f"s3://{self.src}/docs/", "-C", manifest)
        self.assertRc((rc, out, err), 0, "--generate-manifest")
        with open(manifest, newline="") as f:
            rows = list(csv.reader(f))
        expected = []
        for k in sorted(self.objects):
            etag = self.srv.head(self.src, k)["ETag"].strip('"')
            expected.append([self.src, k, str(len(self.objects[k])), etag])
        self.assertEqual(sorted(rows), expected)
        # The Go README's next step: an archive from the manifest.
        self.assertRc(self.srv.run("-cf", f"s3://{self.dst}/gm/from-manifest.tar", "-m", manifest), 0, "create -m")
        archive = self.srv.get(self.dst, "gm/from-manifest.tar")
        names = [m[0] for m in s3env.tar_members(archive)[1:]]
        self.assertEqual(sorted(names), sorted(self.objects))

    def test_generate_manifest_json_summary(self):
        manifest = self.path("manifest-json.csv")
        rc, out, err = self.srv.run("--generate-manifest", "-f", f"s3://{self.src}/docs/", "--location", manifest,
                                    "--json")
        self.assertRc((rc, out, err), 0, "--generate-manifest --json")
        summary = json.loads(out)
        self.assertEqual(summary["objects"], len(self.objects))
        self.assertEqual(summary["bytes"], sum(len(v) for v in self.objects.values()))
        self.assertEqual(summary["output"], manifest)

    def test_generate_toc_alone(self):
        self.make_archive("gt/a.tar")
        toc_path = self.path("toc.csv")
        rc, out, err = self.srv.run("--generate-toc", "-f", f"s3://{self.dst}/gt/a.tar", "-C", toc_path)
        self.assertRc((rc, out, err), 0, "--generate-toc")
        with open(toc_path, "rb") as f:
            generated = s3env.parse_toc(f.read())
        archive = self.srv.get(self.dst, "gt/a.tar")
        members = {m[0]: (m[1], m[2]) for m in s3env.tar_members(archive)}
        self.assertEqual(sorted(r[0] for r in generated), sorted(members))
        for name, off, size, _ in generated:
            self.assertEqual((off, size), members[name], name)
        # Without -C the index goes to stdout.
        rc, out2, err = self.srv.run("--generate-toc", "-f", f"s3://{self.dst}/gt/a.tar")
        self.assertRc((rc, out2, err), 0, "--generate-toc to stdout")
        self.assertEqual(s3env.parse_toc(out2.encode()), generated)

    def test_extract_with_location(self):
        self.make_archive("loc/a.tar")
        rc, out, err = self.srv.run("-xf", f"s3://{self.dst}/loc/a.tar", "--location", f"s3://{self.dst}/restored/")
        self.assertRc((rc, out, err), 0, "-x --location")
        for k, v in self.objects.items():
            self.assertTrue(self.srv.get(self.dst, "restored/" + k) == v, k)

    def test_list_escapes_control_characters(self):
        odd = {"esc/tab\there.txt": "esc/tab\\there.txt", "esc/back\\slash.txt": "esc/back\\\\slash.txt"}
        if self.srv.name == "rgw":  # moto answers 404 to a PUT of a key with a newline
            odd["esc/new\nline.txt"] = "esc/new\\nline.txt"
        self.srv.put_many(self.src, {k: k.encode() for k in odd})
        self.make_archive("esc/a.tar", prefix="esc/")
        rc, out, err = self.srv.run("-tf", f"s3://{self.dst}/esc/a.tar")
        self.assertRc((rc, out, err), 0, "-t")
        lines = [line for line in out.split("\n") if line]
        self.assertEqual(sorted(lines), sorted(odd.values()))
        rc, out, err = self.srv.run("-tvf", f"s3://{self.dst}/esc/a.tar")
        self.assertRc((rc, out, err), 0, "-tv")
        self.assertEqual(sorted(line.split()[-1] for line in out.split("\n") if line), sorted(odd.values()))

    def test_list_json(self):
        self.make_archive("lj/a.tar")
        rc, out, err = self.srv.run("-tf", f"s3://{self.dst}/lj/a.tar", "--json")
        self.assertRc((rc, out, err), 0, "-t --json")
        rows = [json.loads(line) for line in out.split("\n") if line]
        by_name = {r["name"]: r for r in rows}
        for k, v in self.objects.items():
            self.assertEqual(by_name[k]["size"], len(v), k)

    def test_dry_run_refuses_what_the_run_refuses(self):
        manifest = self.path("missing.csv")
        with open(manifest, "w") as f:
            f.write(f"{self.src},docs/01.txt,703\n{self.src},docs/no-such-object.txt,10\n")
        key = f"s3://{self.dst}/dry/missing.tar"
        dry = self.srv.run("-cf", key, "-m", manifest, "--dry-run")
        real = self.srv.run("-cf", key, "-m", manifest)
        self.assertNotEqual(real[0], 0, "the run refuses a manifest with a missing source")
        self.assertEqual(dry[0], real[0], f"dry run:\n{dry[2]}\nrun:\n{real[2]}")
        self.assertIn("no-such-object.txt", dry[2])
        # With --skip-unreadable both complete and exit 6 (completed with skips).
        self.assertRc(self.srv.run("-cf", key, "-m", manifest, "--dry-run", "--skip-unreadable"),
                      s3env.EXIT_PARTIAL, "dry run with skips")
        self.assertEqual(self.srv.keys(self.dst, "dry/"), [], "nothing written")
        self.assertEqual(self.srv.open_uploads(self.dst), [])
        # Storage classes are checked before anything is read or written.
        rc, out, err = self.srv.run("-cf", key, f"s3://{self.src}/docs/", "--storage-class", "GLACER", "--dry-run")
        self.assertRc((rc, out, err), EXIT_USAGE, "unknown storage class")
        self.assertIn("GLACER", err)

    def test_create_json_summary(self):
        rc, out, err = self.srv.run("-cf", f"s3://{self.dst}/cj/a.tar", f"s3://{self.src}/docs/", "--json")
        self.assertRc((rc, out, err), 0, "-c --json")
        summary = json.loads(out)
        self.assertEqual(summary["objects_planned"], len(self.objects))
        head = self.srv.head(self.dst, "cj/a.tar")
        self.assertEqual([a["etag"] for a in summary["archives"]], [head["ETag"].strip('"')])

    def test_verify_json_summary(self):
        self.make_archive("vj/a.tar")
        rc, out, err = self.srv.run("verify", "-f", f"s3://{self.dst}/vj/a.tar", "--json")
        self.assertRc((rc, out, err), 0, "verify --json")
        summary = json.loads(out)
        self.assertEqual(summary["members"], len(self.objects))  # toc.csv not counted
        self.assertEqual(summary["sources_checked"], len(self.objects))
        self.assertTrue(summary["structure_ok"])
        self.assertEqual(summary["problems"], [])

    def test_extract_json_summary(self):
        self.make_archive("xj/a.tar")
        rc, out, err = self.srv.run("-xf", f"s3://{self.dst}/xj/a.tar", "-C", f"s3://{self.dst}/xj/out/", "--json")
        self.assertRc((rc, out, err), 0, "-x --json")
        summary = json.loads(out)
        self.assertEqual(summary["members"], len(self.objects))
        self.assertEqual(summary["bytes"], sum(len(d) for d in self.objects.values()))
        self.assertEqual(summary["destination"], f"s3://{self.dst}/xj/out/")

    def test_max_part_size_bare_number_is_mib(self):
        # The Go s3tar's --max-part-size 5 means parts of about 5 MiB at most: 12 MiB of 1 MiB
        # objects (assembled into upload parts) make several parts with it and one without (the
        # default target is 16 MiB); a bare number outside 5-5120 is a usage error, not bytes.
        objects = {f"mp/{i:02d}.bin": data_for(f"mp/{i}", s3env.MiB) for i in range(12)}
        self.srv.put_many(self.src, objects)

        def parts(key, *flags):
            rc, out, err = self.srv.run("-cf", f"s3://{self.dst}/{key}", f"s3://{self.src}/mp/", *flags)
            self.assertRc((rc, out, err), 0, f"create {flags}")
            etag = self.srv.head(self.dst, key)["ETag"].strip('"')
            return int(etag.rsplit("-", 1)[1]) if "-" in etag else 1

        self.assertGreaterEqual(parts("mp/capped.tar", "--max-part-size", "5"), 2)
        self.assertEqual(parts("mp/default.tar"), 1)
        rc, out, err = self.srv.run("-cf", f"s3://{self.dst}/mp/b.tar", f"s3://{self.src}/mp/",
                                    "--max-part-size", "4")
        self.assertRc((rc, out, err), EXIT_USAGE, "--max-part-size 4")

    def test_max_attempts_zero(self):
        # The Go tool's 0 = no limit; here the most the client allows. Accepted, and it works.
        self.make_archive("ma/a.tar")
        rc, out, err = self.srv.run("-tf", f"s3://{self.dst}/ma/a.tar", "--max-attempts", "0")
        self.assertRc((rc, out, err), 0, "--max-attempts 0")
        self.assertEqual(sorted(line for line in out.split("\n") if line), sorted(self.objects))
        rc, out, err = self.srv.run("-tf", f"s3://{self.dst}/ma/a.tar", "--max-attempts", "-1")
        self.assertRc((rc, out, err), EXIT_USAGE, "--max-attempts -1")

    def test_text_logs_on_a_pipe_have_no_escape_codes(self):
        env = self.srv.binary_env(S3TAR_LOG_FORMAT="text")
        rc, out, err = self.srv.run("-cvvf", f"s3://{self.dst}/txt/a.tar", f"s3://{self.src}/docs/", env=env)
        self.assertRc((rc, out, err), 0, "create with text logs")
        self.assertTrue(err.strip(), "text logs were written")
        self.assertNotIn("\x1b", err)
        self.assertNotIn("\r", err)
        # Extraction progress counts the bytes against the bytes to extract, not against 0.
        rc, out, err = self.srv.run("-xf", f"s3://{self.dst}/txt/a.tar", "-C", f"s3://{self.dst}/txt-out/", env=env)
        self.assertRc((rc, out, err), 0, "extract with text logs")
        total = human_bytes(sum(len(v) for v in self.objects.values()))
        progress = [line for line in err.split("\n") if line.startswith("extract ") and "objects" in line]
        self.assertTrue(progress, err)
        self.assertRegex(progress[0], rf"\d+/{len(self.objects)} objects \S+ \S+/{re.escape(total)} ")
        self.assertNotIn("\x1b", err)


s3env.server_classes(GoFlags, globals())

if __name__ == "__main__":
    unittest.main()
