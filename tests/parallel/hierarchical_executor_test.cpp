// HierarchicalExecutor: random DAGs run each task once after its
// dependencies; graph errors are named; failures cancel only descendants;
// the critical path goes first and gets more threads; the report adds up.

#include <atomic>
#include <chrono>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "gpualign/execute_parallel.hpp"
#include "gpualign/hierarchical_executor.hpp"

namespace gpualign {
namespace {

std::string name_of(std::size_t i) { return "t" + std::to_string(i); }

TEST(HierarchicalExecutor, RandomDagsRunEachTaskOnceAfterItsDependencies) {
  std::mt19937 rng(2024);
  for (int graph = 0; graph < 300; ++graph) {
    const std::size_t n = 1 + rng() % 40;
    const double density = (rng() % 100) / 100.0 * 0.3;
    // Edges go from lower to higher rank in a random permutation: acyclic.
    std::vector<std::size_t> rank(n);
    for (std::size_t i = 0; i < n; ++i) rank[i] = i;
    std::shuffle(rank.begin(), rank.end(), rng);
    std::vector<std::vector<std::size_t>> deps(n);
    for (std::size_t a = 0; a < n; ++a)
      for (std::size_t b = 0; b < n; ++b)
        if (rank[a] < rank[b] && std::uniform_real_distribution<>(0, 1)(rng) < density) deps[b].push_back(a);

    auto runs = std::make_unique<std::atomic<int>[]>(n);
    auto finished = std::make_unique<std::atomic<bool>[]>(n);
    std::atomic<int> order_violations{0};
    HierarchicalExecutor ex(1 + rng() % 4);
    // Tasks are added in a shuffled order: the executor, not the add order,
    // must respect the dependencies.
    std::vector<std::size_t> add_order(n);
    for (std::size_t i = 0; i < n; ++i) add_order[i] = i;
    std::shuffle(add_order.begin(), add_order.end(), rng);
    for (std::size_t i : add_order) {
      std::vector<std::string> dn;
      for (std::size_t d : deps[i]) dn.push_back(name_of(d));
      ex.add_task(
          name_of(i),
          [&, i](TaskContext& ctx) -> long long {
            runs[i].fetch_add(1);
            long long v = 1;
            for (std::size_t d : deps[i]) {
              if (!finished[d].load()) order_violations.fetch_add(1);
              v += ctx.get<long long>(name_of(d));
            }
            finished[i].store(true);
            return v;
          },
          dn, {.cost = static_cast<double>(1 + rng() % 10)});
    }
    const ExecutionReport rep = ex.execute();
    ASSERT_TRUE(rep.ok());
    EXPECT_EQ(order_violations.load(), 0) << "graph " << graph;
    // Expected values by a serial pass in rank order.
    std::vector<std::size_t> by_rank(n);
    for (std::size_t i = 0; i < n; ++i) by_rank[rank[i]] = i;
    std::vector<long long> want(n, 0);
    for (std::size_t i : by_rank) {
      want[i] = 1;
      for (std::size_t d : deps[i]) want[i] += want[d];
    }
    for (std::size_t i = 0; i < n; ++i) {
      ASSERT_EQ(runs[i].load(), 1) << "graph " << graph << " task " << i;
      EXPECT_EQ(rep.get<long long>(name_of(i)), want[i]);
      const auto& rec = rep.task(name_of(i));
      for (std::size_t d : deps[i]) EXPECT_GE(rec.start_s, rep.task(name_of(d)).end_s);
    }
  }
}

TEST(HierarchicalExecutor, GraphErrorsNameTheTasks) {
  std::atomic<int> ran{0};
  auto task = [&] { ran.fetch_add(1); };
  {
    HierarchicalExecutor ex(2);
    ex.add_task("a", task);
    ex.add_task("a", task);
    try {
      ex.execute();
      FAIL();
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("duplicate task name 'a'"), std::string::npos) << e.what();
    }
  }
  {
    HierarchicalExecutor ex(2);
    ex.add_task("align", task, {"read", "index"});
    ex.add_task("read", task);
    try {
      ex.execute();
      FAIL();
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("task 'align' depends on unknown task 'index'"), std::string::npos)
          << e.what();
    }
  }
  {
    HierarchicalExecutor ex(2);
    ex.add_task("start", task);
    ex.add_task("a", task, {"start", "c"});
    ex.add_task("b", task, {"a"});
    ex.add_task("c", task, {"b"});
    ex.add_task("self", task, {"self"});
    try {
      ex.execute();
      FAIL();
    } catch (const Error& e) {
      const std::string w = e.what();
      EXPECT_TRUE(w.find("a -> b -> c -> a") != std::string::npos || w.find("b -> c -> a -> b") != std::string::npos ||
                  w.find("c -> a -> b -> c") != std::string::npos)
          << w;
      EXPECT_NE(w.find("self -> self"), std::string::npos) << w;
    }
  }
  EXPECT_EQ(ran.load(), 0);  // nothing runs when the graph is wrong
}

TEST(HierarchicalExecutor, FailureCancelsOnlyDescendants) {
  //   a -> b(fails) -> c -> d        b -> f <- e <- a
  //   a -> e                          g (alone) fails too
  HierarchicalExecutor ex(3);
  std::atomic<int> ran_c{0}, ran_d{0}, ran_f{0};
  ex.add_task("a", [] { return 1; });
  ex.add_task("b", [](TaskContext&) -> int { throw std::runtime_error("disk full"); }, {"a"});
  ex.add_task("c", [&] { ran_c++; }, {"b"});
  ex.add_task("d", [&] { ran_d++; }, {"c"});
  ex.add_task("e", [](TaskContext& c) { return c.get<int>("a") + 1; }, {"a"});
  ex.add_task("f", [&] { ran_f++; }, {"b", "e"});
  ex.add_task("g", [] { throw std::logic_error("bad config"); });
  try {
    ex.execute();
    FAIL() << "expected TaskGraphError";
  } catch (const TaskGraphError& err) {
    const std::string w = err.what();
    EXPECT_NE(w.find("'b': disk full"), std::string::npos) << w;
    EXPECT_NE(w.find("'g': bad config"), std::string::npos) << w;
    EXPECT_NE(w.find("3 dependent tasks cancelled"), std::string::npos) << w;
    const auto& rep = err.report();
    EXPECT_EQ(rep.task("a").status, TaskStatus::ok);
    EXPECT_EQ(rep.task("e").status, TaskStatus::ok);
    EXPECT_EQ(rep.get<int>("e"), 2);
    EXPECT_EQ(rep.task("b").status, TaskStatus::failed);
    EXPECT_EQ(rep.task("g").status, TaskStatus::failed);
    for (const char* t : {"c", "d", "f"}) {
      EXPECT_EQ(rep.task(t).status, TaskStatus::cancelled) << t;
      EXPECT_NE(rep.task(t).error.find("'b'"), std::string::npos);
    }
    EXPECT_EQ(rep.failures().size(), 5u);
  }
  EXPECT_EQ(ran_c + ran_d + ran_f, 0);
}

TEST(HierarchicalExecutor, TypedResultsAndBadLookups) {
  HierarchicalExecutor ex(2);
  ex.add_task("s", [] { return std::string("abc"); });
  ex.add_task("n", [](TaskContext& c) { return static_cast<int>(c.get<std::string>("s").size()); }, {"s"});
  ex.add_task("wrong_type", [](TaskContext& c) { return c.get<double>("s"); }, {"s"});
  ex.add_task("not_a_dep", [](TaskContext& c) { return c.get<int>("n"); }, {"s"});
  auto rep = ex.execute_collect();
  EXPECT_EQ(rep.get<int>("n"), 3);
  EXPECT_NE(rep.task("wrong_type").error.find("'wrong_type'"), std::string::npos);
  EXPECT_NE(rep.task("not_a_dep").error.find("'n' is not one of its dependencies"), std::string::npos)
      << rep.task("not_a_dep").error;
  EXPECT_THROW(rep.task("nope"), Error);
}

TEST(HierarchicalExecutor, CriticalPathRunsFirst) {
  // One worker, so the start order is exactly the scheduling order.  Short
  // independent tasks are added first: a first-come scheduler would start
  // them before the long chain.
  HierarchicalExecutor ex(1);
  for (int i = 0; i < 4; ++i) ex.add_task("short" + std::to_string(i), [] {}, {}, {.cost = 1});
  ex.add_task("L1", [] {}, {}, {.cost = 5});
  ex.add_task("L2", [] {}, {"L1"}, {.cost = 5});
  ex.add_task("L3", [] {}, {"L2"}, {.cost = 5});
  auto rep = ex.execute();
  EXPECT_EQ(rep.task("L1").start_order, 0u);
  EXPECT_EQ(rep.task("L2").start_order, 1u);
  EXPECT_EQ(rep.task("L3").start_order, 2u);
  EXPECT_EQ(rep.task("short0").start_order, 3u);
  EXPECT_DOUBLE_EQ(rep.task("L1").priority, 15.0);
}

TEST(HierarchicalExecutor, SecondRunUsesMeasuredTimes) {
  // Equal cost estimates, but "slow" really takes longer: on the second run
  // its measured time makes it go first.
  HierarchicalExecutor ex(1);
  ex.add_task("quick", [] {});
  ex.add_task("slow", [] { std::this_thread::sleep_for(std::chrono::milliseconds(30)); });
  auto first = ex.execute();
  EXPECT_EQ(first.task("quick").start_order, 0u);
  auto second = ex.execute();
  EXPECT_EQ(second.task("slow").start_order, 0u);
}

TEST(HierarchicalExecutor, CriticalTasksGetMoreThreads) {
  HierarchicalExecutor ex(4);
  std::atomic<std::size_t> big_threads{0}, side_threads{0};
  ex.add_task("big", [&](TaskContext& c) {
    big_threads = c.threads();
    // The granted threads drive a nested execute_parallel on the executor's pool.
    std::vector<int> items(200, 1);
    auto r = execute_parallel([](int v) { return v * 2; }, items, {.num_workers = c.threads(), .chunk_size = 5});
    return static_cast<int>(r.size());
  }, {}, {.cost = 10, .max_threads = 4});
  ex.add_task("side", [&](TaskContext& c) { side_threads = c.threads(); }, {}, {.cost = 1, .max_threads = 4});
  auto rep = ex.execute();
  EXPECT_EQ(big_threads.load(), 3u);   // all but one slot, kept for the other ready task
  EXPECT_EQ(side_threads.load(), 1u);
  EXPECT_EQ(rep.get<int>("big"), 200);
  EXPECT_EQ(rep.task("big").threads, 3u);
}

TEST(HierarchicalExecutor, NestedParallelCallsOnAOneWorkerPoolDoNotDeadlock) {
  // Every task asks for more threads than the executor has; the waiting
  // task runs the lanes itself.
  HierarchicalExecutor ex(1);
  for (int t = 0; t < 8; ++t)
    ex.add_task("t" + std::to_string(t), [t] {
      std::vector<int> items(64, t);
      auto r = execute_parallel([](int v) { return v + 1; }, items, {.num_workers = 4, .chunk_size = 3});
      long s = 0;
      for (int v : r) s += v;
      return s;
    }, t ? std::vector<std::string>{"t" + std::to_string(t / 2)} : std::vector<std::string>{});
  auto rep = ex.execute();
  for (int t = 0; t < 8; ++t) EXPECT_EQ(rep.get<long>("t" + std::to_string(t)), 64L * (t + 1));
}

TEST(HierarchicalExecutor, ReportAndDot) {
  HierarchicalExecutor ex(2);
  auto nap = [] { std::this_thread::sleep_for(std::chrono::milliseconds(5)); };
  ex.add_task("read", nap);
  ex.add_task("align", nap, {"read"});
  ex.add_task("write", nap, {"align"});
  ex.add_task("stats", [] {}, {"read"});
  auto rep = ex.execute();
  EXPECT_EQ(rep.critical_path(), (std::vector<std::string>{"read", "align", "write"}));
  EXPECT_TRUE(rep.task("align").on_critical_path);
  EXPECT_FALSE(rep.task("stats").on_critical_path);
  EXPECT_GT(rep.wall_seconds(), 0);
  EXPECT_GE(rep.wall_seconds() * 1.0001 + 1e-6, rep.critical_path_seconds());
  EXPECT_GT(rep.parallel_efficiency(), 0);
  EXPECT_LE(rep.parallel_efficiency(), 1.0001);
  EXPECT_EQ(rep.workers(), 2u);
  const std::string dot = rep.to_dot();
  EXPECT_NE(dot.find("digraph"), std::string::npos);
  EXPECT_NE(dot.find("\"read\" -> \"align\" [color=red"), std::string::npos) << dot;
  EXPECT_NE(dot.find("\"read\" -> \"stats\";"), std::string::npos) << dot;
}

TEST(HierarchicalExecutor, EmptyGraphAndRepeatedRuns) {
  HierarchicalExecutor ex(2);
  EXPECT_TRUE(ex.execute().ok());
  std::atomic<int> runs{0};
  ex.add_task("x", [&] { runs++; });
  ex.execute();
  ex.execute();
  EXPECT_EQ(runs.load(), 2);
}

}  // namespace
}  // namespace gpualign
