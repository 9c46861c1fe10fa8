#include "s3tar/s3/client.h"

#include <curl/curl.h>

#include <chrono>

#include "s3tar/log/log.h"
#include "s3tar/s3/call.h"
#include "s3tar/s3/credentials/chain_provider.h"
#include "s3tar/s3/credentials/refreshing_provider.h"
#include "s3tar/s3/endpoint.h"
#include "s3tar/s3/http/transport_failure.h"
#include "s3tar/s3/responses.h"
#include "s3tar/s3/serial_worker.h"
#include "s3tar/s3/sigv4/sigv4.h"

namespace s3tar::s3 {
namespace {

const char* const kOpNames[] = {
    "ListObjectsV2",         "HeadObject",           "GetObject",      "PutObject",
    "CreateMultipartUpload", "UploadPart",           "UploadPartCopy", "CompleteMultipartUpload",
    "AbortMultipartUpload",  "ListMultipartUploads", "ListParts",      "DeleteObject",
    "DeleteObjects",         "PutObjectTagging",     "CopyObject",     "HeadBucket",
    "RestoreObject"};
static_assert(std::size(kOpNames) == static_cast<size_t>(Op::Count));

std::string default_code_for_status(long status) {
  switch (status) {
    case 301:
      return "PermanentRedirect";  // a HEAD for a bucket in another region has no body to say so
    case 304:
      return "NotModified";
    case 400:
      return "BadRequest";
    case 403:
      return "AccessDenied";
    case 404:
      return "NotFound";
    case 405:
      return "MethodNotAllowed";
    case 409:
      return "Conflict";
    case 412:
      return "PreconditionFailed";
    case 416:
      return "InvalidRange";
    case 429:
      return "TooManyRequests";
    case 500:
      return "InternalError";
    case 501:
      return "NotImplemented";
    case 503:
      return "ServiceUnavailable";
    default:
      return status == 0 ? "TransportError" : "HTTP" + std::to_string(status);
  }
}

// What one attempt's response says, read once.
struct Answer {
  long status = 0;  // 500 for a 200 carrying an <Error> (S3 docs: treat it like a 500)
  std::string code, message, request_id;
  ErrorKind kind = ErrorKind::None;
};

Answer read_answer(const HttpResponse& r, bool check_embedded_error) {
  Answer a;
  a.status = r.status;
  if (r.status >= 200 && r.status < 300) {
    if (check_embedded_error && parse_error_body(r.body, a.code, a.message, a.request_id)) a.status = 500;
  } else if (r.status != 0) {
    if (!parse_error_body(r.body, a.code, a.message, a.request_id))
      a.code = default_code_for_status(r.status);
  }
  if (a.request_id.empty()) a.request_id = r.header("x-amz-request-id").value_or("");
  a.kind = classify_error(a.status, r.transport_error, a.code, r.proxy_status, !r.proxy.empty());
  if (r.status == 0) {
    a.code = transport_failure_code(classify_transport_failure(r));  // TLSError, ProxyError, TransportError
    a.message = r.transport_message;
  }
  return a;
}

// A failed attempt the server may have carried out unseen: no answer after the request may have
// left (anything but a failed connect or name lookup), or a server error. For a Create, a retry
// may then leave an upload nobody knows the id of.
bool may_have_taken_effect(const HttpResponse& r, long answer_status) {
  if (r.status == 0) {
    return r.transport_error != CURLE_COULDNT_CONNECT && r.transport_error != CURLE_COULDNT_RESOLVE_HOST &&
           r.transport_error != CURLE_COULDNT_RESOLVE_PROXY;
  }
  return answer_status >= 500;
}

// The engine's options, watching the client's stop flag too.
HttpEngineOptions engine_options(const ClientConfig& config) {
  HttpEngineOptions o = config.http;
  if (!o.stop_flag) o.stop_flag = config.stop_flag;
  return o;
}

// "HTTP 503 SlowDown", "no response from http://...: Could not resolve host: ...".
std::string describe_cause(const Answer& a) {
  if (a.status == 0) return a.message;
  std::string s = "HTTP " + std::to_string(a.status);
  if (!a.code.empty()) s += " " + a.code;
  return s;
}

}  // namespace

const char* op_name(Op op) { return kOpNames[static_cast<int>(op)]; }

std::unique_ptr<S3Client> make_default_client(const ConnectionOptions& options) {
  ClientConfig config = resolve_client_config(options);
  auto credentials = make_default_provider(options.profile, config.region);  // STS in the client's region
  return std::make_unique<S3Client>(std::move(config), std::move(credentials));
}

S3Client::S3Client(ClientConfig config, std::shared_ptr<CredentialsProvider> credentials)
    : config_(std::move(config)),
      credentials_(std::move(credentials)),
      retry_(config_.retry, config_.stop_flag),
      credentials_worker_(std::make_unique<SerialWorker>()),
      engine_(std::make_unique<HttpEngine>(engine_options(config_))) {}

// The engine (the last member) is destroyed first and completes every pending call; those
// completions must not schedule retries on it, hence the flag.
S3Client::~S3Client() {
  closing_ = true;
  credentials_worker_.reset();  // before the engine: its tasks submit to it
}

void S3Client::cancel() {
  retry_.stop();
  engine_->cancel();
}

// A stop request ended the call before or between its attempts.
std::exception_ptr S3Client::cancelled_error(const Call& call) const {
  S3ErrorInfo info;
  info.operation = op_name(call.op);
  info.resource = call.resource;
  info.code = "Cancelled";
  info.attempts = call.retry.attempts;
  info.ambiguous = call.ambiguous;
  info.cancelled = true;
  return std::make_exception_ptr(S3Error(info));
}

HttpRequest S3Client::new_request(const std::string& method, const std::string& bucket,
                                  const std::string& key) const {
  return address_request({config_.endpoint_url, config_.region, config_.path_style}, method, bucket, key);
}

std::shared_ptr<S3Client::Call> S3Client::new_call(Op op, std::string resource, const std::string& bucket,
                                                   HttpRequest request, const CallOptions& options) {
  auto call = std::make_shared<Call>();
  call->op = op;
  call->resource = std::move(resource);
  call->bucket = bucket;
  call->request = std::move(request);
  call->region = bucket.empty() ? config_.region : bucket_regions_.region_of(bucket, config_.region);
  if (call->region != config_.region)
    readdress(call->request, {config_.endpoint_url, call->region, config_.path_style}, bucket);
  call->retry = retry_.begin(options.cleanup);
  call->report = options.report;
  return call;
}

void S3Client::start(std::shared_ptr<Call> call) { attempt(call); }

void S3Client::attempt(const std::shared_ptr<Call>& call) {
  if (!call->retry.cleanup && retry_.stopped()) return call->give_up(cancelled_error(*call));
  ++call->retry.attempts;
  counters_.by_op[static_cast<int>(call->op)]++;
  if (call->retry.attempts > 1) counters_.retries++;
  if (engine_->on_loop_thread()) {
    // A retry or a follow-up call: never wait for a credentials reload here, it would stall every
    // transfer in flight. The cache answers at once, or the reload happens on the worker.
    if (auto ready = credentials_->load_if_ready()) return send(call, *ready);
    return credentials_worker_->post([this, call] {
      if (closing_) return call->give_up(cancelled_error(*call));
      if (auto creds = load_credentials(*call)) send(call, *creds);
    });
  }
  if (auto creds = load_credentials(*call)) send(call, *creds);
}

// The credentials for an attempt; nullopt when the call gave up for want of them.
std::optional<Credentials> S3Client::load_credentials(Call& call) {
  try {
    auto creds = credentials_->load();
    if (!creds) throw CredentialsError("no AWS credentials found");
    return creds;
  } catch (const s3tar::Error&) {
    call.give_up(std::current_exception());
  } catch (const std::exception& e) {
    call.give_up(std::make_exception_ptr(CredentialsError(std::string("AWS credentials: ") + e.what())));
  }
  return std::nullopt;
}

// Signs one attempt of the call with creds and hands it to the engine.
void S3Client::send(const std::shared_ptr<Call>& call, const Credentials& creds) {
  HttpRequest req = call->request;
  req.cancellable = !call->retry.cleanup;
  SigningParams params;
  params.region = call->region;
  params.time = std::chrono::system_clock::now() + std::chrono::milliseconds(clock_offset_ms_.load());
  try {
    sign_request(req, creds, params);
  } catch (...) {
    return call->give_up(std::current_exception());
  }
  if (req.body) counters_.bytes_sent += req.body->size();
  BodySink sink;
  if (call->sink) {
    call->sink_offset = 0;
    sink = [this, call](const char* data, size_t n) {
      counters_.bytes_received += n;  // streamed bytes never reach the response body
      const bool go_on = call->sink(call->sink_offset, data, n);
      call->sink_offset += n;
      return go_on;
    };
  }
  call->sent_at = std::chrono::steady_clock::now();
  engine_->submit(
      std::move(req), [this, call](HttpResponse&& r) { on_response(call, std::move(r)); }, std::move(sink));
}

void S3Client::on_response(const std::shared_ptr<Call>& call, HttpResponse&& r) {
  counters_.bytes_received += r.body.size();
  if (call->any_answer) {
    log_request(*call, r, {});
    return call->succeed(std::move(r));
  }
  const Answer a = read_answer(r, call->check_embedded_error);
  log_request(*call, r, a.request_id);
  if (a.kind == ErrorKind::None) {
    retry_.on_success(call->retry);
    return call->succeed(std::move(r));
  }
  if (may_have_taken_effect(r, a.status)) call->ambiguous = true;
  const auto error = [&] {
    S3ErrorInfo info{op_name(call->op),
                     call->resource,
                     a.status == 500 ? r.status : a.status,
                     a.code,
                     a.message.empty() && r.header("x-amz-bucket-region")
                         ? "the bucket is in region " + *r.header("x-amz-bucket-region")
                         : a.message,
                     a.request_id,
                     call->retry.attempts,
                     is_retryable(a.kind),
                     call->ambiguous};
    return std::make_exception_ptr(S3Error(info));
  };
  if (!closing_ && !call->redirected && !call->bucket.empty()) {
    if (const auto wrong = wrong_region(call->op, r.status, a.code, r))
      return redirect(call, *wrong, error());
  }
  if (a.kind == ErrorKind::ClockSkew) correct_clock(r);
  if (a.kind == ErrorKind::ExpiredToken) {
    // Temporary credentials expired before the refresh margin: fetch new ones for the retry.
    if (auto* refreshing = dynamic_cast<RefreshingProvider*>(credentials_.get())) refreshing->invalidate();
  }
  if (!call->retry.cleanup && (HttpEngine::is_cancelled(r) || (retry_.stopped() && is_retryable(a.kind))))
    return call->give_up(cancelled_error(*call));
  RetryDecision decision;
  if (!closing_) decision = retry_.on_failure(call->retry, a.kind);
  if (!decision.retry) return call->give_up(error());
  log::debug("s3.retry",
             std::string(op_name(call->op)) + " " + call->resource + ": attempt " +
                 std::to_string(call->retry.attempts) + " failed (" + describe_cause(a) + "), retrying in " +
                 std::to_string(decision.delay.count()) + " ms",
             {{"operation", op_name(call->op)},
              {"resource", call->resource},
              {"attempt", call->retry.attempts},
              {"cause", describe_cause(a)},
              {"wait_ms", decision.delay.count()}});
  retry_later(call, decision.delay);
}

// One line per attempt at the trace level (--debug, -vv): what was asked, what came back, how
// long it took. Only the method, path and query: never a header (Authorization, the token).
void S3Client::log_request(const Call& call, const HttpResponse& r, const std::string& request_id) const {
  if (!log::enabled(log::Level::Trace)) return;
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - call.sent_at)
          .count();
  std::string target = call.request.encoded_path;
  if (!call.request.query.empty()) target += "?" + canonical_query(call.request.query);
  std::string id = request_id.empty() ? r.header("x-amz-request-id").value_or("") : request_id;
  log::write(log::Level::Trace, "s3.request",
             call.request.method + " " + target + " -> " +
                 (r.status != 0 ? std::to_string(r.status) : "no response: " + r.transport_message) + " in " +
                 std::to_string(ms) + " ms",
             {{"operation", op_name(call.op)},
              {"method", call.request.method},
              {"path", target},
              {"status", r.status},
              {"request_id", id},
              {"ms", ms},
              {"attempt", call.retry.attempts}});
}

void S3Client::redirect(const std::shared_ptr<Call>& call, const WrongRegion& wrong,
                        std::exception_ptr refused) {
  call->redirected = true;
  if (!wrong.region.empty()) return follow_region(call, wrong.region, std::move(refused));
  // The answer does not name the region: a HEAD on the bucket does, whatever its status.
  auto head = new_call(Op::HeadBucket, "s3://" + call->bucket, call->bucket,
                       new_request("HEAD", call->bucket, ""), {.cleanup = call->retry.cleanup});
  head->any_answer = true;
  head->redirected = true;
  head->ok = [this, call, refused](HttpResponse&& answer) {
    const auto region = bucket_region_header(answer);
    if (!region) return call->give_up(refused);
    follow_region(call, *region, refused);
  };
  head->fail = [call, refused](std::exception_ptr) { call->give_up(refused); };
  start(head);
}

// Sends the call again, at once, for the bucket's region; the refused attempt does not count
// against max_attempts (it cannot have taken effect).
void S3Client::follow_region(const std::shared_ptr<Call>& call, const std::string& region,
                             std::exception_ptr refused) {
  if (region == call->region || !retry_.may_send(call->retry)) return call->give_up(std::move(refused));
  if (bucket_regions_.learn(call->bucket, region)) {
    log::debug("s3.region_redirect",
               "s3://" + call->bucket + " is in region " + region + ", not " + call->region +
                   ": sending its requests there (setting the region saves this detour)",
               {{"bucket", call->bucket},
                {"region", region},
                {"from_region", call->region},
                {"operation", op_name(call->op)}});
  }
  call->region = region;
  readdress(call->request, {config_.endpoint_url, region, config_.path_style}, call->bucket);
  --call->retry.attempts;
  attempt(call);
}

void S3Client::retry_later(const std::shared_ptr<Call>& call, std::chrono::milliseconds delay) {
  // A stop request ends the wait at once (attempt() then gives up).
  engine_->schedule(
      delay, [this, call] { attempt(call); }, !call->retry.cleanup);
}

// Corrects our clock from the server's Date header, for the next signatures.
void S3Client::correct_clock(const HttpResponse& r) {
  const auto date = r.header("date");
  if (!date) return;
  const int64_t server = parse_http_time(*date);
  const int64_t local =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  if (server > 0) clock_offset_ms_ = (server - local) * 1000;
}

}  // namespace s3tar::s3
