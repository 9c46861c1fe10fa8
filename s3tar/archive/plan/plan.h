// The planner: a pure function from a member list to volumes and parts. No I/O, no clock, no
// randomness: the same members and options give the same plan and the same archive bytes.
#pragma once

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "s3tar/archive/plan/member.h"
#include "s3tar/archive/plan/member_range.h"
#include "s3tar/archive/tar/header.h"
#include "s3tar/archive/tar/toc.h"
#include "s3tar/errors.h"

namespace s3tar::plan {

inline constexpr std::uint64_t KiB = 1024;
inline constexpr std::uint64_t MiB = 1024 * KiB;
inline constexpr std::uint64_t GiB = 1024 * MiB;

// Multipart upload limits (S3 defaults; lower them for tests or other servers).
struct Limits {
  std::uint64_t min_part = 5 * MiB;  // every part but the last
  std::uint64_t max_part = 5 * GiB;  // must be >= 2 * min_part
  std::uint32_t max_parts = 10000;
  std::uint64_t max_object = 10000 * (5 * GiB);  // many S3-compatible servers: 5 TiB
};

enum class Order {
  Interleaved,  // default: sorted, then small members fill the gaps before large ones (see plan.cpp)
  Sorted,       // by (bucket, key, version_id)
  Input,        // as given
};

struct Options {
  Limits limits;
  // Upload parts are assembled in memory; bigger parts mean fewer UploadPart requests.
  std::uint64_t upload_part_target = 16 * MiB;
  // Upload parts grow past the target only to stay within max_parts, and never past this (memory
  // bound); beyond it the volume is closed instead.
  std::uint64_t max_upload_part_target = 256 * MiB;
  // Members at least this big are copied server-side (0 = 2 * min_part, also the minimum).
  std::uint64_t copy_threshold = 0;
  tar::Format format = tar::Format::Pax;
  std::uint64_t size_limit = 0;             // max bytes per volume, 0 = none
  std::string archive_key = "archive.tar";  // K.tar; volumes K.00.tar, K.01.tar, ... when several
  Order order = Order::Interleaved;
};

// Members or options the planner cannot make an archive of (bad input).
class PlanError : public BadInputError {
 public:
  using BadInputError::BadInputError;
};

// Bytes of an upload part. Generated pieces are rendered by render_generated at execution time;
// Source pieces are fetched with a (ranged) GET.
enum class PieceKind {
  Toc,      // header + data + padding of toc.csv; offset/length within those bytes
  Header,   // header of `member`; offset/length within make_header's bytes
  Padding,  // zeros after `member`'s data
  End,      // end-of-archive zero blocks
  Source,   // bytes [offset, offset+length) of `member`'s object
  // Whole members [member, member + offset): each one's header, data and padding, `length`
  // bytes in all. The plan holds runs of small members this way (a day has millions of them);
  // expand_pieces() gives the pieces above, which is what executors work with.
  Members,
};

struct Piece {
  PieceKind kind = PieceKind::Source;
  std::uint32_t member = 0;  // index into Volume::members (Header, Padding, Source)
  std::uint64_t offset = 0;
  std::uint64_t length = 0;

  bool operator==(const Piece&) const = default;
};

enum class PartKind { Copy, Upload };

// UploadPartCopy of a range wholly inside one source object.
struct CopyRange {
  std::uint32_t member = 0;
  std::uint64_t offset = 0;  // within the source object
  std::uint64_t length = 0;
};

struct Part {
  std::uint32_t number = 0;          // 1..max_parts
  std::uint64_t archive_offset = 0;  // where the part starts in the archive
  std::uint64_t size = 0;
  PartKind kind = PartKind::Upload;
  CopyRange copy;             // kind == Copy
  std::vector<Piece> pieces;  // kind == Upload, in order, lengths sum to size (see PieceKind::Members)
  // A rewrite's copy part that an earlier attempt of the same upload stored under this number
  // (reuse.h): listed in Complete, not sent again.
  bool reused = false;
};

struct Requests {
  std::uint64_t create_multipart_upload = 0;
  std::uint64_t upload_part = 0;
  std::uint64_t upload_part_copy = 0;
  std::uint64_t get_object = 0;
  std::uint64_t put_object = 0;
  std::uint64_t complete_multipart_upload = 0;

  std::uint64_t total() const;
};

struct Stats {
  Requests requests;
  std::uint64_t members = 0;
  std::uint64_t archive_bytes = 0;
  std::uint64_t bytes_downloaded = 0;  // GET
  std::uint64_t bytes_uploaded = 0;    // UploadPart / PutObject bodies
  std::uint64_t bytes_copied = 0;      // UploadPartCopy, server-side

  // S3 list prices: PUT/COPY/POST/LIST $0.005 per 1,000 requests, GET $0.0004 per 1,000.
  double cost_usd() const;
  Stats& operator+=(const Stats& other);
};

struct Volume {
  std::string key;  // archive object key
  tar::Format format = tar::Format::Pax;
  MemberRange members;                      // archive order (toc.csv comes first, before all of them)
  std::vector<std::uint64_t> data_offsets;  // parallel to members: where each member's data starts
  std::int64_t toc_mtime = 0;               // newest member mtime: no wall clock in the archive
  std::uint64_t toc_data_size = 0;          // bytes of toc.csv text
  std::uint64_t toc_size = 0;    // toc.csv header + text + padding = offset of the first member header
  std::uint64_t total_size = 0;  // archive bytes
  std::uint64_t upload_part_target = 0;  // the target used (grown past Options' to fit max_parts)
  bool single_put = false;               // total_size < min_part: one PutObject with the single upload part
  std::vector<Part> parts;
  Stats stats;
};

struct Plan {
  std::vector<Volume> volumes;
  Stats stats;  // sum over volumes
};

// Plans the archives. Members are taken by value (move them in: volumes keep them). Throws
// PlanError for invalid options or a member that cannot fit an archive (bigger than max_object).
// An empty member list gives a plan without volumes.
Plan make_plan(std::vector<Member> members, const Options& options);

// Requests and bytes of a volume's parts (reused parts are not sent: not counted).
Stats volume_stats(const Volume& volume);

// The pieces of an upload part with every Members run expanded into the Header, Source and
// Padding pieces of its members (a Source or Padding piece only when it has bytes).
std::vector<Piece> expand_pieces(const Volume& volume, const Part& part);
// Bytes of member i's tar header (from the layout: data_offsets and sizes).
std::uint64_t header_size(const Volume& volume, std::size_t member);

// Header info for member i of a volume (escaped name, size, mtime, 0644).
tar::MemberHeaderInfo header_info(const Volume& volume, std::size_t member);
// TOC rows of a volume (exact keys, data offsets).
std::vector<tar::TocEntry> toc_entries(const Volume& volume);
// header + text + padding of toc.csv (toc_size bytes). Executors: render once per volume and
// slice it for Toc pieces rather than calling render_generated for each.
std::string render_toc(const Volume& volume);
// The bytes of a generated piece (every kind but Source, which throws std::invalid_argument).
std::string render_generated(const Volume& volume, const Piece& piece);

// Bytes [offset, offset+length) of member's object.
using SourceBytesFn =
    std::function<std::string(const Member& member, std::uint64_t offset, std::uint64_t length)>;
// The whole archive as the executor would produce it, part by part (for tests and dry runs).
std::string render_volume_reference(const Volume& volume, const SourceBytesFn& source_bytes);

}  // namespace s3tar::plan
