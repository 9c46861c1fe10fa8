#include "s3tar/s3/credentials/environment_provider.h"

#include "s3tar/s3/credentials/support.h"

namespace s3tar::s3 {

using credentials_detail::env;

std::optional<Credentials> EnvironmentProvider::load() {
  auto id = env("AWS_ACCESS_KEY_ID");
  auto secret = env("AWS_SECRET_ACCESS_KEY");
  if (!id && !secret) {
    id = env("AWS_ACCESS_KEY");
    secret = env("AWS_SECRET_KEY");
  }
  if (!id && !secret) return std::nullopt;
  if (!id) throw CredentialsError("AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not");
  if (!secret) throw CredentialsError("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
  Credentials c;
  c.access_key_id = *id;
  c.secret_access_key = *secret;
  if (auto token = env("AWS_SESSION_TOKEN")) {
    c.session_token = *token;
  } else if (auto legacy = env("AWS_SECURITY_TOKEN")) {
    c.session_token = *legacy;
  }
  c.provider = name();
  return c;
}

}  // namespace s3tar::s3
