#pragma once
/// @file sequence_reader.hpp
/// Streaming FASTA / FASTQ reader (plain, gzip or bgzip, through htslib).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "gpualign/alphabet.hpp"
#include "gpualign/sequence.hpp"

namespace gpualign {

/// Text format of a sequence file, decided by its first record.
enum class SequenceFormat : std::uint8_t {
  fasta,  ///< records start with '>'; sequence lines until the next '>'
  fastq,  ///< records start with '@'; sequence, a '+' line, then as many quality letters
};

/// Reads a FASTA or FASTQ file record by record, so that memory stays bounded
/// by the longest record however large the file is.
///
/// - Plain text, gzip and bgzip are recognised by content, not by name;
///   "-" reads standard input.
/// - A record's name is the header's first word; the rest is its description.
/// - Sequence lines may wrap; spaces, tabs and '\r' inside them are ignored.
/// - Every problem raises gpualign::Error with a one-line what() that names
///   the file, the line (and record) and the problem: a missing or unreadable
///   file, an empty file, text that is neither FASTA nor FASTQ, truncated or
///   corrupt gzip, a letter that is not a residue or ambiguity code of the
///   alphabet (digits, punctuation, gap characters), a record without
///   residues, a FASTQ quality string of another length than its sequence.
///
/// Not thread-safe: one reader belongs to one thread at a time.
class SequenceReader {
 public:
  /// Opens `path` and checks that it starts like FASTA or FASTQ.  Throws
  /// gpualign::Error when the file is missing, unreadable, a directory,
  /// empty (nothing but blank lines) or not FASTA/FASTQ.
  SequenceReader(std::string path, Alphabet alphabet);
  /// Releases the open files.
  ~SequenceReader();
  /// Movable, not copyable (it owns open files and parse state).
  SequenceReader(SequenceReader&&) noexcept;
  /// Movable, not copyable.
  SequenceReader& operator=(SequenceReader&&) noexcept;
  SequenceReader(const SequenceReader&) = delete;             ///< not copyable
  SequenceReader& operator=(const SequenceReader&) = delete;  ///< not copyable

  /// Reads the next record into `out`; returns false at the end of the file
  /// (and leaves `out` alone).  Throws gpualign::Error on a bad record.
  bool next(Sequence& out);

  /// Reads every record of `path`: for a reference given as FASTA (`align
  /// --ref`) or a small query file.  Throws like next().
  static std::vector<Sequence> read_all(const std::string& path, Alphabet alphabet);

  /// The path as given.
  const std::string& path() const noexcept;
  /// The alphabet records are encoded in.
  Alphabet alphabet() const noexcept;
  /// FASTA or FASTQ, decided when the file was opened.
  SequenceFormat format() const noexcept;
  /// The header text after the name of the record last returned by next().
  const std::string& description() const noexcept;
  /// The quality string of the FASTQ record last returned by next() (same
  /// length as its sequence); empty for FASTA.
  const std::string& quality() const noexcept;
  /// Records returned so far.
  std::int64_t records_read() const noexcept;
  /// Share of the file read so far, 0..1 (of the compressed bytes for gzip;
  /// approximate, it counts htslib's read-ahead), or -1 when the size is
  /// unknown (standard input, a pipe): what a progress line's ETA needs.
  double fraction_read() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Guesses the alphabet of a FASTA/FASTQ file from its first records (up to
/// about 100,000 residues): DNA when every letter is A C G T U or a
/// nucleotide ambiguity code (N R Y S W K M B D H V), protein otherwise.
/// Throws gpualign::Error when the file cannot be read (as SequenceReader).
Alphabet guess_alphabet(const std::string& path);

}  // namespace gpualign
