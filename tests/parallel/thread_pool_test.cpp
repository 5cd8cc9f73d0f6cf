// ThreadPool and TaskGroup: every task runs once, exceptions reach wait(),
// and waits nested inside tasks never deadlock even on a one-thread pool.

#include <atomic>
#include <future>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

#include "gpualign/thread_pool.hpp"

namespace gpualign {
namespace {

TEST(ThreadPool, RunsEveryTaskOnce) {
  ThreadPool pool(3);
  EXPECT_EQ(pool.size(), 3u);
  std::vector<std::atomic<int>> hits(1000);
  TaskGroup g(pool);
  for (int i = 0; i < 1000; ++i) g.run([&, i] { hits[i].fetch_add(1); });
  g.wait();
  for (auto& h : hits) EXPECT_EQ(h.load(), 1);
}

TEST(ThreadPool, WaitRethrowsFirstException) {
  ThreadPool pool(2);
  TaskGroup g(pool);
  std::atomic<int> ran{0};
  for (int i = 0; i < 20; ++i)
    g.run([&, i] {
      ran.fetch_add(1);
      if (i == 5) throw std::runtime_error("task 5 broke");
    });
  EXPECT_THROW(g.wait(), std::runtime_error);
  EXPECT_EQ(ran.load(), 20);  // the others still ran
}

// Recursive fork-join: each level waits for its children inside a task.
long fib(ThreadPool& pool, int n) {
  if (n < 12) return n < 2 ? n : fib(pool, n - 1) + fib(pool, n - 2);
  long a = 0, b = 0;
  TaskGroup g(pool);
  g.run([&] { a = fib(pool, n - 1); });
  b = fib(pool, n - 2);
  g.wait();
  return a + b;
}

TEST(ThreadPool, NestedWaitsDoNotDeadlock) {
  for (std::size_t threads : {1u, 2u, 4u}) {
    ThreadPool pool(threads);
    long r = 0;
    TaskGroup outer(pool);
    outer.run([&] { r = fib(pool, 22); });
    outer.wait();
    EXPECT_EQ(r, 17711) << threads;
  }
}

TEST(ThreadPool, CurrentAndShared) {
  EXPECT_EQ(ThreadPool::current(), nullptr);
  ThreadPool pool(1);
  // Submitted raw and awaited without helping, so a worker runs it.
  std::promise<ThreadPool*> seen;
  pool.submit([&]() noexcept { seen.set_value(ThreadPool::current()); });
  EXPECT_EQ(seen.get_future().get(), &pool);
  EXPECT_GE(ThreadPool::shared().size(), 1u);
  EXPECT_EQ(&ThreadPool::shared(), &ThreadPool::shared());
}

TEST(ThreadPool, DestructorRunsQueuedTasks) {
  std::atomic<int> ran{0};
  {
    ThreadPool pool(1);
    for (int i = 0; i < 100; ++i) pool.submit([&] { ran.fetch_add(1); });
  }
  EXPECT_EQ(ran.load(), 100);
}

}  // namespace
}  // namespace gpualign
