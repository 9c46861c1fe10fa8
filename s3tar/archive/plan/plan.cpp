// Planner. The archive is a sequence of segments (toc.csv, then per member: header, data,
// padding; then the end blocks) cut into multipart-upload parts:
//
// Part cutting (one pass per volume, greedy, exact sizes):
//  - A member of at least copy_threshold bytes (default 2 * min_part) is "large": its data is
//    copied server-side. The upload part open before it (holding its header and whatever came
//    before) is topped up to min_part with a ranged GET of the member's first bytes if it is
//    shorter, then closed; the rest of the member becomes ceil(rest / max_part) copy parts of
//    near-equal size, each within [min_part, max_part] (rest >= min_part since the member is at
//    least 2 * min_part, and max_part >= 2 * min_part).
//  - Everything else (toc.csv, headers, padding, end blocks, data of smaller members fetched
//    whole with one GET) goes into upload parts assembled in memory. A new upload part starts
//    before the header of a small member once the open one has reached the target size; toc.csv
//    is split at the target; a piece is split only at max_part. So every non-last part is at
//    least min_part, upload parts stay below target + one small member, and no part is a lone
//    header.
//
// Order (Order::Interleaved, the default): members are sorted by (bucket, key, version_id); the
// large ones keep that order, and before each large member come the next small members (in
// sorted order) until the gap reaches q bytes, where q = small bytes / large members clamped to
// [min_part, target]: the upload part that must precede every copy is then filled with small
// objects instead of a download of the large object's head. Small members left over go at the
// end. Identical input gives the identical order.
//
// Volumes: members are added in that order while the volume stays within size_limit and
// max_object and an upper bound of its part count stays within max_parts; when the part bound
// does not fit, the volume's upload part target grows (up to max_upload_part_target), and past
// that the volume is closed and the next one starts.
#include "s3tar/archive/plan/plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <memory>
#include <numeric>
#include <span>

#include "s3tar/archive/plan/name_order.h"
#include "s3tar/archive/tar/names.h"

namespace s3tar::plan {
namespace {

using tar::kBlockSize;
using tar::kEndOfArchiveSize;
using tar::padding_size;

std::uint64_t ceil_div(std::uint64_t a, std::uint64_t b) { return a / b + (a % b != 0); }

// Bytes of m's toc.csv row but its offset, without formatting a binary ETag.
std::uint64_t toc_row_but_offset(const Member& m) {
  Member::EtagBuffer buf;
  const std::uint64_t etag = m.etag_is_binary() ? m.etag_size() : tar::csv_field_size(m.etag(buf));
  return tar::toc_row_size_but_offset(m.key(), m.size, etag);
}

std::uint64_t digits(std::uint64_t v) {
  std::uint64_t n = 1;
  while (v >= 10) {
    v /= 10;
    ++n;
  }
  return n;
}

struct Settings {
  Limits limits;
  std::uint64_t target = 0;
  std::uint64_t max_target = 0;
  std::uint64_t copy_threshold = 0;
};

Settings validate(const Options& o) {
  const Limits& l = o.limits;
  if (l.min_part == 0) throw PlanError("min_part must be positive");
  if (l.max_part < 2 * l.min_part) throw PlanError("max_part must be at least 2 * min_part");
  if (l.max_parts < 1) throw PlanError("max_parts must be positive");
  if (l.max_object < l.min_part) throw PlanError("max_object must be at least min_part");
  // Keeps every sum of sizes in a volume far from overflowing.
  if (l.max_object > (std::uint64_t{1} << 60)) throw PlanError("max_object is too large");
  Settings s;
  s.limits = l;
  s.target = std::clamp(o.upload_part_target, l.min_part, l.max_part);
  s.max_target = std::clamp(o.max_upload_part_target, s.target, l.max_part);
  s.copy_threshold = std::max(o.copy_threshold, 2 * l.min_part);
  return s;
}

std::uint64_t toc_header_size(std::uint64_t csv_size, tar::Format format) {
  return tar::header_size(tar::MemberHeaderInfo{std::string(tar::kTocName), csv_size, 0, 0644}, format);
}

std::uint64_t toc_total(std::uint64_t csv_size, tar::Format format) {
  return toc_header_size(csv_size, format) + csv_size + padding_size(csv_size);
}

// Per member, in the input order: its header's size (index-sized vectors: a day has millions).
using Index = std::uint32_t;
using HeaderSizes = std::vector<std::uint32_t>;

// Member data + its header and padding.
std::uint64_t item_size(std::uint64_t header, std::uint64_t size) {
  return header + size + padding_size(size);
}

std::vector<Index> order_members(const std::vector<Member>& members, const HeaderSizes& headers,
                                 const Options& o, const Settings& s) {
  std::vector<Index> idx;
  if (o.order == Order::Input) {
    idx.resize(members.size());
    std::iota(idx.begin(), idx.end(), Index{0});
    return idx;
  }
  idx = order_by_name(members);  // (bucket, key, version id), stable
  if (o.order == Order::Sorted) return idx;

  std::vector<Index> small, large;
  std::uint64_t small_bytes = 0;
  for (Index i : idx) {
    if (members[i].size >= s.copy_threshold) {
      large.push_back(i);
    } else {
      small.push_back(i);
      small_bytes += item_size(headers[i], members[i].size);
    }
  }
  if (large.empty() || small.empty()) return idx;
  std::vector<Index>().swap(idx);
  const std::uint64_t q = std::clamp<std::uint64_t>(small_bytes / large.size(), s.limits.min_part, s.target);
  std::vector<Index> out;
  out.reserve(members.size());
  std::size_t next_small = 0;
  std::uint64_t carried = 0;  // padding of the previous large member lands in the next gap
  for (Index l : large) {
    std::uint64_t gap = carried + headers[l];
    while (next_small < small.size() && gap < q) {
      gap += item_size(headers[small[next_small]], members[small[next_small]].size);
      out.push_back(small[next_small++]);
    }
    out.push_back(l);
    carried = padding_size(members[l].size);
  }
  out.insert(out.end(), small.begin() + static_cast<std::ptrdiff_t>(next_small), small.end());
  return out;
}

// Upper bounds of a volume's size and part count while members are added to it.
class VolumeEstimate {
 public:
  VolumeEstimate(const Settings& s, tar::Format format, std::uint64_t offset_digits)
      : s_(&s), format_(format), offset_digits_(offset_digits), target_(s.target) {}

  bool empty() const { return count_ == 0; }
  std::uint64_t target() const { return target_; }

  // Adds the member if the volume stays within the limits; false (and unchanged) otherwise.
  bool try_add(const Member& m, std::uint64_t header, std::uint64_t size_limit) {
    const bool large = m.size >= s_->copy_threshold;
    const std::uint64_t item = item_size(header, m.size);
    // A TOC row with the widest offset the archive can have.
    const std::uint64_t row = toc_row_but_offset(m) + offset_digits_;
    const std::uint64_t csv = csv_ + row;
    const std::uint64_t toc = toc_total(csv, format_);
    const std::uint64_t items = items_ + item;
    const std::uint64_t total = toc + items + kEndOfArchiveSize;
    // Upload bytes: all but copied data; a large member's top-up is at most min_part.
    const std::uint64_t upload_items =
        upload_items_ + (large ? header + padding_size(m.size) + s_->limits.min_part : item);
    const std::uint64_t upload = toc + upload_items + kEndOfArchiveSize;
    const std::uint64_t large_count = large_ + (large ? 1 : 0);
    const std::uint64_t copies = copies_ + (large ? ceil_div(m.size, s_->limits.max_part) : 0);

    if (count_ > 0 && size_limit > 0 && total > size_limit) return false;
    if (total > s_->limits.max_object) return false;
    // Upload parts that close below the target: one per large member (the part before its copy)
    // and the last one; every other part holds at least `target` bytes.
    const std::uint64_t fixed = large_count + 1 + copies;
    std::uint64_t target = target_;
    if (fixed + upload / target > s_->limits.max_parts) {
      if (fixed > s_->limits.max_parts) return false;
      target = std::max(target, upload / (s_->limits.max_parts - fixed + 1) + 1);
      if (target > s_->max_target) return false;
    }
    csv_ = csv;
    items_ = items;
    upload_items_ = upload_items;
    large_ = large_count;
    copies_ = copies;
    target_ = target;
    ++count_;
    return true;
  }

 private:
  const Settings* s_;
  tar::Format format_;
  std::uint64_t offset_digits_;
  std::uint64_t target_;
  std::uint64_t count_ = 0, csv_ = 0, items_ = 0, upload_items_ = 0, large_ = 0, copies_ = 0;
};

// Cuts one volume's byte stream into parts (see the top of this file).
class Cutter {
 public:
  Cutter(Volume& v, const Settings& s, std::uint64_t target) : v_(v), s_(s), target_(target) {}

  void run(std::span<const std::uint32_t> header_sizes) {
    headers_ = header_sizes;
    append(PieceKind::Toc, 0, 0, v_.toc_size, target_);
    for (std::size_t i = 0; i < v_.members.size(); ++i) {
      const auto member = static_cast<std::uint32_t>(i);
      const std::uint64_t size = v_.members[i].size;
      const bool large = size >= s_.copy_threshold;
      if (!large && cur_.size >= target_) close();
      append(PieceKind::Header, member, 0, header_sizes[i], s_.limits.max_part);
      if (large) {
        const std::uint64_t top_up = cur_.size < s_.limits.min_part ? s_.limits.min_part - cur_.size : 0;
        append(PieceKind::Source, member, 0, top_up, s_.limits.max_part);
        close();
        const std::uint64_t rest = size - top_up;
        const std::uint64_t k = ceil_div(rest, s_.limits.max_part);
        std::uint64_t offset = top_up;
        for (std::uint64_t j = 0; j < k; ++j) {
          const std::uint64_t len = rest / k + (j < rest % k ? 1 : 0);
          copy(member, offset, len);
          offset += len;
        }
      } else {
        append(PieceKind::Source, member, 0, size, s_.limits.max_part);
      }
      append(PieceKind::Padding, member, 0, padding_size(size), s_.limits.max_part);
    }
    append(PieceKind::End, 0, 0, kEndOfArchiveSize, s_.limits.max_part);
    close();
  }

 private:
  void close() {
    if (cur_.size == 0) return;
    cur_.pieces = runs_of_whole_members(cur_.pieces);
    cur_.number = static_cast<std::uint32_t>(v_.parts.size() + 1);
    cur_.archive_offset = pos_ - cur_.size;
    v_.parts.push_back(std::move(cur_));
    cur_ = Part{};
  }

  // Pieces [i, i + n) that are the header, data and padding of one whole small member: n, or
  // 0 when piece i does not start one.
  std::size_t whole_member_at(const std::vector<Piece>& in, std::size_t i) const {
    const Piece& h = in[i];
    if (h.kind != PieceKind::Header || h.offset != 0 || h.length != headers_[h.member]) return 0;
    const std::uint64_t size = v_.members[h.member].size;
    if (size >= s_.copy_threshold) return 0;
    std::size_t j = i + 1;
    for (const auto& [kind, length] :
         {std::pair{PieceKind::Source, size}, {PieceKind::Padding, padding_size(size)}}) {
      if (length == 0) continue;
      if (j >= in.size() || in[j] != Piece{kind, h.member, 0, length}) return 0;
      ++j;
    }
    return j - i;
  }

  // The part's pieces with each run of whole small members as one Members piece (see
  // PieceKind::Members; expand_pieces is the inverse).
  std::vector<Piece> runs_of_whole_members(const std::vector<Piece>& in) const {
    std::vector<Piece> out;
    for (std::size_t i = 0; i < in.size();) {
      const std::size_t n = whole_member_at(in, i);
      if (n == 0) {
        out.push_back(in[i++]);
        continue;
      }
      std::uint64_t bytes = 0;
      for (std::size_t j = i; j < i + n; ++j) bytes += in[j].length;
      if (!out.empty() && out.back().kind == PieceKind::Members &&
          out.back().member + out.back().offset == in[i].member) {
        ++out.back().offset;
        out.back().length += bytes;
      } else {
        out.push_back(Piece{PieceKind::Members, in[i].member, 1, bytes});
      }
      i += n;
    }
    out.shrink_to_fit();
    return out;
  }

  void append(PieceKind kind, std::uint32_t member, std::uint64_t offset, std::uint64_t length,
              std::uint64_t split_at) {
    while (length > 0) {
      if (cur_.size >= split_at) close();
      const std::uint64_t take = std::min(length, split_at - cur_.size);
      cur_.pieces.push_back(Piece{kind, member, offset, take});
      cur_.size += take;
      pos_ += take;
      offset += take;
      length -= take;
    }
  }

  void copy(std::uint32_t member, std::uint64_t offset, std::uint64_t length) {
    Part p;
    p.number = static_cast<std::uint32_t>(v_.parts.size() + 1);
    p.archive_offset = pos_;
    p.size = length;
    p.kind = PartKind::Copy;
    p.copy = CopyRange{member, offset, length};
    v_.parts.push_back(std::move(p));
    pos_ += length;
  }

  Volume& v_;
  const Settings& s_;
  std::uint64_t target_;
  std::span<const std::uint32_t> headers_;
  Part cur_;
  std::uint64_t pos_ = 0;
};

// toc.csv sits before the members, so the data offsets it lists depend on its own size: iterate
// from below to the least fixed point (sizes only grow, so this terminates).
void layout(Volume& v, std::span<const std::uint32_t> header_sizes) {
  std::uint64_t toc = toc_total(0, v.format);
  // Only the offsets change from one round to the next: the rest of the rows is summed once
  // (each round then reads the members' sizes only, not their blocks).
  std::uint64_t rows_but_offsets = 0;
  for (const Member& m : v.members) rows_but_offsets += toc_row_but_offset(m);
  std::uint64_t csv = 0;
  while (true) {
    csv = rows_but_offsets;
    std::uint64_t pos = toc;
    for (std::size_t i = 0; i < v.members.size(); ++i) {
      const std::uint64_t size = v.members[i].size;
      csv += tar::toc_offset_size(pos + header_sizes[i]);
      pos += header_sizes[i] + size + padding_size(size);
    }
    const std::uint64_t next = toc_total(csv, v.format);
    if (next == toc) break;
    toc = next;
  }
  v.toc_data_size = csv;
  v.toc_size = toc;
  v.data_offsets.resize(v.members.size());
  std::uint64_t pos = toc;
  for (std::size_t i = 0; i < v.members.size(); ++i) {
    v.data_offsets[i] = pos + header_sizes[i];
    pos += header_sizes[i] + v.members[i].size + padding_size(v.members[i].size);
  }
  v.total_size = pos + kEndOfArchiveSize;
}

std::string volume_key(const std::string& key, std::size_t index, std::size_t count) {
  if (count == 1) return key;
  const std::string_view ext = ".tar";
  std::string base = key;
  std::string suffix;
  if (base.size() >= ext.size() && base.compare(base.size() - ext.size(), ext.size(), ext) == 0) {
    base.resize(base.size() - ext.size());
    suffix = ext;
  }
  const int width = static_cast<int>(std::max<std::uint64_t>(2, digits(count)));
  // Numbered from 0 as the Go s3tar numbers them (K.00.tar, K.01.tar, ...), so scripts that
  // look for its volumes find ours.
  return fmt::format("{}.{:0{}}{}", base, index, width, suffix);
}

}  // namespace

std::uint64_t Requests::total() const {
  return create_multipart_upload + upload_part + upload_part_copy + get_object + put_object +
         complete_multipart_upload;
}

double Stats::cost_usd() const {
  const std::uint64_t writes = requests.create_multipart_upload + requests.upload_part +
                               requests.upload_part_copy + requests.put_object +
                               requests.complete_multipart_upload;
  return static_cast<double>(writes) * 0.005 / 1000.0 +
         static_cast<double>(requests.get_object) * 0.0004 / 1000.0;
}

Stats& Stats::operator+=(const Stats& o) {
  requests.create_multipart_upload += o.requests.create_multipart_upload;
  requests.upload_part += o.requests.upload_part;
  requests.upload_part_copy += o.requests.upload_part_copy;
  requests.get_object += o.requests.get_object;
  requests.put_object += o.requests.put_object;
  requests.complete_multipart_upload += o.requests.complete_multipart_upload;
  members += o.members;
  archive_bytes += o.archive_bytes;
  bytes_downloaded += o.bytes_downloaded;
  bytes_uploaded += o.bytes_uploaded;
  bytes_copied += o.bytes_copied;
  return *this;
}

Stats volume_stats(const Volume& v) {
  Stats st;
  st.members = v.members.size();
  st.archive_bytes = v.total_size;
  for (const Part& p : v.parts) {
    if (p.reused) continue;
    if (p.kind == PartKind::Copy) {
      ++st.requests.upload_part_copy;
      st.bytes_copied += p.size;
      continue;
    }
    ++st.requests.upload_part;
    st.bytes_uploaded += p.size;
    for (const Piece& piece : p.pieces) {
      if (piece.kind == PieceKind::Members) {
        for (std::uint64_t i = piece.member; i < piece.member + piece.offset; ++i) {
          st.requests.get_object += v.members[i].size > 0 ? 1 : 0;
          st.bytes_downloaded += v.members[i].size;
        }
      }
      if (piece.kind != PieceKind::Source) continue;
      ++st.requests.get_object;
      st.bytes_downloaded += piece.length;
    }
  }
  if (v.single_put) {
    st.requests.put_object = 1;
    st.requests.upload_part = 0;
  } else {
    st.requests.create_multipart_upload = 1;
    st.requests.complete_multipart_upload = 1;
  }
  return st;
}

// Puts members and headers in `order` (order[k]: the index of the k-th), in place: each cycle
// of the permutation is rotated once, and `order` is left as the identity.
void put_in_order(std::vector<Member>& members, HeaderSizes& headers, std::vector<Index>& order) {
  for (std::size_t k = 0; k < order.size(); ++k) {
    if (order[k] == k) continue;
    Member member = std::move(members[k]);
    const std::uint32_t header = headers[k];
    std::size_t j = k;
    while (order[j] != k) {
      const std::size_t from = order[j];
      members[j] = std::move(members[from]);
      headers[j] = headers[from];
      order[j] = static_cast<Index>(j);
      j = from;
    }
    members[j] = std::move(member);
    headers[j] = header;
    order[j] = static_cast<Index>(j);
  }
}

// Peak memory matters here (a day plans millions of members): index-sized vectors, and one
// member vector, put in archive order in place, that the volumes share.
Plan make_plan(std::vector<Member> members, const Options& options) {
  const Settings s = validate(options);
  Plan plan;
  if (members.empty()) return plan;
  if (members.size() > std::numeric_limits<Index>::max())
    throw PlanError(fmt::format("{} members are more than one plan can hold", members.size()));

  HeaderSizes headers(members.size());
  for (std::size_t i = 0; i < members.size(); ++i) {
    const Member& m = members[i];
    if (m.size > s.limits.max_object)
      throw PlanError(fmt::format("s3://{}/{} ({} bytes) is bigger than the largest archive ({} bytes)",
                                  m.bucket(), m.key(), m.size, s.limits.max_object));
    headers[i] = static_cast<std::uint32_t>(tar::header_size(
        tar::MemberHeaderInfo{tar::member_name_for_key(m.key()), m.size, m.mtime(), 0644}, options.format));
  }
  std::vector<Index> order = order_members(members, headers, options, s);

  // Assign members to volumes.
  struct Group {
    std::size_t begin = 0, end = 0;
    std::uint64_t target = 0;
  };
  std::vector<Group> groups;
  const std::uint64_t offset_digits = digits(s.limits.max_object);
  VolumeEstimate est(s, options.format, offset_digits);
  auto does_not_fit = [&](const Member& m) {
    return PlanError(fmt::format("s3://{}/{} ({} bytes) does not fit in one archive within the limits",
                                 m.bucket(), m.key(), m.size));
  };
  std::size_t begin = 0;
  for (std::size_t k = 0; k < order.size(); ++k) {
    const Index i = order[k];
    if (est.try_add(members[i], headers[i], options.size_limit)) continue;
    if (est.empty()) throw does_not_fit(members[i]);
    groups.push_back(Group{begin, k, est.target()});
    begin = k;
    est = VolumeEstimate(s, options.format, offset_digits);
    if (!est.try_add(members[i], headers[i], options.size_limit)) throw does_not_fit(members[i]);
  }
  groups.push_back(Group{begin, order.size(), est.target()});

  // The members and their header sizes in archive order, in place; the volumes share them.
  put_in_order(members, headers, order);
  std::vector<Index>().swap(order);
  const auto all = std::make_shared<const std::vector<Member>>(std::move(members));

  plan.volumes.resize(groups.size());
  for (std::size_t g = 0; g < groups.size(); ++g) {
    Volume& v = plan.volumes[g];
    v.key = volume_key(options.archive_key, g, groups.size());
    v.format = options.format;
    v.upload_part_target = groups[g].target;
    v.members = MemberRange(all, groups[g].begin, groups[g].end);
    const std::span<const std::uint32_t> header_sizes(headers.data() + groups[g].begin, v.members.size());
    for (const Member& m : v.members) v.toc_mtime = std::max(v.toc_mtime, m.mtime());
    layout(v, header_sizes);
    Cutter(v, s, v.upload_part_target).run(header_sizes);
    v.single_put = v.total_size < s.limits.min_part;
    // The estimates above are upper bounds; a violation here is a planner bug.
    if (v.parts.size() > s.limits.max_parts || v.total_size > s.limits.max_object ||
        (v.single_put && v.parts.size() != 1))
      throw std::logic_error(fmt::format("planner: volume {} breaks the limits ({} parts, {} bytes)", v.key,
                                         v.parts.size(), v.total_size));
    v.stats = volume_stats(v);
    plan.stats += v.stats;
  }
  return plan;
}

}  // namespace s3tar::plan
