// The cost model: batch measurements and predicted seconds per backend.
#include "gpualign/cost_model.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "gpualign/engine.hpp"
#include "gpualign/error.hpp"

namespace gpualign {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
// A parallel backend must beat the calling thread by this much: ties (and
// noise in the profile) keep small work serial.
constexpr double kSerialMargin = 0.95;

std::size_t idx(Backend b) { return static_cast<std::size_t>(b); }

}  // namespace

std::string_view to_string(Backend b) noexcept {
  switch (b) {
    case Backend::automatic: return "auto";
    case Backend::serial: return "serial";
    case Backend::threads: return "threads";
    case Backend::processes: return "processes";
    case Backend::gpu: return "gpu";
    case Backend::hybrid: return "hybrid";
  }
  return "?";
}

Backend parse_backend(std::string_view n) {
  if (n == "auto" || n == "automatic") return Backend::automatic;
  if (n == "serial") return Backend::serial;
  if (n == "cpu" || n == "threads" || n == "thread") return Backend::threads;
  if (n == "processes" || n == "process") return Backend::processes;
  if (n == "gpu" || n == "cuda") return Backend::gpu;
  if (n == "hybrid") return Backend::hybrid;
  throw Error("unknown backend '" + std::string(n) + "' (use auto, cpu, gpu, serial, threads, processes or hybrid)");
}

std::uint64_t estimate_device_bytes(const SequencePair& pair, const AlignOptions& options) noexcept {
  const std::uint64_t m = pair.query.size(), n = pair.target.size();
  std::uint64_t bytes = m + n + 64;  // the codes and the result slot
  bytes += 8 * (n + 1);              // H and E rows, 32-bit each
  if (options.output == AlignOutput::cigar) {
    // Checkpointed traceback: about sqrt(m) rows of (n + 1) 32-bit cells,
    // plus one band of direction bits per segment.
    const std::uint64_t rows = static_cast<std::uint64_t>(std::sqrt(static_cast<double>(m))) + 1;
    bytes += rows * (n + 1) * 4 + (m + n) * 8;
  }
  return bytes;
}

std::uint64_t estimate_host_bytes(const SequencePair& pair, const AlignOptions& options) noexcept {
  return reference_host_bytes(pair, options) + pair.query.size() + pair.target.size();
}

BatchCost measure_batch(std::span<const SequencePair> pairs, const AlignOptions& options) {
  BatchCost c;
  c.pairs = pairs.size();
  for (const auto& p : pairs) {
    const std::uint64_t cells = p.cells();
    c.cells += cells;
    c.max_pair_cells = std::max(c.max_pair_cells, cells);
    c.longest_query = std::max<std::int64_t>(c.longest_query, static_cast<std::int64_t>(p.query.size()));
    c.longest_target = std::max<std::int64_t>(c.longest_target, static_cast<std::int64_t>(p.target.size()));
    c.residues += p.query.size() + p.target.size();
    const std::uint64_t hb = estimate_host_bytes(p, options);
    c.host_bytes += hb;
    c.max_pair_host_bytes = std::max(c.max_pair_host_bytes, hb);
    const std::uint64_t db = estimate_device_bytes(p, options);
    c.device_bytes += db;
    c.max_pair_device_bytes = std::max(c.max_pair_device_bytes, db);
  }
  return c;
}

CostModel::CostModel(CalibrationProfile profile, Resources resources)
    : profile_(std::move(profile)), resources_(resources) {
  profile_.validate();
  if (resources_.cpu_workers == 0) resources_.cpu_workers = 1;
}

double CostModel::cpu_work_seconds(const BatchCost& c) const {
  return static_cast<double>(c.pairs) * profile_.cpu_pair_seconds +
         static_cast<double>(c.cells) / profile_.cpu_cells_per_second;
}

// GPU seconds for `share` of the batch's cells (the largest pairs): per-launch
// costs, copies in and out, and the cells at the measured rate.
double CostModel::gpu_seconds(const BatchCost& c, double share) const {
  if (!resources_.gpu_available) return kInf;
  const std::uint64_t budget = resources_.device_budget_bytes;
  if (budget && c.max_pair_device_bytes > budget) return kInf;
  const double dev_bytes = share * static_cast<double>(c.device_bytes);
  const double launches = budget ? std::max(1.0, std::ceil(dev_bytes / static_cast<double>(budget))) : 1.0;
  const double copy_bytes = share * (static_cast<double>(c.residues) + 32.0 * static_cast<double>(c.pairs));
  return launches * profile_.gpu_launch_seconds + copy_bytes / profile_.gpu_transfer_bytes_per_second +
         share * static_cast<double>(c.cells) / profile_.gpu_cells_per_second +
         share * static_cast<double>(c.pairs) * profile_.gpu_pair_seconds;
}

double CostModel::predict_seconds(Backend b, const BatchCost& c) const {
  const std::uint64_t host_budget = resources_.host_budget_bytes;
  const bool cpu_fits = !host_budget || c.max_pair_host_bytes <= host_budget;
  // Workers that can hold their pairs at once within the host budget.
  std::size_t workers = resources_.cpu_workers;
  if (host_budget && c.max_pair_host_bytes)
    workers = std::min<std::size_t>(workers, std::max<std::uint64_t>(1, host_budget / c.max_pair_host_bytes));
  workers = std::min<std::size_t>(workers, std::max<std::uint64_t>(1, c.pairs));
  const double factor = 1.0 + static_cast<double>(workers - 1) * profile_.thread_efficiency;
  const double work = cpu_work_seconds(c);
  const double longest = static_cast<double>(c.max_pair_cells) / profile_.cpu_cells_per_second + profile_.cpu_pair_seconds;
  const double parallel = std::max(work / factor, longest);
  switch (b) {
    case Backend::serial:
      return cpu_fits ? work : kInf;
    case Backend::threads:
      return cpu_fits ? profile_.thread_start_seconds + parallel : kInf;
    case Backend::processes:
      // Results come back through pipes: about 64 bytes per pair at memory speed.
      return cpu_fits ? profile_.process_start_seconds * static_cast<double>(workers) + parallel +
                            static_cast<double>(c.pairs) * 64 / 1e9
                      : kInf;
    case Backend::gpu:
      return gpu_seconds(c, 1.0);
    case Backend::hybrid: {
      if (!resources_.gpu_available || !cpu_fits || c.pairs < 2) return kInf;
      const double rg = profile_.gpu_cells_per_second;
      const double rc = profile_.cpu_cells_per_second * factor;
      const double share = rg / (rg + rc);
      const double g = gpu_seconds(c, share);
      const double cpu = profile_.thread_start_seconds + work * (1 - share) / factor;
      return std::max(g, cpu);
    }
    case Backend::automatic:
      return route(c).predicted_seconds;
  }
  return kInf;
}

RouteDecision CostModel::route(const BatchCost& c) const {
  RouteDecision d;
  const Backend pool = resources_.processes ? Backend::processes : Backend::threads;
  for (Backend b : {Backend::serial, Backend::threads, Backend::processes, Backend::gpu, Backend::hybrid})
    d.predictions[idx(b)] = predict_seconds(b, c);
  d.predictions[idx(Backend::automatic)] = kInf;
  const double serial = d.predictions[idx(Backend::serial)];
  d.backend = Backend::serial;
  d.predicted_seconds = serial;
  for (Backend b : {pool, Backend::gpu, Backend::hybrid}) {
    const double t = d.predictions[idx(b)];
    const double bar = d.backend == Backend::serial ? d.predicted_seconds * kSerialMargin : d.predicted_seconds;
    if (t < bar) {
      d.backend = b;
      d.predicted_seconds = t;
    }
  }
  if (d.backend == Backend::gpu) d.gpu_share = 1;
  if (d.backend == Backend::hybrid) {
    const double rg = profile_.gpu_cells_per_second;
    std::size_t workers = std::min<std::size_t>(resources_.cpu_workers, std::max<std::uint64_t>(1, c.pairs));
    const double rc = profile_.cpu_cells_per_second * (1.0 + static_cast<double>(workers - 1) * profile_.thread_efficiency);
    d.gpu_share = rg / (rg + rc);
  }
  char buf[256];
  if (!std::isfinite(d.predicted_seconds)) {
    d.reason = "no backend can hold the largest pair within the memory budgets";
  } else {
    std::snprintf(buf, sizeof buf, "%s: predicted %.3g s (serial %.3g s, %s %.3g s, gpu %s) for %llu pairs, %.3g Gcells",
                  std::string(to_string(d.backend)).c_str(), d.predicted_seconds, serial,
                  std::string(to_string(pool)).c_str(), d.predictions[idx(pool)],
                  resources_.gpu_available ? std::to_string(d.predictions[idx(Backend::gpu)]).c_str() : "absent",
                  static_cast<unsigned long long>(c.pairs), static_cast<double>(c.cells) / 1e9);
    d.reason = buf;
  }
  return d;
}

}  // namespace gpualign
