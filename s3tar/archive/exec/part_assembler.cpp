#include "s3tar/archive/exec/part_assembler.h"

#include <atomic>
#include <cstring>
#include <future>
#include <memory>

#include "s3tar/log/log.h"
#include "s3tar/s3/digest.h"

namespace s3tar::exec {
namespace {

struct Received {
  std::atomic<uint64_t> bytes{0};
  std::atomic<bool> too_long{false};  // the sink refused bytes past the planned length
};

// One source piece's GET in flight, writing into its place in the part's buffer.
struct Fetch {
  size_t piece = 0;
  char* dest = nullptr;
  std::future<s3::GetResult> result;
  std::shared_ptr<Received> received;
};

Fetch start_fetch(s3::S3Client& client, const plan::Member& m, const plan::Piece& piece, size_t index,
                  char* dest) {
  s3::GetRequest req;
  req.object = {m.bucket(), std::string(m.key()), std::string(m.version_id())};
  if (piece.offset != 0 || piece.length != m.size)
    req.range = s3::ByteRange{piece.offset, piece.offset + piece.length - 1};
  req.if_match = m.etag();
  auto received = std::make_shared<Received>();
  const uint64_t length = piece.length;
  // A retry starts again at offset 0 and overwrites; more bytes than planned means the object
  // changed: stop the transfer.
  req.sink = [dest, length, received](uint64_t offset, const char* data, size_t n) {
    if (offset + n > length) {
      received->too_long = true;
      return false;
    }
    std::memcpy(dest + offset, data, n);
    received->bytes.store(offset + n);
    return true;
  };
  return Fetch{index, dest, client.get_object(std::move(req)), received};
}

std::string where(const plan::Member& m) { return "s3://" + m.bucket() + "/" + std::string(m.key()); }

// A whole object read with a plain MD5 ETag (not KMS-encrypted: then the ETag is no MD5) can
// be checked byte for byte: cheap, and it catches corruption the transport missed.
bool checkable(const plan::Member& m, const plan::Piece& piece, const s3::GetResult& r) {
  const std::string& sse = r.info.server_side_encryption;
  return piece.offset == 0 && piece.length == m.size && s3::is_md5_etag(m.etag()) &&
         (sse.empty() || sse == "AES256");
}

bool body_matches(const plan::Member& m, const Fetch& f, uint64_t length) {
  return s3::md5_hex(std::string_view(f.dest, length)) == m.etag();
}

// Waits for one fetch. Returns the problem that makes the source unreadable, if any; throws
// every other failure.
std::optional<SourceProblem> wait_fetch(const plan::Member& m, const plan::Piece& piece, Fetch& f,
                                        s3::GetResult& r) {
  try {
    r = f.result.get();
  } catch (const s3::S3Error& e) {
    if (f.received->too_long)
      return SourceProblem{m.bucket(), std::string(m.key()), std::string(m.version_id()), "changed",
                           where(m) + ": more bytes than the planned " + std::to_string(m.size)};
    if (auto reason = source_problem_reason(e))
      return SourceProblem{m.bucket(), std::string(m.key()), std::string(m.version_id()), *reason, e.what()};
    throw;
  }
  if (f.received->bytes.load() != piece.length || r.info.size != m.size)
    return SourceProblem{
        m.bucket(), std::string(m.key()), std::string(m.version_id()), "changed",
        where(m) + ": size is " + std::to_string(r.info.size) + ", planned " + std::to_string(m.size)};
  return std::nullopt;
}

// wait_fetch, then the MD5 check of a whole object's body: bytes that differ from what the
// ETag (pinned by If-Match) says the object holds were damaged on the way; they are read once
// more before giving up.
std::optional<SourceProblem> finish_fetch(s3::S3Client& client, const plan::Member& m,
                                          const plan::Piece& piece, Fetch& f) {
  s3::GetResult r;
  if (auto problem = wait_fetch(m, piece, f, r)) return problem;
  if (!checkable(m, piece, r) || body_matches(m, f, piece.length)) return std::nullopt;
  log::warn("source.md5_mismatch",
            where(m) + ": the bytes read do not match its MD5 ETag " + m.etag() + "; reading it again",
            {{"bucket", m.bucket()}, {"key", std::string(m.key())}});
  Fetch again = start_fetch(client, m, piece, f.piece, f.dest);
  if (auto problem = wait_fetch(m, piece, again, r)) return problem;
  if (body_matches(m, again, piece.length)) return std::nullopt;
  throw TransientError(
      where(m) + ": twice the bytes read did not match the object's MD5 ETag " + m.etag() +
      " (damaged on the way, or the server's ETags are not MD5s); nothing was written, run again");
}

}  // namespace

void keep_sources(const plan::Volume& volume, const plan::Part& part, const std::string& bytes,
                  SourceCache& cache) {
  uint64_t pos = 0;
  for (const auto& piece : plan::expand_pieces(volume, part)) {
    if (piece.kind == plan::PieceKind::Source)
      cache.keep(volume.members[piece.member], piece.offset,
                 std::string_view(bytes).substr(pos, piece.length));
    pos += piece.length;
  }
}

void keep_spooled_sources(const plan::Volume& volume, const plan::Part& part, uint64_t offset,
                          SourceCache& cache) {
  uint64_t pos = offset;
  for (const auto& piece : plan::expand_pieces(volume, part)) {
    if (piece.kind == plan::PieceKind::Source)
      cache.keep_spooled(volume.members[piece.member], piece.offset, piece.length, pos);
    pos += piece.length;
  }
}

std::string assemble_part(s3::S3Client& client, const plan::Volume& volume, const plan::Part& part,
                          const std::string& toc_bytes, SourceCache* cache, std::atomic<bool>* failed,
                          const ReadBytesFn& read) {
  const std::vector<plan::Piece> pieces = plan::expand_pieces(volume, part);
  uint64_t total = 0;
  for (const auto& piece : pieces) total += piece.length;
  if (total != part.size)
    throw std::logic_error("part " + std::to_string(part.number) + " has " + std::to_string(total) +
                           " bytes of pieces, planned " + std::to_string(part.size));
  std::string buf(part.size, '\0');
  std::vector<Fetch> fetches;
  uint64_t pos = 0;
  for (size_t i = 0; i < pieces.size(); ++i) {
    const auto& piece = pieces[i];
    char* dest = buf.data() + pos;
    switch (piece.kind) {
      case plan::PieceKind::Source: {
        const plan::Member& m = volume.members[piece.member];
        std::optional<std::string> kept;
        if (cache) kept = cache->take(m, piece.offset, piece.length);
        if (kept) {
          kept->copy(dest, piece.length);
        } else {
          fetches.push_back(start_fetch(client, m, piece, i, dest));
        }
        break;
      }
      case plan::PieceKind::Toc:
        toc_bytes.copy(dest, piece.length, piece.offset);
        break;
      default: {
        const std::string bytes = plan::render_generated(volume, piece);
        bytes.copy(dest, bytes.size());
      }
    }
    pos += piece.length;
  }
  // Every fetch is waited for, whatever fails: their sinks write into `buf`.
  std::vector<SourceProblem> problems;
  std::vector<bool> read_ok(fetches.size(), false);
  std::exception_ptr other;
  for (size_t f = 0; f < fetches.size(); ++f) {
    const auto& piece = pieces[fetches[f].piece];
    try {
      if (auto problem = finish_fetch(client, volume.members[piece.member], piece, fetches[f])) {
        problems.push_back(std::move(*problem));
        if (failed) *failed = true;  // the other parts of the volume stop before they upload
      } else {
        read_ok[f] = true;
        if (read) read(piece.length);
      }
    } catch (...) {
      if (!other) other = std::current_exception();
      if (failed) *failed = true;
    }
  }
  if (problems.empty() && !other) return buf;
  if (cache && !problems.empty()) {  // the volume is written again without them: keep what was read
    for (size_t f = 0; f < fetches.size(); ++f) {
      const auto& piece = pieces[fetches[f].piece];
      const plan::Member& m = volume.members[piece.member];
      if (read_ok[f]) cache->keep(m, piece.offset, std::string_view(fetches[f].dest, piece.length));
    }
  }
  if (!problems.empty()) throw SourceError(describe_problems(problems), std::move(problems));
  std::rethrow_exception(other);
}

}  // namespace s3tar::exec
