#pragma once
// A destination file written through a hidden temporary file in the same
// directory and renamed into place only on success, so that a failed run
// never leaves a file that looks complete.

#include <string>

namespace gpualign::io {

class AtomicOutput {
 public:
  /// Creates the temporary file at once (so an unwritable destination fails
  /// before any work).  "-" means standard output: no temporary file.
  /// Throws gpualign::Error naming `destination`.
  explicit AtomicOutput(std::string destination);
  /// Removes the temporary file unless commit() succeeded.
  ~AtomicOutput();
  AtomicOutput(const AtomicOutput&) = delete;
  AtomicOutput& operator=(const AtomicOutput&) = delete;

  /// Where to write now: the temporary path, or "-".
  const std::string& write_path() const noexcept { return temp_.empty() ? destination_ : temp_; }
  const std::string& destination() const noexcept { return destination_; }
  bool is_stdout() const noexcept { return destination_ == "-"; }

  /// Renames the temporary file to the destination.  Throws gpualign::Error
  /// (after removing the temporary file) when the rename fails.
  void commit();
  /// Removes the temporary file now.  Idempotent.
  void discard() noexcept;

 private:
  std::string destination_;
  std::string temp_;
};

}  // namespace gpualign::io
