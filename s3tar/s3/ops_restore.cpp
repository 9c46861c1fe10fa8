// RestoreObject: asks S3 for a temporary readable copy of an archived object (restore.h).
#include <memory>

#include "s3tar/s3/call.h"
#include "s3tar/s3/requests.h"

namespace s3tar::s3 {

std::future<RestoreAnswer> S3Client::restore_object(const ObjectRef& object, ArchiveAccess access, int days,
                                                    RestoreTier tier, const CallOptions& options) {
  auto call = new_call(Op::RestoreObject, "s3://" + object.bucket + "/" + object.key, object.bucket,
                       new_request("POST", object.bucket, object.key), options);
  call->request.query = {{"restore", ""}};
  if (!object.version_id.empty()) call->request.query.emplace_back("versionId", object.version_id);
  auto body = std::make_shared<const std::string>(restore_request_body(access, days, tier));
  call->request.set_header("Content-MD5", content_md5(*body));
  call->request.set_header("Content-Type", "application/xml");
  call->request.body = std::move(body);
  std::shared_ptr<std::promise<RestoreAnswer>> promise;
  auto fut = deliver<RestoreAnswer>(
      *call,
      [](HttpResponse& r) {
        return r.status == 202 ? RestoreAnswer::kStarted : RestoreAnswer::kAlreadyRestored;
      },
      &promise);
  // 409 RestoreAlreadyInProgress, also on a retry after an attempt that started the restore
  // unseen: the restore the caller asked for is running.
  call->fail = [promise](std::exception_ptr e) {
    try {
      std::rethrow_exception(e);
    } catch (const S3Error& error) {
      if (!error.is_restore_in_progress()) return promise->set_exception(std::current_exception());
      promise->set_value(RestoreAnswer::kInProgress);
    } catch (...) {
      promise->set_exception(std::current_exception());
    }
  };
  start(call);
  return fut;
}

}  // namespace s3tar::s3
