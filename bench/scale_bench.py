#!/usr/bin/env python3
"""Scale benchmark: the daily job's inventory scan and plan on a large S3 Inventory report.

Generates a report the way S3 delivers one (manifest.json, manifest.checksum, gzip CSV data
files, versioned schema, form-encoded keys) in an S3 endpoint described by an env file (the one
tests/servers/rgw.sh writes), then runs `s3tar run --config CFG --date D --dry-run` under
/usr/bin/time -v once per `inventory_threads` value and records:

- rows/s of the scan: rows read / seconds between the job's `inventory.report` log line (the
  manifest is read; the data files are next) and its `inventory.summary` line (every data file
  downloaded, checked, decompressed, parsed and filtered), from the JSON log's millisecond
  timestamps;
- CPU seconds (user + sys) and wall time of the whole dry run;
- peak RSS and peak RSS per selected object (the selection and the plan are held in memory).

The default report: 2,000,000 rows in 8 data files, 1,000,000 of them on the day (all of which
are selected: latest versions, non-empty, readable classes), the others on the days around it
or dropped for another reason (not latest, delete markers, empty, archived classes).

With --compare OTHER_BIN (e.g. a build of an earlier commit) both binaries run on the same
report, alternately, so that before/after figures are measured under the same machine load.

Usage: bench/scale_bench.py --env ENVFILE --s3tar BIN [--compare OTHER_BIN] [--rows N] [--files N]
                            [--day-rows N] [--threads 1,4] [--repeat N] [--json OUT] [--markdown OUT]
"""

import argparse
import base64
import gzip
import hashlib
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import uuid

DAY = "2025-11-20"
FOLDER = "2025-11-21T01-00Z"
SOURCE_BUCKET = "acme-logs"
SCHEMA = ("Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag, "
          "StorageClass, IntelligentTieringAccessTier, EncryptionStatus")
KiB, MiB = 1024, 1024 * 1024


def parse_env(path):
    import shlex
    env = {}
    with open(path) as f:
        for line in f:
            for word in shlex.split(line):
                if "=" in word and word != "export":
                    k, v = word.split("=", 1)
                    env[k] = v
    return env


def object_size(rng):
    """Log-like sizes: mostly small, a few large enough to be copied server-side."""
    r = rng.random()
    if r < 0.001:
        return rng.randint(10 * MiB, 200 * MiB)
    if r < 0.2:
        return rng.randint(64 * KiB, 4 * MiB)
    return rng.randint(200, 64 * KiB)


def version_id(rng):
    # S3 version ids are 32 URL-safe characters.
    return base64.urlsafe_b64encode(rng.getrandbits(192).to_bytes(24, "little")).decode()


def row(rng, i, day_rows, rows):
    """Row i as CSV text. Rows on the day are interleaved with the others, as in real reports."""
    on_day = (i * day_rows) // rows != ((i + 1) * day_rows) // rows  # exactly day_rows, spread evenly
    host = rng.randrange(1000)
    latest, delete_marker, cls, tier = "true", "false", "STANDARD", ""
    if on_day:
        day, size = 20, object_size(rng)
        c = rng.random()
        if c < 0.1:
            cls = "STANDARD_IA"
        elif c < 0.15:
            cls, tier = "INTELLIGENT_TIERING", "FREQUENT"
    else:
        day, size = rng.choice((18, 19, 21)), object_size(rng)
        c = rng.random()
        if c < 0.05:
            latest = "false"
        elif c < 0.07:
            delete_marker, size = "true", None
        elif c < 0.09:
            size = 0
        elif c < 0.15:
            cls = "GLACIER"
    secs = rng.randrange(86400)
    ts = f"2025-11-{day:02d}T{secs // 3600:02d}:{secs // 60 % 60:02d}:{secs % 60:02d}.000Z"
    key = f"web/2025/11/{day:02d}/host-{host:03d}/access+log+%2B+errors-{i:07d}.gz"
    if size is None:
        etag, size_text, cls = "", "", ""
    else:
        etag = f"{rng.getrandbits(128):032x}"
        if size >= 10 * MiB:
            etag += f"-{size // (8 * MiB) + 1}"
        size_text = str(size)
    return (f'"{SOURCE_BUCKET}","{key}","{version_id(rng)}","{latest}","{delete_marker}","{size_text}",'
            f'"{ts}","{etag}","{cls}","{tier}","SSE-S3"\n'), on_day


def make_report(client, bucket, prefix, rows, files, day_rows, seed):
    """Uploads the data files, manifest.json and manifest.checksum; returns rows on the day."""
    rng = random.Random(seed)
    entries, on_day_total = [], 0
    for f in range(files):
        lo, hi = rows * f // files, rows * (f + 1) // files
        lines = []
        for i in range(lo, hi):
            text, on_day = row(rng, i, day_rows, rows)
            lines.append(text)
            on_day_total += on_day
        body = gzip.compress("".join(lines).encode(), compresslevel=6, mtime=0)
        key = f"{prefix}data/{uuid.UUID(int=rng.getrandbits(128))}.csv.gz"
        client.put_object(Bucket=bucket, Key=key, Body=body)
        entries.append({"key": key, "size": len(body), "MD5checksum": hashlib.md5(body).hexdigest()})
        print(f"  data file {f + 1}/{files}: {hi - lo} rows, {len(body) / MiB:.1f} MiB gzip", file=sys.stderr)
    manifest = json.dumps({
        "sourceBucket": SOURCE_BUCKET,
        "destinationBucket": f"arn:aws:s3:::{bucket}",
        "version": "2016-11-30",
        "creationTimestamp": "1763686800000",
        "fileFormat": "CSV",
        "fileSchema": SCHEMA,
        "files": entries,
    }, indent=2).encode()
    client.put_object(Bucket=bucket, Key=f"{prefix}{FOLDER}/manifest.json", Body=manifest)
    client.put_object(Bucket=bucket, Key=f"{prefix}{FOLDER}/manifest.checksum",
                      Body=hashlib.md5(manifest).hexdigest().encode())
    return on_day_total, sum(e["size"] for e in entries)


def log_time(text):
    # "2025-11-20T13:45:07.123Z" -> seconds since midnight (the runs are short).
    h, m, s = text[11:13], text[14:16], text[17:23]
    return int(h) * 3600 + int(m) * 60 + float(s)


def run_dry(binary, env, config_path):
    cmd = ["/usr/bin/time", "-v", binary, "run", "--config", config_path, "--date", DAY, "--dry-run"]
    t0 = time.monotonic()
    p = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.monotonic() - t0
    if p.returncode != 0:
        sys.stderr.write(p.stderr[-4000:])
        raise SystemExit(f"s3tar run --dry-run failed with exit code {p.returncode}")
    events = {}
    for line in p.stderr.splitlines():
        if line.startswith("{"):
            try:
                j = json.loads(line)
            except ValueError:
                continue
            events.setdefault(j.get("event"), j)
    summary, report = events.get("inventory.summary"), events.get("inventory.report")
    if not summary or not report:
        raise SystemExit("no inventory.report/inventory.summary log lines: is S3TAR_LOG_FORMAT=json honoured?")
    scan = log_time(summary["time"]) - log_time(report["time"])

    def field(name):
        m = re.search(rf"{re.escape(name)}: ([0-9.:]+)", p.stderr)
        return m.group(1) if m else "0"

    return {
        "wall": wall,
        "scan_seconds": scan,
        "rows_read": summary["rows_read"],
        "kept": summary["kept"],
        "cpu_seconds": float(field("User time (seconds)")) + float(field("System time (seconds)")),
        "rss_kib": int(field("Maximum resident set size (kbytes)")),
        "plan": p.stdout.splitlines()[-6:],
    }


def markdown(results, command, meta):
    out = [f"Command: `{command}`", "",
           f"Report: {meta['rows']:,} rows in {meta['files']} gzip data files ({meta['gzip_mib']:.0f} MiB), "
           f"{meta['day_rows']:,} rows on {DAY}, all selected.", "",
           "| binary | inventory_threads | scan | rows/s | dry-run wall | dry-run CPU | peak RSS | RSS / selected object |",
           "|---|---|---|---|---|---|---|---|"]
    for r in results:
        out.append(f"| {r['binary']} | {r['threads']} | {r['scan_seconds']:.2f} s | {r['rows_read'] / r['scan_seconds'] / 1e6:.2f} M | "
                   f"{r['wall']:.2f} s | {r['cpu_seconds']:.2f} s | {r['rss_kib'] / 1024:.0f} MiB | "
                   f"{r['rss_kib'] * 1024 / max(r['kept'], 1):.0f} B |")
    for binary in dict.fromkeys(r["binary"] for r in results):
        by = {r["threads"]: r for r in results if r["binary"] == binary}
        if 1 in by and len(by) > 1:
            top = max(by)
            out.append("")
            out.append(f"{binary}: speed-up {top} threads / 1 thread (scan): "
                       f"{by[1]['scan_seconds'] / by[top]['scan_seconds']:.2f}x")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--env", required=True)
    ap.add_argument("--s3tar", required=True)
    ap.add_argument("--compare", help="another s3tar binary (e.g. before a change) run on the same report")
    ap.add_argument("--rows", type=int, default=2_000_000)
    ap.add_argument("--files", type=int, default=8)
    ap.add_argument("--day-rows", type=int, default=1_000_000)
    ap.add_argument("--threads", default="1,4")
    ap.add_argument("--repeat", type=int, default=3, help="runs per thread count; the median scan is kept")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--json")
    ap.add_argument("--markdown")
    args = ap.parse_args()

    import boto3
    import botocore.config

    server = parse_env(args.env)
    client = boto3.client(
        "s3", endpoint_url=server["S3_ENDPOINT"], aws_access_key_id=server["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=server["AWS_SECRET_ACCESS_KEY"], region_name=server.get("AWS_REGION", "us-east-1"),
        config=botocore.config.Config(s3={"addressing_style": "path"}))
    tag = uuid.uuid4().hex[:8]
    inv_bucket, dst_bucket = f"scale-inv-{tag}", f"scale-dst-{tag}"
    client.create_bucket(Bucket=inv_bucket)
    client.create_bucket(Bucket=dst_bucket)
    prefix = f"{SOURCE_BUCKET}/daily-all-objects/"
    t0 = time.monotonic()
    day_rows, gzip_bytes = make_report(client, inv_bucket, prefix, args.rows, args.files, args.day_rows, args.seed)
    print(f"report: {args.rows} rows, {day_rows} on {DAY}, in {time.monotonic() - t0:.1f} s", file=sys.stderr)

    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID=server["AWS_ACCESS_KEY_ID"], AWS_SECRET_ACCESS_KEY=server["AWS_SECRET_ACCESS_KEY"],
               AWS_REGION=server.get("AWS_REGION", "us-east-1"), AWS_EC2_METADATA_DISABLED="true",
               AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull, S3TAR_LOG_FORMAT="json")
    results = []
    with tempfile.TemporaryDirectory(prefix="s3tar-scale-") as wd:
        binaries = [("this", args.s3tar)] + ([("compared", args.compare)] if args.compare else [])
        for threads in [int(t) for t in args.threads.split(",")]:
            config = {
                "inventory": f"s3://{inv_bucket}/{prefix}",
                "destination": {"bucket": dst_bucket, "prefix": "tar"},
                "storage_class": "DEEP_ARCHIVE",
                "size_limit": "100GiB",
                "inventory_threads": threads,
                "connection": {"endpoint_url": server["S3_ENDPOINT"], "path_style": True},
            }
            path = os.path.join(wd, f"job-{threads}.json")
            with open(path, "w") as f:
                json.dump(config, f)
            runs = {name: [] for name, _ in binaries}
            for _ in range(args.repeat):
                for name, binary in binaries:  # alternately: the same load for both
                    runs[name].append(run_dry(binary, env, path))
            for name, _ in binaries:
                ordered = sorted(runs[name], key=lambda r: r["scan_seconds"])
                r = ordered[len(ordered) // 2]
                r["threads"], r["binary"] = threads, name
                r["rss_kib"] = max(x["rss_kib"] for x in ordered)  # the peak over the runs
                results.append(r)
                print(f"{name}, threads {threads}: scan {r['scan_seconds']:.2f} s "
                      f"({r['rows_read'] / r['scan_seconds'] / 1e6:.2f} M rows/s), wall {r['wall']:.2f} s, "
                      f"CPU {r['cpu_seconds']:.2f} s, peak RSS {r['rss_kib'] / 1024:.0f} MiB "
                      f"({r['rss_kib'] * 1024 / max(r['kept'], 1):.0f} B/object, {r['kept']} selected)",
                      file=sys.stderr)
    meta = {"rows": args.rows, "files": args.files, "day_rows": day_rows, "gzip_mib": gzip_bytes / MiB}
    command = (f"bench/run.sh --scale BUILD/bin/s3tar{' --compare OTHER/bin/s3tar' if args.compare else ''} --rows {args.rows} --files {args.files} "
               f"--day-rows {args.day_rows} --threads {args.threads} --repeat {args.repeat}")
    md = markdown(results, command, meta)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"meta": meta, "results": results}, f, indent=2)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(md)
    print(md)


if __name__ == "__main__":
    main()
