"""End-to-end: from a key to its bytes, months later, against moto (which implements
RestoreObject and x-amz-restore; RGW answers 501 to RestoreObject).

Two days are archived into DEEP_ARCHIVE by the daily job; one object is re-uploaded between the
days, so it is in both days' archives. The tests check the catalog the job writes (and what the
documented Athena queries answer on it, run by SQLite), `s3tar find` by key and by prefix, over a
date range, and from the index sidecars of a day without a catalog, and `s3tar restore`: its cost
and --dry-run, the restore request and exit 4 while the archive is not readable, then a
byte-identical extraction to s3:// and to a directory, for --config and -f. The in-progress and
expired answers S3 gives over hours are played by the scripted peer
(tests/fault/restore_command_test.cpp).

Needs S3TAR_BIN and S3TAR_MOTO_ENV (tests/servers/with-servers.sh --moto); missing ones FAIL.
"""

import hashlib
import json
import os
import sys
import tempfile
import unittest

import daily_inventory as di
import s3env

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "deploy"))
import athena_catalog as ac  # noqa: E402

EXIT_NOT_YET = 4
MiB = 1024 * 1024
DAY1, FOLDER1, MTIME1 = "2025-03-10", "2025-03-11T01-00Z", "2025-03-10T13:45:07.000Z"
DAY2, FOLDER2, MTIME2 = "2025-03-11", "2025-03-12T01-00Z", "2025-03-11T08:00:00.000Z"


def data(seed, size):
    out = bytearray()
    block = hashlib.sha256(seed.encode()).digest()
    while len(out) < size:
        block = hashlib.sha256(block).digest()
        out += block * 64
    return bytes(out[:size])


class FindRestoreTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = s3env.server("moto")
        cls.s3 = cls.srv.client
        cls.env = cls.srv.env
        cls.inv, cls.dst, cls.src, cls.out = (cls.srv.new_bucket(t) for t in ("inv", "dst", "src", "out"))
        cls.tmp = tempfile.TemporaryDirectory()
        cls.cfg = os.path.join(cls.tmp.name, "job.json")
        di.write_config(cls.cfg, inventory=f"s3://{cls.inv}/{cls.src}/daily/",
                        destination={"bucket": cls.dst, "prefix": "tar"}, storage_class="DEEP_ARCHIVE",
                        concurrency=4, connection=di.connection(cls.env, region=cls.srv.region))
        # Day 1: three objects, one big enough to be extracted with ranged UploadPartCopy.
        cls.day1 = {"logs/app/web-1.log": data("w1-day1", 3000), "logs/app/web-2.log": data("w2", 5000),
                    "logs/db/slow, \"q\".log": data("slow", 6 * MiB + 7)}
        cls.run_day(DAY1, FOLDER1, MTIME1, cls.day1)
        # Day 2: web-1.log re-uploaded with other bytes: archived again.
        cls.day2 = {"logs/app/web-1.log": data("w1-day2", 4000)}
        cls.run_day(DAY2, FOLDER2, MTIME2, cls.day2)

    @classmethod
    def run_day(cls, day, folder, mtime, objects):
        rows = []
        for key, body in objects.items():
            etag = cls.s3.put_object(Bucket=cls.src, Key=key, Body=body)["ETag"].strip('"')
            rows.append(di.Row(cls.src, key, len(body), mtime, etag))
        di.write_report(cls.s3, cls.inv, f"{cls.src}/daily", cls.src, folder, rows, n_files=1)
        rc, out, err = cls.job("run", "--config", cls.cfg, "--date", day)
        if rc != 0:
            raise AssertionError(f"run {day}: exit {rc}\n{out}\n{err[-3000:]}")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    @classmethod
    def job(cls, *args):
        return di.run(list(args), di.binary_env(cls.env))

    def s3tar(self, *args):
        """s3tar with the server's endpoint and keys in the environment (for -f: no config)."""
        return self.srv.run(*args)

    def restore_header(self, day):
        return self.srv.head(self.dst, self.archive_of(day)).get("Restore")

    def assert_rc(self, result, expected):
        rc, out, err = result
        self.assertEqual(rc, expected, f"exit {rc}, expected {expected}\nstdout:\n{out}\nstderr:\n{err[-4000:]}")

    def catalog_files(self):
        prefix = "tar/_reports/catalog/"
        keys = [k for k in self.srv.keys(self.dst, prefix) if k.endswith(".csv.gz")]
        return {k: self.srv.get(self.dst, k) for k in keys}

    def archive_of(self, day):
        y, m, d = day.split("-")
        return f"tar/{self.src}/{y}/{m}/{d}/{self.src}-{day}-0001.tar"

    def find_json(self, *args):
        result = self.job("find", "--config", self.cfg, "--json", *args)
        self.assert_rc(result, 0)
        return json.loads(result[1])["matches"]

    # -- the catalog ---------------------------------------------------------------------------

    def test_daily_run_writes_the_catalog(self):
        files = self.catalog_files()
        self.assertEqual(sorted(files), [f"tar/_reports/catalog/dt={DAY1}/part-0000.csv.gz",
                                         f"tar/_reports/catalog/dt={DAY2}/part-0000.csv.gz"])
        for key in files:
            self.assertEqual(self.srv.storage_class(self.dst, key), "STANDARD")
        rows, _ = ac.read_rows(files[f"tar/_reports/catalog/dt={DAY1}/part-0000.csv.gz"])
        cols = ac.writer_columns()
        by_key = {r[cols.index("key")]: dict(zip(cols, r)) for r in rows}
        self.assertEqual(set(by_key), set(self.day1))
        sidecar = json.loads(self.srv.get(self.dst, self.archive_of(DAY1) + ".index.json"))
        for m in sidecar["members"]:
            row = by_key[m["key"]]
            self.assertEqual((row["bucket"], int(row["size"]), int(row["offset"]), row["etag"]),
                             (self.src, m["size"], m["offset"], m["etag"]))
            self.assertEqual((row["archive_bucket"], row["archive_key"], row["archive_etag"]),
                             (self.dst, self.archive_of(DAY1), sidecar["etag"]))
            self.assertEqual(row["last_modified"], "2025-03-10T13:45:07Z")

    def test_a_rerun_rewrites_the_catalog_identically(self):
        key = f"tar/_reports/catalog/dt={DAY1}/part-0000.csv.gz"
        before = self.srv.get(self.dst, key)
        self.s3.delete_object(Bucket=self.dst, Key=key)
        rc, out, err = self.job("run", "--config", self.cfg, "--date", DAY1)
        self.assertEqual(rc, 0, err[-3000:])
        self.assertEqual(self.srv.get(self.dst, key), before)

    def test_the_documented_athena_queries_answer_on_the_written_files(self):
        db = ac.load(ac.connect(), self.catalog_files())
        sql = ac.documented_queries("config/athena/README.md")[0]
        self.assertIn("'logs/app/web-1.log'", sql)
        rows = db.execute(sql).fetchall()
        self.assertEqual([r[0] for r in rows], [DAY2, DAY1])

    # -- find ----------------------------------------------------------------------------------

    def test_find_an_exact_key_in_two_days_newest_first(self):
        matches = self.find_json("logs/app/web-1.log")
        self.assertEqual([m["day"] for m in matches], [DAY2, DAY1])
        self.assertEqual([m["size"] for m in matches], [4000, 3000])
        for m, day in zip(matches, (DAY2, DAY1)):
            self.assertEqual(m["archive"], f"s3://{self.dst}/{self.archive_of(day)}")
            self.assertEqual(m["storage_class"], "DEEP_ARCHIVE")
            self.assertEqual(m["source"], "catalog")
            self.assertIn(m["restore"]["state"], ("none", "in-progress", "restored"))
            self.assertFalse(m["archive_changed"])
        text = self.job("find", "--config", self.cfg, "logs/app/web-1.log")
        self.assert_rc(text, 0)
        self.assertIn(f"in s3://{self.dst}/{self.archive_of(DAY2)} at offset {matches[0]['offset']}", text[1])
        self.assertIn("DEEP_ARCHIVE", text[1])

    def test_find_by_prefix_and_date_range(self):
        matches = self.find_json("logs/")
        self.assertEqual([(m["day"], m["key"]) for m in matches],
                         [(DAY2, "logs/app/web-1.log"), (DAY1, "logs/app/web-1.log"),
                          (DAY1, "logs/app/web-2.log"), (DAY1, "logs/db/slow, \"q\".log")])
        self.assertEqual([m["day"] for m in self.find_json("logs/app/web-1*", "--from", DAY2)], [DAY2])
        self.assertEqual([m["day"] for m in self.find_json("logs/app/web-1.log", "--to", DAY1)], [DAY1])
        rc, out, err = self.job("find", "--config", self.cfg, "logs/app/web-3.log")
        self.assertEqual(rc, di.EXIT_BAD_INPUT, err)
        self.assertEqual(self.job("find", "--config", self.cfg, "logs/", "--from", "2025-02-30")[0], di.EXIT_USAGE)

    def test_find_reads_sidecars_for_a_day_without_catalog(self):
        key = f"tar/_reports/catalog/dt={DAY1}/part-0000.csv.gz"
        body = self.srv.get(self.dst, key)
        self.s3.delete_object(Bucket=self.dst, Key=key)
        try:
            matches = self.find_json("logs/app/web-1.log")
            self.assertEqual([(m["day"], m["source"]) for m in matches], [(DAY2, "catalog"), (DAY1, "sidecar")])
            self.assertEqual(matches[1]["archive"], f"s3://{self.dst}/{self.archive_of(DAY1)}")
        finally:
            self.s3.put_object(Bucket=self.dst, Key=key, Body=body)

    # -- restore -------------------------------------------------------------------------------
    # One test: the restores it requests stay requested, so the steps depend on each other.

    def test_restore_requests_then_extracts_byte_identical(self):
        keys = ["logs/app/web-1.log", "logs/db/slow, \"q\".log"]
        dest = f"s3://{self.out}/cfg/"
        # Expedited is not offered for Deep Archive: a usage error, nothing requested.
        rc, out, err = self.job("restore", "--config", self.cfg, *keys, "-C", dest, "--tier", "Expedited")
        self.assertEqual(rc, di.EXIT_USAGE, err)
        self.assertIn("Expedited", err)
        self.assertIsNone(self.restore_header(DAY1))
        # --dry-run prints the cost only: both archives (web-1.log's newest copy is in day 2's).
        rc, out, err = self.job("restore", "--config", self.cfg, *keys, "-C", dest, "--tier", "Bulk", "--dry-run")
        self.assertEqual(rc, 0, err)
        self.assertIn("Restore 2 archives", out)
        self.assertIn("from DEEP_ARCHIVE, tier Bulk: estimated $", out)
        self.assertIn("as of", out)
        for day in (DAY1, DAY2):
            self.assertIsNone(self.restore_header(day))
            self.assertFalse(self.srv.exists(self.dst, self.archive_of(day) + ".restore.json"))
        # The first run requests the restores and says to come back: exit 4, naming each archive.
        rc, out, err = self.job("restore", "--config", self.cfg, *keys, "-C", dest, "--tier", "Bulk", "--days", "2")
        self.assertEqual(rc, EXIT_NOT_YET, f"{out}\n{err[-3000:]}")
        self.assertIn("Restore 2 archives", out)
        for day in (DAY1, DAY2):
            self.assertIn(f"s3://{self.dst}/{self.archive_of(day)}: DEEP_ARCHIVE, restore in progress (requested ",
                          out)
            self.assertIsNotNone(self.restore_header(day))
            record = json.loads(self.srv.get(self.dst, self.archive_of(day) + ".restore.json"))
            self.assertEqual((record["tier"], record["days"]), ("Bulk", 2))
            self.assertEqual(self.srv.storage_class(self.dst, self.archive_of(day) + ".restore.json"), "STANDARD")
        self.assertEqual(self.srv.keys(self.out), [])
        # moto finishes a restore at once: the next run extracts the newest copy of each key.
        self.assert_rc(self.job("restore", "--config", self.cfg, *keys, "-C", dest), 0)
        self.assertEqual(self.srv.get(self.out, "cfg/logs/app/web-1.log"), self.day2["logs/app/web-1.log"])
        self.assertEqual(self.srv.get(self.out, "cfg/logs/db/slow, \"q\".log"),
                         self.day1["logs/db/slow, \"q\".log"])
        self.assertEqual(sorted(self.srv.keys(self.out)), sorted("cfg/" + k for k in keys))
        # To a directory, by prefix, with --json.
        local = os.path.join(self.tmp.name, "restored")
        rc, out, err = self.job("restore", "--config", self.cfg, "logs/app/", "-C", local, "--json")
        self.assertEqual(rc, 0, err[-3000:])
        summary = json.loads(out)
        self.assertEqual((summary["state"], summary["extracted"]["members"]), ("extracted", 2))
        with open(os.path.join(local, "logs/app/web-1.log"), "rb") as f:
            self.assertEqual(f.read(), self.day2["logs/app/web-1.log"])
        with open(os.path.join(local, "logs/app/web-2.log"), "rb") as f:
            self.assertEqual(f.read(), self.day1["logs/app/web-2.log"])
        # An older copy: restore -f on day 1's archive (restored above), to a directory and to s3://.
        archive = f"s3://{self.dst}/{self.archive_of(DAY1)}"
        older = os.path.join(self.tmp.name, "older")
        self.assert_rc(self.s3tar("restore", "-f", archive, "logs/app/web-1.log", "-C", older), 0)
        with open(os.path.join(older, "logs/app/web-1.log"), "rb") as f:
            self.assertEqual(f.read(), self.day1["logs/app/web-1.log"])
        self.assert_rc(self.s3tar("restore", "-f", archive, "logs/db/", "-C", f"s3://{self.out}/f/"), 0)
        self.assertEqual(self.srv.get(self.out, "f/logs/db/slow, \"q\".log"), self.day1["logs/db/slow, \"q\".log"])
        # A member the archive does not hold: bad input, nothing extracted.
        rc, out, err = self.s3tar("restore", "-f", archive, "logs/none.log", "-C", older)
        self.assertEqual(rc, di.EXIT_BAD_INPUT, err)


# moto only (RestoreObject, DEEP_ARCHIVE): no class in a pass without moto (the AWS-like passes
# run RGW alone), as s3env.server_classes does for the other modules.
if "moto" not in s3env.SERVERS:
    del FindRestoreTest

if __name__ == "__main__":
    unittest.main(verbosity=2)
