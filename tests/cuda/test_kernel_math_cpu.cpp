// CPU checks of the CUDA engine's math (label cpu, runs in every build): the
// __host__ __device__ recurrences, the packed 16-bit emulation of the DPX
// operations, and both kernels' tilings (the inter-sequence strip loop, the
// intra-sequence warp wavefront on a fiber warp emulator), compared with the
// exact reference aligner on random pairs in every mode; and the traceback
// kernel (a thread per window) with the engine's batch planner, whose CIGARs
// must equal the reference's exactly.

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "gpualign/reference_aligner.hpp"
#include "gpualign/workloads.hpp"
#include "kernel_emulation.hpp"

namespace gpualign {
namespace {

using test::Kernel;

// --- the code stream a batch uploads (kernels/code_stream.hpp) -------------------

// Sequences of every small length and random ones, forward and reversed, at
// 4 bits (DNA codes 0-15) and 8 (protein), staged into one stream in a
// shuffled order (as the host's threads do): each reads back as itself
// through CodeStream::at, the stream is code_bytes long, and no staging
// touched a byte outside its own sequence.
TEST(CodeStream, StagedSequencesReadBackWhateverTheOrder) {
  std::mt19937 rng(404);
  for (const int bits : {4, 8}) {
    for (const bool reversed : {false, true}) {
      std::vector<std::vector<std::uint8_t>> seqs;
      for (int len = 0; len <= 17; ++len) seqs.emplace_back(static_cast<std::size_t>(len));
      for (int i = 0; i < 40; ++i) seqs.emplace_back(1 + rng() % 700);
      const std::uint32_t codes = bits == 4 ? 16 : 25;
      for (auto& q : seqs)
        for (auto& c : q) c = static_cast<std::uint8_t>(rng() % codes);
      std::vector<std::uint64_t> off;
      std::uint64_t total = 0;
      for (const auto& q : seqs) {
        off.push_back(total);
        total += kern::code_room(static_cast<std::int64_t>(q.size()));
      }
      ASSERT_EQ(total % 2, 0u);
      std::vector<std::uint8_t> bytes(kern::code_bytes(total, bits) + 8, 0xEE);  // 8 guard bytes
      std::vector<std::size_t> order(seqs.size());
      std::iota(order.begin(), order.end(), std::size_t{0});
      std::shuffle(order.begin(), order.end(), rng);
      std::vector<char> written(bytes.size(), 0);
      for (std::size_t k : order) {
        const std::vector<std::uint8_t> before = bytes;
        kern::stage_codes(bytes.data(), off[k], seqs[k].data(), static_cast<std::int64_t>(seqs[k].size()), reversed,
                          bits);
        // Only this sequence's own bytes may change, and no byte twice.
        const std::uint64_t lo = kern::code_bytes(off[k], bits);
        const std::uint64_t hi = lo + kern::code_bytes(kern::code_room(static_cast<std::int64_t>(seqs[k].size())), bits);
        for (std::size_t b = 0; b < bytes.size(); ++b) {
          if (bytes[b] == before[b]) continue;
          ASSERT_TRUE(b >= lo && b < hi) << "sequence " << k << " wrote byte " << b << " outside [" << lo << ", " << hi << ")";
          ASSERT_EQ(written[b]++, 0) << "byte " << b << " staged twice";
        }
      }
      for (std::size_t b = kern::code_bytes(total, bits); b < bytes.size(); ++b) EXPECT_EQ(bytes[b], 0xEE) << "guard byte " << b;
      const kern::CodeStream cs{bytes.data(), bits};
      for (std::size_t k = 0; k < seqs.size(); ++k) {
        const auto& q = seqs[k];
        for (std::size_t p = 0; p < q.size(); ++p)
          ASSERT_EQ(cs.at(off[k] + p), q[reversed ? q.size() - 1 - p : p])
              << bits << " bits, reversed " << reversed << ", sequence " << k << " code " << p;
      }
    }
  }
}

// The register-score check on packed codes: true exactly when every code
// of the rooms checked is A, C, G or T (0-3), whichever nibble holds the
// first other code; odd lengths leave a zero nibble that must not count.
TEST(CodeStream, AcgtCheckOnPackedCodes) {
  std::mt19937 rng(77);
  for (int it = 0; it < 3000; ++it) {
    const int len = 1 + static_cast<int>(rng() % 70);
    std::vector<std::uint8_t> q(static_cast<std::size_t>(len));
    for (auto& c : q) c = static_cast<std::uint8_t>(rng() % 4);
    if (it % 2 == 1) q[rng() % q.size()] = static_cast<std::uint8_t>(4 + rng() % 11);  // one N or other ambiguity code
    std::vector<std::uint8_t> bytes(kern::code_bytes(kern::code_room(len), 4), 0xEE);
    kern::stage_codes(bytes.data(), 0, q.data(), len, it % 4 >= 2, 4);
    EXPECT_EQ(kern::stream_all_acgt(bytes.data(), bytes.size()), kern::all_acgt(q.data(), q.size())) << "length " << len;
  }
}

// A, C, G, T at a quarter of a byte a code, DNA at half, protein a byte;
// rooms of a multiple of 4 codes.
TEST(CodeStream, SizesAndRooms) {
  EXPECT_EQ(kern::code_room(0), 0u);
  EXPECT_EQ(kern::code_room(1), 4u);
  EXPECT_EQ(kern::code_room(600), 600u);
  EXPECT_EQ(kern::code_room(601), 604u);
  EXPECT_EQ(kern::code_bytes(1204, 2), 301u);
  EXPECT_EQ(kern::code_bytes(1204, 4), 602u);
  EXPECT_EQ(kern::code_bytes(1204, 8), 1204u);
  EXPECT_EQ(kern::staged_code_bytes(301, 600, 4), 452u);  // (304 + 600) / 2
  EXPECT_EQ(kern::staged_code_bytes(301, 600, 8), 904u);
}

// A, C, G, T batches go up at 2 bits: sequences staged at 4 bits (forward
// or reversed, every length 0-17 and random ones up to 700, rooms back to
// back), the whole stream repacked, read back at 2 bits.
TEST(CodeStream, RepackedAcgtReadsBackAtTwoBits) {
  std::mt19937 rng(505);
  for (const bool reversed : {false, true}) {
    std::vector<std::vector<std::uint8_t>> seqs;
    for (int len = 0; len <= 17; ++len) seqs.emplace_back(static_cast<std::size_t>(len));
    for (int i = 0; i < 40; ++i) seqs.emplace_back(1 + rng() % 700);
    for (auto& q : seqs)
      for (auto& c : q) c = static_cast<std::uint8_t>(rng() % 4);
    std::vector<std::uint64_t> off;
    std::uint64_t total = 0;
    for (const auto& q : seqs) {
      off.push_back(total);
      total += kern::code_room(static_cast<std::int64_t>(q.size()));
    }
    std::vector<std::uint8_t> four(kern::code_bytes(total, 4), 0xEE), two(kern::code_bytes(total, 2) + 4, 0xEE);
    for (std::size_t k = 0; k < seqs.size(); ++k)
      kern::stage_codes(four.data(), off[k], seqs[k].data(), static_cast<std::int64_t>(seqs[k].size()), reversed, 4);
    kern::repack_acgt(two.data(), four.data(), total);
    for (std::size_t b = kern::code_bytes(total, 2); b < two.size(); ++b) EXPECT_EQ(two[b], 0xEE) << "guard byte " << b;
    const kern::CodeStream cs{two.data(), 2};
    for (std::size_t k = 0; k < seqs.size(); ++k) {
      const auto& q = seqs[k];
      for (std::size_t p = 0; p < q.size(); ++p)
        ASSERT_EQ(cs.at(off[k] + p), q[reversed ? q.size() - 1 - p : p])
            << "reversed " << reversed << ", sequence " << k << " code " << p;
    }
  }
}

// --- a worker's partial ends, reduced across its lanes ---------------------------

// The intra kernel reduces its lanes' partials by shuffles, in butterfly
// order; the host used to merge them one by one (merge_partial).  Any order
// of better_partial over the in-range candidates gives the host's end, ties
// (equal scores, ends) included, and the overflow flag of any lane.
TEST(PartialReduction, AnyOrderGivesTheHostsMerge) {
  std::mt19937 rng(41);
  for (int it = 0; it < 2000; ++it) {
    const int m = 1 + static_cast<int>(rng() % 20), n = 1 + static_cast<int>(rng() % 20);
    std::vector<kern::Partial> lanes(1 + rng() % 32);
    for (kern::Partial& p : lanes) {
      p.score = rng() % 5 == 0 ? kern::kNoCandidate : static_cast<std::int32_t>(rng() % 4);  // many ties
      p.qend = static_cast<std::int32_t>(rng() % 24);  // some past the problem (padding rows)
      p.tend = static_cast<std::int32_t>(rng() % 24);
      p.flags = rng() % 17 == 0 ? kern::kFlagOverflow : 0;
    }
    const int mode = it % 2 ? kern::kLocal : kern::kGlobal;
    kern::MergedEnd host = kern::merge_init(mode, m, n, 3, 1);
    for (const kern::Partial& p : lanes) kern::merge_partial(host, p, m, n);
    std::vector<kern::Partial> order = lanes;
    std::shuffle(order.begin(), order.end(), rng);
    kern::Partial folded{kern::kNoCandidate, 0, 0, 0};
    for (const kern::Partial& p : order) folded = kern::better_partial(folded, kern::within_problem(p, m, n));
    kern::MergedEnd dev = kern::merge_init(mode, m, n, 3, 1);
    kern::merge_partial(dev, folded, m, n);
    ASSERT_EQ(dev.score, host.score) << it;
    ASSERT_EQ(dev.qend, host.qend) << it;
    ASSERT_EQ(dev.tend, host.tend) << it;
    ASSERT_EQ(dev.overflow, host.overflow) << it;
  }
}

// --- a lane's end tracking (track_ends, fold_strip, make_partial) ----------------

// A lane's stream of column maxima, many of them equal (values 0-3), over
// several strips (increasing rows) and columns in order, the right way
// round and transposed: the lane's partial, in the pair's coordinates, is
// the best cell by the reference's rule (higher score, smaller tend, smaller
// qend), found here by brute force.  Transposed, the row is the tend: an
// equal value on a smaller row of a later column, or of an earlier strip,
// must win.  Both widths, both halves of a packed pair.
template <class Ops>
void lane_ends_follow_the_tie_rule(std::uint32_t seed) {
  constexpr int R = kern::kIntraRows, L = Ops::kLanes;
  std::mt19937 rng(seed);
  for (int it = 0; it < 3000; ++it) {
    const int strips = 1 + static_cast<int>(rng() % 4), cols = 1 + static_cast<int>(rng() % 12);
    const int top = 1 + static_cast<int>(rng() % 4);  // values 0..top: ties everywhere
    kern::Problem pr[2];
    kern::LaneEnds e;
    for (int h = 0; h < L; ++h) {
      pr[h] = kern::Problem{1000, 1000, 0, static_cast<int>(rng() % 2)};
      e.tr[h] = pr[h].transposed;
    }
    typename Ops::V runmax = Ops::make(0, 0);
    kern::Partial want[2] = {{kern::kNoCandidate, 0, 0, 0}, {kern::kNoCandidate, 0, 0, 0}};
    kern::Strip<Ops, R> st{};
    for (int sp = 0; sp < strips; ++sp) {
      const int row0 = sp * 64 + static_cast<int>(rng() % 8) * R;
      for (int j = 1; j <= cols; ++j) {
        int v[R][2];
        for (int r = 0; r < R; ++r) {
          v[r][0] = static_cast<int>(rng() % static_cast<unsigned>(top + 1));
          v[r][1] = static_cast<int>(rng() % static_cast<unsigned>(top + 1));
          st.g[r] = Ops::make(v[r][0], v[r][1]);
          for (int h = 0; h < L; ++h) {
            const int row = row0 + r + 1;
            const kern::Partial c{v[r][h], pr[h].transposed ? j : row, pr[h].transposed ? row : j, 0};
            want[h] = kern::better_partial(want[h], c);
          }
        }
        kern::track_ends<Ops, R, kern::kLocal>(st, row0, j, pr, e, runmax);
      }
      kern::fold_strip<L, kern::kLocal>(e);
    }
    for (int h = 0; h < L; ++h) {
      const kern::Partial got = kern::make_partial<Ops>(e.best[h], pr[h], 0, 0, 1 << 20, e.tr[h]);
      ASSERT_EQ(got.score, want[h].score) << "it " << it << " h " << h << " transposed " << pr[h].transposed;
      ASSERT_EQ(got.qend, want[h].qend) << "it " << it << " h " << h << " transposed " << pr[h].transposed;
      ASSERT_EQ(got.tend, want[h].tend) << "it " << it << " h " << h << " transposed " << pr[h].transposed;
    }
  }
}

TEST(LaneEndsCpu, TieRuleBothWaysRound) {
  lane_ends_follow_the_tie_rule<kern::OpsI32>(1621);
  lane_ends_follow_the_tie_rule<kern::OpsS16x2>(1622);
}

// --- packed 16-bit operations --------------------------------------------------

TEST(PackedS16x2, EmulationMatchesPerHalfwordSemantics) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> d(-32768, 32767);
  for (int it = 0; it < 20000; ++it) {
    const int a0 = d(rng), a1 = d(rng), b0 = d(rng), b1 = d(rng), c0 = d(rng), c1 = d(rng);
    const auto a = kern::pk(a0, a1), b = kern::pk(b0, b1), c = kern::pk(c0, c1);
    auto wrap = [](int v) { return static_cast<int>(static_cast<std::int16_t>(static_cast<std::uint16_t>(v))); };
    ASSERT_EQ(kern::pk_lo(a), a0);
    ASSERT_EQ(kern::pk_hi(a), a1);
    ASSERT_EQ(kern::add2(a, b), kern::pk(wrap(a0 + b0), wrap(a1 + b1)));
    ASSERT_EQ(kern::sub2(a, b), kern::pk(wrap(a0 - b0), wrap(a1 - b1)));
    ASSERT_EQ(kern::max2(a, b), kern::pk(std::max(a0, b0), std::max(a1, b1)));
    ASSERT_EQ(kern::max3(a, b, c), kern::pk(std::max({a0, b0, c0}), std::max({a1, b1, c1})));
    ASSERT_EQ(kern::addmax(a, b, c), kern::pk(std::max(wrap(a0 + b0), c0), std::max(wrap(a1 + b1), c1)));
  }
}

TEST(PackedS16x2, OpsTraitsAgreeWithScalarOnInRangeValues) {
  using P = kern::OpsS16x2;
  using S = kern::OpsI32;
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> d(-10000, 10000);
  for (int it = 0; it < 5000; ++it) {
    const int a0 = d(rng), a1 = d(rng), b0 = d(rng), b1 = d(rng), c0 = d(rng), c1 = d(rng);
    const auto r = P::addmax(P::make(a0, a1), P::make(b0, b1), P::make(c0, c1));
    ASSERT_EQ(P::get(r, 0), S::addmax(a0, b0, c0));
    ASSERT_EQ(P::get(r, 1), S::addmax(a1, b1, c1));
  }
}

TEST(PackedS16x2, PrmtFollowsPtxSemantics) {
  const std::uint32_t a = 0x80FF7F01u, b = 0x04038281u;  // bytes 0..7: 01 7F FF 80 81 82 03 04
  EXPECT_EQ(kern::prmt(a, b, 0x3210u), a);
  EXPECT_EQ(kern::prmt(a, b, 0x7654u), b);
  EXPECT_EQ(kern::prmt(a, b, 0x0123u), 0x017FFF80u);
  EXPECT_EQ(kern::prmt(a, b, 0x8888u), 0x00000000u);  // sign of byte 0 (0x01)
  EXPECT_EQ(kern::prmt(a, b, 0xBA98u), 0xFFFF0000u);  // signs of 01, 7F, FF, 80
  EXPECT_EQ(kern::prmt(a, b, 0xFEDCu), 0x0000FFFFu);  // signs of 81, 82, 03, 04
  std::mt19937 rng(17);
  for (int it = 0; it < 20000; ++it) {
    const std::uint32_t x = static_cast<std::uint32_t>(rng()), y = static_cast<std::uint32_t>(rng());
    const std::uint32_t sel = static_cast<std::uint32_t>(rng()) & 0xFFFFu;
    std::uint8_t src[8];
    for (int k = 0; k < 4; ++k) {
      src[k] = static_cast<std::uint8_t>(x >> (8 * k));
      src[4 + k] = static_cast<std::uint8_t>(y >> (8 * k));
    }
    const std::uint32_t r = kern::prmt(x, y, sel);
    for (int k = 0; k < 4; ++k) {
      const unsigned n = (sel >> (4 * k)) & 15u;
      const int v = static_cast<std::int8_t>(src[n & 7u]);
      const std::uint8_t want = (n & 8u) ? (v < 0 ? 0xFF : 0x00) : src[n & 7u];
      ASSERT_EQ(static_cast<std::uint8_t>(r >> (8 * k)), want) << std::hex << sel;
    }
  }
}

// Register scores: for every pair of codes (A, C, G, T and the padding) in
// both halves, the PRMT picks s + open, and padding scores 0 or -1.
TEST(AcgtScores, PickEveryCodePairAndPadding) {
  struct Case {
    const char* name;
    std::vector<int> m;  // 15 x 15, codes 0-3 set, the rest -1
    int open;
    bool eligible;
  };
  auto dna = [](int match, int mis, int ts) {  // ts: transitions (A<->G, C<->T)
    std::vector<int> m(15 * 15, -1);
    for (int q = 0; q < 4; ++q)
      for (int t = 0; t < 4; ++t) m[static_cast<std::size_t>(q * 15 + t)] = q == t ? match : (q ^ t) == 2 ? ts : mis;
    return m;
  };
  std::vector<int> asym = dna(2, -3, -3);
  asym[0 * 15 + 1] = -4;  // s(A, C) != s(C, A): not a function of q ^ t
  const Case cases[] = {{"default", dna(2, -3, -3), 5, true},       {"1/-1", dna(1, -1, -1), 2, true},
                        {"transitions", dna(5, -4, -1), 10, true},  {"wide", dna(100, -100, -100), 150, false},
                        {"asymmetric", asym, 5, false},             {"byte edges", dna(117, -138, -138), 10, true}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    int v[4];
    ASSERT_EQ(kern::acgt_scores(true, c.m, 15, c.open, v), c.eligible);
    EXPECT_FALSE(kern::acgt_scores(false, c.m, 15, c.open, v));  // protein: never
    if (!c.eligible) continue;
    kern::PlanScoring ps;
    ps.open = c.open;
    kern::set_acgt(ps, true, c.m, 15);
    ASSERT_TRUE(ps.acgt);
    EXPECT_LE(ps.min_sub, -c.open - 1);
    const kern::ScoreConsts sc = kern::make_consts(ps, true);
    const int codes[] = {0, 1, 2, 3, 15};
    for (int q0 : codes)
      for (int q1 : codes)
        for (int t0 : codes)
          for (int t1 : codes) {
            const std::uint32_t row = kern::acgt_row_sel(q0) | (kern::acgt_row_sel(q1) << 8);
            const std::uint32_t col = kern::acgt_col_sel(t0) | (kern::acgt_col_sel(t1) << 8);
            ASSERT_EQ(kern::acgt_col_sel2(t0, t1), col) << t0 << " " << t1;  // the inter kernel's lookup
            const std::uint32_t s = kern::prmt(sc.v_sub_lo, sc.v_sub_hi, kern::acgt_pick(row, col));
            const int got[2] = {kern::pk_lo(s), kern::pk_hi(s)};
            const int q[2] = {q0, q1}, t[2] = {t0, t1};
            for (int h = 0; h < 2; ++h) {
              if (q[h] < 4 && t[h] < 4)
                ASSERT_EQ(got[h], c.m[static_cast<std::size_t>(q[h] * 15 + t[h])] + c.open) << q[h] << " " << t[h];
              else
                ASSERT_TRUE(got[h] == 0 || got[h] == -1) << "padding " << q[h] << " " << t[h] << ": " << got[h];
            }
          }
  }
}

// --- random pairs ----------------------------------------------------------------

struct Batch {
  std::vector<Sequence> seqs;
  std::vector<SequencePair> pairs;
};

std::string random_text(std::mt19937& rng, Alphabet a, int len, bool ambiguous) {
  const std::string_view letters = a == Alphabet::dna ? (ambiguous ? "ACGTACGTACGTNRY" : "ACGT") : kProteinLetters;
  std::uniform_int_distribution<int> d(0, static_cast<int>(letters.size()) - 1);
  std::string s(static_cast<std::size_t>(len), 'A');
  for (char& c : s) c = letters[static_cast<std::size_t>(d(rng))];
  return s;
}

// Query copied from the target with ~15% edits, so alignments are long and
// end positions are interesting; plus unrelated pairs.
std::string mutate(std::mt19937& rng, const std::string& src, Alphabet a) {
  std::string out;
  std::uniform_int_distribution<int> p(0, 99);
  const std::string other = random_text(rng, a, static_cast<int>(src.size()) + 8, false);
  for (std::size_t i = 0; i < src.size(); ++i) {
    const int r = p(rng);
    if (r < 8) out += other[i];
    else if (r < 11) continue;
    else if (r < 14) out += other[i + 1], out += src[i];
    else out += src[i];
  }
  return out;
}

// `ambiguous`: a third of the targets and a fifth of the unrelated queries
// carry N and IUPAC codes (DNA).
Batch make_batch(std::uint32_t seed, Alphabet a, const std::vector<std::pair<int, int>>& dims, bool ambiguous = true) {
  std::mt19937 rng(seed);
  Batch b;
  b.seqs.reserve(dims.size() * 2);
  for (std::size_t i = 0; i < dims.size(); ++i) {
    const auto [m, n] = dims[i];
    const std::string t = random_text(rng, a, n, ambiguous && i % 3 == 0);
    std::string q;
    if (i % 4 == 3 || m > n) {
      q = random_text(rng, a, m, ambiguous && i % 5 == 0);
    } else {
      std::uniform_int_distribution<int> off(0, std::max(0, n - m));
      q = mutate(rng, t.substr(static_cast<std::size_t>(off(rng)), static_cast<std::size_t>(m)), a);
      if (q.empty()) q = "A";
    }
    b.seqs.emplace_back("q" + std::to_string(i), q, a);
    b.seqs.emplace_back("t" + std::to_string(i), t, a);
  }
  for (std::size_t i = 0; i < dims.size(); ++i) b.pairs.push_back({b.seqs[2 * i].codes(), b.seqs[2 * i + 1].codes()});
  return b;
}

// Low-complexity pairs: query and target both repeat one short motif
// (period 1-6, over two to four letters) from random phases, a few letters
// changed.  Many cells share the best score, in many rows and columns: the
// tie rule decides the end.
Batch repeat_batch(std::uint32_t seed, Alphabet a, const std::vector<std::pair<int, int>>& dims) {
  std::mt19937 rng(seed);
  const std::string_view letters = a == Alphabet::dna ? "ACGT" : "ARNDCQEGHILKMFPSTWYV";
  Batch b;
  b.seqs.reserve(dims.size() * 2);
  for (std::size_t i = 0; i < dims.size(); ++i) {
    const auto [m, n] = dims[i];
    std::string motif(1 + rng() % 6, 'A');
    const std::size_t alpha = 2 + rng() % 3;
    for (char& c : motif) c = letters[rng() % alpha];
    auto repeat = [&](int len, int changes_in_100) {
      std::string out(static_cast<std::size_t>(len), 'A');
      const std::size_t phase = rng() % motif.size();
      for (std::size_t k = 0; k < out.size(); ++k)
        out[k] = static_cast<int>(rng() % 100) < changes_in_100 ? letters[rng() % letters.size()]
                                                                : motif[(k + phase) % motif.size()];
      return out;
    };
    const std::string q = repeat(m, static_cast<int>(i % 3) * 2), t = repeat(n, static_cast<int>(i % 4));
    b.seqs.emplace_back("q" + std::to_string(i), q, a);
    b.seqs.emplace_back("t" + std::to_string(i), t, a);
  }
  for (std::size_t i = 0; i < dims.size(); ++i) b.pairs.push_back({b.seqs[2 * i].codes(), b.seqs[2 * i + 1].codes()});
  return b;
}

void expect_ends_match(const Batch& b, const ScoringScheme& s, AlignMode mode, Kernel k, bool sixteen,
                       int capacity = 3, bool acgt = false, int chunk_lead = kern::kDefaultChunkLead,
                       int rows = kern::kIntraRows, bool prefix_f = false,
                       kern::TransposeRule transpose = kern::TransposeRule::never, int* transposed = nullptr) {
  const auto ends = test::emulate_ends(b.pairs, s, mode, k, sixteen, capacity, acgt, chunk_lead, rows, prefix_f,
                                       transpose, transposed);
  for (std::size_t i = 0; i < b.pairs.size(); ++i) {
    const Alignment ref = reference_align(b.pairs[i], s, AlignOptions{mode, AlignOutput::score_end});
    SCOPED_TRACE("pair " + std::to_string(i) + " " + std::to_string(b.pairs[i].query.size()) + "x" +
                 std::to_string(b.pairs[i].target.size()) + " mode " + std::string(to_string(mode)) +
                 (sixteen ? " 16-bit" : " 32-bit"));
    EXPECT_FALSE(ends[i].overflow);
    EXPECT_EQ(ends[i].score, ref.score);
    EXPECT_EQ(ends[i].qend, ref.qend);
    EXPECT_EQ(ends[i].tend, ref.tend);
  }
}

const AlignMode kModes[] = {AlignMode::local, AlignMode::global, AlignMode::semi_global};

// Sizes around the strip (8 rows), word (4/8 codes), warp (32) boundaries.
std::vector<std::pair<int, int>> inter_dims() {
  return {{1, 1}, {1, 9},   {7, 7},   {8, 8},   {9, 31},  {15, 40}, {16, 33},  {17, 64}, {31, 65},
          {32, 32}, {33, 90}, {40, 20}, {63, 100}, {64, 64}, {65, 129}, {100, 250}, {150, 300}, {120, 119},
          {5, 200}, {200, 5}, {2, 3},   {77, 78},  {48, 160}, {96, 96},  {129, 200}, {33, 33}, {70, 300},
          {10, 11}, {11, 10}, {3, 300}, {250, 400}, {12, 13}, {13, 12},  {44, 45}};
}

class InterKernelCpu : public ::testing::TestWithParam<int> {};

TEST_P(InterKernelCpu, DnaMatchesReference) {
  const bool sixteen = GetParam() == 16;
  const Batch b = make_batch(101, Alphabet::dna, inter_dims());
  for (AlignMode m : kModes) expect_ends_match(b, ScoringScheme::dna(), m, Kernel::inter, sixteen);
}

TEST_P(InterKernelCpu, ProteinMatchesReference) {
  const bool sixteen = GetParam() == 16;
  const Batch b = make_batch(202, Alphabet::protein, inter_dims());
  for (AlignMode m : kModes) expect_ends_match(b, ScoringScheme::protein(), m, Kernel::inter, sixteen);
}

TEST_P(InterKernelCpu, OtherScoringMatchesReference) {
  const bool sixteen = GetParam() == 16;
  const Batch b = make_batch(303, Alphabet::dna, inter_dims());
  for (AlignMode m : kModes) expect_ends_match(b, ScoringScheme::dna(1, -1, 2, 1, -1), m, Kernel::inter, sixteen);
  const Batch p = make_batch(304, Alphabet::protein, inter_dims());
  for (AlignMode m : kModes)
    expect_ends_match(p, ScoringScheme::protein("PAM250", 10, 10), m, Kernel::inter, sixteen);
}

// F down each strip as a prefix maximum (recurrence.hpp, kPrefixF): the
// same scores and ends, every mode, open > ext and open == ext, DNA with N
// and protein, register scores.
TEST_P(InterKernelCpu, PrefixMaximumFMatchesReference) {
  const bool sixteen = GetParam() == 16;
  const Batch b = make_batch(111, Alphabet::dna, inter_dims());
  const Batch p = make_batch(112, Alphabet::protein, inter_dims());
  const auto cap = kern::kDefaultChunkLead;
  for (AlignMode m : kModes) {
    for (const ScoringScheme& s : {ScoringScheme::dna(), ScoringScheme::dna(2, -3, 3, 3), ScoringScheme::dna(5, -4, 10, 1)})
      expect_ends_match(b, s, m, Kernel::inter, sixteen, 3, false, cap, kern::kIntraRows, true);
    expect_ends_match(p, ScoringScheme::protein(), m, Kernel::inter, sixteen, 3, false, cap, kern::kIntraRows, true);
  }
  if (sixteen) {
    const Batch acgt = make_batch(113, Alphabet::dna, inter_dims(), false);
    for (AlignMode m : kModes)
      expect_ends_match(acgt, ScoringScheme::dna(1, -1, 2, 1), m, Kernel::inter, true, 3, true, cap, kern::kIntraRows, true);
  }
}

INSTANTIATE_TEST_SUITE_P(Width, InterKernelCpu, ::testing::Values(32, 16));

// Register scores (16-bit, A/C/G/T pairs, schemes that score by q ^ t): every
// kernel layout, every mode, against the reference.
TEST(AcgtKernelsCpu, RegisterScoresMatchReference) {
  const ScoringScheme schemes[] = {ScoringScheme::dna(), ScoringScheme::dna(1, -1, 2, 1), ScoringScheme::dna(5, -4, 10, 1)};
  const Batch inter = make_batch(1401, Alphabet::dna, inter_dims(), false);
  const Batch intra = make_batch(1402, Alphabet::dna, {{1, 40}, {255, 300}, {257, 320}, {520, 64}, {90, 31}}, false);
  const Batch group = make_batch(1403, Alphabet::dna, {{1, 1}, {63, 64}, {65, 100}, {129, 250}, {200, 3}, {40, 250}}, false);
  for (const ScoringScheme& s : schemes)
    for (AlignMode m : kModes) {
      expect_ends_match(inter, s, m, Kernel::inter, true, 3, true);
      expect_ends_match(intra, s, m, Kernel::intra, true, 3, true);
      expect_ends_match(group, s, m, Kernel::group, true, 3, true);
    }
}

// Intra: sizes around the 256-row tile and 32-column chunk boundaries; a
// worker capacity of 3 makes several warps pipeline the tiles of one slot.
std::vector<std::pair<int, int>> intra_dims() {
  return {{1, 40}, {31, 33}, {255, 300}, {256, 256}, {257, 320}, {300, 33}, {520, 64}, {513, 700}, {90, 31}, {64, 1}};
}

class IntraKernelCpu : public ::testing::TestWithParam<int> {};

TEST_P(IntraKernelCpu, DnaMatchesReference) {
  const bool sixteen = GetParam() == 16;
  const Batch b = make_batch(404, Alphabet::dna, intra_dims());
  for (AlignMode m : kModes) expect_ends_match(b, ScoringScheme::dna(), m, Kernel::intra, sixteen);
}

TEST_P(IntraKernelCpu, ProteinMatchesReference) {
  const bool sixteen = GetParam() == 16;
  const Batch b = make_batch(505, Alphabet::protein, {{300, 280}, {257, 200}, {40, 90}, {600, 100}});
  for (AlignMode m : kModes) expect_ends_match(b, ScoringScheme::protein(), m, Kernel::intra, sixteen, 5);
}

TEST_P(IntraKernelCpu, OneWorkerPerSlot) {
  const bool sixteen = GetParam() == 16;
  const Batch b = make_batch(606, Alphabet::dna, {{600, 300}, {270, 290}});
  for (AlignMode m : kModes) expect_ends_match(b, ScoringScheme::dna(), m, Kernel::intra, sixteen, 1);
}

// Whole-warp workers wait for and load the next chunk of the row above
// chunk_lead steps before they need it: from one step (the last moment) to
// a whole chunk.  Several workers share a slot's tiles (capacity 3), and
// the widths cross chunk edges (31-33, 64, 300, 700 columns).
TEST_P(IntraKernelCpu, EveryChunkLeadMatchesReference) {
  const bool sixteen = GetParam() == 16;
  const Batch b = make_batch(707, Alphabet::dna, {{600, 33}, {520, 64}, {513, 300}, {257, 31}, {800, 95}});
  for (int lead : {1, 2, 7, 8, 15, 31, 32})
    for (AlignMode m : {AlignMode::local, AlignMode::global}) {
      SCOPED_TRACE("chunk lead " + std::to_string(lead));
      expect_ends_match(b, ScoringScheme::dna(), m, Kernel::intra, sixteen, 3, false, lead);
    }
}

// The prefix-maximum F in whole-warp workers sharing tiles (capacity 3).
TEST_P(IntraKernelCpu, PrefixMaximumFMatchesReference) {
  const bool sixteen = GetParam() == 16;
  const Batch b = make_batch(909, Alphabet::dna, intra_dims());
  const Batch p = make_batch(910, Alphabet::protein, {{300, 280}, {257, 200}, {40, 90}});
  const auto cap = kern::kDefaultChunkLead;
  for (AlignMode m : kModes) {
    for (const ScoringScheme& s : {ScoringScheme::dna(), ScoringScheme::dna(2, -3, 3, 3)})
      expect_ends_match(b, s, m, Kernel::intra, sixteen, 3, false, cap, kern::kIntraRows, true);
    expect_ends_match(p, ScoringScheme::protein("PAM250", 10, 10), m, Kernel::intra, sixteen, 3, false, cap,
                      kern::kIntraRows, true);
  }
  if (sixteen) {
    const Batch acgt = make_batch(911, Alphabet::dna, {{257, 300}, {300, 33}, {520, 64}}, false);
    for (AlignMode m : kModes)
      expect_ends_match(acgt, ScoringScheme::dna(), m, Kernel::intra, true, 3, true, cap, kern::kIntraRows, true);
  }
}

// Short tiles (kIntraShortRows = 4 rows a lane, 128-row tiles): sizes
// around the 128-row tile, several workers a slot (capacity 3) and one
// (capacity 1), DNA and protein; register scores at 16-bit.
TEST_P(IntraKernelCpu, ShortTilesMatchReference) {
  const bool sixteen = GetParam() == 16;
  const int rows = kern::kIntraShortRows;
  const Batch b = make_batch(808, Alphabet::dna, {{1, 40}, {127, 300}, {128, 128}, {129, 200}, {300, 33}, {385, 97},
                                                  {520, 64}, {90, 31}, {64, 1}});
  const Batch p = make_batch(809, Alphabet::protein, {{300, 280}, {129, 90}, {40, 90}});
  for (AlignMode m : kModes) {
    SCOPED_TRACE("128-row tiles");
    expect_ends_match(b, ScoringScheme::dna(), m, Kernel::intra, sixteen, 3, false, kern::kDefaultChunkLead, rows);
    expect_ends_match(b, ScoringScheme::dna(), m, Kernel::intra, sixteen, 1, false, kern::kDefaultChunkLead, rows);
    expect_ends_match(p, ScoringScheme::protein(), m, Kernel::intra, sixteen, 4, false, kern::kDefaultChunkLead, rows);
  }
  if (sixteen) {
    const Batch acgt = make_batch(810, Alphabet::dna, {{257, 300}, {128, 129}, {400, 64}, {31, 45}}, false);
    for (AlignMode m : kModes)
      expect_ends_match(acgt, ScoringScheme::dna(), m, Kernel::intra, true, 3, true, kern::kDefaultChunkLead, rows);
  }
}

// Transposed problems (the target on the kernel's rows: plan.hpp
// orient_jobs), every pair whose target is the longer: sizes around the
// tile (256 and 128 rows) and chunk edges once swapped, several workers a
// slot and one, DNA with N, protein, register scores, the short-tile
// instance.  Local and global transpose; semi-global never does (its free
// target ends are not the query's).
TEST_P(IntraKernelCpu, TransposedMatchesReference) {
  const bool sixteen = GetParam() == 16;
  const auto always = kern::TransposeRule::always;
  const auto lead = kern::kDefaultChunkLead;
  const Batch b = make_batch(1601, Alphabet::dna, {{1, 40}, {31, 33}, {255, 300}, {40, 520}, {90, 700}, {257, 800},
                                                   {64, 65}, {10, 1030}, {300, 257}});
  const Batch p = make_batch(1602, Alphabet::protein, {{90, 280}, {200, 257}, {40, 600}});
  // Every pair whose target is the longer (queries cut from the target
  // change length a little: counted, not assumed).
  auto longer_targets = [](const Batch& x) {
    int k = 0;
    for (const SequencePair& pair : x.pairs) k += pair.target.size() > pair.query.size() ? 1 : 0;
    return k;
  };
  ASSERT_GE(longer_targets(b), 7);
  for (AlignMode m : kModes) {
    SCOPED_TRACE("transposed");
    int count = 0;
    expect_ends_match(b, ScoringScheme::dna(), m, Kernel::intra, sixteen, 3, false, lead, kern::kIntraRows, false,
                      always, &count);
    EXPECT_EQ(count, m == AlignMode::semi_global ? 0 : longer_targets(b));
    expect_ends_match(b, ScoringScheme::dna(2, -3, 3, 3), m, Kernel::intra, sixteen, 1, false, lead, kern::kIntraRows,
                      false, always);
    expect_ends_match(p, ScoringScheme::protein(), m, Kernel::intra, sixteen, 4, false, lead, kern::kIntraRows, false,
                      always, &count);
    EXPECT_EQ(count, m == AlignMode::semi_global ? 0 : longer_targets(p));
  }
  if (sixteen) {
    const Batch acgt = make_batch(1603, Alphabet::dna, {{257, 300}, {33, 400}, {100, 900}, {31, 45}}, false);
    for (AlignMode m : kModes) {
      expect_ends_match(acgt, ScoringScheme::dna(), m, Kernel::intra, true, 3, true, lead, kern::kIntraRows, false,
                        always);
      expect_ends_match(acgt, ScoringScheme::dna(), m, Kernel::intra, true, 3, true, lead, kern::kIntraShortRows,
                        false, always);
    }
  }
}

// Ties: low-complexity pairs, where many cells share the best score, must
// end where the reference ends (smallest tend, then smallest qend) with the
// target on the rows as with it on the columns, through the whole kernel:
// lanes, tiles, several workers a slot and one, narrow workers.  (Which
// tie cases a lane meets is down to chance here; LaneEndsCpu drives every
// one of them.)
TEST_P(IntraKernelCpu, TransposedTiesAreTheReferences) {
  const bool sixteen = GetParam() == 16;
  const auto always = kern::TransposeRule::always;
  const auto lead = kern::kDefaultChunkLead;
  std::vector<std::pair<int, int>> dims;
  for (int i = 0; i < 12; ++i) dims.push_back({5 + 37 * i, 300 + 61 * i});
  const Batch dna = repeat_batch(1611, Alphabet::dna, dims);
  const Batch protein = repeat_batch(1612, Alphabet::protein, {{30, 400}, {120, 700}, {7, 260}, {250, 520}});
  for (AlignMode m : {AlignMode::local, AlignMode::global}) {
    for (const ScoringScheme& s : {ScoringScheme::dna(1, -1, 2, 1), ScoringScheme::dna()}) {
      expect_ends_match(dna, s, m, Kernel::intra, sixteen, 3, false, lead, kern::kIntraRows, false, always);
      expect_ends_match(dna, s, m, Kernel::intra, sixteen, 1, false, lead, kern::kIntraRows, false, always);
      expect_ends_match(dna, s, m, Kernel::group, sixteen, 3, false, lead, kern::kIntraRows, false, always);
      // The same pairs the right way round: the test's pairs do tie.
      expect_ends_match(dna, s, m, Kernel::intra, sixteen, 3);
    }
    expect_ends_match(protein, ScoringScheme::protein(), m, Kernel::intra, sixteen, 3, false, lead, kern::kIntraRows,
                      false, always);
    if (sixteen)
      expect_ends_match(dna, ScoringScheme::dna(1, -1, 2, 1), m, Kernel::intra, true, 3, true, lead, kern::kIntraRows,
                        false, always);
  }
}

INSTANTIATE_TEST_SUITE_P(Width, IntraKernelCpu, ::testing::Values(32, 16));

// Which pairs transpose (plan.hpp transpose_pays, orient_jobs) and what the
// slots of a transposed job hold.
TEST(PlanCpu, TransposeWhereTheWavefrontGetsShorter) {
  const int lead = kern::kDefaultChunkLead, tile = kern::kIntraTileRows;
  EXPECT_TRUE(kern::transpose_pays(15000, 75000, kern::kWarp, tile, lead));  // W3
  EXPECT_TRUE(kern::transpose_pays(5500, 11000, kern::kWarp, tile, lead));   // W2
  EXPECT_TRUE(kern::transpose_pays(1000, 1000000, kern::kWarp, tile, lead));
  EXPECT_FALSE(kern::transpose_pays(250, 500, kern::kWarp, tile, lead));  // W1: one tile, 6% more work transposed
  EXPECT_TRUE(kern::transpose_pays(300, 600, kern::kWarp, tile, lead));   // W1's longest: 2 tiles x 631 -> 3 x 331
  EXPECT_FALSE(kern::transpose_pays(600, 300, kern::kWarp, tile, lead));  // the target is not the longer
  EXPECT_FALSE(kern::transpose_pays(500, 500, kern::kWarp, tile, lead));
  // Narrow workers: by work alone.
  const int narrow = kern::kGroupLanes * kern::kIntraRows;
  EXPECT_TRUE(kern::transpose_pays(70, 300, kern::kGroupLanes, narrow, lead));   // 2 x 307 -> 5 x 77
  EXPECT_FALSE(kern::transpose_pays(64, 300, kern::kGroupLanes, narrow, lead));  // 1 x 307 -> 5 x 71

  kern::PlanScoring ps;
  ps.mode = kern::kLocal;
  ps.symmetric = true;
  std::vector<kern::Job> jobs = {{0, 100, 15000, 75000}, {200, 300, 250, 500}, {400, 500, 900, 300}};
  kern::orient_jobs(jobs, ps, kern::TransposeRule::when_pays, kern::kWarp, tile, lead);
  EXPECT_TRUE(jobs[0].transposed);
  EXPECT_FALSE(jobs[1].transposed);
  EXPECT_FALSE(jobs[2].transposed);
  kern::orient_jobs(jobs, ps, kern::TransposeRule::always, kern::kWarp, tile, lead);
  EXPECT_TRUE(jobs[0].transposed && jobs[1].transposed && !jobs[2].transposed);
  for (const auto& [mode, symmetric] : {std::pair{kern::kSemiGlobal, true}, std::pair{kern::kLocal, false}}) {
    kern::PlanScoring other = ps;
    other.mode = mode;
    other.symmetric = symmetric;
    kern::orient_jobs(jobs, other, kern::TransposeRule::always, kern::kWarp, tile, lead);
    for (const kern::Job& j : jobs) EXPECT_FALSE(j.transposed);
  }
  kern::orient_jobs(jobs, ps, kern::TransposeRule::never, kern::kWarp, tile, lead);
  for (const kern::Job& j : jobs) EXPECT_FALSE(j.transposed);
  EXPECT_TRUE(kern::symmetric_matrix(ScoringScheme::protein().matrix(), ScoringScheme::protein().size()));
  EXPECT_FALSE(kern::symmetric_matrix({1, 2, 3, 4}, 2));

  // A transposed job's slot: the target's offset and length are the rows.
  jobs[0].transposed = true;
  const std::vector<int> order = {0, 1, 2}, bias = {0, 0, 0};
  const std::vector<kern::Slot> slots = kern::make_slots(jobs, order, bias, 1);
  ASSERT_EQ(slots.size(), 3u);
  EXPECT_EQ(slots[0].job[0], 0);  // 75,000 rows: the largest
  EXPECT_EQ(slots[0].prob[0].m, 75000);
  EXPECT_EQ(slots[0].prob[0].n, 15000);
  EXPECT_EQ(slots[0].prob[0].transposed, 1);
  EXPECT_EQ(slots[0].q_off[0], 100u);
  EXPECT_EQ(slots[0].t_off[0], 0u);
  EXPECT_EQ(slots[0].rows, 75000);
  EXPECT_EQ(slots[0].cols, 15000);
  EXPECT_EQ(slots[1].prob[0].transposed, 0);
}

// Narrow intra workers (kGroupLanes lanes, several slots a warp): sizes
// around the 64-row tile and 8-column chunk; slots of one warp with
// different tiles and columns (a group idles past its own), and a last warp
// padded with idle workers (the pair counts are not multiples of a warp's
// slots).
std::vector<std::pair<int, int>> group_dims() {
  return {{1, 1},    {7, 9},     {8, 8},    {9, 17},   {63, 64},  {64, 63},  {65, 100}, {127, 33},
          {128, 128}, {129, 250}, {200, 3},  {300, 301}, {150, 600}, {17, 1},  {250, 40}, {40, 250},
          {64, 7},   {64, 300},  {190, 65}, {3, 120},  {100, 100}};
}

class GroupKernelCpu : public ::testing::TestWithParam<int> {};

TEST_P(GroupKernelCpu, DnaMatchesReference) {
  const bool sixteen = GetParam() == 16;
  const Batch b = make_batch(414, Alphabet::dna, group_dims());
  for (AlignMode m : kModes) expect_ends_match(b, ScoringScheme::dna(), m, Kernel::group, sixteen);
}

TEST_P(GroupKernelCpu, ProteinAndOtherScoringMatchReference) {
  const bool sixteen = GetParam() == 16;
  const Batch p = make_batch(515, Alphabet::protein, {{300, 280}, {65, 200}, {40, 90}, {130, 100}, {8, 9}});
  for (AlignMode m : kModes) expect_ends_match(p, ScoringScheme::protein(), m, Kernel::group, sixteen);
  const Batch d = make_batch(516, Alphabet::dna, {{70, 80}, {129, 64}, {5, 300}, {200, 190}, {64, 64}});
  for (AlignMode m : kModes) expect_ends_match(d, ScoringScheme::dna(1, -1, 2, 1, -1), m, Kernel::group, sixteen);
}

INSTANTIATE_TEST_SUITE_P(Width, GroupKernelCpu, ::testing::Values(32, 16));

TEST(GroupKernelCpu, PlanPadsWarpsAndSharesTheirLoopBounds) {
  std::vector<kern::Slot> slots(6);
  for (int i = 0; i < 6; ++i) {
    slots[static_cast<std::size_t>(i)].rows = 300 - 40 * i;
    slots[static_cast<std::size_t>(i)].cols = 100 + 50 * (i % 3);
  }
  const kern::IntraPlan p = kern::make_intra_plan(slots, 1, kern::kGroupLanes);
  const int per_warp = kern::kWarp / kern::kGroupLanes;
  ASSERT_EQ(p.workers.size(), 8u);  // 6 slots, padded to two warps of 4 groups
  ASSERT_EQ(p.launches.size(), 1u);
  EXPECT_EQ(p.launches[0].workers, 8);
  for (std::size_t w = 0; w < p.workers.size(); ++w) {
    const kern::Worker& k = p.workers[w];
    const std::size_t first = w / per_warp * per_warp;
    int iters = 0, cols = 0;
    for (std::size_t i = first; i < first + per_warp && p.workers[i].slot >= 0; ++i) {
      const kern::Slot& s = p.slots[static_cast<std::size_t>(p.workers[i].slot)];
      iters = std::max(iters, s.tiles);
      cols = std::max(cols, s.cols);
    }
    EXPECT_EQ(k.iters, iters) << "worker " << w;
    EXPECT_EQ(k.cols, cols) << "worker " << w;
    EXPECT_EQ(k.slot, w < 6 ? static_cast<int>(w) : -1);
    if (k.slot >= 0) {
      const kern::Slot& s = p.slots[static_cast<std::size_t>(k.slot)];
      EXPECT_EQ(s.tiles, (s.rows + 63) / 64);
      EXPECT_EQ(s.workers, 1);
    }
  }
}

// --- begins: the same kernel on reversed prefixes --------------------------------

TEST(KernelBeginsCpu, ReversePassGivesReferenceBegins) {
  const Batch b = make_batch(707, Alphabet::dna, inter_dims());
  const ScoringScheme s = ScoringScheme::dna();
  for (AlignMode m : {AlignMode::local, AlignMode::semi_global}) {
    const auto fwd = test::emulate_ends(b.pairs, s, m, Kernel::inter, true);
    std::vector<std::vector<std::uint8_t>> rq(b.pairs.size()), rt(b.pairs.size());
    std::vector<SequencePair> rev;
    for (std::size_t i = 0; i < b.pairs.size(); ++i) {
      rq[i].assign(b.pairs[i].query.begin(), b.pairs[i].query.begin() + fwd[i].qend);
      rt[i].assign(b.pairs[i].target.begin(), b.pairs[i].target.begin() + fwd[i].tend);
      std::reverse(rq[i].begin(), rq[i].end());
      std::reverse(rt[i].begin(), rt[i].end());
      rev.push_back({rq[i], rt[i]});
    }
    // Empty reversed prefixes (local score 0, or semi-global at column 0) are
    // the engine's CPU path; align them with the reference here.
    for (std::size_t i = 0; i < b.pairs.size(); ++i) {
      const Alignment ref = reference_align(b.pairs[i], s, AlignOptions{m, AlignOutput::begin_end});
      long long qb, tb;
      if (rq[i].empty() || rt[i].empty()) {
        const Alignment r = reference_align(rev[i], s, AlignOptions{m, AlignOutput::score_end});
        qb = fwd[i].qend - r.qend;
        tb = fwd[i].tend - r.tend;
      } else {
        const SequencePair one[] = {rev[i]};
        const auto back = test::emulate_ends(one, s, m, Kernel::intra, false, 2);
        EXPECT_EQ(back[0].score, fwd[i].score) << "pair " << i;
        qb = fwd[i].qend - back[0].qend;
        tb = fwd[i].tend - back[0].tend;
      }
      EXPECT_EQ(qb, ref.qbeg) << "pair " << i << " mode " << to_string(m);
      EXPECT_EQ(tb, ref.tbeg) << "pair " << i << " mode " << to_string(m);
    }
  }
}

// --- 16-bit overflow ----------------------------------------------------------------

TEST(Overflow16Cpu, HighScoresAreFlaggedAndExactAt32Bit) {
  // Match 100 on identical 700-mers: local score 70000, past any 16-bit range.
  const ScoringScheme s = ScoringScheme::dna(100, -100, 150, 50);
  std::mt19937 rng(9);
  const std::string t = random_text(rng, Alphabet::dna, 700, false);
  std::vector<Sequence> seqs{{"q", t, Alphabet::dna}, {"t", t, Alphabet::dna},
                             {"q2", t.substr(0, 100), Alphabet::dna}, {"t2", t.substr(0, 150), Alphabet::dna}};
  const std::vector<SequencePair> pairs{{seqs[0].codes(), seqs[1].codes()}, {seqs[2].codes(), seqs[3].codes()}};
  for (Kernel k : {Kernel::inter, Kernel::intra, Kernel::group}) {
    const auto e16 = test::emulate_ends(pairs, s, AlignMode::local, k, true);
    EXPECT_TRUE(e16[0].overflow);
    EXPECT_FALSE(e16[1].overflow);  // 10000 fits
    const auto e32 = test::emulate_ends(pairs, s, AlignMode::local, k, false);
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      const Alignment ref = reference_align(pairs[i], s, AlignOptions{AlignMode::local, AlignOutput::score_end});
      EXPECT_FALSE(e32[i].overflow);
      EXPECT_EQ(e32[i].score, ref.score);
      EXPECT_EQ(e32[i].qend, ref.qend);
      EXPECT_EQ(e32[i].tend, ref.tend);
    }
    EXPECT_EQ(e16[1].score, 10000);
  }
}

// Local scores near the 16-bit limit with a large gap extension (the
// prefix-maximum F lifts values by up to 8 * ext before it takes them
// back): every 16-bit result is either flagged or exact, never wrapped.
// The query is its target with 3 bases inserted 20 from the end, so the
// best path takes a vertical gap (F, worth it: 20 matches after it pay
// its 1,200) where the values are highest.
TEST(Overflow16Cpu, NearTheLimitFlaggedOrExact) {
  // Scores of ~100 a base: the stored value (score + bias) crosses
  // limit_g16 at about 600 bases.
  const ScoringScheme s = ScoringScheme::dna(100, -100, 400, 400);
  std::mt19937 rng(17);
  std::vector<Sequence> seqs;
  // 642-649: the gap opens at every row of a strip, with G within 3,200 of
  // the 16-bit top.  Within a strip, opening at row r lifts G by (r + 1) *
  // ext; rows 0-4 keep the whole gap in the strip (645-649).
  const std::vector<int> lengths = {560, 600, 642, 643, 644, 645, 646, 647, 648, 649, 680};
  seqs.reserve(lengths.size() * 2);
  for (int len : lengths) {
    const std::string t = random_text(rng, Alphabet::dna, len, false);
    seqs.emplace_back("q", t.substr(0, len - 20) + "ACG" + t.substr(len - 20), Alphabet::dna);
    seqs.emplace_back("t", t, Alphabet::dna);
  }
  std::vector<SequencePair> pairs;
  for (std::size_t i = 0; i < lengths.size(); ++i) pairs.push_back({seqs[2 * i].codes(), seqs[2 * i + 1].codes()});
  int flagged = 0, exact = 0;
  for (Kernel k : {Kernel::inter, Kernel::intra})
    for (bool prefix : {false, true}) {
      const auto e16 = test::emulate_ends(pairs, s, AlignMode::local, k, true, 3, false, kern::kDefaultChunkLead,
                                          kern::kIntraRows, prefix);
      for (std::size_t i = 0; i < pairs.size(); ++i) {
        SCOPED_TRACE("length " + std::to_string(lengths[i]) + (prefix ? " prefix F" : " plain F"));
        if (e16[i].overflow) {
          ++flagged;
          continue;
        }
        ++exact;
        const Alignment ref = reference_align(pairs[i], s, AlignOptions{AlignMode::local, AlignOutput::score_end});
        EXPECT_EQ(e16[i].score, ref.score);
        EXPECT_EQ(e16[i].qend, ref.qend);
        EXPECT_EQ(e16[i].tend, ref.tend);
      }
    }
  EXPECT_GT(flagged, 0);  // the sweep crosses the limit
  EXPECT_GT(exact, 0);
}

TEST(Overflow16Cpu, LongGlobalPairsAreNot16BitEligible) {
  const kern::PlanScoring ps = test::plan_scoring(ScoringScheme::dna(), AlignMode::global);
  int bias = 0;
  EXPECT_TRUE(kern::bias16(ps, 300, 600, bias));
  EXPECT_FALSE(kern::bias16(ps, 10000, 20000, bias));
  const kern::PlanScoring pl = test::plan_scoring(ScoringScheme::dna(), AlignMode::local);
  EXPECT_TRUE(kern::bias16(pl, 100000, 1000000, bias));
}

// --- traceback: CIGAR of [begin, end) windows, a thread per window ----------------

// Sizes around the strip (8 rows), code word (4/8 codes) and warp (32)
// boundaries, 1 x N and N x 1, and up to a few hundred; more than 32 windows,
// so several groups, each padded to its largest window.
std::vector<std::pair<int, int>> trace_dims(std::uint32_t seed) {
  std::vector<std::pair<int, int>> d = {{1, 1},    {1, 2},     {2, 1},     {1, 37},    {37, 1},    {1, 300},
                                        {300, 1},  {7, 9},     {8, 8},     {9, 8},     {31, 32},   {32, 31},
                                        {32, 32},  {33, 33},   {31, 65},   {63, 64},   {64, 63},   {64, 64},
                                        {65, 65},  {65, 129},  {127, 128}, {128, 128}, {129, 127}, {129, 130},
                                        {200, 40}, {40, 200},  {255, 257}, {256, 256}, {300, 310}, {5, 6},
                                        {16, 17},  {17, 16},   {24, 100},  {100, 24}};
  std::mt19937 rng(seed);
  for (int i = 0; i < 40; ++i) {
    const int m = 1 + static_cast<int>(rng() % 350);
    d.push_back({m, std::max(1, m + static_cast<int>(rng() % 81) - 40)});
  }
  return d;
}

void expect_trace_matches(std::span<const SequencePair> windows, const ScoringScheme& s, const std::string& what,
                          const test::TraceLimits& lim = {}) {
  const auto got = test::emulate_trace(windows, s, lim);
  ASSERT_EQ(got.size(), windows.size());
  for (std::size_t i = 0; i < windows.size(); ++i) {
    const Alignment ref = reference_align(windows[i], s, AlignOptions{AlignMode::global, AlignOutput::cigar});
    SCOPED_TRACE(what + " window " + std::to_string(i) + " " + std::to_string(windows[i].query.size()) + "x" +
                 std::to_string(windows[i].target.size()));
    ASSERT_TRUE(got[i].on_gpu);
    ASSERT_TRUE(got[i].path_ok);
    EXPECT_EQ(got[i].score, ref.score);
    EXPECT_EQ(got[i].cigar.to_string(), ref.cigar.to_string());
  }
}

struct TraceScoring {
  std::string name;
  ScoringScheme s;
};

std::vector<TraceScoring> trace_dna_scorings() {
  return {{"dna default", ScoringScheme::dna()},
          {"dna 1/-1/2/1 amb -1", ScoringScheme::dna(1, -1, 2, 1, -1)},
          {"dna open == extend", ScoringScheme::dna(2, -3, 3, 3)},
          {"dna 5/-4/10/1", ScoringScheme::dna(5, -4, 10, 1)}};
}

std::vector<TraceScoring> trace_protein_scorings() {
  return {{"BLOSUM62 11/1", ScoringScheme::protein()},
          {"BLOSUM62 5/2", ScoringScheme::protein("BLOSUM62", 5, 2)},
          {"PAM250 10/10", ScoringScheme::protein("PAM250", 10, 10)}};
}

TEST(TraceKernelCpu, DnaWindowsMatchReferenceCigars) {
  std::uint32_t seed = 808;
  for (const TraceScoring& sc : trace_dna_scorings()) {
    const Batch b = make_batch(seed, Alphabet::dna, trace_dims(seed));  // N and IUPAC codes in a third
    expect_trace_matches(b.pairs, sc.s, sc.name);
    ++seed;
  }
}

TEST(TraceKernelCpu, ProteinWindowsMatchReferenceCigars) {
  std::uint32_t seed = 909;
  for (const TraceScoring& sc : trace_protein_scorings()) {
    const Batch b = make_batch(seed, Alphabet::protein, trace_dims(seed));
    expect_trace_matches(b.pairs, sc.s, sc.name);
    ++seed;
  }
}

TEST(TraceKernelCpu, EmptyWindowsStayOnTheCpu) {
  const Sequence e("e", "", Alphabet::dna), a("a", "ACGTN", Alphabet::dna), c("c", "C", Alphabet::dna);
  const std::vector<SequencePair> w{{e.codes(), a.codes()}, {a.codes(), e.codes()}, {c.codes(), a.codes()},
                                    {a.codes(), c.codes()}, {a.codes(), a.codes()}, {e.codes(), e.codes()}};
  const auto got = test::emulate_trace(w, ScoringScheme::dna());
  for (std::size_t i = 0; i < w.size(); ++i) {
    const bool empty = w[i].query.empty() || w[i].target.empty();
    EXPECT_EQ(got[i].on_gpu, !empty) << "window " << i;
    if (!got[i].on_gpu) continue;
    const Alignment ref = reference_align(w[i], ScoringScheme::dna(), AlignOptions{AlignMode::global, AlignOutput::cigar});
    EXPECT_EQ(got[i].score, ref.score) << "window " << i;
    EXPECT_EQ(got[i].cigar.to_string(), ref.cigar.to_string()) << "window " << i;
  }
}

// The engine's batch planner: a small device budget cuts the windows into
// many batches of whole groups (each batch re-plans its own layout); a group
// over the budget, and windows over the cell cap, stay on the CPU.
TEST(TraceKernelCpu, BatchesWithinBudgetAndCellCap) {
  // 160 windows up to 60 x 70, two over the cell cap, and a 1 x 9000 one
  // that pads its group (the smallest queries) far past the budget.
  std::vector<std::pair<int, int>> dims;
  std::mt19937 rng(1111);
  for (int i = 0; i < 160; ++i) {
    const int m = 1 + static_cast<int>(rng() % 60);
    dims.push_back({m, m + static_cast<int>(rng() % 10)});
  }
  dims.push_back({120, 121});
  dims.push_back({150, 100});
  dims.push_back({1, 9000});
  const Batch b = make_batch(1111, Alphabet::dna, dims);
  const ScoringScheme s = ScoringScheme::dna();
  test::TraceLimits lim;
  lim.max_cells = 100 * 100;
  lim.cap = 120 * 1024;  // one or two groups of the small windows a batch
  lim.max_pairs = 64;
  int batches = 0;
  const auto got = test::emulate_trace(b.pairs, s, lim, &batches);
  EXPECT_GE(batches, 3);
  std::size_t on_gpu = 0;
  for (std::size_t i = 0; i < b.pairs.size(); ++i) {
    const std::uint64_t cells = b.pairs[i].query.size() * b.pairs[i].target.size();
    SCOPED_TRACE("window " + std::to_string(i) + " " + std::to_string(b.pairs[i].query.size()) + "x" +
                 std::to_string(b.pairs[i].target.size()));
    if (cells > lim.max_cells || b.pairs[i].target.size() == 9000) EXPECT_FALSE(got[i].on_gpu);
    if (!got[i].on_gpu) continue;
    ++on_gpu;
    const Alignment ref = reference_align(b.pairs[i], s, AlignOptions{AlignMode::global, AlignOutput::cigar});
    ASSERT_TRUE(got[i].path_ok);
    EXPECT_EQ(got[i].score, ref.score);
    EXPECT_EQ(got[i].cigar.to_string(), ref.cigar.to_string());
  }
  EXPECT_GE(on_gpu, 128u);
  // Without limits: one batch, every window on the "GPU".
  const auto all = test::emulate_trace(b.pairs, s, test::TraceLimits{}, &batches);
  EXPECT_EQ(batches, 1);
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_TRUE(all[i].on_gpu) << "window " << i;
    if (all[i].on_gpu)
      EXPECT_EQ(all[i].cigar.to_string(),
                reference_align(b.pairs[i], s, AlignOptions{AlignMode::global, AlignOutput::cigar}).cigar.to_string());
  }
}

// The engine's use: the window [begin, end) of a local or semi-global
// alignment, traced globally, gives the reference's CIGAR of the whole pair.
TEST(TraceKernelCpu, LocalAndSemiGlobalWindowsGiveReferenceCigars) {
  for (Alphabet al : {Alphabet::dna, Alphabet::protein}) {
    const ScoringScheme s = al == Alphabet::dna ? ScoringScheme::dna() : ScoringScheme::protein();
    const Batch b = make_batch(al == Alphabet::dna ? 1001 : 1002, al, inter_dims());
    for (AlignMode mode : kModes) {
      const AlignOptions opt{mode, AlignOutput::cigar};
      std::vector<Alignment> refs;
      std::vector<SequencePair> windows;
      for (const SequencePair& p : b.pairs) {
        refs.push_back(reference_align(p, s, opt));
        const Alignment& r = refs.back();
        windows.push_back({p.query.subspan(static_cast<std::size_t>(r.qbeg), static_cast<std::size_t>(r.qend - r.qbeg)),
                           p.target.subspan(static_cast<std::size_t>(r.tbeg), static_cast<std::size_t>(r.tend - r.tbeg))});
      }
      const auto got = test::emulate_trace(windows, s);
      for (std::size_t i = 0; i < windows.size(); ++i) {
        SCOPED_TRACE("pair " + std::to_string(i) + " mode " + std::string(to_string(mode)));
        EXPECT_EQ(got[i].score, refs[i].score);
        EXPECT_EQ(got[i].cigar.to_string(), refs[i].cigar.to_string());
      }
    }
  }
}

// W1-like and P1-like pairs (the benchmark generators, scaled down): the
// windows of their local and semi-global alignments, traced like the engine.
TEST(TraceKernelCpu, WorkloadWindowsGiveReferenceCigars) {
  for (const char* name : {"W1", "P1"}) {
    const Workload w = make_workload(name, 31, name[0] == 'W' ? 0.004 : 0.012);  // 80 and 60 pairs
    const auto pairs = w.pairs();
    for (AlignMode mode : {AlignMode::local, AlignMode::semi_global, AlignMode::global}) {
      const AlignOptions opt{mode, AlignOutput::cigar};
      std::vector<Alignment> refs;
      std::vector<SequencePair> windows;
      for (const SequencePair& p : pairs) {
        refs.push_back(reference_align(p, w.scoring, opt));
        const Alignment& r = refs.back();
        windows.push_back({p.query.subspan(static_cast<std::size_t>(r.qbeg), static_cast<std::size_t>(r.qend - r.qbeg)),
                           p.target.subspan(static_cast<std::size_t>(r.tbeg), static_cast<std::size_t>(r.tend - r.tbeg))});
      }
      const auto got = test::emulate_trace(windows, w.scoring);
      for (std::size_t i = 0; i < windows.size(); ++i) {
        SCOPED_TRACE(std::string(name) + " pair " + std::to_string(i) + " mode " + std::string(to_string(mode)));
        ASSERT_TRUE(got[i].on_gpu);
        EXPECT_EQ(got[i].score, refs[i].score);
        EXPECT_EQ(got[i].cigar.to_string(), refs[i].cigar.to_string());
      }
    }
  }
}

// The per-cell function against the reference's rules written out directly.
// --- traceback of large windows: whole-warp workers ------------------------------

// Sizes around the 256-row tile, the 8-row strip and the 32-column chunk,
// 1 x N and N x 1, windows of one to three tiles.
std::vector<std::pair<int, int>> warp_trace_dims() {
  return {{1, 1},     {1, 37},    {37, 1},    {1, 300},   {300, 1},   {8, 8},     {9, 8},
          {31, 32},   {33, 33},   {63, 64},   {255, 257}, {256, 256}, {257, 255}, {300, 310},
          {513, 100}, {100, 513}, {520, 540}, {64, 700},  {40, 45},   {200, 190}};
}

TEST(TraceKernelCpu, WarpPerWindowGivesReferenceCigars) {
  test::TraceLimits lim;
  lim.warp_min_cells = 0;  // every window a warp
  std::uint32_t seed = 1201;
  for (const TraceScoring& sc : trace_dna_scorings()) {
    const Batch b = make_batch(seed, Alphabet::dna, warp_trace_dims());  // N and IUPAC codes in a third
    expect_trace_matches(b.pairs, sc.s, sc.name + " (warp)", lim);
    ++seed;
  }
  for (const TraceScoring& sc : trace_protein_scorings()) {
    const Batch b = make_batch(seed, Alphabet::protein, warp_trace_dims());
    expect_trace_matches(b.pairs, sc.s, sc.name + " (warp)", lim);
    ++seed;
  }
}

// Windows of 3 to 8 tiles shared by 1, 2, 3 workers or a worker a tile: the
// workers pipeline the tiles (each waits for the bottom row of the tile
// above) and the last tile's worker walks back through its cache of
// direction words.  Long I runs (tall windows) cross strips and tiles with
// the wavefront step barely moving; long D runs (wide windows) leave the
// cache every ~32 steps; related pairs give long diagonal runs.
TEST(TraceKernelCpu, WarpWorkersPipelineTheTilesOfAWindow) {
  // Window 1 is related (make_batch: a mutated piece of its target).
  const std::vector<std::pair<int, int>> dims = {{1300, 300}, {650, 700}, {2000, 150}, {90, 500}, {600, 400}};
  struct Case {
    int capacity, min_workers, max_workers;  // resident warps a launch holds; workers the plan may give
  };
  // Tiles: 6, 3, 8, 1, 3 = 21.  Capacity 1: a launch per window, a worker
  // each; 5: one launch, a worker a window; 8: the 3 spare warps go where
  // they shorten the longest window (make_intra_plan); 64: a window gets
  // more warps while it is the longest, until the 650 x 700 window, at a
  // warp a tile, bounds the launch: the windows are of similar lengths, so
  // several get more than one by then.
  const Case cases[] = {{1, 5, 5}, {5, 5, 5}, {8, 8, 8}, {64, 9, 21}};
  std::uint32_t seed = 1401;
  for (const Case& c : cases) {
    for (const TraceScoring& sc : {trace_dna_scorings()[0], trace_dna_scorings()[3], trace_protein_scorings()[0]}) {
      const Batch b = make_batch(seed++, sc.s.alphabet(), dims);
      test::TraceLimits lim;
      lim.warp_min_cells = 0;
      lim.warp_capacity = c.capacity;
      int workers = 0;
      const auto got = test::emulate_trace(b.pairs, sc.s, lim, nullptr, &workers);
      const std::string what = sc.name + ", capacity " + std::to_string(c.capacity);
      EXPECT_GE(workers, c.min_workers) << what;
      EXPECT_LE(workers, c.max_workers) << what;
      for (std::size_t i = 0; i < b.pairs.size(); ++i) {
        const Alignment ref = reference_align(b.pairs[i], sc.s, AlignOptions{AlignMode::global, AlignOutput::cigar});
        SCOPED_TRACE(what + " window " + std::to_string(i));
        ASSERT_TRUE(got[i].on_gpu);
        ASSERT_TRUE(got[i].path_ok);
        EXPECT_EQ(got[i].score, ref.score);
        EXPECT_EQ(got[i].cigar.to_string(), ref.cigar.to_string());
      }
    }
  }
}

// The warp traceback at chunk leads from one step to a whole chunk: windows
// of 2 to 4 tiles, a worker a tile, widths across chunk edges.
TEST(TraceKernelCpu, WarpWorkersAtEveryChunkLead) {
  const std::vector<std::pair<int, int>> dims = {{700, 95}, {520, 33}, {900, 64}, {300, 200}};
  std::uint32_t seed = 1501;
  for (int lead : {1, 9, 31, 32}) {
    const TraceScoring sc = trace_dna_scorings()[lead % 2 == 0 ? 0 : 3];
    const Batch b = make_batch(seed++, Alphabet::dna, dims);
    test::TraceLimits lim;
    lim.warp_min_cells = 0;
    lim.chunk_lead = lead;
    expect_trace_matches(b.pairs, sc.s, sc.name + ", chunk lead " + std::to_string(lead), lim);
  }
}

// Both traceback kernels in one plan: windows from 5,000 cells go to warps,
// in batches cut by a small budget; a window whose direction codes alone
// exceed the budget stays on the CPU.
TEST(TraceKernelCpu, WarpAndThreadWindowsSplitByCellsAndBudget) {
  std::vector<std::pair<int, int>> dims;
  std::mt19937 rng(1301);
  for (int i = 0; i < 60; ++i) {
    const int m = 1 + static_cast<int>(rng() % 140);
    dims.push_back({m, std::max(1, m + static_cast<int>(rng() % 41) - 20)});
  }
  dims.push_back({600, 650});  // ~200 KB of direction codes: over the budget
  const Batch b = make_batch(1301, Alphabet::dna, dims);
  const ScoringScheme s = ScoringScheme::dna();
  test::TraceLimits lim;
  lim.warp_min_cells = 5000;
  lim.cap = 120 * 1024;
  int batches = 0;
  const auto got = test::emulate_trace(b.pairs, s, lim, &batches);
  std::size_t warp_windows = 0;
  for (std::size_t i = 0; i < b.pairs.size(); ++i) {
    const std::size_t cells = b.pairs[i].query.size() * b.pairs[i].target.size();
    SCOPED_TRACE("window " + std::to_string(i) + " " + std::to_string(b.pairs[i].query.size()) + "x" +
                 std::to_string(b.pairs[i].target.size()));
    if (i + 1 == b.pairs.size()) {
      EXPECT_FALSE(got[i].on_gpu);
      continue;
    }
    ASSERT_TRUE(got[i].on_gpu);
    warp_windows += cells >= 5000;
    const Alignment ref = reference_align(b.pairs[i], s, AlignOptions{AlignMode::global, AlignOutput::cigar});
    EXPECT_EQ(got[i].score, ref.score);
    EXPECT_EQ(got[i].cigar.to_string(), ref.cigar.to_string());
  }
  EXPECT_GE(warp_windows, 10u);
  EXPECT_GE(batches, 3);
}

// The planner's sort (packed keys, a check for sorted input) must order
// exactly as a stable sort by (query, target) length, largest first: slots,
// batches and the engine's merge order depend on it.
TEST(PlanCpu, SortLargestFirstIsAStableSortBySize) {
  std::mt19937 rng(1501);
  for (int round = 0; round < 50; ++round) {
    const std::size_t count = 1 + rng() % 3000;
    const int spread = round % 2 ? 5 : 100000;  // many ties, or few
    std::vector<int> m(count), n(count);
    for (std::size_t i = 0; i < count; ++i) {
      m[i] = static_cast<int>(rng() % static_cast<unsigned>(spread));
      n[i] = round % 5 == 0 ? 0x7FFFFFFF - static_cast<int>(rng() % 3) : static_cast<int>(rng() % static_cast<unsigned>(spread));
    }
    std::vector<int> order(count);
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), rng);
    std::vector<int> want = order;
    std::stable_sort(want.begin(), want.end(), [&](int a, int b) { return std::pair(m[a], n[a]) > std::pair(m[b], n[b]); });
    std::vector<int> got = order;
    kern::sort_largest_first(got, [&](int i) { return m[static_cast<std::size_t>(i)]; },
                             [&](int i) { return n[static_cast<std::size_t>(i)]; });
    ASSERT_EQ(got, want) << "round " << round;
    kern::sort_largest_first(got, [&](int i) { return m[static_cast<std::size_t>(i)]; },
                             [&](int i) { return n[static_cast<std::size_t>(i)]; });
    ASSERT_EQ(got, want) << "round " << round << ", sorted input";
  }
}

// The reverse pass for begins reads the reversed prefixes only as far back
// as begin_reach: every optimal alignment the reference finds, local or
// semi-global, spans no more of either sequence, on random, related and
// low-complexity pairs under several schemes (DNA, protein).
TEST(PlanCpu, BeginReachBoundsTheReferencesAlignments) {
  std::mt19937 rng(1631);
  const ScoringScheme schemes[] = {ScoringScheme::dna(), ScoringScheme::dna(1, -1, 2, 1), ScoringScheme::dna(5, -4, 10, 1),
                                   ScoringScheme::protein()};
  int tight = 0;
  for (int it = 0; it < 800; ++it) {
    const ScoringScheme& s = schemes[it % 4];
    const AlignMode mode = it % 8 < 4 ? AlignMode::local : AlignMode::semi_global;
    const Alphabet a = s.alphabet();
    const int n = 20 + static_cast<int>(rng() % 300), m = 10 + static_cast<int>(rng() % 200);
    const Batch b = it % 3 == 2 ? repeat_batch(rng(), a, {{m, n}}) : make_batch(rng(), a, {{m, n}}, false);
    const Alignment r = reference_align(b.pairs[0], s, AlignOptions{mode, AlignOutput::begin_end});
    if (r.qend == 0 || r.tend == 0) continue;  // the empty alignment: no reverse pass
    const long long reach = kern::begin_reach(r.qend, r.tend, r.score, s.max_score(), s.gap_extend());
    ASSERT_LE(r.qend - r.qbeg, reach) << it;
    ASSERT_LE(r.tend - r.tbeg, reach) << it;
    tight += reach < std::max(r.qend, r.tend) ? 1 : 0;
  }
  EXPECT_GT(tight, 200);  // the bound does clip, often
}

TEST(TraceKernelCpu, CellTieBreaksAreTheReferences) {
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> v(-40, 40);
  for (int it = 0; it < 20000; ++it) {
    const int open = 1 + static_cast<int>(rng() % 6), ext = 1 + static_cast<int>(rng() % static_cast<unsigned>(open));
    const int diag = v(rng), hl = v(rng), hu = v(rng), s = v(rng) / 4, e0 = v(rng), f0 = v(rng);
    int e = e0, f = f0, h = 0;
    const unsigned d = kern::trace_cell(diag, hl, hu, s, open, ext, e, f, h);
    const int ee = std::max(hl - open, e0 - ext), ff = std::max(hu - open, f0 - ext);
    int hh = diag + s;
    unsigned src = 0;
    if (ff > hh) hh = ff, src = kern::kTraceFromF;
    if (ee > hh) hh = ee, src = kern::kTraceFromE;
    ASSERT_EQ(e, ee);
    ASSERT_EQ(f, ff);
    ASSERT_EQ(h, hh);
    ASSERT_EQ(d & 3u, src);
    ASSERT_EQ((d & kern::kTraceEExt) != 0, e0 - ext >= hl - open);
    ASSERT_EQ((d & kern::kTraceFExt) != 0, f0 - ext >= hu - open);
  }
}

}  // namespace
}  // namespace gpualign
