#include "s3tar/s3/credentials/profile_provider.h"

#include <fmt/format.h>

#include "s3tar/s3/credentials/shared_config.h"

namespace s3tar::s3 {

namespace {

// Keys of one file's section; nullopt when the section has none. Half a pair is an error.
std::optional<Credentials> keys_from(const SharedConfig& cfg, bool credentials_file) {
  auto get = [&](const char* key) {
    auto v = credentials_file ? cfg.credentials_file_value(key) : cfg.config_file_value(key);
    if (v && v->empty()) v.reset();
    return v;
  };
  auto id = get("aws_access_key_id");
  auto secret = get("aws_secret_access_key");
  if (!id && !secret) return std::nullopt;
  const std::string& path = credentials_file ? cfg.credentials_path() : cfg.config_path();
  if (!id || !secret) {
    throw CredentialsError(fmt::format("profile '{}' in '{}' has {} but not {}", cfg.profile(), path,
                                       id ? "aws_access_key_id" : "aws_secret_access_key",
                                       id ? "aws_secret_access_key" : "aws_access_key_id"));
  }
  Credentials c;
  c.access_key_id = *id;
  c.secret_access_key = *secret;
  if (auto token = get("aws_session_token")) {
    c.session_token = *token;
  } else if (auto legacy = get("aws_security_token")) {
    c.session_token = *legacy;
  }
  return c;
}

}  // namespace

std::optional<Credentials> ProfileProvider::load() {
  auto cfg = SharedConfig::load(profile_);
  cfg.require_profile();
  std::optional<Credentials> c;
  if (source_ != Source::ConfigFile) c = keys_from(cfg, true);
  if (!c && source_ != Source::CredentialsFile) c = keys_from(cfg, false);
  if (c) c->provider = name();
  return c;
}

std::string ProfileProvider::name() const {
  switch (source_) {
    case Source::CredentialsFile:
      return "shared-credentials-file";
    case Source::ConfigFile:
      return "config-file";
    case Source::Both:
      break;
  }
  return "profile";
}

}  // namespace s3tar::s3
