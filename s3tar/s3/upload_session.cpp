#include "s3tar/s3/upload_session.h"

#include <algorithm>
#include <thread>

#include "s3tar/log/log.h"

namespace s3tar::s3 {
namespace {

// S3 (and RGW after an abort) say the upload is gone: an abort has nothing left to do.
bool upload_gone(const S3Error& e) { return e.is_no_such_upload() || e.is_not_found(); }

// The request may have been carried out although no answer said so: some attempt got no
// response after sending, or a server error. Anything else is the server's definite refusal.
bool answer_lost(const S3Error& e) { return e.ambiguous(); }

std::string message_of(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown error";
  }
}

ErrorCategory category_of(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const s3tar::Error& e) {
    return e.category();
  } catch (...) {
    return ErrorCategory::Internal;
  }
}

}  // namespace

// The client's retries may have been cut short by its shared retry quota, which a throttled run
// spends quickly: aborts get their own.
bool abort_upload(S3Client& client, const std::string& bucket, const std::string& key, const std::string& id,
                  const AbortPolicy& policy) {
  std::chrono::milliseconds delay = policy.base;
  for (int attempt = 1;; ++attempt) {
    try {
      client.abort_multipart_upload(bucket, key, id).get();
      return true;
    } catch (const S3Error& e) {
      if (upload_gone(e)) return false;
      // After a stop, the call's own cleanup budget (a short deadline) is all the time there is.
      if (e.category() != ErrorCategory::Transient || attempt >= policy.attempts || client.stopped()) throw;
      log::debug("upload.abort_retry", "retrying the abort of s3://" + bucket + "/" + key + ": " + e.what(),
                 {{"upload_id", id}, {"attempt", attempt}});
    }
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, policy.max_delay);
  }
}

const char* to_string(UploadState state) {
  switch (state) {
    case UploadState::Open:
      return "open";
    case UploadState::Completed:
      return "completed";
    case UploadState::Aborted:
      return "aborted";
    case UploadState::Unknown:
      break;
  }
  return "unknown";
}

UploadSession::UploadSession(S3Client& client, std::string bucket, std::string key,
                             const WriteOptions& options, AbortPolicy abort_policy)
    : client_(client), bucket_(std::move(bucket)), key_(std::move(key)), abort_policy_(abort_policy) {
  const auto started = std::chrono::steady_clock::now();
  CallReport report;
  CallOptions call;
  call.report = &report;
  upload_id_ = client_.create_multipart_upload(bucket_, key_, options, call).get();
  log::debug("upload.created", "started multipart upload of " + where(), {{"upload_id", upload_id_}});
  if (report.earlier_attempt_ambiguous) abort_orphans_of_lost_create(started);
}

UploadSession::~UploadSession() {
  if (state_ != UploadState::Open || abort_given_up_) return;
  try {
    abort();
  } catch (const std::exception& e) {
    log::error("upload.abort_failed",
               "could not abort the multipart upload of " + where() + ": " + e.what() +
                   "; it stays open until the next run to this key or a lifecycle rule removes it",
               {{"upload_id", upload_id_}});
  }
}

// An earlier Create attempt got no answer, yet the server may have created an upload for it.
// That upload was initiated after the first attempt was sent and before ours (the retry's), so
// it is one of this key's uploads initiated in that window, measured back from our upload's
// initiation time on the server's clock (no clock skew involved). The window is a few seconds:
// another run writing the same key would have to start its upload in those same seconds.
void UploadSession::abort_orphans_of_lost_create(std::chrono::steady_clock::time_point create_started) {
  const auto window =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - create_started) +
      std::chrono::seconds(2);
  try {
    const std::vector<UploadInfo> uploads = client_.list_multipart_uploads(bucket_, key_).get();
    const auto ours = std::find_if(uploads.begin(), uploads.end(),
                                   [&](const UploadInfo& u) { return u.upload_id == upload_id_; });
    if (ours == uploads.end()) {
      log::warn("upload.orphan_check",
                "a CreateMultipartUpload of " + where() +
                    " got no answer and the new upload is not listed: an upload that attempt may have "
                    "created is left to the next run to this key",
                {{"upload_id", upload_id_}});
      return;
    }
    const int64_t latest = parse_http_time(ours->initiated);
    const int64_t earliest = latest - window.count();
    for (const auto& u : uploads) {
      if (u.key != key_ || u.upload_id == upload_id_) continue;
      const int64_t initiated = parse_http_time(u.initiated);
      if (initiated < earliest || initiated > latest) continue;
      abort_upload(client_, bucket_, key_, u.upload_id, abort_policy_);
      log::warn("upload.orphan_aborted",
                "aborted the multipart upload of " + where() +
                    " that an unanswered CreateMultipartUpload attempt had started",
                {{"upload_id", u.upload_id}, {"initiated", u.initiated}});
    }
  } catch (const std::exception& e) {
    log::error("upload.orphan_check",
               "a CreateMultipartUpload of " + where() +
                   " got no answer, and checking for an upload it may have left failed: " + e.what() +
                   "; the next run to this key aborts it",
               {{"upload_id", upload_id_}});
  }
}

std::future<std::string> UploadSession::upload_part(int number, std::shared_ptr<const std::string> body) {
  return client_.upload_part(bucket_, key_, upload_id_, number, std::move(body));
}

std::future<std::string> UploadSession::upload_part_copy(int number, const ObjectRef& source,
                                                         const ByteRange& range,
                                                         const std::string& if_match) {
  CopyPartRequest req;
  req.bucket = bucket_;
  req.key = key_;
  req.upload_id = upload_id_;
  req.part_number = number;
  req.source = source;
  req.range = range;
  req.if_match = if_match;
  return client_.upload_part_copy(req);
}

void UploadSession::abort() {
  if (state_ == UploadState::Completed) throw std::logic_error("abort of the completed upload of " + where());
  abort_found_upload_ = abort_upload(client_, bucket_, key_, upload_id_, abort_policy_);
  if (state_ != UploadState::Aborted)
    log::info("upload.aborted", "aborted the multipart upload of " + where(), {{"upload_id", upload_id_}});
  state_ = UploadState::Aborted;
}

std::optional<std::string> UploadSession::try_abort() {
  try {
    abort();
    return std::nullopt;
  } catch (const std::exception& e) {
    abort_given_up_ = true;  // the error thrown names the upload left open
    return std::string(e.what());
  }
}

void UploadSession::throw_left_open(const std::exception_ptr& error, const std::string& abort_failure,
                                    std::optional<ErrorCategory> category) {
  try {
    std::rethrow_exception(error);
  } catch (...) {
    // Thrown here, so that its nested exception is `error`.
    throw UploadLeftOpen(category.value_or(category_of(error)),
                         message_of(error) + "; then the multipart upload " + upload_id_ + " of " + where() +
                             " could not be aborted (" + abort_failure +
                             "): it stays open until the next run to this key or an "
                             "AbortIncompleteMultipartUpload lifecycle rule removes it",
                         upload_id_);
  }
}

void UploadSession::abort_and_rethrow(std::exception_ptr error,
                                      std::optional<ErrorCategory> left_open_category) {
  if (auto failure = try_abort()) throw_left_open(error, *failure, left_open_category);
  std::rethrow_exception(error);
}

bool UploadSession::exists_as_expected(const CompleteExpectation& expected) {
  try {
    const ObjectInfo info = client_.head_object({bucket_, key_, ""}).get();
    return (!expected.size || info.size == *expected.size) &&
           (expected.etag.empty() || info.etag == expected.etag);
  } catch (const S3Error&) {
    return false;
  }
}

std::string UploadSession::complete(std::vector<CompletedPart> parts, const CompleteExpectation& expected) {
  CompleteRequest req;
  req.bucket = bucket_;
  req.key = key_;
  req.upload_id = upload_id_;
  req.parts = std::move(parts);
  req.if_none_match = expected.if_none_match;
  req.expected_size = expected.size;
  req.expected_etag = expected.etag;
  try {
    std::string etag = client_.complete_multipart_upload(req).get();
    state_ = UploadState::Completed;
    return etag;
  } catch (const S3Error& e) {
    if (!answer_lost(e)) abort_and_rethrow(std::current_exception());
    const std::exception_ptr lost = std::current_exception();
    // No definite answer. An abort that removes the upload settles it (Complete did not
    // happen); an abort that finds no upload means Complete probably happened: HEAD decides.
    if (auto failure = try_abort()) throw_left_open(lost, *failure);
    if (abort_found_upload_) std::rethrow_exception(lost);
    if (exists_as_expected(expected)) {
      state_ = UploadState::Completed;
      log::warn(
          "upload.complete_confirmed",
          "CompleteMultipartUpload of " + where() + " got no answer, but the object is there as planned",
          {{"upload_id", upload_id_}});
      return "";
    }
    state_ = UploadState::Unknown;
    throw UploadOutcomeUnknown(std::string(e.what()) + "; the upload " + upload_id_ + " is gone but " +
                               where() +
                               " is not the planned object: it may hold an earlier or a partial result; "
                               "run again to rewrite it");
  }
}

}  // namespace s3tar::s3
