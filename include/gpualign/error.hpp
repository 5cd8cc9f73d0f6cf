#pragma once
/// @file error.hpp
/// The one exception type gpualign throws for bad input and failed work.

#include <stdexcept>
#include <string>

namespace gpualign {

/// Raised for bad input (unreadable file, malformed record, nonsense scoring)
/// and for work that failed (a dead worker, a CUDA error).  `what()` is a
/// single line: "FILE: record R: REASON" where the parts are known.
class Error : public std::runtime_error {
 public:
  /// @param reason what is wrong, without a trailing newline
  /// @param file   the file involved, or empty
  /// @param record the record name or "line N", or empty
  explicit Error(std::string reason, std::string file = {}, std::string record = {});

  /// The file involved, or empty.
  const std::string& file() const noexcept { return file_; }
  /// The record or line involved, or empty.
  const std::string& record() const noexcept { return record_; }
  /// The bare reason, without file and record.
  const std::string& reason() const noexcept { return reason_; }

 private:
  std::string reason_, file_, record_;
};

}  // namespace gpualign
