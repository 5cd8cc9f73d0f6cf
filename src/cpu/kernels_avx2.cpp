// The avx2 kernels.  CMake compiles this file alone with the instruction set's
// flags; dispatch calls it only after checking the CPU supports it.
#include "cpu/kernels_impl.hpp"

namespace gpualign::cpu {

const KernelTable* kernels_avx2() {
#if defined(__AVX2__)
  static const KernelTable table = make_table<Avx2Ops>("avx2");
  return &table;
#else
  return nullptr;  // not an x86-64 build
#endif
}

}  // namespace gpualign::cpu
