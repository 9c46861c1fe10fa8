// AWS Signature Version 4 for S3 (header-based), written here rather than CURLOPT_AWS_SIGV4.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "s3tar/s3/credentials/credentials.h"
#include "s3tar/s3/http/http_message.h"

namespace s3tar::s3 {

inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

std::string sha256_hex(std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view data);  // raw bytes
std::string hex_encode(std::string_view bytes);

struct SigningParams {
  std::string region;
  std::string service = "s3";
  std::chrono::system_clock::time_point time;
};

// Pieces exposed for the known-answer tests.
std::string canonical_request(const HttpRequest& req);  // uses the headers present in req
std::string string_to_sign(std::string_view canonical_request, const SigningParams& params);

// Adds x-amz-date, x-amz-content-sha256 (payload hash; sha256 of the body unless the request
// already carries the header, e.g. UNSIGNED-PAYLOAD), x-amz-security-token when the
// credentials have a session token, and Authorization. Signs host and every x-amz-* header,
// plus content-type, content-md5 and range when present.
void sign_request(HttpRequest& req, const Credentials& creds, const SigningParams& params);

}  // namespace s3tar::s3
