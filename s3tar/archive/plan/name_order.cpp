// Sorting a day's members by name is most of the planner's time when each comparison reads two
// members' heap blocks: two cache misses per comparison, about 20 comparisons per member for a
// million. Here each member's key is read 8 bytes at a time into a small entry, the entries are
// sorted in memory, and only groups still tied read their next 8 bytes (a most-significant-
// digit radix sort whose digits are 8-byte chunks). Keys of one day share long prefixes
// ("logs/2025/11/20/..."), so a member's block is read once per 8 bytes of shared prefix, not
// once per comparison.
//
// Invariant of every group on the work stack: its members have the same bucket and the same
// first `depth * 8` key bytes.
#include "s3tar/archive/plan/name_order.h"

#include <algorithm>
#include <span>
#include <string>
#include <string_view>
#include <tuple>

namespace s3tar::plan {
namespace {

struct Entry {
  std::uint64_t chunk;  // the next (up to) 8 key bytes, big-endian, zero-padded; or the bucket's rank
  std::uint32_t bytes;  // how many key bytes `chunk` holds: 8 means the key may go on
  std::uint32_t index;  // the member; also the tie-break that keeps equal members in input order
};
static_assert(sizeof(Entry) == 16);

bool by_chunk(const Entry& a, const Entry& b) {
  return std::tie(a.chunk, a.bytes, a.index) < std::tie(b.chunk, b.bytes, b.index);
}

bool same_chunk(const Entry& a, const Entry& b) { return a.chunk == b.chunk && a.bytes == b.bytes; }

// A shorter key that is a prefix of a longer one sorts first: zero padding alone would tie "ab"
// with "ab\0", so the byte count breaks that tie.
void read_chunks(std::span<Entry> group, const std::vector<Member>& members, std::size_t depth) {
  const std::size_t at = depth * 8;
  for (Entry& e : group) {
    const std::string_view key = members[e.index].key();
    std::uint64_t v = 0;
    std::uint32_t n = 0;
    if (key.size() > at) {
      n = static_cast<std::uint32_t>(std::min<std::size_t>(8, key.size() - at));
      for (std::uint32_t i = 0; i < n; ++i)
        v |= std::uint64_t{static_cast<unsigned char>(key[at + i])} << (56 - 8 * i);
    }
    e.chunk = v;
    e.bytes = n;
  }
}

// Bucket ranks in name order; a day's members come from one bucket or a few.
void read_buckets(std::span<Entry> all, const std::vector<Member>& members) {
  std::vector<const std::string*> names;
  for (Entry& e : all) {
    const std::string* name = &members[e.index].bucket();  // interned: one string per bucket
    if (names.empty() || names.back() != name) names.push_back(name);
    e.chunk = reinterpret_cast<std::uintptr_t>(name);
    e.bytes = 8;
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::vector<const std::string*> by_name = names;
  std::sort(by_name.begin(), by_name.end(),
            [](const std::string* a, const std::string* b) { return *a < *b; });
  std::vector<std::uint64_t> rank(names.size());
  for (std::size_t r = 0; r < by_name.size(); ++r)
    rank[static_cast<std::size_t>(std::lower_bound(names.begin(), names.end(), by_name[r]) - names.begin())] =
        r;
  for (Entry& e : all) {
    const auto* name = reinterpret_cast<const std::string*>(static_cast<std::uintptr_t>(e.chunk));
    e.chunk =
        rank[static_cast<std::size_t>(std::lower_bound(names.begin(), names.end(), name) - names.begin())];
  }
}

struct Group {
  std::size_t begin, end, depth;
};

// Sorts `group` (already in order up to this chunk) and pushes its still-tied runs.
void split(std::span<Entry> entries, const Group& g, const std::vector<Member>& members,
           std::vector<Group>& work) {
  const auto group = entries.subspan(g.begin, g.end - g.begin);
  std::sort(group.begin(), group.end(), by_chunk);
  for (std::size_t i = 0; i < group.size();) {
    std::size_t j = i + 1;
    while (j < group.size() && same_chunk(group[i], group[j])) ++j;
    if (j - i > 1) {
      if (group[i].bytes == 8) {
        work.push_back(Group{g.begin + i, g.begin + j, g.depth + 1});
      } else {
        // The whole keys are equal: version ids decide, then input order.
        std::sort(group.begin() + static_cast<std::ptrdiff_t>(i),
                  group.begin() + static_cast<std::ptrdiff_t>(j), [&](const Entry& a, const Entry& b) {
                    const std::string_view va = members[a.index].version_id(),
                                           vb = members[b.index].version_id();
                    return va != vb ? va < vb : a.index < b.index;
                  });
      }
    }
    i = j;
  }
}

}  // namespace

std::vector<std::uint32_t> order_by_name(const std::vector<Member>& members) {
  std::vector<Entry> entries(members.size());
  for (std::size_t i = 0; i < entries.size(); ++i) entries[i].index = static_cast<std::uint32_t>(i);
  read_buckets(entries, members);
  // Depth 0 of the work below is the bucket; a group at depth d + 1 compares key bytes [8d, 8d + 8).
  std::vector<Group> work{Group{0, entries.size(), 0}};
  while (!work.empty()) {
    const Group g = work.back();
    work.pop_back();
    if (g.depth > 0) read_chunks(std::span(entries).subspan(g.begin, g.end - g.begin), members, g.depth - 1);
    split(entries, g, members, work);
  }
  std::vector<std::uint32_t> order(entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) order[i] = entries[i].index;
  return order;
}

}  // namespace s3tar::plan
