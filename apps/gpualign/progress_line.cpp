#include "progress_line.hpp"

#include <unistd.h>

#include <cstdio>

namespace gpualign::cli {

namespace {
constexpr std::chrono::milliseconds kRedrawEvery{200};
}

ProgressLine::ProgressLine() : enabled_(isatty(STDERR_FILENO) == 1) {}

ProgressLine::~ProgressLine() {
  if (!pending_.empty()) draw();
  if (shown_) std::fputs("\n", stderr);
}

void ProgressLine::show(const std::string& text) {
  if (!enabled_) return;
  pending_ = text;
  if (!shown_ || std::chrono::steady_clock::now() - last_draw_ >= kRedrawEvery) draw();
}

void ProgressLine::draw() {
  std::fprintf(stderr, "\r\033[K%s", pending_.c_str());
  std::fflush(stderr);
  pending_.clear();
  shown_ = true;
  last_draw_ = std::chrono::steady_clock::now();
}

}  // namespace gpualign::cli
