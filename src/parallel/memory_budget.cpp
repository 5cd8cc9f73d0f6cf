// MemoryBudget: size parsing, the default budget from the limits this process
// is under, and blocking reservations.

#include "gpualign/memory_budget.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "parallel/cgroup_limits.hpp"

namespace gpualign {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

[[noreturn]] void bad_size(std::string_view text, std::string_view why) {
  throw Error("memory size '" + std::string(text) + "': " + std::string(why));
}

}  // namespace

std::uint64_t parse_byte_size(std::string_view text) {
  const std::string_view s = trim(text);
  std::size_t i = 0;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
  const std::string_view number = s.substr(0, i);
  if (number.empty()) bad_size(text, "expected a number such as 4G, 512M or 1.5GiB");
  const std::string suffix = lower(trim(s.substr(i)));

  long double mult = 1;
  static constexpr struct { const char* name; long double mult; } kSuffixes[] = {
      {"", 1}, {"b", 1},
      {"k", 1024.0L}, {"kib", 1024.0L}, {"kb", 1e3L},
      {"m", 1048576.0L}, {"mib", 1048576.0L}, {"mb", 1e6L},
      {"g", 1073741824.0L}, {"gib", 1073741824.0L}, {"gb", 1e9L},
      {"t", 1099511627776.0L}, {"tib", 1099511627776.0L}, {"tb", 1e12L},
  };
  bool known = false;
  for (const auto& sfx : kSuffixes)
    if (suffix == sfx.name) { mult = sfx.mult; known = true; break; }
  if (!known) bad_size(text, "unknown unit '" + suffix + "' (use B, K, M, G, T, KiB.., KB..)");

  // from_chars for floating point: exact and locale-independent.
  double value = 0;
  auto [p, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (ec != std::errc{} || p != number.data() + number.size()) bad_size(text, "malformed number");
  const long double bytes = std::floor(static_cast<long double>(value) * mult);
  if (bytes >= 18446744073709551615.0L) bad_size(text, "too large");
  if (bytes < 1) bad_size(text, "must be at least 1 byte");
  return static_cast<std::uint64_t>(bytes);
}

std::string format_byte_size(std::uint64_t bytes) {
  static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  if (bytes < 1024) return std::to_string(bytes) + " B";
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 6) { v /= 1024; ++u; }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %s", v, units[u]);
  return buf;
}

std::uint64_t memory_available_to_process() {
  std::uint64_t avail = detail::meminfo_available().value_or(std::uint64_t{4} << 30);
  if (auto room = detail::cgroup_memory_headroom()) avail = std::min(avail, *room);
  return avail;
}

std::uint64_t default_memory_budget(double fraction) {
  if (!(fraction > 0 && fraction <= 1)) throw Error("memory budget fraction must be in (0, 1]");
  const auto b = static_cast<std::uint64_t>(static_cast<long double>(memory_available_to_process()) * fraction);
  return std::max<std::uint64_t>(b, std::uint64_t{64} << 20);
}

std::uint64_t parse_memory_budget(std::string_view text) {
  const std::string_view s = trim(text);
  if (!s.empty() && s.back() == '%') {
    double pct = 0;
    const std::string_view num = trim(s.substr(0, s.size() - 1));
    auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), pct);
    if (ec != std::errc{} || p != num.data() + num.size() || !(pct > 0 && pct <= 100))
      throw Error("memory budget '" + std::string(text) + "': a percentage must be in (0, 100]");
    return default_memory_budget(pct / 100.0);
  }
  return parse_byte_size(s);
}

MemoryBudgetError::MemoryBudgetError(std::string_view what, std::uint64_t needed, std::uint64_t capacity)
    : Error((what.empty() ? std::string("work") : std::string(what)) + " needs " + format_byte_size(needed) +
            " but the whole memory budget is " + format_byte_size(capacity)),
      needed_(needed),
      capacity_(capacity) {}

void MemoryBudget::Reservation::release() noexcept {
  if (budget_) budget_->give_back(bytes_);
  budget_ = nullptr;
  bytes_ = 0;
}

MemoryBudget::MemoryBudget() : MemoryBudget(default_memory_budget()) {}

MemoryBudget::MemoryBudget(std::uint64_t capacity) : capacity_(capacity) {
  if (capacity == 0) throw Error("memory budget must be at least 1 byte");
}

MemoryBudget::Reservation MemoryBudget::reserve(std::uint64_t bytes, std::string_view what) {
  if (bytes > capacity_) throw MemoryBudgetError(what, bytes, capacity_);
  if (bytes == 0) return Reservation(this, 0);
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return capacity_ - used_ >= bytes; });
  used_ += bytes;
  peak_ = std::max(peak_, used_);
  return Reservation(this, bytes);
}

MemoryBudget::Reservation MemoryBudget::try_reserve(std::uint64_t bytes, std::string_view what) {
  if (bytes > capacity_) throw MemoryBudgetError(what, bytes, capacity_);
  if (bytes == 0) return Reservation(this, 0);
  std::lock_guard lock(mu_);
  if (capacity_ - used_ < bytes) return {};
  used_ += bytes;
  peak_ = std::max(peak_, used_);
  return Reservation(this, bytes);
}

std::uint64_t MemoryBudget::in_use() const {
  std::lock_guard lock(mu_);
  return used_;
}

std::uint64_t MemoryBudget::peak() const {
  std::lock_guard lock(mu_);
  return peak_;
}

void MemoryBudget::give_back(std::uint64_t bytes) noexcept {
  if (bytes == 0) return;
  {
    std::lock_guard lock(mu_);
    used_ -= std::min(used_, bytes);
  }
  cv_.notify_all();
}

}  // namespace gpualign
