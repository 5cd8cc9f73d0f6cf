// Exact banded traceback of a global window (see banded_traceback.hpp).
//
// Why it is exact: every path inside the band is a path of the full matrix,
// so the banded optimum never exceeds the window's optimum S, which the
// forward pass already knows.  When the banded optimum equals S the banded
// path is an optimal alignment; otherwise the band doubles.  The usual
// ~10%-divergent window drifts a few dozen cells off its diagonal, so the
// first band (64) nearly always suffices and the cost is ~M * 130 cells
// instead of M * N.
//
// The band of row i spans columns [floor((i-1)N/M) - w, ceil((i+1)N/M) + w]
// clipped to [0, N]: it follows the straight line from (0,0) to (M,N), is
// monotone in both ends, and overlaps the next row's band even when N >> M
// (a long D run then lies inside one row's band).  Cells outside are -inf.
//
// Recurrences, boundaries and tie preferences are those of the reference's
// global_traceback (src/core/reference_aligner.cpp): H prefers the diagonal,
// then F (I), then E (D); a gap extends when extending ties opening; column 0
// is an I run from the top, row 0 a D run.  So where the reference's path
// stays inside the band the two CIGARs are identical.

#include "cpu/banded_traceback.hpp"

#include <algorithm>
#include <limits>

namespace gpualign::cpu {
namespace {

enum : std::uint8_t {
  kFromDiag = 0,
  kFromE = 1,  // H came from E (D run ends here)
  kFromF = 2,  // H came from F (I run ends here)
  kSourceMask = 3,
  kEExtends = 4,  // E(i,j) continued E(i,j-1)
  kFExtends = 8,  // F(i,j) continued F(i-1,j)
};

constexpr std::int32_t kNeg = std::numeric_limits<std::int32_t>::min() / 4;  // room to subtract without wrapping

// Fills the band of width w; returns the number of direction bytes, and
// whether the band covers the whole matrix.
std::int64_t make_band(std::int64_t M, std::int64_t N, std::int64_t w, BandedScratch& s, bool& whole) {
  s.lo.resize(static_cast<std::size_t>(M + 1));
  s.hi.resize(static_cast<std::size_t>(M + 1));
  s.off.resize(static_cast<std::size_t>(M + 1));
  std::int64_t total = 0;
  for (std::int64_t i = 0; i <= M; ++i) {
    const std::int64_t lo = i == 0 ? 0 : std::max<std::int64_t>(0, (i - 1) * N / M - w);
    const std::int64_t hi = std::min<std::int64_t>(N, ((i + 1) * N + M - 1) / M + w);
    s.lo[i] = lo;
    s.hi[i] = hi;
    s.off[i] = total;
    if (i > 0) total += hi - lo + 1;  // row 0 needs no direction bits
  }
  whole = s.lo[M] == 0 && s.hi[0] == N;
  return total;
}

// Banded forward pass storing direction bits; returns H(M, N).
std::int32_t fill(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b, const ScoringScheme& sc,
                  BandedScratch& s) {
  const std::int64_t M = static_cast<std::int64_t>(a.size());
  const std::int64_t N = static_cast<std::int64_t>(b.size());
  const std::int32_t open = sc.gap_open(), ext = sc.gap_extend();
  const int* matrix = sc.matrix().data();
  const int size = sc.size();
  std::int32_t* H = s.H.data();
  std::int32_t* F = s.F.data();
  std::fill(H, H + N + 1, kNeg);
  std::fill(F, F + N + 1, kNeg);
  for (std::int64_t j = 0; j <= s.hi[0]; ++j) H[j] = j == 0 ? 0 : -(open + static_cast<std::int32_t>(j - 1) * ext);

  for (std::int64_t i = 1; i <= M; ++i) {
    const std::int64_t lo = s.lo[i], hi = s.hi[i], plo = s.lo[i - 1];
    std::uint8_t* d = s.dir.data() + s.off[i];  // d[j - lo]: column j
    const int* srow = matrix + static_cast<std::ptrdiff_t>(a[i - 1]) * size;
    // H(i-1, lo-1) when it lies in the previous row's band (columns right of
    // the previous band hold -inf already: bands only move right).
    std::int32_t diag = lo >= 1 && lo - 1 >= plo ? H[lo - 1] : kNeg;
    std::int32_t e = kNeg, hleft = kNeg;
    std::int64_t j = lo;
    if (lo == 0) {  // column 0: only an I run from the top
      const std::int32_t f_open = H[0] - open, f_ext = F[0] - ext;
      const std::int32_t f = std::max(f_open, f_ext);
      d[0 - lo] = static_cast<std::uint8_t>(kFromF | (f_ext >= f_open ? kFExtends : 0));
      diag = H[0];
      H[0] = F[0] = hleft = f;
      j = 1;
    }
    const std::uint8_t* bj = b.data() - 1;  // bj[j] = b[j-1]
    for (; j <= hi; ++j) {
      const std::int32_t e_open = hleft - open, e_ext = e - ext;
      e = std::max(e_open, e_ext);
      const std::int32_t up = H[j];
      const std::int32_t f_open = up - open, f_ext = F[j] - ext;
      const std::int32_t f = std::max(f_open, f_ext);
      const std::int32_t dg = diag + srow[bj[j]];
      std::int32_t h = dg;
      std::uint8_t src = kFromDiag;
      src = f > h ? std::uint8_t{kFromF} : src;
      h = std::max(h, f);
      src = e > h ? std::uint8_t{kFromE} : src;
      h = std::max(h, e);
      diag = up;
      H[j] = h;
      F[j] = f;
      hleft = h;
      d[j - lo] = static_cast<std::uint8_t>(src | (e_ext >= e_open ? kEExtends : 0) | (f_ext >= f_open ? kFExtends : 0));
    }
  }
  return H[N];
}

// Walks the direction bits back from (M, N); false if the path would leave
// the band (cannot happen for a finite optimum; checked rather than trusted).
bool trace(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b, const BandedScratch& s, Cigar& cigar) {
  std::int64_t i = static_cast<std::int64_t>(a.size()), j = static_cast<std::int64_t>(b.size());
  cigar.clear();
  enum class State { H, E, F } state = State::H;
  while (i > 0) {
    if (j < s.lo[i] || j > s.hi[i]) return false;
    const std::uint8_t d = s.dir[static_cast<std::size_t>(s.off[i] + (j - s.lo[i]))];
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
  cigar.push('D', static_cast<std::uint32_t>(j));  // row 0: the rest of the target is one D run
  cigar.reverse();
  return true;
}

}  // namespace

bool banded_traceback(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b, const ScoringScheme& sc,
                      std::int64_t score, Cigar& cigar, BandedScratch& scratch, std::size_t max_bytes,
                      std::int64_t first_width) {
  const std::int64_t M = static_cast<std::int64_t>(a.size());
  const std::int64_t N = static_cast<std::int64_t>(b.size());
  if (score_bound(sc, M, N) >= (std::int64_t{1} << 28)) return false;  // -inf must stay below every real score
  if (M == 0) {
    const std::int64_t g = N == 0 ? 0 : -(sc.gap_open() + (N - 1) * sc.gap_extend());
    if (g != score) return false;
    cigar.clear();
    cigar.push('D', static_cast<std::uint32_t>(N));
    return true;
  }
  scratch.H.resize(static_cast<std::size_t>(N + 1));
  scratch.F.resize(static_cast<std::size_t>(N + 1));
  for (std::int64_t w = std::max<std::int64_t>(first_width, 1);; w *= 2) {
    bool whole = false;
    const std::int64_t bytes = make_band(M, N, w, scratch, whole);
    if (static_cast<std::uint64_t>(bytes) > max_bytes) return false;
    scratch.dir.resize(static_cast<std::size_t>(bytes));
    scratch.last_width = w;
    const std::int32_t got = fill(a, b, sc, scratch);
    if (got == score) return trace(a, b, scratch, cigar);
    if (got > score || whole) return false;  // S was not this window's optimum
  }
}

}  // namespace gpualign::cpu
