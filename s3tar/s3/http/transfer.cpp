#include "s3tar/s3/http/transfer.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string_view>
#include <utility>

#include "s3tar/s3/http/header_line.h"

namespace s3tar::s3 {

namespace {

// Do not pre-allocate more than this for a body because of a Content-Length header.
constexpr size_t kMaxReserve = size_t{64} << 20;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

size_t on_header(char* data, size_t size, size_t nitems, void* userp) {
  auto* t = static_cast<Transfer*>(userp);
  const size_t n = size * nitems;
  HeaderLine h = read_header_line(std::string_view(data, n));
  switch (h.kind) {
    case HeaderLine::Kind::Status:  // 100 Continue, then the final response: keep the last headers
      t->response.headers.clear();
      break;
    case HeaderLine::Kind::Continuation:
      if (!t->response.headers.empty()) {
        auto& value = t->response.headers.back().second;
        value.push_back(' ');
        value.append(h.value);
      }
      break;
    case HeaderLine::Kind::Field:
      if (h.name == "content-length" && !t->sink && !t->head) {
        char* end = nullptr;
        const unsigned long long len = std::strtoull(h.value.c_str(), &end, 10);
        if (end != h.value.c_str()) t->response.body.reserve(std::min<unsigned long long>(len, kMaxReserve));
      }
      t->response.headers.emplace_back(std::move(h.name), std::move(h.value));
      break;
    case HeaderLine::Kind::Other:
      break;
  }
  return n;
}

size_t on_write(char* data, size_t size, size_t nmemb, void* userp) {
  auto* t = static_cast<Transfer*>(userp);
  const size_t n = size * nmemb;
  if (t->sink_state == 0) {
    // Only a 2xx body goes to the sink; an error body is kept for the caller to parse.
    long status = 0;
    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
    t->sink_state = t->sink && status >= 200 && status < 300 ? 1 : 2;
  }
  if (t->sink_state == 1) {
    bool keep_going = false;
    try {
      keep_going = t->sink(data, n);
    } catch (const std::exception& e) {
      t->sink_error = std::string("body sink failed: ") + e.what();
    } catch (...) {
      t->sink_error = "body sink failed";
    }
    if (!keep_going) {
      if (t->sink_error.empty()) t->sink_error = "body sink aborted the transfer";
      return 0;  // CURLE_WRITE_ERROR
    }
    return n;
  }
  t->response.body.append(data, n);
  return n;
}

size_t on_read(char* buffer, size_t size, size_t nitems, void* userp) {
  auto* t = static_cast<Transfer*>(userp);
  const std::string* body = t->request.body.get();
  const size_t total = body ? body->size() : 0;
  const size_t n = std::min(size * nitems, total - std::min(total, t->upload_offset));
  if (n > 0) std::memcpy(buffer, body->data() + t->upload_offset, n);
  t->upload_offset += n;
  return n;
}

// Lets curl rewind the body when it resends a request (e.g. on a reused connection that died).
int on_seek(void* userp, curl_off_t offset, int origin) {
  auto* t = static_cast<Transfer*>(userp);
  const size_t total = t->request.body ? t->request.body->size() : 0;
  if (origin != SEEK_SET || offset < 0 || static_cast<size_t>(offset) > total) return CURL_SEEKFUNC_CANTSEEK;
  t->upload_offset = static_cast<size_t>(offset);
  return CURL_SEEKFUNC_OK;
}

}  // namespace

CURLcode configure_transfer(CURL* easy, Transfer& t, const HttpEngineOptions& options) {
  const HttpRequest& req = t.request;
  const std::string url = req.url();
  const bool has_body = req.body && !req.body->empty();
  t.head = req.method == "HEAD";
  t.easy = easy;
  bool post_like = false;  // the body goes through CURLOPT_POSTFIELDS

  CURLcode rc = CURLE_OK;
  auto set = [&](CURLoption opt, auto value) {
    if (rc == CURLE_OK) rc = curl_easy_setopt(easy, opt, value);
  };
  set(CURLOPT_PRIVATE, static_cast<void*>(&t));
  set(CURLOPT_URL, url.c_str());
  // S3 keys are literal: "a/../b" and "a/./b" name other objects than "b" and "a/b".
  set(CURLOPT_PATH_AS_IS, 1L);
  set(CURLOPT_ERRORBUFFER, t.errbuf);
  set(CURLOPT_NOSIGNAL, 1L);
  set(CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
  set(CURLOPT_CONNECTTIMEOUT_MS, options.connect_timeout_ms);
  set(CURLOPT_LOW_SPEED_LIMIT, 1L);
  set(CURLOPT_LOW_SPEED_TIME, options.low_speed_time_s);
  set(CURLOPT_TCP_KEEPALIVE, 1L);
  set(CURLOPT_TCP_KEEPIDLE, 60L);
  set(CURLOPT_TCP_KEEPINTVL, 30L);
  set(CURLOPT_TCP_NODELAY, 1L);
  // The proxy from the environment, chosen here (not by libcurl) so that a failure can name it;
  // "" = direct, whatever the environment says.
  const Origin origin = parse_origin(req.base_url);
  t.proxy = proxy_for(origin.scheme, origin.host, process_env());
  set(CURLOPT_PROXY, t.proxy.url.c_str());
  set(CURLOPT_SSL_VERIFYPEER, options.verify_tls ? 1L : 0L);
  set(CURLOPT_SSL_VERIFYHOST, options.verify_tls ? 2L : 0L);
  if (!options.ca_bundle.empty()) set(CURLOPT_CAINFO, options.ca_bundle.c_str());
  set(CURLOPT_BUFFERSIZE, 128L * 1024);
  set(CURLOPT_UPLOAD_BUFFERSIZE, 256L * 1024);
  set(CURLOPT_HEADERFUNCTION, &on_header);
  set(CURLOPT_HEADERDATA, static_cast<void*>(&t));
  set(CURLOPT_WRITEFUNCTION, &on_write);
  set(CURLOPT_WRITEDATA, static_cast<void*>(&t));

  if (t.head) {
    set(CURLOPT_NOBODY, 1L);
  } else if (req.method == "PUT") {
    // Content-Length is always sent, 0 for an empty body.
    set(CURLOPT_UPLOAD, 1L);
    set(CURLOPT_READFUNCTION, &on_read);
    set(CURLOPT_READDATA, static_cast<void*>(&t));
    set(CURLOPT_SEEKFUNCTION, &on_seek);
    set(CURLOPT_SEEKDATA, static_cast<void*>(&t));
    set(CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(req.body ? req.body->size() : 0));
  } else if (req.method == "POST" || has_body) {
    post_like = true;
    set(CURLOPT_POST, 1L);
    set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(has_body ? req.body->size() : 0));
    // Not copied: the shared body outlives the transfer.
    set(CURLOPT_POSTFIELDS, has_body ? req.body->data() : "");
    if (req.method != "POST") set(CURLOPT_CUSTOMREQUEST, req.method.c_str());
  } else if (req.method != "GET") {
    set(CURLOPT_CUSTOMREQUEST, req.method.c_str());
  }
  if (rc != CURLE_OK) return rc;

  // Headers: ours exactly as given (they are signed); suppress what curl would add on its own.
  curl_slist* list = nullptr;
  bool ok = true;
  auto add = [&](const std::string& line) {
    curl_slist* next = curl_slist_append(list, line.c_str());
    if (!next) {
      ok = false;
      return;
    }
    list = next;
  };
  add("Host: " + req.host);
  bool has_content_type = false, has_accept = false, has_expect = false;
  for (const auto& [name, value] : req.headers) {
    if (iequals(name, "host")) continue;
    if (iequals(name, "content-type")) has_content_type = true;
    if (iequals(name, "accept")) has_accept = true;
    if (iequals(name, "expect")) has_expect = true;
    // "Name:" would make curl remove the header; "Name;" sends it with an empty value.
    add(value.empty() ? name + ";" : name + ": " + value);
  }
  if (!has_expect) add("Expect:");
  if (!has_accept) add("Accept:");
  if (post_like && !has_content_type) add("Content-Type:");
  curl_slist_free_all(t.header_list);
  t.header_list = list;
  if (!ok) return CURLE_OUT_OF_MEMORY;
  return curl_easy_setopt(easy, CURLOPT_HTTPHEADER, list);
}

}  // namespace s3tar::s3
