// The exact scalar reference aligner (Gotoh, affine gaps).  It is the oracle
// for every other engine, so it favours plain loops over speed.
//
// Recurrences, for query a (rows i) and target b (columns j):
//   E(i,j) = max(H(i,j-1) - open, E(i,j-1) - extend)     gap in the query: D
//   F(i,j) = max(H(i-1,j) - open, F(i-1,j) - extend)     gap in the target: I
//   H(i,j) = max(H(i-1,j-1) + s(a_i, b_j), E(i,j), F(i,j)  [, 0 when local])
// Boundaries: local: H = 0 on row 0 and column 0; global: gaps cost on both;
// semi-global: row 0 free (leading target gap), column 0 costs.
//
// Begin positions: the forward pass on the reversed prefixes a[0,qend) and
// b[0,tend), in the same mode, with the same end tie-break.  Because the
// forward end is the first optimal one (smallest tend, then smallest qend),
// every optimal path the reverse pass finds is anchored at that end, so its
// end is the begin of an optimal alignment ending there.
//
// CIGAR: a global alignment of the window a[qbeg,qend) x b[tbeg,tend), which
// scores exactly the optimum and, being optimal, starts and ends on aligned
// residues.  The traceback keeps a checkpoint row (H and F) every K rows and
// recomputes one K-row block of direction bits at a time, so memory grows as
// (m/K + K) * n with K = sqrt(m), never as m * n.

#include "gpualign/reference_aligner.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "gpualign/error.hpp"

namespace gpualign {
namespace {

using Codes = std::span<const std::uint8_t>;

template <class S>
constexpr S neg_inf() {
  return std::numeric_limits<S>::min() / 4;  // room to subtract gap costs without wrapping
}

template <class S>
struct EndCell {
  S score;
  std::int64_t qend;  // exclusive
  std::int64_t tend;  // exclusive
};

// Forward pass in O(inner) memory.  QueryOuter picks which sequence runs along
// the outer loop; the caller puts the longer one there so memory follows the
// shorter (O(min(m, n))).  Ends are compared in query/target coordinates.
// `column0_ends`: may a semi-global alignment end at target column 0 (the
// whole query inserted before the target)?  parasail's sg_dx only considers
// real target columns 1..n, so the forward pass does not (unless n == 0); the
// reverse pass must, since its column 0 is the anchor itself.
template <class S, bool QueryOuter>
EndCell<S> forward_pass(Codes query, Codes target, const ScoringScheme& sc, AlignMode mode, bool column0_ends) {
  const std::int64_t m = static_cast<std::int64_t>(query.size());
  const std::int64_t n = static_cast<std::int64_t>(target.size());
  const Codes outer = QueryOuter ? query : target;
  const Codes inner = QueryOuter ? target : query;
  const std::int64_t lo = static_cast<std::int64_t>(outer.size());
  const std::int64_t li = static_cast<std::int64_t>(inner.size());
  const S open = sc.gap_open(), ext = sc.gap_extend();
  const bool local = mode == AlignMode::local;
  const bool semi = mode == AlignMode::semi_global;
  // Is the boundary along the inner index (outer index 0) free?  Is the
  // boundary along the outer index (inner index 0) free?
  const bool free_inner_edge = local || (semi && QueryOuter);    // query row 0: leading target gap
  const bool free_outer_edge = local || (semi && !QueryOuter);   // same edge, seen transposed
  auto gap = [&](std::int64_t k) -> S { return k == 0 ? 0 : -(open + static_cast<S>(k - 1) * ext); };

  std::vector<S> H(li + 1), V(li + 1);  // V: the gap running along the outer index
  for (std::int64_t y = 0; y <= li; ++y) {
    H[y] = free_inner_edge ? 0 : gap(y);
    V[y] = neg_inf<S>();
  }

  EndCell<S> best{neg_inf<S>(), 0, 0};
  auto consider = [&](S score, std::int64_t qe, std::int64_t te) {
    if (score > best.score || (score == best.score && (te < best.tend || (te == best.tend && qe < best.qend))))
      best = {score, qe, te};
  };
  if (local) best = {0, 0, 0};  // the empty alignment
  if (semi) {
    // Semi-global ends anywhere on the query's last row m, column 0 included.
    if (!QueryOuter && column0_ends) consider(H[li], m, 0);  // H(m, 0): the whole query inserted
  }

  for (std::int64_t x = 1; x <= lo; ++x) {
    S diag = H[0];
    H[0] = free_outer_edge ? 0 : gap(x);
    S W = neg_inf<S>();  // the gap running along the inner index
    const std::uint8_t cx = outer[x - 1];
    for (std::int64_t y = 1; y <= li; ++y) {
      const std::uint8_t cy = inner[y - 1];
      const S sub = QueryOuter ? sc.score(cx, cy) : sc.score(cy, cx);
      W = std::max<S>(H[y - 1] - open, W - ext);
      V[y] = std::max<S>(H[y] - open, V[y] - ext);
      S h = std::max<S>({diag + sub, W, V[y]});
      if (local) h = std::max<S>(h, 0);
      diag = H[y];
      H[y] = h;
      const std::int64_t qi = QueryOuter ? x : y;
      const std::int64_t tj = QueryOuter ? y : x;
      if (local || (semi && qi == m)) consider(h, qi, tj);
    }
    if (semi && QueryOuter && x == m && column0_ends) consider(H[0], m, 0);  // H(m, 0)
  }
  if (semi && m == 0) best = {0, 0, column0_ends ? 0 : 1};  // empty query: row 0 is free
  if (mode == AlignMode::global) best = {H[li], m, n};
  return best;
}

template <class S>
EndCell<S> forward(Codes query, Codes target, const ScoringScheme& sc, AlignMode mode, bool reverse_pass) {
  const bool column0_ends = reverse_pass || target.empty();
  // Memory follows the shorter sequence.
  if (target.size() <= query.size()) return forward_pass<S, true>(query, target, sc, mode, column0_ends);
  return forward_pass<S, false>(query, target, sc, mode, column0_ends);
}

// Direction bits of one cell, for the traceback.
enum : std::uint8_t {
  kFromDiag = 0,
  kFromE = 1,         // H came from E (D run ends here)
  kFromF = 2,         // H came from F (I run ends here)
  kSourceMask = 3,
  kEExtends = 4,      // E(i,j) continued E(i,j-1)
  kFExtends = 8,      // F(i,j) continued F(i-1,j)
};

// Global alignment of the whole of `a` against the whole of `b`, traced back
// into a CIGAR.  Returns the score.
template <class S>
S global_traceback(Codes a, Codes b, const ScoringScheme& sc, Cigar& cigar) {
  const std::int64_t M = static_cast<std::int64_t>(a.size());
  const std::int64_t N = static_cast<std::int64_t>(b.size());
  const S open = sc.gap_open(), ext = sc.gap_extend();
  auto gap = [&](std::int64_t k) -> S { return k == 0 ? 0 : -(open + static_cast<S>(k - 1) * ext); };
  const std::int64_t W = N + 1;

  // Block height: sqrt(M) rows, but whole matrix when it is small anyway.
  std::int64_t K = static_cast<std::int64_t>(std::ceil(std::sqrt(static_cast<double>(std::max<std::int64_t>(M, 1)))));
  if ((M + 1) * W <= (std::int64_t{1} << 22)) K = std::max<std::int64_t>(M, 1);
  const std::int64_t checkpoints = M / K + 1;

  // Checkpoint rows 0, K, 2K, ...: H and F, enough to restart the recurrence.
  std::vector<S> ckH(static_cast<std::size_t>(checkpoints * W)), ckF(static_cast<std::size_t>(checkpoints * W));
  std::vector<S> H(W), F(W);
  for (std::int64_t j = 0; j <= N; ++j) {
    H[j] = gap(j);
    F[j] = neg_inf<S>();
  }
  std::vector<std::uint8_t> dir;  // direction bits of one block, rows r0+1..r1

  // Computes rows r0+1..r1 from H/F holding row r0; stores direction bits
  // when `record`.  On return H/F hold row r1.
  auto run_rows = [&](std::int64_t r0, std::int64_t r1, bool record) {
    if (record) dir.assign(static_cast<std::size_t>((r1 - r0) * W), 0);
    for (std::int64_t i = r0 + 1; i <= r1; ++i) {
      std::uint8_t* d = record ? &dir[static_cast<std::size_t>((i - r0 - 1) * W)] : nullptr;
      S diag = H[0];
      // Column 0: only an I run from the top.
      const S f_open0 = H[0] - open, f_ext0 = F[0] - ext;
      F[0] = std::max(f_open0, f_ext0);
      H[0] = F[0];
      if (d) d[0] = static_cast<std::uint8_t>(kFromF | (f_ext0 >= f_open0 ? kFExtends : 0));
      S E = neg_inf<S>();
      const std::uint8_t ca = a[i - 1];
      for (std::int64_t j = 1; j <= N; ++j) {
        const S e_open = H[j - 1] - open, e_ext = E - ext;
        E = std::max(e_open, e_ext);
        const S f_open = H[j] - open, f_ext = F[j] - ext;
        F[j] = std::max(f_open, f_ext);
        const S dg = diag + sc.score(ca, b[j - 1]);
        S h = dg;
        std::uint8_t src = kFromDiag;
        if (F[j] > h) { h = F[j]; src = kFromF; }
        if (E > h) { h = E; src = kFromE; }
        diag = H[j];
        H[j] = h;
        if (d)
          d[j] = static_cast<std::uint8_t>(src | (e_ext >= e_open ? kEExtends : 0) |
                                           (f_ext >= f_open ? kFExtends : 0));
      }
    }
  };

  // Forward sweep storing checkpoints.
  std::copy(H.begin(), H.end(), ckH.begin());
  std::copy(F.begin(), F.end(), ckF.begin());
  for (std::int64_t c = 1; c < checkpoints; ++c) {
    run_rows((c - 1) * K, c * K, false);
    std::copy(H.begin(), H.end(), ckH.begin() + c * W);
    std::copy(F.begin(), F.end(), ckF.begin() + c * W);
  }
  // Score of the corner: finish the rows after the last checkpoint.
  const std::int64_t last_ck = (checkpoints - 1) * K;
  run_rows(last_ck, M, false);
  const S score = H[N];

  // Traceback, block by block from the bottom.
  cigar.clear();
  std::int64_t i = M, j = N;
  enum class State { H, E, F } state = State::H;
  while (i > 0) {
    const std::int64_t r0 = ((i - 1) / K) * K;  // checkpoint row above row i
    std::copy(ckH.begin() + (r0 / K) * W, ckH.begin() + (r0 / K + 1) * W, H.begin());
    std::copy(ckF.begin() + (r0 / K) * W, ckF.begin() + (r0 / K + 1) * W, F.begin());
    run_rows(r0, i, true);
    while (i > r0) {
      const std::uint8_t d = dir[static_cast<std::size_t>((i - r0 - 1) * W + j)];
      if (state == State::H) {
        const std::uint8_t src = j == 0 ? kFromF : (d & kSourceMask);
        if (src == kFromDiag) {
          cigar.push(a[i - 1] == b[j - 1] ? '=' : 'X');
          --i;
          --j;
        } else {
          state = src == kFromE ? State::E : State::F;
        }
      } else if (state == State::E) {
        cigar.push('D');
        state = (d & kEExtends) && j > 1 ? State::E : State::H;
        --j;
      } else {
        cigar.push('I');
        state = (d & kFExtends) ? State::F : State::H;
        --i;
      }
    }
  }
  // Row 0: the rest of the target is one D run.
  cigar.push('D', static_cast<std::uint32_t>(j));
  cigar.reverse();
  return score;
}

template <class S>
Alignment align_with(const SequencePair& p, const ScoringScheme& sc, const AlignOptions& opt) {
  Alignment r;
  const EndCell<S> end = forward<S>(p.query, p.target, sc, opt.mode, false);
  r.score = end.score;
  r.qend = end.qend;
  r.tend = end.tend;
  if (opt.output == AlignOutput::score_end) return r;

  if (opt.mode == AlignMode::global) {
    r.qbeg = r.tbeg = 0;
  } else {
    std::vector<std::uint8_t> rq(p.query.begin(), p.query.begin() + r.qend);
    std::vector<std::uint8_t> rt(p.target.begin(), p.target.begin() + r.tend);
    std::reverse(rq.begin(), rq.end());
    std::reverse(rt.begin(), rt.end());
    const EndCell<S> back = forward<S>(rq, rt, sc, opt.mode, true);
    if (back.score != end.score)
      throw Error("reference aligner: reverse pass scored " + std::to_string(back.score) + ", forward " +
                  std::to_string(end.score));
    r.qbeg = r.qend - back.qend;
    r.tbeg = r.tend - back.tend;
  }
  r.has_begin = true;
  if (opt.output == AlignOutput::begin_end) return r;

  const S window = global_traceback<S>(p.query.subspan(r.qbeg, r.qend - r.qbeg),
                                       p.target.subspan(r.tbeg, r.tend - r.tbeg), sc, r.cigar);
  if (window != end.score)
    throw Error("reference aligner: traceback window scored " + std::to_string(window) + ", forward " +
                std::to_string(end.score));
  return r;
}

}  // namespace

Alignment reference_align(const SequencePair& pair, const ScoringScheme& scoring, const AlignOptions& options) {
  scoring.validate();
  const auto m = static_cast<std::int64_t>(pair.query.size());
  const auto n = static_cast<std::int64_t>(pair.target.size());
  if (score_bound(scoring, m, n) < (std::int64_t{1} << 29))
    return align_with<std::int32_t>(pair, scoring, options);
  return align_with<std::int64_t>(pair, scoring, options);
}

std::uint64_t reference_host_bytes(const SequencePair& pair, const AlignOptions& options) noexcept {
  const std::uint64_t m = pair.query.size(), n = pair.target.size();
  std::uint64_t bytes = 2 * 8 * (std::min(m, n) + 1);  // two score rows
  if (options.output != AlignOutput::score_end) bytes += m + n;  // reversed prefixes
  if (options.output == AlignOutput::cigar) {
    const std::uint64_t k = static_cast<std::uint64_t>(std::ceil(std::sqrt(static_cast<double>(m + 1))));
    bytes += (m / std::max<std::uint64_t>(k, 1) + 2) * (n + 1) * 16 + k * (n + 1) + (m + n) * 8;
  }
  return bytes;
}

}  // namespace gpualign
