// Codecs: every built-in kind round-trips; truncated data is an error.

#include <gtest/gtest.h>

#include "gpualign/result_codec.hpp"

namespace gpualign {
namespace {

struct Point {
  int x;
  double y;
};

struct Named {
  std::string name;
  std::vector<int> values;
};

}  // namespace

template <>
struct Codec<Named> {
  static void encode(ByteWriter& w, const Named& v) {
    w.put(v.name);
    w.put(v.values);
  }
  static Named decode(ByteReader& r) {
    Named n;
    n.name = r.get<std::string>();
    n.values = r.get<std::vector<int>>();
    return n;
  }
};

namespace {

template <class T>
T round_trip(const T& v) {
  std::string bytes;
  ByteWriter w(bytes);
  w.put(v);
  ByteReader r(bytes);
  T out = r.get<T>();
  EXPECT_EQ(r.remaining(), 0u);
  return out;
}

TEST(ResultCodec, BuiltIns) {
  EXPECT_EQ(round_trip(42), 42);
  auto p = round_trip(Point{3, 2.5});
  EXPECT_EQ(p.x, 3);
  EXPECT_EQ(p.y, 2.5);
  EXPECT_EQ(round_trip(std::string("hello\0world", 11)), std::string("hello\0world", 11));
  EXPECT_EQ(round_trip(std::vector<double>{1, 2, 3}), (std::vector<double>{1, 2, 3}));
  EXPECT_EQ(round_trip(std::vector<std::string>{"a", "", "ccc"}), (std::vector<std::string>{"a", "", "ccc"}));
  EXPECT_EQ(round_trip(std::vector<bool>{true, false, true}), (std::vector<bool>{true, false, true}));
  EXPECT_EQ(round_trip(std::optional<std::string>{}), std::nullopt);
  EXPECT_EQ(round_trip(std::optional<std::string>{"x"}), std::optional<std::string>{"x"});
  EXPECT_EQ(round_trip(std::pair<std::string, int>{"k", 9}), (std::pair<std::string, int>{"k", 9}));
  EXPECT_EQ(round_trip(std::vector<std::vector<int>>{{1}, {}, {2, 3}}), (std::vector<std::vector<int>>{{1}, {}, {2, 3}}));
}

TEST(ResultCodec, UserSpecialisation) {
  static_assert(Encodable<Named>);
  static_assert(!Encodable<int*>);
  static_assert(!Encodable<std::vector<int*>>);
  auto n = round_trip(Named{"abc", {1, 2}});
  EXPECT_EQ(n.name, "abc");
  EXPECT_EQ(n.values, (std::vector<int>{1, 2}));
}

TEST(ResultCodec, TruncatedDataThrows) {
  std::string bytes;
  ByteWriter w(bytes);
  w.put(std::string("abcdef"));
  bytes.resize(bytes.size() - 2);
  ByteReader r(bytes);
  EXPECT_THROW(r.get<std::string>(), Error);
  std::string huge;
  ByteWriter w2(huge);
  w2.put(std::uint64_t{1} << 60);  // a vector claiming 2^60 elements
  ByteReader r2(huge);
  EXPECT_THROW(r2.get<std::vector<int>>(), Error);
}

}  // namespace
}  // namespace gpualign
