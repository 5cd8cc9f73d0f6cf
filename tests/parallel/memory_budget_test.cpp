// MemoryBudget: size strings, reservations, waiting and "never fits".

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "gpualign/memory_budget.hpp"

namespace gpualign {
namespace {

TEST(ByteSize, Parses) {
  EXPECT_EQ(parse_byte_size("100000"), 100000u);
  EXPECT_EQ(parse_byte_size("4G"), 4ull << 30);
  EXPECT_EQ(parse_byte_size("4g"), 4ull << 30);
  EXPECT_EQ(parse_byte_size("512M"), 512ull << 20);
  EXPECT_EQ(parse_byte_size("1.5GiB"), 3ull << 29);
  EXPECT_EQ(parse_byte_size("2 KiB"), 2048u);
  EXPECT_EQ(parse_byte_size("3KB"), 3000u);
  EXPECT_EQ(parse_byte_size("1GB"), 1000000000u);
  EXPECT_EQ(parse_byte_size("1T"), 1ull << 40);
  EXPECT_EQ(parse_byte_size(" 64B "), 64u);
}

TEST(ByteSize, RejectsNonsense) {
  for (const char* bad : {"", "G", "4X", "-1G", "0", "1.2.3M", "4GG", "99999999999999T"})
    EXPECT_THROW(parse_byte_size(bad), Error) << bad;
  try {
    parse_byte_size("4X");
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("4X"), std::string::npos);
  }
}

TEST(ByteSize, Formats) {
  EXPECT_EQ(format_byte_size(512), "512 B");
  EXPECT_EQ(format_byte_size(1536), "1.5 KiB");
  EXPECT_EQ(format_byte_size(4ull << 30), "4.0 GiB");
}

TEST(MemoryBudgetDefaults, FractionOfAvailable) {
  const auto avail = memory_available_to_process();
  EXPECT_GT(avail, 0u);
  const auto half = default_memory_budget(0.5);
  EXPECT_LE(half, std::max<std::uint64_t>(avail, 64ull << 20));
  EXPECT_GE(half, 64ull << 20);
  EXPECT_THROW(default_memory_budget(0), Error);
  EXPECT_THROW(default_memory_budget(1.5), Error);
  EXPECT_GT(parse_memory_budget("25%"), 0u);
  EXPECT_EQ(parse_memory_budget("1G"), 1ull << 30);
  EXPECT_THROW(parse_memory_budget("250%"), Error);
  MemoryBudget b;
  EXPECT_GE(b.capacity(), 64ull << 20);
}

TEST(MemoryBudget, ReserveRelease) {
  MemoryBudget b(1000);
  {
    auto r1 = b.reserve(600);
    EXPECT_TRUE(r1);
    EXPECT_EQ(b.in_use(), 600u);
    EXPECT_FALSE(b.try_reserve(500));  // not now
    auto r2 = b.try_reserve(400);
    EXPECT_TRUE(r2);
    EXPECT_EQ(b.in_use(), 1000u);
    r2.release();
    EXPECT_EQ(b.in_use(), 600u);
    auto moved = std::move(r1);
    EXPECT_EQ(b.in_use(), 600u);
  }
  EXPECT_EQ(b.in_use(), 0u);
  EXPECT_EQ(b.peak(), 1000u);
  EXPECT_TRUE(b.try_reserve(0));  // zero bytes always fits
}

TEST(MemoryBudget, NeverFitsThrowsNamingTheWork) {
  MemoryBudget b(1000);
  try {
    b.reserve(1001, "pair 7");
    FAIL() << "expected MemoryBudgetError";
  } catch (const MemoryBudgetError& e) {
    EXPECT_EQ(e.needed(), 1001u);
    EXPECT_EQ(e.capacity(), 1000u);
    EXPECT_NE(std::string(e.what()).find("pair 7"), std::string::npos);
  }
  EXPECT_THROW(b.try_reserve(5000), MemoryBudgetError);
  EXPECT_THROW(MemoryBudget(0), Error);
}

TEST(MemoryBudget, WaitsForOthers) {
  // Many threads reserving more than fits at once: the holders never exceed
  // the capacity, and everybody eventually gets through.
  MemoryBudget b(1000);
  std::atomic<std::uint64_t> held{0}, worst{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < 8; ++t)
    ts.emplace_back([&, t] {
      for (int k = 0; k < 50; ++k) {
        const std::uint64_t want = 100 + 100 * ((t + k) % 7);
        auto r = b.reserve(want);
        const auto now = held.fetch_add(want) + want;
        auto w = worst.load();
        while (now > w && !worst.compare_exchange_weak(w, now)) {}
        std::this_thread::yield();
        held.fetch_sub(want);
      }
    });
  for (auto& t : ts) t.join();
  EXPECT_LE(worst.load(), 1000u);
  EXPECT_LE(b.peak(), 1000u);
  EXPECT_EQ(b.in_use(), 0u);
}

}  // namespace
}  // namespace gpualign
