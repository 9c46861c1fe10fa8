#include "s3tar/s3/requests.h"

#include <pugixml.hpp>
#include <sstream>

#include "s3tar/s3/digest.h"

namespace s3tar::s3 {
namespace {

std::string xml_string(const pugi::xml_document& doc) {
  std::ostringstream os;
  doc.save(os, "", pugi::format_raw | pugi::format_no_declaration);
  return os.str();
}

}  // namespace

std::string complete_body(const std::vector<CompletedPart>& parts) {
  pugi::xml_document doc;
  auto root = doc.append_child("CompleteMultipartUpload");
  for (const auto& p : parts) {
    auto part = root.append_child("Part");
    part.append_child("PartNumber").text().set(p.number);
    part.append_child("ETag").text().set(("\"" + p.etag + "\"").c_str());
  }
  return xml_string(doc);
}

std::string delete_body(const std::vector<std::string>& keys) {
  pugi::xml_document doc;
  auto root = doc.append_child("Delete");
  root.append_child("Quiet").text().set("true");
  for (const auto& k : keys) root.append_child("Object").append_child("Key").text().set(k.c_str());
  return xml_string(doc);
}

std::string tagging_body(const std::vector<std::pair<std::string, std::string>>& tags) {
  pugi::xml_document doc;
  auto set = doc.append_child("Tagging").append_child("TagSet");
  for (const auto& [k, v] : tags) {
    auto tag = set.append_child("Tag");
    tag.append_child("Key").text().set(k.c_str());
    tag.append_child("Value").text().set(v.c_str());
  }
  return xml_string(doc);
}

std::string copy_source(const ObjectRef& src) {
  std::string s = src.bucket + "/" + uri_encode(src.key, false);
  if (!src.version_id.empty()) s += "?versionId=" + uri_encode(src.version_id, true);
  return s;
}

std::string range_header(const ByteRange& r) {
  return "bytes=" + std::to_string(r.first) + "-" + std::to_string(r.last);
}

std::string form_encode_pairs(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::string out;
  for (const auto& [k, v] : pairs) {
    if (!out.empty()) out.push_back('&');
    out += uri_encode(k, true) + "=" + uri_encode(v, true);
  }
  return out;
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

std::string content_md5(std::string_view data) { return base64(md5_raw(data)); }

}  // namespace s3tar::s3
