#!/usr/bin/env bash
# The demo: sets everything up on a fresh Debian 12 machine, starts a local Ceph RGW, fills a
# source bucket with a day of log-like objects and a few large ones, and archives them into
# DEEP_ARCHIVE tars inside S3 with s3tar. Shows the plan and its cost against one-object-at-a-time
# archiving, the archives, a listing, and a verification. Stops the server at the end
# (S3TAR_DEMO_KEEP=1 leaves it running).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=${S3TAR_BUILD_DIR:-$root/build}/release
work=$root/.work/demo

bash scripts/setup.sh
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" --target s3tar -j"${S3TAR_JOBS:-2}"
s3tar=$build/s3tar/s3tar

mkdir -p "$work"
tests/servers/rgw.sh stop "$work/rgw" >/dev/null 2>&1 || true
tests/servers/rgw.sh start "$work/rgw" >/dev/null
if [ "${S3TAR_DEMO_KEEP:-0}" != 1 ]; then
  trap 'tests/servers/rgw.sh stop "$work/rgw" >/dev/null 2>&1 || true' EXIT
fi
# shellcheck disable=SC1091
source "$work/rgw/env"
export AWS_ENDPOINT_URL=$S3_ENDPOINT S3TAR_LOG_FORMAT=${S3TAR_LOG_FORMAT:-text}

echo "== 1. a day of objects in s3://demo-source/"
python3 scripts/demo_data.py demo-source --small "${DEMO_SMALL:-3000}" --large "${DEMO_LARGE:-6}"
python3 - <<'PY'
import boto3, os
s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
try:
    s3.create_bucket(Bucket="demo-archive")
except s3.exceptions.BucketAlreadyOwnedByYou:
    pass
PY

echo
echo "== 2. the plan (--dry-run): requests, bytes and cost vs archiving objects one at a time"
"$s3tar" -cf s3://demo-archive/2026/11/20/demo-source.tar s3://demo-source/ \
  --storage-class DEEP_ARCHIVE --size-limit 64MiB --dry-run

echo
echo "== 3. archive into DEEP_ARCHIVE tars (64 MiB volumes)"
"$s3tar" -cvf s3://demo-archive/2026/11/20/demo-source.tar s3://demo-source/ \
  --storage-class DEEP_ARCHIVE --size-limit 64MiB --report "$work/report.json"

echo
echo "== 4. the archives"
python3 - <<'PY'
import boto3, json, os
s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
for o in s3.list_objects_v2(Bucket="demo-archive")["Contents"]:
    h = s3.head_object(Bucket="demo-archive", Key=o["Key"])
    extra = ""
    if o["Key"].endswith(".index.json"):
        idx = json.loads(s3.get_object(Bucket="demo-archive", Key=o["Key"])["Body"].read())
        extra = f"  ({len(idx['members'])} members)"
    print(f"  {o['Key']:55} {o['Size']:>10} bytes  {h.get('StorageClass', 'STANDARD'):13}{extra}")
PY
echo "  run report: $work/report.json"
python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print('  requests:', r['requests_total'], r['requests'])" "$work/report.json"

echo
echo "== 5. list one archive (first 10 members of s3tar -tvf)"
first=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['archives'][0]['archive'])" "$work/report.json")
"$s3tar" -tvf "$first" | head -10

echo
echo "== 6. verify it against its sources"
"$s3tar" verify -f "$first"
