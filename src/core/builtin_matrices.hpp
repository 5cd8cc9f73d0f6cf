#pragma once
// Internal: the table of built-in protein matrices.
#include <array>
#include <string_view>

namespace gpualign::detail {

struct BuiltinMatrix {
  std::string_view name;  // upper case, e.g. "BLOSUM62"
  const int* values;      // 24 x 24, row-major, NCBI letter order
};

const std::array<BuiltinMatrix, 5>& builtin_matrices() noexcept;

}  // namespace gpualign::detail
