#!/usr/bin/env python3
"""Generate SigV4 known-answer vectors for the signer tests from botocore.

Every vector is signed by botocore's S3SigV4Auth with a fixed clock; the test feeds the same
request to our signer and requires the same canonical request and Authorization header.

Checks made here, before anything is written:
  * the AWS documentation examples come out of botocore with the published signatures, so the
    way botocore is driven here is sound;
  * the encoded path we derive from a key (every byte except A-Z a-z 0-9 - . _ ~ / is
    percent-encoded) equals what botocore's own S3 serializer puts on the wire for that key,
    so the paths signed below are the ones S3 sees.

Run from anywhere; it rewrites vectors.json next to this script. Needs botocore and boto3,
no network access.

    python3 tests/unit/sigv4/gen_vectors.py
"""

import datetime
import hashlib
import json
import os
import sys
from unittest import mock

import boto3
import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.utils import percent_encode

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "vectors.json")

AK = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
# A second key pair whose secret has characters that must not be mangled ('+', '/', '=').
AK2 = "ASIAZZZZEXAMPLE2ZZZZ"
SECRET2 = "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY+Z=="
TOKEN = (
    "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQDvEXAMPLE+token/with=padding"
    "AiBcZ2Z3dGVzdA==Zm9vYmFy+/="
)

UNRESERVED = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def uri_encode(s, encode_slash):
    """Our encoding rule, written out byte by byte (mirrors uri_encode in http_message.cpp)."""
    out = []
    for b in s.encode("utf-8"):
        if b in UNRESERVED or (b == ord("/") and not encode_slash):
            out.append(chr(b))
        else:
            out.append("%%%02X" % b)
    return "".join(out)


class CapturingAuth(botocore.auth.S3SigV4Auth):
    """S3SigV4Auth that remembers the canonical request and string to sign it produced."""

    def canonical_request(self, request):
        self.captured_cr = super().canonical_request(request)
        return self.captured_cr

    def string_to_sign(self, request, canonical_request):
        self.captured_sts = super().string_to_sign(request, canonical_request)
        return self.captured_sts


def check_aws_doc_examples():
    """The four header-auth examples of the S3 SigV4 documentation, computed by botocore."""
    empty = hashlib.sha256(b"").hexdigest()
    host = "examplebucket.s3.amazonaws.com"
    examples = [
        ("GET", "/test.txt", [], [("Range", "bytes=0-9"), ("x-amz-content-sha256", empty)],
         "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"),
        ("PUT", "/test%24file.text", [],
         [("Date", "Fri, 24 May 2013 00:00:00 GMT"), ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
          ("x-amz-content-sha256", hashlib.sha256(b"Welcome to Amazon S3.").hexdigest())],
         "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"),
        ("GET", "/", [("lifecycle", "")], [("x-amz-content-sha256", empty)],
         "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"),
        ("GET", "/", [("max-keys", "2"), ("prefix", "J")], [("x-amz-content-sha256", empty)],
         "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"),
    ]
    auth = botocore.auth.S3SigV4Auth(Credentials(AK, SECRET), "s3", "us-east-1")
    for method, path, query, headers, want in examples:
        req = AWSRequest(method=method, url="https://" + host + path, params=query)
        req.headers["Host"] = host
        for k, v in headers:
            req.headers[k] = v
        req.headers["x-amz-date"] = "20130524T000000Z"
        req.context["timestamp"] = "20130524T000000Z"
        # Called piecewise: add_auth would rewrite the Date header of the PUT example.
        cr = auth.canonical_request(req)
        got = auth.signature(auth.string_to_sign(req, cr), req)
        if got != want:
            sys.exit(f"botocore disagrees with the AWS documentation for {method} {path}: {got}")


class _Captured(Exception):
    pass


def wire_path(bucket, key):
    """The path botocore's real S3 client sends for GetObject(bucket, key), path-style."""
    client = boto3.client(
        "s3",
        endpoint_url="http://127.0.0.1:9000",
        region_name="us-east-1",
        aws_access_key_id=AK,
        aws_secret_access_key=SECRET,
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
    )
    seen = {}

    def before_send(request, **_):
        seen["url"] = request.url
        raise _Captured()

    client.meta.events.register("before-send.s3", before_send)
    try:
        client.get_object(Bucket=bucket, Key=key)
    except _Captured:
        pass
    url = seen["url"]
    path = url.split("://", 1)[1]
    path = path[path.index("/"):]
    return path.split("?", 1)[0]


def T(*args):
    return datetime.datetime(*args)


DEFAULT_TIME = T(2024, 3, 15, 12, 34, 56)
MINIO = "http://127.0.0.1:9000"

# name, method, style ('path' or 'virtual'), endpoint, bucket, key, query, headers, body, extras
# extras: region, time, creds ('plain', 'token', 'alt'), unsigned (UNSIGNED-PAYLOAD)
CASES = [
    dict(name="get_simple", method="GET", key="test.txt"),
    dict(name="key_spaces", method="GET", key="my folder/my file  name.txt"),
    dict(name="key_plus", method="GET", key="a+b/c+d+.txt"),
    dict(name="key_percent", method="GET", key="100%/50%25 off%2F.txt"),
    dict(name="key_equals_tilde", method="GET", key="k=v~x/a==b~/~user"),
    dict(name="key_unicode", method="GET", key="café/日本語/ファイル.txt"),
    dict(name="key_double_slash", method="GET", key="a//b///c//"),
    dict(name="key_dot_segments", method="GET", key="./a/../b/./c/.."),
    dict(name="key_only_dotdot", method="GET", key=".."),
    dict(name="key_leading_slash", method="GET", key="/leading/slash"),
    dict(name="key_reserved_ascii", method="GET", key="!\"#$&'()*,:;<>?@[\\]^`{|} end"),
    dict(name="key_tab_and_controls", method="GET", key="tab\there\x01\x7f"),
    dict(name="key_hidden_tilde", method="HEAD", key="~user/.hidden"),
    dict(name="virtual_get_range", method="GET", style="virtual", key="photos/2024/img 001.jpg",
         headers=[("Range", "bytes=0-9")], region="eu-west-1"),
    dict(name="virtual_double_slash", method="GET", style="virtual", key="/x//y/../z",
         region="eu-central-1"),
    dict(name="virtual_list_buckets", method="GET", style="service"),
    dict(name="get_object_version", method="GET", key="data/file.bin",
         query=[("versionId", "3/L4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY+MTRCxf3vjVBH40Nr8X8gdRQBpUMLUo")]),
    dict(name="delete_object", method="DELETE", key="to delete/€.txt"),
    dict(name="put_with_body", method="PUT", key="docs/readme.txt",
         headers=[("Content-Type", "text/plain; charset=utf-8"),
                  ("Content-MD5", "dMIdUkoC3ulZTMIgDg2mwQ=="),
                  ("x-amz-meta-Author", "  Jane   Q.  Public  "),
                  ("x-amz-storage-class", "STANDARD_IA"),
                  ("User-Agent", "s3tar/0.1"),
                  ("Expect", "100-continue")],
         body="Hello, S3!\nLine two: café 日本\n"),
    dict(name="put_empty_body", method="PUT", key="empty", body=""),
    dict(name="put_unsigned_payload", method="PUT", style="virtual", key="big/part.bin",
         headers=[("Content-Type", "application/octet-stream")], body="streamed, not hashed",
         unsigned=True, region="us-west-2"),
    dict(name="put_tagging_header", method="PUT", key="tagged",
         headers=[("x-amz-tagging", "k1=v1&k2=v%20x&k%2B3=%3D")], body="x"),
    dict(name="create_multipart_uploads", method="POST", key="mp/object name.tar",
         query=[("uploads", "")], headers=[("Content-Type", "application/x-tar")]),
    dict(name="upload_part", method="PUT", key="mp/object name.tar",
         query=[("partNumber", "3"), ("uploadId", "2~iCw.-_XYZ/abc+def==")], body="part three bytes"),
    dict(name="complete_multipart", method="POST", key="mp/object name.tar",
         query=[("uploadId", "2~iCw.-_XYZ/abc+def==")],
         headers=[("Content-Type", "application/xml")],
         body="<CompleteMultipartUpload><Part><PartNumber>1</PartNumber>"
              "<ETag>\"a54357aff0632cce46d942af68356b38\"</ETag></Part></CompleteMultipartUpload>"),
    dict(name="abort_multipart", method="DELETE", key="mp/object name.tar",
         query=[("uploadId", "2~iCw.-_XYZ/abc+def==")]),
    dict(name="list_parts", method="GET", key="mp/object name.tar",
         query=[("uploadId", "2~iCw.-_XYZ/abc+def=="), ("max-parts", "1000"), ("part-number-marker", "0")]),
    dict(name="get_tagging", method="GET", key="tagged", query=[("tagging", "")]),
    dict(name="put_tagging", method="PUT", key="tagged", query=[("tagging", "")],
         headers=[("Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg==")],
         body="<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>"),
    dict(name="list_v2_basic", method="GET", key=None,
         query=[("list-type", "2"), ("prefix", "logs/2024/"), ("delimiter", "/"), ("max-keys", "1000"),
                ("encoding-type", "url")]),
    dict(name="list_v2_token", method="GET", key=None,
         query=[("list-type", "2"), ("prefix", "a/b+c=d e"),
                ("continuation-token", "1/abc+DEF/ghi==+x/="), ("start-after", "a/b+c=d e/~z")]),
    dict(name="list_v2_unicode", method="GET", style="virtual", key=None,
         query=[("list-type", "2"), ("prefix", "日本/ *!'()é"), ("fetch-owner", "true")],
         region="ap-northeast-1"),
    dict(name="list_multipart_uploads", method="GET", key=None,
         query=[("uploads", ""), ("prefix", "mp/"), ("key-marker", "k+1"), ("upload-id-marker", "u=/")]),
    dict(name="get_bucket_location", method="GET", key=None, query=[("location", "")]),
    dict(name="delete_objects", method="POST", key=None, query=[("delete", "")],
         headers=[("Content-MD5", "cdmE6NfmV+EJqjGq7nN2Wg=="), ("Content-Type", "application/xml")],
         body="<Delete><Quiet>true</Quiet><Object><Key>a b</Key></Object></Delete>"),
    dict(name="copy_object", method="PUT", key="dest/copy of é.txt",
         headers=[("x-amz-copy-source",
                   "/src-bucket/" + percent_encode("path/with space/+=é.txt", safe="/~")
                   + "?versionId=" + percent_encode("3/L4kqtJl+cpXro=")),
                  ("x-amz-metadata-directive", "REPLACE"),
                  ("Content-Type", "text/plain")]),
    dict(name="upload_part_copy", method="PUT", key="dest/big.tar",
         query=[("partNumber", "10000"), ("uploadId", "VXBsb2FkIElE+/=")],
         headers=[("x-amz-copy-source", "/src-bucket/" + percent_encode("src dir/big.tar", safe="/~")),
                  ("x-amz-copy-source-range", "bytes=0-5242879"),
                  ("x-amz-copy-source-if-match", "\"9b2cf535f27731c974343645a3985328\"")]),
    dict(name="session_token", method="GET", key="secure/object", creds="token"),
    dict(name="session_token_put_virtual", method="PUT", style="virtual", key="t/o k", creds="token",
         body="with token", region="eu-west-1"),
    dict(name="alt_secret_plus_slash", method="GET", key="alt", creds="alt"),
    dict(name="header_whitespace_and_case", method="GET", key="hdr",
         headers=[("X-AMZ-META-Spaced", "\t lots   of \t spaces\t "),
                  ("x-Amz-Meta-Empty", ""),
                  ("CONTENT-TYPE", "  text/html  "),
                  ("rAnGe", "bytes=10-   19")]),
    dict(name="header_duplicates", method="GET", key="dup",
         headers=[("x-amz-meta-dup", "first"), ("X-Amz-Meta-Dup", "  second  value "),
                  ("x-amz-meta-a", "z")]),
    dict(name="leap_day_end", method="GET", key="time", time=T(2024, 2, 29, 23, 59, 59)),
    dict(name="far_future", method="GET", key="time", time=T(2099, 12, 31, 0, 0, 0), region="sa-east-1"),
    dict(name="https_custom_port", method="GET", endpoint="https://minio.internal:9443", key="p/q"),
    dict(name="http_default_port", method="GET", endpoint="http://s3.local", key="p/q"),
]


def build(case):
    style = case.get("style", "path")
    bucket = case.get("bucket", "examplebucket" if style == "virtual" else "my-bucket")
    key = case.get("key")
    region = case.get("region", "us-east-1")
    when = case.get("time", DEFAULT_TIME)
    if style == "path":
        base_url = case.get("endpoint", MINIO)
        path = "/" + bucket + ("/" + uri_encode(key, False) if key is not None else "")
    elif style == "virtual":
        base_url = f"https://{bucket}.s3.{region}.amazonaws.com"
        path = "/" + (uri_encode(key, False) if key is not None else "")
    else:  # service endpoint (ListBuckets)
        base_url = f"https://s3.{region}.amazonaws.com"
        path = "/"
    if key is not None:
        if uri_encode(key, False) != percent_encode(key, safe="/~"):
            sys.exit(f"{case['name']}: our path encoding differs from botocore's percent_encode")
        if style == "path" and wire_path(bucket, key) != path:
            sys.exit(f"{case['name']}: botocore's S3 client sends {wire_path(bucket, key)}, we {path}")

    creds_kind = case.get("creds", "plain")
    ak, secret, token = {"plain": (AK, SECRET, ""), "token": (AK2, SECRET2, TOKEN),
                         "alt": (AK2, SECRET2, "")}[creds_kind]

    headers = list(case.get("headers", []))
    if case.get("unsigned"):
        headers.append(("x-amz-content-sha256", "UNSIGNED-PAYLOAD"))
    body = case.get("body")
    query = case.get("query", [])

    req = AWSRequest(method=case["method"], url=base_url + path,
                     data=body.encode("utf-8") if body is not None else None, params=query)
    for k, v in headers:
        req.headers[k] = v  # HTTPHeaders appends, so repeated names stay repeated
    if case.get("unsigned"):
        req.context["client_config"] = Config(s3={"payload_signing_enabled": False})

    auth = CapturingAuth(Credentials(ak, secret, token or None), "s3", region)
    with mock.patch.object(botocore.auth, "get_current_datetime", lambda: when):
        auth.add_auth(req)

    authorization = req.headers["Authorization"]
    host = botocore.auth._host_from_url(req.url)
    cr = auth.captured_cr
    if cr.split("\n")[1] != path:
        sys.exit(f"{case['name']}: botocore signed path {cr.split(chr(10))[1]}, expected {path}")
    if secret in authorization:
        sys.exit(f"{case['name']}: secret in Authorization")
    epoch = int((when - datetime.datetime(1970, 1, 1)).total_seconds())
    signed = {k.lower(): req.headers[k] for k in ("X-Amz-Date", "X-Amz-Content-SHA256", "X-Amz-Security-Token")
              if k in req.headers}
    return {
        "name": case["name"],
        "method": case["method"],
        "base_url": base_url,
        "host": host,
        "bucket": bucket,
        "key": key,
        "encoded_path": path,
        "query": [list(p) for p in query],
        "headers": [list(h) for h in headers],
        "body": body,
        "access_key_id": ak,
        "secret_access_key": secret,
        "session_token": token,
        "region": region,
        "service": "s3",
        "epoch_seconds": epoch,
        "expected": {
            "amz_date": when.strftime("%Y%m%dT%H%M%SZ"),
            "canonical_request": cr,
            "string_to_sign": auth.captured_sts,
            "authorization": authorization,
            "added_headers": signed,
        },
    }


def main():
    check_aws_doc_examples()
    vectors = [build(c) for c in CASES]
    names = [v["name"] for v in vectors]
    if len(set(names)) != len(names):
        sys.exit("duplicate vector names")
    doc = {
        "comment": "Generated by gen_vectors.py from botocore " + botocore.__version__
                   + " (S3SigV4Auth, fixed clock). Do not edit by hand.",
        "vectors": vectors,
    }
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {len(vectors)} vectors to {os.path.basename(OUT)}")


if __name__ == "__main__":
    main()
