#!/usr/bin/env python3
"""Fills a source bucket with a realistic day of objects for the demo.

Usage: demo_data.py BUCKET [--small N] [--large N] [--large-mib M]

Small objects look like web/app logs (1-64 KiB, text); large ones are blobs of M MiB.
Connection settings come from the environment (AWS_ENDPOINT_URL, keys, region).
Deterministic: the same arguments give the same keys and bytes.
"""
import argparse
import concurrent.futures
import os
import random

import boto3
from botocore.config import Config


def small_body(rng: random.Random, i: int) -> bytes:
    n = rng.randint(1024, 64 * 1024)
    line = f'10.0.{i % 256}.{rng.randint(1, 254)} - - [20/Nov/2026:13:45:07 +0000] "GET /api/v1/items/{i} HTTP/1.1" 200 {rng.randint(100, 9999)}\n'
    return (line * (n // len(line) + 1)).encode()[:n]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("bucket")
    ap.add_argument("--small", type=int, default=3000)
    ap.add_argument("--large", type=int, default=6)
    ap.add_argument("--large-mib", type=int, default=24)
    args = ap.parse_args()
    s3 = boto3.client("s3", endpoint_url=os.environ.get("AWS_ENDPOINT_URL"),
                      config=Config(max_pool_connections=32, s3={"addressing_style": "path"}))
    try:
        s3.create_bucket(Bucket=args.bucket)
    except s3.exceptions.BucketAlreadyOwnedByYou:
        pass
    rng = random.Random(20261120)
    jobs = []
    for i in range(args.small):
        svc = ["web", "api", "worker"][i % 3]
        key = f"logs/{svc}/2026/11/20/{svc}-{i:05d} access+log.txt" if i % 97 == 0 else f"logs/{svc}/2026/11/20/{svc}-{i:05d}.log"
        jobs.append((key, small_body(rng, i)))
    for i in range(args.large):
        jobs.append((f"exports/2026-11-20/part-{i:03d}.parquet", rng.randbytes(args.large_mib * 1024 * 1024)))

    def put(job):
        s3.put_object(Bucket=args.bucket, Key=job[0], Body=job[1])

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        list(pool.map(put, jobs))
    total = sum(len(b) for _, b in jobs)
    print(f"created {len(jobs)} objects ({total / 1048576:.1f} MiB) in s3://{args.bucket}/")


if __name__ == "__main__":
    main()
