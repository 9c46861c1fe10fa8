"""A bucket in another region than the configured one, end to end through the binary.

No local server answers like AWS does to a request signed for the wrong region, so a recording
proxy in front of RGW and of moto plays that part (tests/e2e/recording_proxy.py): it claims the source and
destination buckets live in other regions and answers requests signed for any other region the
way S3 does (301 PermanentRedirect with x-amz-bucket-region, 400 AuthorizationHeaderMalformed
naming the region, a bodiless 301 to a HEAD). The binary must retry each such request once for
the right region, remember the bucket's region for the following requests, say so at -v, and
produce the same archive as without the detour.
"""

import unittest

import s3env
from recording_proxy import RecordingProxy

REDIRECT_EVENT = "s3.region_redirect"


class WrongRegion:
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.src = cls.srv.new_bucket("src")
        cls.dst = cls.srv.new_bucket("dst")
        cls.objects = {f"w/{i}.bin": s3env.data_for(f"w/{i}", 1500 * (i + 1)) for i in range(5)}
        cls.srv.put_many(cls.src, cls.objects)

    def run_via(self, proxy, *args):
        env = self.srv.binary_env(AWS_ENDPOINT_URL=proxy.url, AWS_REGION="us-east-1", AWS_MAX_ATTEMPTS="1")
        return s3env.run_binary(list(args), env, timeout=180)

    def redirects_logged(self, err):
        return [r for r in s3env.log_lines(err) if r.get("event") == REDIRECT_EVENT]

    def check_bucket_traffic(self, records, bucket, region):
        """The first request to the bucket was refused for its region, retried once for the right
        region, and every later request was signed for the right region from the start."""
        mine = [r for r in records if r["path"].lstrip("/").split("/", 1)[0].split("?")[0] == bucket]
        self.assertTrue(mine, f"no request for {bucket}")
        refused = [i for i, r in enumerate(mine) if r["wrong_region"]]
        self.assertEqual(len(refused), 1, f"{bucket}: {[(r['method'], r['region']) for r in mine]}")
        self.assertEqual(mine[refused[0]]["region"], "us-east-1")
        self.assertEqual(mine[refused[0] + 1]["method"], mine[refused[0]]["method"])
        for r in mine[refused[0] + 1:]:
            self.assertEqual(r["region"], region, f"{r['method']} {r['path']}")
            self.assertFalse(r["wrong_region"])

    def test_permanent_redirect_and_malformed_authorization(self):
        regions = {self.src: "eu-west-1", self.dst: "ap-southeast-2"}
        for answer in ("redirect", "malformed"):
            with self.subTest(answer=answer):
                archive = f"s3://{self.dst}/{answer}/a.tar"
                with RecordingProxy(self.srv.endpoint, bucket_regions=regions, wrong_region_answer=answer,
                                    ca_bundle=self.srv.ca_bundle) as proxy:
                    rc, out, err = self.run_via(proxy, "-cvf", archive, f"s3://{self.src}/w/")
                    self.assertRc((rc, out, err), 0, "create")
                    created = proxy.snapshot()
                    rc, out, err_list = self.run_via(proxy, "-tvf", archive)
                    self.assertRc((rc, out, err_list), 0, "list")
                for bucket, region in regions.items():
                    self.check_bucket_traffic(created, bucket, region)
                    logged = [r for r in self.redirects_logged(err) if r.get("bucket") == bucket]
                    self.assertEqual(len(logged), 1, err[-3000:])
                    self.assertEqual(logged[0].get("region"), region)
                    self.assertIn(region, logged[0].get("msg", ""))
                self.assertEqual(len(self.redirects_logged(err_list)), 1, err_list[-3000:])  # only dst is read
                body = self.srv.get(self.dst, f"{answer}/a.tar")
                members = {name: size for name, _, size in s3env.tar_members(body) if name != "toc.csv"}
                self.assertEqual(members, {k: len(v) for k, v in self.objects.items()})
                for key in self.objects:
                    self.assertIn(key, out)

    def test_redirect_is_quiet_without_v(self):
        regions = {self.src: "eu-west-1", self.dst: "eu-west-1"}
        with RecordingProxy(self.srv.endpoint, bucket_regions=regions, ca_bundle=self.srv.ca_bundle) as proxy:
            rc, out, err = self.run_via(proxy, "-cf", f"s3://{self.dst}/quiet/a.tar", f"s3://{self.src}/w/")
            self.assertRc((rc, out, err), 0, "create")
        self.assertEqual(self.redirects_logged(err), [])

    def test_a_second_wrong_region_answer_is_not_followed(self):
        # The proxy claims another region than the one it redirected to after the first retry:
        # the client follows one redirect per request and then reports the error (exit 2).
        class Fickle(RecordingProxy):
            def wrong_region(self, method, path, headers):
                answer = super().wrong_region(method, path, headers)
                if answer is None and self.bucket_regions:
                    self.bucket_regions = {b: "sa-east-1" for b in self.bucket_regions}
                    answer = super().wrong_region(method, path, headers)
                return answer

        with Fickle(self.srv.endpoint, bucket_regions={self.dst: "eu-west-1"}, ca_bundle=self.srv.ca_bundle) as proxy:
            rc, out, err = self.run_via(proxy, "-tf", f"s3://{self.dst}/nothing.tar")
            records = proxy.snapshot()
        self.assertEqual(rc, s3env.EXIT_USAGE, err[-3000:])
        self.assertEqual([r["region"] for r in records], ["us-east-1", "eu-west-1"])


s3env.server_classes(WrongRegion, globals())

if __name__ == "__main__":
    unittest.main()
