// The real example in examples/pPCP1: the CDS cut out by the GFF3 and BED
// made from NCBI's GenBank record must be exactly the CDS NCBI shipped
// (NC_005816.ffn), and each must align back to its own locus.
#include <regex>

#include "gpualign/feature_extractor.hpp"
#include "gpualign/reference_aligner.hpp"
#include "gpualign/sequence_reader.hpp"
#include "io/io_test_util.hpp"

namespace gpualign {
namespace {

using test::ScratchDir;

const std::string kDir = std::string(GPUALIGN_SOURCE_DIR) + "/examples/pPCP1/";

// Locus of a shipped CDS from its header: "ref|NC_005816.1|:87-1109 ..." or
// "ref|NC_005816.1|:c5888-4815 ..." (complement, 1-based inclusive).
struct Locus {
  std::int64_t begin, end;
  char strand;
};
Locus locus_of(const std::string& name) {
  static const std::regex re(R"(:(c?)(\d+)-(\d+)$)");
  std::smatch m;
  EXPECT_TRUE(std::regex_search(name, m, re)) << name;
  const std::int64_t a = std::stoll(m[2]), b = std::stoll(m[3]);
  return m[1].length() ? Locus{b - 1, a, '-'} : Locus{a - 1, b, '+'};
}

class PPcp1 : public testing::Test {
 protected:
  void SetUp() override {
    // Work on a copy so that the .fai index is not written into the source tree.
    std::filesystem::copy_file(kDir + "NC_005816.fna", dir_.file("NC_005816.fna"));
    reference_ = dir_.file("NC_005816.fna");
    shipped_ = SequenceReader::read_all(kDir + "NC_005816.ffn", Alphabet::dna);
    ASSERT_EQ(shipped_.size(), 10u);
  }

  void expect_shipped(const std::vector<Feature>& features) {
    ASSERT_EQ(features.size(), shipped_.size());
    for (std::size_t i = 0; i < features.size(); ++i) {
      const Feature& f = features[i];
      const Locus l = locus_of(shipped_[i].name());
      EXPECT_EQ(f.sequence.text(), shipped_[i].text()) << f.sequence.name() << " vs " << shipped_[i].name();
      EXPECT_EQ(f.begin, l.begin) << shipped_[i].name();
      EXPECT_EQ(f.end, l.end) << shipped_[i].name();
      EXPECT_EQ(f.strand, l.strand) << shipped_[i].name();
    }
  }

  ScratchDir dir_;
  std::string reference_;
  std::vector<Sequence> shipped_;
};

TEST_F(PPcp1, Gff3CdsReproduceTheShippedCdsExactly) {
  const auto cds = FeatureReader::read_all(kDir + "NC_005816.gff3", reference_, {FeatureFormat::automatic, "CDS"});
  expect_shipped(cds);
  EXPECT_EQ(cds[0].sequence.name(), "cds-NP_995567.1");
  EXPECT_EQ(cds[5].strand, '-');  // pesticin, complement(4815..5888)
}

TEST_F(PPcp1, BedCdsReproduceTheShippedCdsExactly) {
  const auto cds = FeatureReader::read_all(kDir + "NC_005816.cds.bed", reference_);
  expect_shipped(cds);
  EXPECT_EQ(cds[0].sequence.name(), "YP_pPCP01");
}

TEST_F(PPcp1, OrderLocationBecomesOneTwoPartFeature) {
  // misc_feature order(1436..1459,1619..1621): one ID on two GFF3 lines.
  const auto all = FeatureReader::read_all(kDir + "NC_005816.gff3", reference_, {FeatureFormat::gff3, "sequence_feature"});
  const auto genome = SequenceReader::read_all(reference_, Alphabet::dna).at(0).text();
  const auto it = std::find_if(all.begin(), all.end(), [](const Feature& f) { return f.segments.size() == 2; });
  ASSERT_NE(it, all.end());
  EXPECT_EQ(it->segments, (std::vector<Interval>{{1435, 1459}, {1618, 1621}}));
  EXPECT_EQ(it->sequence.text(), genome.substr(1435, 24) + genome.substr(1618, 3));
}

TEST_F(PPcp1, EachCdsAlignsBackToItsOwnLocus) {
  const auto genome = SequenceReader::read_all(reference_, Alphabet::dna).at(0);
  const auto scoring = ScoringScheme::dna();
  FeatureReader reader(kDir + "NC_005816.gff3", reference_, {FeatureFormat::gff3, "CDS"});
  Feature f;
  int n = 0;
  while (reader.next(f)) {
    ++n;
    // A '-' CDS reads on the other strand: its reverse complement is the locus.
    const Sequence query = f.strand == '-' ? f.sequence.reverse_complement(f.sequence.name()) : f.sequence;
    const Alignment a =
        reference_align({query.codes(), genome.codes()}, scoring, {AlignMode::semi_global, AlignOutput::cigar});
    SCOPED_TRACE(f.sequence.name());
    EXPECT_EQ(a.status, AlignStatus::ok);
    EXPECT_EQ(a.score, scoring.dna_match() * query.size());  // a full match
    EXPECT_EQ(a.tbeg, f.begin);
    EXPECT_EQ(a.tend, f.end);
    EXPECT_EQ(a.qbeg, 0);
    EXPECT_EQ(a.qend, query.size());
    EXPECT_EQ(a.cigar.to_string(), std::to_string(query.size()) + "=");
  }
  EXPECT_EQ(n, 10);
}

}  // namespace
}  // namespace gpualign
