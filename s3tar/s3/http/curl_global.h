// libcurl's process-wide initialisation, done once for every user of libcurl in the process.
#pragma once

namespace s3tar::s3 {

// Calls curl_global_init exactly once (thread-safe); throws std::runtime_error when it fails.
// Both the event-loop engine and the credentials providers' blocking fetches call it first.
void ensure_curl_global_init();

}  // namespace s3tar::s3
