#pragma once
/// @file memory_budget.hpp
/// A host memory budget in bytes: work reserves its estimated bytes before it
/// starts and releases them when it ends, so that running work never holds
/// more than the budget.

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "gpualign/error.hpp"

namespace gpualign {

/// Parses a size: a plain number of bytes ("100000"), or a number (decimals
/// allowed) with a suffix: K, M, G, T or KiB, MiB, GiB, TiB (powers of 1024,
/// as sort -S and samtools -m read them), KB, MB, GB, TB (powers of 1000), B.
/// Case-insensitive; spaces between number and suffix allowed.  Throws
/// gpualign::Error on anything else, on zero, and on overflow.
std::uint64_t parse_byte_size(std::string_view text);

/// A size for people: "512 B", "1.5 KiB", "4.0 GiB".
std::string format_byte_size(std::uint64_t bytes);

/// Memory this process may still use: MemAvailable, or the headroom left by
/// a cgroup memory limit (limit - usage) where that is smaller.
std::uint64_t memory_available_to_process();

/// The default budget: `fraction` (0 < fraction <= 1) of
/// memory_available_to_process(), at least 64 MiB.
std::uint64_t default_memory_budget(double fraction = 0.5);

/// Parses a `--memory-budget` value: anything parse_byte_size() takes, or a
/// percentage ("25%") of memory_available_to_process().
std::uint64_t parse_memory_budget(std::string_view text);

/// Thrown when one piece of work needs more bytes than the whole budget: it
/// could never run, however long it waited.
class MemoryBudgetError : public Error {
 public:
  /// @param what   the work that asked, e.g. "item 12"; may be empty
  /// @param needed bytes it asked for
  /// @param capacity the budget's capacity
  MemoryBudgetError(std::string_view what, std::uint64_t needed, std::uint64_t capacity);
  /// Bytes the work needed.
  std::uint64_t needed() const noexcept { return needed_; }
  /// The budget's capacity.
  std::uint64_t capacity() const noexcept { return capacity_; }

 private:
  std::uint64_t needed_, capacity_;
};

/// A budget of host bytes shared by concurrent work.  Thread-safe.  Not for
/// use in a forked child (its lock may have been held at fork time).
class MemoryBudget {
 public:
  /// Bytes held until destroyed or release()d; movable, not copyable.
  class Reservation {
   public:
    Reservation() = default;
    Reservation(Reservation&& o) noexcept : budget_(o.budget_), bytes_(o.bytes_) { o.budget_ = nullptr; o.bytes_ = 0; }
    Reservation& operator=(Reservation&& o) noexcept {
      if (this != &o) { release(); budget_ = o.budget_; bytes_ = o.bytes_; o.budget_ = nullptr; o.bytes_ = 0; }
      return *this;
    }
    Reservation(const Reservation&) = delete;
    Reservation& operator=(const Reservation&) = delete;
    ~Reservation() { release(); }
    /// Bytes held (0 once released).
    std::uint64_t bytes() const noexcept { return bytes_; }
    /// Whether bytes are held.
    explicit operator bool() const noexcept { return budget_ != nullptr; }
    /// Gives the bytes back now.
    void release() noexcept;

   private:
    friend class MemoryBudget;
    Reservation(MemoryBudget* b, std::uint64_t bytes) : budget_(b), bytes_(bytes) {}
    MemoryBudget* budget_ = nullptr;
    std::uint64_t bytes_ = 0;
  };

  /// A budget of default_memory_budget() bytes.
  MemoryBudget();
  /// A budget of `capacity` bytes; throws gpualign::Error when 0.
  explicit MemoryBudget(std::uint64_t capacity);
  MemoryBudget(const MemoryBudget&) = delete;
  MemoryBudget& operator=(const MemoryBudget&) = delete;

  /// Reserves `bytes`, waiting while others hold too much.  Throws
  /// MemoryBudgetError (naming `what`) when `bytes` exceeds the capacity.
  /// A request of 0 bytes succeeds at once.  Waiting for
  /// bytes while holding a reservation can deadlock: reserve all at once.
  Reservation reserve(std::uint64_t bytes, std::string_view what = {});

  /// Reserves `bytes` if they are free now; an empty (false) Reservation otherwise.
  /// Throws MemoryBudgetError when `bytes` exceeds the capacity.
  Reservation try_reserve(std::uint64_t bytes, std::string_view what = {});

  /// Whether `bytes` could ever be reserved (bytes <= capacity).
  bool fits(std::uint64_t bytes) const noexcept { return bytes <= capacity_; }
  /// The budget in bytes.
  std::uint64_t capacity() const noexcept { return capacity_; }
  /// Bytes reserved now.
  std::uint64_t in_use() const;
  /// The most bytes ever reserved at once.
  std::uint64_t peak() const;

 private:
  void give_back(std::uint64_t bytes) noexcept;

  std::uint64_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::uint64_t used_ = 0;
  std::uint64_t peak_ = 0;
};

}  // namespace gpualign
