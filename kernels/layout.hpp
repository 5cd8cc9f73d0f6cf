#pragma once
// Plain-data descriptors the host fills and the kernels read.  No CUDA types:
// the CPU tests and the host planner include this header too.

#include <cstdint>

#include "code_stream.hpp"
#include "recurrence.hpp"
#include "tile_progress.hpp"

namespace gpualign::kern {

inline constexpr int kWarp = 32;
/// Query rows each thread keeps in registers (a strip).
inline constexpr int kInterRows = 8;
inline constexpr int kIntraRows = 8;
/// Rows of one intra-sequence tile: a warp, each lane one strip.  The most
/// rows any intra worker's tile has (the padding the 16-bit bias allows for).
inline constexpr int kIntraTileRows = kWarp * kIntraRows;
/// Lanes of a narrow intra worker (short pairs: several slots per warp, a
/// few threads per pair; tiles of kGroupLanes * kIntraRows rows).
inline constexpr int kGroupLanes = 8;
/// Rows a lane of the short-tile whole-warp intra instance keeps
/// (CudaTuning::intra_rows = 4, 16-bit only): 128-row tiles, so a long
/// slot has twice the tiles, and twice the warps can share it, for ~45%
/// more instructions per cell (a step's shuffles, control and end tracking
/// serve 4 rows instead of 8; scripts/sass-report.sh row "intra4").
inline constexpr int kIntraShortRows = 4;

/// A cell of a boundary row: G and F of one column, as raw bits.
struct Cell2 {
  std::uint32_t g, f;
};

/// Inter-sequence kernel: one thread per slot (one or two problems); 32
/// consecutive slots form a group whose sequences are stored interleaved so
/// that a warp's loads are coalesced: word w of lane l, problem h, at
/// base + (w * lanes + h) * 32 + l.  DNA packs 8 codes of 4 bits per word,
/// protein 4 codes of 8 bits.
struct InterGroup {
  std::uint64_t q_words = 0;   ///< offset of the group's query words
  std::uint64_t t_words = 0;   ///< offset of the group's target words
  std::uint64_t scratch = 0;   ///< offset of the group's boundary row, (cols + 1) * 32 cells
  std::int32_t rows = 0;       ///< longest query in the group (multiple of kInterRows after padding)
  std::int32_t cols = 0;       ///< longest target in the group
  std::int32_t q_wpl = 0;      ///< query words per lane and problem
  std::int32_t t_wpl = 0;      ///< target words per lane and problem
};

/// One slot: up to two problems packed in the lanes of a 16-bit register.
struct Slot {
  Problem prob[2];
  std::int32_t job[2] = {-1, -1};  ///< host job index of each problem, -1 when empty
  std::uint64_t q_off[2] = {0, 0}; ///< offsets (in codes) of each problem's codes in the batch's CodeStream
  std::uint64_t t_off[2] = {0, 0};
  std::int32_t rows = 0, cols = 0; ///< max over the slot's problems
  // Intra-sequence only:
  std::uint64_t buf = 0;           ///< offset of the slot's boundary row (cols + 1 cells)
  std::uint64_t progress = 0;      ///< offset of the slot's per-tile progress counters
  std::int32_t tiles = 0;          ///< ceil(rows / tile rows of the slot's workers)
  std::int32_t workers = 0;        ///< workers sharing the slot's tiles (1 for narrow workers)
};

/// Worker (a warp, or a group of kGroupLanes lanes) of the intra-sequence
/// kernel: tiles k, k + K, ... of one slot.  `iters` and `cols` are the
/// tiles and columns the worker's warp steps through, the same for every
/// worker of a warp (the largest of them); slot -1 is a padding worker.
struct Worker {
  std::int32_t slot = 0;
  std::int32_t k = 0;
  std::int32_t iters = 0;
  std::int32_t cols = 0;
};

struct InterArgs {
  const std::uint32_t* q_words = nullptr;
  const std::uint32_t* t_words = nullptr;
  const InterGroup* groups = nullptr;
  const Slot* slots = nullptr;
  Cell2* scratch = nullptr;
  Partial* out = nullptr;  ///< 2 per slot
  std::int32_t num_slots = 0;
  std::int32_t code_bits = 4;  ///< 4 (DNA) or 8 (protein)
  ScoreConsts sc;
};

struct IntraArgs {
  CodeStream codes;
  const Slot* slots = nullptr;
  const Worker* workers = nullptr;
  Cell2* bufs = nullptr;
  std::int32_t* progress = nullptr;
  Partial* out = nullptr;  ///< 2 per worker (its lanes' best, reduced): w * 2 + h
  std::int32_t* error = nullptr;  ///< set to 1 if a worker gave up waiting (should never happen)
  std::int32_t num_workers = 0;
  std::int32_t pad_code = 15;
  std::int32_t chunk_lead = kDefaultChunkLead;  ///< whole-warp workers: tile_progress.hpp
  ScoreConsts sc;
};

/// Traceback kernel (CIGAR windows): one thread per window, one window per
/// slot (lanes = 1), 32 slots a group laid out like an inter-sequence group
/// (interleaved code words, boundary row per column).  Each thread computes
/// the global alignment of its window in strips of kTraceRows rows and
/// stores the 4-bit direction code of every cell (kTrace* bits), a strip's
/// column in one word: row r of the strip at bits [4r, 4r + 4).  Word of
/// strip s, column j (1-based) of lane l: dirs[dir_at[g] + (s * cols + j - 1)
/// * 32 + l], so a warp's stores are coalesced.  Then the thread walks back
/// from (m, n) and writes the path's ops ('=', 'X', 'I', 'D'), last column
/// first, at ops[ops_at[slot]] (at most m + n bytes).
inline constexpr int kTraceRows = 8;
static_assert(kTraceRows * 4 == 32, "a strip column of direction codes fills one 32-bit word");

struct TraceResult {
  std::int32_t score = 0;  ///< H(m, n) of the window's global alignment
  std::int32_t len = 0;    ///< ops written (path length)
};

struct TraceArgs {
  const std::uint32_t* q_words = nullptr;
  const std::uint32_t* t_words = nullptr;
  const InterGroup* groups = nullptr;
  const Slot* slots = nullptr;
  const std::uint64_t* dir_at = nullptr;  ///< per group: offset (words) of its direction words
  const std::uint64_t* ops_at = nullptr;  ///< per slot: offset (bytes) of its ops
  std::uint32_t* dirs = nullptr;
  Cell2* scratch = nullptr;               ///< boundary rows: H and F (int32 bits)
  char* ops = nullptr;
  TraceResult* out = nullptr;             ///< one per slot
  std::int32_t num_slots = 0;
  std::int32_t code_bits = 4;
  std::int32_t open = 0, ext = 0;
};

/// Traceback of large windows (trace_warp_agent.hpp): one window per slot
/// (prob[0], q_off[0] / t_off[0] into the batch's CodeStream, buf: the window's
/// boundary row of n + 1 cells), its tiles of kWarp * kTraceRows rows shared
/// by slot.workers whole-warp workers (tiles k, k + K, ... for worker k, as
/// in the intra-sequence kernel, with per-tile progress counters).
struct TraceWarpArgs {
  CodeStream codes;
  const Slot* slots = nullptr;
  const Worker* workers = nullptr;        ///< this launch's workers
  const std::uint64_t* dir_at = nullptr;  ///< per slot: offset (words) of its direction words
  const std::uint64_t* ops_at = nullptr;  ///< per slot: offset (bytes) of its ops
  std::uint32_t* dirs = nullptr;
  Cell2* bufs = nullptr;                  ///< boundary rows: H and F (int32 bits)
  std::int32_t* progress = nullptr;       ///< per tile: columns of its bottom row stored
  char* ops = nullptr;
  TraceResult* out = nullptr;             ///< one per slot
  std::int32_t* error = nullptr;          ///< set to 1 if a worker gave up waiting (should never happen)
  std::int32_t num_workers = 0;
  std::int32_t pad_code = 15;
  std::int32_t chunk_lead = kDefaultChunkLead;  ///< tile_progress.hpp
  std::int32_t open = 0, ext = 0;
};

/// Wavefront steps of direction words the walking warp of a window keeps in
/// shared memory (kWalkSteps * kWarp words, 4 KiB a warp), as two blocks
/// of kWalkBlockSteps steps: the walk back reads one while the block below
/// it is copied into the other (trace_warp_agent.hpp).
inline constexpr int kWalkSteps = 32;
inline constexpr int kWalkBlockSteps = kWalkSteps / 2;
inline constexpr int kWalkCacheWords = kWalkSteps * kWarp;
inline constexpr int kWalkBlockWords = kWalkBlockSteps * kWarp;

/// Direction words of a window traced by a warp: a word per lane and
/// wavefront step (n + 31 of them) per tile of kWarp * kTraceRows rows.
GPUALIGN_HD std::uint64_t warp_trace_dir_words(int m, int n) {
  const int tiles = m > 0 ? (m + kWarp * kTraceRows - 1) / (kWarp * kTraceRows) : 1;
  return static_cast<std::uint64_t>(tiles) * static_cast<std::uint64_t>(n + kWarp - 1) * kWarp;
}

/// Where code `p` of a packed code stream lies, without a division: 4-bit
/// DNA codes 8 a word, 8-bit protein codes 4 a word (powers of two).
struct CodeWords {
  int word_shift;    ///< word of code p: p >> word_shift
  int in_word;       ///< codes a word - 1: p & in_word is the code's place in its word
  int bits_shift;    ///< bit offset of that place: (p & in_word) << bits_shift
  std::uint32_t mask;
  GPUALIGN_HD int word(int p) const { return p >> word_shift; }
  GPUALIGN_HD int shift(int p) const { return (p & in_word) << bits_shift; }
  GPUALIGN_HD int code(std::uint32_t w, int p) const { return static_cast<int>((w >> shift(p)) & mask); }
};
GPUALIGN_HD CodeWords code_words(int bits) {
  return bits == 4 ? CodeWords{3, 7, 2, 0xFu} : CodeWords{2, 3, 3, 0xFFu};
}

/// Packs the codes of one lane/problem of an inter group (also the body of
/// the device packing functor) from the batch's code stream, `bits` a code
/// in the words (4 for DNA, 8 for protein, whatever the stream's width).
GPUALIGN_HD void pack_lane_words(std::uint32_t* dst, CodeStream codes, std::uint64_t off, int len, int words,
                                 int lanes, int h, int lane, int bits, int pad) {
  const int per_word = 32 / bits;
  for (int w = 0; w < words; ++w) {
    std::uint32_t word = 0;
    for (int c = 0; c < per_word; ++c) {
      const int p = w * per_word + c;
      const std::uint32_t code =
          static_cast<std::uint32_t>(p < len ? codes.at(off + static_cast<std::uint64_t>(p)) : pad);
      word |= code << (c * bits);
    }
    dst[(static_cast<std::uint64_t>(w) * lanes + h) * kWarp + lane] = word;
  }
}

/// Index `idx` (of num_groups * 32 * lanes) of the packing of an inter
/// launch: one problem `h` of one slot, both sequences.  Slots past
/// `num_slots` (the last group's padding) are packed as empty problems.
GPUALIGN_HD void pack_inter_index(int idx, const Slot* slots, const InterGroup* groups, int num_slots,
                                  CodeStream codes, std::uint32_t* q_words, std::uint32_t* t_words, int lanes,
                                  int bits, int pad) {
  const int i = idx / lanes, h = idx % lanes, lane = i % kWarp;
  const InterGroup& g = groups[i / kWarp];
  const bool real = i < num_slots;
  const Slot s = real ? slots[i] : Slot{};
  pack_lane_words(q_words + g.q_words, codes, s.q_off[h], real ? s.prob[h].m : 0, g.q_wpl, lanes, h, lane, bits, pad);
  pack_lane_words(t_words + g.t_words, codes, s.t_off[h], real ? s.prob[h].n : 0, g.t_wpl, lanes, h, lane, bits, pad);
}

}  // namespace gpualign::kern
