// SequenceReader: FASTA/FASTQ, plain and compressed, and every kind of bad
// input the issue lists, each with a one-line message naming file and line.
#include <htslib/bgzf.h>
#include <unistd.h>

#include <random>

#include "gpualign/sequence_reader.hpp"
#include "io/io_test_util.hpp"

namespace gpualign {
namespace {

using test::expect_error;
using test::io_data;
using test::ScratchDir;

std::vector<Sequence> read(const std::string& path, Alphabet a = Alphabet::dna) {
  return SequenceReader::read_all(path, a);
}

// Compresses `text` into `path` with htslib: BGZF blocks or, with
// `plain_gzip`, one ordinary gzip stream.
void compress(const std::string& path, const std::string& text, bool plain_gzip) {
  BGZF* fp = bgzf_open(path.c_str(), plain_gzip ? "wg" : "w");
  ASSERT_NE(fp, nullptr);
  ASSERT_EQ(bgzf_write(fp, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  ASSERT_EQ(bgzf_close(fp), 0);
}

// A FASTA of many records whose compressed form spans several blocks.
std::string random_fasta(int records, int length, unsigned seed) {
  std::mt19937 rng(seed);
  std::string out;
  for (int r = 0; r < records; ++r) {
    out += ">r" + std::to_string(r) + "\n";
    for (int i = 0; i < length; ++i) {
      out += "ACGT"[rng() % 4];
      if (i % 60 == 59) out += '\n';
    }
    out += '\n';
  }
  return out;
}

TEST(SequenceReader, ReadsMultiLineFastaWithDescriptionsCrLfAndBlankLines) {
  SequenceReader reader(io_data("sample.fa"), Alphabet::dna);
  EXPECT_EQ(reader.format(), SequenceFormat::fasta);
  Sequence s;
  ASSERT_TRUE(reader.next(s));
  EXPECT_EQ(s.name(), "seq1");
  EXPECT_EQ(s.text(), "ACGTACGTACGTacgtNNRY");  // case kept for output, CR dropped
  EXPECT_EQ(reader.description(), "first test record");
  EXPECT_TRUE(reader.quality().empty());
  ASSERT_TRUE(reader.next(s));
  EXPECT_EQ(s.name(), "seq2");
  EXPECT_EQ(s.text(), "ACGTRYKMSWBDHVN");
  EXPECT_EQ(reader.description(), "");
  ASSERT_TRUE(reader.next(s));
  EXPECT_EQ(s.name(), "seq3");
  EXPECT_EQ(reader.description(), "tab separated description");
  EXPECT_EQ(s.size(), 4);
  EXPECT_FALSE(reader.next(s));
  EXPECT_FALSE(reader.next(s));  // stays at the end
  EXPECT_EQ(reader.records_read(), 3);
}

TEST(SequenceReader, ReadsFastqWithWrappedLinesAndQualitiesStartingWithAt) {
  SequenceReader reader(io_data("sample.fq"), Alphabet::dna);
  EXPECT_EQ(reader.format(), SequenceFormat::fastq);
  Sequence s;
  ASSERT_TRUE(reader.next(s));
  EXPECT_EQ(s.name(), "read1");
  EXPECT_EQ(s.text(), "ACGTN");
  EXPECT_EQ(reader.quality(), "IIII#");
  EXPECT_EQ(reader.description(), "lane 1");
  ASSERT_TRUE(reader.next(s));
  EXPECT_EQ(s.name(), "read2");
  EXPECT_EQ(s.text(), "ACGT");
  EXPECT_EQ(reader.quality(), "@@!~");
  ASSERT_TRUE(reader.next(s));
  EXPECT_EQ(s.name(), "read3");
  EXPECT_EQ(reader.quality(), "@@@@@@@");
  EXPECT_FALSE(reader.next(s));
}

TEST(SequenceReader, ReadsProteinAlphabet) {
  const auto all = read(io_data("protein.fa"), Alphabet::protein);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].text(), "MKVLAAGIVGQEWY*");
  EXPECT_EQ(all[1].size(), 26);
  EXPECT_EQ(all[0].alphabet(), Alphabet::protein);
}

TEST(SequenceReader, ProteinLettersAreNotDna) {
  expect_error([&] { read(io_data("protein.fa"), Alphabet::dna); },
               {"protein.fa", "line 2", "record 'P1'", "'L' at column 4", "not a dna residue"});
}

TEST(SequenceReader, GuessesTheAlphabet) {
  EXPECT_EQ(guess_alphabet(io_data("sample.fa")), Alphabet::dna);
  EXPECT_EQ(guess_alphabet(io_data("sample.fq")), Alphabet::dna);
  EXPECT_EQ(guess_alphabet(io_data("protein.fa")), Alphabet::protein);
}

TEST(SequenceReader, ReadsGzipAndBgzipTransparently) {
  ScratchDir dir;
  const std::string text = random_fasta(50, 1000, 7);
  const auto plain = read(dir.write("plain.fa", text));
  compress(dir.file("a.fa.gz"), text, true);
  compress(dir.file("b.fa.bgz"), text, false);
  // A name that says nothing: the content decides.
  compress(dir.file("c.fasta"), text, true);
  for (const char* name : {"a.fa.gz", "b.fa.bgz", "c.fasta"}) {
    const auto got = read(dir.file(name));
    ASSERT_EQ(got.size(), plain.size()) << name;
    for (std::size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].name(), plain[i].name());
      EXPECT_EQ(got[i].text(), plain[i].text());
    }
  }
}

TEST(SequenceReader, TruncatedGzipIsAnError) {
  ScratchDir dir;
  const std::string text = random_fasta(100, 2000, 11);
  for (bool plain_gzip : {true, false}) {
    const std::string full = dir.file(plain_gzip ? "full.gz" : "full.bgz");
    compress(full, text, plain_gzip);
    std::string bytes = test::read_file(full);
    ASSERT_GT(bytes.size(), 1000u);
    const std::string cut = dir.write(plain_gzip ? "cut.fa.gz" : "cut.fa.bgz", bytes.substr(0, bytes.size() / 2));
    expect_error([&] { read(cut); }, {cut, "corrupt or truncated compressed data", "line "});
  }
}

TEST(SequenceReader, CorruptGzipIsAnError) {
  ScratchDir dir;
  const std::string full = dir.file("full.gz");
  compress(full, random_fasta(20, 2000, 3), true);
  std::string bytes = test::read_file(full);
  for (std::size_t i = 100; i < bytes.size() - 100; i += 7) bytes[i] = static_cast<char>(bytes[i] ^ 0x5a);
  const std::string bad = dir.write("bad.fa.gz", bytes);
  expect_error([&] { read(bad); }, {bad});
}

TEST(SequenceReader, MissingFile) {
  expect_error([] { SequenceReader("/nonexistent/dir/x.fa", Alphabet::dna); },
               {"/nonexistent/dir/x.fa", "No such file"});
}

TEST(SequenceReader, DirectoryIsNotAFile) {
  ScratchDir dir;
  expect_error([&] { SequenceReader(dir.path(), Alphabet::dna); }, {dir.path(), "is a directory"});
}

TEST(SequenceReader, UnreadableFile) {
  ScratchDir dir;
  const std::string p = dir.write("secret.fa", ">a\nACGT\n");
  std::filesystem::permissions(dir.path(), std::filesystem::perms::owner_all | std::filesystem::perms::others_read |
                                               std::filesystem::perms::others_exec);
  std::filesystem::permissions(p, std::filesystem::perms::none);
  test::expect_as_unprivileged([&] {
    try {
      SequenceReader(p, Alphabet::dna);
    } catch (const Error& e) {
      const std::string msg = e.what();
      return msg.find(p) != std::string::npos && msg.find("Permission denied") != std::string::npos;
    }
    return false;
  });
}

TEST(SequenceReader, EmptyFiles) {
  ScratchDir dir;
  for (const char* content : {"", "\n\n  \n", "\r\n"}) {
    const std::string p = dir.write("empty.fa", content);
    expect_error([&] { SequenceReader(p, Alphabet::dna); }, {p, "empty file"});
  }
  const std::string gz = dir.file("empty.fa.gz");
  compress(gz, "", true);
  expect_error([&] { SequenceReader(gz, Alphabet::dna); }, {gz, "empty file"});
}

TEST(SequenceReader, TextThatIsNotFastaOrFastq) {
  ScratchDir dir;
  const std::string p = dir.write("notes.txt", "\nhello world\n>a\nACGT\n");
  expect_error([&] { SequenceReader(p, Alphabet::dna); }, {p, "line 2", "not FASTA or FASTQ", "'h'"});
  const std::string bin = dir.write("binary.fa", std::string("\x01\x02\x00\x7f", 4));
  expect_error([&] { SequenceReader(bin, Alphabet::dna); }, {bin, "line 1", "byte 0x01"});
  const std::string bz = dir.write("x.fa.bz2", "BZh91AY&SY");
  expect_error([&] { SequenceReader(bz, Alphabet::dna); }, {bz, "bzip2"});
}

TEST(SequenceReader, DigitsAndPunctuationAreNotResidues) {
  ScratchDir dir;
  const std::string p = dir.write("digits.fa", ">a\nACGT\n>b desc\nACGT\nAC1T\n");
  expect_error([&] { read(p); }, {p, "line 5", "record 'b'", "'1' at column 3", "not a dna residue"});
  const std::string gap = dir.write("gap.fa", ">g\nAC-GT\n");
  expect_error([&] { read(gap); }, {gap, "line 2", "record 'g'", "'-' at column 3"});
  const std::string dot = dir.write("dot.fa", ">g\nACGT.\n");
  expect_error([&] { read(dot); }, {dot, "'.' at column 5"});
  const std::string nul = dir.write("nul.fa", std::string(">g\nAC\0T\n", 8));
  expect_error([&] { read(nul); }, {nul, "byte 0x00 at column 3"});
  const std::string star = dir.write("star.fa", ">g\nACGT*\n");
  expect_error([&] { read(star); }, {star, "'*' at column 5"});  // '*' is protein-only
}

TEST(SequenceReader, RecordsWithoutResidues) {
  ScratchDir dir;
  const std::string first = dir.write("e1.fa", ">a\n>b\nACGT\n");
  expect_error([&] { read(first); }, {first, "line 1", "record 'a'", "no residues"});
  const std::string last = dir.write("e2.fa", ">a\nACGT\n\n>b\n\n");
  expect_error([&] { read(last); }, {last, "line 4", "record 'b'", "no residues"});
  const std::string fq = dir.write("e3.fq", "@a\n\n+\n\n");
  expect_error([&] { read(fq); }, {fq, "record 'a'", "no residues"});
}

TEST(SequenceReader, HeaderWithoutName) {
  ScratchDir dir;
  const std::string p = dir.write("noname.fa", ">a\nAC\n> description only\nACGT\n");
  expect_error([&] { read(p); }, {p, "line 3", "no name"});
}

TEST(SequenceReader, FastqQualityLengthMismatch) {
  ScratchDir dir;
  const std::string shorter = dir.write("short.fq", "@r1\nACGT\n+\nIII\n@r2\nAC\n+\nII\n");
  // The short quality swallows the next header as its fourth letter, then
  // the next line is not a record: either way the message names r1.
  expect_error([&] { read(shorter); }, {shorter, "record 'r1'", "quality length 6 differs from sequence length 4"});
  const std::string longer = dir.write("long.fq", "@r1\nACGT\n+\nIIIII\n");
  expect_error([&] { read(longer); }, {longer, "line 4", "record 'r1'", "quality length 5 differs from sequence length 4"});
  const std::string truncated = dir.write("trunc.fq", "@r1\nACGT\n+\nII");
  expect_error([&] { read(truncated); }, {truncated, "record 'r1'", "quality length 2 differs from sequence length 4"});
  const std::string noqual = dir.write("noqual.fq", "@r1\nACGT\n+\n");
  expect_error([&] { read(noqual); }, {noqual, "record 'r1'", "quality length 0 differs"});
}

TEST(SequenceReader, FastqStructureErrors) {
  ScratchDir dir;
  const std::string noplus = dir.write("noplus.fq", "@r1\nACGT\n");
  expect_error([&] { read(noplus); }, {noplus, "line 1", "record 'r1'", "no '+' line"});
  const std::string next_record = dir.write("next.fq", "@r1\nACGT\n@r2\nACGT\n+\nIIII\n");
  expect_error([&] { read(next_record); }, {next_record, "line 3", "no '+' line before the next record"});
  const std::string garbage = dir.write("garbage.fq", "@r1\nACGT\n+\nIIII\nnot a record\n");
  expect_error([&] { read(garbage); }, {garbage, "line 5", "expected '@'"});
  const std::string badq = dir.write("badq.fq", "@r1\nACGT\n+\nII I\n");
  expect_error([&] { read(badq); }, {badq, "line 4", "a space at column 3", "quality"});
}

TEST(SequenceReader, StreamsLargeFilesRecordByRecord) {
  ScratchDir dir;
  const std::string p = dir.write("many.fa", random_fasta(2000, 150, 5));
  SequenceReader reader(p, Alphabet::dna);
  Sequence s;
  std::int64_t n = 0, residues = 0;
  while (reader.next(s)) {
    ++n;
    residues += s.size();
  }
  EXPECT_EQ(n, 2000);
  EXPECT_EQ(residues, 2000 * 150);
}

// fraction_read() drives the progress line's ETA: it starts near 0, never
// goes back, ends at 1, for plain and compressed files alike.
TEST(SequenceReader, FractionReadGrowsToOne) {
  ScratchDir dir;
  // Larger than htslib's read-ahead, so the middle is really in the middle.
  const std::string text = random_fasta(4000, 400, 11);
  dir.write("big.fa", text);
  compress(dir.file("big.fa.gz"), text, true);
  for (const char* name : {"big.fa", "big.fa.gz"}) {
    SequenceReader reader(dir.file(name), Alphabet::dna);
    Sequence s;
    double last = reader.fraction_read();
    EXPECT_GE(last, 0.0) << name;
    EXPECT_LT(last, 0.5) << name;
    bool saw_middle = false;
    while (reader.next(s)) {
      const double f = reader.fraction_read();
      EXPECT_GE(f, last) << name;
      EXPECT_LE(f, 1.0) << name;
      saw_middle = saw_middle || (f > 0.2 && f < 0.8);
      last = f;
    }
    EXPECT_TRUE(saw_middle) << name;
    EXPECT_DOUBLE_EQ(reader.fraction_read(), 1.0) << name;
  }
}

// Mutated copies of valid input either read or raise gpualign::Error;
// nothing else may escape and nothing may crash (the fuzzer goes further).
TEST(SequenceReader, MutatedInputOnlyRaisesError) {
  ScratchDir dir;
  const std::string base = test::read_file(io_data("sample.fq")) + test::read_file(io_data("sample.fa"));
  std::mt19937 rng(1234);
  const std::string p = dir.file("m.fq");
  int errors = 0;
  for (int iter = 0; iter < 400; ++iter) {
    std::string m = base;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = rng() % m.size();
      switch (rng() % 3) {
        case 0: m[at] = static_cast<char>(rng() % 256); break;
        case 1: m.erase(at, 1 + rng() % 8); break;
        default: m.insert(at, 1, "@>+\n\rACGT1"[rng() % 11]); break;
      }
      if (m.empty()) m = "x";
    }
    dir.write("m.fq", m);
    try {
      read(p);
    } catch (const Error& e) {
      ++errors;
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
    }
  }
  EXPECT_GT(errors, 0);
}

}  // namespace
}  // namespace gpualign
