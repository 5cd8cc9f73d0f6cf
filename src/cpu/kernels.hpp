#pragma once
// The CPU engine's kernel interface: plain data in, end cells out.  Each SIMD
// level compiles the same kernel templates (kernels_impl.hpp) in its own
// translation unit with its own compiler flags and exports one KernelTable;
// only dispatch (cpu_engine.cpp) picks a table, after checking the CPU.

#include <cstddef>
#include <cstdint>

#include "gpualign/alignment.hpp"
#include "gpualign/sequence.hpp"

namespace gpualign::cpu {

/// The scoring scheme and mode, flattened for kernels.
struct KernelParams {
  AlignMode mode = AlignMode::local;
  const int* matrix = nullptr;  // size x size, row = query code
  int size = 0;                 // alphabet size
  int open = 0, extend = 0;     // positive gap costs
  int min_score = 0, max_score = 0;
  // Semi-global: may the alignment end at target column 0 (the whole query
  // inserted)?  Not in a forward pass (parasail's sg_dx only ends on columns
  // 1..n); yes in the reverse pass, whose column 0 is the anchor itself.
  bool semi_column0 = false;
  // DNA class table for the inter-sequence kernels: class 0..3 = A C G T,
  // 4 = ambiguous (and lane padding); dna_class[qc * 5 + tc].
  bool dna = false;
  int dna_class[25] = {};
};

/// A forward pass's result: the end cell chosen by the reference's tie-break.
struct EndCell {
  std::int64_t score = 0;
  std::int64_t qend = 0;  // exclusive
  std::int64_t tend = 0;  // exclusive
  bool overflow = false;  // a saturating width could not hold the scores: rerun wider
};

/// Scratch memory a kernel may use; owned by the engine, grown as needed, so
/// kernels never allocate.
struct Scratch {
  /// At least `bytes` bytes, 64-byte aligned, in slot `slot` (0..7); the
  /// contents are not kept.
  void* get(int slot, std::size_t bytes);
  ~Scratch();
  Scratch() = default;
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;

 private:
  void* ptr_[8] = {};
  std::size_t cap_[8] = {};
};

/// Inter-sequence: aligns pairs[order[0..count)] in lane groups of the
/// level's lane count (the caller sorts `order` by length); writes out[k]
/// for pairs[order[k]].  Every pair has both sequences non-empty.
using InterFn = void (*)(const KernelParams&, const SequencePair* pairs, const std::uint32_t* order,
                         std::size_t count, EndCell* out, Scratch& scratch);
/// Intra-sequence (striped, Farrar): one pair, both sequences non-empty.
using StripedFn = void (*)(const KernelParams&, const SequencePair& pair, EndCell& out, Scratch& scratch);

/// Inter-sequence global alignment with traceback, for CIGAR windows: aligns
/// pairs[order[k]] end to end and writes its path backwards, one op char
/// (= X I D) per column, at paths + path_at[k] (room for m + n), its length
/// in path_len[k] and its score in score[k].  Ties resolve exactly as in the
/// reference's traceback, so the CIGAR is the reference's.  overflow[k] set:
/// the width could not hold the scores (nothing else valid).
using InterTraceFn = void (*)(const KernelParams&, const SequencePair* pairs, const std::uint32_t* order,
                              std::size_t count, char* paths, const std::size_t* path_at, std::size_t* path_len,
                              std::int64_t* score, bool* overflow, Scratch& scratch);

/// One SIMD level's kernels by score width; null where the level has none.
/// The 8- and 16-bit kernels saturate and report overflow; the 32-bit ones
/// need score_bound() below 2^29.  Inter-sequence kernels need kp.dna.
struct KernelTable {
  const char* name = "";
  int lanes16 = 1;  // lanes of a 16-bit vector (for sizing decisions)
  InterFn inter8 = nullptr, inter16 = nullptr, inter32 = nullptr;
  StripedFn striped16 = nullptr, striped32 = nullptr;
  InterTraceFn trace16 = nullptr;
};

const KernelTable* kernels_scalar();
const KernelTable* kernels_sse41();   // null when not built (non-x86)
const KernelTable* kernels_avx2();    // null when not built
const KernelTable* kernels_avx512();  // null when not built

}  // namespace gpualign::cpu
