#include "gpualign/engine.hpp"

#include <map>
#include <mutex>

#include "gpualign/error.hpp"
#include "gpualign/reference_aligner.hpp"

namespace gpualign {

std::uint64_t Engine::estimate_host_bytes(const SequencePair& pair, const AlignOptions& options) const {
  return reference_host_bytes(pair, options);
}

std::vector<Alignment> Engine::align(std::span<const SequencePair> pairs, const ScoringScheme& scoring,
                                     const AlignOptions& options) {
  std::vector<Alignment> out(pairs.size());
  align(pairs, scoring, options, out);
  return out;
}

namespace {

// The scalar oracle as an engine: one pair after another.
class ReferenceEngine final : public Engine {
 public:
  std::string_view name() const noexcept override { return "reference"; }
  void align(std::span<const SequencePair> pairs, const ScoringScheme& scoring, const AlignOptions& options,
             std::span<Alignment> out) override {
    scoring.validate();
    for (std::size_t i = 0; i < pairs.size(); ++i) out[i] = reference_align(pairs[i], scoring, options);
  }
  using Engine::align;
};

struct Registry {
  std::mutex mutex;
  std::map<std::string, EngineFactory, std::less<>> factories;
};

Registry& registry() {
  // Built on first use, so static registrars in other files may run first.
  static Registry* r = [] {
    auto* reg = new Registry;
    reg->factories["reference"] = [] { return std::make_unique<ReferenceEngine>(); };
    return reg;
  }();
  return *r;
}

}  // namespace

void register_engine(std::string name, EngineFactory factory) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  r.factories[std::move(name)] = std::move(factory);
}

std::unique_ptr<Engine> make_engine(std::string_view name) {
  auto& r = registry();
  EngineFactory f;
  {
    std::lock_guard lock(r.mutex);
    auto it = r.factories.find(name);
    if (it == r.factories.end()) {
      std::string known;
      for (const auto& [n, _] : r.factories) known += (known.empty() ? "" : ", ") + n;
      throw Error("unknown engine '" + std::string(name) + "' (registered: " + known + ")");
    }
    f = it->second;
  }
  return f();
}

std::vector<std::string> engine_names() {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  std::vector<std::string> names;
  for (const auto& [n, _] : r.factories) names.push_back(n);
  return names;
}

}  // namespace gpualign
