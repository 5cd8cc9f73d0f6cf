// TSV / PAF / SAM / BAM writers: exact columns, strand conventions,
// score-only and failed records, read-back through htslib and samtools, and
// the temporary-file-then-rename guarantee.
#include <htslib/sam.h>

#include "gpualign/alignment_writer.hpp"
#include "gpualign/reference_aligner.hpp"
#include "io/io_test_util.hpp"

namespace gpualign {
namespace {

using test::expect_error;
using test::ScratchDir;

const std::vector<Contig> kTargets{{"t1", 20}, {"t2", 30}};

Alignment make_alignment(std::int64_t score, std::int64_t qbeg, std::int64_t qend, std::int64_t tbeg, std::int64_t tend,
                         const std::string& cigar) {
  Alignment a;
  a.score = score;
  a.qbeg = qbeg;
  a.qend = qend;
  a.tbeg = tbeg;
  a.tend = tend;
  a.has_begin = true;
  if (cigar != "*") a.cigar = Cigar::parse(cigar);
  return a;
}

AlignmentRecord record(const std::string& q, char strand, Alignment a, const std::string& target = "t1") {
  AlignmentRecord r;
  r.query_name = q;
  r.query_length = 10;
  r.query_text = "ACGTACGTTC";
  r.target_name = target;
  r.target_length = target == "t1" ? 20 : 30;
  r.strand = strand;
  r.alignment = std::move(a);
  return r;
}

// The cases every format must handle.
AlignmentRecord local_plus() { return record("q1", '+', make_alignment(7, 2, 8, 5, 11, "3=1X1I1D1=")); }
AlignmentRecord full_minus() { return record("q2", '-', make_alignment(18, 1, 10, 0, 9, "9=")); }
AlignmentRecord score_only() {
  Alignment a;
  a.score = 5;
  a.qend = 8;
  a.tend = 12;
  return record("q3", '+', a);
}
AlignmentRecord score_only_minus() {
  AlignmentRecord r = score_only();
  r.query_name = "q3m";
  r.strand = '-';
  return r;
}
AlignmentRecord begin_end_only() { return record("q4", '+', make_alignment(6, 2, 8, 5, 12, "*"), "t2"); }
AlignmentRecord failed() {
  Alignment a;
  a.status = AlignStatus::too_large;
  a.message = "too large";
  return record("q5", '+', a);
}

std::string write_all(const std::string& path, OutputFormat format, const std::vector<AlignmentRecord>& records,
                      const WriterOptions& options = {}) {
  auto w = open_alignment_writer(path, format, options);
  w->write_header(kTargets);
  for (const auto& r : records) w->write(r);
  w->close();
  return test::read_file(path);
}

TEST(TsvWriter, ExactColumns) {
  ScratchDir dir;
  const std::string out = write_all(dir.file("a.tsv"), OutputFormat::tsv,
                                    {local_plus(), full_minus(), score_only(), score_only_minus(), begin_end_only(),
                                     failed()});
  EXPECT_EQ(out,
            "qname\tqlen\ttname\ttlen\tscore\tqbeg\tqend\ttbeg\ttend\tstrand\tcigar\tidentity\n"
            "q1\t10\tt1\t20\t7\t2\t8\t5\t11\t+\t3=1X1I1D1=\t0.5714\n"
            "q2\t10\tt1\t20\t18\t0\t9\t0\t9\t-\t9=\t1.0000\n"  // forward-strand query coordinates
            "q3\t10\tt1\t20\t5\t*\t8\t*\t12\t+\t*\t*\n"
            "q3m\t10\tt1\t20\t5\t2\t*\t*\t12\t-\t*\t*\n"
            "q4\t10\tt2\t30\t6\t2\t8\t5\t12\t+\t*\t*\n"
            "q5\t10\tt1\t20\t*\t*\t*\t*\t*\t+\t*\t*\n");
}

TEST(PafWriter, MinimapColumnsAndTags) {
  ScratchDir dir;
  const std::string out =
      write_all(dir.file("a.paf"), OutputFormat::paf, {local_plus(), full_minus(), begin_end_only(), failed()});
  EXPECT_EQ(out,
            "q1\t10\t2\t8\t+\tt1\t20\t5\t11\t4\t7\t255\tAS:i:7\tcg:Z:3=1X1I1D1=\n"
            "q2\t10\t0\t9\t-\tt1\t20\t0\t9\t9\t9\t255\tAS:i:18\tcg:Z:9=\n"
            "q4\t10\t2\t8\t+\tt2\t30\t5\t12\t0\t7\t255\tAS:i:6\n");  // failed q5 left out
}

TEST(PafWriter, ScoreOnlyIsRejectedAndLeavesNoFile) {
  ScratchDir dir;
  const std::string path = dir.file("a.paf");
  auto w = open_alignment_writer(path, OutputFormat::paf);
  w->write_header(kTargets);
  w->write(local_plus());
  expect_error([&] { w->write(score_only()); }, {path, "record 'q3' vs 't1'", "PAF needs begin positions"});
  expect_error([&] { w->close(); }, {path, "earlier write"});
  w.reset();
  EXPECT_TRUE(dir.entries().empty());
}

// A record as htslib reads it back.
struct SamRecord {
  std::string qname, rname, cigar, seq, qual;
  int flag = 0;
  std::int64_t pos = -1;
  int mapq = 0;
  std::int64_t as = 0;
  bool has_as = false;
};

std::vector<SamRecord> read_back(const std::string& path, std::vector<Contig>* header_targets = nullptr,
                                 std::string* header_text = nullptr) {
  std::vector<SamRecord> out;
  samFile* fp = sam_open(path.c_str(), "r");
  EXPECT_NE(fp, nullptr);
  if (!fp) return out;
  sam_hdr_t* h = sam_hdr_read(fp);
  EXPECT_NE(h, nullptr);
  if (header_targets)
    for (int i = 0; i < sam_hdr_nref(h); ++i) header_targets->push_back({sam_hdr_tid2name(h, i), sam_hdr_tid2len(h, i)});
  if (header_text) *header_text = sam_hdr_str(h);
  bam1_t* b = bam_init1();
  int rc;
  while ((rc = sam_read1(fp, h, b)) >= 0) {
    SamRecord r;
    r.qname = bam_get_qname(b);
    r.flag = b->core.flag;
    r.rname = b->core.tid >= 0 ? sam_hdr_tid2name(h, b->core.tid) : "*";
    r.pos = b->core.pos;
    r.mapq = b->core.qual;
    const uint32_t* cig = bam_get_cigar(b);
    for (uint32_t i = 0; i < b->core.n_cigar; ++i)
      r.cigar += std::to_string(bam_cigar_oplen(cig[i])) + bam_cigar_opchr(cig[i]);
    for (int i = 0; i < b->core.l_qseq; ++i) r.seq += seq_nt16_str[bam_seqi(bam_get_seq(b), i)];
    if (b->core.l_qseq > 0 && bam_get_qual(b)[0] != 0xff)
      for (int i = 0; i < b->core.l_qseq; ++i) r.qual += static_cast<char>(bam_get_qual(b)[i] + 33);
    if (uint8_t* as = bam_aux_get(b, "AS")) {
      r.as = bam_aux2i(as);
      r.has_as = true;
    }
    out.push_back(r);
  }
  EXPECT_EQ(rc, -1) << "read error in " << path;
  bam_destroy1(b);
  sam_hdr_destroy(h);
  sam_close(fp);
  return out;
}

void check_sam_records(const std::vector<SamRecord>& r) {
  ASSERT_EQ(r.size(), 3u);
  // Local on '+': soft clips for the unaligned query ends.
  EXPECT_EQ(r[0].qname, "q1");
  EXPECT_EQ(r[0].flag, 0);
  EXPECT_EQ(r[0].rname, "t1");
  EXPECT_EQ(r[0].pos, 5);
  EXPECT_EQ(r[0].mapq, 255);
  EXPECT_EQ(r[0].cigar, "2S3=1X1I1D1=2S");
  EXPECT_EQ(r[0].seq, "ACGTACGTTC");
  EXPECT_TRUE(r[0].qual.empty());
  EXPECT_TRUE(r[0].has_as);
  EXPECT_EQ(r[0].as, 7);
  // '-': FLAG 16, SEQ reverse-complemented, clips counted on that strand.
  EXPECT_EQ(r[1].flag, 16);
  EXPECT_EQ(r[1].pos, 0);
  EXPECT_EQ(r[1].cigar, "1S9=");
  EXPECT_EQ(r[1].seq, "GAACGTACGT");
  EXPECT_EQ(r[1].as, 18);
  // Failed: unmapped, the query kept forward.
  EXPECT_EQ(r[2].flag, 4);
  EXPECT_EQ(r[2].rname, "*");
  EXPECT_EQ(r[2].pos, -1);
  EXPECT_EQ(r[2].seq, "ACGTACGTTC");
  EXPECT_FALSE(r[2].has_as);
}

TEST(SamWriter, ReadBackByHtslib) {
  ScratchDir dir;
  const std::string path = dir.file("a.sam");
  WriterOptions opt;
  opt.command_line = "gpualign align --ref r.fa q.fa";
  write_all(path, OutputFormat::sam, {local_plus(), full_minus(), failed()}, opt);
  std::vector<Contig> targets;
  std::string header;
  const auto r = read_back(path, &targets, &header);
  EXPECT_EQ(targets, kTargets);
  EXPECT_EQ(header.rfind("@HD\tVN:1.6", 0), 0u) << header;
  EXPECT_NE(header.find("@PG\tID:gpualign\tPN:gpualign\tVN:"), std::string::npos) << header;
  EXPECT_NE(header.find("CL:gpualign align --ref r.fa q.fa"), std::string::npos) << header;
  check_sam_records(r);
  // The text itself: RNEXT, PNEXT, TLEN, QUAL as the issue lists them.
  const std::string text = test::read_file(path);
  EXPECT_NE(text.find("q1\t0\tt1\t6\t255\t2S3=1X1I1D1=2S\t*\t0\t0\tACGTACGTTC\t*\tAS:i:7\n"), std::string::npos) << text;
}

TEST(BamWriter, ReadBackByHtslib) {
  ScratchDir dir;
  const std::string path = dir.file("a.bam");
  write_all(path, OutputFormat::bam, {local_plus(), full_minus(), failed()});
  EXPECT_EQ(test::read_file(path).substr(0, 2), "\x1f\x8b");  // BGZF
  std::vector<Contig> targets;
  const auto r = read_back(path, &targets);
  EXPECT_EQ(targets, kTargets);
  check_sam_records(r);
}

TEST(SamWriter, AlignmentsWithoutCigarAreRejected) {
  // samtools would read a mapped record without CIGAR as unmapped.
  ScratchDir dir;
  for (auto format : {OutputFormat::sam, OutputFormat::bam}) {
    for (const auto& rec : {score_only(), begin_end_only()}) {
      auto w = open_alignment_writer(dir.file("a.out"), format);
      w->write_header(kTargets);
      expect_error([&] { w->write(rec); }, {"a.out", "record '" + rec.query_name + "'", "need a CIGAR"});
    }
  }
  EXPECT_TRUE(dir.entries().empty());
  EXPECT_EQ(required_output(OutputFormat::tsv), AlignOutput::score_end);
  EXPECT_EQ(required_output(OutputFormat::paf), AlignOutput::begin_end);
  EXPECT_EQ(required_output(OutputFormat::sam), AlignOutput::cigar);
  EXPECT_EQ(required_output(OutputFormat::bam), AlignOutput::cigar);
}

TEST(SamWriter, CigarWithMAndQualities) {
  ScratchDir dir;
  const std::string path = dir.file("m.sam");
  AlignmentRecord a = local_plus();
  a.query_quality = "ABCDEFGHIJ";
  AlignmentRecord b = full_minus();
  b.query_quality = "ABCDEFGHIJ";
  WriterOptions opt;
  opt.cigar_use_m = true;
  write_all(path, OutputFormat::sam, {a, b}, opt);
  const auto r = read_back(path);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].cigar, "2S4M1I1D1M2S");  // 3= 1X merge into 4M
  EXPECT_EQ(r[0].qual, "ABCDEFGHIJ");
  EXPECT_EQ(r[1].qual, "JIHGFEDCBA");  // reversed with SEQ on '-'
}

TEST(SamWriter, PassesSamtoolsView) {
  if (!test::have_samtools()) GTEST_SKIP() << "samtools is not installed";
  ScratchDir dir;
  const std::vector<AlignmentRecord> recs{local_plus(), full_minus(), failed()};
  write_all(dir.file("a.sam"), OutputFormat::sam, recs);
  write_all(dir.file("a.bam"), OutputFormat::bam, recs);
  for (const char* f : {"a.sam", "a.bam"}) {
    const std::string cmd = "samtools view -c " + dir.file(f) + " > " + dir.file("count.txt") + " 2> " + dir.file("err.txt");
    EXPECT_EQ(std::system(cmd.c_str()), 0) << f << ": " << test::read_file(dir.file("err.txt"));
    EXPECT_EQ(test::read_file(dir.file("count.txt")), "3\n") << f;
    EXPECT_EQ(test::read_file(dir.file("err.txt")), "") << f;  // not even a warning
  }
  EXPECT_EQ(std::system(("samtools quickcheck " + dir.file("a.bam")).c_str()), 0);
}

TEST(SamWriter, RealAlignmentsSurviveTheRoundTrip) {
  // Alignments from the reference aligner, written and re-read: the CIGAR
  // plus clips covers the query, POS is tbeg.
  ScratchDir dir;
  const Sequence target("chrT", "TTTTTTACGTACGGACGTTGCAACGTTTTTTTT", Alphabet::dna);
  const Sequence query("read", "GGGACGTACGACGTTGCAACGGG", Alphabet::dna);
  const auto scoring = ScoringScheme::dna();
  const Alignment a = reference_align({query.codes(), target.codes()}, scoring, {AlignMode::local, AlignOutput::cigar});
  ASSERT_FALSE(a.cigar.empty());
  AlignmentRecord rec;
  rec.query_name = query.name();
  rec.query_length = query.size();
  rec.query_text = query.text();
  rec.target_name = target.name();
  rec.target_length = target.size();
  rec.alignment = a;
  const std::string path = dir.file("r.bam");
  auto w = open_alignment_writer(path, OutputFormat::bam);
  w->write_header({{target.name(), target.size()}});
  w->write(rec);
  w->close();
  const auto r = read_back(path);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].pos, a.tbeg);
  EXPECT_EQ(r[0].as, a.score);
  std::string expect;
  if (a.qbeg) expect += std::to_string(a.qbeg) + "S";
  expect += a.cigar.to_string();
  if (a.qend < query.size()) expect += std::to_string(query.size() - a.qend) + "S";
  EXPECT_EQ(r[0].cigar, expect);
}

TEST(AlignmentWriter, DestroyedWithoutCloseLeavesNothing) {
  ScratchDir dir;
  for (auto format : {OutputFormat::tsv, OutputFormat::paf, OutputFormat::sam, OutputFormat::bam}) {
    const std::string path = dir.file("out." + std::string(to_string(format)));
    {
      auto w = open_alignment_writer(path, format);
      EXPECT_EQ(dir.entries().size(), 1u);  // the hidden temporary file, created up front
      EXPECT_FALSE(std::filesystem::exists(path));
      w->write_header(kTargets);
      w->write(local_plus());
    }
    EXPECT_TRUE(dir.entries().empty()) << to_string(format);
  }
}

TEST(AlignmentWriter, CloseRenamesIntoPlaceAndKeepsNoTemporaryFile) {
  ScratchDir dir;
  const std::string path = dir.file("out.sam");
  auto w = open_alignment_writer(path, OutputFormat::sam);
  w->write_header(kTargets);
  w->write(local_plus());
  w->close();
  w->close();  // idempotent
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"out.sam"});
  expect_error([&] { w->write(local_plus()); }, {path, "after close"});
}

TEST(AlignmentWriter, FailedRunKeepsTheOldFileAndRemovesTheTemporary) {
  ScratchDir dir;
  const std::string path = dir.write("out.bam", "old contents");
  auto w = open_alignment_writer(path, OutputFormat::bam);
  w->write_header(kTargets);
  AlignmentRecord stray = local_plus();
  stray.target_name = "t9";
  expect_error([&] { w->write(stray); }, {path, "record 'q1' vs 't9'", "not among the header's targets"});
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"out.bam"});
  expect_error([&] { w->close(); }, {path, "earlier write"});
  EXPECT_EQ(test::read_file(path), "old contents");
}

TEST(AlignmentWriter, InconsistentRecordsAreRejected) {
  ScratchDir dir;
  auto w = open_alignment_writer(dir.file("x.tsv"), OutputFormat::tsv);
  w->write_header(kTargets);
  AlignmentRecord r = local_plus();
  r.alignment.qend = 9;  // the CIGAR spans 6 query residues, not 7
  expect_error([&] { w->write(r); }, {"x.tsv", "record 'q1' vs 't1'", "does not span"});
  w = open_alignment_writer(dir.file("y.tsv"), OutputFormat::tsv);
  w->write_header(kTargets);
  r = local_plus();
  r.strand = '?';
  expect_error([&] { w->write(r); }, {"strand"});
  w = open_alignment_writer(dir.file("z.tsv"), OutputFormat::tsv);
  w->write_header(kTargets);
  r = local_plus();
  r.alignment.tend = 21;
  r.alignment.tbeg = 15;
  r.alignment.cigar = Cigar::parse("6=");
  r.alignment.qbeg = 2;
  r.alignment.qend = 8;
  expect_error([&] { w->write(r); }, {"outside the sequences"});
}

TEST(AlignmentWriter, HeaderOrderAndDuplicates) {
  ScratchDir dir;
  auto w = open_alignment_writer(dir.file("a.sam"), OutputFormat::sam);
  expect_error([&] { w->write(local_plus()); }, {"before write_header"});
  w = open_alignment_writer(dir.file("b.sam"), OutputFormat::sam);
  expect_error([&] { w->write_header({{"t1", 5}, {"t1", 6}}); }, {"two targets are named 't1'"});
}

TEST(AlignmentWriter, UnwritableDestinationsFailAtOpen) {
  ScratchDir dir;
  expect_error([&] { open_alignment_writer(dir.file("no/such/dir/out.tsv"), OutputFormat::tsv); },
               {"no/such/dir/out.tsv", "No such file"});
  expect_error([&] { open_alignment_writer(dir.path(), OutputFormat::sam); }, {dir.path(), "is a directory"});
}

TEST(AlignmentWriter, DashIsStandardOutput) {
  testing::internal::CaptureStdout();
  {
    auto w = open_alignment_writer("-", OutputFormat::paf);
    w->write_header(kTargets);
    w->write(local_plus());
    w->close();
  }
  const std::string out = testing::internal::GetCapturedStdout();
  EXPECT_EQ(out, "q1\t10\t2\t8\t+\tt1\t20\t5\t11\t4\t7\t255\tAS:i:7\tcg:Z:3=1X1I1D1=\n");
}

TEST(AlignmentWriter, FormatNames) {
  EXPECT_EQ(parse_output_format("BAM"), OutputFormat::bam);
  EXPECT_EQ(parse_output_format("paf"), OutputFormat::paf);
  expect_error([] { parse_output_format("cram"); }, {"cram"});
  EXPECT_EQ(output_format_for_path("x/out.SAM"), OutputFormat::sam);
  EXPECT_EQ(output_format_for_path("out.paf"), OutputFormat::paf);
  EXPECT_EQ(output_format_for_path("-", OutputFormat::sam), OutputFormat::sam);
  EXPECT_EQ(output_format_for_path("out.txt"), OutputFormat::tsv);
  EXPECT_EQ(to_string(OutputFormat::tsv), "tsv");
}

}  // namespace
}  // namespace gpualign
