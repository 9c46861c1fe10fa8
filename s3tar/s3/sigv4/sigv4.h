// AWS Signature Version 4 for S3 (header-based), written here rather than CURLOPT_AWS_SIGV4.
//
// S3 flavour of SigV4: the canonical URI is the request's encoded path used as-is (no double
// encoding, no normalisation of "//", "." or ".." segments), and every request carries
// x-amz-content-sha256.
#pragma once

#include <chrono>
#include <span>
#include <string>
#include <string_view>

#include "s3tar/s3/credentials/credentials.h"
#include "s3tar/s3/http/http_message.h"

namespace s3tar::s3 {

inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
// Hex SHA-256 of the empty string: the payload hash of a request without a body.
inline constexpr std::string_view kEmptyPayloadSha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::string sha256_hex(std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view data);  // raw bytes

struct SigningParams {
  std::string region;
  std::string service = "s3";
  std::chrono::system_clock::time_point time;  // truncated to whole seconds
};

// "yyyymmddTHHMMSSZ" (UTC), the x-amz-date format.
std::string amz_date(std::chrono::system_clock::time_point time);

// kSigning = HMAC chain from "AWS4" + secret over date (yyyymmdd), region, service,
// "aws4_request". Raw bytes. sign_request caches these (thread-safe) since the key only
// changes once a day per region.
std::string signing_key(std::string_view secret, std::string_view date, std::string_view region,
                        std::string_view service);

// Pieces exposed for the known-answer tests. Both use the headers present in req; the host
// is req.host (a "Host" entry in req.headers is ignored). Signed: host, every x-amz-*
// header, content-type, content-md5 and range when present, plus any header named in
// extra_signed_headers (lowercase). The payload hash is the x-amz-content-sha256 header
// when present, else the SHA-256 of the body.
std::string signed_headers(const HttpRequest& req, std::span<const std::string> extra_signed_headers = {});
std::string canonical_request(const HttpRequest& req, std::span<const std::string> extra_signed_headers = {});
std::string string_to_sign(std::string_view canonical_request, const SigningParams& params);

// Adds x-amz-date, x-amz-content-sha256 (payload hash; sha256 of the body unless the request
// already carries the header, e.g. UNSIGNED-PAYLOAD), x-amz-security-token when the
// credentials have a session token (removed otherwise), and Authorization (replacing any
// previous one, so a retry can simply be signed again). Signs host and every x-amz-* header,
// plus content-type, content-md5 and range when present.
void sign_request(HttpRequest& req, const Credentials& creds, const SigningParams& params);

}  // namespace s3tar::s3
