#!/usr/bin/env python3
"""A local stand-in for the EC2 instance metadata service (IMDSv2), the ECS/EKS container
credentials endpoint and STS AssumeRoleWithWebIdentity, for the credentials provider tests.

Listens on 127.0.0.1 on a free port and prints "PORT <n>" on stdout once ready. Behaviour is set by
the test through POST /_config (a JSON object merged into the state), POST /_reset, and every
request is recorded for GET /_requests. It checks what the real services check: the IMDS session
token header, the container Authorization header, the STS form and its web identity token.
"""
import datetime
import json
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEFAULTS = {
    "access_key": "AKIDFAKE",
    "secret_key": "fake-secret",
    "session_token": "fake-session-token",
    "expiration_seconds": 3600,  # None: no Expiration field
    "delay": 0.0,  # seconds to wait before answering any service request
    "fail_first": 0,  # answer this many service requests with 500 first
    "imds_token": "imds-session-token",
    "imds_token_status": 200,
    "imds_role": "test-role",  # None: no role attached (404)
    "imds_code": "Success",
    "container_auth": None,  # expected Authorization header, None: not checked
    "container_status": 200,
    "sts_token": "web-identity-token",  # expected WebIdentityToken
    "sts_status": 200,
    "raw_body": None,  # when set, served instead of the credentials document
}

lock = threading.Lock()
state = dict(DEFAULTS)
requests_log = []


def iso(seconds):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, body, ctype="application/json"):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n).decode() if n else ""

    def creds_json(self, s):
        if s["raw_body"] is not None:
            return s["raw_body"]
        doc = {
            "Code": s["imds_code"],
            "Type": "AWS-HMAC",
            "AccessKeyId": s["access_key"],
            "SecretAccessKey": s["secret_key"],
            "Token": s["session_token"],
        }
        if s["expiration_seconds"] is not None:
            doc["Expiration"] = iso(s["expiration_seconds"])
        return json.dumps(doc)

    def handle_any(self, method):
        body = self.read_body()
        path = self.path
        if path.startswith("/_"):
            return self.control(method, path, body)
        with lock:
            requests_log.append(
                {"method": method, "path": path, "headers": {k.lower(): v for k, v in self.headers.items()},
                 "body": body})
            s = dict(state)
            failing = state["fail_first"] > 0
            if failing:
                state["fail_first"] -= 1
        if s["delay"]:
            time.sleep(s["delay"])
        if failing:
            return self.send(500, "{}")
        if path.startswith("/latest/"):
            return self.imds(method, path, s)
        if path.startswith("/container"):
            return self.container(s)
        if path.startswith("/sts"):
            return self.sts(method, body, s)
        self.send(404, "{}")

    def control(self, method, path, body):
        global state, requests_log
        with lock:
            if path == "/_config" and method == "POST":
                state.update(json.loads(body))
                return self.send(200, "{}")
            if path == "/_reset" and method == "POST":
                state = dict(DEFAULTS)
                requests_log = []
                return self.send(200, "{}")
            if path == "/_requests":
                return self.send(200, json.dumps(requests_log))
        self.send(404, "{}")

    def imds(self, method, path, s):
        if path == "/latest/api/token":
            if method != "PUT":
                return self.send(405, "")
            if "X-aws-ec2-metadata-token-ttl-seconds" not in self.headers:
                return self.send(400, "missing ttl")
            if s["imds_token_status"] != 200:
                return self.send(s["imds_token_status"], "")
            return self.send(200, s["imds_token"], "text/plain")
        if s["imds_token_status"] == 200 and self.headers.get("X-aws-ec2-metadata-token") != s["imds_token"]:
            return self.send(401, "", "text/plain")
        prefix = "/latest/meta-data/iam/security-credentials/"
        if path == prefix:
            if s["imds_role"] is None:
                return self.send(404, "", "text/plain")
            return self.send(200, s["imds_role"], "text/plain")
        if path == prefix + str(s["imds_role"]):
            return self.send(200, self.creds_json(s))
        self.send(404, "", "text/plain")

    def container(self, s):
        if s["container_auth"] is not None and self.headers.get("Authorization") != s["container_auth"]:
            return self.send(403, json.dumps({"message": "bad authorization"}))
        if s["container_status"] != 200:
            return self.send(s["container_status"], "{}")
        self.send(200, self.creds_json(s))

    def sts(self, method, body, s):
        form = urllib.parse.parse_qs(body)
        get = lambda k: (form.get(k) or [""])[0]
        if (method != "POST" or get("Action") != "AssumeRoleWithWebIdentity" or get("Version") != "2011-06-15"
                or not get("RoleArn") or not get("RoleSessionName")):
            return self.send(400, "<ErrorResponse><Error><Code>InvalidRequest</Code></Error></ErrorResponse>",
                             "text/xml")
        if get("WebIdentityToken") != s["sts_token"] or s["sts_status"] != 200:
            # Echo the token like a careless service would: the client must redact it.
            msg = "token %s was rejected" % get("WebIdentityToken")
            status = 400 if s["sts_status"] == 200 else s["sts_status"]
            return self.send(status, "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
                             "<Error><Type>Sender</Type><Code>InvalidIdentityToken</Code><Message>%s</Message>"
                             "</Error><RequestId>r-1</RequestId></ErrorResponse>" % msg, "text/xml")
        if s["raw_body"] is not None:
            return self.send(200, s["raw_body"], "text/xml")
        exp = "<Expiration>%s</Expiration>" % iso(s["expiration_seconds"]) if s["expiration_seconds"] is not None else ""
        self.send(200, "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
                  "<AssumeRoleWithWebIdentityResult><Credentials>"
                  "<AccessKeyId>%s</AccessKeyId><SecretAccessKey>%s</SecretAccessKey>"
                  "<SessionToken>%s</SessionToken>%s</Credentials>"
                  "<SubjectFromWebIdentityToken>system:serviceaccount:ns:sa</SubjectFromWebIdentityToken>"
                  "</AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>r-2</RequestId>"
                  "</ResponseMetadata></AssumeRoleWithWebIdentityResponse>"
                  % (s["access_key"], s["secret_key"], s["session_token"], exp), "text/xml")

    def do_GET(self):
        self.handle_any("GET")

    def do_PUT(self):
        self.handle_any("PUT")

    def do_POST(self):
        self.handle_any("POST")


class Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # clients that time out on purpose close the connection early


def main():
    server = Server(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print("PORT %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
