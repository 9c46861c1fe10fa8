#!/usr/bin/env python3
"""Checks config/athena/catalog.sql against what the daily job writes, for what can be checked
without Athena: the columns are the writer's (catalog/catalog.h), the partition projection
points at the catalog's layout, and the documented queries (config/athena/README.md and
README.md), run by SQLite over catalog files read as the DDL declares them, answer what they say. tests/unit/catalog
checks that the fixture files (tests/deploy/catalog/) hold exactly the text the writer writes.

Usage: python3 tests/deploy/test_athena_catalog.py  (stdlib only)
"""
import csv
import glob
import io
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import athena_catalog as ac  # noqa: E402

FIXTURE = os.path.join(ac.ROOT, "tests", "deploy", "catalog")


def fixture_files():
    files = {}
    for path in sorted(glob.glob(os.path.join(FIXTURE, "dt=*", "part-*.csv.gz"))):
        with open(path, "rb") as f:
            files[os.path.relpath(path, FIXTURE)] = f.read()
    return files


class Ddl(unittest.TestCase):
    def test_columns_are_the_writers_in_order(self):
        names = [n for n, _ in ac.ddl_columns()]
        self.assertEqual(names, ac.writer_columns())

    def test_numbers_are_bigint_and_the_rest_strings(self):
        types = dict(ac.ddl_columns())
        self.assertEqual(types.pop("size"), "bigint")
        self.assertEqual(types.pop("offset"), "bigint")
        self.assertEqual(set(types.values()), {"string"})

    def test_partition_projection_on_dt_matches_the_layout(self):
        text = ac.ddl_text()
        self.assertIn("PARTITIONED BY (`dt` string)", text)
        self.assertIn("ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.OpenCSVSerde'", text)
        props = ac.ddl_properties(text)
        self.assertEqual(props["projection.enabled"], "true")
        self.assertEqual(props["projection.dt.type"], "date")
        self.assertEqual(props["projection.dt.format"], "yyyy-MM-dd")
        self.assertEqual(props["projection.dt.interval.unit"], "DAYS")
        self.assertRegex(props["projection.dt.range"], r"^\d{4}-\d{2}-\d{2},NOW$")
        self.assertEqual(props["separatorChar"], ",")
        self.assertEqual(props["quoteChar"], '"')
        location = re.search(r"LOCATION '([^']+)'", text).group(1)
        self.assertTrue(location.endswith("/catalog/"), location)
        self.assertEqual(props["storage.location.template"], location + "dt=${dt}/")


class CatalogFiles(unittest.TestCase):
    def test_every_field_is_quoted_and_rows_end_with_newline(self):
        files = fixture_files()
        self.assertEqual(len(files), 2)
        for name, data in files.items():
            rows, text = ac.read_rows(data)
            out = io.StringIO()
            csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)
            self.assertEqual(out.getvalue(), text, name)
            for row in rows:
                self.assertEqual(len(row), len(ac.writer_columns()), name)


class DocumentedQueries(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = ac.load(ac.connect(), fixture_files())
        cls.athena_readme = ac.documented_queries("config/athena/README.md")
        cls.readme = ac.documented_queries("README.md")

    def run_query(self, sql):
        cur = self.db.execute(sql)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]

    def test_the_readmes_document_the_queries(self):
        self.assertEqual(len(self.athena_readme), 3)
        self.assertEqual(len(self.readme), 1)

    def test_key_across_all_days_newest_first(self):
        for sql in (self.athena_readme[0], self.readme[0]):
            rows = self.run_query(sql)
            self.assertEqual([r["dt"] for r in rows], ["2025-11-20", "2025-11-19"])
            self.assertEqual({r["key"] for r in rows}, {"logs/app/web-1.log"})
            self.assertEqual(rows[0]["archive_key"], "tar/src/2025/11/20/src-2025-11-20-0001.tar")
            self.assertEqual(rows[0]["size"], 1300)
            self.assertEqual(rows[0]["offset"], 1536)
            self.assertEqual(rows[1]["archive_etag"], "9b2cf535f27731c974343645a3985328-1")

    def test_the_key_query_finds_keys_with_commas_and_quotes_exactly(self):
        sql = self.athena_readme[0].replace("'logs/app/web-1.log'", "'reports/q4, \"final\".csv'")
        rows = self.run_query(sql)
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0]["size"], 50)
        self.assertEqual(self.run_query(self.athena_readme[0].replace("'logs/app/web-1.log'", "'logs/app/'")), [])

    def test_prefix_in_a_date_range(self):
        rows = self.run_query(self.athena_readme[1])
        self.assertEqual([(r["key"], r["dt"]) for r in rows],
                         [("logs/app/web-1.log", "2025-11-20"), ("logs/app/web-1.log", "2025-11-19"),
                          ("logs/app/web-2.log", "2025-11-19")])
        self.assertEqual(rows[0]["archive"], "s3://acme-archive/tar/src/2025/11/20/src-2025-11-20-0001.tar")
        # LIKE is case-sensitive, as in Athena.
        self.assertEqual(self.run_query(self.athena_readme[1].replace("'logs/app/%'", "'LOGS/app/%'")), [])

    def test_archives_a_prefix_needs(self):
        rows = self.run_query(self.athena_readme[2])
        self.assertEqual([(r["archive_key"], r["objects"], r["bytes"]) for r in rows],
                         [("tar/src/2025/11/19/src-2025-11-19-0001.tar", 2, 2000),
                          ("tar/src/2025/11/20/src-2025-11-20-0001.tar", 1, 1300)])


if __name__ == "__main__":
    unittest.main(verbosity=2)
