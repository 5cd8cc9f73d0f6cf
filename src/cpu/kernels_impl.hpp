#pragma once
// One SIMD level's kernel table, from the kernel templates.  Each level's
// translation unit (kernels_<level>.cpp) includes this with its own compiler
// flags; everything here has internal linkage (anonymous namespace): see
// simd_ops.hpp for why.

#include "cpu/kernels_inter.hpp"
#include "cpu/kernels_striped.hpp"
#include "cpu/kernels_trace.hpp"

namespace gpualign::cpu {
namespace {

// The table of one level; `Ops` is a template of one element type.
template <template <class> class Ops>
KernelTable make_table(const char* name) {
  KernelTable t;
  t.name = name;
  t.lanes16 = Ops<std::int16_t>::L;
  t.inter8 = &inter_batch<Ops<std::int8_t>>;
  t.inter16 = &inter_batch<Ops<std::int16_t>>;
  t.inter32 = &inter_batch<Ops<std::int32_t>>;
  t.striped16 = &striped<Ops<std::int16_t>>;
  t.striped32 = &striped<Ops<std::int32_t>>;
  t.trace16 = &trace_batch<Ops<std::int16_t>>;
  return t;
}

}  // namespace
}  // namespace gpualign::cpu
