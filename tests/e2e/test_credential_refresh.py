"""A credential_process that takes 5 s to answer a refresh does not stall the transfers in flight:
credentials are reloaded off the HTTP event loop (ARCHITECTURE.md, "The event loop does
transfers only"). Through the binary, against RGW and moto.

The profile's credential_process is a small script. Its first call answers at once with the
server's keys expiring in 302 s: s3tar reloads credentials that expire within 5 minutes before
it signs with them, so a reload is due about 2 s into the run. Every later call records when it
started, sleeps 5 s, records when it ended, and answers with keys valid for an hour.

A fault proxy between the binary and the server holds each source GET 0.3 s (eight at a time,
so the archive's reads last about 9 s, past the reload), and answers the first GET of one source
500 InternalError after 2.5 s: its retry starts on the event loop thread once the reload is due.
That is where the old code loaded credentials, blocking every transfer for the 5 s.

The evidence, from the binary's own --debug log (one s3.request line per answered request, at
the time the event loop handled the answer) and the script's clock: requests were answered while
the slow call ran. A blocked event loop answers none in that window.
"""

import calendar
import os
import re
import stat
import tempfile
import time
import unittest

import s3env
from fault_proxy import FaultProxy, error_answer

OBJECTS = 240
SIZE = 8 * 1024
SLOW_SECONDS = 5

SCRIPT = """#!/bin/sh
# First call: at once, keys expiring in 302 s. Later calls: 5 s, their start and end recorded.
dir="$1"
if [ ! -e "$dir/answered" ]; then
  : > "$dir/answered"
  expiration=$(date -u -d "+302 seconds" +%Y-%m-%dT%H:%M:%SZ)
else
  start=$(date +%s.%N)
  sleep {slow}
  echo "$start $(date +%s.%N)" >> "$dir/slow-calls"
  expiration=$(date -u -d "+1 hour" +%Y-%m-%dT%H:%M:%SZ)
fi
printf '{{"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "%s", "Expiration": "%s"}}\\n' \\
  "{key}" "{secret}" "$expiration"
"""


def log_time(record):
    """Seconds since the epoch of a log record's "time" (2026-01-02T03:04:05.678Z)."""
    stamp, millis = record["time"].rstrip("Z").split(".")
    return calendar.timegm(time.strptime(stamp, "%Y-%m-%dT%H:%M:%S")) + int(millis) / 1000


class CredentialRefresh:
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="s3tar-creds-")
        self.addCleanup(self.tmp.cleanup)
        script = os.path.join(self.tmp.name, "creds.sh")
        with open(script, "w", encoding="utf-8") as f:
            f.write(SCRIPT.format(slow=SLOW_SECONDS, key=self.srv.env["AWS_ACCESS_KEY_ID"],
                                  secret=self.srv.env["AWS_SECRET_ACCESS_KEY"]))
        os.chmod(script, stat.S_IRWXU)
        self.config = os.path.join(self.tmp.name, "config")
        with open(self.config, "w", encoding="utf-8") as f:
            f.write(f"[profile slowcreds]\ncredential_process = {script} {self.tmp.name}\n")

    def slow_calls(self):
        path = os.path.join(self.tmp.name, "slow-calls")
        if not os.path.exists(path):
            return []
        with open(path, encoding="utf-8") as f:
            return [tuple(float(x) for x in line.split()) for line in f if line.strip()]

    def test_a_slow_credential_process_does_not_stall_transfers_in_flight(self):
        src, dst = self.srv.new_bucket("src"), self.srv.new_bucket("dst")
        objects = {f"set/obj-{i:04d}.bin": s3env.data_for(f"set/{i}", SIZE) for i in range(OBJECTS)}
        self.srv.put_many(src, objects)
        first = sorted(objects)[0]
        rules = [
            {"method": "GET", "path": ".*/" + re.escape(first), "responses": [
                dict(error_answer(500, "InternalError"), delay=2.5), {"action": "forward"}]},
            {"method": "GET", "path": r".*/set/obj-\d+\.bin", "responses": [{"action": "forward", "delay": 0.3}]},
        ]
        with FaultProxy(self.srv, rules) as proxy:
            # No keys in the environment: the profile's credential_process is the only source.
            env = s3env.clean_env({"AWS_CONFIG_FILE": self.config, "AWS_ENDPOINT_URL": proxy.endpoint,
                                   "AWS_REGION": self.srv.region})
            started = time.time()
            rc, out, err = self.srv.run("-cf", f"s3://{dst}/a.tar", f"s3://{src}/set/", "--profile", "slowcreds",
                                        "--concurrency", "8", "--debug", "--path-style", env=env, timeout=120)
            ended = time.time()
        self.assertEqual(rc, 0, err[-3000:])

        calls = self.slow_calls()
        self.assertEqual(len(calls), 1, f"one refresh during the run: {calls}")
        slow_start, slow_end = calls[0]
        self.assertGreaterEqual(slow_end - slow_start, SLOW_SECONDS - 0.1)
        self.assertTrue(started < slow_start < slow_end < ended, (started, calls, ended))
        answered = [log_time(r) for r in s3env.log_lines(err) if r.get("event") == "s3.request"]
        retried = [r for r in s3env.log_lines(err) if r.get("event") == "s3.retry" and first in r.get("resource", "")]
        self.assertEqual(len(retried), 1, "the injected failure was retried once")
        # Requests answered well inside the slow call (a margin for the clocks' resolution).
        inside = [t for t in answered if slow_start + 0.5 < t < slow_end - 0.5]
        self.assertGreaterEqual(len(inside), 5,
                                f"{len(inside)} requests answered during the 5 s credential_process call "
                                f"({slow_start:.3f}..{slow_end:.3f}); answers around it: "
                                f"{[round(t, 3) for t in answered if slow_start - 1 < t < slow_end + 1]}")

        # The archive is complete and holds every object.
        body = self.srv.get(dst, "a.tar")
        members = {name: body[offset:offset + size] for name, offset, size in s3env.tar_members(body)
                   if name != "toc.csv"}
        self.assertEqual(sorted(members), sorted(objects))
        for key, data in objects.items():
            self.assertEqual(members[key], data, key)


s3env.server_classes(CredentialRefresh, globals())

if __name__ == "__main__":
    unittest.main()
