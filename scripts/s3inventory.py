"""Writes S3 Inventory reports the way S3 delivers them: manifest.json, manifest.checksum and
gzip CSV data files (no header, every value quoted, keys form-encoded). Used by the demo and
the daily-job tests to give s3tar real reports for objects they created.
"""

import csv
import gzip
import hashlib
import io
import json
import urllib.parse
import uuid

CURRENT_SCHEMA = ["Bucket", "Key", "Size", "LastModifiedDate", "ETag", "StorageClass"]
VERSIONED_SCHEMA = [
    "Bucket", "Key", "VersionId", "IsLatest", "IsDeleteMarker", "Size", "LastModifiedDate", "ETag",
    "StorageClass", "IsMultipartUploaded", "EncryptionStatus",
]


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
