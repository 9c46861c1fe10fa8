#include "s3tar/s3/http/http_engine.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <iterator>
#include <mutex>
#include <queue>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "s3tar/log/log.h"
#include "s3tar/s3/http/aimd_limit.h"
#include "s3tar/s3/http/curl_global.h"
#include "s3tar/s3/http/transfer.h"
#include "s3tar/s3/http/transport_failure.h"

namespace s3tar::s3 {

static_assert(HttpEngine::kShutdownError == CURLE_ABORTED_BY_CALLBACK);

namespace {

using Clock = std::chrono::steady_clock;

constexpr char kShutdownMessage[] = "engine shut down";
constexpr char kCancelledMessage[] = "cancelled by a stop request";
// Poll at least this often even when nothing is due (cheap; bounds the cost of a lost wakeup).
constexpr int kMaxPollMs = 1000;

HttpResponse shutdown_response(const char* message = kShutdownMessage) {
  HttpResponse r;
  r.transport_error = HttpEngine::kShutdownError;
  r.transport_message = message;
  return r;
}

bool default_is_throttled(const HttpResponse& r) { return r.status == 503 || r.status == 429; }

struct Timer {
  Clock::time_point deadline;
  uint64_t seq;
  std::function<void()> task;
  bool cancellable = false;
};

struct TimerLater {
  bool operator()(const Timer& a, const Timer& b) const {
    return a.deadline != b.deadline ? a.deadline > b.deadline : a.seq > b.seq;
  }
};

}  // namespace

// The transfers waiting for one host (Host header), and how many it may have in flight.
struct HostQueue {
  HostQueue(std::string n, size_t max) : name(std::move(n)), limit(max) {}
  std::string name;
  std::deque<std::unique_ptr<Transfer>> pending;
  size_t active = 0;
  AimdLimit limit;
};

struct HttpEngine::Impl {
  const HttpEngineOptions options;
  const size_t max_in_flight;
  CURLM* multi = nullptr;
  std::thread thread;
  std::thread::id loop_id;

  // Shared with submitters, guarded by mutex.
  std::mutex mutex;
  std::vector<std::unique_ptr<Transfer>> incoming;
  std::vector<Timer> incoming_timers;
  bool stopping = false;
  bool closed = false;        // the loop has failed everything; submit() now fails inline
  bool wake_pending = false;  // a wakeup was sent and the loop has not drained yet
  bool cancel_requested = false;
  uint64_t next_seq = 0;

  // Loop thread only. Node-based: a HostQueue's address is stable (Transfer::host).
  std::unordered_map<std::string, HostQueue> hosts;
  uint64_t next_transfer_seq = 0;
  ThrottleStats throttle;
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> active;
  std::vector<CURL*> pool;
  std::priority_queue<Timer, std::vector<Timer>, TimerLater> timers;
  bool cancelled = false;  // cancellable requests and timers end at once

  explicit Impl(HttpEngineOptions opts)
      : options(std::move(opts)), max_in_flight(std::max<size_t>(options.max_in_flight, 1)) {
    throttle.lowest_limit = max_in_flight;
    ensure_curl_global_init();
    multi = curl_multi_init();
    if (!multi) throw std::runtime_error("curl_multi_init failed");
    // Keep one idle connection per possible transfer; HTTP/1.1 only, no multiplexing.
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, static_cast<long>(max_in_flight));
    curl_multi_setopt(multi, CURLMOPT_PIPELINING, static_cast<long>(CURLPIPE_NOTHING));
    pool.reserve(max_in_flight);
    thread = std::thread([this] { run(); });
  }

  ~Impl() {
    {
      std::lock_guard lock(mutex);
      stopping = true;
      curl_multi_wakeup(multi);
    }
    thread.join();
    curl_multi_cleanup(multi);
  }

  void submit(std::unique_ptr<Transfer> t) {
    {
      std::lock_guard lock(mutex);
      if (!closed) {
        incoming.push_back(std::move(t));
        wake_locked();
        return;
      }
    }
    t->complete(shutdown_response());
  }

  void schedule(Clock::duration delay, std::function<void()> task, bool cancellable) {
    const auto deadline = Clock::now() + delay;
    std::lock_guard lock(mutex);
    if (stopping) return;  // never runs
    incoming_timers.push_back(Timer{deadline, next_seq++, std::move(task), cancellable});
    wake_locked();
  }

  void cancel() {
    std::lock_guard lock(mutex);
    cancel_requested = true;
    if (std::this_thread::get_id() == loop_id) return;  // seen before the loop polls again
    wake_pending = true;
    curl_multi_wakeup(multi);
  }

  void wake_locked() {
    // The loop drains the queues before it polls, so the loop thread itself never needs a wakeup.
    if (wake_pending || std::this_thread::get_id() == loop_id) return;
    wake_pending = true;
    curl_multi_wakeup(multi);
  }

  void run() {
    {
      std::lock_guard lock(mutex);
      loop_id = std::this_thread::get_id();
    }
    std::vector<std::unique_ptr<Transfer>> batch;
    std::vector<Timer> timer_batch;
    for (;;) {
      bool cancel_now = false;
      {
        std::lock_guard lock(mutex);
        if (stopping) break;
        batch.swap(incoming);
        timer_batch.swap(incoming_timers);
        wake_pending = false;
        cancel_now = cancel_requested;
      }
      for (auto& t : batch) enqueue(std::move(t));
      batch.clear();
      for (auto& timer : timer_batch) {
        if (cancelled && timer.cancellable) timer.deadline = Clock::time_point::min();  // no waiting now
        timers.push(std::move(timer));
      }
      timer_batch.clear();
      if (options.stop_flag && options.stop_flag->load()) cancel_now = true;
      if (cancel_now && !cancelled) cancel_cancellable();

      start_pending();
      curl_multi_poll(multi, nullptr, 0, poll_timeout_ms(), nullptr);
      int running = 0;
      curl_multi_perform(multi, &running);
      finish_done();
      run_due_timers();
    }
    shut_down();
  }

  int poll_timeout_ms() {
    long curl_ms = -1;
    curl_multi_timeout(multi, &curl_ms);
    long ms = kMaxPollMs;
    if (curl_ms >= 0) ms = std::min(ms, curl_ms);
    // A signal handler cannot wake the loop: look at its flag often.
    if (options.stop_flag && !cancelled) ms = std::min<long>(ms, HttpEngine::kStopPollMs);
    if (!timers.empty()) {
      const auto now = Clock::now();
      const auto due = timers.top().deadline;
      if (due <= now) return 0;
      // Round up so that a timer never fires early.
      const auto wait = std::chrono::ceil<std::chrono::milliseconds>(due - now).count();
      ms = std::min<long>(ms, static_cast<long>(wait));
    }
    return static_cast<int>(ms);
  }

  void enqueue(std::unique_ptr<Transfer> t) {
    t->seq = next_transfer_seq++;
    auto it = hosts.find(t->request.host);
    if (it == hosts.end()) it = hosts.try_emplace(t->request.host, t->request.host, max_in_flight).first;
    t->host = &it->second;
    it->second.pending.push_back(std::move(t));
  }

  size_t host_limit(const HostQueue& h) const {
    return options.adapt_to_throttling ? h.limit.limit() : max_in_flight;
  }

  // The oldest waiting transfer whose host is under its limit (hosts are few: one per bucket at
  // most, one in all with path-style addressing).
  HostQueue* next_host() {
    HostQueue* next = nullptr;
    for (auto& [name, h] : hosts) {
      if (h.pending.empty() || h.active >= host_limit(h)) continue;
      if (!next || h.pending.front()->seq < next->pending.front()->seq) next = &h;
    }
    return next;
  }

  void start_pending() {
    while (active.size() < max_in_flight) {
      HostQueue* host = next_host();
      if (!host) break;
      std::unique_ptr<Transfer> t = std::move(host->pending.front());
      host->pending.pop_front();
      if (cancelled && t->request.cancellable) {
        t->complete(shutdown_response(kCancelledMessage));
        continue;
      }
      ++host->active;
      t->window = host->limit.window();
      CURL* easy = nullptr;
      if (!pool.empty()) {
        easy = pool.back();
        pool.pop_back();
      } else {
        easy = curl_easy_init();
      }
      CURLcode rc = easy ? configure_transfer(easy, *t, options) : CURLE_OUT_OF_MEMORY;
      CURLMcode mrc = CURLM_OK;
      if (rc == CURLE_OK) mrc = curl_multi_add_handle(multi, easy);
      if (rc != CURLE_OK || mrc != CURLM_OK) {
        HttpResponse r;
        r.transport_error = rc != CURLE_OK ? rc : CURLE_FAILED_INIT;
        r.transport_message = rc != CURLE_OK ? curl_easy_strerror(rc) : curl_multi_strerror(mrc);
        if (easy) curl_easy_cleanup(easy);
        --host->active;
        t->complete(std::move(r));
        continue;
      }
      active.emplace(easy, std::move(t));
    }
  }

  void recycle(CURL* easy) {
    curl_easy_reset(easy);
    if (pool.size() < max_in_flight) {
      pool.push_back(easy);
    } else {
      curl_easy_cleanup(easy);
    }
  }

  void finish_done() {
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      CURL* easy = msg->easy_handle;
      const CURLcode result = msg->data.result;
      auto it = active.find(easy);
      if (it == active.end()) continue;  // cannot happen
      std::unique_ptr<Transfer> t = std::move(it->second);
      active.erase(it);

      HttpResponse& r = t->response;
      r.proxy = t->proxy.redacted;
      if (result == CURLE_OK) {
        long status = 0;
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
        r.status = status;
      } else {
        r.status = 0;
        r.transport_error = result;
        long connect_code = 0;
        curl_easy_getinfo(easy, CURLINFO_HTTP_CONNECTCODE, &connect_code);
        if (!r.proxy.empty() && connect_code >= 300) r.proxy_status = connect_code;
        if (result == CURLE_WRITE_ERROR && !t->sink_error.empty()) {
          r.transport_message = std::move(t->sink_error);
        } else {
          const std::string curl_message = t->errbuf[0] ? t->errbuf : curl_easy_strerror(result);
          r.transport_message = describe_transport_failure(classify_transport_failure(r), curl_message,
                                                           t->request.base_url, r.proxy, r.proxy_status);
        }
        r.body.clear();
      }
      curl_multi_remove_handle(multi, easy);
      if (result == CURLE_OK) {
        recycle(easy);
      } else {
        // A failed transfer may leave state behind that curl_easy_reset() does not clear: after
        // a failed name lookup libcurl 7.88 keeps its receive buffer, and every later transfer
        // on that handle fails with CURLE_BAD_FUNCTION_ARGUMENT. A fresh handle is cheap (the
        // connections live in the multi handle).
        curl_easy_cleanup(easy);
      }
      adapt(*t, r);
      t->complete(std::move(r));
    }
  }

  // Feeds an answer to its host's limit; logs (at -v) when the limit falls or is back at the top.
  void adapt(Transfer& t, const HttpResponse& r) {
    HostQueue& h = *t.host;
    --h.active;
    if (r.status == 0) return;  // no answer: says nothing about the server's rate
    bool throttled = false;
    try {
      throttled = options.is_throttled ? options.is_throttled(r) : default_is_throttled(r);
    } catch (...) {
      throttled = default_is_throttled(r);
    }
    if (!throttled) {
      if (options.adapt_to_throttling && h.limit.on_answered())
        log::debug("http.throttle_recovered",
                   fmt::format("requests to {}: back to {} in flight", h.name, h.limit.limit()),
                   {{"host", h.name}, {"limit", h.limit.limit()}});
      return;
    }
    ++throttle.throttled;
    if (!options.adapt_to_throttling) return;
    const size_t before = h.limit.limit();
    if (!h.limit.on_throttled(t.window)) return;
    ++throttle.decreases;
    if (h.limit.limit() < throttle.lowest_limit) throttle.lowest_limit = h.limit.limit();
    log::debug("http.throttled",
               fmt::format("{} is throttling requests (HTTP {}): at most {} in flight, was {}", h.name,
                           r.status, h.limit.limit(), before),
               {{"host", h.name}, {"status", r.status}, {"limit", h.limit.limit()}, {"was", before}});
  }

  void run_due_timers() {
    if (timers.empty()) return;
    const auto now = Clock::now();
    while (!timers.empty() && timers.top().deadline <= now) {
      // priority_queue::top() is const; the task is moved out through a copy-free const_cast.
      auto task = std::move(const_cast<Timer&>(timers.top()).task);
      timers.pop();
      if (task) task();
    }
  }

  // A stop request: ends the cancellable transfers (in flight or queued) and runs the cancellable
  // timers now; what their completions and tasks submit is handled by the next loop iteration.
  void cancel_cancellable() {
    cancelled = true;
    std::vector<std::unique_ptr<Transfer>> ended;
    for (auto it = active.begin(); it != active.end();) {
      if (!it->second->request.cancellable) {
        ++it;
        continue;
      }
      curl_multi_remove_handle(multi, it->first);
      curl_easy_cleanup(it->first);  // cut mid-transfer: not reused (see finish_done)
      --it->second->host->active;
      ended.push_back(std::move(it->second));
      it = active.erase(it);
    }
    for (auto& [name, h] : hosts) {
      auto kept = std::stable_partition(h.pending.begin(), h.pending.end(),
                                        [](const auto& t) { return !t->request.cancellable; });
      std::move(kept, h.pending.end(), std::back_inserter(ended));
      h.pending.erase(kept, h.pending.end());
    }
    std::vector<std::function<void()>> early;
    std::priority_queue<Timer, std::vector<Timer>, TimerLater> kept;
    while (!timers.empty()) {
      auto& top = const_cast<Timer&>(timers.top());
      if (top.cancellable) {
        early.push_back(std::move(top.task));
      } else {
        kept.push(std::move(top));
      }
      timers.pop();
    }
    std::swap(timers, kept);
    for (auto& t : ended) t->complete(shutdown_response(kCancelledMessage));
    for (auto& task : early)
      if (task) task();
  }

  void shut_down() {
    // Abort what is in flight, then fail everything queued, including what completions submit
    // while being failed, until nothing is left.
    std::vector<std::unique_ptr<Transfer>> failed;
    for (auto& [easy, t] : active) {
      curl_multi_remove_handle(multi, easy);
      curl_easy_cleanup(easy);
      failed.push_back(std::move(t));
    }
    active.clear();
    for (CURL* easy : pool) curl_easy_cleanup(easy);
    pool.clear();
    for (auto& [name, h] : hosts) {
      for (auto& t : h.pending) failed.push_back(std::move(t));
      h.pending.clear();
    }
    std::priority_queue<Timer, std::vector<Timer>, TimerLater> dropped_timers;
    std::swap(dropped_timers, timers);
    std::vector<Timer> dropped_incoming_timers;
    for (;;) {
      for (auto& t : failed) t->complete(shutdown_response());
      failed.clear();
      std::lock_guard lock(mutex);
      dropped_incoming_timers.insert(dropped_incoming_timers.end(),
                                     std::make_move_iterator(incoming_timers.begin()),
                                     std::make_move_iterator(incoming_timers.end()));
      incoming_timers.clear();
      if (incoming.empty()) {
        closed = true;
        break;
      }
      failed.swap(incoming);
    }
    // Timer tasks (and what they capture) are destroyed here, outside the lock.
  }
};

HttpEngine::HttpEngine(HttpEngineOptions options)
    : options_(std::move(options)), impl_(std::make_unique<Impl>(options_)) {}

HttpEngine::~HttpEngine() = default;

void HttpEngine::submit(HttpRequest request, Completion on_done, BodySink sink) {
  impl_->submit(std::make_unique<Transfer>(std::move(request), std::move(on_done), std::move(sink)));
}

const ThrottleStats& HttpEngine::throttle_stats() const { return impl_->throttle; }

void HttpEngine::schedule(std::chrono::steady_clock::duration delay, std::function<void()> task,
                          bool cancellable) {
  impl_->schedule(delay, std::move(task), cancellable);
}

void HttpEngine::cancel() { impl_->cancel(); }

bool HttpEngine::on_loop_thread() const {
  std::lock_guard lock(impl_->mutex);
  return std::this_thread::get_id() == impl_->loop_id;
}

}  // namespace s3tar::s3
