// The avx512 kernels.  CMake compiles this file alone with the instruction set's
// flags; dispatch calls it only after checking the CPU supports it.
#include "cpu/kernels_impl.hpp"

namespace gpualign::cpu {

const KernelTable* kernels_avx512() {
#if defined(__AVX512BW__)
  static const KernelTable table = make_table<Avx512Ops>("avx512");
  return &table;
#else
  return nullptr;  // not an x86-64 build
#endif
}

}  // namespace gpualign::cpu
