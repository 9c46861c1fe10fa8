// A volume's members: a range of one member vector that the volumes of a plan share (a day's
// plan holds millions of members; each volume holding a copy of its own would double them).
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "s3tar/archive/plan/member.h"

namespace s3tar::plan {

class MemberRange {
 public:
  MemberRange() = default;
  // Members [begin, end) of `all`, which the range keeps alive.
  MemberRange(std::shared_ptr<const std::vector<Member>> all, std::size_t begin, std::size_t end)
      : all_(std::move(all)), members_(all_->data() + begin, end - begin) {}
  // All of `own`.
  explicit MemberRange(std::vector<Member> own)
      : MemberRange(std::make_shared<const std::vector<Member>>(std::move(own))) {}

  std::size_t size() const { return members_.size(); }
  bool empty() const { return members_.empty(); }
  const Member& operator[](std::size_t i) const { return members_[i]; }
  const Member& at(std::size_t i) const {
    if (i >= members_.size())
      throw std::out_of_range("member " + std::to_string(i) + " of " + std::to_string(members_.size()));
    return members_[i];
  }
  auto begin() const { return members_.begin(); }
  auto end() const { return members_.end(); }
  std::span<const Member> span() const { return members_; }

 private:
  explicit MemberRange(std::shared_ptr<const std::vector<Member>> all)
      : all_(std::move(all)), members_(*all_) {}

  std::shared_ptr<const std::vector<Member>> all_;
  std::span<const Member> members_;
};

}  // namespace s3tar::plan
