#pragma once
/// @file thread_pool.hpp
/// A small work-stealing thread pool and task groups whose wait() helps run
/// queued tasks, so a task that waits for other tasks on the same pool (a DAG
/// task calling execute_parallel, say) never deadlocks it.

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace gpualign {

/// A fixed set of worker threads, each with its own task deque; idle workers
/// steal from the others.  Tasks submitted from a worker go to that worker's
/// deque (last in, first out); tasks from other threads to a shared queue.
class ThreadPool {
 public:
  /// Starts `threads` workers (0 = default_workers(WorkloadKind::cpu_bound)).
  explicit ThreadPool(std::size_t threads = 0);
  /// Runs the tasks still queued, then joins the workers.
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  /// Number of worker threads.
  std::size_t size() const noexcept { return workers_.size(); }

  /// Queues `task`.  It must not throw (an escaping exception ends the
  /// program, as with std::thread); use TaskGroup to carry exceptions.
  void submit(std::function<void()> task);

  /// Runs one queued task on the calling thread, if there is one.
  bool try_run_one();

  /// Runs queued tasks on the calling thread until `done()` is true, sleeping
  /// only while there is nothing to run.  `done` is re-checked whenever a
  /// task group finishes (see notify_waiters()) and at least every millisecond.
  void help_until(const std::function<bool()>& done);

  /// Wakes the threads sleeping in help_until() so they re-check their condition.
  void notify_waiters();

  /// The process-wide pool: usable_cpus() workers, created on first use.  In a
  /// forked child a new one is made (the parent's workers do not exist there).
  static ThreadPool& shared();

  /// The pool whose worker is running the calling thread, or nullptr.
  static ThreadPool* current() noexcept;

 private:
  struct Worker {
    std::mutex mu;
    std::deque<std::function<void()>> tasks;
    std::thread thread;
  };

  void worker_loop(std::size_t index);
  bool pop_task(std::function<void()>& out, std::size_t self);
  static void run_task(std::function<void()>& task) noexcept;

  std::vector<std::unique_ptr<Worker>> workers_;
  std::mutex inject_mu_;
  std::deque<std::function<void()>> inject_;
  std::atomic<std::size_t> pending_{0};   // queued, not yet taken
  std::atomic<std::size_t> sleepers_{0};  // threads parked on park_cv_
  std::mutex park_mu_;
  std::condition_variable park_cv_;
  std::atomic<bool> stop_{false};
};

/// A set of tasks run on a pool and waited for together.  wait() helps run
/// queued tasks while it waits and rethrows the first exception a task threw.
class TaskGroup {
 public:
  /// Tasks go to `pool`.
  explicit TaskGroup(ThreadPool& pool) : pool_(pool) {}
  /// Waits for the tasks still running (their exceptions are dropped).
  ~TaskGroup();
  TaskGroup(const TaskGroup&) = delete;
  TaskGroup& operator=(const TaskGroup&) = delete;

  /// Queues `fn`; an exception it throws is kept for wait().
  void run(std::function<void()> fn);

  /// Waits, helping, until every task has finished; then rethrows the first
  /// exception any task threw.
  void wait();

 private:
  ThreadPool& pool_;
  std::atomic<std::size_t> outstanding_{0};
  std::mutex err_mu_;
  std::exception_ptr error_;
};

namespace detail {
/// Forgets, in a forked child, which pool the forking thread belonged to:
/// that pool's workers do not exist in the child.  Called automatically via
/// pthread_atfork; exposed for the process pool to call as well.
void thread_pool_after_fork_in_child() noexcept;
}  // namespace detail

}  // namespace gpualign
