// The bytes of a planned volume: its pieces with runs of members expanded, the members' tar
// headers, toc.csv, and the whole archive as a reference for tests and dry runs.
#include <fmt/format.h>

#include <stdexcept>

#include "s3tar/archive/plan/plan.h"
#include "s3tar/archive/tar/names.h"

namespace s3tar::plan {

using tar::padding_size;

std::uint64_t header_size(const Volume& volume, std::size_t member) {
  const std::uint64_t start = member == 0
                                  ? volume.toc_size
                                  : volume.data_offsets.at(member - 1) + volume.members[member - 1].size +
                                        padding_size(volume.members[member - 1].size);
  return volume.data_offsets.at(member) - start;
}

std::vector<Piece> expand_pieces(const Volume& volume, const Part& part) {
  std::vector<Piece> out;
  out.reserve(part.pieces.size());
  for (const Piece& piece : part.pieces) {
    if (piece.kind != PieceKind::Members) {
      out.push_back(piece);
      continue;
    }
    for (std::uint64_t i = piece.member; i < piece.member + piece.offset; ++i) {
      const auto m = static_cast<std::uint32_t>(i);
      const std::uint64_t size = volume.members.at(m).size;
      out.push_back(Piece{PieceKind::Header, m, 0, header_size(volume, m)});
      if (size > 0) out.push_back(Piece{PieceKind::Source, m, 0, size});
      if (padding_size(size) > 0) out.push_back(Piece{PieceKind::Padding, m, 0, padding_size(size)});
    }
  }
  return out;
}

tar::MemberHeaderInfo header_info(const Volume& volume, std::size_t member) {
  const Member& m = volume.members.at(member);
  return tar::MemberHeaderInfo{tar::member_name_for_key(m.key()), m.size, m.mtime(), 0644};
}

std::vector<tar::TocEntry> toc_entries(const Volume& volume) {
  std::vector<tar::TocEntry> out;
  out.reserve(volume.members.size());
  for (std::size_t i = 0; i < volume.members.size(); ++i) {
    const Member& m = volume.members[i];
    out.push_back(tar::TocEntry{std::string(m.key()), volume.data_offsets[i], m.size, m.etag()});
  }
  return out;
}

std::string render_toc(const Volume& volume) {
  std::string out = tar::make_header(
      tar::MemberHeaderInfo{std::string(tar::kTocName), volume.toc_data_size, volume.toc_mtime, 0644},
      volume.format);
  out.reserve(volume.toc_size);
  Member::EtagBuffer etag;
  for (std::size_t i = 0; i < volume.members.size(); ++i) {
    const Member& m = volume.members[i];
    tar::append_toc_row(out, m.key(), volume.data_offsets[i], m.size, m.etag(etag));
  }
  out.append(padding_size(volume.toc_data_size), '\0');
  if (out.size() != volume.toc_size)
    throw std::logic_error(fmt::format("toc.csv is {} bytes, planned {}", out.size(), volume.toc_size));
  return out;
}

std::string render_generated(const Volume& volume, const Piece& piece) {
  switch (piece.kind) {
    case PieceKind::Toc:
      return render_toc(volume).substr(piece.offset, piece.length);
    case PieceKind::Header:
      return tar::make_header(header_info(volume, piece.member), volume.format)
          .substr(piece.offset, piece.length);
    case PieceKind::Padding:
    case PieceKind::End:
      return std::string(piece.length, '\0');
    case PieceKind::Source:
    case PieceKind::Members:
      break;
  }
  throw std::invalid_argument("render_generated: a Source piece is fetched, a Members run expanded first");
}

std::string render_volume_reference(const Volume& volume, const SourceBytesFn& source_bytes) {
  std::string out;
  out.reserve(volume.total_size);
  std::string toc;
  for (const Part& part : volume.parts) {
    if (part.kind == PartKind::Copy) {
      out += source_bytes(volume.members.at(part.copy.member), part.copy.offset, part.copy.length);
      continue;
    }
    for (const Piece& piece : expand_pieces(volume, part)) {
      if (piece.kind == PieceKind::Source) {
        out += source_bytes(volume.members.at(piece.member), piece.offset, piece.length);
      } else if (piece.kind == PieceKind::Toc) {
        if (toc.empty()) toc = render_toc(volume);
        out.append(toc, piece.offset, piece.length);
      } else {
        out += render_generated(volume, piece);
      }
    }
  }
  return out;
}

}  // namespace s3tar::plan
