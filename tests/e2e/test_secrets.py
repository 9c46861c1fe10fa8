"""Secrets never reach the output: with -vvv, the secret key and session token appear neither
on stdout nor on stderr, whether the endpoint is unreachable, the server refuses the signature
(403; RGW only: moto does not check signatures) or the run succeeds."""

import socket
import unittest

import s3env

SECRET = "SeCrEtSeNtInEl0x5a5a5a5aDoNotLeakMe0123"
TOKEN = "ToKeNsEnTiNeL0x7b7b7b7bSessionTokenValue+/=="


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Secrets:
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.src = cls.srv.new_bucket("src")
        cls.dst = cls.srv.new_bucket("dst")
        cls.srv.put_many(cls.src, {f"s/{i}.txt": b"x" * (100 * i) for i in range(3)})

    def assert_no_secret(self, out, err, secrets):
        for s in secrets:
            for fragment in (s, s[:16], s[-16:]):
                self.assertNotIn(fragment, out, "secret on stdout")
                self.assertNotIn(fragment, err, "secret on stderr")

    def run_with(self, secret, token=None, endpoint=None, args=None):
        env = self.srv.binary_env(AWS_SECRET_ACCESS_KEY=secret, AWS_SESSION_TOKEN=token,
                                  AWS_ENDPOINT_URL=endpoint or self.srv.endpoint, AWS_MAX_ATTEMPTS="2")
        args = args or ["-cvvvf", f"s3://{self.dst}/a.tar", f"s3://{self.src}/s/"]
        return self.srv.run(*args, "-vvv", env=env, timeout=120)

    def test_unreachable_endpoint(self):
        rc, out, err = self.run_with(SECRET, TOKEN, endpoint=f"http://127.0.0.1:{free_port()}")
        self.assertEqual(rc, s3env.EXIT_TRANSIENT, err[-2000:])
        self.assertTrue(err.strip(), "the failure is reported")
        self.assert_no_secret(out, err, [SECRET, TOKEN])

    def test_verbose_listing_and_failure_paths(self):
        # -tf on a missing archive and verify on a missing archive fail; still no secret.
        for args in (["-tvvvf", f"s3://{self.dst}/nope.tar"], ["verify", "-f", f"s3://{self.dst}/nope.tar"]):
            with self.subTest(args=args):
                rc, out, err = self.run_with(self.srv.env["AWS_SECRET_ACCESS_KEY"], args=args)
                self.assertNotEqual(rc, 0)
                self.assert_no_secret(out, err, [self.srv.env["AWS_SECRET_ACCESS_KEY"]])

    def test_successful_run_at_trace_level(self):
        rc, out, err = self.run_with(self.srv.env["AWS_SECRET_ACCESS_KEY"])
        self.assertEqual(rc, 0, err[-3000:])
        self.assert_no_secret(out, err, [self.srv.env["AWS_SECRET_ACCESS_KEY"]])


class SecretsRgwOnly:
    """RGW checks SigV4 signatures (moto accepts any), so only RGW answers 403 to a wrong key."""

    def test_wrong_secret_403(self):
        src = self.srv.new_bucket("src")
        self.srv.put(src, "s/a.txt", b"hello")
        for token in (None, TOKEN):
            with self.subTest(session_token=bool(token)):
                env = self.srv.binary_env(AWS_SECRET_ACCESS_KEY=SECRET, AWS_SESSION_TOKEN=token, AWS_MAX_ATTEMPTS="2")
                rc, out, err = self.srv.run("-cvvvf", f"s3://{src}/a.tar", f"s3://{src}/s/", "-vvv", env=env,
                                            timeout=120)
                self.assertNotEqual(rc, 0, err[-2000:])
                self.assertEqual(rc, s3env.EXIT_USAGE, err[-2000:])  # a credentials problem: do not retry
                self.assertIn("403", err)
                secrets = [SECRET] + ([token] if token else [])
                for s in secrets:
                    for fragment in (s, s[:16], s[-16:]):
                        self.assertNotIn(fragment, out + err)


s3env.server_classes(Secrets, globals())
s3env.server_classes(SecretsRgwOnly, globals(), servers=("rgw",))

if __name__ == "__main__":
    unittest.main()
