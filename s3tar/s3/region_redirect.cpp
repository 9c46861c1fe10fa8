#include "s3tar/s3/region_redirect.h"

#include <pugixml.hpp>

namespace s3tar::s3 {
namespace {

// <Error><Region>…</Region></Error>, as AuthorizationHeaderMalformed carries it.
std::string region_in_error_body(const std::string& body) {
  if (body.find("<Region>") == std::string::npos) return {};
  pugi::xml_document doc;
  if (!doc.load_buffer(body.data(), body.size())) return {};
  return doc.child("Error").child_value("Region");
}

bool refuses_for_region(Op op, long status, const std::string& code, const std::string& body_region) {
  if (status == 301 || status == 302 || status == 307) return true;
  if (code == "PermanentRedirect" || code == "IllegalLocationConstraintException") return true;
  if (code == "AuthorizationHeaderMalformed" && !body_region.empty()) return true;
  // A HEAD answer has no body to say why: S3 answers 400 to a HEAD signed for the wrong region.
  return (op == Op::HeadObject || op == Op::HeadBucket) && status == 400;
}

}  // namespace

bool valid_region_name(const std::string& r) {
  if (r.empty() || r.size() > 63 || r.front() == '-' || r.back() == '-') return false;
  for (const char c : r) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::optional<std::string> bucket_region_header(const HttpResponse& answer) {
  const auto region = answer.header("x-amz-bucket-region");
  if (!region || !valid_region_name(*region)) return std::nullopt;
  return region;
}

std::optional<WrongRegion> wrong_region(Op op, long status, const std::string& code,
                                        const HttpResponse& answer) {
  if (status == 0) return std::nullopt;
  const std::string body_region = region_in_error_body(answer.body);
  if (!refuses_for_region(op, status, code, body_region)) return std::nullopt;
  WrongRegion w;
  if (auto header = bucket_region_header(answer)) {
    w.region = *header;  // the header wins over the body, as in botocore
  } else if (valid_region_name(body_region)) {
    w.region = body_region;
  }
  return w;
}

void readdress(HttpRequest& request, const Addressing& addressing, const std::string& bucket) {
  const HttpRequest fresh = address_request(addressing, request.method, bucket, "");
  request.host = fresh.host;
  request.base_url = fresh.base_url;
}

std::string BucketRegions::region_of(const std::string& bucket, const std::string& fallback) const {
  std::lock_guard lock(mu_);
  const auto it = regions_.find(bucket);
  return it == regions_.end() ? fallback : it->second;
}

bool BucketRegions::learn(const std::string& bucket, const std::string& region) {
  std::lock_guard lock(mu_);
  auto [it, inserted] = regions_.try_emplace(bucket, region);
  if (inserted) return true;
  if (it->second == region) return false;
  it->second = region;
  return true;
}

}  // namespace s3tar::s3
