#include "cli/app.h"

#include <iostream>
#include <string>
#include <vector>

#include "cli/context.h"
#include "cli/daily/commands.h"
#include "cli/tar/commands.h"
#include "inventory/errors.h"
#include "s3tar/archive/exec/executor.h"
#include "s3tar/archive/plan/plan.h"
#include "s3tar/exit_codes.h"
#include "s3tar/log/log.h"
#include "s3tar/s3/credentials/credentials.h"
#include "s3tar/s3/errors.h"

namespace s3tar::cli {
namespace {

int verbosity_of(const std::vector<std::string>& args) {
  int v = 0;
  for (const auto& a : args) {
    if (a == "--verbose") ++v;
    if (a.size() > 1 && a[0] == '-' && a[1] != '-') {
      for (char c : a.substr(1)) {
        if (c == 'v') ++v;
        if (c == 'f' || c == 'C' || c == 'm') break;  // the rest is a value
      }
    }
  }
  return v;
}

// Errors that a retry can fix: throttling, 5xx, network.
bool transient(const s3::S3Error& e) {
  const long s = e.status();
  return s == 0 || s >= 500 || s == 429 || e.code() == "SlowDown" || e.code() == "RequestTimeout";
}

// Errors that only a change of configuration or permissions can fix.
bool configuration(const s3::S3Error& e) {
  const std::string& c = e.code();
  return c == "AccessDenied" || c == "NoSuchBucket" || c == "InvalidAccessKeyId" ||
         c == "SignatureDoesNotMatch" || c == "InvalidBucketName" || c == "InvalidStorageClass" ||
         c == "InvalidArgument" || c == "KMS.NotFoundException";
}

int dispatch(const std::vector<std::string>& args) {
  if (!args.empty()) {
    const std::string& sub = args[0];
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    if (sub == "run") return run_command(rest, stop_flag());
    if (sub == "inventory") return inventory_command(rest);
    if (sub == "verify") {
      auto options = parse_tar_options(rest, true);
      return options ? verify_command(*options) : kSuccess;
    }
  }
  auto options = parse_tar_options(args);
  if (!options) return kSuccess;  // --help / --version
  switch (options->mode) {
    case Mode::Create:
      return create_command(*options);
    case Mode::List:
      return list_command(*options);
    case Mode::Extract:
      return extract_command(*options);
    default:
      return kUsage;
  }
}

}  // namespace

int run_app(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  log::init(log::detect_options(verbosity_of(args)));
  install_signal_handlers();
  try {
    return dispatch(args);
  } catch (const std::invalid_argument& e) {
    log::error("usage", e.what());
    return kUsage;
  } catch (const inventory::ConfigError& e) {
    log::error("config", e.what());
    return kUsage;
  } catch (const inventory::NotDeliveredError& e) {
    log::error("inventory.not_delivered", e.what());
    return kNotDelivered;
  } catch (const inventory::Error& e) {
    log::error("input.bad", e.what());
    return kBadInput;
  } catch (const exec::SourceError& e) {
    log::error("source.unreadable", e.what());
    return kBadInput;
  } catch (const exec::Interrupted& e) {
    log::error("interrupted", std::string(e.what()) + "; open uploads were aborted");
    return kTransient;
  } catch (const plan::PlanError& e) {
    log::error("plan", e.what());
    return kBadInput;
  } catch (const s3::CredentialsError& e) {
    log::error("credentials", e.what());
    return kUsage;
  } catch (const s3::S3Error& e) {
    log::error("s3", e.what(),
               {{"status", e.status()}, {"code", e.code()}, {"request_id", e.info().request_id}});
    if (stop_flag() || transient(e)) return kTransient;
    return configuration(e) ? kUsage : kBadInput;
  } catch (const std::exception& e) {
    log::error("error", e.what());
    return stop_flag() ? kTransient : kInternal;
  }
}

}  // namespace s3tar::cli
