#pragma once

#include <cstdint>
#include <vector>

#include "s3tar/archive/plan/member.h"

namespace s3tar::plan {

// The indices of `members` in (bucket, key, version id) order, byte-wise; members equal in all
// three keep their input order. The same result as a std::stable_sort of 0..n-1 with that
// comparison, found with far fewer reads of the members' heap blocks (see name_order.cpp).
std::vector<std::uint32_t> order_by_name(const std::vector<Member>& members);

}  // namespace s3tar::plan
