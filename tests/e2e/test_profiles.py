"""Profiles as the AWS CLI means them, end to end through the binary.

- An assume-role profile whose source profile holds the keys, against moto (which answers STS on
  the S3 endpoint): `-c` then `-t`, with a recording proxy between the binary and moto showing
  that AssumeRole was called with the profile's settings, signed by the source keys, and that
  the credentials it returned signed every S3 request.
- `--profile` precedence and "profile not found", against RGW (which checks signatures, so the
  keys that signed are the keys that worked): an explicit --profile or connection.profile beats
  keys in the environment, AWS_PROFILE does not (botocore's rule), a missing profile is exit 2.
"""

import json
import os
import tempfile
import unittest

import s3env
from recording_proxy import RecordingProxy

ROLE_ARN = "arn:aws:iam::123456789012:role/s3tar-archiver"
NOT_FOUND = "the config profile (nosuch) could not be found"


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


class ProfileFiles:
    """Temporary AWS config and credentials files."""

    def __init__(self, config, credentials):
        self.dir = tempfile.TemporaryDirectory()
        self.config = os.path.join(self.dir.name, "config")
        self.credentials = os.path.join(self.dir.name, "credentials")
        write(self.config, config)
        write(self.credentials, credentials)

    def env(self, **extra):
        e = {"AWS_CONFIG_FILE": self.config, "AWS_SHARED_CREDENTIALS_FILE": self.credentials}
        e.update(extra)
        return e


class AssumeRoleMoto(s3env.ServerCase):
    SERVER = "moto"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.src = cls.srv.new_bucket("src")
        cls.dst = cls.srv.new_bucket("dst")
        cls.objects = {f"p/{i}.bin": s3env.data_for(f"p/{i}", 1000 * (i + 1)) for i in range(4)}
        cls.srv.put_many(cls.src, cls.objects)
        keys = cls.srv.env
        cls.files = ProfileFiles(
            config=("[profile archiver]\n"
                    f"role_arn = {ROLE_ARN}\n"
                    "source_profile = base\n"
                    "role_session_name = s3tar-e2e\n"
                    "external_id = e2e-external-id\n"
                    "duration_seconds = 1800\n"
                    "region = us-east-1\n"),
            credentials=("[base]\n"
                         f"aws_access_key_id = {keys['AWS_ACCESS_KEY_ID']}\n"
                         f"aws_secret_access_key = {keys['AWS_SECRET_ACCESS_KEY']}\n"))

    @classmethod
    def tearDownClass(cls):
        cls.files.dir.cleanup()
        super().tearDownClass()

    def run_via(self, proxy, *args):
        # No keys in the environment: only the profile can provide them. AWS_ENDPOINT_URL is every
        # service's endpoint (botocore), so STS goes through the proxy to moto as well.
        env = s3env.clean_env(self.files.env(AWS_ENDPOINT_URL=proxy.url))
        return s3env.run_binary(list(args), env, timeout=180)

    def test_create_and_list_through_the_assumed_role(self):
        base_key = self.srv.env["AWS_ACCESS_KEY_ID"]
        archive = f"s3://{self.dst}/role/a.tar"
        with RecordingProxy(self.srv.endpoint) as proxy:
            self.assertRc(self.run_via(proxy, "-cvf", archive, f"s3://{self.src}/p/", "--profile", "archiver"), 0,
                          "create")
            created = proxy.snapshot()
            rc, out, err = self.run_via(proxy, "-tvf", archive, "--profile", "archiver")
            self.assertRc((rc, out, err), 0, "list")
            records = proxy.snapshot()

        sts = [r for r in records if r["service"] == "sts"]
        s3 = [r for r in records if r["service"] == "s3"]
        self.assertEqual(len(sts), 2, "one AssumeRole per run")
        issued = set()
        for call in sts:
            self.assertEqual(call["status"], 200)
            self.assertEqual(call["access_key"], base_key, "AssumeRole is signed with the source profile's key")
            self.assertEqual(call["region"], "us-east-1")
            self.assertEqual(call["form"]["Action"], "AssumeRole")
            self.assertEqual(call["form"]["RoleArn"], ROLE_ARN)
            self.assertEqual(call["form"]["RoleSessionName"], "s3tar-e2e")
            self.assertEqual(call["form"]["ExternalId"], "e2e-external-id")
            self.assertEqual(call["form"]["DurationSeconds"], "1800")
            self.assertTrue(call["issued_key"] and call["issued_key"] != base_key, call)
            issued.add(call["issued_key"])
        self.assertGreater(len([r for r in created if r["service"] == "s3"]), 3, "create made S3 requests")
        self.assertGreater(len(s3), len([r for r in created if r["service"] == "s3"]), "list made S3 requests")
        for r in s3:
            self.assertIn(r["access_key"], issued, f"{r['method']} {r['path']} not signed by the role")
            self.assertTrue(r["session_token"], f"{r['method']} {r['path']} without the session token")
        # Each run signs its S3 requests with the credentials of its own AssumeRole, issued before them.
        first_s3 = next(i for i, r in enumerate(created) if r["service"] == "s3")
        self.assertEqual(created[0]["service"], "sts")
        self.assertTrue(all(r["access_key"] == sts[0]["issued_key"] for r in created[first_s3:]))

        # The archive is complete and the listing shows every member.
        body = self.srv.get(self.dst, "role/a.tar")
        members = {name: size for name, _, size in s3env.tar_members(body) if name != "toc.csv"}
        self.assertEqual(members, {k: len(v) for k, v in self.objects.items()})
        for key in self.objects:
            self.assertIn(key, out)

    def test_without_the_profile_nothing_signs(self):
        # Control: the same environment without --profile has no credentials at all (exit 2),
        # so the run above can only have used the assumed role.
        with RecordingProxy(self.srv.endpoint) as proxy:
            rc, out, err = self.run_via(proxy, "-tf", f"s3://{self.dst}/role/none.tar")
            self.assertEqual(rc, s3env.EXIT_USAGE, err[-2000:])
            self.assertIn("no AWS credentials found", err)
            self.assertEqual(proxy.snapshot(), [])


class ProfilePrecedenceRgw(s3env.ServerCase):
    SERVER = "rgw"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.src = cls.srv.new_bucket("src")
        cls.dst = cls.srv.new_bucket("dst")
        cls.srv.put_many(cls.src, {"q/a.txt": b"a" * 100, "q/b.txt": b"b" * 200})
        keys = cls.srv.env
        cls.files = ProfileFiles(
            config="[profile good]\nregion = us-east-1\n",
            credentials=("[good]\n"
                         f"aws_access_key_id = {keys['AWS_ACCESS_KEY_ID']}\n"
                         f"aws_secret_access_key = {keys['AWS_SECRET_ACCESS_KEY']}\n"))

    @classmethod
    def tearDownClass(cls):
        cls.files.dir.cleanup()
        super().tearDownClass()

    def env(self, env_keys="wrong", **extra):
        """The server's endpoint, the profile files, and keys in the environment: "wrong" ones
        (RGW refuses them), the server's "right" ones, or none."""
        overrides = dict(self.files.env(**extra), AWS_MAX_ATTEMPTS="2")
        if env_keys == "wrong":
            overrides.update(AWS_ACCESS_KEY_ID="AKIDWRONGWRONGWRONG1", AWS_SECRET_ACCESS_KEY="wrong-secret-key")
        elif env_keys is None:
            overrides.update(AWS_ACCESS_KEY_ID=None, AWS_SECRET_ACCESS_KEY=None)
        return self.srv.binary_env(**overrides)

    def create(self, key, *flags, env):
        return self.srv.run("-cf", f"s3://{self.dst}/{key}", f"s3://{self.src}/q/", *flags, env=env, timeout=120)

    def test_explicit_profile_beats_environment_keys(self):
        self.assertRc(self.create("explicit.tar", "--profile", "good", env=self.env()), 0, "--profile good")
        self.assertTrue(self.srv.exists(self.dst, "explicit.tar"))
        # Control: the environment's keys alone are refused (a configuration error, exit 2).
        rc, _, err = self.create("envkeys.tar", env=self.env())
        self.assertEqual(rc, s3env.EXIT_USAGE, err[-2000:])
        self.assertIn("403", err)

    def test_aws_profile_does_not_beat_environment_keys(self):
        # botocore keeps environment keys first when the profile comes from AWS_PROFILE.
        rc, _, err = self.create("awsprofile.tar", env=self.env(AWS_PROFILE="good"))
        self.assertEqual(rc, s3env.EXIT_USAGE, err[-2000:])
        self.assertIn("403", err)
        self.assertRc(self.create("awsprofile.tar", env=self.env(env_keys=None, AWS_PROFILE="good")), 0,
                      "AWS_PROFILE alone")

    def test_profile_not_found_is_exit_2(self):
        cases = {
            "--profile": (["--profile", "nosuch"], {}),
            "AWS_PROFILE": ([], {"AWS_PROFILE": "nosuch"}),
            "AWS_DEFAULT_PROFILE": ([], {"AWS_DEFAULT_PROFILE": "nosuch"}),
        }
        for what, (flags, extra) in cases.items():
            with self.subTest(what):
                # Valid keys in the environment do not make a missing profile acceptable.
                rc, out, err = self.create("missing.tar", *flags, env=self.env(env_keys="right", **extra))
                self.assertEqual(rc, s3env.EXIT_USAGE, err[-2000:])
                self.assertIn(NOT_FOUND, err)
                self.assertEqual(len([l for l in err.splitlines() if NOT_FOUND in l]), 1, err)
        self.assertFalse(self.srv.exists(self.dst, "missing.tar"))
        self.assertEqual(self.srv.open_uploads(self.dst), [])

    def test_job_config_profile(self):
        # connection.profile in the daily job's config is an explicit choice, like --profile.
        inv = self.srv.new_bucket("inv")
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)

        def job(profile):
            path = os.path.join(tmp.name, f"{profile or 'none'}.json")
            connection = {"endpoint_url": self.srv.endpoint, "region": "us-east-1"}
            if profile:
                connection["profile"] = profile
            write(path, json.dumps({
                "inventory": f"s3://{inv}/{self.src}/daily/",
                "destination": {"bucket": self.dst, "prefix": "job"},
                "connection": connection,
            }))
            return path

        # No inventory report is there. With the profile's keys the job can say so, which it can
        # only know after RGW answered the listing; with the environment's keys RGW refuses it.
        no_report = "no report folders"
        rc, _, err = self.srv.run("inventory", "--config", job("good"), "--date", "2025-03-10",
                                  env=self.env(AWS_ENDPOINT_URL=None), timeout=120)
        self.assertEqual(rc, s3env.EXIT_USAGE, err[-2000:])
        self.assertIn(no_report, err)
        self.assertNotIn("403", err)
        rc, _, err = self.srv.run("inventory", "--config", job(None), "--date", "2025-03-10",
                                  env=self.env(AWS_ENDPOINT_URL=None), timeout=120)
        self.assertEqual(rc, s3env.EXIT_USAGE, err[-2000:])
        self.assertIn("403", err)
        self.assertNotIn(no_report, err)
        rc, _, err = self.srv.run("inventory", "--config", job("nosuch"), "--date", "2025-03-10",
                                  env=self.env(env_keys="right", AWS_ENDPOINT_URL=None), timeout=120)
        self.assertEqual(rc, s3env.EXIT_USAGE, err[-2000:])
        self.assertIn(NOT_FOUND, err)


# Each class runs against one server; a pass without that server has no such class, as
# s3env.server_classes does for the other modules (the AWS-like passes run RGW alone).
if "moto" not in s3env.SERVERS:
    del AssumeRoleMoto
if "rgw" not in s3env.SERVERS:
    del ProfilePrecedenceRgw

if __name__ == "__main__":
    unittest.main()
