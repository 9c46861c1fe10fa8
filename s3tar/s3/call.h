// Internal to the S3 client: one operation and its attempts, and the glue that turns a call's
// outcome into a future. Not for callers outside s3tar/s3/.
#pragma once

#include <chrono>
#include <exception>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <type_traits>

#include "s3tar/s3/client.h"

namespace s3tar::s3 {

// The callbacks run exactly once: on the engine's loop thread, or on the thread that tried to send
// an attempt (when it could not be signed or the client was stopped).
struct S3Client::Call {
  Op op = Op::GetObject;
  std::string resource;  // "s3://bucket/key", for messages and logs
  std::string bucket;    // the request's bucket (empty = the service)
  HttpRequest request;   // unsigned; every attempt signs a copy, for `region`
  std::string region;    // the signing region: the client's, or the one learned for the bucket
  // Sent again for the bucket's region after an answer refusing it for its region (at most once).
  bool redirected = false;
  // ok() gets whatever answer comes, error or not, after one attempt (a HEAD to learn a region).
  bool any_answer = false;
  // A 200 body may be an <Error> (S3 sends some failures that way: Copy, Complete).
  bool check_embedded_error = false;
  std::function<bool(uint64_t, const char*, size_t)> sink;
  uint64_t sink_offset = 0;
  std::function<void(HttpResponse&&)> ok;
  std::function<void(std::exception_ptr)> fail;
  RetryState retry;
  bool ambiguous = false;  // some attempt may have taken effect unseen
  CallReport* report = nullptr;
  std::chrono::steady_clock::time_point sent_at;

  void succeed(HttpResponse&& r) {
    if (report) *report = {retry.attempts, ambiguous};
    ok(std::move(r));
  }
  void give_up(std::exception_ptr e) {
    if (report) *report = {retry.attempts, ambiguous};
    fail(std::move(e));
  }
};

// Wires a call's callbacks to a promise: parse runs on success (on the loop thread) and its
// exceptions reach the future; a failure reaches the future as is.
template <class T, class Parse>
std::future<T> deliver(S3Client::Call& call, Parse parse, std::shared_ptr<std::promise<T>>* keep = nullptr) {
  auto promise = std::make_shared<std::promise<T>>();
  if (keep) *keep = promise;
  call.fail = [promise](std::exception_ptr e) { promise->set_exception(std::move(e)); };
  call.ok = [promise, parse = std::move(parse)](HttpResponse&& r) {
    try {
      if constexpr (std::is_void_v<T>) {
        parse(r);
        promise->set_value();
      } else {
        promise->set_value(parse(r));
      }
    } catch (...) {
      promise->set_exception(std::current_exception());
    }
  };
  return promise->get_future();
}

}  // namespace s3tar::s3
