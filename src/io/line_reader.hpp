#pragma once
// Line-by-line reading of plain, gzip or bgzip text through htslib's BGZF,
// with line numbers and one-line gpualign::Error messages naming the file.

#include <cstdint>
#include <string>
#include <string_view>

struct BGZF;
struct kstring_t;

namespace gpualign::io {

/// Reads lines from a file ("-" = standard input), decompressing gzip/bgzip
/// transparently.  Lines come without their '\n' and a trailing '\r'.
class LineReader {
 public:
  /// Throws gpualign::Error when `path` is missing, a directory or unreadable.
  explicit LineReader(std::string path);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  /// Next line into `line` (valid until the next call); false at the end.
  /// Throws gpualign::Error on corrupt or truncated compressed data.
  bool next(std::string_view& line);

  /// 1-based number of the line last returned (0 before the first).
  std::int64_t line_number() const noexcept { return line_number_; }
  const std::string& path() const noexcept { return path_; }
  /// True when the file was gzip/bgzip-compressed.
  bool compressed() const noexcept;
  /// Share of the file read so far (compressed bytes for gzip), 0..1; -1
  /// when the size is unknown (standard input, a pipe).  Approximate: it
  /// counts htslib's read-ahead.
  double fraction_read() const noexcept;

 private:
  std::string path_;
  BGZF* fp_ = nullptr;
  kstring_t* buffer_ = nullptr;
  std::int64_t line_number_ = 0;
  std::int64_t size_ = -1;  // bytes of a regular file, else -1
  bool eof_ = false;
};

/// Throws gpualign::Error when `path` does not exist, is a directory or
/// cannot be read ("-" always passes).
void check_readable_file(const std::string& path);

/// "'x'" for a printable character, "byte 0x1f" otherwise.
std::string describe_char(char c);

}  // namespace gpualign::io
