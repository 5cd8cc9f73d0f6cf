#include "io/line_reader.hpp"

#include <htslib/bgzf.h>
#include <htslib/hfile.h>
#include <htslib/kstring.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "gpualign/error.hpp"

namespace gpualign::io {

void check_readable_file(const std::string& path) {
  if (path == "-") return;
  if (path.empty()) throw Error("empty file name");
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw Error(std::strerror(errno), path);
  if (S_ISDIR(st.st_mode)) throw Error("is a directory, not a file", path);
  if (::access(path.c_str(), R_OK) != 0) throw Error(std::strerror(errno), path);
}

std::string describe_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u > 32 && u < 127) return std::string("'") + c + "'";
  if (u == ' ') return "a space";
  char buf[16];
  std::snprintf(buf, sizeof buf, "byte 0x%02x", u);
  return buf;
}

LineReader::LineReader(std::string path) : path_(std::move(path)) {
  check_readable_file(path_);
  errno = 0;
  fp_ = bgzf_open(path_.c_str(), "r");
  if (!fp_) throw Error(errno ? std::strerror(errno) : "cannot open", path_);
  buffer_ = new kstring_t{0, 0, nullptr};
  struct stat st {};
  if (path_ != "-" && ::stat(path_.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) size_ = st.st_size;
}

LineReader::~LineReader() {
  if (fp_) bgzf_close(fp_);
  if (buffer_) {
    ks_free(buffer_);
    delete buffer_;
  }
}

bool LineReader::compressed() const noexcept { return fp_ && fp_->is_compressed; }

double LineReader::fraction_read() const noexcept {
  if (size_ <= 0 || !fp_) return -1;
  if (eof_) return 1;
  const off_t at = htell(fp_->fp);
  if (at < 0) return -1;
  return at >= size_ ? 1.0 : static_cast<double>(at) / static_cast<double>(size_);
}

bool LineReader::next(std::string_view& line) {
  if (eof_) return false;
  const int n = bgzf_getline(fp_, '\n', buffer_);
  // bgzf_getline returns a partial last line even when the next block failed
  // to decompress, so the error flag is checked on every call.
  if (n <= -2 || fp_->errcode) {
    eof_ = true;
    throw Error("corrupt or truncated compressed data", path_,
                "line " + std::to_string(line_number_ + 1));
  }
  if (n == -1) {
    eof_ = true;
    return false;
  }
  ++line_number_;
  std::size_t len = buffer_->l;
  if (len > 0 && buffer_->s[len - 1] == '\r') --len;
  line = std::string_view(buffer_->s, len);
  return true;
}

}  // namespace gpualign::io
