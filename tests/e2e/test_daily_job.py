"""End-to-end tests of the daily job (`s3tar run`, `s3tar inventory`) against RGW.

The tests PUT real source objects, write S3 Inventory reports for them (manifest.json,
manifest.checksum, csv.gz data files; current-only and all-versions schemas, form-encoded keys,
rows from the day before/after, 0-byte objects, GLACIER sources, corrupt and mismatching files),
run the binary, and read the archives back with Python's tarfile.

RGW only: inventory reading and the daily job's logic do not differ between servers, and the
S3 operations they use are covered against moto by the other end-to-end modules. Needs
S3TAR_BIN and S3TAR_RGW_ENV (tests/servers/with-servers.sh --rgw); missing ones FAIL.
"""

import concurrent.futures
import csv
import gzip
import hashlib
import io
import json
import os
import signal
import subprocess
import tarfile
import tempfile
import time
import unittest

import daily_inventory as di

DAY = "2025-03-10"
ON_DAY = "2025-03-10T13:45:07.000Z"
REPORT_FOLDER = "2025-03-11T01-00Z"  # the scan started after the day ended
MiB = 1024 * 1024


def data(seed, size):
    """Deterministic bytes."""
    out = bytearray()
    block = hashlib.sha256(seed.encode()).digest()
    while len(out) < size:
        block = hashlib.sha256(block).digest()
        out += block * 64
    return bytes(out[:size])


class DailyJobTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.env = di.rgw_env()
        di.binary()
        cls.s3 = di.s3_client(cls.env)
        cls.inv = di.bucket_name("inv")
        cls.dst = di.bucket_name("dst")
        cls.src = di.bucket_name("src")
        for b in (cls.inv, cls.dst, cls.src):
            cls.s3.create_bucket(Bucket=b)
        cls.tmp = tempfile.TemporaryDirectory()
        # Source objects of the plain (unversioned) bucket: key -> (body, storage class, mtime).
        cls.objects = {
            "logs/app/a.log": (data("a", 100_000), "STANDARD", ON_DAY),
            "logs/app/space name + plus.txt": (data("b", 3000), "STANDARD", "2025-03-10T00:00:00.000Z"),
            "logs/ünïcode/straße.txt": (data("c", 777), "STANDARD", "2025-03-10T23:59:59.000Z"),
            "logs/big/twelve-mib.bin": (data("d", 12 * MiB + 5), "STANDARD", ON_DAY),
            "logs/empty.txt": (b"", "STANDARD", ON_DAY),
            "logs/before.txt": (data("e", 500), "STANDARD", "2025-03-09T23:59:59.000Z"),
            "logs/after.txt": (data("f", 500), "STANDARD", "2025-03-11T00:00:00.000Z"),
            "logs/cold.bin": (data("g", 4000), "GLACIER", ON_DAY),
            "tmp/scratch.txt": (data("h", 100), "STANDARD", ON_DAY),
        }
        cls.expected = {"logs/app/a.log", "logs/app/space name + plus.txt", "logs/ünïcode/straße.txt",
                        "logs/big/twelve-mib.bin"}
        cls.etags = {}
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            futures = {k: pool.submit(cls.s3.put_object, Bucket=cls.src, Key=k, Body=body, StorageClass=sc)
                       for k, (body, sc, _) in cls.objects.items()}
            for k, f in futures.items():
                cls.etags[k] = f.result()["ETag"].strip('"')
        cls.rows = [di.Row(cls.src, k, len(body), mtime, cls.etags[k], sc)
                    for k, (body, sc, mtime) in cls.objects.items()]

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    # -- helpers ------------------------------------------------------------------------------

    def config(self, name, inventory_prefix, dest_prefix, **extra):
        path = os.path.join(self.tmp.name, name + ".json")
        fields = {
            "inventory": f"s3://{self.inv}/{inventory_prefix}/",
            "destination": {"bucket": self.dst, "prefix": dest_prefix},
            "storage_class": "GLACIER",
            "concurrency": 4,
            "connection": di.connection(self.env, region="us-east-1"),
        }
        fields.update(extra)
        di.write_config(path, **fields)
        return path

    def run_job(self, *args, extra_env=None, timeout=120):
        return di.run(list(args), di.binary_env(self.env, extra_env), timeout=timeout)

    def archives(self, prefix):
        """{archive key: etag} of the .tar objects under prefix."""
        return {k: e for k, (e, _) in di.list_keys(self.s3, self.dst, prefix).items() if k.endswith(".tar")}

    def members(self, key):
        """[(name, bytes)] of an archive, toc.csv excluded."""
        body = self.s3.get_object(Bucket=self.dst, Key=key)["Body"].read()
        out = []
        with tarfile.open(fileobj=io.BytesIO(body), mode="r:") as tf:
            for m in tf.getmembers():
                if m.name == "toc.csv":
                    continue
                out.append((m.name, tf.extractfile(m).read()))
        return out

    def get_json(self, bucket, key):
        return json.loads(self.s3.get_object(Bucket=bucket, Key=key)["Body"].read())

    def assert_rc(self, result, expected):
        rc, out, err = result
        self.assertEqual(rc, expected, f"exit {rc}, expected {expected}\nstdout:\n{out}\nstderr:\n{err[-4000:]}")

    # -- tests ----------------------------------------------------------------------------------

    def test_current_only_report_archives_the_day(self):
        di.write_report(self.s3, self.inv, f"{self.src}/cur", self.src, REPORT_FOLDER, self.rows, n_files=3)
        cfg = self.config("cur", f"{self.src}/cur", "cur", filters={"exclude_prefixes": ["tmp/"]},
                          size_limit="1GiB")
        # The GLACIER source is already archived: listed, and no reason for exit 6.
        self.assert_rc(self.run_job("run", "--config", cfg, "--date", DAY, "--tag-sources", "archived=yes"),
                       di.EXIT_OK)
        arch = self.archives("cur/")
        key = f"cur/{self.src}/2025/03/10/{self.src}-2025-03-10-0001.tar"
        self.assertEqual(list(arch), [key])
        got = self.members(key)
        self.assertEqual(sorted(n for n, _ in got), sorted(self.expected))
        for name, body in got:
            self.assertEqual(body, self.objects[name][0], name)
        head = self.s3.head_object(Bucket=self.dst, Key=key)
        self.assertEqual(head.get("StorageClass"), "GLACIER")
        index = self.get_json(self.dst, key + ".index.json")
        self.assertEqual(index["etag"], head["ETag"].strip('"'))

        report = self.get_json(self.dst, "cur/_reports/2025/03/10/run-report.json")
        self.assertEqual(report["date"], DAY)
        self.assertEqual(report["inventory"]["report_folder"], REPORT_FOLDER)
        self.assertEqual(report["selected"]["objects"], 4)
        self.assertEqual(report["archived"]["objects"], 4)
        self.assertEqual(report["skipped"]["by_reason"], {})
        self.assertEqual(report["already_archived"]["objects"], 1)
        self.assertEqual(report["exit_code"], di.EXIT_OK)
        self.assertEqual(report["inventory_summary"]["dropped"]["too_small"], 1)
        self.assertEqual(report["inventory_summary"]["dropped"]["outside_date"], 2)
        self.assertEqual(report["inventory_summary"]["dropped"]["excluded_prefix"], 1)
        self.assertEqual([a["etag"] for a in report["archives"]], [head["ETag"].strip('"')])
        self.assertGreater(report["requests"].get("GetObject", 0), 0)
        self.assertEqual(report["tagging"]["tagged"], 4)
        csv_text = self.s3.get_object(Bucket=self.dst, Key="cur/_reports/2025/03/10/not-archived.csv")[
            "Body"].read().decode()
        lines = csv_text.strip().split("\n")
        self.assertEqual(len(lines), 2, csv_text)
        self.assertIn("logs/cold.bin", lines[1])
        self.assertIn("already-archived", lines[1])
        self.assertEqual(self.s3.head_object(Bucket=self.dst, Key="cur/_reports/2025/03/10/state.json")
                         .get("StorageClass", "STANDARD"), "STANDARD")
        tags = self.s3.get_object_tagging(Bucket=self.src, Key="logs/app/a.log")["TagSet"]
        self.assertIn({"Key": "archived", "Value": "yes"}, tags)
        # Sources are never deleted.
        self.assertIn("logs/app/a.log", di.list_keys(self.s3, self.src, "logs/"))

        # The day's catalog: one row per archived object, where its data starts in the archive.
        part_key = "cur/_reports/catalog/dt=2025-03-10/part-0000.csv.gz"
        self.assertEqual(report["catalog"], f"s3://{self.dst}/{part_key}")
        part = self.s3.get_object(Bucket=self.dst, Key=part_key)
        self.assertEqual(part.get("StorageClass", "STANDARD"), "STANDARD")
        part_bytes = part["Body"].read()
        text = gzip.decompress(part_bytes).decode()
        self.assertTrue(all(line.startswith('"') for line in text.splitlines()), text)  # every field quoted
        rows = list(csv.reader(io.StringIO(text)))
        self.assertEqual(sorted(r[1] for r in rows), sorted(self.expected))
        tar_bytes = self.s3.get_object(Bucket=self.dst, Key=key)["Body"].read()
        for r in rows:
            bucket_, name, version, size, modified, etag, a_bucket, a_key, a_etag, offset = r
            self.assertEqual((bucket_, version, etag), (self.src, "", self.etags[name]), r)
            self.assertEqual((a_bucket, a_key, a_etag), (self.dst, key, head["ETag"].strip('"')), r)
            self.assertEqual(modified, self.objects[name][2].replace(".000Z", "Z"), r)
            self.assertEqual(tar_bytes[int(offset):int(offset) + int(size)], self.objects[name][0], r)

        # A second run for the same date creates nothing new and exits with the first run's code;
        # it rewrites the catalog part with the same bytes (here over a damaged copy).
        before = di.list_keys(self.s3, self.dst, f"cur/{self.src}/")
        self.s3.put_object(Bucket=self.dst, Key=part_key, Body=b"damaged")
        self.assert_rc(self.run_job("run", "--config", cfg, "--date", DAY), di.EXIT_OK)
        self.assertEqual(di.list_keys(self.s3, self.dst, f"cur/{self.src}/"), before)
        self.assertEqual(self.s3.get_object(Bucket=self.dst, Key=part_key)["Body"].read(), part_bytes)

        # `s3tar inventory` writes the selection as a manifest.
        manifest = os.path.join(self.tmp.name, "cur-manifest.csv")
        rc, out, err = self.run_job("inventory", "--config", cfg, "--date", DAY, "-o", manifest)
        self.assertEqual(rc, 0, err)
        self.assertIn("rows read", out)
        with open(manifest, encoding="utf-8") as f:
            lines = [line for line in f.read().split("\n") if line]
        self.assertEqual(len(lines), 4)
        self.assertTrue(any("space name + plus.txt" in line for line in lines), lines)
        # Without -o only the summary is printed, not the selected rows.
        rc, out, err = self.run_job("inventory", "--config", cfg, "--date", DAY)
        self.assertEqual(rc, 0, err)
        self.assertIn("rows read", out)
        self.assertNotIn("space name + plus.txt", out)
        self.assertNotIn(self.src + ",", out)
        # -o -: the manifest on stdout, the summary on stderr.
        rc, out, err = self.run_job("inventory", "--config", cfg, "--date", DAY, "-o", "-")
        self.assertEqual(rc, 0, err)
        self.assertEqual(len([line for line in out.split("\n") if line]), 4, out)
        # --json: the summary as one JSON object on stdout.
        rc, out, err = self.run_job("inventory", "--config", cfg, "--date", DAY, "-o", manifest, "--json")
        self.assertEqual(rc, 0, err)
        summary = json.loads(out)
        self.assertEqual(summary["date"], DAY)
        self.assertEqual(summary["report"], REPORT_FOLDER)
        self.assertEqual(summary["manifest"], {"path": manifest, "objects": 4})

    def test_all_versions_report_and_idempotent_reruns(self):
        vsrc = di.bucket_name("vsrc")
        self.s3.create_bucket(Bucket=vsrc)
        self.s3.put_bucket_versioning(Bucket=vsrc, VersioningConfiguration={"Status": "Enabled"})
        v1 = self.s3.put_object(Bucket=vsrc, Key="v/doc.txt", Body=b"old version " * 100)
        v2 = self.s3.put_object(Bucket=vsrc, Key="v/doc.txt", Body=b"new version " * 100)
        keep = self.s3.put_object(Bucket=vsrc, Key="v/keep me.bin", Body=data("keep", 70_000))
        gone = self.s3.put_object(Bucket=vsrc, Key="v/gone.txt", Body=b"deleted later")
        marker = self.s3.delete_object(Bucket=vsrc, Key="v/gone.txt")
        late = self.s3.put_object(Bucket=vsrc, Key="v/late.txt", Body=b"only in a later report")

        def row(key, put, body_len, **kw):
            return di.Row(vsrc, key, body_len, ON_DAY, put["ETag"].strip('"'), version_id=put["VersionId"], **kw)

        rows = [
            row("v/doc.txt", v1, 1200, is_latest=False),
            row("v/doc.txt", v2, 1200),
            row("v/keep me.bin", keep, 70_000),
            row("v/gone.txt", gone, 13, is_latest=False),
            di.Row(vsrc, "v/gone.txt", 0, ON_DAY, "", version_id=marker["VersionId"], delete_marker=True),
        ]
        prefix = f"{vsrc}/all"
        di.write_report(self.s3, self.inv, prefix, vsrc, REPORT_FOLDER, rows, schema=di.VERSIONED_SCHEMA,
                        n_files=2)
        cfg = self.config("all", prefix, "all")

        # --dry-run prints the plan and writes nothing.
        rc, out, err = self.run_job("run", "--config", cfg, "--date", DAY, "--dry-run")
        self.assertEqual(rc, 0, err)
        self.assertIn("Plan: 2 objects", out)
        self.assertEqual(di.list_keys(self.s3, self.dst, "all/"), {})

        self.assert_rc(self.run_job("run", "--config", cfg, "--date", DAY), di.EXIT_OK)
        arch = self.archives("all/")
        self.assertEqual(len(arch), 1)
        got = dict(self.members(next(iter(arch))))
        self.assertEqual(got, {"v/doc.txt": b"new version " * 100, "v/keep me.bin": data("keep", 70_000)})
        first = di.list_keys(self.s3, self.dst, "all/")

        # Re-run: nothing new, not even reports (the first run's stay, with what it skipped), exit 0.
        rc, _, err = self.run_job("run", "--config", cfg, "--date", DAY)
        self.assertEqual(rc, 0, err)
        self.assertIn("already complete", err)
        self.assertEqual(di.list_keys(self.s3, self.dst, "all/"), first)
        report = self.get_json(self.dst, "all/_reports/2025/03/10/run-report.json")
        self.assertEqual(report["volumes"]["written"], 1)

        # A newer report listing one more object for the day must not change the day's volumes.
        di.write_report(self.s3, self.inv, prefix, vsrc, "2025-03-12T01-00Z",
                        rows + [row("v/late.txt", late, 22)], schema=di.VERSIONED_SCHEMA, n_files=1)
        rc, _, err = self.run_job("run", "--config", cfg, "--date", DAY)
        self.assertEqual(rc, 0, err)
        self.assertIn(f"re-using inventory report {REPORT_FOLDER}", err)
        self.assertEqual({k: v for k, v in di.list_keys(self.s3, self.dst, "all/").items() if "_reports" not in k},
                         {k: v for k, v in first.items() if "_reports" not in k})
        self.assertEqual(self.get_json(self.dst, "all/_reports/2025/03/10/run-report.json")["inventory"]
                         ["report_folder"], REPORT_FOLDER)

    def test_source_changed_since_the_inventory_is_reported_not_fatal(self):
        chg = di.bucket_name("chg")
        self.s3.create_bucket(Bucket=chg)
        rows = []
        for name in ("stable.txt", "rewritten.txt"):
            put = self.s3.put_object(Bucket=chg, Key=name, Body=data(name, 5000))
            rows.append(di.Row(chg, name, 5000, ON_DAY, put["ETag"].strip('"')))
        self.s3.put_object(Bucket=chg, Key="rewritten.txt", Body=b"changed after the inventory")
        di.write_report(self.s3, self.inv, f"{chg}/cfg", chg, REPORT_FOLDER, rows, n_files=1)
        cfg = self.config("chg", f"{chg}/cfg", "chg")
        self.assert_rc(self.run_job("run", "--config", cfg, "--date", DAY), di.EXIT_PARTIAL)
        arch = self.archives("chg/")
        self.assertEqual(len(arch), 1)
        self.assertEqual(self.members(next(iter(arch))), [("stable.txt", data("stable.txt", 5000))])
        csv_text = self.s3.get_object(Bucket=self.dst, Key="chg/_reports/2025/03/10/not-archived.csv")[
            "Body"].read().decode()
        self.assertIn("rewritten.txt", csv_text)
        self.assertIn("changed", csv_text)
        report = self.get_json(self.dst, "chg/_reports/2025/03/10/run-report.json")
        self.assertEqual(report["skipped"]["by_reason"], {"changed": 1})
        self.assertEqual(report["archived"]["objects"], 1)

    def test_bad_inventory_writes_nothing(self):
        cases = {
            "corrupt": dict(corrupt_file=1),
            "badsum": dict(bad_manifest_checksum=True),
            "badmd5": dict(bad_file_md5=0),
        }
        for name, kw in cases.items():
            with self.subTest(name):
                prefix = f"{self.src}/{name}"
                di.write_report(self.s3, self.inv, prefix, self.src, REPORT_FOLDER, self.rows, n_files=3, **kw)
                cfg = self.config(name, prefix, name)
                rc, _, err = self.run_job("run", "--config", cfg, "--date", DAY)
                self.assertEqual(rc, di.EXIT_BAD_INPUT, err[-3000:])
                self.assertEqual(di.list_keys(self.s3, self.dst, name + "/"), {})

    def test_report_not_delivered(self):
        # Only a report whose scan started before the day ended, and a newer one without its
        # manifest.checksum (not complete yet).
        prefix = f"{self.src}/late"
        di.write_report(self.s3, self.inv, prefix, self.src, "2025-03-10T01-00Z", self.rows, n_files=1)
        di.write_report(self.s3, self.inv, prefix, self.src, REPORT_FOLDER, self.rows, n_files=1,
                        with_checksum=False)
        cfg = self.config("late", prefix, "late")
        rc, _, err = self.run_job("run", "--config", cfg, "--date", DAY)
        self.assertEqual(rc, di.EXIT_NOT_DELIVERED, err[-3000:])
        self.assertEqual(di.list_keys(self.s3, self.dst, "late/"), {})

    def test_wrong_inventory_location_is_a_config_error(self):
        # No report folder of any date: not an inventory configuration's prefix (not "not yet").
        prefix = f"{self.src}/loc"
        di.write_report(self.s3, self.inv, prefix, self.src, REPORT_FOLDER, self.rows, n_files=1)
        for name, where in {"none": f"{self.src}/none", "folder": f"{prefix}/{REPORT_FOLDER}",
                            "manifest": f"{prefix}/{REPORT_FOLDER}/manifest.json"}.items():
            with self.subTest(name):
                cfg = self.config("loc-" + name, where, "loc-" + name)
                rc, _, err = self.run_job("run", "--config", cfg, "--date", DAY)
                self.assertEqual(rc, di.EXIT_USAGE, err[-3000:])
                self.assertIn("<source-bucket>/<inventory-config-id>/", err)
                self.assertEqual(di.list_keys(self.s3, self.dst, f"loc-{name}/"), {})

    def test_row_of_another_bucket_is_bad_input(self):
        prefix = f"{self.src}/mixed"
        rows = self.rows + [di.Row("someone-elses-bucket", "x.bin", 10, ON_DAY, "e" * 32)]
        di.write_report(self.s3, self.inv, prefix, self.src, REPORT_FOLDER, rows, n_files=1)
        cfg = self.config("mixed", prefix, "mixed")
        rc, _, err = self.run_job("run", "--config", cfg, "--date", DAY)
        self.assertEqual(rc, di.EXIT_BAD_INPUT, err[-3000:])
        self.assertIn("sourceBucket", err)
        self.assertEqual(di.list_keys(self.s3, self.dst, "mixed/"), {})

    def test_inventory_without_etags_is_refused_unless_allowed(self):
        prefix = f"{self.src}/noetag"
        schema = [c for c in di.CURRENT_SCHEMA if c != "ETag"]
        di.write_report(self.s3, self.inv, prefix, self.src, REPORT_FOLDER, self.rows, schema=schema, n_files=1)
        cfg = self.config("noetag", prefix, "noetag")
        rc, _, err = self.run_job("run", "--config", cfg, "--date", DAY)
        self.assertEqual(rc, di.EXIT_USAGE, err[-3000:])
        self.assertIn("allow_unpinned_reads", err)
        self.assertEqual(di.list_keys(self.s3, self.dst, "noetag/"), {})
        cfg = self.config("noetag-ok", prefix, "noetag-ok", allow_unpinned_reads=True)
        self.assert_rc(self.run_job("run", "--config", cfg, "--date", DAY), di.EXIT_OK)

    def test_already_archived_can_count_as_skipped(self):
        prefix = f"{self.src}/strict"
        di.write_report(self.s3, self.inv, prefix, self.src, REPORT_FOLDER, self.rows, n_files=1)
        cfg = self.config("strict", prefix, "strict", count_already_archived_as_skipped=True)
        self.assert_rc(self.run_job("run", "--config", cfg, "--date", DAY), di.EXIT_PARTIAL)
        report = self.get_json(self.dst, "strict/_reports/2025/03/10/run-report.json")
        self.assertEqual(report["skipped"]["by_reason"], {"already-archived": 1})
        # A re-run of the complete day returns the code of the run that completed it.
        self.assert_rc(self.run_job("run", "--config", cfg, "--date", DAY), di.EXIT_PARTIAL)

    def test_config_errors_exit_2(self):
        cfg = self.config("bad", f"{self.src}/cur", "bad", sizelimit="1GiB")
        rc, _, err = self.run_job("run", "--config", cfg)
        self.assertEqual(rc, di.EXIT_USAGE)
        self.assertIn("sizelimit", err)
        cfg = self.config("bad2", f"{self.src}/cur", "bad", size_limit="lots")
        rc, _, err = self.run_job("run", "--config", cfg)
        self.assertEqual(rc, di.EXIT_USAGE)
        self.assertIn("size_limit", err)
        cfg = self.config("ok", f"{self.src}/cur", "bad")
        self.assertEqual(self.run_job("run", "--config", cfg, "--shard", "2/2")[0], di.EXIT_USAGE)
        self.assertEqual(self.run_job("run", "--config", cfg, "--date", "2025-02-30")[0], di.EXIT_USAGE)


class DailyJobVolumesTest(unittest.TestCase):
    """Many volumes: kill and re-run, and shards (30 objects of 2 MiB, 10 MiB per archive)."""

    @classmethod
    def setUpClass(cls):
        cls.env = di.rgw_env()
        di.binary()
        cls.s3 = di.s3_client(cls.env)
        cls.inv = di.bucket_name("kinv")
        cls.dst = di.bucket_name("kdst")
        cls.src = di.bucket_name("ksrc")
        for b in (cls.inv, cls.dst, cls.src):
            cls.s3.create_bucket(Bucket=b)
        cls.tmp = tempfile.TemporaryDirectory()
        cls.bodies = {f"data/{i:03d}/object-{i}.bin": data(f"k{i}", 2 * MiB + i * 1000) for i in range(30)}
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            puts = {k: pool.submit(cls.s3.put_object, Bucket=cls.src, Key=k, Body=b) for k, b in cls.bodies.items()}
            rows = [di.Row(cls.src, k, len(cls.bodies[k]), ON_DAY, f.result()["ETag"].strip('"'))
                    for k, f in puts.items()]
        di.write_report(cls.s3, cls.inv, f"{cls.src}/cfg", cls.src, REPORT_FOLDER, rows, n_files=4)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def config(self, dest_prefix, **extra):
        path = os.path.join(self.tmp.name, dest_prefix + ".json")
        fields = {
            "inventory": {"bucket": self.inv, "prefix": f"{self.src}/cfg"},
            "destination": f"s3://{self.dst}/{dest_prefix}",
            "size_limit": "10MiB",
            "storage_class": "DEEP_ARCHIVE",
            "concurrency": 2,
            "connection": di.connection(self.env),
        }
        fields.update(extra)
        di.write_config(path, **fields)
        return path

    def tar_members(self, key):
        body = self.s3.get_object(Bucket=self.dst, Key=key)["Body"].read()
        with tarfile.open(fileobj=io.BytesIO(body), mode="r:") as tf:
            return [(m.name, tf.extractfile(m).read()) for m in tf.getmembers() if m.name != "toc.csv"]

    def archives(self, prefix):
        return {k[len(prefix):]: e for k, (e, _) in di.list_keys(self.s3, self.dst, prefix).items()
                if k.endswith(".tar")}

    def test_kill_and_rerun_completes_the_day(self):
        cfg = self.config("kill", concurrency=1)
        env = di.binary_env(self.env)
        rc, out, err = di.run(["run", "--config", cfg, "--date", DAY, "--dry-run"], env)
        self.assertEqual(rc, 0, err)
        planned = [line.split()[0].rstrip(":") for line in out.splitlines() if line.strip().startswith("s3://")]
        self.assertGreaterEqual(len(planned), 6, out)

        p = subprocess.Popen([di.binary(), "run", "--config", cfg, "--date", DAY], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.time() + 60
            while time.time() < deadline and p.poll() is None:
                if any(k.endswith(".index.json") for k in di.list_keys(self.s3, self.dst, "kill/")):
                    break
                time.sleep(0.02)
            self.assertIsNone(p.poll(), "the run finished before it could be killed")
            os.kill(p.pid, signal.SIGKILL)
        finally:
            p.wait()
        done = [k for k in di.list_keys(self.s3, self.dst, "kill/") if k.endswith(".index.json")]
        self.assertLess(len(done), len(planned), "every volume was complete at the kill")
        # A leftover upload of a killed run, for a volume not written yet.
        last_key = planned[-1][len(f"s3://{self.dst}/"):]
        self.s3.create_multipart_upload(Bucket=self.dst, Key=last_key)

        rc, _, err = di.run(["run", "--config", cfg, "--date", DAY], env)
        self.assertEqual(rc, 0, err[-4000:])
        self.assertEqual(di.open_uploads(self.s3, self.dst, "kill/"), [])
        arch = self.archives("kill/")
        self.assertEqual(sorted(f"s3://{self.dst}/kill/{k}" for k in arch), sorted(planned))
        names = []
        for key in sorted(arch):
            for name, body in self.tar_members("kill/" + key):
                names.append(name)
                self.assertEqual(body, self.bodies[name], name)
        self.assertEqual(sorted(names), sorted(self.bodies), "duplicate or missing members")
        report = json.loads(self.s3.get_object(Bucket=self.dst, Key="kill/_reports/2025/03/10/run-report.json")
                            ["Body"].read())
        self.assertEqual(report["volumes"]["written"] + report["volumes"]["already_complete"], len(planned))
        self.assertGreaterEqual(report["stale_uploads_aborted"], 1)

    def test_double_fire_both_succeed_with_the_same_archives(self):
        """A scheduler firing twice: two runs of the same day started together. Each must end in 0
        (or 5, documented as retryable), leave no open upload, and together write exactly the
        archives one run writes."""
        env = di.binary_env(self.env)
        reference = self.config("fire-ref")
        self.assertEqual(di.run(["run", "--config", reference, "--date", DAY], env)[0], 0)
        expected = self.archives("fire-ref/")
        for trial in range(3):
            with self.subTest(trial=trial):
                cfg = self.config(f"fire{trial}")
                procs = [subprocess.Popen([di.binary(), "run", "--config", cfg, "--date", DAY], env=env,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for _ in range(2)]
                codes, errs = [], []
                for p in procs:
                    _, err = p.communicate(timeout=300)
                    codes.append(p.returncode)
                    errs.append(err.decode()[-3000:])
                self.assertIn(0, codes, errs)
                for c in codes:
                    self.assertIn(c, (0, di.EXIT_TRANSIENT), errs)
                self.assertEqual(di.open_uploads(self.s3, self.dst, f"fire{trial}/"), [])
                if di.EXIT_TRANSIENT in codes:  # the retry a scheduler makes completes nothing new
                    self.assertEqual(di.run(["run", "--config", cfg, "--date", DAY], env)[0], 0)
                self.assertEqual(self.archives(f"fire{trial}/"), expected)
                for key in self.archives(f"fire{trial}/"):
                    index = json.loads(self.s3.get_object(Bucket=self.dst, Key=f"fire{trial}/{key}.index.json")
                                       ["Body"].read())
                    self.assertEqual(index["etag"], expected[key])

    def test_skips_survive_an_interrupted_run(self):
        """Sources that vanished are listed by the day's reports even when the attempt that left
        them out was killed and a re-run completed the day."""
        gone_bucket = di.bucket_name("gone")
        self.s3.create_bucket(Bucket=gone_bucket)
        rows = []
        for k, body in self.bodies.items():
            put = self.s3.put_object(Bucket=gone_bucket, Key=k, Body=body)
            rows.append(di.Row(gone_bucket, k, len(body), ON_DAY, put["ETag"].strip('"')))
        di.write_report(self.s3, self.inv, f"{gone_bucket}/cfg", gone_bucket, REPORT_FOLDER, rows, n_files=2)
        # Every third source vanishes after the inventory: the first volume has one of them.
        gone = sorted(self.bodies)[::3]
        for k in gone:
            self.s3.delete_object(Bucket=gone_bucket, Key=k)
        cfg = self.config("gone", concurrency=1,
                          inventory={"bucket": self.inv, "prefix": f"{gone_bucket}/cfg"})
        env = di.binary_env(self.env)
        p = subprocess.Popen([di.binary(), "run", "--config", cfg, "--date", DAY], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.time() + 120
            while time.time() < deadline and p.poll() is None:
                if any(k.endswith(".index.json") for k in di.list_keys(self.s3, self.dst, "gone/")):
                    break
                time.sleep(0.02)
            self.assertIsNone(p.poll(), "the run finished before it could be killed")
            os.kill(p.pid, signal.SIGKILL)
        finally:
            p.wait()
        rc, _, err = di.run(["run", "--config", cfg, "--date", DAY], env)
        self.assertEqual(rc, di.EXIT_PARTIAL, err[-4000:])
        csv_text = self.s3.get_object(Bucket=self.dst, Key="gone/_reports/2025/03/10/not-archived.csv")[
            "Body"].read().decode()
        listed = [line.split(",")[1] for line in csv_text.strip().split("\n")[1:]]
        self.assertEqual(sorted(listed), sorted(gone), csv_text)
        report = json.loads(self.s3.get_object(Bucket=self.dst, Key="gone/_reports/2025/03/10/run-report.json")
                            ["Body"].read())
        self.assertEqual(report["skipped"]["objects"], len(gone))
        self.assertEqual(report["archived"]["objects"], len(self.bodies) - len(gone))
        # A re-run of the complete day says the same.
        rc, _, err = di.run(["run", "--config", cfg, "--date", DAY], env)
        self.assertEqual(rc, di.EXIT_PARTIAL, err[-4000:])

    def test_sigterm_aborts_the_upload_and_exits_5(self):
        cfg = self.config("term", concurrency=1)
        env = di.binary_env(self.env)
        p = subprocess.Popen([di.binary(), "run", "--config", cfg, "--date", DAY], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            deadline = time.time() + 60
            while time.time() < deadline and p.poll() is None:
                if di.open_uploads(self.s3, self.dst, "term/"):
                    break
                time.sleep(0.02)
            self.assertIsNone(p.poll(), "the run finished before it could be stopped")
            p.send_signal(signal.SIGTERM)
            _, err = p.communicate(timeout=60)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        self.assertEqual(p.returncode, di.EXIT_TRANSIENT, err.decode()[-3000:])
        self.assertEqual(di.open_uploads(self.s3, self.dst, "term/"), [])
        # The retry finishes the day.
        rc, _, err = di.run(["run", "--config", cfg, "--date", DAY], env)
        self.assertEqual(rc, 0, err[-3000:])
        names = []
        for key in self.archives("term/"):
            names += [n for n, _ in self.tar_members("term/" + key)]
        self.assertEqual(sorted(names), sorted(self.bodies))

    def test_two_volumes_of_the_day_are_in_flight_together(self):
        """A day of several volumes: two are written at once (two multipart uploads open together),
        and the archives are those of volumes written one by one."""
        env = di.binary_env(self.env)
        one_by_one = self.config("one-by-one", concurrency=1)
        self.assertEqual(di.run(["run", "--config", one_by_one, "--date", DAY], env)[0], 0)
        cfg = self.config("together", concurrency=8)
        rc, _, err = di.run(["run", "-v", "--config", cfg, "--date", DAY], env)
        self.assertEqual(rc, 0, err[-3000:])
        # JSON log lines in the order they were written: an upload is open from its
        # upload.created to its volume's archive.complete (Complete, HEAD and sidecar done).
        open_now, most, created = set(), 0, 0
        for line in err.splitlines():
            if not line.startswith("{"):
                continue
            event = json.loads(line)
            if event["event"] == "upload.created":
                created += 1
                open_now.add(event["msg"].rsplit(" ", 1)[-1])
                most = max(most, len(open_now))
            elif event["event"] == "archive.complete":
                open_now.discard(event["archive"])
        planned = self.archives("one-by-one/")
        self.assertGreaterEqual(len(planned), 6)
        self.assertGreaterEqual(created, len(planned) - 1, err[-3000:])  # the last may be one PUT
        self.assertEqual(most, 2, "volumes were written one after another")
        self.assertEqual(self.archives("together/"), planned)
        self.assertEqual(di.open_uploads(self.s3, self.dst, "together/"), [])

    def test_shards_together_equal_a_single_run(self):
        single = self.config("single")
        sharded = self.config("sharded")
        procs = [
            subprocess.Popen([di.binary(), "run", "--config", single, "--date", DAY],
                             env=di.binary_env(self.env), stderr=subprocess.PIPE),
            subprocess.Popen([di.binary(), "run", "--config", sharded, "--date", DAY, "--shard", "0/2"],
                             env=di.binary_env(self.env), stderr=subprocess.PIPE),
            # The other shard the AWS Batch array-job way.
            subprocess.Popen([di.binary(), "run", "--config", sharded, "--date", DAY],
                             env=di.binary_env(self.env, {"AWS_BATCH_JOB_ARRAY_INDEX": "1",
                                                          "AWS_BATCH_JOB_ARRAY_SIZE": "2"}),
                             stderr=subprocess.PIPE),
        ]
        for p in procs:
            _, err = p.communicate(timeout=120)
            self.assertEqual(p.returncode, 0, err.decode()[-3000:])
        a, b = self.archives("single/"), self.archives("sharded/")
        self.assertGreaterEqual(len(a), 6)
        self.assertEqual(a, b)
        for shard in (0, 1):
            r = json.loads(self.s3.get_object(
                Bucket=self.dst, Key=f"sharded/_reports/2025/03/10/run-report-shard-{shard}-of-2.json")["Body"].read())
            self.assertEqual(r["shard"], {"index": shard, "count": 2})
            self.assertEqual(r["volumes"]["this_shard"], len([i for i in range(len(a)) if i % 2 == shard]))
        # Each shard writes its own catalog part; together they list what the single run's does.

        def catalog(prefix, shard):
            key = f"{prefix}/_reports/catalog/dt={DAY}/part-{shard:04d}.csv.gz"
            text = gzip.decompress(self.s3.get_object(Bucket=self.dst, Key=key)["Body"].read()).decode()
            return [(r[1], r[7].split("/", 1)[1], r[9]) for r in csv.reader(io.StringIO(text))]

        first, second = catalog("sharded", 0), catalog("sharded", 1)
        self.assertTrue(first and second)
        self.assertTrue(set(first).isdisjoint(second))
        self.assertEqual(sorted(first + second), sorted(catalog("single", 0)))


if __name__ == "__main__":
    unittest.main()
