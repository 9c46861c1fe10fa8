#include "s3tar/s3/credentials/sts_client.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <pugixml.hpp>
#include <thread>

#include "s3tar/s3/credentials/http_fetch.h"
#include "s3tar/s3/credentials/support.h"
#include "s3tar/s3/http/http_message.h"
#include "s3tar/s3/sigv4/sigv4.h"

namespace s3tar::s3 {

using credentials_detail::http_fetch;
using credentials_detail::HttpTransportError;
using credentials_detail::parse_iso8601;
using credentials_detail::redact;
using credentials_detail::trim;
using credentials_detail::truncate;
using credentials_detail::url_encode;

namespace {

// Child element by local name, ignoring namespace prefixes.
pugi::xml_node child(pugi::xml_node node, const char* name) {
  for (auto c : node.children()) {
    std::string_view n = c.name();
    auto colon = n.find(':');
    if (colon != std::string_view::npos) n.remove_prefix(colon + 1);
    if (n == name) return c;
  }
  return {};
}

struct SplitUrl {
  std::string base;  // scheme://authority
  std::string host;  // authority without userinfo
  std::string path;  // "" or "/prefix"
};

SplitUrl split_url(const std::string& url) {
  SplitUrl out;
  auto scheme_end = url.find("://");
  auto path_start = url.find('/', scheme_end == std::string::npos ? 0 : scheme_end + 3);
  out.base = url.substr(0, path_start);
  out.host = scheme_end == std::string::npos ? out.base : out.base.substr(scheme_end + 3);
  if (auto at = out.host.rfind('@'); at != std::string::npos) out.host = out.host.substr(at + 1);
  if (path_start != std::string::npos) out.path = url.substr(path_start);
  while (!out.path.empty() && out.path.back() == '/') out.path.pop_back();
  return out;
}

std::string form_body(const StsRequest& r) {
  std::string body = "Action=" + url_encode(r.action) + "&Version=2011-06-15";
  for (const auto& [k, v] : r.params) body += "&" + url_encode(k) + "=" + url_encode(v);
  return body;
}

bool throttling(const std::string& code) {
  return code == "Throttling" || code == "ThrottlingException" || code == "RequestLimitExceeded" ||
         code == "TooManyRequestsException";
}

Credentials parse_credentials(const std::string& body, const StsRequest& r) {
  pugi::xml_document doc;
  if (!doc.load_buffer(body.data(), body.size())) {
    throw CredentialsError(fmt::format("{}: response is not XML", r.context));
  }
  const std::string result = r.action + "Result";
  auto creds = child(child(doc.document_element(), result.c_str()), "Credentials");
  if (!creds) throw CredentialsError(fmt::format("{}: response has no Credentials element", r.context));
  Credentials c;
  c.access_key_id = trim(child(creds, "AccessKeyId").text().as_string());
  c.secret_access_key = trim(child(creds, "SecretAccessKey").text().as_string());
  c.session_token = trim(child(creds, "SessionToken").text().as_string());
  if (c.access_key_id.empty() || c.secret_access_key.empty() || c.session_token.empty()) {
    throw CredentialsError(
        fmt::format("{}: response lacks AccessKeyId, SecretAccessKey or SessionToken", r.context));
  }
  std::string expiration = trim(child(creds, "Expiration").text().as_string());
  if (!expiration.empty()) {
    auto tp = parse_iso8601(expiration);
    if (!tp) {
      throw CredentialsError(
          fmt::format("{}: unparseable Expiration '{}'", r.context, truncate(expiration, 40)));
    }
    c.expiration = *tp;
  }
  return c;
}

std::string redact_all(std::string text, const StsRequest& r) {
  for (const auto& s : r.secrets) text = redact(std::move(text), {s});
  if (r.signer) text = redact(std::move(text), {r.signer->secret_access_key, r.signer->session_token});
  return text;
}

}  // namespace

SignedStsRequest sign_sts_request(const StsRequest& r, std::chrono::system_clock::time_point now) {
  const SplitUrl url = split_url(r.endpoint.url);
  s3::HttpRequest req;
  req.method = "POST";
  req.base_url = url.base;
  req.host = url.host;
  req.encoded_path = url.path + "/";
  req.set_header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
  req.body = std::make_shared<const std::string>(form_body(r));
  if (r.signer) {
    SigningParams params;
    params.region = r.endpoint.signing_region;
    params.service = "sts";
    params.time = now;
    sign_request(req, *r.signer, params);
  }
  SignedStsRequest out;
  out.url = req.base_url + req.encoded_path;
  out.headers.emplace_back("Host", req.host);
  for (const auto& h : req.headers) out.headers.push_back(h);
  out.body = *req.body;
  return out;
}

Credentials sts_call(const StsRequest& r) {
  credentials_detail::HttpRequest req;
  req.method = "POST";
  req.connect_timeout = std::min(r.timeout, std::chrono::milliseconds(5000));
  req.total_timeout = r.timeout;
  req.use_proxy = true;
  req.ca_bundle = r.ca_bundle;

  for (int attempt = 1;; ++attempt) {
    // Signed again on each attempt: the signature carries the time.
    SignedStsRequest signed_req = sign_sts_request(r, std::chrono::system_clock::now());
    req.url = signed_req.url;
    req.headers = signed_req.headers;
    req.body = signed_req.body;
    bool retryable = false;
    std::string failure;
    try {
      auto resp = http_fetch(req);
      if (resp.status == 200) return parse_credentials(resp.body, r);
      pugi::xml_document doc;
      std::string code, message;
      if (doc.load_buffer(resp.body.data(), resp.body.size())) {
        auto err = child(doc.document_element(), "Error");
        code = child(err, "Code").text().as_string();
        message = child(err, "Message").text().as_string();
      }
      retryable =
          resp.status >= 500 || resp.status == 429 || throttling(code) || code == "IDPCommunicationError";
      failure = fmt::format("HTTP {}{}{}{}{}", resp.status, code.empty() ? "" : " ", truncate(code, 64),
                            message.empty() ? "" : ": ", truncate(redact_all(message, r), 300));
    } catch (const HttpTransportError& e) {
      retryable = true;
      failure = redact_all(e.what(), r);
    }
    if (!retryable) throw CredentialsError(fmt::format("{} at {} failed: {}", r.context, req.url, failure));
    if (attempt >= r.max_attempts) {
      throw CredentialsTransientError(
          fmt::format("{} at {} failed after {} attempt(s): {}", r.context, req.url, attempt, failure));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100 * attempt * attempt));
  }
}

}  // namespace s3tar::s3
