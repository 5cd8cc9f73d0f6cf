// gpualign align end to end: every output format, and the scores and end
// positions of random DNA and protein pairs against the reference aligner and
// parasail in every mode.
#include <random>

#include "cli_harness.hpp"
#include "gpualign/reference_aligner.hpp"
#include "support/alignment_checks.hpp"
#include "support/random_sequences.hpp"

#ifdef GPUALIGN_HAVE_PARASAIL
#include <parasail.h>
#endif

using namespace gpualign;
using gpualign::test::split;

namespace {

struct PairSet {
  std::vector<std::string> q, t;
};

PairSet random_pairs(std::mt19937_64& rng, Alphabet a, int n) {
  PairSet s;
  for (int i = 0; i < n; ++i) {
    std::string q = test::random_text(rng, a, 1 + rng() % 400, 0.01);
    std::string t = i % 2 ? test::random_text(rng, a, rng() % 100) + test::mutate(rng, a, q, 0.1) +
                                test::random_text(rng, a, rng() % 100)
                          : test::random_text(rng, a, 1 + rng() % 400);
    if (t.empty()) t = "A";
    s.q.push_back(q);
    s.t.push_back(t);
  }
  return s;
}

std::string fasta(const std::vector<std::string>& seqs, const std::string& prefix) {
  std::string out;
  for (std::size_t i = 0; i < seqs.size(); ++i) out += ">" + prefix + std::to_string(i) + " desc\n" + seqs[i] + "\n";
  return out;
}

#ifdef GPUALIGN_HAVE_PARASAIL
parasail_result_t* parasail_align(const std::string& q, const std::string& t, const ScoringScheme& s, AlignMode mode) {
  const std::string_view letters = s.alphabet() == Alphabet::dna ? kDnaLetters : kProteinLetters;
  parasail_matrix_t* m = parasail_matrix_create(std::string(letters).c_str(), 1, -1);
  for (int a = 0; a < s.size(); ++a)
    for (int b = 0; b < s.size(); ++b) parasail_matrix_set_value(m, a, b, s.score(a, b));
  std::string qu = q, tu = t;
  for (auto& c : qu) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (auto& c : tu) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const int qn = static_cast<int>(qu.size()), tn = static_cast<int>(tu.size());
  parasail_result_t* r = mode == AlignMode::local    ? parasail_sw(qu.c_str(), qn, tu.c_str(), tn, s.gap_open(), s.gap_extend(), m)
                         : mode == AlignMode::global ? parasail_nw(qu.c_str(), qn, tu.c_str(), tn, s.gap_open(), s.gap_extend(), m)
                                                     : parasail_sg_dx(qu.c_str(), qn, tu.c_str(), tn, s.gap_open(), s.gap_extend(), m);
  parasail_matrix_free(m);
  return r;
}
#endif

class AlignCli : public test::CliTest {};

void check_random_pairs(AlignCli& self, Alphabet alphabet, const std::string& extra, const ScoringScheme& scoring,
                        std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const PairSet set = random_pairs(rng, alphabet, 60);
  self.write("q.fa", fasta(set.q, "q"));
  self.write("t.fa", fasta(set.t, "t"));
  for (AlignMode mode : {AlignMode::local, AlignMode::global, AlignMode::semi_global}) {
    const auto r = self.run("align --ref t.fa --query q.fa --pairs --threads 2 -o out.tsv --mode " +
                            std::string(to_string(mode)) + " " + extra);
    ASSERT_EQ(r.status, 0) << r.err;
    const auto lines = split(self.slurp(self.path("out.tsv")), '\n');
    ASSERT_EQ(lines.size(), set.q.size() + 1);
    EXPECT_EQ(lines[0], "qname\tqlen\ttname\ttlen\tscore\tqbeg\tqend\ttbeg\ttend\tstrand\tcigar\tidentity");
    for (std::size_t i = 0; i < set.q.size(); ++i) {
      const auto f = split(lines[i + 1], '\t');
      ASSERT_EQ(f.size(), 12u) << lines[i + 1];
      EXPECT_EQ(f[0], "q" + std::to_string(i));
      EXPECT_EQ(f[2], "t" + std::to_string(i));
      Sequence q("q", set.q[i], alphabet), t("t", set.t[i], alphabet);
      const SequencePair p{q.codes(), t.codes()};
      Alignment a;
      a.score = std::stoll(f[4]);
      a.qbeg = std::stoll(f[5]);
      a.qend = std::stoll(f[6]);
      a.tbeg = std::stoll(f[7]);
      a.tend = std::stoll(f[8]);
      a.cigar = f[10] == "*" ? Cigar() : Cigar::parse(f[10]);
      const auto ref = reference_align(p, scoring, {mode, AlignOutput::score_end});
      EXPECT_EQ(a.score, ref.score) << to_string(mode) << " pair " << i;
      EXPECT_EQ(a.qend, ref.qend) << to_string(mode) << " pair " << i;
      EXPECT_EQ(a.tend, ref.tend) << to_string(mode) << " pair " << i;
      EXPECT_EQ(test::check_alignment(p, scoring, mode, a), "") << to_string(mode) << " pair " << i;
#ifdef GPUALIGN_HAVE_PARASAIL
      parasail_result_t* pr = parasail_align(set.q[i], set.t[i], scoring, mode);
      EXPECT_EQ(a.score, pr->score) << "parasail " << to_string(mode) << " pair " << i;
      if (!(mode == AlignMode::local && a.score == 0)) {
        EXPECT_EQ(a.qend, pr->end_query + 1) << "parasail " << to_string(mode) << " pair " << i;
        EXPECT_EQ(a.tend, pr->end_ref + 1) << "parasail " << to_string(mode) << " pair " << i;
      }
      parasail_result_free(pr);
#endif
    }
  }
}

}  // namespace

TEST_F(AlignCli, DnaPairsAgreeWithOraclesInEveryMode) {
  check_random_pairs(*this, Alphabet::dna, "", ScoringScheme::dna(), 101);
}

TEST_F(AlignCli, DnaCustomScoring) {
  check_random_pairs(*this, Alphabet::dna, "--match 1 --mismatch -2 --gap-open 3 --gap-extend 1",
                     ScoringScheme::dna(1, -2, 3, 1), 102);
}

TEST_F(AlignCli, ProteinPairsAgreeWithOraclesInEveryMode) {
  check_random_pairs(*this, Alphabet::protein, "--protein", ScoringScheme::protein(), 103);
  check_random_pairs(*this, Alphabet::protein, "--matrix PAM250 --gap-open 10 --gap-extend 2",
                     ScoringScheme::protein("PAM250", 10, 2), 104);
}

TEST_F(AlignCli, ScoreOnlyHasNoCigar) {
  write("q.fa", ">a\nACGTACGTTTGACCA\n");
  write("t.fa", ">t\nGGGACGTACGTTTGACCAGGG\n");
  const auto r = run("align --ref t.fa --query q.fa --score-only");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto f = split(split(r.out, '\n').at(1), '\t');
  EXPECT_EQ(f[4], "30");
  EXPECT_EQ(f[7], "3");
  EXPECT_EQ(f[8], "18");
  EXPECT_EQ(f[10], "*");
}

TEST_F(AlignCli, EveryQueryAgainstEveryTargetInInputOrderAndBest) {
  write("q.fa", ">a\nACGTACGTTTGACCAGT\n>b\nTTTTGGGGCCCCAAAATG\n");
  write("t.fa", ">t1\nCCTTTTGGGGCCCCAAAATGCC\n>t2\nGGACGTACGTTTGACCAGTGG\n");
  auto r = run("align --ref t.fa --query q.fa");
  ASSERT_EQ(r.status, 0) << r.err;
  auto lines = split(r.out, '\n');
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_TRUE(lines[1].starts_with("a\t17\tt1\t"));
  EXPECT_TRUE(lines[2].starts_with("a\t17\tt2\t"));
  EXPECT_TRUE(lines[3].starts_with("b\t18\tt1\t"));
  EXPECT_TRUE(lines[4].starts_with("b\t18\tt2\t"));
  r = run("align --ref t.fa --query q.fa --best");
  ASSERT_EQ(r.status, 0) << r.err;
  lines = split(r.out, '\n');
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_TRUE(lines[1].starts_with("a\t17\tt2\t"));
  EXPECT_TRUE(lines[2].starts_with("b\t18\tt1\t"));
}

TEST_F(AlignCli, BothStrandsFindsReverseComplement) {
  // The query is the reverse complement of the target's middle.
  write("q.fa", ">rc\nAACCGGTTAAACCCGGGTTT\n");
  write("t.fa", ">t\nGCGCGCAAACCCGGGTTTAACCGGTTGCGCGC\n");
  const auto r = run("align --ref t.fa --query q.fa --both-strands --best --mode semi-global");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto f = split(split(r.out, '\n').at(1), '\t');
  EXPECT_EQ(f[4], "40");
  EXPECT_EQ(f[9], "-");
  EXPECT_EQ(f[7], "6");
  EXPECT_EQ(f[8], "26");
}

TEST_F(AlignCli, FeaturesFromBedAlignBackToTheirLoci) {
  std::mt19937_64 rng(5);
  const std::string chr1 = test::random_text(rng, Alphabet::dna, 3000), chr2 = test::random_text(rng, Alphabet::dna, 2000);
  write("ref.fa", ">chr1\n" + chr1 + "\n>chr2\n" + chr2 + "\n");
  write("f.bed", "chr1\t100\t400\tgeneA\t0\t+\nchr2\t500\t800\tgeneB\t0\t-\n");
  const auto r = run("align --ref ref.fa --bed f.bed --mode semi-global --both-strands --best -o hits.tsv");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto lines = split(slurp(path("hits.tsv")), '\n');
  ASSERT_EQ(lines.size(), 3u);
  auto a = split(lines[1], '\t'), b = split(lines[2], '\t');
  EXPECT_EQ(a[0], "geneA");
  EXPECT_EQ(a[2], "chr1");
  EXPECT_EQ(a[4], "600");
  EXPECT_EQ(a[7] + "-" + a[8], "100-400");
  EXPECT_EQ(a[9], "+");
  EXPECT_EQ(b[0], "geneB");
  EXPECT_EQ(b[2], "chr2");
  EXPECT_EQ(b[7] + "-" + b[8], "500-800");
  EXPECT_EQ(b[9], "-");
}

TEST_F(AlignCli, PafSamBam) {
  write("q.fa", ">a\nACGTACGTTTGACCAGT\n>b\nTTTTGGGGCCCCAAAATG\n");
  write("t.fa", ">t1\nCCTTTTGGGGCCCCAAAATGCC\n>t2\nGGACGTACGTTTGACCAGTGG\n");
  auto r = run("align --ref t.fa --query q.fa --best -o out.paf");
  ASSERT_EQ(r.status, 0) << r.err;
  auto lines = split(slurp(path("out.paf")), '\n');
  ASSERT_EQ(lines.size(), 2u);
  auto f = split(lines[0], '\t');
  ASSERT_GE(f.size(), 14u);
  EXPECT_EQ(f[0], "a");
  EXPECT_EQ(f[1], "17");
  EXPECT_EQ(f[4], "+");
  EXPECT_EQ(f[5], "t2");
  EXPECT_EQ(f[7], "2");
  EXPECT_EQ(f[8], "19");
  EXPECT_EQ(f[9], "17");
  EXPECT_EQ(f[12], "AS:i:34");
  EXPECT_EQ(f[13], "cg:Z:17=");

  r = run("align --ref t.fa --query q.fa --best -o out.sam");
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string sam = slurp(path("out.sam"));
  EXPECT_NE(sam.find("@SQ\tSN:t1\tLN:22"), std::string::npos) << sam;
  EXPECT_NE(sam.find("@SQ\tSN:t2\tLN:21"), std::string::npos) << sam;
  EXPECT_NE(sam.find("a\t0\tt2\t3\t255\t17=\t*\t0\t0\tACGTACGTTTGACCAGT\t*"), std::string::npos) << sam;

  r = run("align --ref t.fa --query q.fa --best -o out.bam");
  ASSERT_EQ(r.status, 0) << r.err;
  if (std::system("command -v samtools >/dev/null 2>&1") != 0) GTEST_SKIP() << "samtools not installed: SAM/BAM not re-read";
  const auto view = std::system(("samtools view '" + path("out.bam") + "' > '" + path("view.txt") + "' 2>&1").c_str());
  ASSERT_EQ(view, 0) << slurp(path("view.txt"));
  lines = split(slurp(path("view.txt")), '\n');
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE(lines[0].starts_with("a\t0\tt2\t3\t255\t17=")) << lines[0];
  ASSERT_EQ(std::system(("samtools view -S '" + path("out.sam") + "' > /dev/null 2>&1").c_str()), 0);
}

TEST_F(AlignCli, HelpExplainsGapConvention) {
  const auto r = run("align --help");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("OPEN + (k-1)*EXTEND"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("minimap2"), std::string::npos);
}
