// Multipart uploads: create, parts (uploaded or copied), complete (with the recovery of a
// Complete whose success answer was lost), abort.
#include "s3tar/s3/call.h"
#include "s3tar/s3/requests.h"
#include "s3tar/s3/responses.h"
#include "s3tar/s3/sigv4/sigv4.h"

namespace s3tar::s3 {
namespace {

std::string url_of(const std::string& bucket, const std::string& key) { return "s3://" + bucket + "/" + key; }

// A retried Complete answering NoSuchUpload (or, with If-None-Match, 412) may mean that an earlier
// attempt completed the upload and its answer was lost.
bool may_be_lost_success(std::exception_ptr e, const CompleteRequest& request) {
  try {
    std::rethrow_exception(e);
  } catch (const S3Error& s3) {
    return s3.info().attempts >= 2 &&
           (s3.is_no_such_upload() || (request.if_none_match && s3.is_precondition_failed()));
  } catch (...) {
    return false;
  }
}

}  // namespace

std::future<std::string> S3Client::create_multipart_upload(const std::string& bucket, const std::string& key,
                                                           const WriteOptions& options,
                                                           const CallOptions& call_options) {
  auto call = new_call(Op::CreateMultipartUpload, url_of(bucket, key), bucket,
                       new_request("POST", bucket, key), call_options);
  call->request.query = {{"uploads", ""}};
  WriteOptions o = options;
  o.if_none_match = false;  // belongs on Complete
  apply_write_options(call->request, o);
  auto fut = deliver<std::string>(*call, [](HttpResponse& r) { return parse_initiate_upload(r.body); });
  start(call);
  return fut;
}

std::future<std::string> S3Client::upload_part(const std::string& bucket, const std::string& key,
                                               const std::string& upload_id, int part_number,
                                               std::shared_ptr<const std::string> body,
                                               const CallOptions& options) {
  auto call = new_call(Op::UploadPart, url_of(bucket, key) + " part " + std::to_string(part_number), bucket,
                       new_request("PUT", bucket, key), options);
  call->request.query = {{"partNumber", std::to_string(part_number)}, {"uploadId", upload_id}};
  call->request.set_header("Content-MD5", content_md5(*body));
  call->request.set_header("x-amz-content-sha256", std::string(kUnsignedPayload));
  call->request.body = std::move(body);
  // A 200 may carry an <Error> (InternalError): retried like a 500, not taken for a bad answer.
  call->check_embedded_error = true;
  auto fut = deliver<std::string>(*call, [](HttpResponse& r) {
    auto etag = r.header("etag");
    if (!etag) throw MalformedResponse("UploadPart: no ETag in the response");
    return strip_quotes(*etag);
  });
  start(call);
  return fut;
}

std::future<std::string> S3Client::upload_part_copy(const CopyPartRequest& request,
                                                    const CallOptions& options) {
  auto call = new_call(Op::UploadPartCopy, url_of(request.source.bucket, request.source.key), request.bucket,
                       new_request("PUT", request.bucket, request.key), options);
  call->request.query = {{"partNumber", std::to_string(request.part_number)},
                         {"uploadId", request.upload_id}};
  call->request.set_header("x-amz-copy-source", copy_source(request.source));
  if (request.range) call->request.set_header("x-amz-copy-source-range", range_header(*request.range));
  if (!request.if_match.empty())
    call->request.set_header("x-amz-copy-source-if-match", "\"" + request.if_match + "\"");
  call->check_embedded_error = true;
  auto fut = deliver<std::string>(*call, [](HttpResponse& r) { return parse_copy_part_result(r.body); });
  start(call);
  return fut;
}

std::future<std::string> S3Client::complete_multipart_upload(const CompleteRequest& request,
                                                             const CallOptions& options) {
  auto call = new_call(Op::CompleteMultipartUpload, url_of(request.bucket, request.key), request.bucket,
                       new_request("POST", request.bucket, request.key), options);
  call->request.query = {{"uploadId", request.upload_id}};
  if (request.if_none_match) call->request.set_header("If-None-Match", "*");
  if (request.expected_size)
    call->request.set_header("x-amz-mp-object-size", std::to_string(*request.expected_size));
  call->request.body = std::make_shared<const std::string>(complete_body(request.parts));
  call->request.set_header("Content-Type", "application/xml");
  call->check_embedded_error = true;
  std::shared_ptr<std::promise<std::string>> promise;
  auto fut = deliver<std::string>(
      *call, [](HttpResponse& r) { return parse_complete_result(r.body); }, &promise);
  // The object is there when the lost answer was a success: confirm it with HEAD (size and ETag as
  // expected) instead of failing.
  call->fail = [this, fail = call->fail, request, promise](std::exception_ptr error) {
    if (!may_be_lost_success(error, request)) return fail(error);
    auto head = new_call(Op::HeadObject, url_of(request.bucket, request.key), request.bucket,
                         new_request("HEAD", request.bucket, request.key), {});
    head->fail = [fail, error](std::exception_ptr) { fail(error); };
    head->ok = [fail, error, request, promise](HttpResponse&& r) {
      const ObjectInfo oi = parse_object_headers(r.headers);
      const bool size_ok = !request.expected_size || oi.size == *request.expected_size;
      const bool etag_ok = request.expected_etag.empty() || oi.etag == request.expected_etag;
      if (size_ok && etag_ok) return promise->set_value(oi.etag);
      fail(error);
    };
    start(head);
  };
  start(call);
  return fut;
}

std::future<void> S3Client::abort_multipart_upload(const std::string& bucket, const std::string& key,
                                                   const std::string& upload_id, const CallOptions& options) {
  // Always a cleanup call: it must go through after a stop request or under throttling.
  CallOptions cleanup = options;
  cleanup.cleanup = true;
  auto call = new_call(Op::AbortMultipartUpload, url_of(bucket, key), bucket,
                       new_request("DELETE", bucket, key), cleanup);
  call->request.query = {{"uploadId", upload_id}};
  auto fut = deliver<void>(*call, [](HttpResponse&) {});
  start(call);
  return fut;
}

}  // namespace s3tar::s3
