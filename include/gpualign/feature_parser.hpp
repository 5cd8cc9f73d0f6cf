#pragma once
/// @file feature_parser.hpp
/// Feature coordinates from BED and GFF3 text (no sequence access).

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace gpualign {

/// A 0-based, half-open stretch of a contig.
struct Interval {
  std::int64_t begin = 0;  ///< first position
  std::int64_t end = 0;    ///< one past the last position
  bool operator==(const Interval&) const = default;  ///< same begin and end
};

/// Coordinates of one feature as read from BED or GFF3, before extraction.
/// All coordinates are 0-based, half-open, whatever the file used.
struct FeatureRegion {
  std::string name;    ///< BED column 4 / GFF3 ID= or Name=; made up when absent (see parsers)
  std::string contig;  ///< BED column 1 / GFF3 column 1
  std::int64_t begin = 0;  ///< start of the first segment
  std::int64_t end = 0;    ///< end of the last segment
  char strand = '.';       ///< '+', '-' or '.' (unknown: extracted as given, like '+')
  /// The parts that make up the feature, ascending and disjoint: one for a
  /// plain feature, several for a BED12 line with blocks or GFF3 lines
  /// sharing one ID (a spliced CDS).  The feature's sequence is their
  /// concatenation (reverse-complemented on '-').
  std::vector<Interval> segments;
  std::string type;        ///< GFF3 column 3; empty for BED
  std::int64_t line = 0;   ///< 1-based line of the feature's first line, for messages
};

/// Feature file formats.
enum class FeatureFormat : std::uint8_t {
  automatic,  ///< from the name (.bed, .gff, .gff3, optionally .gz), else from the first line
  bed,        ///< BED3..BED12, 0-based half-open
  gff3,       ///< GFF3, 1-based inclusive
};

/// Parses "auto", "bed", "gff3" (also "gff").  Throws gpualign::Error otherwise.
FeatureFormat parse_feature_format(std::string_view name);

/// Parses BED or GFF3 text line by line, so that a file never has to be in
/// memory at once.  Feed lines with add_line() (without the newline; a
/// trailing '\r' is ignored), then call finish().
///
/// BED: columns are tab-separated (whitespace when a line has no tab); at
/// least chrom, start, end; name (column 4, "." = none), strand (column 6)
/// and blocks (columns 10-12) are optional.  Blank, '#', "track" and
/// "browser" lines are skipped.  A feature without a name is called
/// "CONTIG_BEGIN_END" (BED coordinates).
///
/// GFF3: nine tab-separated columns; only features whose type (column 3)
/// equals the filter are kept (all when the filter is empty).  The name is
/// the ID= attribute, else Name=, else "TYPE_CONTIG_START_END" (GFF
/// coordinates); attribute and seqid %XX escapes are decoded.  Lines sharing
/// an ID are one feature made of several segments (they must share contig and
/// strand and must not overlap).  '#' lines and "##" directives are skipped;
/// "##FASTA" (or a line starting with '>') ends the features.
///
/// Malformed lines raise gpualign::Error naming the file and "line N": too
/// few columns, a coordinate that is not a whole number, start > end, an
/// empty interval, a bad strand, inconsistent BED blocks.
class FeatureParser {
 public:
  /// @param format      bed or gff3 (automatic is not allowed here)
  /// @param gff_type    GFF3 feature type to keep ("gene", "CDS"); empty = all; ignored for BED
  /// @param file        file name for messages
  FeatureParser(FeatureFormat format, std::string gff_type = {}, std::string file = {});
  /// Releases the open files.
  ~FeatureParser();
  /// Movable, not copyable (it owns open files and parse state).
  FeatureParser(FeatureParser&&) noexcept;
  /// Movable, not copyable.
  FeatureParser& operator=(FeatureParser&&) noexcept;
  FeatureParser(const FeatureParser&) = delete;             ///< not copyable
  FeatureParser& operator=(const FeatureParser&) = delete;  ///< not copyable

  /// Parses the next line (line numbers count from 1).
  void add_line(std::string_view line);
  /// The features in order of their first line.  Call once.
  std::vector<FeatureRegion> finish();
  /// Feature types seen in a GFF3 file, filtered or not, in order of first
  /// appearance: for a helpful message when the filter matched nothing.
  const std::vector<std::string>& types_seen() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Parses a whole BED or GFF3 text held in memory (as FeatureParser).
std::vector<FeatureRegion> parse_features(std::string_view text, FeatureFormat format,
                                          std::string_view gff_type = {}, std::string_view file = {});

/// Reads the feature coordinates of a BED or GFF3 file (plain or gzip).
/// Throws gpualign::Error for an unreadable file, a malformed line, or a
/// file with no features (of type `gff_type`: the message lists the types present).
std::vector<FeatureRegion> read_feature_regions(const std::string& path,
                                                FeatureFormat format = FeatureFormat::automatic,
                                                std::string_view gff_type = {});

}  // namespace gpualign
