#!/usr/bin/env python3
"""A local stand-in for the EC2 instance metadata service (IMDSv2), the ECS/EKS container
credentials endpoint, STS (AssumeRoleWithWebIdentity, and AssumeRole with its SigV4 signature
verified), the IAM Identity Center portal (GetRoleCredentials) and SSO OIDC (CreateToken with a
refresh token), for the credentials provider tests.

Listens on 127.0.0.1 on a free port and prints "PORT <n>" on stdout once ready. Behaviour is set by
the test through POST /_config (a JSON object merged into the state), POST /_reset, and every
request is recorded for GET /_requests. It checks what the real services check: the IMDS session
token header, the container Authorization header, the STS form and its web identity token.
"""
import datetime
import hashlib
import hmac
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
    # AssumeRole: the keys allowed to sign (access key -> secret); each role assumed adds the keys
    # it hands out, so a chain's next call can be signed with them.
    "sts_keys": {},
    "assume_status": 200,  # another status answers with assume_code
    "assume_code": "AccessDenied",
    # IAM Identity Center portal and OIDC.
    "sso_token": "sso-access-token",  # the bearer token GetRoleCredentials accepts
    "sso_status": 200,
    "oidc_refresh_token": "sso-refresh-token",  # the refresh token CreateToken accepts
    "oidc_new_token": "sso-refreshed-token",  # the access token it hands out
}


def role_keys(role_arn):
    """The temporary credentials the fake STS hands out for a role (distinct per role)."""
    digest = hashlib.sha1(role_arn.encode()).hexdigest().upper()
    return "ASIA" + digest[:16], "secret-" + digest[:20], "token-" + digest[:24]


def sigv4_problem(method, path, headers, body, keys):
    """None when the request carries a valid SigV4 signature by one of `keys`, else the error code.
    Follows the AWS documentation (no query string: STS calls are form POSTs)."""
    auth = headers.get("authorization", "")
    if not auth.startswith("AWS4-HMAC-SHA256 "):
        return "MissingAuthenticationToken"
    parts = dict(p.strip().split("=", 1) for p in auth[len("AWS4-HMAC-SHA256 "):].split(","))
    access_key, date, region, service, terminator = parts["Credential"].split("/")
    if access_key not in keys:
        return "InvalidClientTokenId"
    if service != "sts" or terminator != "aws4_request":
        return "IncompleteSignature"
    signed = parts["SignedHeaders"].split(";")
    if "host" not in signed or "x-amz-date" not in signed:
        return "IncompleteSignature"
    payload = hashlib.sha256(body.encode()).hexdigest()
    if headers.get("x-amz-content-sha256", payload) != payload:
        return "SignatureDoesNotMatch"
    canonical = "\n".join([method, path, ""] + ["%s:%s" % (h, " ".join(headers.get(h, "").split()))
                                                  for h in signed] + ["", ";".join(signed), payload])
    scope = "/".join([date, region, service, terminator])
    to_sign = "\n".join(["AWS4-HMAC-SHA256", headers["x-amz-date"], scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
    key = ("AWS4" + keys[access_key]).encode()
    for part in (date, region, service, terminator):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return None if hmac.compare_digest(expected, parts["Signature"]) else "SignatureDoesNotMatch"

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
            form = urllib.parse.parse_qs(body)
            if (form.get("Action") or [""])[0] == "AssumeRole":
                return self.assume_role(method, path, body, form, s)
            return self.sts(method, body, s)
        if path.startswith("/sso/"):
            return self.sso_portal(method, path, s)
        if path.startswith("/oidc/"):
            return self.oidc(method, path, body, s)
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

    def sts_error(self, status, code, message=""):
        self.send(status, "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error>"
                  "<Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error>"
                  "<RequestId>r-3</RequestId></ErrorResponse>" % (code, message), "text/xml")

    def assume_role(self, method, path, body, form, s):
        get = lambda k: (form.get(k) or [""])[0]
        headers = {k.lower(): v for k, v in self.headers.items()}
        with lock:
            keys = dict(state["sts_keys"])
        problem = sigv4_problem(method, path, headers, body, keys)
        if problem:
            return self.sts_error(403, problem, "the request signature is not valid")
        if get("Version") != "2011-06-15" or not get("RoleArn") or not get("RoleSessionName"):
            return self.sts_error(400, "ValidationError", "RoleArn and RoleSessionName are required")
        if s["assume_status"] != 200:
            return self.sts_error(s["assume_status"], s["assume_code"], "refused by the test")
        access_key, secret, token = role_keys(get("RoleArn"))
        with lock:
            state["sts_keys"] = dict(state["sts_keys"], **{access_key: secret})
        duration = int(get("DurationSeconds") or 3600)
        exp = "<Expiration>%s</Expiration>" % iso(duration) if s["expiration_seconds"] is not None else ""
        self.send(200, "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
                  "<AssumeRoleResult><Credentials><AccessKeyId>%s</AccessKeyId>"
                  "<SecretAccessKey>%s</SecretAccessKey><SessionToken>%s</SessionToken>%s</Credentials>"
                  "<AssumedRoleUser><Arn>%s/%s</Arn><AssumedRoleId>AROA:%s</AssumedRoleId></AssumedRoleUser>"
                  "</AssumeRoleResult><ResponseMetadata><RequestId>r-4</RequestId></ResponseMetadata>"
                  "</AssumeRoleResponse>" % (access_key, secret, token, exp, get("RoleArn"),
                                             get("RoleSessionName"), get("RoleSessionName")), "text/xml")

    def sso_portal(self, method, path, s):
        url = urllib.parse.urlparse(path)
        query = urllib.parse.parse_qs(url.query)
        if method != "GET" or not url.path.endswith("/federation/credentials"):
            return self.send(404, json.dumps({"message": "no such operation"}))
        if self.headers.get("x-amz-sso_bearer_token") != s["sso_token"]:
            return self.send(401, json.dumps({"message": "Session token not found or invalid"}))
        if s["sso_status"] != 200:
            return self.send(s["sso_status"], json.dumps({"message": "refused by the test"}))
        role, account = (query.get("role_name") or [""])[0], (query.get("account_id") or [""])[0]
        if not role or not account:
            return self.send(400, json.dumps({"message": "role_name and account_id are required"}))
        expiration = int((time.time() + (s["expiration_seconds"] or 3600)) * 1000)
        self.send(200, json.dumps({"roleCredentials": {
            "accessKeyId": "ASIASSO" + account, "secretAccessKey": s["secret_key"],
            "sessionToken": s["session_token"], "expiration": expiration}}))

    def oidc(self, method, path, body, s):
        if method != "POST" or path != "/oidc/token":
            return self.send(404, json.dumps({"error": "not_found"}))
        req = json.loads(body or "{}")
        if req.get("grantType") != "refresh_token" or req.get("refreshToken") != s["oidc_refresh_token"] \
                or not req.get("clientId") or not req.get("clientSecret"):
            return self.send(400, json.dumps({"error": "invalid_grant"}))
        with lock:
            state["sso_token"] = s["oidc_new_token"]
        self.send(200, json.dumps({"accessToken": s["oidc_new_token"], "expiresIn": 3600,
                                   "refreshToken": "rotated-refresh-token", "tokenType": "Bearer"}))

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
