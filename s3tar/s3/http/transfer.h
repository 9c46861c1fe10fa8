// One request of the HTTP engine from HttpEngine::submit() to its completion: its state, the
// setup of its curl easy handle and the callbacks that send its body and fill its response.
// Internal to the engine (http_engine.cpp), which owns the handles and the event loop.
#pragma once

#include <curl/curl.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "s3tar/s3/http/http_engine.h"
#include "s3tar/s3/http/proxy.h"

namespace s3tar::s3 {

struct HostQueue;  // the engine's queue of one host's transfers

struct Transfer {
  HttpRequest request;
  HttpEngine::Completion on_done;
  BodySink sink;
  HttpResponse response;
  curl_slist* header_list = nullptr;
  CURL* easy = nullptr;
  size_t upload_offset = 0;
  bool head = false;
  int sink_state = 0;         // 0 = undecided, 1 = the body goes to the sink, 2 = to response.body
  std::string sink_error;     // why the sink stopped the transfer (curl overwrites errbuf)
  ProxyChoice proxy;          // chosen from the environment when the transfer starts
  uint64_t seq = 0;           // submission order
  HostQueue* host = nullptr;  // the queue of its Host header
  uint64_t window = 0;        // the host limit's window when the transfer started
  char errbuf[CURL_ERROR_SIZE] = {};

  Transfer(HttpRequest req, HttpEngine::Completion done, BodySink s)
      : request(std::move(req)), on_done(std::move(done)), sink(std::move(s)) {}
  ~Transfer() { curl_slist_free_all(header_list); }
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;

  void complete(HttpResponse&& r) {
    auto done = std::move(on_done);
    on_done = nullptr;
    if (done) done(std::move(r));
  }
};

// Sets `easy` (fresh or reset) up for t's request: URL, timeouts, proxy, TLS, body, headers
// exactly as given (they are signed), and the callbacks, which get &t.
CURLcode configure_transfer(CURL* easy, Transfer& t, const HttpEngineOptions& options);

}  // namespace s3tar::s3
