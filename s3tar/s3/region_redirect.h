// A bucket in another region than the client's: how S3 says so and what the client remembers.
//
// As botocore's S3RegionRedirectorv2 (the AWS CLI): an answer refusing a request for its region
// (any 301/302/307, PermanentRedirect, AuthorizationHeaderMalformed naming a <Region>,
// IllegalLocationConstraintException, a HeadObject or HeadBucket 301/400 without a body) is
// retried once for the bucket's region, which comes from the x-amz-bucket-region header, else
// the error body's <Region>, else a HEAD on the bucket. The region is kept per bucket so later
// requests go to it directly.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "s3tar/s3/endpoint.h"
#include "s3tar/s3/http/http_message.h"
#include "s3tar/s3/types.h"

namespace s3tar::s3 {

struct WrongRegion {
  // The bucket's region as the answer names it; empty = the answer does not say (HEAD the bucket).
  std::string region;
};

// Whether the answer (status, its S3 error code, headers and body) refuses the request because
// the bucket lives in another region. A region that is not a valid region name counts as unknown.
std::optional<WrongRegion> wrong_region(Op op, long status, const std::string& code,
                                        const HttpResponse& answer);

// The region a HeadBucket answer names (x-amz-bucket-region, whatever the status), if valid.
std::optional<std::string> bucket_region_header(const HttpResponse& answer);

// A region name as botocore accepts it: a DNS label (letters, digits, '-', 1 to 63 characters,
// no '-' at either end). The name may become part of a host name.
bool valid_region_name(const std::string& region);

// Points an addressed request at `region` (the host of an AWS endpoint names it; a custom
// endpoint stays as it is). The path and query do not depend on the region.
void readdress(HttpRequest& request, const Addressing& addressing, const std::string& bucket);

// The region learned for each bucket (thread-safe).
class BucketRegions {
 public:
  // The bucket's learned region, or fallback.
  std::string region_of(const std::string& bucket, const std::string& fallback) const;
  // Remembers the bucket's region; false when it was already known as that.
  bool learn(const std::string& bucket, const std::string& region);

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::string> regions_;
};

}  // namespace s3tar::s3
