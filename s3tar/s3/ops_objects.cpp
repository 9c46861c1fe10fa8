// Object operations: HEAD, GET, PUT, DELETE, CopyObject, tagging.
#include <stdexcept>

#include "s3tar/s3/call.h"
#include "s3tar/s3/requests.h"
#include "s3tar/s3/responses.h"
#include "s3tar/s3/sigv4/sigv4.h"

namespace s3tar::s3 {
namespace {

std::string url_of(const std::string& bucket, const std::string& key) { return "s3://" + bucket + "/" + key; }

// A ranged GET must answer exactly the bytes asked for: a server ignoring Range answers 200 with
// the whole object, which would corrupt the archive. `received`: the body's size, or what the
// last attempt streamed to the sink (a sink may still hold bytes of an earlier attempt).
void check_range(const HttpResponse& r, const ByteRange& range, uint64_t object_size, uint64_t received) {
  if (r.status != 206) throw std::runtime_error("GetObject: server ignored the Range header");
  // A range running past the end answers the bytes up to the end.
  const uint64_t last = std::min(range.last, object_size ? object_size - 1 : 0);
  if (received != last - range.first + 1)
    throw std::runtime_error("GetObject: short read for range " + range_header(range));
}

}  // namespace

std::future<ObjectInfo> S3Client::head_object(const ObjectRef& object, const std::string& if_match,
                                              const CallOptions& options) {
  auto call = new_call(Op::HeadObject, url_of(object.bucket, object.key), object.bucket,
                       new_request("HEAD", object.bucket, object.key), options);
  if (!object.version_id.empty()) call->request.query.emplace_back("versionId", object.version_id);
  if (!if_match.empty()) call->request.set_header("If-Match", "\"" + if_match + "\"");
  auto fut = deliver<ObjectInfo>(*call, [](HttpResponse& r) { return parse_object_headers(r.headers); });
  start(call);
  return fut;
}

std::future<GetResult> S3Client::get_object(GetRequest request, const CallOptions& options) {
  const ObjectRef& object = request.object;
  auto call = new_call(Op::GetObject, url_of(object.bucket, object.key), object.bucket,
                       new_request("GET", object.bucket, object.key), options);
  call->check_embedded_error = false;  // the body is the object's data
  if (!object.version_id.empty()) call->request.query.emplace_back("versionId", object.version_id);
  if (request.range) call->request.set_header("Range", range_header(*request.range));
  if (!request.if_match.empty()) call->request.set_header("If-Match", "\"" + request.if_match + "\"");
  call->sink = std::move(request.sink);
  const std::optional<ByteRange> range = request.range;
  const Call* streamed = call->sink ? call.get() : nullptr;  // the call owns this function
  auto fut = deliver<GetResult>(*call, [range, streamed](HttpResponse& r) {
    GetResult res;
    res.info = parse_object_headers(r.headers);
    if (range) check_range(r, *range, res.info.size, streamed ? streamed->sink_offset : r.body.size());
    res.body = std::move(r.body);
    return res;
  });
  start(call);
  return fut;
}

std::future<std::string> S3Client::put_object(const std::string& bucket, const std::string& key,
                                              std::shared_ptr<const std::string> body,
                                              const WriteOptions& options, const CallOptions& call_options) {
  auto call =
      new_call(Op::PutObject, url_of(bucket, key), bucket, new_request("PUT", bucket, key), call_options);
  apply_write_options(call->request, options);
  call->request.set_header("Content-MD5", content_md5(*body));
  // The signed Content-MD5 protects the body; hashing it again for the signature costs CPU.
  call->request.set_header("x-amz-content-sha256", std::string(kUnsignedPayload));
  call->request.body = std::move(body);
  auto fut = deliver<std::string>(
      *call, [](HttpResponse& r) { return strip_quotes(r.header("etag").value_or("")); });
  start(call);
  return fut;
}

std::future<void> S3Client::delete_object(const ObjectRef& object, const CallOptions& options) {
  auto call = new_call(Op::DeleteObject, url_of(object.bucket, object.key), object.bucket,
                       new_request("DELETE", object.bucket, object.key), options);
  if (!object.version_id.empty()) call->request.query.emplace_back("versionId", object.version_id);
  auto fut = deliver<void>(*call, [](HttpResponse&) {});
  start(call);
  return fut;
}

std::future<std::vector<std::pair<std::string, std::string>>> S3Client::delete_objects(
    const std::string& bucket, const std::vector<std::string>& keys, const CallOptions& options) {
  using Failures = std::vector<std::pair<std::string, std::string>>;
  if (keys.size() > 1000) throw std::invalid_argument("DeleteObjects takes at most 1000 keys");
  auto call = new_call(Op::DeleteObjects, "s3://" + bucket, bucket, new_request("POST", bucket, ""), options);
  call->request.query = {{"delete", ""}};
  auto body = std::make_shared<const std::string>(delete_body(keys));
  call->request.set_header("Content-MD5", content_md5(*body));
  call->request.set_header("Content-Type", "application/xml");
  call->request.body = std::move(body);
  call->check_embedded_error = true;
  auto fut = deliver<Failures>(*call, [](HttpResponse& r) { return parse_delete_result(r.body); });
  start(call);
  return fut;
}

std::future<void> S3Client::put_object_tagging(const ObjectRef& object,
                                               const std::vector<std::pair<std::string, std::string>>& tags,
                                               const CallOptions& options) {
  auto call = new_call(Op::PutObjectTagging, url_of(object.bucket, object.key), object.bucket,
                       new_request("PUT", object.bucket, object.key), options);
  call->request.query = {{"tagging", ""}};
  if (!object.version_id.empty()) call->request.query.emplace_back("versionId", object.version_id);
  auto body = std::make_shared<const std::string>(tagging_body(tags));
  call->request.set_header("Content-MD5", content_md5(*body));
  call->request.set_header("Content-Type", "application/xml");
  call->request.body = std::move(body);
  auto fut = deliver<void>(*call, [](HttpResponse&) {});
  start(call);
  return fut;
}

std::future<std::string> S3Client::copy_object(const ObjectRef& source, const std::string& bucket,
                                               const std::string& key, const WriteOptions& options,
                                               const std::string& if_match, const CallOptions& call_options) {
  auto call = new_call(Op::CopyObject, url_of(source.bucket, source.key), bucket,
                       new_request("PUT", bucket, key), call_options);
  call->request.set_header("x-amz-copy-source", copy_source(source));
  if (!if_match.empty()) call->request.set_header("x-amz-copy-source-if-match", "\"" + if_match + "\"");
  apply_write_options(call->request, options);
  if (!options.metadata.empty() || !options.content_type.empty())
    call->request.set_header("x-amz-metadata-directive", "REPLACE");
  if (!options.tags.empty()) call->request.set_header("x-amz-tagging-directive", "REPLACE");
  call->check_embedded_error = true;
  auto fut = deliver<std::string>(*call, [](HttpResponse& r) { return parse_copy_object_result(r.body); });
  start(call);
  return fut;
}

}  // namespace s3tar::s3
