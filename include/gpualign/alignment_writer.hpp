#pragma once
/// @file alignment_writer.hpp
/// Writing alignments as TSV, PAF, SAM or BAM, atomically.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gpualign/alignment.hpp"
#include "gpualign/indexed_reference.hpp"

namespace gpualign {

/// Output formats.
enum class OutputFormat : std::uint8_t {
  tsv,  ///< header line + `qname qlen tname tlen score qbeg qend tbeg tend strand cigar identity`
  paf,  ///< minimap2's 12 columns + AS:i: and cg:Z:
  sam,  ///< SAM text through htslib
  bam,  ///< BAM through htslib
};

/// Parses "tsv", "paf", "sam", "bam" (case-insensitive).  Throws gpualign::Error otherwise.
OutputFormat parse_output_format(std::string_view name);
/// The format a file name asks for by its extension (.tsv .paf .sam .bam),
/// or `fallback` (also for "-").
OutputFormat output_format_for_path(std::string_view path, OutputFormat fallback = OutputFormat::tsv);
/// "tsv", "paf", "sam" or "bam".
std::string_view to_string(OutputFormat format) noexcept;
/// The least a format needs computed: TSV takes score-only alignments ('*'
/// in the missing fields), PAF needs begin positions, SAM/BAM need a CIGAR
/// (htslib and samtools treat a mapped record without one as unmapped).
AlignOutput required_output(OutputFormat format) noexcept;

/// One alignment to write.
///
/// Strand '-' means `alignment` aligns the reverse complement of the query
/// (its qbeg/qend count along the reverse complement) with the forward
/// target.  Writers then report query coordinates on the original query's
/// forward strand (qlen - qend, qlen - qbeg) in TSV and PAF, keep the CIGAR
/// in target order (as minimap2), and write the reverse-complemented SEQ
/// (and reversed QUAL) with FLAG 16 in SAM/BAM.
struct AlignmentRecord {
  std::string query_name;         ///< SAM QNAME: no spaces, at most 254 characters
  std::int64_t query_length = 0;  ///< residues in the whole query
  /// The query as read (forward strand), for SAM SEQ; empty writes '*'.
  std::string query_text;
  /// FASTQ qualities of the forward query (same length), for SAM QUAL; empty writes '*'.
  std::string query_quality;
  std::string target_name;         ///< must be among write_header()'s targets for SAM/BAM
  std::int64_t target_length = 0;  ///< residues in the whole target
  char strand = '+';               ///< '+' or '-' (see above)
  Alignment alignment;             ///< the result; its status decides mapped or not
};

/// Options shared by the writers.
struct WriterOptions {
  /// Render =/X as M in SAM/BAM CIGARs (TSV and PAF always keep =/X).
  bool cigar_use_m = false;
  /// SAM @PG CL: field, e.g. the command line; left out when empty.
  std::string command_line;
};

/// Writes alignment records to a file.  The data go to a hidden temporary
/// file in the destination's directory that close() renames to the
/// destination; a writer destroyed without close(), or one whose write
/// failed, removes its temporary file, so that a failed run never leaves a
/// file that looks complete.  The destination "-" is standard output
/// (written directly).  Errors raise gpualign::Error naming the file.
///
/// Use: write_header() once, write() per record, close().
class AlignmentWriter {
 public:
  /// Removes the temporary file unless close() succeeded.
  virtual ~AlignmentWriter() = default;

  /// Writes the header: the TSV column line; SAM/BAM @HD, one @SQ per
  /// target, @PG; nothing for PAF.  `targets` are every sequence a record
  /// may name as its target (SAM/BAM reject records naming another).
  virtual void write_header(const std::vector<Contig>& targets) = 0;
  /// Writes one record.  Records with status != ok: TSV writes '*' in the
  /// score and coordinate fields, PAF skips them (as minimap2), SAM/BAM write
  /// them unmapped (FLAG 4).  An ok alignment with less than
  /// required_output(format) raises gpualign::Error; TSV writes '*' for a
  /// missing begin or CIGAR, PAF leaves out cg:Z: when there is no CIGAR.
  /// Any error leaves the writer failed and its temporary file removed.
  virtual void write(const AlignmentRecord& record) = 0;
  /// Flushes and moves the temporary file to the destination.  Throws on a
  /// write error (the temporary file is then removed).  Idempotent.
  virtual void close() = 0;

  /// The destination path as given.
  virtual const std::string& path() const noexcept = 0;
};

/// Opens a writer of `format` for `path` ("-" = standard output).  Creates
/// the temporary file at once, so that an unwritable destination fails
/// before any work.  Throws gpualign::Error naming the path on failure.
std::unique_ptr<AlignmentWriter> open_alignment_writer(const std::string& path, OutputFormat format,
                                                       const WriterOptions& options = {});

}  // namespace gpualign
