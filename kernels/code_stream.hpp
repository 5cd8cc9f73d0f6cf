#pragma once
// The sequence codes a batch uploads, and how the host stages them.
//
// DNA codes (0-14, padding 15) take 4 bits, two a byte, the first code of a
// byte in its low bits; batches of A, C, G and T only (codes 0-3: the
// register-score batches) 2 bits, four a byte; protein codes (0-23, padding
// 24) a byte each.  Codes are the bulk of what a short-pair batch uploads
// (W1: ~13.5 MB a call at a byte a code, against ~1.1 MB of slots and
// workers), so W1 goes up at a quarter of that.  Padding is never stored:
// kernels check lengths before reading a code.
//
// Offsets into a stream (Job::q_off, Slot::q_off, ...) count codes, not
// bytes.  Every sequence starts at a multiple of 4 codes (code_room), so no
// two sequences share a byte at any width: the host stages them in
// parallel, each writing whole bytes of its own.

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "hd.hpp"

#if defined(__SSE2__) && !defined(__CUDA_ARCH__)
#include <emmintrin.h>
#endif

namespace gpualign::kern {

/// Codes as the kernels read them.
struct CodeStream {
  const std::uint8_t* bytes = nullptr;
  std::int32_t bits = 8;  ///< 2 (A, C, G, T only), 4 (DNA) or 8 (protein)
  /// Code `p` of the stream.  Without a branch on the width: a kernel's
  /// code loads (a chunk of target codes every 32 steps) stay one block.
  GPUALIGN_HD int at(std::uint64_t p) const {
    const unsigned lg = bits == 8 ? 0u : bits == 4 ? 1u : 2u;  // log2 of the codes a byte
    const unsigned byte = bytes[p >> lg];
    const unsigned in_byte = static_cast<unsigned>(p) & ((1u << lg) - 1u);
    return static_cast<int>((byte >> (in_byte * static_cast<unsigned>(bits))) & ((1u << bits) - 1u));
  }
};

/// Codes of one stream entry: a sequence of `len` codes, rounded up to a
/// multiple of 4.
GPUALIGN_HD std::uint64_t code_room(std::int64_t len) { return (static_cast<std::uint64_t>(len) + 3u) & ~std::uint64_t{3}; }

/// Bytes of a stream of `codes` codes (a sum of code_room).
GPUALIGN_HD std::uint64_t code_bytes(std::uint64_t codes, int bits) {
  return bits == 2 ? (codes + 3) / 4 : bits == 4 ? (codes + 1) / 2 : codes;
}

/// Whether every code of `bytes` bytes of a 4-bit stream is A, C, G or T
/// (codes 0-3: bits 2 and 3 of every nibble clear).  The nibbles past a
/// sequence's end in its room are 0, so whole rooms can be checked.
inline bool stream_all_acgt(const std::uint8_t* bytes, std::size_t n) {
  std::uint8_t any = 0;
  for (std::size_t i = 0; i < n; ++i) any |= bytes[i];
  return (any & 0xCCu) == 0;
}

/// Asks for the first 2 KiB of a sequence the host stages next.  A short
/// pair's sequences are a few cache lines each, too few for the hardware
/// prefetcher to ramp up on, and the packing loop stalls on each miss;
/// fetched while the pair before is staged (W1's 13.5 M codes, cold, one
/// core here: 3.6-4.3 ms -> 2.6-3.2 ms, against 2.4-2.9 ms of memcpy a
/// byte a code).  Longer sequences stream.
inline void prefetch_codes(const std::uint8_t* src, std::int64_t len) {
#if defined(__GNUC__) || defined(__clang__)
  for (std::int64_t p = 0; p < len && p < 2048; p += 64) __builtin_prefetch(src + p);
#else
  (void)src;
  (void)len;
#endif
}

/// Writes the `len` codes of `src` (in reverse order when `reversed`) at
/// code offset `off` (a multiple of 4) of the 8- or 4-bit stream `bytes`,
/// and fills the rest of the sequence's room with 0.  DNA codes must be <
/// 16.
inline void stage_codes(std::uint8_t* bytes, std::uint64_t off, const std::uint8_t* src, std::int64_t len,
                        bool reversed, int bits) {
  const std::uint64_t room = code_room(len);
  if (bits == 8) std::memset(bytes + off + len, 0, room - static_cast<std::uint64_t>(len));
  else if (room / 2 > static_cast<std::uint64_t>(len + 1) / 2) bytes[off / 2 + room / 2 - 1] = 0;
  if (bits == 8) {
    if (reversed) std::reverse_copy(src, src + len, bytes + off);
    else std::memcpy(bytes + off, src, static_cast<std::size_t>(len));
    return;
  }
  // Output byte k takes codes 2k and 2k + 1 of the sequence as read:
  // src[2k], src[2k + 1] forward; end[-1 - 2k], end[-2 - 2k] reversed.
  std::uint8_t* dst = bytes + off / 2;
  const std::uint8_t* end = src + len;
  std::int64_t k = 0;
#if defined(__SSE2__) && !defined(__CUDA_ARCH__)
  // 32 codes (two loads) to 16 bytes: in each 16-bit lane (x, y) = (lo,
  // hi byte), forward wants x | y << 4, reversed y | x << 4 and the lanes
  // in reverse order; then the lanes' low bytes are packed.  Staging is the
  // engine's main host cost on short pairs, and SSE2 has no byte shuffle
  // the compiler could reverse a sequence with.  Measured here (one core,
  // W1's 13.5 M codes): forward 2.0-2.4 ms (a byte a code: 1.5-1.7 ms of
  // memcpy); reversed 2.7-5.6 ms (a byte a code: 6.5-13 ms of
  // reverse_copy).
  const __m128i low = _mm_set1_epi16(0x00FF);
  if (!reversed) {
    for (; 2 * k + 32 <= len; k += 16) {
      __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + 2 * k));
      __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + 2 * k + 16));
      a = _mm_and_si128(_mm_or_si128(a, _mm_srli_epi16(a, 4)), low);
      b = _mm_and_si128(_mm_or_si128(b, _mm_srli_epi16(b, 4)), low);
      _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + k), _mm_packus_epi16(a, b));
    }
  } else {
    for (; 2 * k + 32 <= len; k += 16) {
      __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(end - 2 * k - 16));  // output bytes k .. k + 7
      __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(end - 2 * k - 32));  // k + 8 .. k + 15
      a = _mm_and_si128(_mm_or_si128(_mm_srli_epi16(a, 8), _mm_slli_epi16(a, 4)), low);
      b = _mm_and_si128(_mm_or_si128(_mm_srli_epi16(b, 8), _mm_slli_epi16(b, 4)), low);
      a = _mm_shuffle_epi32(_mm_shufflehi_epi16(_mm_shufflelo_epi16(a, 0x1B), 0x1B), 0x4E);
      b = _mm_shuffle_epi32(_mm_shufflehi_epi16(_mm_shufflelo_epi16(b, 0x1B), 0x1B), 0x4E);
      _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + k), _mm_packus_epi16(a, b));
    }
  }
#endif
  const std::int64_t pairs = len / 2;
  if (reversed) {
    for (; k < pairs; ++k) dst[k] = static_cast<std::uint8_t>(end[-1 - 2 * k] | (end[-2 - 2 * k] << 4));
    if (len & 1) dst[pairs] = src[0];
  } else {
    for (; k < pairs; ++k) dst[k] = static_cast<std::uint8_t>(src[2 * k] | (src[2 * k + 1] << 4));
    if (len & 1) dst[pairs] = src[len - 1];
  }
}

/// Repacks `codes` codes (a multiple of 4) of a 4-bit stream at `src`, all
/// A, C, G or T (codes 0-3), as the 2-bit stream at `dst` (codes / 4 bytes).
inline void repack_acgt(std::uint8_t* dst, const std::uint8_t* src, std::uint64_t codes) {
  const std::uint64_t out = codes / 4;
  std::uint64_t k = 0;
#if defined(__SSE2__) && !defined(__CUDA_ARCH__)
  // 64 codes (two loads) to 16 bytes.  A 16-bit lane holds codes c0-c3 as
  // nibbles; (lane & 0x0303) | ((lane >> 2) & 0x0C0C) makes its bytes
  // c0 | c1 << 2 and c2 | c3 << 2, and t | t >> 4 puts both in the low byte.
  const __m128i low = _mm_set1_epi16(0x00FF), even = _mm_set1_epi16(0x0303), odd = _mm_set1_epi16(0x0C0C);
  for (; k + 16 <= out; k += 16) {
    __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + 2 * k));
    __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + 2 * k + 16));
    a = _mm_or_si128(_mm_and_si128(a, even), _mm_and_si128(_mm_srli_epi16(a, 2), odd));
    b = _mm_or_si128(_mm_and_si128(b, even), _mm_and_si128(_mm_srli_epi16(b, 2), odd));
    a = _mm_and_si128(_mm_or_si128(a, _mm_srli_epi16(a, 4)), low);
    b = _mm_and_si128(_mm_or_si128(b, _mm_srli_epi16(b, 4)), low);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + k), _mm_packus_epi16(a, b));
  }
#endif
  for (; k < out; ++k) {
    const unsigned a = src[2 * k], b = src[2 * k + 1];
    dst[k] = static_cast<std::uint8_t>((a & 3u) | ((a >> 2) & 0xCu) | ((b & 3u) << 4) | ((b << 2) & 0xC0u));
  }
}

}  // namespace gpualign::kern
