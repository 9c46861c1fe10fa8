// Listings: objects, multipart uploads, the parts of an upload.
#include "s3tar/s3/call.h"
#include "s3tar/s3/responses.h"

namespace s3tar::s3 {

std::future<ListPage> S3Client::list_objects_v2(const std::string& bucket, const std::string& prefix,
                                                const std::string& continuation_token,
                                                const std::string& delimiter, int max_keys,
                                                const std::string& start_after, const CallOptions& options) {
  auto call = new_call(Op::ListObjectsV2, "s3://" + bucket + "/" + prefix, bucket,
                       new_request("GET", bucket, ""), options);
  call->request.query = {{"list-type", "2"}, {"max-keys", std::to_string(max_keys)}};
  if (!prefix.empty()) call->request.query.emplace_back("prefix", prefix);
  if (!delimiter.empty()) call->request.query.emplace_back("delimiter", delimiter);
  if (!continuation_token.empty()) call->request.query.emplace_back("continuation-token", continuation_token);
  if (!start_after.empty()) call->request.query.emplace_back("start-after", start_after);
  auto fut = deliver<ListPage>(*call, [](HttpResponse& r) { return parse_list_objects(r.body); });
  start(call);
  return fut;
}

void S3Client::list_pages(const std::string& bucket, const std::string& prefix, const std::string& delimiter,
                          const std::function<void(ListPage&)>& fn) {
  std::string token;
  do {
    ListPage page = list_objects_v2(bucket, prefix, token, delimiter).get();
    token = std::move(page.next_continuation_token);
    fn(page);
  } while (!token.empty());
}

void S3Client::list_all(const std::string& bucket, const std::string& prefix,
                        const std::function<void(const ListedObject&)>& fn) {
  list_pages(bucket, prefix, "", [&](ListPage& page) {
    for (const auto& o : page.objects) fn(o);
  });
}

// One page of a paged listing (blocking): its body.
std::string S3Client::list_page(Op op, const std::string& resource, const std::string& bucket,
                                HttpRequest request, const CallOptions& options) {
  auto call = new_call(op, resource, bucket, std::move(request), options);
  auto fut = deliver<std::string>(*call, [](HttpResponse& r) { return std::move(r.body); });
  start(call);
  return fut.get();
}

std::future<std::vector<UploadInfo>> S3Client::list_multipart_uploads(const std::string& bucket,
                                                                      const std::string& prefix,
                                                                      const CallOptions& options) {
  return std::async(std::launch::async, [this, bucket, prefix, options] {
    std::vector<UploadInfo> uploads;
    std::string key_marker, id_marker;
    for (;;) {
      HttpRequest req = new_request("GET", bucket, "");
      req.query = {{"uploads", ""}};
      if (!prefix.empty()) req.query.emplace_back("prefix", prefix);
      if (!key_marker.empty()) req.query.emplace_back("key-marker", key_marker);
      if (!id_marker.empty()) req.query.emplace_back("upload-id-marker", id_marker);
      UploadsPage page = parse_list_uploads(
          list_page(Op::ListMultipartUploads, "s3://" + bucket + "/" + prefix, bucket, req, options));
      for (auto& u : page.uploads) uploads.push_back(std::move(u));
      if (!page.truncated) break;
      key_marker = page.next_key_marker;
      id_marker = page.next_upload_id_marker;
      if (key_marker.empty() && id_marker.empty()) break;
    }
    return uploads;
  });
}

std::future<std::vector<PartInfo>> S3Client::list_parts(const std::string& bucket, const std::string& key,
                                                        const std::string& upload_id,
                                                        const CallOptions& options) {
  return std::async(std::launch::async, [this, bucket, key, upload_id, options] {
    std::vector<PartInfo> parts;
    std::string marker;
    for (;;) {
      HttpRequest req = new_request("GET", bucket, key);
      req.query = {{"uploadId", upload_id}};
      if (!marker.empty()) req.query.emplace_back("part-number-marker", marker);
      PartsPage page =
          parse_list_parts(list_page(Op::ListParts, "s3://" + bucket + "/" + key, bucket, req, options));
      for (auto& p : page.parts) parts.push_back(std::move(p));
      if (!page.truncated) break;
      marker = page.next_part_number_marker;
      if (marker.empty()) break;
    }
    return parts;
  });
}

}  // namespace s3tar::s3
