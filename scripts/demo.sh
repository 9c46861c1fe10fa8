#!/usr/bin/env bash
# The demo: on a fresh Debian 12 machine, sets everything up, starts a local Ceph RGW, creates a
# source bucket with a day of log-like objects (and some large ones, older ones, 0-byte markers
# and objects already in GLACIER) plus the S3 Inventory report S3 would deliver for it, and runs
# the daily job: yesterday's objects into DEEP_ARCHIVE tars. Shows the cost comparison from
# --dry-run, the archives, a listing, the run report and a re-run that has nothing left to do.
# Stops the server at the end (S3TAR_DEMO_KEEP=1 leaves it running).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=${S3TAR_BUILD_DIR:-$root/build}/release
work=$root/.work/demo

bash scripts/setup.sh
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" --target s3tar -j"${S3TAR_JOBS:-2}"
s3tar=$build/bin/s3tar

mkdir -p "$work"
tests/servers/rgw.sh stop "$work/rgw" >/dev/null 2>&1 || true
tests/servers/rgw.sh start "$work/rgw" >/dev/null
if [ "${S3TAR_DEMO_KEEP:-0}" != 1 ]; then
  trap 'tests/servers/rgw.sh stop "$work/rgw" >/dev/null 2>&1 || true' EXIT
fi
# shellcheck disable=SC1091
source "$work/rgw/env"
export AWS_ENDPOINT_URL=$S3_ENDPOINT S3TAR_LOG_FORMAT=${S3TAR_LOG_FORMAT:-text}
yesterday=$(date -u -d yesterday +%F)

echo "== 1. a day of objects in s3://demo-source/ and its S3 Inventory report"
PYTHONPATH=scripts python3 scripts/demo_data.py demo-source demo-inventory --day "$yesterday" \
  --small "${DEMO_SMALL:-3000}" --large "${DEMO_LARGE:-6}"
python3 - <<'PY'
import boto3, os
s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
try:
    s3.create_bucket(Bucket="demo-archive")
except s3.exceptions.BucketAlreadyOwnedByYou:
    pass
PY
cat >"$work/job.json" <<JSON
{
  "inventory": "s3://demo-inventory/demo-source/daily/",
  "destination": { "bucket": "demo-archive", "prefix": "tar" },
  "storage_class": "DEEP_ARCHIVE",
  "size_limit": "64MiB",
  "tags": { "project": "demo" },
  "report": "s3://demo-archive/tar/_reports/"
}
JSON
echo "  job config: $work/job.json"

echo
echo "== 2. what the inventory holds for $yesterday (s3tar inventory)"
"$s3tar" inventory --config "$work/job.json" -o "$work/manifest.csv"

echo
echo "== 3. the plan and its cost against archiving the objects one at a time (s3tar run --dry-run)"
"$s3tar" run --config "$work/job.json" --dry-run

echo
echo "== 4. the daily job (s3tar run): yesterday's objects into DEEP_ARCHIVE tars"
set +e
"$s3tar" run --config "$work/job.json"
rc=$?
set -e
echo "  exit code $rc (6 = done, with the objects listed in not-archived.csv left out)"
[ "$rc" = 0 ] || [ "$rc" = 6 ] || exit "$rc"

echo
echo "== 5. the archives"
python3 - <<'PY'
import boto3, json, os
s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
for o in s3.list_objects_v2(Bucket="demo-archive", Prefix="tar/")["Contents"]:
    if "/_reports/" in o["Key"] or o["Key"].endswith(".index.json"):
        continue
    h = s3.head_object(Bucket="demo-archive", Key=o["Key"])
    idx = json.loads(s3.get_object(Bucket="demo-archive", Key=o["Key"] + ".index.json")["Body"].read())
    print(f"  {o['Key']:60} {o['Size']:>10} bytes  {h.get('StorageClass', 'STANDARD'):13} {len(idx['members'])} members")
PY

echo
first=$(python3 -c "
import boto3, os
s3 = boto3.client('s3', endpoint_url=os.environ['AWS_ENDPOINT_URL'])
print(next(o['Key'] for o in s3.list_objects_v2(Bucket='demo-archive', Prefix='tar/')['Contents'] if o['Key'].endswith('.tar')))")
echo "== 6. s3tar -tvf s3://demo-archive/$first (first 10 members)"
"$s3tar" -tvf "s3://demo-archive/$first" | head -10

echo
echo "== 7. the run report and the objects not archived"
python3 - "$yesterday" <<'PY'
import boto3, json, os, sys
s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
prefix = "tar/_reports/" + sys.argv[1].replace("-", "/") + "/"
for o in s3.list_objects_v2(Bucket="demo-archive", Prefix=prefix)["Contents"]:
    body = s3.get_object(Bucket="demo-archive", Key=o["Key"])["Body"].read().decode()
    print(f"  --- s3://demo-archive/{o['Key']}")
    if o["Key"].endswith(".json"):
        r = json.loads(body)
        body = json.dumps({k: v for k, v in r.items() if k != "archives"}, indent=2)
    print("\n".join("  " + line for line in body.splitlines()[:40]))
PY

echo
echo "== 8. run it again: the day is complete, nothing is written"
set +e
"$s3tar" run --config "$work/job.json"
echo "  exit code $?"
