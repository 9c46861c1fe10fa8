#include "s3tar/archive/plan/member.h"

#include <array>
#include <atomic>
#include <charconv>
#include <cstring>
#include <mutex>
#include <new>
#include <unordered_map>
#include <vector>

#include "s3tar/archive/plan/block_arena.h"
#include "s3tar/errors.h"

namespace s3tar::plan {
namespace {

// How the ETag is held: a part count (0 = plain MD5, N = multipart "hex-N") or kTextEtag.
constexpr std::uint16_t kTextEtag = 0xffff;
constexpr std::size_t kMaxText = 0xffff;

// Bucket names by id. Ids are handed out under the mutex; a name is published before its id
// is, so readers need no lock.
struct BucketTable {
  std::mutex mu;
  std::unordered_map<std::string, std::uint16_t> ids;
  std::vector<std::unique_ptr<const std::string>> names;
  std::array<std::atomic<const std::string*>, 0x10000> by_id{};
};

BucketTable& buckets() {
  static BucketTable* table = new BucketTable();  // never destroyed: members may outlive statics
  return *table;
}

// Lowercase hex digits only: uppercase is kept as text, so that it comes back exactly as given.
// A table: one ETag per row of a 10-million-row scan.
constexpr std::array<std::int8_t, 256> kHexValue = [] {
  std::array<std::int8_t, 256> t{};
  t.fill(-1);
  for (int c = '0'; c <= '9'; ++c) t[static_cast<std::size_t>(c)] = static_cast<std::int8_t>(c - '0');
  for (int c = 'a'; c <= 'f'; ++c) t[static_cast<std::size_t>(c)] = static_cast<std::int8_t>(c - 'a' + 10);
  return t;
}();

int hex_value(char c) { return kHexValue[static_cast<unsigned char>(c)]; }

// "32 lowercase hex digits" or that plus "-N" (N in 1..65534, no leading zero): the binary
// form and the part count. False for anything else.
bool parse_md5_etag(std::string_view etag, std::uint8_t (&md5)[16], std::uint16_t& parts) {
  if (etag.size() < 32) return false;
  int bad = 0;  // one branch for the 32 digits
  for (int i = 0; i < 16; ++i) {
    const int hi = hex_value(etag[2 * i]), lo = hex_value(etag[2 * i + 1]);
    bad |= hi | lo;
    md5[i] = static_cast<std::uint8_t>(hi * 16 + lo);
  }
  if (bad < 0) return false;
  parts = 0;
  if (etag.size() == 32) return true;
  const std::string_view n = etag.substr(32);
  if (n.size() < 2 || n.size() > 6 || n[0] != '-' || n[1] == '0') return false;
  std::uint32_t v = 0;
  for (char c : n.substr(1)) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<std::uint32_t>(c - '0');
  }
  if (v >= kTextEtag) return false;
  parts = static_cast<std::uint16_t>(v);
  return true;
}

std::size_t decimal_digits(unsigned v) {
  std::size_t n = 0;
  for (; v != 0; v /= 10) ++n;
  return n;
}

}  // namespace

// The heap block: this header, then the key, the version id and a text ETag.
struct Member::Block {
  std::int64_t mtime;
  std::uint8_t md5[16];  // binary MD5, or (text ETag) the text's length in the first 2 bytes
  std::uint16_t bucket;
  std::uint16_t key_len;
  std::uint16_t version_len;
  std::uint16_t etag_parts;  // see kTextEtag

  char* text() { return reinterpret_cast<char*>(this + 1); }
  const char* text() const { return reinterpret_cast<const char*>(this + 1); }
  std::uint16_t etag_len() const {
    if (etag_parts != kTextEtag) return 0;
    std::uint16_t n;
    std::memcpy(&n, md5, sizeof n);
    return n;
  }
  std::size_t bytes() const { return sizeof(Block) + key_len + version_len + etag_len(); }
};
static_assert(sizeof(std::int64_t) + 16 + 4 * sizeof(std::uint16_t) == 32, "no padding in the block");

void Member::Free::operator()(Block* b) const { block_arena::release(b); }

Member::Member(std::string_view bucket, std::string_view key, std::string_view version_id,
               std::string_view etag, std::uint64_t size_, std::int64_t mtime)
    : size(size_) {
  if (key.size() > kMaxText || version_id.size() > kMaxText)
    throw BadInputError("the key or version id starting " + std::string(key.substr(0, 64)) +
                        " is longer than " + std::to_string(kMaxText) + " bytes");
  std::uint8_t md5[16] = {};
  std::uint16_t parts = 0;
  const bool binary = parse_md5_etag(etag, md5, parts);
  if (!binary && etag.size() > kMaxText)
    throw BadInputError("the ETag of " + std::string(key) + " is longer than " + std::to_string(kMaxText) +
                        " bytes");
  const std::size_t text = key.size() + version_id.size() + (binary ? 0 : etag.size());
  auto* b = static_cast<Block*>(block_arena::allocate(sizeof(Block) + text));
  b->mtime = mtime;
  b->bucket = bucket_id(bucket);
  b->key_len = static_cast<std::uint16_t>(key.size());
  b->version_len = static_cast<std::uint16_t>(version_id.size());
  if (binary) {
    std::memcpy(b->md5, md5, sizeof md5);
    b->etag_parts = parts;
  } else {
    std::memset(b->md5, 0, sizeof b->md5);
    const auto n = static_cast<std::uint16_t>(etag.size());
    std::memcpy(b->md5, &n, sizeof n);
    b->etag_parts = kTextEtag;
  }
  char* p = b->text();
  std::memcpy(p, key.data(), key.size());
  std::memcpy(p + key.size(), version_id.data(), version_id.size());
  if (!binary) std::memcpy(p + key.size() + version_id.size(), etag.data(), etag.size());
  block_.reset(b);
}

Member::Member(const Member& other) : size(other.size) {
  if (!other.block_) return;
  const std::size_t n = other.block_->bytes();
  auto* b = static_cast<Block*>(block_arena::allocate(n));
  std::memcpy(static_cast<void*>(b), other.block_.get(), n);
  block_.reset(b);
}

Member& Member::operator=(const Member& other) {
  if (this != &other) *this = Member(other);
  return *this;
}

const std::string& Member::bucket() const { return bucket_name(block_ ? block_->bucket : bucket_id("")); }

std::string_view Member::key() const {
  return block_ ? std::string_view(block_->text(), block_->key_len) : std::string_view();
}

std::string_view Member::version_id() const {
  return block_ ? std::string_view(block_->text() + block_->key_len, block_->version_len)
                : std::string_view();
}

std::string Member::etag() const {
  EtagBuffer buf;
  return std::string(etag(buf));
}

std::string_view Member::etag(EtagBuffer& buf) const {
  if (!block_) return {};
  const Block& b = *block_;
  if (b.etag_parts == kTextEtag) return std::string_view(b.text() + b.key_len + b.version_len, b.etag_len());
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 0; i < 16; ++i) {
    buf[2 * i] = kHex[b.md5[i] >> 4];
    buf[2 * i + 1] = kHex[b.md5[i] & 15];
  }
  std::size_t n = 32;
  if (b.etag_parts != 0) {
    buf[n++] = '-';
    n = static_cast<std::size_t>(std::to_chars(buf + n, buf + sizeof(EtagBuffer), b.etag_parts).ptr - buf);
  }
  return std::string_view(buf, n);
}

bool Member::etag_is_binary() const { return block_ && block_->etag_parts != kTextEtag; }

std::size_t Member::etag_size() const {
  if (!block_) return 0;
  const Block& b = *block_;
  if (b.etag_parts == kTextEtag) return b.etag_len();
  return b.etag_parts == 0 ? 32 : 33 + decimal_digits(b.etag_parts);  // hex digits, "-N"
}

std::int64_t Member::mtime() const { return block_ ? block_->mtime : 0; }

bool Member::etag_is_md5() const { return block_ && block_->etag_parts == 0; }

bool Member::operator==(const Member& other) const {
  if (size != other.size) return false;
  if (!block_ || !other.block_)
    return bucket() == other.bucket() && key() == other.key() && version_id() == other.version_id() &&
           etag() == other.etag() && mtime() == other.mtime();
  // The encoding is a function of the values: equal values, equal bytes.
  const std::size_t n = block_->bytes();
  return n == other.block_->bytes() && std::memcmp(block_.get(), other.block_.get(), n) == 0;
}

std::uint16_t bucket_id(std::string_view bucket) {
  // A day's objects come from one bucket, read on a few threads: one lookup per thread mostly.
  thread_local std::string last_name;
  thread_local int last_id = -1;
  if (last_id >= 0 && bucket == last_name) return static_cast<std::uint16_t>(last_id);
  BucketTable& t = buckets();
  std::lock_guard lock(t.mu);
  auto it = t.ids.find(std::string(bucket));
  if (it == t.ids.end()) {
    if (t.names.size() >= 0xffff) throw BadInputError("more than 65,535 distinct bucket names");
    const auto id = static_cast<std::uint16_t>(t.names.size());
    t.names.push_back(std::make_unique<const std::string>(bucket));
    t.by_id[id].store(t.names.back().get(), std::memory_order_release);
    it = t.ids.emplace(std::string(bucket), id).first;
  }
  last_name.assign(bucket);
  last_id = it->second;
  return it->second;
}

const std::string& bucket_name(std::uint16_t id) {
  const std::string* name = buckets().by_id[id].load(std::memory_order_acquire);
  if (name == nullptr) throw std::out_of_range("no bucket with id " + std::to_string(id));
  return *name;
}

}  // namespace s3tar::plan
