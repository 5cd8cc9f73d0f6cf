#pragma once
/// @file result_codec.hpp
/// How a result crosses from a worker process to its parent: bytes written by
/// a Codec<T>.  Built in for trivially copyable types (pointers excluded),
/// std::string, and std::vector, std::optional and std::pair of encodable
/// types.  For another type specialise gpualign::Codec:
///
///     template <> struct gpualign::Codec<MyResult> {
///       static void encode(ByteWriter& w, const MyResult& v);
///       static MyResult decode(ByteReader& r);
///     };

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <concepts>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "gpualign/error.hpp"

namespace gpualign {

/// Appends bytes to a string buffer.
class ByteWriter {
 public:
  /// Writes into `out`, after what it already holds.
  explicit ByteWriter(std::string& out) : out_(out) {}
  /// Appends `n` raw bytes.
  void write_bytes(const void* data, std::size_t n) {
    if (n) out_.append(static_cast<const char*>(data), n);
  }
  /// Appends `v` with its Codec.
  template <class T>
  void put(const T& v);

 private:
  std::string& out_;
};

/// Reads bytes written by a ByteWriter; throws gpualign::Error when the data
/// ends early.
class ByteReader {
 public:
  /// Reads from `in` (not owned).
  explicit ByteReader(std::string_view in) : in_(in) {}
  /// Copies the next `n` bytes to `data`.
  void read_bytes(void* data, std::size_t n) {
    if (n > in_.size()) throw Error("result data ends early (corrupt worker output)");
    if (n == 0) return;  // data may be null (an empty vector's)
    std::memcpy(data, in_.data(), n);
    in_.remove_prefix(n);
  }
  /// A view of the next `n` bytes, consumed.
  std::string_view take(std::size_t n) {
    if (n > in_.size()) throw Error("result data ends early (corrupt worker output)");
    auto v = in_.substr(0, n);
    in_.remove_prefix(n);
    return v;
  }
  /// Reads a `T` with its Codec.
  template <class T>
  T get();
  /// Bytes not read yet.
  std::size_t remaining() const noexcept { return in_.size(); }

 private:
  std::string_view in_;
};

/// Encodes and decodes `T`.  The primary template is empty: a type without a
/// codec is not Encodable, and a process pool asked to return it fails to
/// compile with the message of require_encodable().
template <class T>
struct Codec {};

/// Whether `T` has a usable Codec (built in or user-supplied).
template <class T>
concept Encodable = requires(ByteWriter& w, ByteReader& r, const T& v) {
  { Codec<T>::encode(w, v) };
  { Codec<T>::decode(r) } -> std::same_as<T>;
};

/// Compiles only when `T` is Encodable, with a message saying what to do.
template <class T>
constexpr void require_encodable() {
  static_assert(Encodable<T>,
                "gpualign: this result type cannot cross a process boundary. Results of a process "
                "pool must be trivially copyable (not pointers), std::string, or std::vector / "
                "std::optional / std::pair of those, or have a specialisation gpualign::Codec<T> with "
                "static void encode(ByteWriter&, const T&) and static T decode(ByteReader&). For "
                "thread-only work use execute_threads().");
}

/// Trivially copyable values (not pointers): their bytes.
template <class T>
  requires(std::is_trivially_copyable_v<T> && !std::is_pointer_v<T> && !std::is_member_pointer_v<T>)
struct Codec<T> {
  static void encode(ByteWriter& w, const T& v) { w.write_bytes(&v, sizeof(T)); }
  static T decode(ByteReader& r) {
    T v;
    r.read_bytes(&v, sizeof(T));
    return v;
  }
};

/// Strings: a 64-bit length, then the characters.
template <>
struct Codec<std::string> {
  static void encode(ByteWriter& w, const std::string& v) {
    const std::uint64_t n = v.size();
    w.write_bytes(&n, sizeof n);
    w.write_bytes(v.data(), v.size());
  }
  static std::string decode(ByteReader& r) {
    std::uint64_t n = 0;
    r.read_bytes(&n, sizeof n);
    return std::string(r.take(n));
  }
};

/// Vectors: a 64-bit count, then the elements (one block for trivially
/// copyable elements).
template <class T, class A>
  requires Encodable<T>
struct Codec<std::vector<T, A>> {
  static void encode(ByteWriter& w, const std::vector<T, A>& v) {
    const std::uint64_t n = v.size();
    w.write_bytes(&n, sizeof n);
    if constexpr (std::is_trivially_copyable_v<T> && !std::is_same_v<T, bool>)
      w.write_bytes(v.data(), v.size() * sizeof(T));
    else
      for (const auto& x : v) Codec<T>::encode(w, x);
  }
  static std::vector<T, A> decode(ByteReader& r) {
    std::uint64_t n = 0;
    r.read_bytes(&n, sizeof n);
    std::vector<T, A> v;
    if constexpr (std::is_trivially_copyable_v<T> && !std::is_same_v<T, bool>) {
      if (n > r.remaining() / (sizeof(T) ? sizeof(T) : 1)) throw Error("result data ends early (corrupt worker output)");
      v.resize(n);
      r.read_bytes(v.data(), n * sizeof(T));
    } else {
      if (n > r.remaining()) throw Error("result data ends early (corrupt worker output)");
      v.reserve(n);
      for (std::uint64_t i = 0; i < n; ++i) v.push_back(Codec<T>::decode(r));
    }
    return v;
  }
};

/// Optionals: a flag byte, then the value if present.
template <class T>
  requires(Encodable<T> && !std::is_trivially_copyable_v<std::optional<T>>)
struct Codec<std::optional<T>> {
  static void encode(ByteWriter& w, const std::optional<T>& v) {
    const std::uint8_t has = v.has_value();
    w.write_bytes(&has, 1);
    if (has) Codec<T>::encode(w, *v);
  }
  static std::optional<T> decode(ByteReader& r) {
    std::uint8_t has = 0;
    r.read_bytes(&has, 1);
    if (!has) return std::nullopt;
    return Codec<T>::decode(r);
  }
};

/// Pairs: first, then second.
template <class A, class B>
  requires(Encodable<A> && Encodable<B> && !std::is_trivially_copyable_v<std::pair<A, B>>)
struct Codec<std::pair<A, B>> {
  static void encode(ByteWriter& w, const std::pair<A, B>& v) {
    Codec<A>::encode(w, v.first);
    Codec<B>::encode(w, v.second);
  }
  static std::pair<A, B> decode(ByteReader& r) {
    A a = Codec<A>::decode(r);
    B b = Codec<B>::decode(r);
    return {std::move(a), std::move(b)};
  }
};

template <class T>
void ByteWriter::put(const T& v) {
  Codec<T>::encode(*this, v);
}

template <class T>
T ByteReader::get() {
  return Codec<T>::decode(*this);
}

}  // namespace gpualign
