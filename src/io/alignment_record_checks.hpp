#pragma once
// Checks and strand arithmetic shared by the alignment writers.

#include <cstdint>
#include <string>
#include <string_view>

#include "gpualign/alignment_writer.hpp"

namespace gpualign::io {

/// Throws gpualign::Error naming `file` and the pair when the record cannot
/// be written faithfully: a strand other than '+'/'-', coordinates outside the
/// sequences, a CIGAR that does not span [qbeg, qend) x [tbeg, tend), or a
/// query text / quality of another length than query_length.
void check_record(const AlignmentRecord& r, const std::string& file);

/// True when the record has begin positions (ok status).
inline bool has_begin(const AlignmentRecord& r) {
  return r.alignment.status == AlignStatus::ok && r.alignment.has_begin;
}
/// True when the record has a CIGAR (ok status, begins known).
inline bool has_cigar(const AlignmentRecord& r) { return has_begin(r) && !r.alignment.cigar.empty(); }

/// Query interval on the original query's forward strand (minimap2's PAF
/// convention): unchanged on '+', mirrored on '-'.
struct QueryInterval {
  std::int64_t begin, end;
};
QueryInterval forward_query_interval(const AlignmentRecord& r);

/// Reverse complement of DNA text (IUPAC-aware, case kept); other letters
/// are kept as they are.
std::string reverse_complement_text(std::string_view text);

/// "record 'Q' vs 'T'", for messages.
std::string pair_ref(const AlignmentRecord& r);

}  // namespace gpualign::io
