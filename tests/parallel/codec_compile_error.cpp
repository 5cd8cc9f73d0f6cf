// Compiled by the test parallel_codec_compile_error, which expects it to FAIL
// with the message of gpualign::require_encodable(): a result type holding a
// pointer-owning member has no Codec, so execute_parallel must refuse it.
#include <memory>
#include <vector>

#include "gpualign/execute_parallel.hpp"

struct Opaque {
  std::unique_ptr<int> p;
};

int main() {
  std::vector<int> items{1, 2, 3};
  auto r = gpualign::execute_parallel([](int i) { return Opaque{std::make_unique<int>(i)}; }, items);
  return static_cast<int>(r.size());
}
