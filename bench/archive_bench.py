#!/usr/bin/env python3
"""Benchmark: s3tar creating an archive inside S3 versus the pipeline a user would otherwise run
(download everything with `aws s3 cp --recursive`, `tar -cf`, upload with `aws s3 cp`).

Runs against an S3 endpoint described by an env file (the one tests/servers/rgw.sh writes:
S3_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION). bench/run.sh starts a local
RGW with enough memory and calls this script.

For each object set it records, for s3tar: requests per object by kind (from --report), bytes
downloaded per archive byte and per object, wall time and peak RSS (/usr/bin/time -v); for the
baseline: wall time and peak RSS of the whole pipeline. The variants of a set run back to back
so that their ratios are measured under the same machine load.

Variants: `prefix` (s3tar from a prefix listing), `manifest` (s3tar -m with a manifest giving
bucket,key,size,etag for every object, as the Go s3tar's users have), `manifest-mtime` (the same
plus the fifth column last_modified: no lookup at all), `manifest-before` (the `manifest` variant
run by the binary given with --s3tar-before, to compare two builds in one run), `prefix-nospool`
(`prefix` with `--spool-limit 0`: no local spool of the parts pushed out of memory), `baseline`.
s3tar's rows also give the bytes it wrote to local files (/usr/bin/time -v's "File system
outputs": the spool, page cache included).

Paths: `loopback` (straight to the server) and `proxy` (through bench/latency_proxy.py, which
holds every request --latency-ms before forwarding it, so the server answers like a remote S3
with a round trip per request). Each set runs on every path given, one after the other.

Usage: bench/archive_bench.py --env ENVFILE --s3tar BIN [--sets small,large,mixed]
                              [--variants prefix,prefix-nospool,manifest,manifest-mtime,manifest-before,baseline]
                              [--s3tar-before OLD_BIN] [--paths loopback,proxy]
                              [--latency-ms 10] [--repeat N] [--json OUT.json] [--markdown OUT.md]
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
    "small64": [(1000, 64 * KiB)],
    "small2g": [(8000, 256 * KiB)],
    "large": [(50, 20 * MiB)],
    "mixed": [(1000, 64 * KiB), (20, 20 * MiB)],
}
SET_LABELS = {
    "small": "1,000 x 256 KiB",
    "small64": "1,000 x 64 KiB",
    "small2g": "8,000 x 256 KiB",
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



def write_results(args, data, md):
    """Writes --json (data) and --markdown (md) when asked, and prints the markdown."""
    if args.json:
        with open(args.json, "w") as f:
            json.dump(data, f, indent=2)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(md)
    print(md)

def tool_env(server, endpoint):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID=server["AWS_ACCESS_KEY_ID"],
        AWS_SECRET_ACCESS_KEY=server["AWS_SECRET_ACCESS_KEY"],
        AWS_REGION=server.get("AWS_REGION", "us-east-1"),
        AWS_DEFAULT_REGION=server.get("AWS_REGION", "us-east-1"),
        AWS_ENDPOINT_URL=endpoint,
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


def written_bytes(time_output):
    """Bytes the process wrote to files (page cache included), from /usr/bin/time -v's "File system
    outputs" (the kernel's write_bytes in 512-byte units); -1 when absent."""
    m = re.search(r"File system outputs: (\d+)", time_output)
    return int(m.group(1)) * 512 if m else -1


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
    """Uploads the set; returns [(key, size, etag)]."""
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
        futures = [(k, len(b), pool.submit(client.put_object, Bucket=bucket, Key=k, Body=b)) for k, b in jobs]
        return [(k, n, f.result()["ETag"].strip('"')) for k, n, f in futures]


class Proxy:
    """bench/latency_proxy.py in front of the server, for as long as the `with` block runs."""

    def __init__(self, upstream, latency_ms, workdir, script=None):
        self.upstream, self.latency_ms, self.workdir = upstream, latency_ms, workdir
        # Another proxy with the same command line (e.g. an older latency_proxy.py), if given.
        self.script = script or os.path.join(os.path.dirname(os.path.abspath(__file__)), "latency_proxy.py")

    def __enter__(self):
        port_file = os.path.join(self.workdir, "proxy-url")
        self.proc = subprocess.Popen(
            [sys.executable, self.script,
             "--upstream", self.upstream, "--latency-ms", str(self.latency_ms), "--port-file", port_file],
            stdout=subprocess.DEVNULL)
        for _ in range(100):
            if os.path.exists(port_file) and open(port_file).read().endswith("\n"):
                self.url = open(port_file).read().strip()
                return self
            if self.proc.poll() is not None:
                raise SystemExit("latency_proxy.py failed to start")
            time.sleep(0.05)
        self.proc.terminate()
        raise SystemExit("latency_proxy.py did not start within 5 s")

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        os.unlink(os.path.join(self.workdir, "proxy-url"))


def write_manifest(path, bucket, objects, mtimes=None):
    """bucket,key,size,etag rows; with mtimes ({key: ISO time}) a fifth column last_modified."""
    with open(path, "w") as f:
        for key, size, etag in objects:
            f.write(f"{bucket},{key},{size},{etag}" + (f",{mtimes[key]}" if mtimes else "") + "\n")


def listed_mtimes(client, bucket, prefix):
    out = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for o in page.get("Contents", []):
            out[o["Key"]] = o["LastModified"].strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return out


def run_s3tar(binary, env, src, dst, name, workdir, extra, manifest=None):
    report = os.path.join(workdir, f"{name}-report.json")
    source = ["-m", manifest] if manifest else [f"s3://{src}/{name}/"]
    cmd = [binary, "-cf", f"s3://{dst}/{name}.tar", *source, "--report", report, *extra]
    wall, rss, _out, err = timed(cmd, env)
    with open(report) as f:
        rep = json.load(f)
    return {"wall": wall, "rss_kib": rss, "written": written_bytes(err), "report": rep}


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


def median(runs):
    runs = sorted(runs, key=lambda r: r["wall"])
    return runs[len(runs) // 2]


def summarise(name, path, variant, n_objects, n_large, small_bytes, run, baseline):
    row = {"set": name, "label": SET_LABELS[name], "path": path, "variant": variant, "objects": n_objects,
           "wall": run["wall"], "rss_mib": run["rss_kib"] / 1024,
           "speedup": baseline["wall"] / run["wall"] if baseline and variant != "baseline" else None}
    rep = run.get("report")
    if rep:
        archive_bytes = sum(a["size"] for a in rep["archives"])
        row.update(
            written=run["written"],
            archive_bytes=archive_bytes,
            requests=rep["requests"],
            requests_total=rep["requests_total"],
            requests_per_object=rep["requests_total"] / n_objects,
            bytes_downloaded=rep["bytes_received"],
            downloaded_per_object=rep["bytes_received"] / n_objects,
            downloaded_per_archive_byte=rep["bytes_received"] / archive_bytes,
            # Small objects are downloaded whole by design; what a large object costs is the rest.
            downloaded_per_large_object_mib=((rep["bytes_received"] - small_bytes) / n_large / MiB) if n_large else None,
        )
    return row


def markdown(rows, command):
    kinds = sorted({k for r in rows for k in r.get("requests", {})})
    out = [f"Command: `{command}`", ""]
    out.append("| set | path | variant | requests/object | " + " | ".join(kinds) +
               " | downloaded / object | downloaded / archive byte | downloaded / large object | wall |"
               " peak RSS | written locally | speed-up vs baseline |")
    out.append("|" + "---|" * (11 + len(kinds)))
    for r in rows:
        if r["variant"] == "baseline":
            cells = ["-"] * (len(kinds) + 4)
        else:
            large = r["downloaded_per_large_object_mib"]
            cells = ([f"{r['requests_per_object']:.3f}"] +
                     [f"{r['requests'].get(k, 0) / r['objects']:.3f}" for k in kinds] +
                     [f"{r['downloaded_per_object'] / KiB:.1f} KiB", f"{r['downloaded_per_archive_byte']:.3f}",
                      f"{large:.2f} MiB" if large else "-"])
        speedup = f"{r['speedup']:.1f}x" if r["speedup"] else "-"
        written = f"{r['written'] / MiB:.0f} MiB" if "written" in r else "-"
        out.append(f"| {r['label']} | {r['path']} | {r['variant']} | " + " | ".join(cells) +
                   f" | {r['wall']:.2f} s | {r['rss_mib']:.0f} MiB | {written} | {speedup} |")
    out.append("")
    out.append("Request columns are requests of that kind per object (from `--report`). "
               "'downloaded / large object' = (bytes downloaded - bytes of the small objects) / large objects.")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--env", required=True)
    ap.add_argument("--s3tar", required=True)
    ap.add_argument("--sets", default="small,large,mixed")
    ap.add_argument("--variants", default="prefix,baseline",
                    help="prefix, prefix-nospool, manifest, manifest-mtime, manifest-before, baseline")
    ap.add_argument("--s3tar-before", help="the binary the manifest-before variant runs")
    ap.add_argument("--paths", default="loopback", help="loopback, proxy")
    ap.add_argument("--latency-ms", type=float, default=10.0, help="delay the proxy adds to every request")
    ap.add_argument("--repeat", type=int, default=1, help="runs per variant; the median wall time is kept")
    ap.add_argument("--part-size", default="16MiB", help="s3tar --part-size")
    ap.add_argument("--json")
    ap.add_argument("--markdown")
    ap.add_argument("--workdir", default=None)
    args = ap.parse_args()

    variants = args.variants.split(",")
    paths = args.paths.split(",")
    for v in variants:
        if v not in ("prefix", "prefix-nospool", "manifest", "manifest-mtime", "manifest-before", "baseline"):
            raise SystemExit(f"unknown variant {v}")
    if "manifest-before" in variants and not args.s3tar_before:
        raise SystemExit("the manifest-before variant needs --s3tar-before")
    for p in paths:
        if p not in ("loopback", "proxy"):
            raise SystemExit(f"unknown path {p}")
    server = parse_env(args.env)
    client = make_client(server)
    workdir = args.workdir or tempfile.mkdtemp(prefix="s3tar-bench-")
    tag = uuid.uuid4().hex[:8]
    src, dst = f"bench-src-{tag}", f"bench-dst-{tag}"
    client.create_bucket(Bucket=src)
    client.create_bucket(Bucket=dst)
    extra = ["--part-size", args.part_size]

    rows = []
    for name in args.sets.split(","):
        spec = SETS[name]
        t0 = time.monotonic()
        objects = upload_set(client, src, name, spec)
        n_objects = len(objects)
        print(f"[{name}] uploaded {n_objects} objects ({sum(o[1] for o in objects) / MiB:.0f} MiB) in "
              f"{time.monotonic() - t0:.1f} s", file=sys.stderr)
        manifest = os.path.join(workdir, f"{name}-manifest.csv")
        write_manifest(manifest, src, objects)
        manifest_mtime = os.path.join(workdir, f"{name}-manifest-mtime.csv")
        write_manifest(manifest_mtime, src, objects, listed_mtimes(client, src, f"{name}/"))
        manifests = {"manifest": manifest, "manifest-before": manifest, "manifest-mtime": manifest_mtime}
        binaries = {"manifest-before": args.s3tar_before}
        n_large = sum(c for c, s in spec if s >= 5 * MiB)
        small_bytes = sum(c * s for c, s in spec if s < 5 * MiB)
        for path in paths:
            def measure(endpoint):
                env = tool_env(server, endpoint)
                runs = {v: [] for v in variants}
                for _ in range(args.repeat):
                    for v in variants:
                        if v == "baseline":
                            runs[v].append(run_baseline(env, src, dst, name, workdir))
                        else:
                            nospool = ["--spool-limit", "0"] if v == "prefix-nospool" else []
                            runs[v].append(run_s3tar(binaries.get(v, args.s3tar), env, src, dst, name, workdir,
                                                     extra + nospool, manifests.get(v)))
                return {v: median(r) for v, r in runs.items()}

            if path == "proxy":
                with Proxy(server["S3_ENDPOINT"], args.latency_ms, workdir) as proxy:
                    results = measure(proxy.url)
            else:
                results = measure(server["S3_ENDPOINT"])
            label = f"proxy +{args.latency_ms:g} ms" if path == "proxy" else "loopback"
            for v in variants:
                row = summarise(name, label, v, n_objects, n_large, small_bytes, results[v], results.get("baseline"))
                rows.append(row)
                rpo = f", {row['requests_per_object']:.3f} req/object" if "requests_per_object" in row else ""
                print(f"[{name}] {label} {v}: {row['wall']:.2f} s, {row['rss_mib']:.0f} MiB{rpo}", file=sys.stderr)
        # Free the server's memory for the next set.
        for key in [f"{name}.tar", f"{name}.tar.index.json", f"{name}-baseline.tar"]:
            client.delete_object(Bucket=dst, Key=key)
        for key, _size, _etag in objects:
            client.delete_object(Bucket=src, Key=key)

    # Machine-independent: the binary and env file paths are not part of the result.
    command = (f"bench/run.sh BUILD/bin/s3tar --sets {args.sets} --variants {args.variants} --paths {args.paths}"
               f"{' --latency-ms %g' % args.latency_ms if 'proxy' in paths else ''} --repeat {args.repeat}"
               f" --part-size {args.part_size}"
               f"{' --s3tar-before OLD_BUILD/bin/s3tar' if args.s3tar_before else ''}")
    write_results(args, rows, markdown(rows, command))


if __name__ == "__main__":
    main()
