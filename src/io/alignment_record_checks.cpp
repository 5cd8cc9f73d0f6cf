#include "io/alignment_record_checks.hpp"

#include <algorithm>

#include "gpualign/error.hpp"

namespace gpualign::io {

std::string pair_ref(const AlignmentRecord& r) {
  return "record '" + r.query_name + "' vs '" + r.target_name + "'";
}

void check_record(const AlignmentRecord& r, const std::string& file) {
  const auto fail = [&](const std::string& why) { throw Error("cannot write: " + why, file, pair_ref(r)); };
  if (r.query_name.empty()) fail("empty query name");
  if (r.strand != '+' && r.strand != '-') fail("strand must be '+' or '-'");
  if (r.query_length < 0 || r.target_length < 0) fail("negative sequence length");
  if (!r.query_text.empty() && static_cast<std::int64_t>(r.query_text.size()) != r.query_length)
    fail("query text has " + std::to_string(r.query_text.size()) + " letters but query_length is " +
         std::to_string(r.query_length));
  if (!r.query_quality.empty() && r.query_quality.size() != r.query_text.size())
    fail("query quality and query text differ in length");
  const Alignment& a = r.alignment;
  if (a.status != AlignStatus::ok) return;
  if (r.target_name.empty()) fail("empty target name");
  if (a.qend < 0 || a.qend > r.query_length || a.tend < 0 || a.tend > r.target_length)
    fail("end (" + std::to_string(a.qend) + ", " + std::to_string(a.tend) + ") outside the sequences");
  if (a.has_begin && (a.qbeg < 0 || a.qbeg > a.qend || a.tbeg < 0 || a.tbeg > a.tend))
    fail("begin (" + std::to_string(a.qbeg) + ", " + std::to_string(a.tbeg) + ") not within [0, end]");
  if (!a.cigar.empty()) {
    if (!a.has_begin) fail("a CIGAR without begin positions");
    if (a.cigar.query_length() != a.qend - a.qbeg || a.cigar.target_length() != a.tend - a.tbeg)
      fail("CIGAR " + a.cigar.to_string() + " does not span query [" + std::to_string(a.qbeg) + ", " +
           std::to_string(a.qend) + ") and target [" + std::to_string(a.tbeg) + ", " + std::to_string(a.tend) + ")");
  }
}

QueryInterval forward_query_interval(const AlignmentRecord& r) {
  const Alignment& a = r.alignment;
  if (r.strand == '-') return {r.query_length - a.qend, r.query_length - a.qbeg};
  return {a.qbeg, a.qend};
}

std::string reverse_complement_text(std::string_view text) {
  static constexpr std::string_view from = "ACGTURYSWKMBDHVNacgturyswkmbdhvn";
  static constexpr std::string_view to = "TGCAAYRSWMKVHDBNtgcaayrswmkvhdbn";
  std::string out(text.rbegin(), text.rend());
  for (char& c : out) {
    const auto p = from.find(c);
    if (p != std::string_view::npos) c = to[p];
  }
  return out;
}

}  // namespace gpualign::io
