// ParallelAligner: cost-balanced batches of pairs run through execute_parallel
// on threads or forked processes, under a memory budget; failed batches are
// re-run pair by pair so that only the pair at fault fails.

#include "gpualign/parallel_aligner.hpp"

#include <algorithm>
#include <memory>
#include <mutex>
#include <numeric>

#include "dispatch/alignment_codec.hpp"
#include "gpualign/engine.hpp"
#include "gpualign/memory_budget.hpp"

namespace gpualign {
namespace {

// Engines for the workers: "an engine is used from one thread at a time".
// One is made up front so that a forked worker finds it without touching the
// engine registry (whose lock another parent thread might hold at fork time).
class EnginePool {
 public:
  explicit EnginePool(std::string name) : name_(std::move(name)) { free_.push_back(make_engine(name_)); }
  std::unique_ptr<Engine> acquire() {
    {
      std::lock_guard lock(mu_);
      if (!free_.empty()) {
        auto e = std::move(free_.back());
        free_.pop_back();
        return e;
      }
    }
    return make_engine(name_);
  }
  void release(std::unique_ptr<Engine> e) {
    std::lock_guard lock(mu_);
    free_.push_back(std::move(e));
  }
  const Engine& any() const { return *free_.front(); }  // only before the run starts

 private:
  std::string name_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Engine>> free_;
};

std::vector<Alignment> align_batch(EnginePool& engines, std::span<const SequencePair> pairs,
                                   std::span<const std::size_t> which, const ScoringScheme& scoring,
                                   const AlignOptions& options) {
  std::vector<SequencePair> batch;
  batch.reserve(which.size());
  for (std::size_t i : which) batch.push_back(pairs[i]);
  std::vector<Alignment> out(batch.size());
  auto engine = engines.acquire();
  engine->align(batch, scoring, options, out);
  engines.release(std::move(engine));
  return out;
}

Alignment failed_alignment(AlignStatus status, std::string message) {
  Alignment a;
  a.status = status;
  a.message = std::move(message);
  return a;
}

}  // namespace

std::size_t ParallelAligner::auto_batch_size(std::int64_t len) noexcept {
  const double l = static_cast<double>(std::max<std::int64_t>(0, len));
  double b;
  if (l < 1000)
    b = 100 - 50 * l / 1000;  // < 1 kb: 100 .. 50
  else if (l <= 10000)
    b = 50 - 30 * (l - 1000) / 9000;  // 1-10 kb: 50 .. 20
  else
    b = 20 - 15 * std::min(l - 10000, 90000.0) / 90000;  // > 10 kb: 20 .. 5
  return static_cast<std::size_t>(b + 0.5);
}

std::string ParallelAligner::best_engine_name() {
  const auto names = engine_names();
  return std::find(names.begin(), names.end(), "cpu") != names.end() ? "cpu" : "reference";
}

ParallelAligner::ParallelAligner(ParallelAlignerConfig config) : config_(std::move(config)) {
  config_.scoring.validate();
  engine_ = config_.engine.empty() ? best_engine_name() : config_.engine;
  auto probe = make_engine(engine_);  // throws for an unknown name
  if (!probe->available())
    throw Error("engine '" + engine_ + "' is not available here: " + probe->unavailable_reason());
}

std::vector<Alignment> ParallelAligner::align_features(std::span<const Sequence> features,
                                                       const Sequence& reference) {
  if (reference.alphabet() != config_.scoring.alphabet())
    throw Error("reference '" + reference.name() + "' does not match the scoring scheme's alphabet (" +
                config_.scoring.name() + ")");
  std::vector<SequencePair> pairs;
  pairs.reserve(features.size());
  for (const auto& f : features) {
    if (f.alphabet() != config_.scoring.alphabet())
      throw Error("feature '" + f.name() + "' does not match the scoring scheme's alphabet (" +
                  config_.scoring.name() + ")");
    pairs.push_back({f.codes(), reference.codes()});
  }
  return align_pairs(pairs);
}

std::vector<Alignment> ParallelAligner::align_pairs(std::span<const SequencePair> pairs) {
  const std::size_t n = pairs.size();
  std::vector<Alignment> out(n);
  if (n == 0) return out;

  EnginePool engines(engine_);
  MemoryBudget budget(config_.memory_budget ? config_.memory_budget : default_memory_budget());
  std::vector<std::uint64_t> bytes(n);
  for (std::size_t i = 0; i < n; ++i) bytes[i] = engines.any().estimate_host_bytes(pairs[i], config_.options);

  ParallelOptions popt;
  popt.num_workers = config_.num_workers;
  popt.pool_type = config_.pool_type;
  popt.chunk_timeout_s = config_.batch_timeout_s;
  const std::size_t workers = detail::resolve_workers(popt);

  const auto plan = detail::plan_alignment_batches(pairs, config_.batch_size, workers, bytes, budget.capacity());
  for (std::size_t i : plan.too_large)
    out[i] = failed_alignment(AlignStatus::too_large,
                              MemoryBudgetError("pair " + std::to_string(i), bytes[i], budget.capacity()).what());

  // Pass 1: whole batches, costliest first, each its own chunk.
  const auto& batches = plan.batches;
  std::vector<std::uint64_t> batch_cells(batches.size()), batch_bytes(batches.size());
  for (std::size_t b = 0; b < batches.size(); ++b)
    for (std::size_t i : batches[b]) {
      batch_cells[b] += pairs[i].cells();
      batch_bytes[b] += bytes[i];
    }
  std::vector<std::size_t> batch_ids(batches.size());
  std::iota(batch_ids.begin(), batch_ids.end(), std::size_t{0});
  popt.chunk_size = 1;
  popt.item_cost = [&](std::size_t b) { return batch_cells[b]; };
  popt.memory_budget = &budget;
  popt.item_bytes = [&](std::size_t b) { return batch_bytes[b]; };
  const ScoringScheme& scoring = config_.scoring;
  const AlignOptions& options = config_.options;
  auto first = execute_parallel_collect(
      [&](std::size_t b) { return align_batch(engines, pairs, batches[b], scoring, options); }, batch_ids, popt);

  std::vector<std::size_t> retry;
  for (std::size_t b = 0; b < batches.size(); ++b) {
    if (first.values[b]) {
      auto& res = *first.values[b];
      for (std::size_t k = 0; k < batches[b].size(); ++k) out[batches[b][k]] = std::move(res[k]);
    } else {
      retry.insert(retry.end(), batches[b].begin(), batches[b].end());
    }
  }
  if (retry.empty()) return out;

  // Pass 2: the pairs of failed batches one by one, so only the pair at
  // fault (a crash, a throw, a timeout) fails.
  popt.chunk_size = 0;
  popt.item_cost = [&](std::size_t k) { return pairs[retry[k]].cells(); };
  popt.item_bytes = [&](std::size_t k) { return bytes[retry[k]]; };
  std::vector<std::size_t> slots(retry.size());
  std::iota(slots.begin(), slots.end(), std::size_t{0});
  auto second = execute_parallel_collect(
      [&](std::size_t k) {
        const std::size_t one[1] = {retry[k]};
        return std::move(align_batch(engines, pairs, one, scoring, options).front());
      },
      slots, popt);
  for (std::size_t k = 0; k < retry.size(); ++k)
    if (second.values[k]) out[retry[k]] = std::move(*second.values[k]);
  for (const auto& f : second.failures)
    out[retry[f.index]] = failed_alignment(
        f.kind == ItemFailure::over_budget ? AlignStatus::too_large : AlignStatus::failed,
        "pair " + std::to_string(retry[f.index]) + ": " + f.message);
  return out;
}

namespace detail {

AlignmentBatches plan_alignment_batches(std::span<const SequencePair> pairs, std::size_t batch_size,
                                        std::size_t workers, std::span<const std::uint64_t> bytes,
                                        std::uint64_t capacity) {
  AlignmentBatches plan;
  std::vector<std::size_t> order;
  order.reserve(pairs.size());
  long double total = 0;
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    if (bytes[i] > capacity) {
      plan.too_large.push_back(i);
      continue;
    }
    order.push_back(i);
    total += static_cast<long double>(std::max<std::uint64_t>(1, pairs[i].cells()));
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return pairs[a].cells() > pairs[b].cells(); });
  const long double target = std::max<long double>(1, total / (static_cast<long double>(std::max<std::size_t>(1, workers)) * 4));

  std::vector<std::size_t> cur;
  long double cost = 0;
  std::uint64_t held = 0;
  std::size_t longest = 0;
  for (std::size_t i : order) {
    const long double c = static_cast<long double>(std::max<std::uint64_t>(1, pairs[i].cells()));
    const std::size_t len = std::max(longest, pairs[i].query.size());
    const std::size_t cap = batch_size ? batch_size : ParallelAligner::auto_batch_size(static_cast<std::int64_t>(len));
    const bool close = !cur.empty() && (cur.size() >= cap || cost + c > target || held + bytes[i] > capacity);
    if (close) {
      plan.batches.push_back(std::move(cur));
      cur.clear();
      cost = 0;
      held = 0;
      longest = 0;
    }
    cur.push_back(i);
    cost += c;
    held += bytes[i];
    longest = std::max(longest, pairs[i].query.size());
  }
  if (!cur.empty()) plan.batches.push_back(std::move(cur));
  return plan;
}

}  // namespace detail
}  // namespace gpualign
