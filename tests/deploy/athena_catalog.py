"""Reads s3tar catalog files the way config/athena/catalog.sql declares them, into SQLite, so
that the documented Athena queries can be run on them here (tests/deploy/test_athena_catalog.py
on fixture files, tests/e2e on the files a daily run wrote). Stdlib only.

SQLite stands in for Athena for what the queries use: =, LIKE (made case-sensitive, as in
Athena), BETWEEN on the dt strings, ||, count/sum, ORDER BY.
"""
import csv
import gzip
import io
import os
import re
import sqlite3

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DDL = os.path.join(ROOT, "config", "athena", "catalog.sql")
WRITER = os.path.join(ROOT, "catalog", "catalog.h")
TABLE = "s3tar_catalog"


def ddl_text():
    with open(DDL) as f:
        return f.read()


def ddl_columns(text=None):
    """[(name, type)] of the CREATE TABLE, in order."""
    text = text or ddl_text()
    body = re.search(r"CREATE EXTERNAL TABLE IF NOT EXISTS \w+ \((.*?)\)\nPARTITIONED BY", text, re.S)
    assert body, "catalog.sql: no CREATE EXTERNAL TABLE ... PARTITIONED BY"
    cols = []
    for line in body.group(1).strip().splitlines():
        m = re.fullmatch(r"\s*`(\w+)`\s+(\w+),?\s*", line)
        assert m, f"catalog.sql: not a column line: {line!r}"
        cols.append((m.group(1), m.group(2)))
    return cols


def ddl_properties(text=None):
    text = text or ddl_text()
    return dict(re.findall(r"'([\w.]+)'\s*=\s*'([^']*)'", text))


def writer_columns():
    """The columns catalog/catalog.h writes (kColumns), in order."""
    with open(WRITER) as f:
        text = f.read()
    m = re.search(r"kColumns\s*=\s*\{(.*?)\};", text, re.S)
    assert m, "catalog.h: no kColumns"
    return re.findall(r'"(\w+)"', m.group(1))


def read_rows(gz_bytes):
    """The rows of one catalog file, as RFC 4180 and OpenCSVSerDe read it."""
    text = gzip.decompress(gz_bytes).decode("utf-8")
    return list(csv.reader(io.StringIO(text, newline=""), strict=True)), text


def connect():
    db = sqlite3.connect(":memory:")
    db.execute("PRAGMA case_sensitive_like = ON")
    sqltype = {"string": "TEXT", "bigint": "INTEGER"}
    cols = ", ".join(f'"{n}" {sqltype[t]}' for n, t in ddl_columns())
    db.execute(f"CREATE TABLE {TABLE} ({cols}, dt TEXT)")
    return db


def load(db, files):
    """files: {path or key ending in dt=YYYY-MM-DD/part-NNNN.csv.gz: gzip bytes}."""
    cols = ddl_columns()
    for name, data in files.items():
        m = re.search(r"dt=(\d{4}-\d{2}-\d{2})/part-\d{4}\.csv\.gz$", name)
        assert m, f"not a catalog file name: {name}"
        rows, _ = read_rows(data)
        for row in rows:
            assert len(row) == len(cols), f"{name}: {len(row)} fields, the table has {len(cols)}"
            values = [int(v) if t == "bigint" else v for v, (_, t) in zip(row, cols)]
            db.execute(f"INSERT INTO {TABLE} VALUES ({', '.join('?' * (len(cols) + 1))})", values + [m.group(1)])
    return db


def documented_queries(*paths):
    """The SELECT statements of the ```sql blocks of these Markdown files, in order."""
    queries = []
    for p in paths:
        with open(os.path.join(ROOT, p)) as f:
            for block in re.findall(r"```sql\n(.*?)```", f.read(), re.S):
                if block.lstrip().upper().startswith("SELECT"):
                    queries.append(block.strip().rstrip(";"))
    return queries
