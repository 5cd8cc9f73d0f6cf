#pragma once
// One self-overwriting status line on stderr, shown only when stderr is a terminal.
#include <string>

namespace gpualign::cli {

class ProgressLine {
 public:
  ProgressLine();
  ~ProgressLine();  // ends the line so later messages start clean
  bool enabled() const noexcept { return enabled_; }
  void show(const std::string& text);

 private:
  bool enabled_;
  bool shown_ = false;
};

}  // namespace gpualign::cli
