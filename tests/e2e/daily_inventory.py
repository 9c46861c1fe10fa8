"""Helpers for the daily-job end-to-end tests: an RGW connection from S3TAR_RGW_ENV, and a
writer of S3 Inventory reports (manifest.json, manifest.checksum, csv.gz data files) for
objects the tests PUT themselves.

Missing environment (S3TAR_BIN, S3TAR_RGW_ENV) is a test FAILURE, never a skip.
"""

import json
import os
import subprocess
import sys
import tempfile
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from s3inventory import CURRENT_SCHEMA, VERSIONED_SCHEMA, Row, csv_gz, form_encode, write_report  # noqa: E402,F401

# Exit codes, the setup error, the binary and env files: shared with the other e2e modules.
from s3env import (EXIT_BAD_INPUT, EXIT_OK, EXIT_PARTIAL, EXIT_TRANSIENT, EXIT_USAGE,  # noqa: E402,F401
                   SetupError, binary, helper_client, parse_env_file)

EXIT_NOT_DELIVERED = 4


def rgw_env():
    """The RGW env file's variables (S3_ENDPOINT, keys, region)."""
    path = os.environ.get("S3TAR_RGW_ENV")
    if not path:
        raise SetupError("S3TAR_RGW_ENV is not set: run under tests/servers/with-servers.sh --rgw")
    if not os.path.isfile(path):
        raise SetupError(f"S3TAR_RGW_ENV={path} does not exist")
    values = parse_env_file(path)
    for k in ("S3_ENDPOINT", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        if not values.get(k):
            raise SetupError(f"{path} does not define {k}")
    return values


def s3_client(env):
    return helper_client(env, env["S3_ENDPOINT"], env.get("AWS_REGION", "us-east-1"))


def connection(env, **extra):
    """The job config's "connection" for the server: its endpoint, and virtual-hosted addressing
    when the env file says so (AWS_CA_BUNDLE reaches the binary through binary_env)."""
    out = {"endpoint_url": env["S3_ENDPOINT"]}
    if env.get("S3_ADDRESSING") == "virtual":
        out["path_style"] = False
    out.update(extra)
    return out


def binary_env(env, extra=None):
    """Environment for the binary: credentials only (the endpoint comes from the config file)."""
    out = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    tmp = tempfile.gettempdir()
    out.update({
        "AWS_ACCESS_KEY_ID": env["AWS_ACCESS_KEY_ID"],
        "AWS_SECRET_ACCESS_KEY": env["AWS_SECRET_ACCESS_KEY"],
        "AWS_CONFIG_FILE": os.path.join(tmp, "s3tar-daily-no-such-config"),
        "AWS_SHARED_CREDENTIALS_FILE": os.path.join(tmp, "s3tar-daily-no-such-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "S3TAR_LOG_FORMAT": "json",
    })
    if env.get("AWS_CA_BUNDLE"):
        out["AWS_CA_BUNDLE"] = env["AWS_CA_BUNDLE"]
    out.pop("AWS_BATCH_JOB_ARRAY_INDEX", None)
    out.pop("AWS_BATCH_JOB_ARRAY_SIZE", None)
    if extra:
        out.update(extra)
    return out


def bucket_name(tag):
    return f"daily-{tag}-{uuid.uuid4().hex[:10]}"


def write_config(path, **fields):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(fields, f, indent=2)


def run(args, env, timeout=120):
    p = subprocess.run([binary(), *args], env=env, capture_output=True, timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def list_keys(s3, bucket, prefix=""):
    """{key: (etag, last_modified)} of every object under prefix."""
    out = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for o in page.get("Contents", []):
            out[o["Key"]] = (o["ETag"].strip('"'), o["LastModified"])
    return out


def open_uploads(s3, bucket, prefix=""):
    r = s3.list_multipart_uploads(Bucket=bucket, Prefix=prefix)
    return [(u["Key"], u["UploadId"]) for u in r.get("Uploads", [])]
