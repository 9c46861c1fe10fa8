"""Sources deleted after the inventory was taken (the daily job's everyday case) cost one request
each, not a rewrite of their volume each: 20 vanished of 300 once made 20 rewrites, each reading
the whole volume again. RGW, like the other daily-job tests."""

import concurrent.futures
import json
import os
import tempfile
import unittest

import daily_inventory as di
from test_daily_job import DAY, ON_DAY, REPORT_FOLDER, data


class VanishedSourcesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.env = di.rgw_env()
        di.binary()
        cls.s3 = di.s3_client(cls.env)
        cls.tmp = tempfile.TemporaryDirectory()

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_vanished_sources_are_skipped_without_rewriting_their_volume(self):
        src, inv, dst = di.bucket_name("vsrc"), di.bucket_name("vinv"), di.bucket_name("vdst")
        for b in (src, inv, dst):
            self.s3.create_bucket(Bucket=b)
        n, size = 300, 32 * 1024  # one volume of about 10 MiB: a multipart upload
        keys = [f"logs/{i:04d}.log" for i in range(n)]
        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            puts = {k: pool.submit(self.s3.put_object, Bucket=src, Key=k, Body=data(k, size)) for k in keys}
            rows = [di.Row(src, k, size, ON_DAY, puts[k].result()["ETag"].strip('"')) for k in keys]
        di.write_report(self.s3, inv, f"{src}/cfg", src, REPORT_FOLDER, rows, n_files=2)
        vanished = keys[7::15]  # 20, spread over the volume
        self.assertEqual(len(vanished), 20)
        for k in vanished:
            self.s3.delete_object(Bucket=src, Key=k)

        cfg = os.path.join(self.tmp.name, "vanished.json")
        di.write_config(cfg, inventory=f"s3://{inv}/{src}/cfg/", destination={"bucket": dst, "prefix": "arch"},
                        storage_class="GLACIER",
                        connection={"endpoint_url": self.env["S3_ENDPOINT"], "region": "us-east-1"})
        rc, out, err = di.run(["run", "--config", cfg, "--date", DAY], di.binary_env(self.env))
        self.assertEqual(rc, di.EXIT_PARTIAL, err[-4000:])

        report = json.loads(
            self.s3.get_object(Bucket=dst, Key="arch/_reports/2025/03/10/run-report.json")["Body"].read())
        self.assertEqual(report["skipped"]["by_reason"], {"missing": 20})
        self.assertEqual(report["archived"]["objects"], n - 20)
        self.assertEqual(report["volumes"]["planned"], 1)
        requests = report["requests"]
        # The volume is written once; each object is read once; each vanished one costs at most
        # two requests (the listing confirms the rest).
        self.assertEqual(requests.get("CreateMultipartUpload"), 1, requests)
        self.assertEqual(requests.get("AbortMultipartUpload", 0), 0, requests)
        self.assertLessEqual(requests.get("GetObject", 0), 1.1 * n + 2 * 20, requests)
        csv_text = self.s3.get_object(Bucket=dst, Key="arch/_reports/2025/03/10/not-archived.csv")["Body"].read()
        for k in vanished:
            self.assertIn(k.encode(), csv_text)


if __name__ == "__main__":
    unittest.main()
