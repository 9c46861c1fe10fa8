// Rewriting a volume in the upload its first attempt left open, keeping the copy parts.
//
// When sources turn unreadable while a volume is written, the volume is planned again without
// them (same key, same order). Its tar bytes all move (toc.csv leads the archive and shrinks,
// members shift), but the bytes of a surviving large member do not change: a copy part of the
// first attempt (UploadPartCopy of a range of one source, pinned by its ETag) is still right,
// only at another archive offset. Copying it again would double the server-side copies of a
// volume of large objects. So the rewrite stays in the same multipart upload and:
//  - keeps each stored copy part of a surviving member under its old part number (the range
//    is the same; the executor lists its old ETag in Complete);
//  - cuts the archive bytes between two kept copy parts (the "region": headers, small members,
//    padding, the ranged-GET heads of large members, toc.csv before the first) into new parts
//    numbered inside the gap of part numbers between them. Uploading a number again replaces
//    the old part; Complete lists the parts in ascending order, and numbers need not be
//    consecutive. S3 drops stored parts Complete does not list, but Ceph RGW refuses such a
//    Complete (InvalidPart): every stored number in a gap is therefore used again by a new
//    part of the region (parts are split, each still at least min_part, when the region has
//    fewer parts than the gap has stored numbers);
//  - large-member data in a region that no kept part covers is copied again (from the part
//    the first attempt did not finish, or a kept part given up below), as the planner does.
// Every part but the last is at least min_part. A region that cannot be cut so (its last part
// too small, more parts than free numbers, fewer than stored numbers) gives up the kept copy
// part after it: that part's bytes join the region, which extends to the next kept part. The
// last region failing gives up the kept part before it. With no kept part left, the result is
// the fresh plan (the caller writes a new upload). Part boundaries do not change tar bytes: the
// archive is exactly a fresh write of the surviving members.
#include "s3tar/archive/plan/reuse.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <stdexcept>

namespace s3tar::plan {
namespace {

using tar::kEndOfArchiveSize;
using tar::padding_size;

struct Cfg {
  std::uint64_t min_part = 0, max_part = 0, target = 0, copy_threshold = 0;
  std::uint32_t max_parts = 0;
};

// A stored copy part of the old volume whose member survives, placed in the new archive.
struct Kept {
  std::uint32_t number = 0;
  CopyRange copy;  // member: its index in the new volume
  std::uint64_t archive_offset = 0;
};

bool same_source(const Member& a, const Member& b) {
  return a.bucket() == b.bucket() && a.key() == b.key() && a.version_id() == b.version_id() &&
         a.etag() == b.etag() && a.size == b.size;
}

std::vector<Kept> keepable(const Volume& old, const Volume& fresh, const std::set<std::uint32_t>& stored) {
  // fresh's members are old's less the unreadable ones, in the same order.
  std::vector<std::int64_t> new_index(old.members.size(), -1);
  std::size_t j = 0;
  for (std::size_t i = 0; i < old.members.size() && j < fresh.members.size(); ++i)
    if (same_source(old.members[i], fresh.members[j])) new_index[i] = static_cast<std::int64_t>(j++);
  std::vector<Kept> kept;
  for (const Part& p : old.parts) {
    if (p.kind != PartKind::Copy || !stored.count(p.number) || new_index.at(p.copy.member) < 0) continue;
    const auto member = static_cast<std::uint32_t>(new_index[p.copy.member]);
    kept.push_back(Kept{p.number, CopyRange{member, p.copy.offset, p.copy.length},
                        fresh.data_offsets[member] + p.copy.offset});
  }
  return kept;
}

// The archive bytes [a, b) of `v` as pieces: toc.csv, per member its header, data (Source)
// and padding, then the end blocks.
std::vector<Piece> pieces_in(const Volume& v, std::uint64_t a, std::uint64_t b) {
  std::vector<Piece> out;
  auto clip = [&](PieceKind kind, std::uint32_t member, std::uint64_t start, std::uint64_t length) {
    const std::uint64_t s = std::max(a, start), e = std::min(b, start + length);
    if (s < e) out.push_back(Piece{kind, member, s - start, e - s});
  };
  clip(PieceKind::Toc, 0, 0, v.toc_size);
  auto it = std::upper_bound(v.data_offsets.begin(), v.data_offsets.end(), a);
  std::size_t i =
      it == v.data_offsets.begin() ? 0 : static_cast<std::size_t>(it - v.data_offsets.begin()) - 1;
  for (; i < v.members.size(); ++i) {
    const auto m = static_cast<std::uint32_t>(i);
    const std::uint64_t h = header_size(v, i), d = v.data_offsets[i], size = v.members[i].size;
    if (d - h >= b) break;
    clip(PieceKind::Header, m, d - h, h);
    clip(PieceKind::Source, m, d, size);
    clip(PieceKind::Padding, m, d + size, padding_size(size));
  }
  clip(PieceKind::End, 0, v.total_size - kEndOfArchiveSize, kEndOfArchiveSize);
  return out;
}

// Cuts archive bytes [a, b) into parts the way plan.cpp's Cutter cuts a volume (numbers unset):
// upload parts close at the target before a small member's header; large-member data of at
// least copy_threshold tops the open part up to min_part and is copied.
class RegionCutter {
 public:
  RegionCutter(const Volume& v, const Cfg& c) : v_(v), c_(c) {}

  std::vector<Part> cut(std::uint64_t a, std::uint64_t b) {
    parts_.clear();
    cur_ = Part{};
    pos_ = a;
    for (const Piece& p : pieces_in(v_, a, b)) {
      if (p.kind == PieceKind::Toc) {
        append(p, c_.target);
      } else if (p.kind == PieceKind::Header) {
        if (v_.members[p.member].size < c_.copy_threshold && cur_.size >= c_.target) close();
        append(p, c_.max_part);
      } else if (p.kind == PieceKind::Source && p.length >= c_.copy_threshold) {
        const std::uint64_t top_up = cur_.size > 0 && cur_.size < c_.min_part ? c_.min_part - cur_.size : 0;
        append(Piece{PieceKind::Source, p.member, p.offset, top_up}, c_.max_part);
        close();
        const std::uint64_t rest = p.length - top_up;
        const std::uint64_t k = rest / c_.max_part + (rest % c_.max_part != 0);
        std::uint64_t offset = p.offset + top_up;
        for (std::uint64_t j = 0; j < k; ++j) {
          const std::uint64_t len = rest / k + (j < rest % k ? 1 : 0);
          copy(p.member, offset, len);
          offset += len;
        }
      } else {
        append(p, c_.max_part);
      }
    }
    close();
    return std::move(parts_);
  }

 private:
  void close() {
    if (cur_.size == 0) return;
    cur_.archive_offset = pos_ - cur_.size;
    parts_.push_back(std::move(cur_));
    cur_ = Part{};
  }
  void append(Piece p, std::uint64_t split_at) {
    while (p.length > 0) {
      if (cur_.size >= split_at) close();
      const std::uint64_t take = std::min(p.length, split_at - cur_.size);
      cur_.pieces.push_back(Piece{p.kind, p.member, p.offset, take});
      cur_.size += take;
      pos_ += take;
      p.offset += take;
      p.length -= take;
    }
  }
  void copy(std::uint32_t member, std::uint64_t offset, std::uint64_t length) {
    Part part;
    part.archive_offset = pos_;
    part.size = length;
    part.kind = PartKind::Copy;
    part.copy = CopyRange{member, offset, length};
    parts_.push_back(std::move(part));
    pos_ += length;
  }

  const Volume& v_;
  const Cfg& c_;
  std::vector<Part> parts_;
  Part cur_;
  std::uint64_t pos_ = 0;
};

// Splits `part` after `at` bytes; returns the second half.
Part split_off(Part& part, std::uint64_t at) {
  Part second;
  second.kind = part.kind;
  second.archive_offset = part.archive_offset + at;
  second.size = part.size - at;
  part.size = at;
  if (part.kind == PartKind::Copy) {
    second.copy = CopyRange{part.copy.member, part.copy.offset + at, part.copy.length - at};
    part.copy.length = at;
    return second;
  }
  std::vector<Piece> first;
  std::uint64_t pos = 0;
  for (const Piece& p : part.pieces) {
    if (pos + p.length <= at) {
      first.push_back(p);
    } else if (pos >= at) {
      second.pieces.push_back(p);
    } else {
      const std::uint64_t head = at - pos;
      first.push_back(Piece{p.kind, p.member, p.offset, head});
      second.pieces.push_back(Piece{p.kind, p.member, p.offset + head, p.length - head});
    }
    pos += p.length;
  }
  part.pieces = std::move(first);
  return second;
}

// A region another part follows: its last part must be at least min_part. Merges a short last
// upload part into the upload part before it; false when that is not possible.
bool fix_tail(std::vector<Part>& parts, const Cfg& c) {
  if (parts.empty() || parts.back().size >= c.min_part) return true;
  const std::size_t n = parts.size();
  if (n < 2 || parts[n - 1].kind != PartKind::Upload || parts[n - 2].kind != PartKind::Upload) return false;
  Part last = std::move(parts.back());
  parts.pop_back();
  Part& prev = parts.back();
  prev.pieces.insert(prev.pieces.end(), last.pieces.begin(), last.pieces.end());
  prev.size += last.size;
  if (prev.size > c.max_part) parts.push_back(split_off(prev, prev.size / 2));  // halves >= min_part
  return true;
}

// Numbers the region's parts within (lo, hi), using again every stored number there; splits
// parts (halves of at least min_part) while the region has fewer parts than stored numbers.
bool number_parts(std::vector<Part>& parts, std::uint32_t lo, std::uint32_t hi,
                  const std::set<std::uint32_t>& stored, const Cfg& c) {
  std::vector<std::uint32_t> numbers(stored.upper_bound(lo), stored.lower_bound(hi));
  while (parts.size() < numbers.size()) {
    auto biggest = std::max_element(parts.begin(), parts.end(),
                                    [](const Part& x, const Part& y) { return x.size < y.size; });
    if (biggest == parts.end() || biggest->size < 2 * c.min_part) return false;
    Part second = split_off(*biggest, biggest->size / 2);
    parts.insert(biggest + 1, std::move(second));
  }
  if (parts.size() > hi - lo - 1) return false;
  for (std::uint32_t n = lo + 1; n < hi && numbers.size() < parts.size(); ++n)
    if (!stored.count(n)) numbers.push_back(n);
  std::sort(numbers.begin(), numbers.end());
  for (std::size_t i = 0; i < parts.size(); ++i) parts[i].number = numbers[i];
  return true;
}

// The planner's bug guard: parts in number order cover the archive, within the limits.
void check(const Volume& v, const Cfg& c) {
  std::uint64_t pos = 0;
  std::uint32_t number = 0;
  for (std::size_t i = 0; i < v.parts.size(); ++i) {
    const Part& p = v.parts[i];
    const bool last = i + 1 == v.parts.size();
    if (p.archive_offset != pos || p.number <= number || p.number > c.max_parts || p.size > c.max_part ||
        (!last && p.size < c.min_part))
      throw std::logic_error(fmt::format("re-planning {}: part {} ({} bytes at {}) breaks the rules", v.key,
                                         p.number, p.size, p.archive_offset));
    pos += p.size;
    number = p.number;
  }
  if (pos != v.total_size)
    throw std::logic_error("re-planning " + v.key + ": parts do not cover the archive");
}

}  // namespace

std::size_t reused_parts(const Volume& volume) {
  return static_cast<std::size_t>(
      std::count_if(volume.parts.begin(), volume.parts.end(), [](const Part& p) { return p.reused; }));
}

Volume replan_keeping_copies(const Volume& old, Volume fresh,
                             const std::vector<std::uint32_t>& stored_numbers, const Options& options) {
  if (fresh.single_put) return fresh;
  Cfg c;
  c.min_part = options.limits.min_part;
  c.max_part = options.limits.max_part;
  c.max_parts = options.limits.max_parts;
  c.target = fresh.upload_part_target;
  c.copy_threshold = std::max(options.copy_threshold, 2 * c.min_part);
  const std::set<std::uint32_t> stored(stored_numbers.begin(), stored_numbers.end());
  std::vector<Kept> kept = keepable(old, fresh, stored);
  if (kept.empty()) return fresh;

  RegionCutter cutter(fresh, c);
  struct Mark {
    std::size_t parts = 0;
    std::uint64_t pos = 0;
    std::uint32_t lo = 0;
  };
  std::vector<Mark> marks;  // marks[k]: where region k (before kept[k]) starts
  std::vector<Part> out;
  std::uint64_t pos = 0;
  std::uint32_t lo = 0;
  for (std::size_t k = 0;;) {
    const bool last = k == kept.size();
    const std::uint64_t end = last ? fresh.total_size : kept[k].archive_offset;
    const std::uint32_t hi = last ? c.max_parts + 1 : kept[k].number;
    std::vector<Part> region = cutter.cut(pos, end);
    if ((last || fix_tail(region, c)) && number_parts(region, lo, hi, stored, c)) {
      marks.resize(k + 1);
      marks[k] = Mark{out.size(), pos, lo};
      for (auto& p : region) out.push_back(std::move(p));
      if (last) break;
      Part copy;
      copy.number = kept[k].number;
      copy.archive_offset = kept[k].archive_offset;
      copy.size = kept[k].copy.length;
      copy.kind = PartKind::Copy;
      copy.copy = kept[k].copy;
      copy.reused = true;
      out.push_back(std::move(copy));
      pos = kept[k].archive_offset + kept[k].copy.length;
      lo = kept[k].number;
      ++k;
      continue;
    }
    if (!last) {  // copy that part again: its bytes join this region
      kept.erase(kept.begin() + static_cast<std::ptrdiff_t>(k));
      continue;
    }
    if (k == 0) return fresh;  // nothing can be kept
    // The last region does not fit its numbers: give up the kept part before it too.
    --k;
    kept.erase(kept.begin() + static_cast<std::ptrdiff_t>(k));
    out.resize(marks[k].parts);
    pos = marks[k].pos;
    lo = marks[k].lo;
  }
  fresh.parts = std::move(out);
  check(fresh, c);
  fresh.stats = volume_stats(fresh);
  return fresh;
}

}  // namespace s3tar::plan
