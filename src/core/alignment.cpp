#include "gpualign/alignment.hpp"

#include "gpualign/error.hpp"

namespace gpualign {

std::string_view to_string(AlignMode m) noexcept {
  switch (m) {
    case AlignMode::local: return "local";
    case AlignMode::global: return "global";
    case AlignMode::semi_global: return "semi-global";
  }
  return "?";
}

AlignMode parse_align_mode(std::string_view name) {
  if (name == "local" || name == "sw") return AlignMode::local;
  if (name == "global" || name == "nw") return AlignMode::global;
  if (name == "semi-global" || name == "semi_global" || name == "sg") return AlignMode::semi_global;
  throw Error("unknown alignment mode '" + std::string(name) + "' (local, global or semi-global)");
}

}  // namespace gpualign
