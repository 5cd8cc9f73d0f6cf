#pragma once
// The concrete alignment writers behind open_alignment_writer().

#include <memory>
#include <string>

#include "gpualign/alignment_writer.hpp"

namespace gpualign::io {

std::unique_ptr<AlignmentWriter> make_tsv_writer(const std::string& path, const WriterOptions& options);
std::unique_ptr<AlignmentWriter> make_paf_writer(const std::string& path, const WriterOptions& options);
/// SAM (`bam` false) or BAM through htslib.
std::unique_ptr<AlignmentWriter> make_hts_writer(const std::string& path, bool bam, const WriterOptions& options);

}  // namespace gpualign::io
