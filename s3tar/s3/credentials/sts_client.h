// The STS calls of the credentials chain: AssumeRole (signed with the source credentials, SigV4
// service "sts") and AssumeRoleWithWebIdentity (unsigned). Form-encoded POSTs answered in XML.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "s3tar/s3/credentials/credentials.h"
#include "s3tar/s3/credentials/service_endpoints.h"

namespace s3tar::s3 {

struct StsRequest {
  std::string action;                                       // "AssumeRole"
  std::vector<std::pair<std::string, std::string>> params;  // RoleArn, RoleSessionName, ... (raw values)
  std::optional<Credentials> signer;                        // nullopt: unsigned
  ServiceEndpoint endpoint;
  std::string ca_bundle;             // empty: the system's CAs
  std::string context;               // what is being done, for messages: "STS AssumeRole of role '...'"
  std::vector<std::string> secrets;  // values sent that must never appear in a message (tokens)
  std::chrono::milliseconds timeout{10'000};
  int max_attempts = 3;
};

// Sends the request and returns the credentials of <ActionResult><Credentials> (provider left
// empty). STS's refusals (4xx: AccessDenied, ExpiredToken, InvalidIdentityToken, ...) are a
// CredentialsError naming the code and message. Transport errors, 5xx, throttling and
// IDPCommunicationError are retried with back-off; when the attempts run out, a
// CredentialsTransientError.
Credentials sts_call(const StsRequest& request);

// Builds the signed request (exposed for tests): "POST <endpoint>/" with the form body.
struct SignedStsRequest {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // Host, Content-Type, X-Amz-*, Authorization
  std::string body;
};
SignedStsRequest sign_sts_request(const StsRequest& request, std::chrono::system_clock::time_point now);

}  // namespace s3tar::s3
