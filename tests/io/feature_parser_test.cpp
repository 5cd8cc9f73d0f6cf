// BED and GFF3 coordinate parsing: conventions, headers, spliced features,
// and malformed lines named by file and line.
#include <htslib/bgzf.h>

#include "gpualign/feature_parser.hpp"
#include "io/io_test_util.hpp"

namespace gpualign {
namespace {

using test::expect_error;
using test::io_data;
using test::ScratchDir;

std::vector<FeatureRegion> bed(const std::string& text) { return parse_features(text, FeatureFormat::bed, {}, "t.bed"); }
std::vector<FeatureRegion> gff(const std::string& text, const std::string& type = {}) {
  return parse_features(text, FeatureFormat::gff3, type, "t.gff3");
}

TEST(BedParser, ReadsBed3To12SkippingHeaders) {
  const auto r = read_feature_regions(io_data("features.bed"));
  ASSERT_EQ(r.size(), 5u);
  EXPECT_EQ(r[0].name, "chr1_0_10");  // no name column: made up from BED coordinates
  EXPECT_EQ(r[0].contig, "chr1");
  EXPECT_EQ(r[0].begin, 0);
  EXPECT_EQ(r[0].end, 10);
  EXPECT_EQ(r[0].strand, '.');
  EXPECT_EQ(r[0].line, 5);
  EXPECT_EQ(r[0].segments, (std::vector<Interval>{{0, 10}}));
  EXPECT_EQ(r[1].name, "featA");
  EXPECT_EQ(r[1].strand, '-');
  EXPECT_EQ(r[2].name, "chr2_3_9");  // "." is no name
  EXPECT_EQ(r[2].strand, '+');
  EXPECT_EQ(r[3].name, "spaced");  // whitespace-separated, CRLF
  EXPECT_EQ(r[3].begin, 30);
  EXPECT_EQ(r[3].end, 40);
  EXPECT_EQ(r[3].strand, '+');
  EXPECT_EQ(r[4].name, "spliced");
  EXPECT_EQ(r[4].segments, (std::vector<Interval>{{0, 4}, {8, 13}, {14, 20}}));
  EXPECT_TRUE(r[4].type.empty());
}

TEST(BedParser, MalformedLinesNameFileAndLine) {
  expect_error([] { bed("chr1\t0\t10\nchr1\t5\n"); }, {"t.bed", "line 2", "too few columns"});
  expect_error([] { bed("chr1\tabc\t10\n"); }, {"t.bed", "line 1", "start 'abc' is not a non-negative whole number"});
  expect_error([] { bed("chr1\t0\t1e3\n"); }, {"line 1", "end '1e3'"});
  expect_error([] { bed("chr1\t-5\t10\n"); }, {"line 1", "start '-5'"});
  expect_error([] { bed("# c\nchr1\t20\t10\n"); }, {"t.bed", "line 2", "start 20 > end 10"});
  expect_error([] { bed("chr1\t10\t10\n"); }, {"line 1", "empty interval"});
  expect_error([] { bed("chr1\t0\t10\tn\t0\tx\n"); }, {"line 1", "strand 'x' is not +, - or ."});
  expect_error([] { bed("chr1\t0\t99999999999999999999999\n"); }, {"line 1", "too large"});
  expect_error([] { bed("\tchr1\t0\t10\n"); }, {"line 1", "empty chrom"});
}

TEST(BedParser, BlanksAroundFieldsAreTrimmed) {
  const auto r = bed("chr1\t 7 \t10\tx\n");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].begin, 7);
}

TEST(BedParser, InconsistentBlocks) {
  const std::string head = "chr1\t0\t20\tn\t0\t+\t0\t20\t0\t";
  expect_error([&] { bed(head + "2\t5,5,\t0,10,12,\n"); }, {"line 1", "blockCount 2 does not match"});
  expect_error([&] { bed(head + "2\t5,5,\t1,15,\n"); }, {"line 1", "block 1"});           // must start at 0
  expect_error([&] { bed(head + "2\t10,5,\t0,5,\n"); }, {"line 1", "block 2", "overlaps"});
  expect_error([&] { bed(head + "2\t5,5,\t0,10,\n"); }, {"line 1", "last block ends at 15"});
  expect_error([&] { bed(head + "2\t5,x,\t0,10,\n"); }, {"line 1", "block size 'x'"});
}

TEST(Gff3Parser, FiltersByTypeAndConvertsCoordinates) {
  const auto genes = read_feature_regions(io_data("features.gff3"), FeatureFormat::automatic, "gene");
  ASSERT_EQ(genes.size(), 3u);
  EXPECT_EQ(genes[0].name, "gene1");  // ID wins over Name
  EXPECT_EQ(genes[0].begin, 0);       // 1-based inclusive 1..30 -> [0, 30)
  EXPECT_EQ(genes[0].end, 30);
  EXPECT_EQ(genes[0].type, "gene");
  EXPECT_EQ(genes[0].line, 4);
  EXPECT_EQ(genes[1].name, "beta;gamma");  // Name, %3B decoded
  EXPECT_EQ(genes[1].strand, '-');
  EXPECT_EQ(genes[2].name, "gene_chr2_1_25");  // neither ID nor Name
  EXPECT_EQ(genes[2].strand, '.');            // '?' is unknown
}

TEST(Gff3Parser, LinesSharingAnIdAreOneSplicedFeature) {
  const auto cds = read_feature_regions(io_data("features.gff3"), FeatureFormat::gff3, "CDS");
  ASSERT_EQ(cds.size(), 2u);
  EXPECT_EQ(cds[0].name, "cds1");
  EXPECT_EQ(cds[0].segments, (std::vector<Interval>{{2, 8}, {11, 20}}));
  EXPECT_EQ(cds[0].begin, 2);
  EXPECT_EQ(cds[0].end, 20);
  EXPECT_EQ(cds[1].name, "CDS_chr2_5_10");
  // Parts given out of order are sorted along the contig.
  const auto r = gff("c\ts\tCDS\t50\t60\t.\t-\t0\tID=x\nc\ts\tCDS\t10\t20\t.\t-\t0\tID=x\n");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].segments, (std::vector<Interval>{{9, 20}, {49, 60}}));
}

TEST(Gff3Parser, AllTypesWhenNoFilterAndFastaSectionIgnored) {
  const auto all = read_feature_regions(io_data("features.gff3"));
  EXPECT_EQ(all.size(), 5u);  // 3 genes + 2 CDS; the ##FASTA part is not features
}

TEST(Gff3Parser, MalformedLinesNameFileAndLine) {
  expect_error([] { gff("##gff-version 3\nchr1\ts\tgene\t1\t10\n"); }, {"t.gff3", "line 2", "too few columns", "found 5"});
  expect_error([] { gff("chr1 s gene 1 10 . + . ID=a\n"); }, {"line 1", "too few columns"});  // spaces are not tabs
  expect_error([] { gff("chr1\ts\tgene\tone\t10\t.\t+\t.\tID=a\n"); }, {"line 1", "start 'one'"});
  expect_error([] { gff("chr1\ts\tgene\t20\t10\t.\t+\t.\tID=a\n"); }, {"line 1", "start 20 > end 10"});
  expect_error([] { gff("chr1\ts\tgene\t0\t10\t.\t+\t.\tID=a\n"); }, {"line 1", "start 0"});
  expect_error([] { gff("chr1\ts\tgene\t1\t10\t.\t*\t.\tID=a\n"); }, {"line 1", "strand '*'"});
  expect_error([] { gff("chr1\ts\tCDS\t1\t10\t.\t+\t0\tID=a\nchr2\ts\tCDS\t20\t30\t.\t+\t0\tID=a\n"); },
               {"line 2", "feature 'a' continues", "line 1"});
  expect_error([] { gff("chr1\ts\tCDS\t1\t10\t.\t+\t0\tID=a\nchr1\ts\tCDS\t5\t30\t.\t+\t0\tID=a\n"); },
               {"line 1", "parts of feature 'a' overlap"});
  // Malformed lines of other types are errors too: the file is broken.
  expect_error([] { gff("chr1\ts\tgene\tx\t10\t.\t+\t.\tID=a\n", "CDS"); }, {"line 1", "start 'x'"});
}

TEST(FeatureFiles, DetectsFormatByNameAndContent) {
  ScratchDir dir;
  const std::string gff_text = test::read_file(io_data("features.gff3"));
  // No telling extension: "##gff-version" decides.
  const auto a = read_feature_regions(dir.write("features.txt", gff_text), FeatureFormat::automatic, "gene");
  EXPECT_EQ(a.size(), 3u);
  // Nine columns with numeric 4 and 5 decide even without the directive.
  const auto b = read_feature_regions(dir.write("nodirective.txt", "c\ts\tgene\t1\t9\t.\t+\t.\tID=g\n"));
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].begin, 0);
  const auto c = read_feature_regions(dir.write("x.txt", "c\t1\t9\n"));
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].begin, 1);
  EXPECT_EQ(parse_feature_format("GFF"), FeatureFormat::gff3);
  EXPECT_EQ(parse_feature_format("bed"), FeatureFormat::bed);
  expect_error([] { parse_feature_format("gtf"); }, {"gtf"});
}

TEST(FeatureFiles, ReadsGzippedFiles) {
  ScratchDir dir;
  const std::string text = test::read_file(io_data("features.bed"));
  const std::string p = dir.file("features.bed.gz");
  BGZF* fp = bgzf_open(p.c_str(), "wg");
  ASSERT_NE(fp, nullptr);
  ASSERT_EQ(bgzf_write(fp, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  ASSERT_EQ(bgzf_close(fp), 0);
  EXPECT_EQ(read_feature_regions(p).size(), 5u);
}

TEST(FeatureFiles, NoFeatures) {
  ScratchDir dir;
  expect_error([&] { read_feature_regions(dir.write("empty.bed", "")); }, {"empty.bed", "empty file"});
  expect_error([&] { read_feature_regions(dir.write("h.bed", "track name=x\n# only headers\n")); },
               {"h.bed", "no features"});
  expect_error([&] { read_feature_regions(io_data("features.gff3"), FeatureFormat::gff3, "mRNA"); },
               {"features.gff3", "no features of type 'mRNA'", "types present: gene, CDS"});
  expect_error([] { read_feature_regions("/nonexistent.bed"); }, {"/nonexistent.bed", "No such file"});
}

}  // namespace
}  // namespace gpualign
