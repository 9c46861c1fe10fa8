#!/usr/bin/env python3
"""Benchmark: what sources that vanish cost, against a real S3 server.

For N vanished objects of a set (default 1,000 x 64 KiB, one archive), runs
  daily  `s3tar run`: the objects are in the day's S3 Inventory report and N of them were deleted
         after it was taken (the everyday case: the inventory is a day old);
  daily-during  `s3tar run` on the same day, the N objects deleted during the write, as for -c
         below (the day's sources change while the job runs);
  -c     `s3tar -c --skip-unreadable s3://src/set/`: the process is stopped (SIGSTOP) as soon as it
         starts writing the archive, N objects are deleted, and it is continued: they vanish
         during the write (objects it had already read stay in the archive).
and records requests by operation (from the run report), the plan's requests (`--dry-run`), the
objects skipped, and wall time. The requirement: requests <= 1.1 x planned + 2 per vanished
object, and at most one rewrite of a volume (CreateMultipartUpload <= 2 per volume).

Usage: bench/vanished_bench.py --env ENVFILE --s3tar BIN [--vanished 0,5,20,60] [--objects 1000]
                               [--size 65536] [--modes daily,daily-during,-c] [--late 0.9]
                               [--large 4 --large-size 67108864]
                               [--markdown OUT.md] [--json OUT.json]
--late F picks the vanished objects among the last (1 - F) of the set (in key order): with -c they
vanish late in the write, after the parts before them were pushed out of memory.
--large N adds N objects of --large-size bytes to the set (-c) or the day (copied server-side,
UploadPartCopy); the vanished objects are picked among the small ones. The table then shows the
copies planned and sent: a rewrite keeps the copy parts the upload already holds.
bench/run.sh BIN --bench vanished [options] starts a throw-away RGW and runs it.
"""

import argparse
import concurrent.futures
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "scripts"))
from s3inventory import Row, write_report  # noqa: E402

sys.path.insert(0, HERE)
from archive_bench import make_client, parse_env, tool_env, write_results  # noqa: E402

DAY = "2025-03-10"
ON_DAY = "2025-03-10T13:45:07.000Z"
REPORT_FOLDER = "2025-03-11T01-00Z"


def put_objects(s3, bucket, prefix, n, size):
    block = os.urandom(size + 8)
    keys = [f"{prefix}/obj-{i:05d}.bin" for i in range(n)]

    def put(i_key):
        i, key = i_key
        return s3.put_object(Bucket=bucket, Key=key, Body=(i.to_bytes(8, "little") + block)[:size])["ETag"].strip('"')

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        etags = list(pool.map(put, enumerate(keys)))
    return keys, etags


def delete(s3, bucket, keys):
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda k: s3.delete_object(Bucket=bucket, Key=k), keys))


def planned_requests(text):
    m = re.search(r"Requests: (\d+) total", text)
    if not m:
        raise SystemExit("no 'Requests: N total' in the dry run's output:\n" + text[-2000:])
    return int(m.group(1))


def run_daily(binary, env, s3, server, n, size, vanished, workdir, large=0, large_size=0, during=False):
    tag = uuid.uuid4().hex[:8]
    src, inv, dst = f"vb-src-{tag}", f"vb-inv-{tag}", f"vb-dst-{tag}"
    for b in (src, inv, dst):
        s3.create_bucket(Bucket=b)
    keys, etags = put_objects(s3, src, "logs", n, size)
    rows = [Row(src, k, size, ON_DAY, e) for k, e in zip(keys, etags)]
    if large:
        large_keys, large_etags = put_objects(s3, src, "logs/large", large, large_size)
        rows += [Row(src, k, large_size, ON_DAY, e) for k, e in zip(large_keys, large_etags)]
    write_report(s3, inv, f"{src}/cfg", src, REPORT_FOLDER, rows, n_files=2)
    cfg = os.path.join(workdir, f"daily-{tag}.json")
    with open(cfg, "w") as f:
        json.dump({"inventory": f"s3://{inv}/{src}/cfg/", "destination": {"bucket": dst, "prefix": "arch"},
                   "storage_class": "GLACIER",
                   "connection": {"endpoint_url": server["S3_ENDPOINT"], "region": server.get("AWS_REGION", "us-east-1")}},
                  f)
    dry = subprocess.run([binary, "run", "--config", cfg, "--date", DAY, "--dry-run"], env=env,
                         capture_output=True, text=True)
    planned = planned_requests(dry.stdout)
    gone = random.Random(vanished).sample(keys, vanished)
    if not during:
        delete(s3, src, gone)
    rc, wall, err = run_deleting(binary, ["run", "--config", cfg, "--date", DAY], env, s3, src, gone if during else [])
    if rc not in (0, 6):
        raise SystemExit(f"daily run failed ({rc}):\n{err[-3000:]}")
    rep = json.loads(s3.get_object(Bucket=dst, Key="arch/_reports/2025/03/10/run-report.json")["Body"].read())
    return {"mode": "daily-during" if during else "daily", "vanished": vanished, "skipped": rep["skipped"]["objects"],
            "planned": planned, "requests": rep["requests"], "requests_total": rep["requests_total"],
            "volumes": rep["volumes"]["planned"], "planned_copies": planned_copies(dry.stdout), "rewrites": rewrites(err), "wall": wall}


def planned_copies(text):
    m = re.search(r"UploadPartCopy (\d+)", text)
    return int(m.group(1)) if m else 0


def rewrites(log):
    """The run's rewrites (archive.rewrite events in its JSON log): (count, copy parts kept)."""
    events = [json.loads(line) for line in log.splitlines() if '"event":"archive.rewrite"' in line]
    return len(events), sum(e.get("parts_reused", 0) for e in events)


def run_deleting(binary, args, env, s3, src, gone):
    """Runs s3tar; with `gone`, stops it (SIGSTOP) as soon as it starts writing an archive, deletes
    those objects and continues it: they vanish during the write. Returns (exit code, wall, stderr)."""
    t0 = time.monotonic()
    p = subprocess.Popen([binary, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    lines = []
    for line in p.stderr:
        lines.append(line)
        if gone and b'"event":"archive.start"' in line:
            p.send_signal(signal.SIGSTOP)
            delete(s3, src, gone)
            p.send_signal(signal.SIGCONT)
            gone = []
    rc = p.wait()
    return rc, time.monotonic() - t0, b"".join(lines).decode("utf-8", "replace")


def run_create(binary, env, s3, n, size, vanished, workdir, late=0.0, large=0, large_size=0):
    tag = uuid.uuid4().hex[:8]
    src, dst = f"vb-src-{tag}", f"vb-dst-{tag}"
    for b in (src, dst):
        s3.create_bucket(Bucket=b)
    keys, _ = put_objects(s3, src, "set", n, size)
    if large:
        put_objects(s3, src, "set/large", large, large_size)
    args = ["-cf", f"s3://{dst}/set.tar", f"s3://{src}/set/"]
    dry = subprocess.run([binary, *args, "--dry-run"], env=env, capture_output=True, text=True)
    planned = planned_requests(dry.stdout)
    report = os.path.join(workdir, f"create-{tag}.json")
    gone = random.Random(vanished).sample(keys[int(len(keys) * late):], vanished)
    rc, wall, err = run_deleting(binary, [*args, "--skip-unreadable", "--report", report], env, s3, src, gone)
    if rc not in (0, 6):
        raise SystemExit(f"-c failed ({rc}):\n{err[-3000:]}")
    with open(report) as f:
        rep = json.load(f)
    return {"mode": "-c", "vanished": vanished, "skipped": len(rep["objects_skipped"]), "planned": planned,
            "requests": rep["requests"], "requests_total": rep["requests_total"], "volumes": len(rep["archives"]),
            "planned_copies": planned_copies(dry.stdout), "rewrites": rewrites(err), "wall": wall}


def markdown(rows, command):
    out = [f"Command: `{command}`", "",
           "| run | vanished | skipped | planned requests | requests | bound 1.1 x planned + 2 x vanished | "
           "GetObject | HeadObject | ListObjectsV2 | CreateMultipartUpload | UploadPartCopy (planned) | "
           "rewrites (copy parts kept) | wall |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        q = r["requests"]
        bound = 1.1 * r["planned"] + 2 * r["vanished"]
        out.append(f"| {r['mode']} | {r['vanished']} | {r['skipped']} | {r['planned']} | {r['requests_total']} | "
                   f"{bound:.0f} | {q.get('GetObject', 0)} | {q.get('HeadObject', 0)} | {q.get('ListObjectsV2', 0)} | "
                   f"{q.get('CreateMultipartUpload', 0)} | {q.get('UploadPartCopy', 0)} ({r.get('planned_copies', '-')}) | "
                   f"{r['rewrites'][0]} ({r['rewrites'][1]}) | {r['wall']:.1f} s |")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--env", required=True)
    ap.add_argument("--s3tar", required=True)
    ap.add_argument("--vanished", default="0,5,20,60")
    ap.add_argument("--objects", type=int, default=1000)
    ap.add_argument("--size", type=int, default=64 * 1024)
    ap.add_argument("--modes", default="daily,-c")
    ap.add_argument("--late", type=float, default=0.0)
    ap.add_argument("--large", type=int, default=0)
    ap.add_argument("--large-size", type=int, default=64 * 1024 * 1024)
    ap.add_argument("--json")
    ap.add_argument("--markdown")
    ap.add_argument("--workdir", default=None)
    args = ap.parse_args()
    server = parse_env(args.env)
    env = tool_env(server, server["S3_ENDPOINT"])
    env["S3TAR_LOG_FORMAT"] = "json"
    s3 = make_client(server)
    workdir = args.workdir or tempfile.mkdtemp(prefix="s3tar-vanished-")
    rows = []
    for mode in args.modes.split(","):
        for v in (int(x) for x in args.vanished.split(",")):
            if mode in ("daily", "daily-during"):
                r = run_daily(args.s3tar, env, s3, server, args.objects, args.size, v, workdir, args.large,
                              args.large_size, mode == "daily-during")
            else:
                r = run_create(args.s3tar, env, s3, args.objects, args.size, v, workdir, args.late, args.large,
                               args.large_size)
            print(json.dumps(r), flush=True)
            rows.append(r)
    command = (f"bench/run.sh BUILD/bin/s3tar --bench vanished --vanished {args.vanished} --objects {args.objects} "
               f"--size {args.size} --modes {args.modes}" + (f" --late {args.late}" if args.late else "") +
               (f" --large {args.large} --large-size {args.large_size}" if args.large else ""))
    write_results(args, rows, markdown(rows, command))


if __name__ == "__main__":
    main()
