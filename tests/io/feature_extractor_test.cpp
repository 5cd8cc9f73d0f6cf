// Feature sequences cut from an indexed reference: strands, splicing, the
// .fai life cycle, bgzip references, and regions that do not fit.
#include <htslib/bgzf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gpualign/feature_extractor.hpp"
#include "gpualign/sequence_reader.hpp"
#include "io/io_test_util.hpp"

namespace gpualign {
namespace {

using test::expect_error;
using test::ScratchDir;

// chr1 = 60 letters on two lines of 30 (faidx needs equal line lengths).
const std::string kChr1 = "ACGTTGCAAGGCTTAACCGGTTAAGGCCAA" "TTGGCCAATTCCGGAAttccggaaTTGCAC";
const std::string kChr2 = "GATTACAGATTACAGATTACA";

std::string reference_text() {
  return ">chr1 first\n" + kChr1.substr(0, 30) + "\n" + kChr1.substr(30) + "\n>chr2\n" + kChr2 + "\n";
}

std::string revcomp(const std::string& s) { return Sequence("x", s, Alphabet::dna).reverse_complement("x").text(); }

TEST(IndexedReference, BuildsTheIndexAndFetches) {
  ScratchDir dir;
  const std::string ref = dir.write("ref.fa", reference_text());
  IndexedReference r(ref);
  EXPECT_TRUE(std::filesystem::exists(ref + ".fai"));
  EXPECT_EQ(r.contigs(), (std::vector<Contig>{{"chr1", 60}, {"chr2", 21}}));
  EXPECT_EQ(r.length("chr2"), 21);
  EXPECT_EQ(r.length("chr3"), -1);
  EXPECT_EQ(r.fetch("chr1", 25, 35), kChr1.substr(25, 10));  // across a line break
  EXPECT_EQ(r.fetch("chr1", 46, 54), "ttccggaa");             // case as in the file
  EXPECT_EQ(r.fetch("chr2", 0, 21), kChr2);
  EXPECT_EQ(r.fetch("chr2", 5, 5), "");
  expect_error([&] { r.fetch("chr1", 50, 61); }, {ref, "outside contig 'chr1' of length 60"});
  expect_error([&] { r.fetch("chr1", 10, 5); }, {ref, "outside"});
  expect_error([&] { r.fetch("chrX", 0, 1); }, {ref, "no contig 'chrX'"});
  EXPECT_EQ(reference_contigs(ref), r.contigs());
}

TEST(IndexedReference, RebuildsAStaleIndex) {
  ScratchDir dir;
  const std::string ref = dir.write("ref.fa", reference_text());
  { IndexedReference r(ref); }
  dir.write("ref.fa", ">other\nACGTACGT\n");
  // Make the FASTA visibly newer than its index, whatever the clock's grain.
  struct timespec times[2] = {{0, UTIME_OMIT}, {0, 0}};
  ::clock_gettime(CLOCK_REALTIME, &times[1]);
  times[1].tv_sec += 10;
  ASSERT_EQ(::utimensat(AT_FDCWD, ref.c_str(), times, 0), 0);
  IndexedReference r(ref);
  EXPECT_EQ(r.contigs(), (std::vector<Contig>{{"other", 8}}));
}

TEST(IndexedReference, ReadsBgzipAndRejectsPlainGzip) {
  ScratchDir dir;
  const std::string text = reference_text();
  const std::string bgz = dir.file("ref.fa.gz");
  BGZF* fp = bgzf_open(bgz.c_str(), "w");
  ASSERT_NE(fp, nullptr);
  ASSERT_EQ(bgzf_write(fp, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  ASSERT_EQ(bgzf_close(fp), 0);
  IndexedReference r(bgz);
  EXPECT_TRUE(std::filesystem::exists(bgz + ".gzi"));
  EXPECT_EQ(r.fetch("chr1", 28, 33), kChr1.substr(28, 5));

  const std::string gz = dir.file("plain.fa.gz");
  fp = bgzf_open(gz.c_str(), "wg");
  ASSERT_NE(fp, nullptr);
  ASSERT_EQ(bgzf_write(fp, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  ASSERT_EQ(bgzf_close(fp), 0);
  expect_error([&] { IndexedReference{gz}; }, {gz, "plain gzip", "bgzip"});
}

TEST(IndexedReference, UnindexableAndMissingFiles) {
  ScratchDir dir;
  const std::string ragged = dir.write("ragged.fa", ">a\nACGT\nACGTACGT\nAC\n");
  expect_error([&] { IndexedReference{ragged}; }, {ragged, "cannot index"});
  expect_error([] { IndexedReference{"/nonexistent/ref.fa"}; }, {"/nonexistent/ref.fa", "No such file"});
  expect_error([&] { IndexedReference{dir.path()}; }, {dir.path(), "directory"});
}

TEST(IndexedReference, IndexesIntoTempWhenTheDirectoryIsReadOnly) {
  ScratchDir dir;
  const std::string ref = dir.write("ref.fa", reference_text());
  namespace fs = std::filesystem;
  fs::permissions(dir.path(), fs::perms::owner_read | fs::perms::owner_exec | fs::perms::others_read |
                                  fs::perms::others_exec);
  test::expect_as_unprivileged([&] {
    IndexedReference r(ref);
    return r.fetch("chr2", 0, 4) == "GATT" && r.contigs().size() == 2 && !fs::exists(ref + ".fai");
  });
  EXPECT_FALSE(fs::exists(ref + ".fai"));
  // The temporary index is gone too.
  for (const auto& e : fs::directory_iterator(fs::temp_directory_path()))
    EXPECT_EQ(e.path().filename().string().rfind("gpualign-fai-", 0), std::string::npos) << e.path();
}

TEST(FeatureExtractor, ExtractsBothStrandsAndSplicedBedFeatures) {
  ScratchDir dir;
  const std::string ref = dir.write("ref.fa", reference_text());
  const std::string bed = dir.write("f.bed",
                                    "chr1\t25\t35\tplus\t0\t+\n"
                                    "chr1\t46\t54\tminus\t0\t-\n"
                                    "chr2\t0\t21\n"
                                    "chr1\t0\t20\tsp\t0\t-\t0\t20\t0\t2\t4,6,\t0,14,\n");
  const auto f = FeatureReader::read_all(bed, ref);
  ASSERT_EQ(f.size(), 4u);
  EXPECT_EQ(f[0].sequence.name(), "plus");
  EXPECT_EQ(f[0].sequence.text(), kChr1.substr(25, 10));
  EXPECT_EQ(f[0].contig, "chr1");
  EXPECT_EQ(f[0].begin, 25);
  EXPECT_EQ(f[0].end, 35);
  EXPECT_EQ(f[0].strand, '+');
  EXPECT_EQ(f[1].sequence.text(), "ttccggaa");  // its own reverse complement, lower case kept
  EXPECT_EQ(f[1].strand, '-');
  EXPECT_EQ(f[2].sequence.name(), "chr2_0_21");
  EXPECT_EQ(f[2].sequence.text(), kChr2);
  EXPECT_EQ(f[2].strand, '.');
  EXPECT_EQ(f[3].sequence.text(), revcomp(kChr1.substr(0, 4) + kChr1.substr(14, 6)));
  EXPECT_EQ(f[3].segments, (std::vector<Interval>{{0, 4}, {14, 20}}));
}

TEST(FeatureExtractor, ExtractsGff3FeaturesStreaming) {
  ScratchDir dir;
  const std::string ref = dir.write("ref.fa", reference_text());
  const std::string gff = dir.write("f.gff3",
                                    "##gff-version 3\n"
                                    "chr1\tt\tCDS\t1\t3\t.\t-\t0\tID=c1\n"
                                    "chr1\tt\tgene\t1\t60\t.\t+\t.\tID=g1\n"
                                    "chr1\tt\tCDS\t58\t60\t.\t-\t0\tID=c1\n");
  FeatureReader reader(gff, ref, {FeatureFormat::automatic, "CDS", Alphabet::dna});
  EXPECT_EQ(reader.regions().size(), 1u);
  EXPECT_DOUBLE_EQ(reader.fraction_read(), 0.0);
  EXPECT_EQ(reader.reference().contigs().size(), 2u);
  Feature f;
  ASSERT_TRUE(reader.next(f));
  EXPECT_EQ(f.sequence.name(), "c1");
  EXPECT_EQ(f.sequence.text(), revcomp(kChr1.substr(0, 3) + kChr1.substr(57, 3)));
  EXPECT_EQ(f.begin, 0);
  EXPECT_EQ(f.end, 60);
  EXPECT_DOUBLE_EQ(reader.fraction_read(), 1.0);
  EXPECT_FALSE(reader.next(f));
}

TEST(FeatureExtractor, RegionsOutsideTheReferenceFailUpFront) {
  ScratchDir dir;
  const std::string ref = dir.write("ref.fa", reference_text());
  const std::string beyond = dir.write("beyond.bed", "chr1\t0\t10\nchr2\t10\t22\tlong\n");
  expect_error([&] { FeatureReader(beyond, ref); },
               {beyond, "line 2", "feature 'long'", "beyond the end of contig 'chr2' (length 21)"});
  const std::string unknown = dir.write("unknown.gff3", "##gff-version 3\nchrZ\tt\tgene\t1\t5\t.\t+\t.\tID=g\n");
  expect_error([&] { FeatureReader(unknown, ref); },
               {unknown, "line 2", "unknown contig 'chrZ'", "chr1, chr2"});
  const std::string gff_beyond = dir.write("b.gff3", "##gff-version 3\nchr1\tt\tgene\t55\t61\t.\t+\t.\tID=g\n");
  expect_error([&] { FeatureReader(gff_beyond, ref); }, {gff_beyond, "line 2", "beyond the end of contig 'chr1'"});
  const std::string malformed = dir.write("m.bed", "chr1\t0\t10\nchr1\tx\t5\n");
  expect_error([&] { FeatureReader(malformed, ref); }, {malformed, "line 2", "start 'x'"});
  expect_error([&] { FeatureReader(malformed, dir.file("missing.fa")); }, {"m.bed", "line 2"});  // the features fail first
}

TEST(FeatureExtractor, ReferenceLettersThatAreNotResidues) {
  ScratchDir dir;
  const std::string ref = dir.write("bad.fa", ">c\nACGT12GT\n");
  const std::string bed = dir.write("f.bed", "c\t0\t3\tok\nc\t2\t8\tbad\n");
  FeatureReader reader(bed, ref);
  Feature f;
  ASSERT_TRUE(reader.next(f));
  expect_error([&] { reader.next(f); }, {bed, "line 2", "feature 'bad'", "'1'", "bad.fa"});
}

TEST(FeatureExtractor, ContigsOfSequencesInMemory) {
  const std::vector<Sequence> seqs{{"a", "ACGT", Alphabet::dna}, {"b", "AC", Alphabet::dna}};
  EXPECT_EQ(contigs_of(seqs), (std::vector<Contig>{{"a", 4}, {"b", 2}}));
}

}  // namespace
}  // namespace gpualign
