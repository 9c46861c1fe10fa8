// Virtual-hosted (https://BUCKET.host/KEY) or path-style (https://host/BUCKET/KEY) addressing of
// one request, decided as botocore (the AWS CLI) decides it for a virtual addressing style.
#pragma once

#include <string>

namespace s3tar::s3 {

// True when a request for `bucket` on an endpoint scheme://endpoint_host goes virtual-hosted.
// Path-style when path_style is set, for no bucket, for an IP-address endpoint, for a bucket
// name that is not a DNS label (upper case, '_', too short or long, IP-like), and for a name
// with dots over HTTPS (BUCKET.s3.example would not match the *.s3.example certificate).
bool use_virtual_host(bool path_style, const std::string& scheme, const std::string& endpoint_host,
                      const std::string& bucket);

}  // namespace s3tar::s3
