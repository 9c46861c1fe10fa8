#!/usr/bin/env python3
"""Benchmark: s3tar creating an archive inside S3 versus the pipeline a user would otherwise run
(download everything with `aws s3 cp --recursive`, `tar -cf`, upload with `aws s3 cp`).

Runs against an S3 endpoint described by an env file (the one tests/servers/rgw.sh writes:
S3_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION). bench/run.sh starts a local
RGW with enough memory and calls this script.

For each object set it records, for s3tar: requests per object by kind (from --report), bytes
downloaded per archive byte, wall time and peak RSS (/usr/bin/time -v); for the baseline: wall
time and peak RSS of the whole pipeline. Both variants of a set run back to back so that their
ratio is measured under the same machine load.

Usage: bench/archive_bench.py --env ENVFILE --s3tar BIN [--sets small,large,mixed]
                              [--repeat N] [--json OUT.json] [--markdown OUT.md]
"""

import argparse
import concurrent.futures
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

KiB = 1024
MiB = 1024 * KiB

SETS = {
    "small": [(1000, 256 * KiB)],
    "large": [(50, 20 * MiB)],
    "mixed": [(1000, 64 * KiB), (20, 20 * MiB)],
}
SET_LABELS = {
    "small": "1,000 x 256 KiB",
    "large": "50 x 20 MiB",
    "mixed": "1,000 x 64 KiB + 20 x 20 MiB",
}


def parse_env(path):
    env = {}
    with open(path) as f:
        for line in f:
            for word in shlex.split(line):
                if "=" in word and word != "export":
                    k, v = word.split("=", 1)
                    env[k] = v
    return env


def tool_env(server):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID=server["AWS_ACCESS_KEY_ID"],
        AWS_SECRET_ACCESS_KEY=server["AWS_SECRET_ACCESS_KEY"],
        AWS_REGION=server.get("AWS_REGION", "us-east-1"),
        AWS_DEFAULT_REGION=server.get("AWS_REGION", "us-east-1"),
        AWS_ENDPOINT_URL=server["S3_ENDPOINT"],
        AWS_EC2_METADATA_DISABLED="true",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    )
    return env


def timed(cmd, env, cwd=None):
    """Runs cmd under /usr/bin/time -v; returns (wall seconds, peak RSS KiB, stdout, stderr)."""
    t0 = time.monotonic()
    p = subprocess.run(["/usr/bin/time", "-v", *cmd], env=env, cwd=cwd, capture_output=True, text=True)
    wall = time.monotonic() - t0
    if p.returncode != 0:
        sys.stderr.write(p.stderr[-4000:])
        raise SystemExit(f"command failed ({p.returncode}): {' '.join(cmd[:3])} ...")
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
    return wall, int(m.group(1)) if m else -1, p.stdout, p.stderr


def make_client(server):
    import boto3
    import botocore.config

    return boto3.client(
        "s3",
        endpoint_url=server["S3_ENDPOINT"],
        aws_access_key_id=server["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=server["AWS_SECRET_ACCESS_KEY"],
        region_name=server.get("AWS_REGION", "us-east-1"),
        config=botocore.config.Config(s3={"addressing_style": "path"}, max_pool_connections=16),
    )


def upload_set(client, bucket, prefix, spec):
    block = os.urandom(20 * MiB + 4096)
    jobs = []
    i = 0
    for count, size in spec:
        for _ in range(count):
            key = f"{prefix}/obj-{i:05d}.bin"
            # Distinct bytes per object without generating gigabytes of randomness.
            start = (i * 4099) % 4096
            body = (i.to_bytes(8, "little") + block[start : start + size])[:size]
            jobs.append((key, body))
            i += 1
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        for f in [pool.submit(client.put_object, Bucket=bucket, Key=k, Body=b) for k, b in jobs]:
            f.result()
    return len(jobs), sum(len(b) for _, b in jobs)


def run_s3tar(binary, env, src, dst, name, workdir, extra):
    report = os.path.join(workdir, f"{name}-report.json")
    cmd = [binary, "-cf", f"s3://{dst}/{name}.tar", f"s3://{src}/{name}/", "--report", report, *extra]
    wall, rss, _out, _err = timed(cmd, env)
    with open(report) as f:
        rep = json.load(f)
    return {"wall": wall, "rss_kib": rss, "report": rep}


def run_baseline(env, src, dst, name, workdir):
    local = os.path.join(workdir, f"baseline-{name}")
    os.makedirs(local, exist_ok=True)
    tarfile_path = local + ".tar"
    script = (
        f"aws s3 cp --quiet --recursive s3://{src}/{name}/ {shlex.quote(local)}/ && "
        f"tar -cf {shlex.quote(tarfile_path)} -C {shlex.quote(local)} . && "
        f"aws s3 cp --quiet {shlex.quote(tarfile_path)} s3://{dst}/{name}-baseline.tar"
    )
    wall, rss, _out, _err = timed(["sh", "-c", script], env)
    shutil.rmtree(local, ignore_errors=True)
    os.unlink(tarfile_path)
    return {"wall": wall, "rss_kib": rss}


def summarise(name, n_objects, n_bytes, n_large, small_bytes, s3tar, baseline, part_size, in_flight):
    rep = s3tar["report"]
    req = rep["requests"]
    archive_bytes = sum(a["size"] for a in rep["archives"])
    total = rep["requests_total"]
    return {
        "set": name,
        "label": SET_LABELS[name],
        "objects": n_objects,
        "source_bytes": n_bytes,
        "archive_bytes": archive_bytes,
        "requests": req,
        "requests_total": total,
        "requests_per_object": total / n_objects,
        "bytes_downloaded": rep["bytes_received"],
        "downloaded_per_archive_byte": rep["bytes_received"] / archive_bytes,
        # Small objects are downloaded whole by design; what a large object costs is the rest.
        "downloaded_per_large_object_mib": ((rep["bytes_received"] - small_bytes) / n_large / MiB) if n_large else None,
        "s3tar_wall": s3tar["wall"],
        "s3tar_rss_mib": s3tar["rss_kib"] / 1024,
        "baseline_wall": baseline["wall"],
        "baseline_rss_mib": baseline["rss_kib"] / 1024,
        "speedup": baseline["wall"] / s3tar["wall"],
        "rss_bound_mib": in_flight * part_size / MiB,
    }


def markdown(rows, command):
    kinds = sorted({k for r in rows for k in r["requests"]})
    out = [f"Command: `{command}`", ""]
    out.append("| set | objects | archive | requests/object | " + " | ".join(kinds) +
               " | downloaded / archive byte | downloaded / large object | s3tar wall | s3tar peak RSS |"
               " baseline wall | baseline peak RSS | speed-up |")
    out.append("|" + "---|" * (11 + len(kinds)))
    for r in rows:
        per_kind = " | ".join(f"{r['requests'].get(k, 0) / r['objects']:.3f}" for k in kinds)
        large = f"{r['downloaded_per_large_object_mib']:.2f} MiB" if r["downloaded_per_large_object_mib"] else "-"
        out.append(
            f"| {r['label']} | {r['objects']} | {r['archive_bytes'] / MiB:.0f} MiB | {r['requests_per_object']:.3f} | "
            f"{per_kind} | {r['downloaded_per_archive_byte']:.3f} | {large} | {r['s3tar_wall']:.1f} s | "
            f"{r['s3tar_rss_mib']:.0f} MiB | {r['baseline_wall']:.1f} s | {r['baseline_rss_mib']:.0f} MiB | "
            f"{r['speedup']:.1f}x |")
    out.append("")
    out.append("Request columns are requests of that kind per object (from `--report`). "
               "'downloaded / large object' = (bytes downloaded - bytes of the small objects) / large objects.")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--env", required=True)
    ap.add_argument("--s3tar", required=True)
    ap.add_argument("--sets", default="small,large,mixed")
    ap.add_argument("--repeat", type=int, default=1, help="runs per variant; the median wall time is kept")
    ap.add_argument("--part-size", default="16MiB", help="s3tar --part-size (for the RSS bound)")
    ap.add_argument("--parts-in-flight", type=int, default=8,
                    help="assembled upload parts s3tar holds at once (executor default), for the RSS bound")
    ap.add_argument("--json")
    ap.add_argument("--markdown")
    ap.add_argument("--workdir", default=None)
    args = ap.parse_args()

    server = parse_env(args.env)
    env = tool_env(server)
    client = make_client(server)
    workdir = args.workdir or tempfile.mkdtemp(prefix="s3tar-bench-")
    tag = uuid.uuid4().hex[:8]
    src, dst = f"bench-src-{tag}", f"bench-dst-{tag}"
    client.create_bucket(Bucket=src)
    client.create_bucket(Bucket=dst)
    part_size = int(args.part_size.replace("MiB", "")) * MiB if args.part_size.endswith("MiB") else int(args.part_size)
    extra = ["--part-size", args.part_size]

    rows = []
    for name in args.sets.split(","):
        spec = SETS[name]
        t0 = time.monotonic()
        n_objects, n_bytes = upload_set(client, src, name, spec)
        print(f"[{name}] uploaded {n_objects} objects ({n_bytes / MiB:.0f} MiB) in {time.monotonic() - t0:.1f} s",
              file=sys.stderr)
        n_large = sum(c for c, s in spec if s >= 5 * MiB)
        small_bytes = sum(c * s for c, s in spec if s < 5 * MiB)
        s3tar_runs, base_runs = [], []
        for _ in range(args.repeat):
            s3tar_runs.append(run_s3tar(args.s3tar, env, src, dst, name, workdir, extra))
            base_runs.append(run_baseline(env, src, dst, name, workdir))
        s3tar_runs.sort(key=lambda r: r["wall"])
        base_runs.sort(key=lambda r: r["wall"])
        s3tar = s3tar_runs[len(s3tar_runs) // 2]
        base = base_runs[len(base_runs) // 2]
        row = summarise(name, n_objects, n_bytes, n_large, small_bytes, s3tar, base, part_size, args.parts_in_flight)
        rows.append(row)
        print(f"[{name}] s3tar {row['s3tar_wall']:.1f} s / {row['s3tar_rss_mib']:.0f} MiB, "
              f"{row['requests_per_object']:.3f} req/object; baseline {row['baseline_wall']:.1f} s / "
              f"{row['baseline_rss_mib']:.0f} MiB", file=sys.stderr)
        # Free the server's memory for the next set.
        for key in [f"{name}.tar", f"{name}.tar.index.json", f"{name}-baseline.tar"]:
            client.delete_object(Bucket=dst, Key=key)

    # Machine-independent: the binary and env file paths are not part of the result.
    command = f"bench/run.sh BUILD/bin/s3tar (sets {args.sets}, --repeat {args.repeat}, --part-size {args.part_size})"
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=2)
    md = markdown(rows, command)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(md)
    print(md)


if __name__ == "__main__":
    main()
