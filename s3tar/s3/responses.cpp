#include "s3tar/s3/responses.h"

#include <charconv>
#include <pugixml.hpp>

#include "s3tar/s3/etag.h"
#include "s3tar/s3/http_time.h"

namespace s3tar::s3 {
namespace {

// Numbers from headers and XML; a malformed one reads as 0.
uint64_t to_u64(std::string_view s) {
  uint64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

std::string text(const pugi::xml_node& n, const char* child) { return n.child_value(child); }

// Loads an XML body; throws MalformedResponse naming the operation when it is not XML.
void load(pugi::xml_document& doc, std::string_view body, const char* operation) {
  if (!doc.load_buffer(body.data(), body.size()))
    throw MalformedResponse(std::string(operation) + ": the response is not XML");
}

pugi::xml_node root_named(const pugi::xml_document& doc, const char* name, const char* operation) {
  pugi::xml_node root = doc.child(name);
  if (!root) throw MalformedResponse(std::string(operation) + ": the response has no <" + name + ">");
  return root;
}

bool is_true(const pugi::xml_node& n, const char* child) { return text(n, child) == "true"; }

}  // namespace

bool parse_error_body(std::string_view body, std::string& code, std::string& message,
                      std::string& request_id) {
  // Cheap pre-check: most 200 bodies are not errors and some are large listings.
  if (body.find("<Error") == std::string_view::npos) return false;
  pugi::xml_document doc;
  if (!doc.load_buffer(body.data(), body.size())) return false;
  pugi::xml_node err = doc.child("Error");
  if (!err) return false;
  code = err.child_value("Code");
  message = err.child_value("Message");
  request_id = err.child_value("RequestId");
  return !code.empty();
}

ListPage parse_list_objects(std::string_view body) {
  pugi::xml_document doc;
  load(doc, body, "ListObjectsV2");
  const pugi::xml_node root = root_named(doc, "ListBucketResult", "ListObjectsV2");
  ListPage page;
  for (auto c : root.children("Contents")) {
    ListedObject o;
    o.key = text(c, "Key");
    o.size = to_u64(text(c, "Size"));
    o.etag = strip_quotes(text(c, "ETag"));
    o.last_modified = parse_http_time(text(c, "LastModified"));
    o.storage_class = text(c, "StorageClass");
    if (o.storage_class.empty()) o.storage_class = "STANDARD";
    page.objects.push_back(std::move(o));
  }
  for (auto p : root.children("CommonPrefixes")) page.common_prefixes.emplace_back(text(p, "Prefix"));
  if (is_true(root, "IsTruncated")) page.next_continuation_token = text(root, "NextContinuationToken");
  return page;
}

std::string parse_initiate_upload(std::string_view body) {
  pugi::xml_document doc;
  doc.load_buffer(body.data(), body.size());
  std::string id = doc.child("InitiateMultipartUploadResult").child_value("UploadId");
  if (id.empty()) throw MalformedResponse("CreateMultipartUpload: no UploadId in the response");
  return id;
}

std::string parse_copy_part_result(std::string_view body) {
  pugi::xml_document doc;
  doc.load_buffer(body.data(), body.size());
  std::string etag = strip_quotes(doc.child("CopyPartResult").child_value("ETag"));
  if (etag.empty()) throw MalformedResponse("UploadPartCopy: no ETag in the response");
  return etag;
}

std::string parse_copy_object_result(std::string_view body) {
  pugi::xml_document doc;
  doc.load_buffer(body.data(), body.size());
  return strip_quotes(doc.child("CopyObjectResult").child_value("ETag"));
}

std::string parse_complete_result(std::string_view body) {
  pugi::xml_document doc;
  doc.load_buffer(body.data(), body.size());
  return strip_quotes(doc.child("CompleteMultipartUploadResult").child_value("ETag"));
}

UploadsPage parse_list_uploads(std::string_view body) {
  pugi::xml_document doc;
  load(doc, body, "ListMultipartUploads");
  const pugi::xml_node root = doc.document_element();  // the root's name differs between servers
  UploadsPage page;
  for (auto u : root.children("Upload"))
    page.uploads.push_back({text(u, "Key"), text(u, "UploadId"), text(u, "Initiated")});
  page.truncated = is_true(root, "IsTruncated");
  page.next_key_marker = text(root, "NextKeyMarker");
  page.next_upload_id_marker = text(root, "NextUploadIdMarker");
  return page;
}

PartsPage parse_list_parts(std::string_view body) {
  pugi::xml_document doc;
  load(doc, body, "ListParts");
  const pugi::xml_node root = doc.document_element();
  PartsPage page;
  for (auto p : root.children("Part"))
    page.parts.push_back({static_cast<int>(to_u64(text(p, "PartNumber"))), strip_quotes(text(p, "ETag")),
                          to_u64(text(p, "Size"))});
  page.truncated = is_true(root, "IsTruncated");
  page.next_part_number_marker = text(root, "NextPartNumberMarker");
  return page;
}

std::vector<std::pair<std::string, std::string>> parse_delete_result(std::string_view body) {
  pugi::xml_document doc;
  doc.load_buffer(body.data(), body.size());
  std::vector<std::pair<std::string, std::string>> failures;
  for (auto e : doc.child("DeleteResult").children("Error"))
    failures.emplace_back(text(e, "Key"), text(e, "Code"));
  return failures;
}

ObjectInfo parse_object_headers(const HeaderList& headers) {
  auto header = [&](std::string_view name) { return find_header(headers, name); };
  ObjectInfo info;
  if (auto v = header("etag")) info.etag = strip_quotes(*v);
  if (auto v = header("content-length")) info.size = to_u64(*v);
  if (auto v = header("content-range")) {  // "bytes 0-9/12345": the total is the object's size
    if (auto slash = v->rfind('/'); slash != std::string::npos && v->substr(slash + 1) != "*")
      info.size = to_u64(std::string_view(*v).substr(slash + 1));
  }
  if (auto v = header("x-amz-storage-class")) info.storage_class = *v;
  if (auto v = header("last-modified")) info.last_modified = parse_http_time(*v);
  if (auto v = header("x-amz-version-id")) info.version_id = *v;
  if (auto v = header("content-type")) info.content_type = *v;
  if (auto v = header("x-amz-restore")) info.restore = *v;
  if (auto v = header("x-amz-archive-status")) info.archive_status = *v;
  if (auto v = header("x-amz-server-side-encryption")) info.server_side_encryption = *v;
  for (const auto& [k, v] : headers) {
    if (k.rfind("x-amz-meta-", 0) == 0) info.metadata[k.substr(11)] = v;
  }
  return info;
}

}  // namespace s3tar::s3
