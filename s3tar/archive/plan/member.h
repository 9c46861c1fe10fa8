// An object to archive, held compactly: a daily job plans millions of them at once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace s3tar::plan {

// Bucket, key, version id, ETag, size and mtime of one source object. Sixteen bytes plus one
// block (from block_arena.h) holding the key and version id back to back, the mtime, the bucket as a small id
// into a process-wide table of bucket names (a day's objects share one or a few), and the ETag as 16 bytes of
// binary MD5 when it is one ("hex" or multipart "hex-N": the part count is kept too); any other ETag is kept
// as text. Every accessor gives back exactly what was given.
class Member {
 public:
  Member() = default;
  // Throws BadInputError for a key or version id longer than 65,535 bytes (S3 allows 1,024).
  Member(std::string_view bucket, std::string_view key, std::string_view version_id, std::string_view etag,
         std::uint64_t size, std::int64_t mtime);
  Member(const Member& other);
  Member& operator=(const Member& other);
  Member(Member&&) noexcept = default;
  Member& operator=(Member&&) noexcept = default;
  ~Member() = default;

  const std::string& bucket() const;
  std::string_view key() const;
  std::string_view version_id() const;  // empty: no version pinning
  std::string etag() const;             // as given (written to the TOC, used for if-match by the executor)
  // The same text without allocating: in `buf` for the binary forms, in the block otherwise.
  // Valid while both live.
  using EtagBuffer = char[40];  // 32 hex digits, "-", up to 5 digits
  std::string_view etag(EtagBuffer& buf) const;
  // Held as binary (MD5, with a part count for "hex-N"): its text is hex digits, "-" and digits,
  // which CSV never quotes. etag_size() is the text's size without producing it: the planner
  // sizes every TOC row of a plan.
  bool etag_is_binary() const;
  std::size_t etag_size() const;
  std::int64_t mtime() const;  // unix seconds (LastModified)
  // The ETag is a plain MD5 (32 lowercase hex digits): single-part, so it is the body's digest
  // unless the object is KMS-encrypted.
  bool etag_is_md5() const;

  bool operator==(const Member& other) const;

  std::uint64_t size = 0;

 private:
  struct Block;
  struct Free {
    void operator()(Block* b) const;
  };
  std::unique_ptr<Block, Free> block_;
};

// The id of a bucket name in the process-wide table, and back (tested; the table only grows).
std::uint16_t bucket_id(std::string_view bucket);
const std::string& bucket_name(std::uint16_t id);

}  // namespace s3tar::plan
