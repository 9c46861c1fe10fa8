// A client for tests against the scripted peer: fixed test keys, path-style addressing on the
// peer's port, fast retries.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "s3tar/s3/client.h"
#include "tests/unit/http/scripted_peer.h"

namespace s3tar::testing {

class StaticKeys : public s3::CredentialsProvider {
 public:
  std::optional<s3::Credentials> load() override {
    s3::Credentials c;
    c.access_key_id = "AKIDEXAMPLE";
    c.secret_access_key = "not-a-real-secret";
    return c;
  }
  std::string name() const override { return "static"; }
};

inline std::unique_ptr<s3::S3Client> client_for(const ScriptedPeer& peer, int max_attempts = 2) {
  s3::ClientConfig c;
  c.endpoint_url = peer.base_url();
  c.path_style = true;
  c.retry.max_attempts = max_attempts;
  c.retry.base = std::chrono::milliseconds(1);
  return std::make_unique<s3::S3Client>(c, std::make_shared<StaticKeys>());
}

}  // namespace s3tar::testing
