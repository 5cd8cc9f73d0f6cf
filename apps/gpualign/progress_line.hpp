#pragma once
// One self-overwriting status line on stderr, shown only when stderr is a
// terminal, redrawn at most a few times a second (a fast job's thousands of
// batches would otherwise flood a slow terminal); the last text given is
// always the one left on screen.
#include <chrono>
#include <string>

namespace gpualign::cli {

class ProgressLine {
 public:
  ProgressLine();
  ~ProgressLine();  // draws the last text if it was held back, then ends the line
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;
  bool enabled() const noexcept { return enabled_; }
  void show(const std::string& text);

 private:
  void draw();
  bool enabled_;
  bool shown_ = false;
  std::string pending_;  // given but not drawn yet
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace gpualign::cli
