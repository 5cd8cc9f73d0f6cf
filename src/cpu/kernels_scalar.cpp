// The portable kernels (one lane): any machine, and the reference point
// every SIMD level is tested against besides the exact aligner.
#include "cpu/kernels_impl.hpp"

namespace gpualign::cpu {

const KernelTable* kernels_scalar() {
  static const KernelTable table = make_table<ScalarOps>("scalar");
  return &table;
}

}  // namespace gpualign::cpu
