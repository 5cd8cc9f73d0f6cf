// The CPU SIMD engine: routes each pair to a kernel and a score width, reruns
// saturated pairs wider, then adds begins (reverse pass) and CIGARs (the
// traceback of the [begin, end) window only: the traceback kernel for small
// DNA windows, the exact banded traceback for large ones, else the
// reference's).
//
// Routing: DNA pairs up to kInterMaxQuery x kInterMaxTarget go to the
// inter-sequence kernels (one pair per lane, lanes grouped by length) when
// the batch has enough of them to fill lanes; everything else goes to the
// striped kernel.  Widths: local starts at 8 bits when the best conceivable
// score is small, else 16, and moves up on saturation; global and
// semi-global scores go negative, so they use 16 bits only when
// score_bound() fits, else 32.  Pairs whose bound passes 2^28 (or with an
// empty side) use the exact reference aligner.

#include "cpu/cpu_engine.hpp"
#include "cpu/banded_traceback.hpp"

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "gpualign/cpu_features.hpp"
#include "gpualign/error.hpp"
#include "gpualign/reference_aligner.hpp"

namespace gpualign::cpu {

void* Scratch::get(int slot, std::size_t bytes) {
  bytes = (bytes + 64 + 63) / 64 * 64;  // room for one vector past the end
  if (cap_[slot] < bytes) {
    std::free(ptr_[slot]);
    const std::size_t cap = std::max(bytes, cap_[slot] * 3 / 2);
    ptr_[slot] = std::aligned_alloc(64, cap);
    if (!ptr_[slot]) {
      cap_[slot] = 0;
      throw std::bad_alloc();
    }
    cap_[slot] = cap;
  }
  return ptr_[slot];
}

Scratch::~Scratch() {
  for (void* p : ptr_) std::free(p);
}

const KernelTable& active_kernels() {
  const KernelTable* t = nullptr;
  switch (active_simd_level()) {
    case SimdLevel::avx512: t = kernels_avx512(); break;
    case SimdLevel::avx2: t = kernels_avx2(); break;
    case SimdLevel::sse41: t = kernels_sse41(); break;
    case SimdLevel::scalar: break;
  }
  return t ? *t : *kernels_scalar();
}

KernelParams make_kernel_params(const ScoringScheme& sc, AlignMode mode) {
  KernelParams kp;
  kp.mode = mode;
  kp.matrix = sc.matrix().data();
  kp.size = sc.size();
  kp.open = sc.gap_open();
  kp.extend = sc.gap_extend();
  kp.min_score = sc.min_score();
  kp.max_score = sc.max_score();
  if (sc.alphabet() == Alphabet::dna) {
    auto rep = [](int cls) { return static_cast<std::uint8_t>(cls); };  // class 4 = N
    for (int a = 0; a < 5; ++a)
      for (int b = 0; b < 5; ++b) kp.dna_class[a * 5 + b] = sc.score(rep(a), rep(b));
    // The class table must reproduce the whole matrix (it does for dna()).
    bool ok = true;
    for (int a = 0; a < sc.size() && ok; ++a)
      for (int b = 0; b < sc.size() && ok; ++b)
        ok = sc.score(static_cast<std::uint8_t>(a), static_cast<std::uint8_t>(b)) ==
             kp.dna_class[std::min(a, 4) * 5 + std::min(b, 4)];
    kp.dna = ok;
  }
  return kp;
}

namespace {

constexpr std::int64_t kInterMaxQuery = 2048;   // row index must fit 16-bit lanes; arrays stay in L2
constexpr std::int64_t kInterMaxTarget = 16384;
// Windows up to this many cells use the traceback kernel: a lane group keeps
// 2 bytes of direction bits per cell and lane (at most 16 MiB x lanes/32).
constexpr std::int64_t kTraceMaxCells = kBandedMinCells;
constexpr std::int64_t kWide = std::int64_t{1} << 28;  // beyond: the reference (64-bit)

EndCell reference_end(const SequencePair& p, const ScoringScheme& sc, const KernelParams& kp) {
  // An empty query in a reverse pass ends at column 0, the anchor.
  if (kp.mode == AlignMode::semi_global && kp.semi_column0 && p.query.empty()) return EndCell{0, 0, 0, false};
  const Alignment a = reference_align(p, sc, AlignOptions{kp.mode, AlignOutput::score_end});
  return EndCell{a.score, a.qend, a.tend, false};
}

class CpuEngine final : public Engine {
 public:
  explicit CpuEngine(Tuning t) : tune_(t) {}
  std::string_view name() const noexcept override { return "cpu"; }
  using Engine::align;

  void align(std::span<const SequencePair> pairs, const ScoringScheme& scoring, const AlignOptions& options,
             std::span<Alignment> out) override {
    if (out.size() != pairs.size())
      throw Error("cpu engine: " + std::to_string(pairs.size()) + " pairs but " + std::to_string(out.size()) +
                  " result slots");
    scoring.validate();
    const KernelParams kp = make_kernel_params(scoring, options.mode);
    std::vector<EndCell> ends(pairs.size());
    std::vector<std::string> errors(pairs.size());
    forward(pairs, scoring, kp, ends, errors);

    for (std::size_t i = 0; i < pairs.size(); ++i) {
      Alignment& r = out[i];
      r = Alignment{};
      if (!errors[i].empty()) {
        r.status = AlignStatus::failed;
        r.message = errors[i];
        continue;
      }
      r.score = ends[i].score;
      r.qend = ends[i].qend;
      r.tend = ends[i].tend;
    }
    if (options.output == AlignOutput::score_end) return;

    if (options.mode == AlignMode::global) {
      for (auto& r : out) r.has_begin = r.status == AlignStatus::ok;
    } else {
      add_begins(pairs, scoring, kp, out);
    }
    if (options.output == AlignOutput::cigar) add_cigars(pairs, scoring, kp, out);
  }

  std::uint64_t estimate_host_bytes(const SequencePair& pair, const AlignOptions& options) const override {
    const std::uint64_t m = pair.query.size(), n = pair.target.size();
    // Striped: profile (alphabet rows) + 4 score columns of 32-bit lanes for
    // one row block (2048 rows), padded, plus the blocks' hand-over row (H
    // and F over the target); inter-sequence: one saved column per lane.
    std::uint64_t bytes = (24 + 5) * (std::min<std::uint64_t>(m, 2048) + 64) * 4 + 8 * (n + 1) + 4096;
    if (options.output != AlignOutput::score_end) bytes += m + n + sizeof(SequencePair);
    if (options.output == AlignOutput::cigar)  // reference traceback, or this pair's share of a lane group's bits
      // (the banded traceback's first band: ~131 direction bytes a row, two
      // score rows and the band's row bounds; wider bands are rare)
      bytes += std::max<std::uint64_t>({reference_host_bytes(pair, options),
                                        2 * std::min<std::uint64_t>(m * n, kTraceMaxCells) + (m + n),
                                        (m + 1) * (131 + 24) + 10 * (n + 1)});
    return bytes;
  }

 private:
  // Score and end cell of every pair, by the routing described above.
  void forward(std::span<const SequencePair> pairs, const ScoringScheme& sc, const KernelParams& kp,
               std::vector<EndCell>& ends, std::vector<std::string>& errors) {
    const KernelTable& kt = active_kernels();
    const bool local = kp.mode == AlignMode::local;
    const bool inter_ok = kp.dna && (!local || kp.dna_class[24] <= 0);  // padding scores as ambiguous
    std::vector<std::uint32_t> inter[3], strip[3];  // by width 8, 16, 32
    // The narrowest width whose lanes hold the scheme's constants (gap costs,
    // substitution scores) as they are: a wrapped constant is a wrong score,
    // and saturation checks on the results cannot see it.
    const std::int64_t constant = std::max({std::int64_t{kp.open}, std::int64_t{kp.extend},
                                            std::int64_t{kp.max_score}, -std::int64_t{kp.min_score}});
    const int min_w = constant <= 127 ? 0 : (constant <= 32767 ? 1 : 2);
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      const auto& p = pairs[i];
      const std::int64_t m = static_cast<std::int64_t>(p.query.size());
      const std::int64_t n = static_cast<std::int64_t>(p.target.size());
      try {
        if (m == 0 || n == 0 || score_bound(sc, m, n) >= kWide) {
          ends[i] = reference_end(p, sc, kp);
          continue;
        }
      } catch (const std::exception& e) {
        errors[i] = e.what();
        continue;
      }
      int w;  // 0: 8-bit, 1: 16-bit, 2: 32-bit
      if (local) {
        const std::int64_t top = static_cast<std::int64_t>(kp.max_score) * std::min(m, n);
        w = top <= 2 * 127 ? 0 : (top <= 2 * 32767 ? 1 : 2);
      } else {
        w = score_bound(sc, m, n) < 32000 ? 1 : 2;
      }
      if (tune_.first_width) w = tune_.first_width == 8 ? 0 : tune_.first_width == 16 ? 1 : 2;
      w = std::max(w, min_w);
      if (!local) w = score_bound(sc, m, n) < 32000 ? std::max(w, 1) : 2;  // never saturate a global score
      const bool fits = m <= kInterMaxQuery && n <= kInterMaxTarget;
      const bool use_inter = inter_ok && fits && tune_.kernel != Tuning::Kernel::striped;
      (use_inter ? inter : strip)[w].push_back(static_cast<std::uint32_t>(i));
    }
    // Too few inter-sequence pairs to fill the lanes: striped does better.
    if (tune_.kernel == Tuning::Kernel::automatic) {
      const std::size_t total = inter[0].size() + inter[1].size() + inter[2].size();
      if (total < static_cast<std::size_t>(kt.lanes16)) {
        for (int w = 0; w < 3; ++w) {
          strip[w].insert(strip[w].end(), inter[w].begin(), inter[w].end());
          inter[w].clear();
        }
      }
    }

    InterFn ifn[3] = {kt.inter8, kt.inter16, kt.inter32};
    for (int w = 0; w < 3; ++w) {
      auto& list = inter[w];
      if (list.empty()) continue;
      // Group lanes by query length (buckets of 16), then by target length.
      std::sort(list.begin(), list.end(), [&](std::uint32_t a, std::uint32_t b) {
        const auto ka = std::make_pair(pairs[a].query.size() / 16, pairs[a].target.size());
        const auto kb = std::make_pair(pairs[b].query.size() / 16, pairs[b].target.size());
        return ka < kb;
      });
      buf_.resize(list.size());
      ifn[w](kp, pairs.data(), list.data(), list.size(), buf_.data(), scratch_);
      for (std::size_t k = 0; k < list.size(); ++k) {
        if (buf_[k].overflow && w < 2) inter[w + 1].push_back(list[k]);
        else ends[list[k]] = buf_[k];
      }
    }
    StripedFn sfn[3] = {kt.striped16, kt.striped16, kt.striped32};
    for (int w = 0; w < 3; ++w) {
      for (std::uint32_t i : strip[w]) {
        EndCell e;
        try {
          sfn[w](kp, pairs[i], e, scratch_);
        } catch (const std::bad_alloc&) {
          errors[i] = "cpu engine: out of memory for a pair of " + std::to_string(pairs[i].query.size()) + " x " +
                      std::to_string(pairs[i].target.size());
          continue;
        }
        if (e.overflow && w < 2) strip[w == 0 ? 2 : w + 1].push_back(i);
        else ends[i] = e;
      }
    }
  }

  // Begins: the same forward pass on the reversed prefixes (see the header
  // of reference_aligner.cpp): its end, under the same tie-break, is the
  // reference's begin.
  void add_begins(std::span<const SequencePair> pairs, const ScoringScheme& sc, const KernelParams& kp,
                  std::span<Alignment> out) {
    std::size_t total = 0;
    for (std::size_t i = 0; i < pairs.size(); ++i)
      if (out[i].status == AlignStatus::ok) total += static_cast<std::size_t>(out[i].qend + out[i].tend);
    std::vector<std::uint8_t> text(total);
    std::vector<SequencePair> rev;
    std::vector<std::size_t> which;
    rev.reserve(pairs.size());
    std::size_t at = 0;
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      if (out[i].status != AlignStatus::ok) continue;
      const auto qe = static_cast<std::size_t>(out[i].qend), te = static_cast<std::size_t>(out[i].tend);
      std::uint8_t* q = text.data() + at;
      std::reverse_copy(pairs[i].query.begin(), pairs[i].query.begin() + qe, q);
      std::uint8_t* t = q + qe;
      std::reverse_copy(pairs[i].target.begin(), pairs[i].target.begin() + te, t);
      at += qe + te;
      rev.push_back(SequencePair{{q, qe}, {t, te}});
      which.push_back(i);
    }
    std::vector<EndCell> back(rev.size());
    std::vector<std::string> errors(rev.size());
    KernelParams rkp = kp;
    rkp.semi_column0 = true;
    forward(rev, sc, rkp, back, errors);
    for (std::size_t k = 0; k < rev.size(); ++k) {
      Alignment& r = out[which[k]];
      if (!errors[k].empty() || back[k].score != r.score) {
        r.status = AlignStatus::failed;
        r.message = errors[k].empty() ? "cpu engine: reverse pass scored " + std::to_string(back[k].score) +
                                            ", forward " + std::to_string(r.score)
                                      : errors[k];
        continue;
      }
      r.qbeg = r.qend - back[k].qend;
      r.tbeg = r.tend - back[k].tend;
      r.has_begin = true;
    }
  }

  // CIGARs: a global alignment of the [begin, end) window, whose optimum is
  // the alignment's score, so the cost follows the aligned region rather
  // than the whole matrix.  DNA windows go through the inter-sequence
  // traceback kernel (same tie-breaks as the reference, same CIGAR); windows
  // over kBandedMinCells through the exact banded traceback (an optimal CIGAR,
  // the reference's unless ties split differently); the rest, and any window
  // the band cannot hold, through the reference.
  void add_cigars(std::span<const SequencePair> pairs, const ScoringScheme& sc, const KernelParams& kp,
                  std::span<Alignment> out) {
    std::vector<SequencePair> win(pairs.size());
    std::vector<char> done(pairs.size(), 0);
    std::vector<std::uint32_t> fast;
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      Alignment& r = out[i];
      if (r.status != AlignStatus::ok) continue;
      win[i] = SequencePair{pairs[i].query.subspan(static_cast<std::size_t>(r.qbeg),
                                                   static_cast<std::size_t>(r.qend - r.qbeg)),
                            pairs[i].target.subspan(static_cast<std::size_t>(r.tbeg),
                                                    static_cast<std::size_t>(r.tend - r.tbeg))};
      const auto m = static_cast<std::int64_t>(win[i].query.size()), n = static_cast<std::int64_t>(win[i].target.size());
      if (kp.dna && m > 0 && n > 0 && m * n <= kTraceMaxCells && score_bound(sc, m, n) < 32000)
        fast.push_back(static_cast<std::uint32_t>(i));
    }
    const KernelTable& kt = active_kernels();
    const bool use_fast = kt.trace16 && tune_.kernel != Tuning::Kernel::striped &&
                          (fast.size() >= static_cast<std::size_t>(kt.lanes16) || tune_.kernel == Tuning::Kernel::inter);
    if (use_fast && !fast.empty()) {
      std::sort(fast.begin(), fast.end(), [&](std::uint32_t a, std::uint32_t b) {
        return std::make_pair(win[a].query.size() / 16, win[a].target.size()) <
               std::make_pair(win[b].query.size() / 16, win[b].target.size());
      });
      std::vector<std::size_t> at(fast.size()), len(fast.size());
      std::size_t total = 0;
      for (std::size_t k = 0; k < fast.size(); ++k) {
        at[k] = total;
        total += win[fast[k]].query.size() + win[fast[k]].target.size();
      }
      std::vector<char> paths(total);
      std::vector<std::int64_t> score(fast.size());
      std::unique_ptr<bool[]> overflow(new bool[fast.size()]());
      KernelParams gkp = kp;
      gkp.mode = AlignMode::global;
      kt.trace16(gkp, win.data(), fast.data(), fast.size(), paths.data(), at.data(), len.data(), score.data(),
                 overflow.get(), scratch_);
      for (std::size_t k = 0; k < fast.size(); ++k) {
        const std::uint32_t i = fast[k];
        if (overflow[k] || score[k] != out[i].score) continue;  // the reference below decides
        Cigar c;
        for (std::size_t x = len[k]; x-- > 0;) c.push(paths[at[k] + x]);
        out[i].cigar = std::move(c);
        done[i] = 1;
      }
    }
    const AlignOptions window_opts{AlignMode::global, AlignOutput::cigar};
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      Alignment& r = out[i];
      if (r.status != AlignStatus::ok || done[i]) continue;
      try {
        const auto cells = static_cast<std::int64_t>(win[i].query.size()) * static_cast<std::int64_t>(win[i].target.size());
        if (tune_.banded && cells > kBandedMinCells &&
            banded_traceback(win[i].query, win[i].target, sc, r.score, r.cigar, banded_))
          continue;  // an optimal path of the window; else the reference decides below
        Alignment g = reference_align(win[i], sc, window_opts);
        if (g.score != r.score)
          throw Error("cpu engine: window traceback scored " + std::to_string(g.score) + ", forward " +
                      std::to_string(r.score));
        r.cigar = std::move(g.cigar);
      } catch (const std::exception& e) {
        r.status = AlignStatus::failed;
        r.message = e.what();
      }
    }
  }

  Tuning tune_;
  Scratch scratch_;
  BandedScratch banded_;
  std::vector<EndCell> buf_;
};

// The one registration line: "cpu" in the engine registry.
const bool registered = (register_engine("cpu", [] { return make_cpu_engine(); }), true);

}  // namespace

std::unique_ptr<Engine> make_cpu_engine(Tuning tuning) { return std::make_unique<CpuEngine>(tuning); }

}  // namespace gpualign::cpu
