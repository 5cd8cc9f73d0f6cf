#pragma once
// A blocking FIFO of bounded size between two pipeline stages.  close()
// ends the stream (pop drains, then returns nothing); cancel() makes every
// blocked or later push/pop throw QueueCancelled, so a stage that died never
// leaves another waiting forever.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <stdexcept>

namespace gpualign::detail {

struct QueueCancelled : std::runtime_error {
  QueueCancelled() : std::runtime_error("pipeline stopped by an error in another stage") {}
};

template <class T>
class BoundedQueue {
 public:
  explicit BoundedQueue(std::size_t capacity) : cap_(capacity ? capacity : 1) {}

  /// Waits for room; returns the seconds spent waiting.
  double push(T v) {
    std::unique_lock lock(mu_);
    const auto t0 = std::chrono::steady_clock::now();
    not_full_.wait(lock, [&] { return cancelled_ || q_.size() < cap_; });
    if (cancelled_) throw QueueCancelled();
    q_.push_back(std::move(v));
    not_empty_.notify_one();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }

  /// The next item, or nothing once closed and drained.
  std::optional<T> pop(double* waited = nullptr) {
    std::unique_lock lock(mu_);
    const auto t0 = std::chrono::steady_clock::now();
    not_empty_.wait(lock, [&] { return cancelled_ || closed_ || !q_.empty(); });
    if (waited) *waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (cancelled_) throw QueueCancelled();
    if (q_.empty()) return std::nullopt;
    T v = std::move(q_.front());
    q_.pop_front();
    not_full_.notify_one();
    return v;
  }

  void close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    not_empty_.notify_all();
  }

  void cancel() {
    std::lock_guard lock(mu_);
    cancelled_ = true;
    not_empty_.notify_all();
    not_full_.notify_all();
  }

  std::size_t size() const {
    std::lock_guard lock(mu_);
    return q_.size();
  }

 private:
  const std::size_t cap_;
  mutable std::mutex mu_;
  std::condition_variable not_empty_, not_full_;
  std::deque<T> q_;
  bool closed_ = false, cancelled_ = false;
};

}  // namespace gpualign::detail
