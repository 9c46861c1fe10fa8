"""Helpers for the daily-job end-to-end tests: an RGW connection from S3TAR_RGW_ENV, and a
writer of S3 Inventory reports (manifest.json, manifest.checksum, csv.gz data files) for
objects the tests PUT themselves.

Missing environment (S3TAR_BIN, S3TAR_RGW_ENV) is a test FAILURE, never a skip.
"""

import csv
import gzip
import hashlib
import io
import json
import os
import shlex
import subprocess
import tempfile
import urllib.parse
import uuid

import boto3
import botocore.config

# Exit codes (s3tar/exit_codes.h).
EXIT_OK = 0
EXIT_USAGE = 2
EXIT_BAD_INPUT = 3
EXIT_NOT_DELIVERED = 4
EXIT_TRANSIENT = 5
EXIT_PARTIAL = 6

CURRENT_SCHEMA = ["Bucket", "Key", "Size", "LastModifiedDate", "ETag", "StorageClass"]
VERSIONED_SCHEMA = [
    "Bucket", "Key", "VersionId", "IsLatest", "IsDeleteMarker", "Size", "LastModifiedDate", "ETag",
    "StorageClass", "IsMultipartUploaded", "EncryptionStatus",
]


class SetupError(AssertionError):
    """The test environment is incomplete: reported as a failure, not a skip."""


def binary():
    path = os.environ.get("S3TAR_BIN")
    if not path:
        raise SetupError("S3TAR_BIN is not set: point it at the built s3tar binary")
    if not os.access(path, os.X_OK):
        raise SetupError(f"S3TAR_BIN={path} is not an executable file")
    return path


def rgw_env():
    """The RGW env file's variables (S3_ENDPOINT, keys, region)."""
    path = os.environ.get("S3TAR_RGW_ENV")
    if not path:
        raise SetupError("S3TAR_RGW_ENV is not set: run under tests/servers/with-servers.sh --rgw")
    if not os.path.isfile(path):
        raise SetupError(f"S3TAR_RGW_ENV={path} does not exist")
    values = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            for word in shlex.split(line.strip(), comments=True):
                if word != "export" and "=" in word:
                    k, v = word.split("=", 1)
                    values[k] = v
    for k in ("S3_ENDPOINT", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        if not values.get(k):
            raise SetupError(f"{path} does not define {k}")
    return values


def s3_client(env):
    return boto3.client(
        "s3",
        endpoint_url=env["S3_ENDPOINT"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        region_name=env.get("AWS_REGION", "us-east-1"),
        config=botocore.config.Config(s3={"addressing_style": "path"}, retries={"max_attempts": 3},
                                      max_pool_connections=16),
    )


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
    out.pop("AWS_BATCH_JOB_ARRAY_INDEX", None)
    out.pop("AWS_BATCH_JOB_ARRAY_SIZE", None)
    if extra:
        out.update(extra)
    return out


def bucket_name(tag):
    return f"daily-{tag}-{uuid.uuid4().hex[:10]}"


def form_encode(key):
    """S3 Inventory's key encoding: form encoding, '/' kept, space as '+'."""
    return urllib.parse.quote_plus(key, safe="/")


def csv_gz(rows):
    """Every value double-quoted, no header, gzip."""
    text = io.StringIO()
    w = csv.writer(text, quoting=csv.QUOTE_ALL, lineterminator="\n")
    for r in rows:
        w.writerow(r)
    return gzip.compress(text.getvalue().encode("utf-8"), mtime=0)


class Row:
    """One inventory row for an object (or a version / delete marker)."""

    def __init__(self, bucket, key, size, last_modified, etag, storage_class="STANDARD", version_id="",
                 is_latest=True, delete_marker=False):
        self.bucket, self.key, self.size = bucket, key, size
        self.last_modified, self.etag, self.storage_class = last_modified, etag, storage_class
        self.version_id, self.is_latest, self.delete_marker = version_id, is_latest, delete_marker

    def values(self, schema):
        v = {
            "Bucket": self.bucket,
            "Key": form_encode(self.key),
            "VersionId": self.version_id,
            "IsLatest": "true" if self.is_latest else "false",
            "IsDeleteMarker": "true" if self.delete_marker else "false",
            "Size": "" if self.delete_marker else str(self.size),
            "LastModifiedDate": self.last_modified,
            "ETag": "" if self.delete_marker else self.etag,
            "StorageClass": "" if self.delete_marker else self.storage_class,
            "IsMultipartUploaded": "false",
            "EncryptionStatus": "NOT-SSE",
        }
        return [v[c] for c in schema]


def write_report(s3, inv_bucket, prefix, source_bucket, folder, rows, schema=CURRENT_SCHEMA, n_files=3,
                 corrupt_file=None, bad_manifest_checksum=False, bad_file_md5=None, with_checksum=True):
    """Writes one report under s3://inv_bucket/prefix/folder/ with its data files under prefix/data/.

    corrupt_file=i makes data file i's gzip stream corrupt (its MD5 in the manifest matches the
    corrupt bytes, so only decoding fails); bad_file_md5=i lists a wrong MD5 for file i;
    bad_manifest_checksum writes a manifest.checksum that does not match manifest.json.
    """
    prefix = prefix.strip("/")
    chunks = [rows[i::n_files] for i in range(n_files)]
    files = []
    for i, chunk in enumerate(chunks):
        body = csv_gz([r.values(schema) for r in chunk])
        if corrupt_file == i:
            body = body[:10] + b"\xff\x00garbage-not-deflate" + body[10:]
        key = f"{prefix}/data/{uuid.uuid4()}.csv.gz"
        s3.put_object(Bucket=inv_bucket, Key=key, Body=body)
        md5 = hashlib.md5(body).hexdigest()
        if bad_file_md5 == i:
            md5 = hashlib.md5(b"something else").hexdigest()
        files.append({"key": key, "size": len(body), "MD5checksum": md5})
    manifest = json.dumps({
        "sourceBucket": source_bucket,
        "destinationBucket": f"arn:aws:s3:::{inv_bucket}",
        "version": "2016-11-30",
        "creationTimestamp": "1741654800000",
        "fileFormat": "CSV",
        "fileSchema": ", ".join(schema),
        "files": files,
    }, indent=2).encode()
    s3.put_object(Bucket=inv_bucket, Key=f"{prefix}/{folder}/manifest.json", Body=manifest)
    if with_checksum:
        checksum = hashlib.md5(b"not the manifest" if bad_manifest_checksum else manifest).hexdigest()
        s3.put_object(Bucket=inv_bucket, Key=f"{prefix}/{folder}/manifest.checksum", Body=checksum.encode())


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
