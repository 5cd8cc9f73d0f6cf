#pragma once
/// @file feature_extractor.hpp
/// Feature sequences cut out of an indexed reference by BED / GFF3 coordinates.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gpualign/alphabet.hpp"
#include "gpualign/feature_parser.hpp"
#include "gpualign/indexed_reference.hpp"
#include "gpualign/sequence.hpp"

namespace gpualign {

/// A feature's sequence and where it came from.
struct Feature {
  /// Named after the feature; on '-' already reverse-complemented, so it
  /// reads 5' to 3' on the feature's own strand.
  Sequence sequence;
  std::string contig;       ///< reference sequence it lies on
  std::int64_t begin = 0;   ///< 0-based start of the span on the contig
  std::int64_t end = 0;     ///< 0-based, exclusive end of the span
  char strand = '.';        ///< '+', '-' or '.'
  std::vector<Interval> segments;  ///< the parts joined into `sequence` (one when unspliced)
};

/// How to read a feature file.
struct FeatureOptions {
  FeatureFormat format = FeatureFormat::automatic;  ///< BED or GFF3, by name or content
  std::string gff_type;     ///< GFF3 feature type to keep ("gene", "CDS"); empty = all
  Alphabet alphabet = Alphabet::dna;  ///< how the reference is encoded
};

/// Cuts the sequence of `region` out of `reference` (segments joined, '-'
/// reverse-complemented).  Throws gpualign::Error naming `features_file` and
/// the region's line for an unknown contig, a region beyond the contig's end,
/// or reference letters that are not residues of `alphabet`.
Feature extract_feature(const IndexedReference& reference, const FeatureRegion& region,
                        Alphabet alphabet = Alphabet::dna, std::string_view features_file = {});

/// Streams features: parses the whole feature file and checks every region
/// against the reference up front (so a bad line fails before any alignment),
/// then cuts one sequence per next() call, so that memory holds the
/// coordinates but only one feature's sequence.
///
/// Not thread-safe (see IndexedReference).
class FeatureReader {
 public:
  /// Reads `features_path` (BED or GFF3, plain or gzip) against the FASTA
  /// `reference_path` (plain or bgzip; its .fai is built when missing).
  /// Throws gpualign::Error naming the file and line of the first bad line,
  /// unknown contig or out-of-bounds region, or when there are no features.
  FeatureReader(const std::string& features_path, const std::string& reference_path,
                const FeatureOptions& options = {});
  /// Releases the open files.
  ~FeatureReader();
  /// Movable, not copyable (it owns open files and parse state).
  FeatureReader(FeatureReader&&) noexcept;
  /// Movable, not copyable.
  FeatureReader& operator=(FeatureReader&&) noexcept;
  FeatureReader(const FeatureReader&) = delete;             ///< not copyable
  FeatureReader& operator=(const FeatureReader&) = delete;  ///< not copyable

  /// Extracts the next feature into `out`; false after the last.
  bool next(Feature& out);

  /// Every feature of the file, extracted.
  static std::vector<Feature> read_all(const std::string& features_path,
                                       const std::string& reference_path,
                                       const FeatureOptions& options = {});

  /// Share of the features extracted so far, 0..1 (the coordinates are all
  /// parsed up front, so this is exact): what a progress line's ETA needs.
  double fraction_read() const noexcept;
  /// The coordinates of all features, in file order.
  const std::vector<FeatureRegion>& regions() const noexcept;
  /// The reference (its contigs() give the SAM @SQ lines).
  const IndexedReference& reference() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gpualign
