#include "s3tar/archive/plan/block_arena.h"

#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>

namespace s3tar::plan::block_arena {
namespace {

// At the start of every chunk; chunks are aligned to their size, so a block's chunk is its
// address rounded down.
struct alignas(16) Chunk {
  std::atomic<std::uint64_t> live;  // blocks not yet released, plus the carving thread's claim
};
constexpr std::size_t kHeader = sizeof(Chunk);
constexpr std::size_t kLargestCarved = 64 * 1024;
static_assert(kHeader % kAlignment == 0 && kLargestCarved + kHeader <= kChunkBytes);

std::size_t round_up(std::size_t n, std::size_t to) { return (n + to - 1) / to * to; }

Chunk* new_chunk(std::size_t bytes, std::uint64_t live) {
  void* p = std::aligned_alloc(kChunkBytes, bytes);  // bytes: a multiple of kChunkBytes
  if (p == nullptr) throw std::bad_alloc();
  return new (p) Chunk{live};
}

// A carving chunk is filled block by block, each first write to a page a fault: one call that
// maps the whole chunk costs a fraction of its 256 faults (the inventory workers spent about a
// sixth of their time in them). Kernels before 5.14 (or headers before glibc 2.35) do not have
// the advice; the faults remain.
void populate(Chunk* c) noexcept {
#ifdef MADV_POPULATE_WRITE
  (void)::madvise(c, kChunkBytes, MADV_POPULATE_WRITE);
#else
  (void)c;
#endif
}

// A thread's last chunk outlives the thread while its blocks live (a scan's workers end, their
// members stay): the populated pages it never carved are handed back.
void unpopulate_tail(Chunk* c, std::size_t used) noexcept {
  const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  const std::size_t from = round_up(used, page);
  if (from < kChunkBytes)
    (void)::madvise(reinterpret_cast<char*>(c) + from, kChunkBytes - from, MADV_DONTNEED);
}

void unref(Chunk* c) noexcept {
  if (c->live.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    c->~Chunk();
    std::free(c);
  }
}

Chunk* chunk_of(void* block) {
  return reinterpret_cast<Chunk*>(reinterpret_cast<std::uintptr_t>(block) & ~(kChunkBytes - 1));
}

// The chunk this thread carves from.
struct Carving {
  Chunk* chunk = nullptr;
  std::size_t used = 0;
  ~Carving() {
    if (chunk == nullptr) return;
    unpopulate_tail(chunk, used);
    unref(chunk);
  }
};
thread_local Carving t_carving;

}  // namespace

void* allocate(std::size_t bytes) {
  bytes = round_up(bytes == 0 ? 1 : bytes, kAlignment);
  if (bytes > kLargestCarved) {
    Chunk* own = new_chunk(round_up(kHeader + bytes, kChunkBytes), 1);
    return reinterpret_cast<char*>(own) + kHeader;
  }
  Carving& t = t_carving;
  if (t.chunk == nullptr || t.used + bytes > kChunkBytes) {
    Chunk* next = new_chunk(kChunkBytes, 1);  // the claim
    populate(next);
    if (t.chunk != nullptr) unref(t.chunk);  // full: it now lives as long as its blocks
    t.chunk = next;
    t.used = kHeader;
  }
  void* block = reinterpret_cast<char*>(t.chunk) + t.used;
  t.used += bytes;
  t.chunk->live.fetch_add(1, std::memory_order_relaxed);
  return block;
}

void release(void* block) noexcept {
  if (block != nullptr) unref(chunk_of(block));
}

}  // namespace s3tar::plan::block_arena
