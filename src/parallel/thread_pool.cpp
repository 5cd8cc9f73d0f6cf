// The work-stealing thread pool and helping task groups.

#include "gpualign/thread_pool.hpp"

#include <pthread.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <limits>
#include <utility>

#include "gpualign/worker_defaults.hpp"

namespace gpualign {
namespace {

constexpr std::size_t kNotAWorker = std::numeric_limits<std::size_t>::max();

thread_local ThreadPool* tls_pool = nullptr;
thread_local std::size_t tls_index = kNotAWorker;

// In a forked child only the forking thread exists; it must not believe it is
// a worker of a pool whose other threads are gone.
void reset_tls_in_child() noexcept {
  tls_pool = nullptr;
  tls_index = kNotAWorker;
}
[[maybe_unused]] const bool g_atfork_registered = [] {
  pthread_atfork(nullptr, nullptr, &reset_tls_in_child);
  return true;
}();

}  // namespace

namespace detail {
void thread_pool_after_fork_in_child() noexcept { reset_tls_in_child(); }
}  // namespace detail

ThreadPool::ThreadPool(std::size_t threads) {
  if (threads == 0) threads = default_workers(WorkloadKind::cpu_bound);
  workers_.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) workers_.push_back(std::make_unique<Worker>());
  for (std::size_t i = 0; i < threads; ++i)
    workers_[i]->thread = std::thread([this, i] { worker_loop(i); });
}

ThreadPool::~ThreadPool() {
  stop_.store(true);
  {
    std::lock_guard lock(park_mu_);
  }
  park_cv_.notify_all();
  for (auto& w : workers_)
    if (w->thread.joinable()) w->thread.join();
}

void ThreadPool::submit(std::function<void()> task) {
  if (tls_pool == this && tls_index != kNotAWorker) {
    std::lock_guard lock(workers_[tls_index]->mu);
    workers_[tls_index]->tasks.push_back(std::move(task));
  } else {
    std::lock_guard lock(inject_mu_);
    inject_.push_back(std::move(task));
  }
  pending_.fetch_add(1);
  if (sleepers_.load() > 0) {
    { std::lock_guard lock(park_mu_); }
    park_cv_.notify_one();
  }
}

bool ThreadPool::pop_task(std::function<void()>& out, std::size_t self) {
  if (pending_.load() == 0) return false;
  const std::size_t n = workers_.size();
  if (self != kNotAWorker) {
    std::lock_guard lock(workers_[self]->mu);
    auto& q = workers_[self]->tasks;
    if (!q.empty()) {
      out = std::move(q.back());
      q.pop_back();
      pending_.fetch_sub(1);
      return true;
    }
  }
  {
    std::lock_guard lock(inject_mu_);
    if (!inject_.empty()) {
      out = std::move(inject_.front());
      inject_.pop_front();
      pending_.fetch_sub(1);
      return true;
    }
  }
  // Steal the oldest task of another worker (the biggest piece, in
  // divide-and-conquer use), starting after ourselves to spread thieves.
  const std::size_t start = self == kNotAWorker ? 0 : self + 1;
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t v = (start + k) % n;
    if (v == self) continue;
    std::lock_guard lock(workers_[v]->mu);
    auto& q = workers_[v]->tasks;
    if (!q.empty()) {
      out = std::move(q.front());
      q.pop_front();
      pending_.fetch_sub(1);
      return true;
    }
  }
  return false;
}

void ThreadPool::run_task(std::function<void()>& task) noexcept {
  // noexcept: an exception escaping a raw task terminates, as documented.
  task();
  task = nullptr;
}

bool ThreadPool::try_run_one() {
  std::function<void()> task;
  const std::size_t self = tls_pool == this ? tls_index : kNotAWorker;
  if (!pop_task(task, self)) return false;
  run_task(task);
  return true;
}

void ThreadPool::worker_loop(std::size_t index) {
  tls_pool = this;
  tls_index = index;
  std::function<void()> task;
  for (;;) {
    if (pop_task(task, index)) {
      run_task(task);
      continue;
    }
    if (stop_.load() && pending_.load() == 0) break;
    sleepers_.fetch_add(1);
    {
      std::unique_lock lock(park_mu_);
      park_cv_.wait(lock, [&] { return pending_.load() > 0 || stop_.load(); });
    }
    sleepers_.fetch_sub(1);
  }
  tls_pool = nullptr;
  tls_index = kNotAWorker;
}

void ThreadPool::help_until(const std::function<bool()>& done) {
  while (!done()) {
    if (try_run_one()) continue;
    sleepers_.fetch_add(1);
    {
      std::unique_lock lock(park_mu_);
      park_cv_.wait_for(lock, std::chrono::milliseconds(1),
                        [&] { return pending_.load() > 0 || done(); });
    }
    sleepers_.fetch_sub(1);
  }
}

void ThreadPool::notify_waiters() {
  if (sleepers_.load() == 0) return;
  { std::lock_guard lock(park_mu_); }
  park_cv_.notify_all();
}

ThreadPool& ThreadPool::shared() {
  // Deliberately leaked: joining workers during static destruction races
  // with other static destructors, and in a forked child the parent's pool
  // object must not be destroyed (its threads do not exist there).
  static std::mutex mu;
  static ThreadPool* pool = nullptr;
  static pid_t owner = 0;
  std::lock_guard lock(mu);
  if (pool == nullptr || owner != getpid()) {
    pool = new ThreadPool(0);
    owner = getpid();
  }
  return *pool;
}

ThreadPool* ThreadPool::current() noexcept { return tls_pool; }

TaskGroup::~TaskGroup() {
  if (outstanding_.load() != 0) {
    try {
      pool_.help_until([this] { return outstanding_.load() == 0; });
    } catch (...) {
    }
  }
}

void TaskGroup::run(std::function<void()> fn) {
  outstanding_.fetch_add(1);
  pool_.submit([this, fn = std::move(fn)]() noexcept {
    try {
      fn();
    } catch (...) {
      std::lock_guard lock(err_mu_);
      if (!error_) error_ = std::current_exception();
    }
    // Notify through a copy of the pool reference: once outstanding_ reaches
    // zero the group (and `this`) may be destroyed by the waiter.
    ThreadPool& pool = pool_;
    if (outstanding_.fetch_sub(1) == 1) pool.notify_waiters();
  });
}

void TaskGroup::wait() {
  pool_.help_until([this] { return outstanding_.load() == 0; });
  std::exception_ptr e;
  {
    std::lock_guard lock(err_mu_);
    e = std::exchange(error_, nullptr);
  }
  if (e) std::rethrow_exception(e);
}

}  // namespace gpualign
