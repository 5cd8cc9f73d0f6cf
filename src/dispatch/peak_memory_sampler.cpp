// Peak RSS of this process and its children, sampled from /proc.
#include "dispatch/peak_memory_sampler.hpp"

#include <chrono>
#include <cstdio>
#include <dirent.h>
#include <fstream>
#include <string>
#include <unistd.h>

namespace gpualign::detail {

std::uint64_t resident_bytes(int pid) {
  const std::string path = pid ? "/proc/" + std::to_string(pid) + "/statm" : "/proc/self/statm";
  std::FILE* f = std::fopen(path.c_str(), "r");
  if (!f) return 0;
  unsigned long long size = 0, resident = 0;
  const int n = std::fscanf(f, "%llu %llu", &size, &resident);
  std::fclose(f);
  if (n != 2) return 0;
  return static_cast<std::uint64_t>(resident) * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

// Bytes only process `pid` holds (Private_Clean + Private_Dirty): a forked
// worker shares most pages with its parent, and counting its whole RSS would
// count those twice.  Falls back to its RSS where smaps_rollup is missing.
std::uint64_t private_bytes(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/smaps_rollup");
  if (!in) return resident_bytes(pid);
  std::string key;
  std::uint64_t kb = 0, total = 0;
  bool seen = false;
  while (in >> key) {
    if (key == "Private_Clean:" || key == "Private_Dirty:") {
      if (in >> kb) total += kb * 1024, seen = true;
    } else {
      in.ignore(1 << 20, '\n');
    }
  }
  return seen ? total : resident_bytes(pid);
}

std::uint64_t resident_bytes_with_children() {
  std::uint64_t total = resident_bytes();
  // Children of every thread of this process (workers are forked from
  // pool threads); /proc/self/task/T/children lists their pids.
  DIR* d = ::opendir("/proc/self/task");
  if (!d) return total;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] == '.') continue;
    std::ifstream in(std::string("/proc/self/task/") + e->d_name + "/children");
    int pid;
    while (in >> pid) total += private_bytes(pid);
  }
  ::closedir(d);
  return total;
}

PeakMemorySampler::PeakMemorySampler(int interval_ms) {
  peak_ = resident_bytes_with_children();
  thread_ = std::thread([this, interval_ms] {
    while (!stop_.load()) {
      const std::uint64_t now = resident_bytes_with_children();
      std::uint64_t prev = peak_.load();
      while (now > prev && !peak_.compare_exchange_weak(prev, now)) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(interval_ms));
    }
  });
}

PeakMemorySampler::~PeakMemorySampler() { stop(); }

std::uint64_t PeakMemorySampler::stop() {
  if (!stopped_) {
    stopped_ = true;
    stop_ = true;
    thread_.join();
    const std::uint64_t now = resident_bytes_with_children();
    if (now > peak_) peak_ = now;
  }
  return peak_.load();
}

}  // namespace gpualign::detail
