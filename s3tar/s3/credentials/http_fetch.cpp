#include "s3tar/s3/credentials/http_fetch.h"

#include <curl/curl.h>
#include <fmt/format.h>
#include <strings.h>

#include <memory>

#include "s3tar/s3/http/curl_global.h"
#include "s3tar/s3/http/http_message.h"

namespace s3tar::s3::credentials_detail {

namespace {

struct Sink {
  std::string* body;
  std::size_t max;
  bool overflow = false;
};

std::size_t on_write(char* data, std::size_t size, std::size_t n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  std::size_t bytes = size * n;
  if (sink->body->size() + bytes > sink->max) {
    sink->overflow = true;
    return 0;  // aborts the transfer
  }
  sink->body->append(data, bytes);
  return bytes;
}

// scheme://host[:port] of the URL, for error messages (the path may carry identifiers that are
// not secrets, but the host is all a reader needs).
std::string url_origin(const std::string& url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return url.substr(0, 64);
  auto path = url.find_first_of("/?#", scheme_end + 3);
  return url.substr(0, path);
}

}  // namespace

HttpResponse http_fetch(const HttpRequest& req) {
  ensure_curl_global_init();
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) throw HttpTransportError("curl_easy_init failed", false);
  CURL* h = curl.get();

  HttpResponse resp;
  Sink sink{&resp.body, req.max_response_bytes};
  char errbuf[CURL_ERROR_SIZE] = {0};

  curl_easy_setopt(h, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(req.connect_timeout.count()));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(req.total_timeout.count()));
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  if (!req.use_proxy) curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
  if (!req.ca_bundle.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, req.ca_bundle.c_str());

  if (req.method == "GET") {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  } else if (req.method == "POST") {
    curl_easy_setopt(h, CURLOPT_POST, 1L);
  } else {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  }
  if (req.method != "GET") {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, req.body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
  }

  std::unique_ptr<curl_slist, void (*)(curl_slist*)> headers(nullptr, curl_slist_free_all);
  bool has_content_type = false;
  for (const auto& [k, v] : req.headers) {
    if (k.size() == 12 && strncasecmp(k.c_str(), "content-type", 12) == 0) has_content_type = true;
    std::string line = k + ": " + v;
    curl_slist* next = curl_slist_append(headers.get(), line.c_str());
    if (!next) throw HttpTransportError("out of memory building request headers", false);
    headers.release();
    headers.reset(next);
  }
  // curl adds "Expect: 100-continue" to large POSTs; metadata services don't need the round trip.
  for (const char* extra : {"Expect:", has_content_type ? nullptr : "Content-Type:"}) {
    if (!extra || req.method == "GET") continue;
    curl_slist* next = curl_slist_append(headers.get(), extra);
    if (!next) throw HttpTransportError("out of memory building request headers", false);
    headers.release();
    headers.reset(next);
  }
  if (headers) curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());

  CURLcode rc = curl_easy_perform(h);
  if (rc != CURLE_OK) {
    if (sink.overflow) {
      throw HttpTransportError(
          fmt::format("response from {} larger than {} bytes", url_origin(req.url), req.max_response_bytes),
          false);
    }
    std::string reason = errbuf[0] ? std::string(errbuf) : std::string(curl_easy_strerror(rc));
    throw HttpTransportError(fmt::format("{} {}: {}", req.method, url_origin(req.url), reason),
                             rc == CURLE_OPERATION_TIMEDOUT);
  }
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp.status);
  return resp;
}

std::string url_encode(const std::string& value) { return uri_encode(value, /*encode_slash=*/true); }

}  // namespace s3tar::s3::credentials_detail
