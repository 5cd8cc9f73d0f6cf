// PAF as minimap2 writes it: 12 columns, then AS:i: and cg:Z: tags.
#include <algorithm>

#include "gpualign/error.hpp"
#include "io/alignment_record_checks.hpp"
#include "io/text_writer.hpp"
#include "io/writers.hpp"

namespace gpualign::io {

namespace {

class PafWriter final : public TextWriter {
 public:
  using TextWriter::TextWriter;

 private:
  void format_header(std::string&) override {}  // PAF has no header

  void format_record(const AlignmentRecord& r, std::string& line) override {
    check_record(r, path());
    const Alignment& a = r.alignment;
    if (a.status != AlignStatus::ok) return;  // minimap2 leaves unmapped queries out
    if (!a.has_begin)
      throw Error("PAF needs begin positions, but the alignment is score-only (ask for begins or a CIGAR)", path(),
                  pair_ref(r));
    const QueryInterval q = forward_query_interval(r);
    const auto col = [&](std::int64_t v) {
      append(line, v);
      line += '\t';
    };
    line += r.query_name;
    line += '\t';
    col(r.query_length);
    col(q.begin);
    col(q.end);
    line += r.strand;
    line += '\t';
    line += r.target_name;
    line += '\t';
    col(r.target_length);
    col(a.tbeg);
    col(a.tend);
    if (!a.cigar.empty()) {
      col(a.cigar.matches());
      col(a.cigar.columns());
    } else {
      // Without a path the matches are unknown; the block length is at least
      // the longer of the two spans.
      col(0);
      col(std::max(a.qend - a.qbeg, a.tend - a.tbeg));
    }
    line += "255\tAS:i:";
    append(line, a.score);
    if (!a.cigar.empty()) {
      line += "\tcg:Z:";
      line += a.cigar.to_string();
    }
    line += '\n';
  }
};

}  // namespace

std::unique_ptr<AlignmentWriter> make_paf_writer(const std::string& path, const WriterOptions&) {
  return std::make_unique<PafWriter>(path);
}

}  // namespace gpualign::io
