#!/usr/bin/env python3
"""Fills a source bucket with a realistic day of objects and delivers an S3 Inventory report
for it, for the demo.

Usage: demo_data.py SOURCE_BUCKET INVENTORY_BUCKET --day YYYY-MM-DD [--small N] [--large N] [--large-mib M]

The day's objects: log-like text objects (1-64 KiB) and a few large blobs, plus what a real
bucket also holds: 0-byte markers, objects already in GLACIER, and older objects. The objects
are written now, so the inventory (which S3 would deliver the next morning) dates the day's
objects on --day and the older ones three days before, as S3 Inventory would have seen them.
Connection settings come from the environment (AWS_ENDPOINT_URL, keys, region).
Deterministic: the same arguments give the same keys and bytes.
"""
import argparse
import concurrent.futures
import datetime
import os
import random

import boto3
from botocore.config import Config

from s3inventory import Row, write_report


def small_body(rng: random.Random, i: int) -> bytes:
    n = rng.randint(1024, 64 * 1024)
    line = (f'10.0.{i % 256}.{rng.randint(1, 254)} - - [20/Nov/2026:13:45:07 +0000] '
            f'"GET /api/v1/items/{i} HTTP/1.1" 200 {rng.randint(100, 9999)}\n')
    return (line * (n // len(line) + 1)).encode()[:n]


def ensure_bucket(s3, name):
    try:
        s3.create_bucket(Bucket=name)
    except (s3.exceptions.BucketAlreadyOwnedByYou, s3.exceptions.BucketAlreadyExists):
        pass


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("bucket")
    ap.add_argument("inventory_bucket")
    ap.add_argument("--day", required=True)
    ap.add_argument("--small", type=int, default=3000)
    ap.add_argument("--large", type=int, default=6)
    ap.add_argument("--large-mib", type=int, default=24)
    args = ap.parse_args()
    day = datetime.date.fromisoformat(args.day)
    s3 = boto3.client("s3", endpoint_url=os.environ.get("AWS_ENDPOINT_URL"),
                      config=Config(max_pool_connections=32, s3={"addressing_style": "path"}))
    ensure_bucket(s3, args.bucket)
    ensure_bucket(s3, args.inventory_bucket)

    rng = random.Random(20261120)
    jobs = []  # (key, body, storage class, days before --day)
    for i in range(args.small):
        svc = ["web", "api", "worker"][i % 3]
        name = f"{svc}-{i:05d} access+log.txt" if i % 97 == 0 else f"{svc}-{i:05d}.log"
        jobs.append((f"logs/{svc}/{day:%Y/%m/%d}/{name}", small_body(rng, i), "STANDARD", 0))
    for i in range(args.large):
        jobs.append((f"exports/{day}/part-{i:03d}.parquet", rng.randbytes(args.large_mib << 20), "STANDARD", 0))
    for i in range(5):
        jobs.append((f"logs/web/{day:%Y/%m/%d}/_SUCCESS-{i}", b"", "STANDARD", 0))
    for i in range(3):
        jobs.append((f"exports/{day}/cold-{i}.bin", rng.randbytes(4096), "GLACIER", 0))
    older = day - datetime.timedelta(days=3)
    for i in range(200):
        jobs.append((f"logs/web/{older:%Y/%m/%d}/web-old-{i:04d}.log", small_body(rng, i), "STANDARD", 3))

    def put(job):
        key, body, storage_class, _ = job
        r = s3.put_object(Bucket=args.bucket, Key=key, Body=body, StorageClass=storage_class)
        return r["ETag"].strip('"')

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        etags = list(pool.map(put, jobs))

    rows = []
    for n, ((key, body, storage_class, age), etag) in enumerate(zip(jobs, etags)):
        t = datetime.datetime.combine(day - datetime.timedelta(days=age), datetime.time()) + \
            datetime.timedelta(seconds=(n * 7919) % 86400)
        rows.append(Row(args.bucket, key, len(body), t.strftime("%Y-%m-%dT%H:%M:%S.000Z"), etag, storage_class))
    # The report's folder is named after the scan start: the morning after the day.
    folder = f"{day + datetime.timedelta(days=1)}T01-00Z"
    write_report(s3, args.inventory_bucket, f"{args.bucket}/daily", args.bucket, folder, rows, n_files=4)
    total = sum(len(j[1]) for j in jobs)
    print(f"created {len(jobs)} objects ({total / 1048576:.1f} MiB) in s3://{args.bucket}/ and the inventory "
          f"report s3://{args.inventory_bucket}/{args.bucket}/daily/{folder}/")


if __name__ == "__main__":
    main()
