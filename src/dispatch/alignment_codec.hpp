#pragma once
// How an Alignment crosses from a worker process to the parent (process pool
// of ParallelAligner): every field, the CIGAR as (op, length) runs.

#include <cstdint>
#include <string>

#include "gpualign/alignment.hpp"
#include "gpualign/result_codec.hpp"

namespace gpualign {

template <>
struct Codec<Alignment> {
  static void encode(ByteWriter& w, const Alignment& a) {
    w.put(static_cast<std::uint8_t>(a.status));
    w.put(a.message);
    w.put(a.score);
    w.put(a.qbeg);
    w.put(a.qend);
    w.put(a.tbeg);
    w.put(a.tend);
    w.put(static_cast<std::uint8_t>(a.has_begin));
    const auto& ops = a.cigar.ops();
    w.put(static_cast<std::uint64_t>(ops.size()));
    for (const auto& op : ops) {
      w.put(op.op);
      w.put(op.length);
    }
  }

  static Alignment decode(ByteReader& r) {
    Alignment a;
    const auto status = r.get<std::uint8_t>();
    if (status > static_cast<std::uint8_t>(AlignStatus::failed)) throw Error("alignment codec: bad status");
    a.status = static_cast<AlignStatus>(status);
    a.message = r.get<std::string>();
    a.score = r.get<std::int64_t>();
    a.qbeg = r.get<std::int64_t>();
    a.qend = r.get<std::int64_t>();
    a.tbeg = r.get<std::int64_t>();
    a.tend = r.get<std::int64_t>();
    a.has_begin = r.get<std::uint8_t>() != 0;
    const auto runs = r.get<std::uint64_t>();
    if (runs > r.remaining()) throw Error("alignment codec: CIGAR longer than its data");
    for (std::uint64_t k = 0; k < runs; ++k) {
      const char op = r.get<char>();
      const auto len = r.get<std::uint32_t>();
      if (len == 0 || (op != '=' && op != 'X' && op != 'I' && op != 'D' && op != 'M'))
        throw Error("alignment codec: bad CIGAR run");
      a.cigar.push(op, len);
    }
    return a;
  }
};

}  // namespace gpualign
