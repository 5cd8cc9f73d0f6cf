// TSV: the column layout outside checks read (DESIGN.md), 0-based half-open.
#include <cstdio>

#include "io/alignment_record_checks.hpp"
#include "io/text_writer.hpp"
#include "io/writers.hpp"

namespace gpualign::io {

namespace {

class TsvWriter final : public TextWriter {
 public:
  using TextWriter::TextWriter;

 private:
  void format_header(std::string& line) override {
    line += "qname\tqlen\ttname\ttlen\tscore\tqbeg\tqend\ttbeg\ttend\tstrand\tcigar\tidentity\n";
  }

  void format_record(const AlignmentRecord& r, std::string& line) override {
    check_record(r, path());
    const Alignment& a = r.alignment;
    const bool ok = a.status == AlignStatus::ok;
    const auto field = [&](std::int64_t v, bool known) {
      if (known)
        append(line, v);
      else
        line += '*';
      line += '\t';
    };
    line += r.query_name;
    line += '\t';
    append(line, r.query_length);
    line += '\t';
    line += r.target_name.empty() ? "*" : r.target_name;
    line += '\t';
    append(line, r.target_length);
    line += '\t';
    field(a.score, ok);
    // Query coordinates on the query's forward strand, as PAF (see
    // AlignmentRecord); a score-only alignment has no begins.
    const QueryInterval q = forward_query_interval(r);
    const bool begin = has_begin(r);
    if (r.strand == '-') {
      field(q.begin, ok);  // mirrored: the forward begin comes from the reverse-strand end
      field(q.end, begin);
    } else {
      field(q.begin, begin);
      field(q.end, ok);
    }
    field(a.tbeg, begin);
    field(a.tend, ok);
    line += r.strand;
    line += '\t';
    if (has_cigar(r)) {
      line += a.cigar.to_string();
      char buf[32];
      std::snprintf(buf, sizeof buf, "\t%.4f\n", a.identity());
      line += buf;
    } else {
      line += "*\t*\n";
    }
  }
};

}  // namespace

std::unique_ptr<AlignmentWriter> make_tsv_writer(const std::string& path, const WriterOptions&) {
  return std::make_unique<TsvWriter>(path);
}

}  // namespace gpualign::io
