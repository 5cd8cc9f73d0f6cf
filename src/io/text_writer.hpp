#pragma once
// Base of the line-oriented writers (TSV, PAF): buffered stdio on an
// AtomicOutput, with the header/write/close state checks in one place.

#include <cstdio>
#include <string>
#include <vector>

#include "gpualign/alignment_writer.hpp"
#include "io/atomic_output.hpp"

namespace gpualign::io {

class TextWriter : public AlignmentWriter {
 public:
  explicit TextWriter(const std::string& path);
  ~TextWriter() override;

  void write_header(const std::vector<Contig>& targets) final;
  void write(const AlignmentRecord& record) final;
  void close() final;
  const std::string& path() const noexcept final { return out_.destination(); }

 protected:
  /// Appends the header text (may be nothing) to `line`.
  virtual void format_header(std::string& line) = 0;
  /// Appends the record's line(s), newline included, to `line`; may append
  /// nothing to skip the record.  Throws gpualign::Error for a record the
  /// format cannot express.
  virtual void format_record(const AlignmentRecord& record, std::string& line) = 0;

  static void append(std::string& s, std::int64_t v);

 private:
  void put(const std::string& text);
  void abandon() noexcept;  // closes and removes the temporary file
  template <class F>
  void guarded(F&& f);

  AtomicOutput out_;
  std::FILE* fp_ = nullptr;
  std::string line_;
  bool header_written_ = false, closed_ = false, failed_ = false;
};

}  // namespace gpualign::io
