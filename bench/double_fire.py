#!/usr/bin/env python3
"""A scheduler firing twice: N trials of two `s3tar run` for the same day started together.

Writes 30 objects of about 2 MiB and an S3 Inventory report for them to the RGW of
S3TAR_RGW_ENV, then per trial starts two runs of the same config (10 MiB volumes, a fresh
destination prefix) at once and records both exit codes, whether an upload was left open and
whether the archives equal those of one run alone. Prints one line per trial and a summary.

Usage: tests/servers/with-servers.sh --rgw -- python3 bench/double_fire.py BUILD/bin/s3tar [--trials 16]
"""

import argparse
import collections
import concurrent.futures
import hashlib
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
import daily_inventory as di  # noqa: E402

DAY, ON_DAY, FOLDER = "2025-03-10", "2025-03-10T13:45:07.000Z", "2025-03-11T01-00Z"


def body(i):
    block = hashlib.sha256(str(i).encode()).digest() * 64
    return (block * (2 * 1024 * 1024 // len(block) + 1))[:2 * 1024 * 1024 + i * 1000]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--trials", type=int, default=16)
    args = ap.parse_args()
    os.environ["S3TAR_BIN"] = os.path.abspath(args.binary)
    env = di.rgw_env()
    s3 = di.s3_client(env)
    inv, dst, src = di.bucket_name("finv"), di.bucket_name("fdst"), di.bucket_name("fsrc")
    for b in (inv, dst, src):
        s3.create_bucket(Bucket=b)
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        puts = {f"data/{i:03d}.bin": pool.submit(s3.put_object, Bucket=src, Key=f"data/{i:03d}.bin", Body=body(i))
                for i in range(30)}
        rows = [di.Row(src, k, len(body(int(k[5:8]))), ON_DAY, f.result()["ETag"].strip('"'))
                for k, f in puts.items()]
    di.write_report(s3, inv, f"{src}/cfg", src, FOLDER, rows, n_files=2)
    tmp = tempfile.mkdtemp()
    bin_env = di.binary_env(env)

    def config(prefix):
        path = os.path.join(tmp, prefix + ".json")
        di.write_config(path, inventory={"bucket": inv, "prefix": f"{src}/cfg"}, destination=f"s3://{dst}/{prefix}",
                        size_limit="10MiB", storage_class="STANDARD", concurrency=2,
                        connection={"endpoint_url": env["S3_ENDPOINT"]})
        return path

    def archives(prefix):
        return {k[len(prefix):]: e for k, (e, _) in di.list_keys(s3, dst, prefix).items() if k.endswith(".tar")}

    rc, _, err = di.run(["run", "--config", config("ref"), "--date", DAY], bin_env, timeout=600)
    if rc != 0:
        sys.exit(f"the reference run failed ({rc}): {err[-2000:]}")
    expected = archives("ref/")
    outcomes = collections.Counter()
    for t in range(args.trials):
        cfg = config(f"t{t}")
        procs = [subprocess.Popen([args.binary, "run", "--config", cfg, "--date", DAY], env=bin_env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(2)]
        codes = tuple(sorted(p.wait(timeout=600) for p in procs))
        open_uploads = len(di.open_uploads(s3, dst, f"t{t}/"))
        same = archives(f"t{t}/") == expected
        outcomes[(codes, open_uploads, same)] += 1
        print(f"trial {t + 1}: exit codes {codes}, open uploads {open_uploads}, archives identical {same}",
              flush=True)
    print(f"{args.trials} trials:")
    for (codes, open_uploads, same), n in sorted(outcomes.items()):
        print(f"  {n} x exit codes {codes}, open uploads {open_uploads}, archives identical {same}")


if __name__ == "__main__":
    main()
