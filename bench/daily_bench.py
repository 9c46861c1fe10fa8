#!/usr/bin/env python3
"""Throughput of the daily job: `s3tar run` on one day of many small log objects.

Writes N objects (default 50,000, sizes 200 B - 3 KiB, like web/application log files) to a
source bucket of the S3 endpoint an env file describes (the one tests/servers/rgw.sh writes),
and an S3 Inventory report listing them (gzip CSV, manifest.json, manifest.checksum). Then runs
`s3tar run --config CFG --date DAY` with the default config but for what the day needs
(inventory, destination, DEEP_ARCHIVE, 64 MiB volumes: two volumes for 50,000 objects), each
run into a fresh destination prefix, under /usr/bin/time -v, and records:

- objects/s: objects archived (the run report's `archived.objects`) / wall time of the run;
- requests/object: the run report's `requests_total` / objects archived, and its retries;
- peak RSS (/usr/bin/time -v's "Maximum resident set size");
- bytes written to local files ("File system outputs": the spool of parts pushed out of memory,
  spool.h; page cache included, so also what never reached the disk).

Paths: `loopback` (straight to the server) and `proxy` (through bench/latency_proxy.py, which
holds every request --latency-ms, default 10 ms, before forwarding it: a round trip like AWS
S3's from the same region); `proxy=SCRIPT` goes through another proxy with the same command line
instead (e.g. an older latency_proxy.py, to see whether the proxy limits the rate). Variants: `default` (the config above), plus any given with
`--variant NAME=JSON` (config fields added to it, e.g. `c128={"concurrency":128}`).

With --compare OTHER_BIN (e.g. a build of main before a change) both binaries run on the same
objects, alternately, so that before/after ratios are measured under the same machine load.
The archives of each run are deleted after it, so the server's memory holds one run at a time.

Usage: bench/daily_bench.py --env ENVFILE --s3tar BIN [--compare OTHER_BIN] [--objects 50000]
          [--paths loopback,proxy] [--latency-ms 10] [--variant NAME=JSON ...] [--repeat N]
          [--json OUT] [--markdown OUT]
"""

import argparse
import concurrent.futures
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "scripts"))
from archive_bench import Proxy, parse_env, timed, write_results, written_bytes  # noqa: E402
from s3inventory import Row, write_report  # noqa: E402

DAY, ON_DAY, FOLDER = "2025-11-20", "2025-11-20T{:02d}:{:02d}:{:02d}.000Z", "2025-11-21T01-00Z"
MiB = 1024 * 1024


def make_client(server, pool):
    import boto3
    import botocore.config

    return boto3.client(
        "s3", endpoint_url=server["S3_ENDPOINT"], aws_access_key_id=server["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=server["AWS_SECRET_ACCESS_KEY"], region_name=server.get("AWS_REGION", "us-east-1"),
        config=botocore.config.Config(s3={"addressing_style": "path"}, max_pool_connections=pool,
                                      retries={"max_attempts": 10, "mode": "standard"}))


def write_day(client, src, count, seed, threads):
    """PUTs `count` log objects of 200 B - 3 KiB; returns their inventory rows."""
    rng = random.Random(seed)
    block = rng.randbytes(4 * MiB)
    jobs = []
    for i in range(count):
        size = rng.randint(200, 3 * 1024)
        key = f"logs/{DAY.replace('-', '/')}/host-{rng.randrange(200):03d}/app-{i:06d}.log"
        start = rng.randrange(len(block) - size)
        secs = rng.randrange(86400)
        jobs.append((key, i.to_bytes(8, "little") + block[start:start + size - 8],
                     ON_DAY.format(secs // 3600, secs // 60 % 60, secs % 60)))
    rows, t0 = [], time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        futures = [(k, len(b), mtime, pool.submit(client.put_object, Bucket=src, Key=k, Body=b))
                   for k, b, mtime in jobs]
        for n, (k, size, mtime, f) in enumerate(futures):
            rows.append(Row(src, k, size, mtime, f.result()["ETag"].strip('"')))
            if (n + 1) % 10000 == 0:
                print(f"  {n + 1} objects written ({time.monotonic() - t0:.0f} s)", file=sys.stderr)
    return rows


def tool_env(server):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID=server["AWS_ACCESS_KEY_ID"], AWS_SECRET_ACCESS_KEY=server["AWS_SECRET_ACCESS_KEY"],
               AWS_REGION=server.get("AWS_REGION", "us-east-1"), AWS_EC2_METADATA_DISABLED="true",
               AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull, S3TAR_LOG_FORMAT="json")
    return env


def delete_prefix(client, bucket, prefix):
    paginator = client.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
        keys = [{"Key": o["Key"]} for o in page.get("Contents", [])]
        if keys:
            client.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})


def run_job(binary, env, client, base_config, dst, prefix, endpoint, workdir):
    config = dict(base_config, destination=f"s3://{dst}/{prefix}",
                  connection={"endpoint_url": endpoint, "path_style": True})
    path = os.path.join(workdir, f"{prefix}.json")
    with open(path, "w") as f:
        json.dump(config, f)
    wall, rss, _out, err = timed([binary, "run", "--config", path, "--date", DAY], env)
    key = f"{prefix}/_reports/{DAY.replace('-', '/')}/run-report.json"
    report = json.loads(client.get_object(Bucket=dst, Key=key)["Body"].read())
    delete_prefix(client, dst, prefix + "/")
    objects = report["archived"]["objects"]
    return {"wall": wall, "rss_kib": rss, "written": written_bytes(err), "objects": objects,
            "volumes": report["volumes"]["written"], "requests_total": report["requests_total"],
            "retries": report.get("retries", 0), "duration": report["duration_seconds"]}


def path_label(path, latency_ms):
    if path == "loopback":
        return path
    script = path.partition("=")[2]
    return f"proxy +{latency_ms:g} ms" + (f" ({os.path.basename(script)})" if script else "")


def markdown(rows, command, meta):
    out = [f"Command: `{command}`", "",
           f"Day: {meta['objects']:,} objects of 200 B - 3 KiB ({meta['bytes'] / MiB:.1f} MiB), DEEP_ARCHIVE, "
           f"64 MiB volumes; median of {meta['repeat']} run(s) by wall time; load average "
           f"{meta['load_before']} before, {meta['load_after']} after.", "",
           "| binary | path | variant | volumes | wall | objects/s | requests/object | retries | peak RSS | written locally "
           "| vs loopback |",
           "|---|---|---|---|---|---|---|---|---|---|---|"]
    loop = {(r["binary"], r["variant"]): r for r in rows if r["path"] == "loopback"}
    for r in rows:
        base = loop.get((r["binary"], r["variant"]))
        ratio = f"{r['objects_per_s'] / base['objects_per_s'] * 100:.0f} %" if base and r["path"] != "loopback" else "-"
        out.append(f"| {r['binary']} | {r['path_label']} | {r['variant']} | {r['volumes']} | {r['wall']:.1f} s | "
                   f"{r['objects_per_s']:,.0f} | {r['requests_per_object']:.4f} | {r['retries']} | "
                   f"{r['rss_kib'] / 1024:.0f} MiB | {r['written'] / MiB:.0f} MiB | {ratio} |")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--env", required=True)
    ap.add_argument("--s3tar", required=True)
    ap.add_argument("--compare", help="another s3tar binary (e.g. before a change), run alternately")
    ap.add_argument("--objects", type=int, default=50_000)
    ap.add_argument("--paths", default="loopback,proxy")
    ap.add_argument("--latency-ms", type=float, default=10.0)
    ap.add_argument("--variant", action="append", default=[], help="NAME=JSON config fields added")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--upload-threads", type=int, default=32)
    ap.add_argument("--workdir")
    ap.add_argument("--json")
    ap.add_argument("--markdown")
    args = ap.parse_args()

    paths = args.paths.split(",")
    for p in paths:
        if p not in ("loopback", "proxy") and not p.startswith("proxy="):
            raise SystemExit(f"unknown path {p}: loopback, proxy or proxy=SCRIPT")
    variants = [("default", {})]
    for v in args.variant:
        name, _, fields = v.partition("=")
        variants.append((name, json.loads(fields)))
    binaries = [("this", os.path.abspath(args.s3tar))]
    if args.compare:
        binaries.append(("compared", os.path.abspath(args.compare)))

    server = parse_env(args.env)
    client = make_client(server, args.upload_threads)
    tag = uuid.uuid4().hex[:8]
    src, inv, dst = f"day-src-{tag}", f"day-inv-{tag}", f"day-dst-{tag}"
    for b in (src, inv, dst):
        client.create_bucket(Bucket=b)
    t0 = time.monotonic()
    rows = write_day(client, src, args.objects, args.seed, args.upload_threads)
    write_report(client, inv, f"{src}/daily", src, FOLDER, rows, n_files=4)
    print(f"day written: {len(rows)} objects in {time.monotonic() - t0:.0f} s", file=sys.stderr)
    base_config = {"inventory": f"s3://{inv}/{src}/daily/", "storage_class": "DEEP_ARCHIVE", "size_limit": "64MiB"}

    env = tool_env(server)
    runs = {}
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="s3tar-daily-bench-", dir=args.workdir) as wd:
        n = 0
        for _ in range(args.repeat):
            for path in paths:
                def each(endpoint):
                    nonlocal n
                    for vname, fields in variants:
                        for bname, binary in binaries:  # alternately: the same load for both
                            n += 1
                            r = run_job(binary, env, client, dict(base_config, **fields), dst, f"run{n}",
                                        endpoint, wd)
                            runs.setdefault((bname, path, vname), []).append(r)
                            print(f"{bname} {path} {vname}: {r['objects']} objects in {r['wall']:.1f} s "
                                  f"({r['objects'] / r['wall']:.0f}/s), {r['requests_total']} requests, "
                                  f"{r['retries']} retries, peak RSS {r['rss_kib'] // 1024} MiB, "
                                  f"written {r['written'] / MiB:.0f} MiB, load "
                                  f"{os.getloadavg()[0]:.1f}", file=sys.stderr, flush=True)
                if path.startswith("proxy"):
                    script = os.path.abspath(path.partition("=")[2]) if "=" in path else None
                    with Proxy(server["S3_ENDPOINT"], args.latency_ms, wd, script) as proxy:
                        each(proxy.url)
                else:
                    each(server["S3_ENDPOINT"])
    results = []
    for (bname, path, vname), rs in runs.items():
        r = dict(sorted(rs, key=lambda x: x["wall"])[len(rs) // 2])
        r.update(binary=bname, path=path, variant=vname,
                 path_label=path_label(path, args.latency_ms),
                 objects_per_s=r["objects"] / r["wall"], requests_per_object=r["requests_total"] / r["objects"],
                 rss_kib=max(x["rss_kib"] for x in rs), walls=[x["wall"] for x in rs],
                 wall_spread=statistics.pstdev([x["wall"] for x in rs]))
        results.append(r)
    meta = {"objects": len(rows), "bytes": sum(r.size for r in rows), "repeat": args.repeat,
            "load_before": f"{load_before:.1f}", "load_after": f"{os.getloadavg()[0]:.1f}"}
    command = ("bench/run.sh BUILD/bin/s3tar --bench daily" + (" --compare OTHER/bin/s3tar" if args.compare else "")
               + (f" --objects {args.objects}" if args.objects != 50_000 else "") + f" --paths {args.paths}" + (f" --latency-ms {args.latency_ms:g}" if any(p.startswith("proxy") for p in paths) else "")
               + "".join(f" --variant '{v}'" for v in args.variant) + f" --repeat {args.repeat}")
    write_results(args, {"meta": meta, "results": results}, markdown(results, command, meta))


if __name__ == "__main__":
    main()
