// Bad input: one line on stderr naming the file, the record or line and the
// problem; exit status 2; no output file left behind.
#include <zlib.h>

#include "cli_harness.hpp"

using gpualign::test::split;

namespace {

class BadInput : public gpualign::test::CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    write("ref.fa", ">chr1\nACGTACGTACGTACGTACGTACGTACGTACGTACGTACGT\n>chr2\nTTTTGGGGCCCCAAAATTTTGGGGCCCCAAAA\n");
    write("q.fa", ">q1\nACGTACGTACGT\n>q2\nGGGGCCCCAAAA\n");
    inputs_ = {"ref.fa", "q.fa"};
  }
  // Runs the command, expecting failure that mentions every one of `needles`.
  void expect_failure(const std::string& args, const std::vector<std::string>& needles) {
    const auto r = run(args + " -o out.tsv");
    EXPECT_EQ(r.status, 2) << args << "\nstderr: " << r.err;
    const auto lines = split(r.err, '\n');
    EXPECT_EQ(lines.size(), 1u) << "not one line: " << r.err;
    for (const auto& n : needles) EXPECT_NE(r.err.find(n), std::string::npos) << "'" << n << "' missing from: " << r.err;
    EXPECT_TRUE(r.err.starts_with("gpualign: ")) << r.err;
    EXPECT_FALSE(exists("out.tsv")) << args;
    const auto extra = leftovers(inputs_);
    EXPECT_TRUE(extra.empty()) << args << ": left " << (extra.empty() ? "" : extra.front());
  }
  void add_input(const std::string& name, const std::string& text) {
    write(name, text);
    inputs_.push_back(name);
  }
  std::vector<std::string> inputs_;
};

}  // namespace

TEST_F(BadInput, MissingFiles) {
  expect_failure("align --ref nope.fa --query q.fa", {"nope.fa"});
  expect_failure("align --ref ref.fa --query nope.fa", {"nope.fa"});
}

TEST_F(BadInput, EmptyFile) {
  add_input("empty.fa", "");
  expect_failure("align --ref ref.fa --query empty.fa", {"empty.fa", "empty"});
}

TEST_F(BadInput, NotFasta) {
  add_input("notes.txt", "this is not a sequence file\njust words\n");
  expect_failure("align --ref ref.fa --query notes.txt", {"notes.txt"});
}

TEST_F(BadInput, TruncatedGzip) {
  std::string big;
  for (int i = 0; i < 2000; ++i) big += ">r" + std::to_string(i) + "\nACGTTGCAACGTAGCTAGCTAGCATCGATCGATCGACTAGCATCAGCAT\n";
  const std::string gz = path("full.fa.gz");
  gzFile f = gzopen(gz.c_str(), "wb");
  gzwrite(f, big.data(), static_cast<unsigned>(big.size()));
  gzclose(f);
  const std::string bytes = slurp(gz);
  add_input("cut.fa.gz", bytes.substr(0, bytes.size() / 2));
  inputs_.push_back("full.fa.gz");
  expect_failure("align --ref ref.fa --query cut.fa.gz", {"cut.fa.gz"});
}

TEST_F(BadInput, BadCharacters) {
  add_input("digits.fa", ">ok\nACGT\n>bad7\nACG7T\n");
  expect_failure("align --ref ref.fa --query digits.fa", {"digits.fa", "bad7", "'7'"});
  add_input("punct.fa", ">p\nAC.GT\n");
  expect_failure("align --ref ref.fa --query punct.fa", {"punct.fa", "'p'"});
}

TEST_F(BadInput, EmptySequence) {
  add_input("hollow.fa", ">full\nACGT\n>hollow\n>after\nACGT\n");
  expect_failure("align --ref ref.fa --query hollow.fa", {"hollow.fa", "hollow"});
}

TEST_F(BadInput, PairsWithDifferentCounts) {
  add_input("three.fa", ">a\nACGT\n>b\nACGT\n>c\nACGT\n");
  expect_failure("align --ref ref.fa --query three.fa --pairs", {"--pairs", "three.fa"});
  add_input("one.fa", ">a\nACGT\n");
  expect_failure("align --ref ref.fa --query one.fa --pairs", {"--pairs", "one.fa"});
}

TEST_F(BadInput, BedOutOfBoundsOrUnknownContig) {
  add_input("far.bed", "chr1\t10\t20\tok\nchr1\t30\t500\ttoo_far\n");
  expect_failure("align --ref ref.fa --bed far.bed", {"far.bed", "line 2"});
  add_input("unknown.bed", "chrX\t10\t20\tnowhere\n");
  expect_failure("align --ref ref.fa --bed unknown.bed", {"unknown.bed", "line 1", "chrX"});
  add_input("bad.gff", "##gff-version 3\nchr1\tsrc\tgene\t5\t900\t.\t+\t.\tID=g1\n");
  expect_failure("align --ref ref.fa --gff bad.gff", {"bad.gff", "line 2"});
}

TEST_F(BadInput, NonsenseScoring) {
  expect_failure("align --ref ref.fa --query q.fa --gap-open 0", {"gap open"});
  expect_failure("align --ref ref.fa --query q.fa --gap-extend -1", {"gap extend"});
  expect_failure("align --ref ref.fa --query q.fa --match -3 --mismatch 2", {"match"});
  expect_failure("align --ref ref.fa --query q.fa --matrix BLOSUM99", {"BLOSUM99"});
  add_input("m.txt", "   A  R\nA  4 -1\nR -1 oops\n");
  expect_failure("align --ref ref.fa --query q.fa --matrix m.txt", {"m.txt", "line 3"});
}

TEST_F(BadInput, UnknownOptionsAndValues) {
  expect_failure("align --ref ref.fa --query q.fa --mode sideways", {"mode"});
  expect_failure("align --ref ref.fa --query q.fa --frobnicate", {"frobnicate"});
  expect_failure("align --ref ref.fa --query q.fa --score-only --format sam", {"--score-only", "sam"});
}
