#include "s3tar/s3/client.h"

#include <openssl/evp.h>

#include <charconv>
#include <chrono>
#include <cstring>
#include <ctime>
#include <pugixml.hpp>
#include <sstream>
#include <thread>

#include "s3tar/s3/addressing.h"
#include "s3tar/s3/credentials/chain_provider.h"
#include "s3tar/s3/credentials/refreshing_provider.h"
#include "s3tar/s3/digest.h"
#include "s3tar/s3/http/transport_failure.h"
#include "s3tar/s3/sigv4/sigv4.h"

namespace s3tar::s3 {

// One operation and its retries. The callbacks run exactly once, on the engine's loop thread
// (or on the caller's thread when the first attempt cannot even be signed).
struct S3Client::Call {
  Op op = Op::GetObject;
  std::string resource;
  HttpRequest request;                // unsigned; every attempt signs a copy
  bool check_embedded_error = false;  // a 200 body may be an <Error> (Copy, Complete)
  std::function<bool(uint64_t, const char*, size_t)> sink;
  uint64_t sink_offset = 0;
  std::function<void(HttpResponse&&)> ok;
  std::function<void(S3ErrorInfo)> fail;
  int attempts = 0;
  int quota_cost = 0;
  bool refreshed_credentials = false;
};

namespace {

const char* const kOpNames[] = {
    "ListObjectsV2",         "HeadObject",           "GetObject",      "PutObject",
    "CreateMultipartUpload", "UploadPart",           "UploadPartCopy", "CompleteMultipartUpload",
    "AbortMultipartUpload",  "ListMultipartUploads", "ListParts",      "DeleteObject",
    "DeleteObjects",         "PutObjectTagging",     "CopyObject"};

std::string content_md5(std::string_view data) { return base64(md5_raw(data)); }

std::string form_encode_pairs(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::string out;
  for (const auto& [k, v] : pairs) {
    if (!out.empty()) out.push_back('&');
    out += uri_encode(k, true) + "=" + uri_encode(v, true);
  }
  return out;
}

struct ParsedUrl {
  std::string scheme, host, port;  // port empty = default
};

ParsedUrl parse_endpoint(const std::string& url) {
  ParsedUrl p;
  const auto sep = url.find("://");
  if (sep == std::string::npos) throw std::invalid_argument("endpoint URL needs a scheme: '" + url + "'");
  p.scheme = url.substr(0, sep);
  std::string rest = url.substr(sep + 3);
  if (auto slash = rest.find('/'); slash != std::string::npos) rest = rest.substr(0, slash);
  if (auto colon = rest.rfind(':'); colon != std::string::npos && rest.find(']') == std::string::npos) {
    p.port = rest.substr(colon + 1);
    rest = rest.substr(0, colon);
  }
  p.host = rest;
  return p;
}

std::string xml_text(const pugi::xml_node& n, const char* child) { return n.child_value(child); }

// Numbers from headers and XML; a malformed one reads as 0 (the size checks then catch it)
// rather than throwing on the engine's loop thread.
uint64_t to_u64(const std::string& s) {
  uint64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

void fill_info_from_headers(const HttpResponse& r, ObjectInfo& info) {
  if (auto v = r.header("etag")) info.etag = strip_quotes(*v);
  if (auto v = r.header("content-length")) info.size = to_u64(*v);
  if (auto v = r.header("content-range")) {  // "bytes 0-9/12345"
    if (auto slash = v->rfind('/'); slash != std::string::npos && v->substr(slash + 1) != "*")
      info.size = to_u64(v->substr(slash + 1));
  }
  if (auto v = r.header("x-amz-storage-class")) info.storage_class = *v;
  if (auto v = r.header("last-modified")) info.last_modified = parse_http_time(*v);
  if (auto v = r.header("x-amz-version-id")) info.version_id = *v;
  if (auto v = r.header("content-type")) info.content_type = *v;
  if (auto v = r.header("x-amz-restore")) info.restore = *v;
  if (auto v = r.header("x-amz-archive-status")) info.archive_status = *v;
  if (auto v = r.header("x-amz-server-side-encryption")) info.server_side_encryption = *v;
  for (const auto& [k, v] : r.headers) {
    if (k.rfind("x-amz-meta-", 0) == 0) info.metadata[k.substr(11)] = v;
  }
}

std::string default_code_for_status(long status) {
  switch (status) {
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

void apply_write_options(HttpRequest& req, const WriteOptions& o) {
  if (!o.storage_class.empty()) req.set_header("x-amz-storage-class", o.storage_class);
  if (!o.content_type.empty()) req.set_header("Content-Type", o.content_type);
  if (!o.sse.empty()) req.set_header("x-amz-server-side-encryption", o.sse);
  if (!o.kms_key_id.empty()) req.set_header("x-amz-server-side-encryption-aws-kms-key-id", o.kms_key_id);
  if (o.bucket_key) req.set_header("x-amz-server-side-encryption-bucket-key-enabled", "true");
  if (!o.tags.empty()) req.set_header("x-amz-tagging", form_encode_pairs(o.tags));
  for (const auto& [k, v] : o.metadata) req.set_header("x-amz-meta-" + k, v);
  if (!o.checksum_algorithm.empty()) req.set_header("x-amz-checksum-algorithm", o.checksum_algorithm);
  if (o.if_none_match) req.set_header("If-None-Match", "*");
}

std::string copy_source(const ObjectRef& src) {
  std::string s = src.bucket + "/" + uri_encode(src.key, false);
  if (!src.version_id.empty()) s += "?versionId=" + uri_encode(src.version_id, true);
  return s;
}

std::string range_header(const ByteRange& r) {
  return "bytes=" + std::to_string(r.first) + "-" + std::to_string(r.last);
}

std::string xml_body(const pugi::xml_document& doc) {
  std::ostringstream os;
  doc.save(os, "", pugi::format_raw | pugi::format_no_declaration);
  return os.str();
}

}  // namespace

const char* op_name(Op op) { return kOpNames[static_cast<int>(op)]; }

std::string strip_quotes(std::string etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') return etag.substr(1, etag.size() - 2);
  if (etag.size() >= 12 && etag.rfind("&quot;", 0) == 0) return etag.substr(6, etag.size() - 12);
  return etag;
}

std::string multipart_etag(const std::vector<std::string>& part_etags_hex) {
  std::string concat;
  concat.reserve(part_etags_hex.size() * 16);
  for (const auto& hex : part_etags_hex) {
    if (hex.size() != 32) throw std::invalid_argument("part ETag is not an MD5: " + hex);
    for (size_t i = 0; i < 32; i += 2)
      concat.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return hex_encode(md5_raw(concat)) + "-" + std::to_string(part_etags_hex.size());
}

int64_t parse_http_time(const std::string& text) {
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!end) end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S", &tm);
  if (!end) return 0;
  return static_cast<int64_t>(timegm(&tm));
}

std::unique_ptr<S3Client> make_default_client(const ConnectionOptions& options) {
  ClientConfig config = resolve_client_config(options);
  auto credentials = make_default_provider(options.profile, config.region);  // STS in the client's region
  return std::make_unique<S3Client>(std::move(config), std::move(credentials));
}

S3Client::S3Client(ClientConfig config, std::shared_ptr<CredentialsProvider> credentials)
    : config_(std::move(config)),
      credentials_(std::move(credentials)),
      quota_(config_.retry),
      rng_(std::random_device{}()),
      engine_(std::make_unique<HttpEngine>(config_.http)) {}

// The engine (the last member) is destroyed first and completes every pending call; those
// completions must not schedule retries on it, hence the flag.
S3Client::~S3Client() { closing_ = true; }

HttpRequest S3Client::new_request(const std::string& method, const std::string& bucket,
                                  const std::string& key) const {
  HttpRequest req;
  req.method = method;
  std::string endpoint = config_.endpoint_url;
  if (endpoint.empty()) {
    endpoint = "https://s3." + config_.region + ".amazonaws.com";
    if (config_.region.rfind("cn-", 0) == 0) endpoint += ".cn";
  }
  const ParsedUrl url = parse_endpoint(endpoint);
  const bool virtual_host = use_virtual_host(config_.path_style, url.scheme, url.host, bucket);
  std::string host = url.host;
  if (virtual_host) host = bucket + "." + host;
  req.host = url.port.empty() ? host : host + ":" + url.port;
  req.base_url = url.scheme + "://" + req.host;
  if (virtual_host || bucket.empty()) {
    req.encoded_path = "/" + uri_encode(key, false);
  } else {
    req.encoded_path = "/" + bucket;
    if (!key.empty()) req.encoded_path += "/" + uri_encode(key, false);
  }
  return req;
}

void S3Client::start(std::shared_ptr<Call> call) { attempt(std::move(call)); }

void S3Client::attempt(std::shared_ptr<Call> call) {
  ++call->attempts;
  counters_.by_op[static_cast<int>(call->op)]++;
  if (call->attempts > 1) counters_.retries++;
  HttpRequest req = call->request;
  try {
    std::optional<Credentials> creds = credentials_->load();
    if (!creds) throw std::runtime_error("no AWS credentials found");
    SigningParams params;
    params.region = config_.region;
    params.time = std::chrono::system_clock::now() + std::chrono::milliseconds(clock_offset_ms_.load());
    sign_request(req, *creds, params);
  } catch (const std::exception& e) {
    S3ErrorInfo info{op_name(call->op), call->resource, 0, "CredentialsError", e.what(), {}, call->attempts};
    call->fail(std::move(info));
    return;
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
  engine_->submit(
      std::move(req), [this, call](HttpResponse&& r) { on_response(call, std::move(r)); }, std::move(sink));
}

void S3Client::on_response(std::shared_ptr<Call> call, HttpResponse&& r) {
  counters_.bytes_received += r.body.size();
  std::string code, message, request_id;
  long status = r.status;
  const bool success_status = status >= 200 && status < 300;
  if (success_status) {
    if (call->check_embedded_error && parse_error_body(r.body, code, message, request_id)) {
      status = 500;  // S3 sends some errors with 200: treat them like a 500 (S3 docs)
    }
  } else if (status != 0) {
    if (!parse_error_body(r.body, code, message, request_id)) code = default_code_for_status(status);
  }
  if (request_id.empty()) request_id = r.header("x-amz-request-id").value_or("");
  const ErrorKind kind = classify_error(status, r.transport_error, code, r.proxy_status, !r.proxy.empty());
  if (kind == ErrorKind::None) {
    quota_.on_success(call->quota_cost);
    call->ok(std::move(r));
    return;
  }
  if (status == 0) {
    code = transport_failure_code(classify_transport_failure(r));  // TLSError, ProxyError, TransportError
    message = r.transport_message;
  }
  bool retry = is_retryable(kind) && call->attempts < config_.retry.max_attempts && !closing_;
  if (kind == ErrorKind::ClockSkew) {
    // Correct our clock from the server's Date header and sign again.
    if (auto date = r.header("date")) {
      const int64_t server = parse_http_time(*date);
      const int64_t local = std::chrono::duration_cast<std::chrono::seconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count();
      if (server > 0) clock_offset_ms_ = (server - local) * 1000;
    }
  }
  if (kind == ErrorKind::ExpiredToken) {
    retry = retry && !call->refreshed_credentials;
    call->refreshed_credentials = true;
    // Temporary credentials expired before the refresh margin: fetch new ones for the retry.
    if (auto* refreshing = dynamic_cast<RefreshingProvider*>(credentials_.get())) refreshing->invalidate();
  }
  if (retry && kind != ErrorKind::ClockSkew && kind != ErrorKind::ExpiredToken) {
    retry = quota_.acquire(kind, call->quota_cost);
  }
  if (!retry) {
    call->fail(S3ErrorInfo{op_name(call->op), call->resource,
                           status == 500 && success_status ? r.status : status, code, message, request_id,
                           call->attempts, is_retryable(kind)});
    return;
  }
  std::chrono::milliseconds delay;
  {
    std::lock_guard lock(rng_mu_);
    delay = backoff_delay(config_.retry, kind, call->attempts, rng_);
  }
  engine_->schedule(delay, [this, call] { attempt(call); });
}

namespace {

// Wires a call's callbacks to a promise: parse runs on success (on the loop thread) and its
// exceptions reach the future; a failed call delivers S3Error.
template <class T, class Parse>
std::future<T> deliver(S3Client::Call& call, Parse parse, std::shared_ptr<std::promise<T>>* keep = nullptr) {
  auto promise = std::make_shared<std::promise<T>>();
  if (keep) *keep = promise;
  call.fail = [promise](S3ErrorInfo info) {
    promise->set_exception(std::make_exception_ptr(S3Error(std::move(info))));
  };
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

}  // namespace

std::future<ListPage> S3Client::list_objects_v2(const std::string& bucket, const std::string& prefix,
                                                const std::string& continuation_token,
                                                const std::string& delimiter, int max_keys) {
  auto call = std::make_shared<Call>();
  call->op = Op::ListObjectsV2;
  call->resource = "s3://" + bucket + "/" + prefix;
  call->request = new_request("GET", bucket, "");
  call->request.query = {{"list-type", "2"}, {"max-keys", std::to_string(max_keys)}};
  if (!prefix.empty()) call->request.query.emplace_back("prefix", prefix);
  if (!delimiter.empty()) call->request.query.emplace_back("delimiter", delimiter);
  if (!continuation_token.empty()) call->request.query.emplace_back("continuation-token", continuation_token);
  auto fut = deliver<ListPage>(*call, [](HttpResponse& r) -> ListPage {
    pugi::xml_document doc;
    if (!doc.load_buffer(r.body.data(), r.body.size())) throw std::runtime_error("ListObjectsV2: bad XML");
    auto root = doc.child("ListBucketResult");
    ListPage page;
    for (auto c : root.children("Contents")) {
      ListedObject o;
      o.key = xml_text(c, "Key");
      o.size = to_u64(xml_text(c, "Size"));
      o.etag = strip_quotes(xml_text(c, "ETag"));
      o.last_modified = parse_http_time(xml_text(c, "LastModified"));
      o.storage_class = xml_text(c, "StorageClass");
      if (o.storage_class.empty()) o.storage_class = "STANDARD";
      page.objects.push_back(std::move(o));
    }
    for (auto p : root.children("CommonPrefixes")) page.common_prefixes.emplace_back(xml_text(p, "Prefix"));
    if (std::string(xml_text(root, "IsTruncated")) == "true")
      page.next_continuation_token = xml_text(root, "NextContinuationToken");
    return page;
  });
  start(call);
  return fut;
}

void S3Client::list_all(const std::string& bucket, const std::string& prefix,
                        const std::function<void(const ListedObject&)>& fn) {
  std::string token;
  do {
    ListPage page = list_objects_v2(bucket, prefix, token).get();
    for (const auto& o : page.objects) fn(o);
    token = page.next_continuation_token;
  } while (!token.empty());
}

std::future<ObjectInfo> S3Client::head_object(const ObjectRef& object, const std::string& if_match) {
  auto call = std::make_shared<Call>();
  call->op = Op::HeadObject;
  call->resource = "s3://" + object.bucket + "/" + object.key;
  call->request = new_request("HEAD", object.bucket, object.key);
  if (!object.version_id.empty()) call->request.query.emplace_back("versionId", object.version_id);
  if (!if_match.empty()) call->request.set_header("If-Match", "\"" + if_match + "\"");
  auto fut = deliver<ObjectInfo>(*call, [](HttpResponse& r) -> ObjectInfo {
    ObjectInfo info;
    fill_info_from_headers(r, info);
    return info;
  });
  start(call);
  return fut;
}

std::future<GetResult> S3Client::get_object(GetRequest request) {
  auto call = std::make_shared<Call>();
  call->op = Op::GetObject;
  call->resource = "s3://" + request.object.bucket + "/" + request.object.key;
  call->request = new_request("GET", request.object.bucket, request.object.key);
  if (!request.object.version_id.empty())
    call->request.query.emplace_back("versionId", request.object.version_id);
  if (request.range) call->request.set_header("Range", range_header(*request.range));
  if (!request.if_match.empty()) call->request.set_header("If-Match", "\"" + request.if_match + "\"");
  call->sink = std::move(request.sink);
  const std::optional<ByteRange> range = request.range;
  auto fut = deliver<GetResult>(*call, [range](HttpResponse& r) -> GetResult {
    GetResult res;
    fill_info_from_headers(r, res.info);
    // A ranged GET must answer exactly the bytes asked for (a server ignoring Range answers 200
    // with the whole object: that would corrupt the archive).
    if (range && r.status != 206) throw std::runtime_error("GetObject: server ignored the Range header");
    if (range && !r.body.empty()) {
      // A range running past the end answers the bytes up to the end.
      const uint64_t last = std::min(range->last, res.info.size ? res.info.size - 1 : 0);
      if (r.body.size() != last - range->first + 1)
        throw std::runtime_error("GetObject: short read for range " + range_header(*range));
    }
    res.body = std::move(r.body);
    return res;
  });
  start(call);
  return fut;
}

std::future<std::string> S3Client::put_object(const std::string& bucket, const std::string& key,
                                              std::shared_ptr<const std::string> body,
                                              const WriteOptions& options) {
  auto call = std::make_shared<Call>();
  call->op = Op::PutObject;
  call->resource = "s3://" + bucket + "/" + key;
  call->request = new_request("PUT", bucket, key);
  apply_write_options(call->request, options);
  call->request.set_header("Content-MD5", content_md5(*body));
  // The signed Content-MD5 protects the body; hashing it again for the signature costs CPU.
  call->request.set_header("x-amz-content-sha256", std::string(kUnsignedPayload));
  call->request.body = std::move(body);
  auto fut = deliver<std::string>(
      *call, [](HttpResponse& r) -> std::string { return strip_quotes(r.header("etag").value_or("")); });
  start(call);
  return fut;
}

std::future<std::string> S3Client::create_multipart_upload(const std::string& bucket, const std::string& key,
                                                           const WriteOptions& options) {
  auto call = std::make_shared<Call>();
  call->op = Op::CreateMultipartUpload;
  call->resource = "s3://" + bucket + "/" + key;
  call->request = new_request("POST", bucket, key);
  call->request.query = {{"uploads", ""}};
  WriteOptions o = options;
  o.if_none_match = false;  // belongs on Complete
  apply_write_options(call->request, o);
  auto fut = deliver<std::string>(*call, [](HttpResponse& r) -> std::string {
    pugi::xml_document doc;
    doc.load_buffer(r.body.data(), r.body.size());
    std::string id = doc.child("InitiateMultipartUploadResult").child_value("UploadId");
    if (id.empty()) throw std::runtime_error("CreateMultipartUpload: no UploadId in the response");
    return id;
  });
  start(call);
  return fut;
}

std::future<std::string> S3Client::upload_part(const std::string& bucket, const std::string& key,
                                               const std::string& upload_id, int part_number,
                                               std::shared_ptr<const std::string> body) {
  auto call = std::make_shared<Call>();
  call->op = Op::UploadPart;
  call->resource = "s3://" + bucket + "/" + key + " part " + std::to_string(part_number);
  call->request = new_request("PUT", bucket, key);
  call->request.query = {{"partNumber", std::to_string(part_number)}, {"uploadId", upload_id}};
  call->request.set_header("Content-MD5", content_md5(*body));
  call->request.set_header("x-amz-content-sha256", std::string(kUnsignedPayload));
  call->request.body = std::move(body);
  auto fut = deliver<std::string>(*call, [](HttpResponse& r) -> std::string {
    auto etag = r.header("etag");
    if (!etag) throw std::runtime_error("UploadPart: no ETag in the response");
    return strip_quotes(*etag);
  });
  start(call);
  return fut;
}

std::future<std::string> S3Client::upload_part_copy(const CopyPartRequest& request) {
  auto call = std::make_shared<Call>();
  call->op = Op::UploadPartCopy;
  call->resource = "s3://" + request.source.bucket + "/" + request.source.key;
  call->request = new_request("PUT", request.bucket, request.key);
  call->request.query = {{"partNumber", std::to_string(request.part_number)},
                         {"uploadId", request.upload_id}};
  call->request.set_header("x-amz-copy-source", copy_source(request.source));
  if (request.range) call->request.set_header("x-amz-copy-source-range", range_header(*request.range));
  if (!request.if_match.empty())
    call->request.set_header("x-amz-copy-source-if-match", "\"" + request.if_match + "\"");
  call->check_embedded_error = true;
  auto fut = deliver<std::string>(*call, [](HttpResponse& r) -> std::string {
    pugi::xml_document doc;
    doc.load_buffer(r.body.data(), r.body.size());
    std::string etag = strip_quotes(doc.child("CopyPartResult").child_value("ETag"));
    if (etag.empty()) throw std::runtime_error("UploadPartCopy: no ETag in the response");
    return etag;
  });
  start(call);
  return fut;
}

std::future<std::string> S3Client::complete_multipart_upload(const CompleteRequest& request) {
  auto call = std::make_shared<Call>();
  call->op = Op::CompleteMultipartUpload;
  call->resource = "s3://" + request.bucket + "/" + request.key;
  call->request = new_request("POST", request.bucket, request.key);
  call->request.query = {{"uploadId", request.upload_id}};
  if (request.if_none_match) call->request.set_header("If-None-Match", "*");
  if (request.expected_size)
    call->request.set_header("x-amz-mp-object-size", std::to_string(*request.expected_size));
  pugi::xml_document doc;
  auto root = doc.append_child("CompleteMultipartUpload");
  for (const auto& p : request.parts) {
    auto part = root.append_child("Part");
    part.append_child("PartNumber").text().set(p.number);
    part.append_child("ETag").text().set(("\"" + p.etag + "\"").c_str());
  }
  call->request.body = std::make_shared<const std::string>(xml_body(doc));
  call->request.set_header("Content-Type", "application/xml");
  call->check_embedded_error = true;
  std::shared_ptr<std::promise<std::string>> promise;
  auto fut = deliver<std::string>(
      *call,
      [](HttpResponse& r) -> std::string {
        pugi::xml_document res;
        res.load_buffer(r.body.data(), r.body.size());
        return strip_quotes(res.child("CompleteMultipartUploadResult").child_value("ETag"));
      },
      &promise);
  // A Complete that succeeded but whose answer was lost is retried and then answers
  // NoSuchUpload: the object is there, so confirm it with HEAD instead of failing.
  auto fail = call->fail;
  call->fail = [this, fail, request, promise](S3ErrorInfo info) {
    // With If-None-Match, the retry of a Complete that worked answers 412 instead.
    const bool lost_success =
        info.attempts >= 2 &&
        (info.code == "NoSuchUpload" || (request.if_none_match && info.code == "PreconditionFailed"));
    if (!lost_success) return fail(std::move(info));
    auto head = std::make_shared<Call>();
    head->op = Op::HeadObject;
    head->resource = "s3://" + request.bucket + "/" + request.key;
    head->request = new_request("HEAD", request.bucket, request.key);
    head->fail = [fail, info](S3ErrorInfo) { fail(info); };
    head->ok = [fail, info, request, promise](HttpResponse&& r) {
      ObjectInfo oi;
      fill_info_from_headers(r, oi);
      const bool size_ok = !request.expected_size || oi.size == *request.expected_size;
      const bool etag_ok = request.expected_etag.empty() || oi.etag == request.expected_etag;
      if (size_ok && etag_ok) {
        promise->set_value(oi.etag);
      } else {
        fail(info);
      }
    };
    start(head);
  };
  start(call);
  return fut;
}

std::future<void> S3Client::abort_multipart_upload(const std::string& bucket, const std::string& key,
                                                   const std::string& upload_id) {
  auto call = std::make_shared<Call>();
  call->op = Op::AbortMultipartUpload;
  call->resource = "s3://" + bucket + "/" + key;
  call->request = new_request("DELETE", bucket, key);
  call->request.query = {{"uploadId", upload_id}};
  auto fut = deliver<void>(*call, [](HttpResponse&) {});
  start(call);
  return fut;
}

std::future<std::vector<UploadInfo>> S3Client::list_multipart_uploads(const std::string& bucket,
                                                                      const std::string& prefix) {
  return std::async(std::launch::async, [this, bucket, prefix] {
    std::vector<UploadInfo> uploads;
    std::string key_marker, id_marker;
    for (;;) {
      auto call = std::make_shared<Call>();
      call->op = Op::ListMultipartUploads;
      call->resource = "s3://" + bucket + "/" + prefix;
      call->request = new_request("GET", bucket, "");
      call->request.query = {{"uploads", ""}};
      if (!prefix.empty()) call->request.query.emplace_back("prefix", prefix);
      if (!key_marker.empty()) call->request.query.emplace_back("key-marker", key_marker);
      if (!id_marker.empty()) call->request.query.emplace_back("upload-id-marker", id_marker);
      auto fut =
          deliver<std::string>(*call, [](HttpResponse& r) -> std::string { return std::move(r.body); });
      start(call);
      const std::string body = fut.get();
      pugi::xml_document doc;
      doc.load_buffer(body.data(), body.size());
      auto root = doc.child("ListMultipartUploadsResult");
      for (auto u : root.children("Upload"))
        uploads.push_back({xml_text(u, "Key"), xml_text(u, "UploadId"), xml_text(u, "Initiated")});
      if (std::string(xml_text(root, "IsTruncated")) != "true") break;
      key_marker = xml_text(root, "NextKeyMarker");
      id_marker = xml_text(root, "NextUploadIdMarker");
      if (key_marker.empty() && id_marker.empty()) break;
    }
    return uploads;
  });
}

std::future<std::vector<PartInfo>> S3Client::list_parts(const std::string& bucket, const std::string& key,
                                                        const std::string& upload_id) {
  return std::async(std::launch::async, [this, bucket, key, upload_id] {
    std::vector<PartInfo> parts;
    std::string marker;
    for (;;) {
      auto call = std::make_shared<Call>();
      call->op = Op::ListParts;
      call->resource = "s3://" + bucket + "/" + key;
      call->request = new_request("GET", bucket, key);
      call->request.query = {{"uploadId", upload_id}};
      if (!marker.empty()) call->request.query.emplace_back("part-number-marker", marker);
      auto fut =
          deliver<std::string>(*call, [](HttpResponse& r) -> std::string { return std::move(r.body); });
      start(call);
      const std::string body = fut.get();
      pugi::xml_document doc;
      doc.load_buffer(body.data(), body.size());
      // The root is ListPartsResult on AWS and RGW but ListPartsResponse on moto; like the SDKs,
      // don't depend on its name (a mismatch silently listed no parts).
      auto root = doc.document_element();
      for (auto p : root.children("Part"))
        parts.push_back({static_cast<int>(to_u64(xml_text(p, "PartNumber"))),
                         strip_quotes(xml_text(p, "ETag")), to_u64(xml_text(p, "Size"))});
      if (std::string(xml_text(root, "IsTruncated")) != "true") break;
      marker = xml_text(root, "NextPartNumberMarker");
      if (marker.empty()) break;
    }
    return parts;
  });
}

std::future<void> S3Client::delete_object(const ObjectRef& object) {
  auto call = std::make_shared<Call>();
  call->op = Op::DeleteObject;
  call->resource = "s3://" + object.bucket + "/" + object.key;
  call->request = new_request("DELETE", object.bucket, object.key);
  if (!object.version_id.empty()) call->request.query.emplace_back("versionId", object.version_id);
  auto fut = deliver<void>(*call, [](HttpResponse&) {});
  start(call);
  return fut;
}

std::future<std::vector<std::pair<std::string, std::string>>> S3Client::delete_objects(
    const std::string& bucket, const std::vector<std::string>& keys) {
  using Failures = std::vector<std::pair<std::string, std::string>>;
  if (keys.size() > 1000) throw std::invalid_argument("DeleteObjects takes at most 1000 keys");
  auto call = std::make_shared<Call>();
  call->op = Op::DeleteObjects;
  call->resource = "s3://" + bucket;
  call->request = new_request("POST", bucket, "");
  call->request.query = {{"delete", ""}};
  pugi::xml_document doc;
  auto root = doc.append_child("Delete");
  root.append_child("Quiet").text().set("true");
  for (const auto& k : keys) root.append_child("Object").append_child("Key").text().set(k.c_str());
  auto body = std::make_shared<const std::string>(xml_body(doc));
  call->request.set_header("Content-MD5", content_md5(*body));
  call->request.set_header("Content-Type", "application/xml");
  call->request.body = std::move(body);
  call->check_embedded_error = true;
  auto fut = deliver<Failures>(*call, [](HttpResponse& r) -> Failures {
    pugi::xml_document res;
    res.load_buffer(r.body.data(), r.body.size());
    Failures failures;
    for (auto e : res.child("DeleteResult").children("Error"))
      failures.emplace_back(xml_text(e, "Key"), xml_text(e, "Code"));
    return failures;
  });
  start(call);
  return fut;
}

std::future<void> S3Client::put_object_tagging(const ObjectRef& object,
                                               const std::vector<std::pair<std::string, std::string>>& tags) {
  auto call = std::make_shared<Call>();
  call->op = Op::PutObjectTagging;
  call->resource = "s3://" + object.bucket + "/" + object.key;
  call->request = new_request("PUT", object.bucket, object.key);
  call->request.query = {{"tagging", ""}};
  if (!object.version_id.empty()) call->request.query.emplace_back("versionId", object.version_id);
  pugi::xml_document doc;
  auto set = doc.append_child("Tagging").append_child("TagSet");
  for (const auto& [k, v] : tags) {
    auto tag = set.append_child("Tag");
    tag.append_child("Key").text().set(k.c_str());
    tag.append_child("Value").text().set(v.c_str());
  }
  auto body = std::make_shared<const std::string>(xml_body(doc));
  call->request.set_header("Content-MD5", content_md5(*body));
  call->request.set_header("Content-Type", "application/xml");
  call->request.body = std::move(body);
  auto fut = deliver<void>(*call, [](HttpResponse&) {});
  start(call);
  return fut;
}

std::future<std::string> S3Client::copy_object(const ObjectRef& source, const std::string& bucket,
                                               const std::string& key, const WriteOptions& options,
                                               const std::string& if_match) {
  auto call = std::make_shared<Call>();
  call->op = Op::CopyObject;
  call->resource = "s3://" + source.bucket + "/" + source.key;
  call->request = new_request("PUT", bucket, key);
  call->request.set_header("x-amz-copy-source", copy_source(source));
  if (!if_match.empty()) call->request.set_header("x-amz-copy-source-if-match", "\"" + if_match + "\"");
  apply_write_options(call->request, options);
  if (!options.metadata.empty() || !options.content_type.empty())
    call->request.set_header("x-amz-metadata-directive", "REPLACE");
  if (!options.tags.empty()) call->request.set_header("x-amz-tagging-directive", "REPLACE");
  call->check_embedded_error = true;
  auto fut = deliver<std::string>(*call, [](HttpResponse& r) -> std::string {
    pugi::xml_document res;
    res.load_buffer(r.body.data(), r.body.size());
    return strip_quotes(res.child("CopyObjectResult").child_value("ETag"));
  });
  start(call);
  return fut;
}

}  // namespace s3tar::s3
