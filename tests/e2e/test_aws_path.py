"""The AWS path against RGW's TLS endpoint (tests/servers/rgw.sh): HTTPS verified against the
test CA, virtual-hosted bucket names (https://BUCKET.s3.localhost:PORT/KEY), awkward keys,
bucket names with dots, certificate problems, --no-verify-ssl, and HTTPS CONNECT proxies
(tinyproxy, tests/servers/proxy.sh): one that works, one that refuses, one that wants
credentials, one that is down, and NO_PROXY around it.

RGW only (moto serves no TLS with our CA). Runs in every pass: the plain pass reaches the TLS
endpoint from the env file's S3_TLS_* variables; in the proxied pass HTTPS_PROXY is already set,
and the tests that need their own proxy (or none) say so.
"""

import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import unittest
import uuid

import s3env
from s3env import EXIT_OK, EXIT_TRANSIENT, EXIT_USAGE, MiB, data_for, error_lines, log_lines

HERE = os.path.dirname(os.path.abspath(__file__))
PROXY_SH = os.path.join(HERE, "..", "servers", "proxy.sh")

# Keys S3 treats as opaque bytes; '%' is safe on RGW here: small objects are read with GET and
# the extraction copies out of the archive (RGW decodes only UploadPartCopy sources twice).
SMALL_KEYS = [
    "aws/with space.txt",
    "aws/plus+sign.txt",
    "aws/percent%41 100%.txt",
    "aws/equals=sign&amp.txt",
    "aws/\u00fcn\u00efc\u00f8d\u00e9 \u65e5\u672c.txt",
    "aws//double//slash.txt",
]
# Over 5 MiB: copied into the archive with UploadPartCopy, so no '%' in its key.
LARGE_KEY = "aws/large + \u00e9//=x.bin"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Proxy:
    """A tinyproxy of our own (tests/servers/proxy.sh), stopped by close()."""

    def __init__(self, **knobs):
        self.dir = tempfile.mkdtemp(prefix="s3tar-e2e-proxy-")
        env = {**os.environ, **knobs}
        p = subprocess.run([PROXY_SH, "start", self.dir], env=env, capture_output=True, timeout=60)
        if p.returncode != 0:
            raise s3env.SetupError(f"proxy.sh start failed: {p.stderr.decode(errors='replace')}")
        self.url = p.stdout.decode().strip()
        self.log = os.path.join(self.dir, "tinyproxy.log")

    def connects(self):
        with open(self.log, encoding="utf-8", errors="replace") as f:
            return [line.split("): CONNECT ", 1)[1].split()[0] for line in f if "): CONNECT " in line]

    def close(self):
        subprocess.run([PROXY_SH, "stop", self.dir, "--clean"], capture_output=True, timeout=60)
        shutil.rmtree(self.dir, ignore_errors=True)


class TlsServer:
    """A TLS listener on 127.0.0.1 that presents cert/key and closes after the handshake: enough
    for a client to judge the certificate (used for the expired one, which RGW does not serve)."""

    def __init__(self, cert, key):
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(cert, key)
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.handshakes = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.handshakes += 1
            try:
                with self.ctx.wrap_socket(conn, server_side=True):
                    pass
            except (ssl.SSLError, OSError):
                pass

    def close(self):
        self.sock.close()


class AwsPath:
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.srv.env
        for k in ("S3_TLS_ENDPOINT", "S3_TLS_CA", "S3_TLS_DIR"):
            if not env.get(k):
                raise s3env.SetupError(f"the RGW env file does not define {k} (rgw.sh too old?)")
        cls.tls_endpoint = env["S3_TLS_ENDPOINT"]  # https://s3.localhost:PORT
        cls.tls_port = int(cls.tls_endpoint.rsplit(":", 1)[1])
        cls.ca = env["S3_TLS_CA"]
        cls.pki = env["S3_TLS_DIR"]
        cls.bucket = cls.srv.new_bucket("aws")
        cls.objects = {k: data_for(k, 100 + i * 37) for i, k in enumerate(SMALL_KEYS)}
        cls.objects[LARGE_KEY] = data_for(LARGE_KEY, 5 * MiB + 4321)
        cls.srv.put_many(cls.bucket, cls.objects)
        cls.tmp = tempfile.TemporaryDirectory(prefix="s3tar-e2e-aws-")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()
        super().tearDownClass()

    def tls(self, *args, endpoint=None, ca="default", **env):
        """Runs the binary against the TLS endpoint; ca=None leaves AWS_CA_BUNDLE unset."""
        overrides = {"AWS_ENDPOINT_URL": endpoint or self.tls_endpoint,
                     "AWS_CA_BUNDLE": self.ca if ca == "default" else ca, "AWS_MAX_ATTEMPTS": "3"}
        overrides.update(env)
        return s3env.run_binary(list(args), self.srv.binary_env(**overrides), timeout=120)

    def error_text(self, result):
        return "\n".join(r.get("msg", r.get("raw", "")) for r in error_lines(result[2]))

    def assert_fails_fast(self, result, expected_rc, *fragments, seconds=None):
        self.assertRc(result, expected_rc, "expected a failure")
        text = self.error_text(result)
        for f in fragments:
            self.assertIn(f, text)
        if seconds is not None:
            self.assertLess(seconds, 10, "a certificate problem is not retried with back-off")
            self.assertNotIn("attempts", text, "a certificate problem is not retried")

    # ---- virtual-hosted addressing over TLS ---------------------------------------------------

    def test_virtual_hosted_create_list_extract_with_awkward_keys(self):
        archive = f"s3://{self.bucket}/out/vhost.tar"
        self.assertRc(self.tls("-cvf", archive, f"s3://{self.bucket}/aws/", "--virtual-host"), EXIT_OK, "create")
        rc, out, err = self.tls("-tf", archive, "--virtual-host")
        self.assertRc((rc, out, err), EXIT_OK, "list")
        self.assertEqual(sorted(out.splitlines()), sorted(self.objects))
        self.assertRc(self.tls("-xvf", archive, "-C", f"s3://{self.bucket}/restored/", "--virtual-host"),
                      EXIT_OK, "extract to S3")
        for key, data in self.objects.items():
            self.assertEqual(self.srv.get(self.bucket, "restored/" + key), data, key)

    def test_bucket_name_with_dots_goes_path_style_under_tls(self):
        # The AWS CLI sends a dotted bucket path-style over HTTPS: a virtual-hosted request to
        # a.b.s3.localhost would fail the *.s3.localhost certificate check.
        dotted = f"aws.dots.{uuid.uuid4().hex[:10]}"
        self.srv.client.create_bucket(Bucket=dotted)
        self.srv.put_many(dotted, {"in/" + k: v for k, v in self.objects.items()})
        archive = f"s3://{dotted}/out/dots.tar"
        self.assertRc(self.tls("-cvf", archive, f"s3://{dotted}/in/", "--virtual-host"), EXIT_OK, "create")
        self.assertRc(self.tls("verify", "-f", archive, "--virtual-host"), EXIT_OK, "verify")

    def test_virtual_host_on_an_ip_endpoint_is_path_style(self):
        # As the AWS CLI: an IP address has no bucket subdomains (the certificate names 127.0.0.1).
        endpoint = f"https://127.0.0.1:{self.tls_port}"
        archive = f"s3://{self.bucket}/out/ip.tar"
        self.assertRc(self.tls("-cvf", archive, f"s3://{self.bucket}/aws/with", "--virtual-host", endpoint=endpoint),
                      EXIT_OK, "create on an IP endpoint")

    # ---- certificate problems -------------------------------------------------------------------

    def test_unknown_ca_is_exit_2_naming_the_endpoint(self):
        t0 = time.monotonic()
        result = self.tls("-tf", f"s3://{self.bucket}/none.tar", ca=os.path.join(self.pki, "other-ca.pem"))
        self.assert_fails_fast(result, EXIT_USAGE, "TLS certificate of https://s3.localhost:", "not accepted",
                               "unable to get local issuer certificate", seconds=time.monotonic() - t0)
        # The system's CAs do not know the test CA either.
        self.assert_fails_fast(self.tls("-tf", f"s3://{self.bucket}/none.tar", ca=None), EXIT_USAGE,
                               f"TLS certificate of {self.tls_endpoint} not accepted")

    def test_wrong_host_name_is_exit_2(self):
        # The certificate names s3.localhost, *.s3.localhost and 127.0.0.1, not localhost.
        endpoint = f"https://localhost:{self.tls_port}"
        t0 = time.monotonic()
        result = self.tls("-tf", f"s3://{self.bucket}/none.tar", endpoint=endpoint)
        self.assert_fails_fast(result, EXIT_USAGE, f"TLS certificate of {endpoint} not accepted",
                               "no alternative certificate subject name matches", seconds=time.monotonic() - t0)

    def test_expired_certificate_is_exit_2(self):
        server = TlsServer(os.path.join(self.pki, "expired.pem"), os.path.join(self.pki, "expired.key"))
        try:
            endpoint = f"https://s3.localhost:{server.port}"
            t0 = time.monotonic()
            result = self.tls("-tf", f"s3://{self.bucket}/none.tar", endpoint=endpoint)
            self.assert_fails_fast(result, EXIT_USAGE, f"TLS certificate of {endpoint} not accepted",
                                   "certificate has expired", seconds=time.monotonic() - t0)
            self.assertGreater(server.handshakes, 0)
        finally:
            server.close()

    def test_no_verify_ssl_connects_and_warns_once(self):
        archive = f"s3://{self.bucket}/out/noverify.tar"
        rc, out, err = self.tls("-cvf", archive, f"s3://{self.bucket}/aws/", "--no-verify-ssl",
                                ca=os.path.join(self.pki, "other-ca.pem"))
        self.assertRc((rc, out, err), EXIT_OK, "create with --no-verify-ssl")
        warnings = [r for r in log_lines(err) if r.get("event") == "tls.no_verify"]
        self.assertEqual(len(warnings), 1, err[-3000:])
        self.assertEqual(warnings[0].get("level"), "warn")

    # ---- proxies -----------------------------------------------------------------------------

    def test_through_a_proxy_with_virtual_hosted_names(self):
        proxy = Proxy()
        try:
            archive = f"s3://{self.bucket}/out/proxied.tar"
            result = self.tls("-cvf", archive, f"s3://{self.bucket}/aws/", "--virtual-host",
                              HTTPS_PROXY=proxy.url, NO_PROXY=None, no_proxy=None, https_proxy=None)
            self.assertRc(result, EXIT_OK, "create through the proxy")
            self.assertIn(f"{self.bucket}.s3.localhost:{self.tls_port}", proxy.connects())
        finally:
            proxy.close()

    def test_config_file_addressing_style_chooses_the_host(self):
        # The profile's `s3 = addressing_style` decides the host without any flag: the proxy's
        # CONNECT lines show which host each run asked for.
        for style, host in (("virtual", f"{self.bucket}.s3.localhost:{self.tls_port}"),
                            ("path", f"s3.localhost:{self.tls_port}")):
            with self.subTest(style=style):
                config = os.path.join(self.tmp.name, f"config-{style}")
                with open(config, "w", encoding="utf-8") as f:
                    f.write(f"[default]\ns3 =\n    addressing_style = {style}\n")
                proxy = Proxy()
                try:
                    result = self.tls("-tf", f"s3://{self.bucket}/out/none-{style}.tar", AWS_CONFIG_FILE=config,
                                      HTTPS_PROXY=proxy.url, NO_PROXY=None, no_proxy=None, https_proxy=None)
                    self.assertRc(result, s3env.EXIT_BAD_INPUT, "a missing archive, reached through the proxy")
                    self.assertEqual(set(proxy.connects()), {host})
                finally:
                    proxy.close()

    def test_no_proxy_bypasses_the_proxy(self):
        proxy = Proxy()
        try:
            result = self.tls("-tf", f"s3://{self.bucket}/out/none.tar", "--virtual-host", HTTPS_PROXY=proxy.url,
                              NO_PROXY="s3.localhost", no_proxy=None, https_proxy=None)
            self.assertRc(result, s3env.EXIT_BAD_INPUT, "a missing archive, reached directly")
            self.assertEqual(proxy.connects(), [], "NO_PROXY=s3.localhost covers BUCKET.s3.localhost")
        finally:
            proxy.close()

    def test_proxy_that_refuses_the_tunnel_is_exit_2(self):
        proxy = Proxy(PROXY_CONNECT_PORTS="443")  # CONNECT to the test port: 403
        try:
            result = self.tls("-tf", f"s3://{self.bucket}/none.tar", HTTPS_PROXY=proxy.url, NO_PROXY=None,
                              no_proxy=None, https_proxy=None)
            self.assert_fails_fast(result, EXIT_USAGE, f"proxy {proxy.url} refused the tunnel", "HTTP 403")
        finally:
            proxy.close()

    def test_proxy_credentials_refused_is_exit_2_without_the_credentials(self):
        proxy = Proxy(PROXY_BASIC_AUTH="alice s3cretProxyPw")
        try:
            hostport = proxy.url.split("://", 1)[1]
            result = self.tls("-tf", f"s3://{self.bucket}/none.tar", HTTPS_PROXY=f"http://alice:WrongProxyPw@{hostport}",
                              NO_PROXY=None, no_proxy=None, https_proxy=None)
            self.assert_fails_fast(result, EXIT_USAGE, f"proxy {proxy.url} refused the tunnel",
                                   "proxy credentials missing or wrong")
            for out in result[1:]:
                self.assertNotIn("WrongProxyPw", out)
                self.assertNotIn("alice:", out)
            # With the right credentials the same proxy lets us through.
            ok = self.tls("-cvf", f"s3://{self.bucket}/out/auth.tar", f"s3://{self.bucket}/aws/with",
                          HTTPS_PROXY=f"http://alice:s3cretProxyPw@{hostport}", NO_PROXY=None, no_proxy=None,
                          https_proxy=None)
            self.assertRc(ok, EXIT_OK, "create through the proxy with credentials")
            self.assertNotIn("s3cretProxyPw", ok[1] + ok[2])
        finally:
            proxy.close()

    def test_proxy_that_is_down_is_exit_5_naming_it(self):
        proxy_url = f"http://127.0.0.1:{free_port()}"
        result = self.tls("-tf", f"s3://{self.bucket}/none.tar", HTTPS_PROXY=proxy_url, NO_PROXY=None,
                          no_proxy=None, https_proxy=None, AWS_MAX_ATTEMPTS="2")
        self.assertRc(result, EXIT_TRANSIENT, "proxy down")
        self.assertIn(f"cannot reach proxy {proxy_url}", self.error_text(result))


s3env.server_classes(AwsPath, globals(), servers=("rgw",))

if __name__ == "__main__":
    unittest.main()
