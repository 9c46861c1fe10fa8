// Memory for the members' heap blocks (member.h). A day's plan holds millions of blocks of
// about 120 bytes; one malloc each costs its 8-byte header and 16-byte rounding (about 8 % of a
// block) and scatters them between the inventory scan's short-lived allocations. Here they are
// carved from 1 MiB chunks instead, 8-byte aligned.
//
// Each thread carves from a chunk of its own (no lock); a block may be released on any thread.
// A chunk counts its live blocks and is freed with the last of them: the carving thread's claim
// counts as one until the chunk is full or the thread ends. A block bigger than 64 KiB gets a
// chunk of its own. Dropping some blocks early (filtered members) keeps their chunk until its
// other blocks go: memory is given back per chunk, not per block.
#pragma once

#include <cstddef>

namespace s3tar::plan::block_arena {

inline constexpr std::size_t kChunkBytes = std::size_t{1} << 20;
inline constexpr std::size_t kAlignment = 8;

// `bytes` of memory aligned to kAlignment; throws std::bad_alloc.
void* allocate(std::size_t bytes);
// Gives back a block from allocate() (on any thread).
void release(void* block) noexcept;

}  // namespace s3tar::plan::block_arena
