#include "io/text_writer.hpp"

#include <cerrno>
#include <charconv>
#include <cstring>

#include "gpualign/error.hpp"

namespace gpualign::io {

TextWriter::TextWriter(const std::string& path) : out_(path) {
  if (out_.is_stdout()) {
    fp_ = stdout;
    return;
  }
  fp_ = std::fopen(out_.write_path().c_str(), "w");
  if (!fp_) throw Error(std::string("cannot open the output file: ") + std::strerror(errno), path);
  std::setvbuf(fp_, nullptr, _IOFBF, 1 << 20);
}

TextWriter::~TextWriter() {
  if (!closed_) abandon();
}

void TextWriter::abandon() noexcept {
  if (fp_ && fp_ != stdout) std::fclose(fp_);
  if (fp_ == stdout) std::fflush(stdout);
  fp_ = nullptr;
  out_.discard();
}

void TextWriter::append(std::string& s, std::int64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  s.append(buf, r.ptr);
}

void TextWriter::put(const std::string& text) {
  if (!text.empty() && std::fwrite(text.data(), 1, text.size(), fp_) != text.size())
    throw Error(std::string("write failed: ") + std::strerror(errno), path());
}

// Runs one step; any failure leaves the writer failed and its temporary file
// gone, so nothing half-written can be renamed into place later.
template <class F>
void TextWriter::guarded(F&& f) {
  if (failed_) throw Error("not written: an earlier write to this file failed", path());
  if (closed_) throw Error("write after close()", path());
  try {
    f();
  } catch (...) {
    failed_ = true;
    abandon();
    throw;
  }
}

void TextWriter::write_header(const std::vector<Contig>&) {
  guarded([&] {
    if (header_written_) throw Error("write_header() called twice", path());
    line_.clear();
    format_header(line_);
    put(line_);
    header_written_ = true;
  });
}

void TextWriter::write(const AlignmentRecord& record) {
  guarded([&] {
    if (!header_written_) throw Error("write() before write_header()", path());
    line_.clear();
    format_record(record, line_);
    put(line_);
  });
}

void TextWriter::close() {
  if (closed_) return;
  guarded([&] {
    if (!header_written_) throw Error("close() before write_header()", path());
    if (fp_ == stdout) {
      if (std::fflush(stdout) != 0) throw Error(std::string("write failed: ") + std::strerror(errno), path());
    } else {
      // fclose reports the errors of the last buffered writes (disk full).
      const bool bad = std::ferror(fp_) != 0;
      const int rc = std::fclose(fp_);
      fp_ = nullptr;
      if (bad || rc != 0) throw Error(std::string("write failed: ") + std::strerror(errno), path());
    }
    fp_ = nullptr;
    out_.commit();
    closed_ = true;
  });
}

}  // namespace gpualign::io
