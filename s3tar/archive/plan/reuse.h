// Re-planning a volume for a rewrite in the same multipart upload, keeping the copy parts the
// first attempt stored (see reuse.cpp for the design and the rules it honours).
#pragma once

#include <cstdint>
#include <vector>

#include "s3tar/archive/plan/plan.h"

namespace s3tar::plan {

// `fresh`: the volume planned again without its unreadable members (make_plan of the members
// left, in `old`'s order: Order::Input). `old`: the volume the first attempt wrote. `stored`:
// numbers of `old`'s parts the upload holds (completed). Returns `fresh` with its parts cut
// again so that each copy part of `old` that can be kept stays under its old number with its
// range (Part::reused), and every other stored number is used again by a new part. The
// archive bytes are exactly `fresh`'s. When nothing can be kept, the result has no reused part
// (write it as a new upload).
Volume replan_keeping_copies(const Volume& old, Volume fresh, const std::vector<std::uint32_t>& stored,
                             const Options& options);

// Parts of a rewrite that are not sent again.
std::size_t reused_parts(const Volume& volume);

}  // namespace s3tar::plan
