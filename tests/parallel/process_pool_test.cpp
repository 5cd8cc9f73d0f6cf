// Process pool robustness: crashing, killed, hanging and exiting items are
// named; every other result arrives; no zombies, no leaked descriptors;
// SIGINT/SIGTERM to the parent stop the workers and raise an error.

#include <dirent.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "gpualign/execute_parallel.hpp"

namespace gpualign {
namespace {

std::size_t open_fds() {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

// True when this process has no child at all, zombie or alive.
bool no_children() {
  int st = 0;
  return waitpid(-1, &st, WNOHANG) < 0 && errno == ECHILD;
}

void no_core_dumps() {
  struct rlimit zero {0, 0};
  setrlimit(RLIMIT_CORE, &zero);
}

// A genuine segmentation fault: a write to a page mapped without access.
void segfault() {
  no_core_dumps();
  void* page = mmap(nullptr, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  *static_cast<volatile int*>(page) = 1;
}

std::vector<int> iota_items(int n) {
  std::vector<int> v(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) v[static_cast<std::size_t>(i)] = i;
  return v;
}

const ItemError* failure_of(const std::vector<ItemError>& fs, std::size_t i) {
  for (const auto& f : fs)
    if (f.index == i) return &f;
  return nullptr;
}

class CrashInjection : public ::testing::TestWithParam<std::size_t> {};  // chunk size

TEST_P(CrashInjection, FailuresAreNamedAndEverythingElseArrives) {
  const std::size_t fds_before = open_fds();
  auto items = iota_items(60);
  auto fn = [](int i) -> std::string {
    if (i == 7) segfault();
    if (i == 19) kill(getpid(), SIGKILL);
    if (i == 23) { no_core_dumps(); std::abort(); }
    if (i == 31) std::this_thread::sleep_for(std::chrono::seconds(60));
    if (i == 44) _exit(3);
    return "r" + std::to_string(i);
  };
  ParallelOptions opt{.num_workers = 3, .pool_type = PoolType::process, .chunk_size = GetParam()};
  opt.chunk_timeout_s = 0.5;
  auto got = execute_parallel_collect(fn, items, opt);

  for (int i = 0; i < 60; ++i) {
    if (i == 7 || i == 19 || i == 23 || i == 31 || i == 44) continue;
    ASSERT_TRUE(got.values[i].has_value()) << "item " << i << " lost";
    EXPECT_EQ(*got.values[i], "r" + std::to_string(i));
  }
  ASSERT_EQ(got.failures.size(), 5u);
  auto expect = [&](std::size_t i, ItemFailure kind, const char* words) {
    const ItemError* f = failure_of(got.failures, i);
    ASSERT_NE(f, nullptr) << "item " << i;
    EXPECT_EQ(f->kind, kind) << f->message;
    EXPECT_NE(f->message.find(words), std::string::npos) << f->message;
    EXPECT_FALSE(got.values[i].has_value());
  };
  expect(7, ItemFailure::worker_signal, "SIGSEGV");
  expect(19, ItemFailure::worker_signal, "SIGKILL");
  expect(23, ItemFailure::worker_signal, "SIGABRT");
  expect(31, ItemFailure::timeout, "timed out");
  expect(44, ItemFailure::worker_exit, "status 3");

  EXPECT_TRUE(no_children());
  EXPECT_EQ(open_fds(), fds_before);
}

INSTANTIATE_TEST_SUITE_P(ChunkSizes, CrashInjection, ::testing::Values(1u, 10u, 100u));

TEST(ProcessPool, ACrashOnTheFirstAttemptOnlyIsRetried) {
  // Item 5 crashes its first worker only (a marker file remembers): the
  // retry on a fresh worker succeeds and nothing is reported.
  const auto marker = std::filesystem::temp_directory_path() /
                      ("gpualign_retry_" + std::to_string(getpid()));
  std::filesystem::remove(marker);
  auto items = iota_items(20);
  auto fn = [&](int i) {
    if (i == 5 && !std::filesystem::exists(marker)) {
      std::FILE* f = std::fopen(marker.c_str(), "w");
      if (f) std::fclose(f);
      segfault();
    }
    return i * 2;
  };
  auto out = execute_parallel(fn, items, {.num_workers = 2, .pool_type = PoolType::process, .chunk_size = 4});
  std::filesystem::remove(marker);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(out[i], i * 2);
  EXPECT_TRUE(no_children());
}

TEST(ProcessPool, ThrowingFormNamesTheSignal) {
  auto items = iota_items(10);
  try {
    execute_parallel([](int i) { if (i == 4) segfault(); return i; }, items,
                     {.num_workers = 2, .pool_type = PoolType::process});
    FAIL() << "expected ParallelError";
  } catch (const ParallelError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("item 4"), std::string::npos) << what;
    EXPECT_NE(what.find("SIGSEGV"), std::string::npos) << what;
  }
  EXPECT_TRUE(no_children());
}

TEST(ProcessPool, ChildMemoryIsPrivateAndLargeResultsArrive) {
  // Results bigger than a pipe buffer cross intact; the workers' writes to
  // their copy of memory do not reach the parent.
  static int touched = 0;
  auto items = iota_items(12);
  auto out = execute_parallel(
      [](int i) {
        touched = 1;
        return std::vector<std::uint32_t>(300000 + static_cast<std::size_t>(i), static_cast<std::uint32_t>(i));
      },
      items, {.num_workers = 3, .pool_type = PoolType::process, .chunk_size = 2});
  EXPECT_EQ(touched, 0);
  for (int i = 0; i < 12; ++i) {
    ASSERT_EQ(out[i].size(), 300000u + static_cast<std::size_t>(i));
    EXPECT_EQ(out[i].front(), static_cast<std::uint32_t>(i));
    EXPECT_EQ(out[i].back(), static_cast<std::uint32_t>(i));
  }
}

TEST(ProcessPool, WorkersCanUseThreadsForkedFromAThreadedParent) {
  // The parent's shared thread pool is running when the workers fork; in a
  // worker it does not exist, so a nested threaded call must get a new one.
  std::vector<int> warm(64, 1);
  execute_parallel([](int v) { return v; }, warm, {.num_workers = 2, .chunk_size = 1});
  auto items = iota_items(6);
  auto out = execute_parallel(
      [](int i) {
        std::vector<int> inner(100, i);
        auto r = execute_parallel([](int v) { return v + 1; }, inner, {.num_workers = 2, .chunk_size = 7});
        long s = 0;
        for (int v : r) s += v;
        return s;
      },
      items, {.num_workers = 2, .pool_type = PoolType::process, .chunk_size = 1});
  for (int i = 0; i < 6; ++i) EXPECT_EQ(out[i], 100L * (i + 1));
  EXPECT_TRUE(no_children());
}

// SIGINT or SIGTERM to the parent while workers hang: the call ends with an
// error, the workers are gone, and the old signal disposition is back.
class StopSignal : public ::testing::TestWithParam<int> {};

TEST_P(StopSignal, EndsWorkersAndThrows) {
  const int sig = GetParam();
  struct sigaction before {};
  sigaction(sig, nullptr, &before);
  int started[2];
  ASSERT_EQ(pipe(started), 0);
  const std::size_t fds_before = open_fds();
  // Sends the signal once a worker proves (by writing to the pipe) that the
  // pool is running, hence that its handler is installed.
  std::thread sender([&] {
    char c;
    if (read(started[0], &c, 1) == 1) kill(getpid(), sig);
  });
  auto items = iota_items(8);
  const int wfd = started[1];
  try {
    execute_parallel(
        [wfd](int) {
          const char c = 1;
          [[maybe_unused]] auto r = write(wfd, &c, 1);
          std::this_thread::sleep_for(std::chrono::seconds(60));
          return 0;
        },
        items, {.num_workers = 2, .pool_type = PoolType::process, .chunk_size = 1});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(sig == SIGINT ? "SIGINT" : "SIGTERM"), std::string::npos) << e.what();
  }
  close(started[1]);  // the sender sees EOF if no worker ever wrote
  sender.join();
  close(started[0]);
  EXPECT_TRUE(no_children());
  EXPECT_EQ(open_fds(), fds_before - 2);
  struct sigaction after {};
  sigaction(sig, nullptr, &after);
  EXPECT_EQ(after.sa_handler, before.sa_handler);
}

INSTANTIATE_TEST_SUITE_P(Signals, StopSignal, ::testing::Values(SIGINT, SIGTERM),
                         [](const auto& info) { return std::string(info.param == SIGINT ? "SIGINT" : "SIGTERM"); });

TEST(ProcessPool, UnwrittenStdoutIsNotDuplicatedByWorkers) {
  // Bytes buffered in the parent's stdout when workers fork must be written
  // once, by the parent.  Checked through a pipe standing in for stdout; the
  // text has no newline so it stays buffered whatever stdout's buffering.
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  std::fflush(stdout);
  const int saved = dup(STDOUT_FILENO);
  dup2(p[1], STDOUT_FILENO);
  close(p[1]);
  std::printf("parent-partial");  // stays in the buffer
  auto items = iota_items(4);
  execute_parallel([](int i) { return i; }, items, {.num_workers = 2, .pool_type = PoolType::process, .chunk_size = 1});
  std::fflush(stdout);
  dup2(saved, STDOUT_FILENO);
  close(saved);
  std::string got;
  char buf[256];
  for (ssize_t r; (r = read(p[0], buf, sizeof buf)) > 0;) got.append(buf, static_cast<std::size_t>(r));
  close(p[0]);
  EXPECT_EQ(got, "parent-partial");
}

}  // namespace
}  // namespace gpualign
