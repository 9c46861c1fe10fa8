"""Shared helpers for the end-to-end tests of the s3tar binary.

The tests run against the throw-away servers that tests/servers/with-servers.sh starts; it
exports S3TAR_RGW_ENV and S3TAR_MOTO_ENV (paths of shell-sourceable env files). S3TAR_BIN is
the binary under test. A missing variable or file is a test FAILURE, never a skip: a suite that
silently skips everything would pass in CI without testing anything.

Each test case runs against both servers: a mixin class holds the tests and
`server_classes(Mixin, globals())` generates one unittest class per server (Mixin_rgw,
Mixin_moto) so a failure names the server it happened on. S3TAR_E2E_SERVERS (e.g. "rgw")
selects the servers of a pass that starts only some of them (the AWS-like passes).

A server's env file says how to reach it: S3_ENDPOINT, S3_ADDRESSING (path | virtual) and, for
HTTPS, AWS_CA_BUNDLE. The binary gets the same (--virtual-host when virtual; the AWS CLI has no
environment variable for the addressing style); the boto3 helpers always use path-style.
"""

import concurrent.futures
import hashlib
import io
import json
import os
import shlex
import subprocess
import tarfile
import tempfile
import threading
import time
import unittest
import uuid

import boto3
import botocore.config

ALL_SERVERS = ("rgw", "moto")


def selected_servers():
    """The servers this pass tests: S3TAR_E2E_SERVERS (comma-separated), default all."""
    names = [n.strip() for n in os.environ.get("S3TAR_E2E_SERVERS", "").split(",") if n.strip()]
    unknown = sorted(set(names) - set(ALL_SERVERS))
    if unknown:
        raise SetupError(f"S3TAR_E2E_SERVERS names unknown servers {unknown}")
    return tuple(names) or ALL_SERVERS
MiB = 1024 * 1024

# Exit codes (s3tar/exit_codes.h).
EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_BAD_INPUT = 3
EXIT_TRANSIENT = 5
EXIT_PARTIAL = 6


class SetupError(AssertionError):
    """The test environment is incomplete: reported as a failure, not a skip."""


SERVERS = selected_servers()


def binary():
    path = os.environ.get("S3TAR_BIN")
    if not path:
        raise SetupError("S3TAR_BIN is not set: point it at the built s3tar binary")
    if not os.access(path, os.X_OK):
        raise SetupError(f"S3TAR_BIN={path} is not an executable file")
    return path


def parse_env_file(path):
    """Parses `export K=V` lines (shell quoting allowed) into a dict."""
    values = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            for word in shlex.split(line):
                if word == "export" or "=" not in word:
                    continue
                k, v = word.split("=", 1)
                values[k] = v
    return values


_servers = {}
_servers_lock = threading.Lock()


def server(name):
    """The Server for 'rgw' or 'moto' (cached per process)."""
    with _servers_lock:
        if name not in _servers:
            var = f"S3TAR_{name.upper()}_ENV"
            path = os.environ.get(var)
            if not path:
                raise SetupError(f"{var} is not set: run the tests under tests/servers/with-servers.sh")
            if not os.path.isfile(path):
                raise SetupError(f"{var}={path} does not exist")
            env = parse_env_file(path)
            for k in ("S3_ENDPOINT", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
                if not env.get(k):
                    raise SetupError(f"{path} does not define {k}")
            _servers[name] = Server(name, env)
        return _servers[name]


def helper_client(env, endpoint, region):
    """A boto3 client for fixtures and checks: path-style on the server's endpoint, the test CA
    for HTTPS. Checksums only where required: botocore otherwise sends aws-chunked bodies with
    trailing checksums over HTTPS, which RGW 16 refuses (MissingContentLength)."""
    https = endpoint.startswith("https://")
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        region_name=region,
        verify=env.get("AWS_CA_BUNDLE") or True,
        config=botocore.config.Config(
            s3={"addressing_style": "path"},
            retries={"max_attempts": 3, "mode": "standard"},
            max_pool_connections=32,
            connect_timeout=10,
            read_timeout=120,
            request_checksum_calculation="when_required" if https else "when_supported",
            response_checksum_validation="when_required" if https else "when_supported",
        ),
    )


def clean_env(extra=None):
    """An environment for the binary with nothing from the caller's AWS setup."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    home = tempfile.gettempdir()
    env["AWS_CONFIG_FILE"] = os.path.join(home, "s3tar-e2e-no-such-config")
    env["AWS_SHARED_CREDENTIALS_FILE"] = os.path.join(home, "s3tar-e2e-no-such-credentials")
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    env.pop("S3TAR_LOG_FORMAT", None)
    if extra:
        env.update(extra)
    return env


def run_binary(args, env, timeout=300, cwd=None):
    """Runs s3tar; returns (rc, stdout, stderr) as text."""
    p = subprocess.run([binary(), *args], env=env, cwd=cwd, capture_output=True, timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def log_lines(stderr):
    """The JSON log records in stderr (non-JSON lines are returned as {'raw': line})."""
    out = []
    for line in stderr.splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            out.append(json.loads(line))
        except ValueError:
            out.append({"raw": line})
    return out


def error_lines(stderr):
    return [r for r in log_lines(stderr) if r.get("level") == "error" or "raw" in r]


class Server:
    def __init__(self, name, env):
        self.name = name
        self.env = env
        self.endpoint = env["S3_ENDPOINT"]
        self.region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1"
        self.addressing = env.get("S3_ADDRESSING", "path")
        if self.addressing not in ("path", "virtual"):
            raise SetupError(f"S3_ADDRESSING={self.addressing} is neither path nor virtual")
        self.ca_bundle = env.get("AWS_CA_BUNDLE")
        self.client = helper_client(env, self.endpoint, self.region)

    # ---- running the binary -----------------------------------------------------------

    def binary_env(self, **overrides):
        extra = {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": self.env["AWS_ACCESS_KEY_ID"],
            "AWS_SECRET_ACCESS_KEY": self.env["AWS_SECRET_ACCESS_KEY"],
            "AWS_REGION": self.region,
        }
        if self.ca_bundle:
            extra["AWS_CA_BUNDLE"] = self.ca_bundle
        extra.update({k: v for k, v in overrides.items() if v is not None})
        env = clean_env(extra)
        for k, v in overrides.items():
            if v is None:
                env.pop(k, None)
        return env

    def addressing_args(self, args):
        """args plus --virtual-host when this server is addressed virtual-hosted (unless the
        test chose an addressing style itself)."""
        args = list(args)
        # The daily job's commands take the addressing from their config (connection.path_style).
        if args and args[0] in ("run", "inventory", "find"):
            return args
        if self.addressing == "virtual" and not {"--path-style", "--virtual-host"} & set(args):
            args.append("--virtual-host")
        return args

    def run(self, *args, timeout=300, cwd=None, env=None):
        """Runs s3tar against this server; returns (rc, stdout, stderr)."""
        return run_binary(self.addressing_args(args), env or self.binary_env(), timeout=timeout, cwd=cwd)

    def popen(self, *args, env=None):
        return subprocess.Popen([binary(), *self.addressing_args(args)], env=env or self.binary_env(),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    # ---- buckets and objects ------------------------------------------------------------

    def new_bucket(self, prefix="e2e"):
        name = f"{prefix}-{uuid.uuid4().hex[:12]}".lower()[:63]
        self.client.create_bucket(Bucket=name)
        return name

    def put(self, bucket, key, data, **kw):
        return self.client.put_object(Bucket=bucket, Key=key, Body=data, **kw)

    def put_many(self, bucket, objects, workers=16):
        """objects: {key: bytes}. Uploads in parallel."""
        with concurrent.futures.ThreadPoolExecutor(workers) as pool:
            for f in [pool.submit(self.put, bucket, k, v) for k, v in objects.items()]:
                f.result()

    def get(self, bucket, key, **kw):
        return self.client.get_object(Bucket=bucket, Key=key, **kw)["Body"].read()

    def head(self, bucket, key):
        return self.client.head_object(Bucket=bucket, Key=key)

    def exists(self, bucket, key):
        try:
            self.head(bucket, key)
            return True
        except self.client.exceptions.ClientError as e:
            if e.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
                return False
            raise

    def keys(self, bucket, prefix=""):
        out = []
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            out.extend(o["Key"] for o in page.get("Contents", []))
        return out

    def open_uploads(self, bucket):
        r = self.client.list_multipart_uploads(Bucket=bucket)
        return [(u["Key"], u["UploadId"]) for u in r.get("Uploads", [])]

    def storage_class(self, bucket, key):
        return self.head(bucket, key).get("StorageClass", "STANDARD")


# ---- data and tar helpers ----------------------------------------------------------------


def data_for(key, size):
    """Deterministic, key-dependent bytes (so a misplaced member is detected)."""
    seed = hashlib.sha256(key.encode("utf-8")).digest()
    out = bytearray()
    block = seed * 128  # 4 KiB pattern
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(block[:64] + counter.to_bytes(8, "little")).digest() + block[: 4096 - 32]
        counter += 1
    return bytes(out[:size])


def member_name_for_key(key):
    """The member name s3tar stores for a key (s3tar/archive/tar/names.cpp): segments that a naive
    extractor would misuse are escaped; the TOC keeps the exact key."""
    out = []
    for seg in key.split("/"):
        if seg == "":
            out.append("%")
        elif seg == ".":
            out.append("%2E")
        elif seg == "..":
            out.append("%2E%2E")
        elif seg.startswith("%"):
            out.append(seg.replace("%", "%25"))
        else:
            out.append(seg)
    return "/".join(out)


def parse_toc(data):
    """Rows of a toc.csv: [(name, offset, size, etag)]."""
    import csv

    rows = []
    for r in csv.reader(io.StringIO(data.decode("utf-8"), newline="")):
        if not r:
            continue
        rows.append((r[0], int(r[1]), int(r[2]), r[3] if len(r) > 3 else ""))
    return rows


def tar_members(archive_bytes):
    """[(name, data_offset, size)] read with Python's tarfile."""
    with tarfile.open(fileobj=io.BytesIO(archive_bytes), mode="r:") as tf:
        return [(m.name, m.offset_data, m.size) for m in tf.getmembers()]


def md5(b):
    return hashlib.md5(b).hexdigest()


# ---- per-server test classes -------------------------------------------------------------


class ServerCase(unittest.TestCase):
    SERVER = None
    maxDiff = 4000

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.srv = server(cls.SERVER)
        binary()

    def assertRc(self, result, expected, what=""):
        rc, out, err = result
        if rc != expected:
            self.fail(f"{what}: exit {rc}, expected {expected}\nstdout:\n{out[-3000:]}\nstderr:\n{err[-5000:]}")


def server_classes(mixin, namespace, servers=ALL_SERVERS):
    """Creates one TestCase class per server from a mixin of tests, e.g. Interop_rgw, for the
    servers of this pass (S3TAR_E2E_SERVERS)."""
    for name in servers:
        if name not in SERVERS:
            continue
        cls_name = f"{mixin.__name__}_{name}"
        namespace[cls_name] = type(cls_name, (mixin, ServerCase), {"SERVER": name, "__module__": namespace["__name__"]})


class Timer:
    def __enter__(self):
        self.t0 = time.monotonic()
        return self

    def __exit__(self, *a):
        self.seconds = time.monotonic() - self.t0
