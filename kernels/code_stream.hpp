#pragma once
// The sequence codes a batch uploads, and how the host stages them.
//
// DNA codes (0-14, padding 15) take 4 bits, two a byte, the first code of a
// byte in its low nibble; protein codes (0-23, padding 24) a byte each.
// Codes are the bulk of what a short-pair batch uploads (W1: ~13.5 MB a call
// at a byte a code, against ~1.5 MB of slots and workers), so 4-bit DNA
// halves the batch's host-to-device copy.
//
// Offsets into a stream (Job::q_off, Slot::q_off, ...) count codes, not
// bytes.  Every sequence starts at an even offset (code_room), so no two
// sequences share a byte: the host stages them in parallel, each writing
// whole bytes of its own.

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
  std::int32_t bits = 8;  ///< 4 (DNA) or 8 (protein)
  /// Code `p` of the stream.  Without a branch on the width: a kernel's
  /// code loads (a chunk of target codes every 32 steps) stay one block.
  GPUALIGN_HD int at(std::uint64_t p) const {
    const unsigned half = bits == 4 ? 1u : 0u;  // codes a byte - 1
    const unsigned byte = bytes[p >> half];
    return static_cast<int>((byte >> ((static_cast<unsigned>(p) & half) << 2)) & (half ? 0xFu : 0xFFu));
  }
};

/// Codes of one stream entry: a sequence of `len` codes, rounded up to even.
GPUALIGN_HD std::uint64_t code_room(std::int64_t len) {
  return static_cast<std::uint64_t>(len) + (static_cast<std::uint64_t>(len) & 1u);
}

/// Bytes of a stream of `codes` codes (an even count, a sum of code_room).
GPUALIGN_HD std::uint64_t code_bytes(std::uint64_t codes, int bits) { return bits == 4 ? (codes + 1) / 2 : codes; }

/// Whether every code of `bytes` bytes of a 4-bit stream is A, C, G or T
/// (codes 0-3: bits 2 and 3 of every nibble clear).  The high nibble of an
/// odd-length sequence's last byte is 0, so whole rooms can be checked.
inline bool stream_all_acgt(const std::uint8_t* bytes, std::size_t n) {
  std::uint8_t any = 0;
  for (std::size_t i = 0; i < n; ++i) any |= bytes[i];
  return (any & 0xCCu) == 0;
}

/// Asks for the first 2 KiB of a sequence the host stages next.  A short
/// pair's sequences are a few cache lines each, too few for the hardware
/// prefetcher to ramp up on, and the packing loop stalls on each miss;
/// fetched while the pair before is staged (W1's 13.5 M codes, cold, one
/// core here: 3.6-4.3 ms -> 2.6-3.2 ms, against 2.6-2.9 ms of memcpy a
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
/// even code offset `off` of the stream `bytes`.  DNA codes must be < 16.
/// A 4-bit sequence of odd length leaves its last byte's high nibble 0
/// (never read: kernels check lengths before reading).
inline void stage_codes(std::uint8_t* bytes, std::uint64_t off, const std::uint8_t* src, std::int64_t len,
                        bool reversed, int bits) {
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

}  // namespace gpualign::kern
