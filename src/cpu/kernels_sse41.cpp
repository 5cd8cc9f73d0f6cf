// The sse41 kernels.  CMake compiles this file alone with the instruction set's
// flags; dispatch calls it only after checking the CPU supports it.
#include "cpu/kernels_impl.hpp"

namespace gpualign::cpu {

const KernelTable* kernels_sse41() {
#if defined(__SSE4_1__)
  static const KernelTable table = make_table<Sse41Ops>("sse41");
  return &table;
#else
  return nullptr;  // not an x86-64 build
#endif
}

}  // namespace gpualign::cpu
