#pragma once
// Peak resident memory of this process and its worker processes while a
// piece of work runs, by sampling /proc every few milliseconds from a
// background thread.  VmHWM would be simpler but is monotonic for the whole
// process, so it cannot give one benchmark row's peak; sampling can miss a
// spike shorter than the interval.
#include <atomic>
#include <cstdint>
#include <thread>

namespace gpualign::detail {

/// Resident bytes of process `pid` (0 = this process), or 0 when unreadable.
std::uint64_t resident_bytes(int pid = 0);
/// Resident bytes of this process plus the private bytes (not shared with
/// this process) of its direct children (forked workers).
std::uint64_t resident_bytes_with_children();

class PeakMemorySampler {
 public:
  /// Starts sampling every `interval_ms` milliseconds.
  explicit PeakMemorySampler(int interval_ms = 2);
  ~PeakMemorySampler();
  PeakMemorySampler(const PeakMemorySampler&) = delete;
  PeakMemorySampler& operator=(const PeakMemorySampler&) = delete;
  /// Stops sampling (once) and returns the peak seen, in bytes.
  std::uint64_t stop();

 private:
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> peak_{0};
  std::thread thread_;
  bool stopped_ = false;
};

}  // namespace gpualign::detail
