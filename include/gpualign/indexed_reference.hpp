#pragma once
/// @file indexed_reference.hpp
/// Random access to a reference FASTA through its .fai index (htslib faidx).

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gpualign/sequence.hpp"

namespace gpualign {

/// Name and length of one reference sequence (a SAM @SQ line).
struct Contig {
  std::string name;         ///< the FASTA header's first word
  std::int64_t length = 0;  ///< residues
  bool operator==(const Contig&) const = default;  ///< same name and length
};

/// A reference FASTA opened through its faidx index, for fetching regions
/// without loading the whole genome.
///
/// The reference may be plain or bgzip-compressed (plain gzip cannot be
/// indexed: recompress it with `bgzip`).  A missing `.fai` (and `.gzi` for
/// bgzip) is built with htslib's fai_build next to the reference, or in the
/// temporary directory when the reference's directory is not writable.
///
/// Not thread-safe: fetches share one file handle.
class IndexedReference {
 public:
  /// Opens `path` and loads (or builds) its index.  Throws gpualign::Error
  /// naming the file when it is missing, unreadable, plain gzip, or cannot be
  /// indexed (e.g. lines of unequal length inside a record).
  explicit IndexedReference(std::string path);
  /// Releases the open files.
  ~IndexedReference();
  /// Movable, not copyable (it owns open files and parse state).
  IndexedReference(IndexedReference&&) noexcept;
  /// Movable, not copyable.
  IndexedReference& operator=(IndexedReference&&) noexcept;
  IndexedReference(const IndexedReference&) = delete;             ///< not copyable
  IndexedReference& operator=(const IndexedReference&) = delete;  ///< not copyable

  /// The path as given.
  const std::string& path() const noexcept;
  /// Every sequence in file order, with its length.
  const std::vector<Contig>& contigs() const noexcept;
  /// Length of contig `name`, or -1 when the reference has no such contig.
  std::int64_t length(std::string_view name) const;

  /// Text of `[begin, end)` (0-based, half-open) of contig `name`, in the
  /// reference's own case.  Throws gpualign::Error for an unknown contig, a
  /// range outside [0, length] or begin > end, or a failed read.
  std::string fetch(std::string_view name, std::int64_t begin, std::int64_t end) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Names and lengths of the sequences of a FASTA file, through its index
/// (built when missing, as IndexedReference).  For SAM @SQ lines.
std::vector<Contig> reference_contigs(const std::string& fasta_path);

/// Names and lengths of sequences already in memory (e.g. targets read with
/// SequenceReader::read_all), in the same order.  For SAM @SQ lines.
std::vector<Contig> contigs_of(const std::vector<Sequence>& sequences);

}  // namespace gpualign
