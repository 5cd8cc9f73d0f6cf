// Dispatcher: routes each batch to serial, CPU pool, GPU or both, inside the
// host and device budgets; GPU out-of-memory splits, a lost GPU falls back.
#include "gpualign/dispatcher.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <mutex>
#include <new>
#include <numeric>
#include <set>
#include <thread>

#include "gpualign/engine.hpp"
#include "gpualign/error.hpp"
#include "gpualign/parallel_aligner.hpp"
#include "gpualign/trace_recorder.hpp"
#include "gpualign/worker_defaults.hpp"

namespace gpualign {
namespace {

std::size_t idx(Backend b) { return static_cast<std::size_t>(b); }

bool registered(const std::string& name) {
  const auto names = engine_names();
  return std::find(names.begin(), names.end(), name) != names.end();
}

// A GPU allocation failure is answered by splitting the batch; any other
// GPU error is taken as a lost device.  The CUDA engine reports allocation
// failures as std::bad_alloc or an Error whose text says "out of memory".
bool is_out_of_memory(const std::exception& e) {
  if (dynamic_cast<const std::bad_alloc*>(&e)) return true;
  std::string w = e.what();
  for (auto& ch : w) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return w.find("out of memory") != std::string::npos || w.find("memoryallocation") != std::string::npos;
}

std::string trace_args_count(std::uint64_t v) { return std::to_string(v); }

}  // namespace

std::string DispatchStats::backends() const {
  std::vector<std::pair<std::uint64_t, Backend>> used;
  for (Backend b : {Backend::serial, Backend::threads, Backend::processes, Backend::gpu, Backend::hybrid})
    if (batches_by_backend[idx(b)]) used.push_back({batches_by_backend[idx(b)], b});
  std::stable_sort(used.begin(), used.end(), [](auto& a, auto& b) { return a.first > b.first; });
  std::string s;
  for (auto& [n, b] : used) {
    if (!s.empty()) s += '+';
    s += to_string(b);
  }
  return s.empty() ? "none" : s;
}

struct Dispatcher::Impl {
  DispatcherConfig cfg;
  std::string cpu_name;
  std::string profile_source;
  std::unique_ptr<MemoryBudget> own_budget;
  MemoryBudget* budget = nullptr;
  std::unique_ptr<Engine> gpu;       // used from one thread at a time
  std::atomic<bool> gpu_ok{false};
  std::string gpu_reason;            // why there is no GPU
  std::unique_ptr<CostModel> model;
  std::size_t workers = 1;
  std::uint64_t device_budget = 0;

  // CPU engines for hybrid and serial work, reused across batches.
  std::mutex engines_mu;
  std::vector<std::unique_ptr<Engine>> idle_engines;

  std::mutex stats_mu;
  DispatchStats stats;
  std::set<std::string> warned;

  std::unique_ptr<Engine> take_cpu_engine() {
    {
      std::lock_guard lock(engines_mu);
      if (!idle_engines.empty()) {
        auto e = std::move(idle_engines.back());
        idle_engines.pop_back();
        return e;
      }
    }
    return make_engine(cpu_name);
  }
  void give_cpu_engine(std::unique_ptr<Engine> e) {
    std::lock_guard lock(engines_mu);
    idle_engines.push_back(std::move(e));
  }

  void warn(const std::string& text) {
    {
      std::lock_guard lock(stats_mu);
      if (!warned.insert(text).second) return;
    }
    if (cfg.trace) cfg.trace->instant("warning", "dispatch", {{"text", text}});
    if (cfg.on_warning) cfg.on_warning(text);
    else std::fprintf(stderr, "gpualign: warning: %s\n", text.c_str());
  }

  // Said at the first batch, not at construction, so that input that fails
  // before any alignment still gives exactly one line.  A forced GPU backend
  // warns once per dispatcher; `auto` notes once per process that everything
  // runs on the CPU (the bench makes a dispatcher per workload).
  std::atomic<bool> said_no_gpu{false};
  void say_no_gpu_once() {
    // Only a GPU missing from the start; a lost device has its own warning.
    if (gpu_reason.empty() || said_no_gpu.exchange(true)) return;
    const Backend b = cfg.backend;
    if (b == Backend::gpu || b == Backend::hybrid) {
      warn("--backend " + std::string(to_string(b)) + ": no usable GPU (" + gpu_reason + "); running on the CPU");
    } else if (b == Backend::automatic && !cfg.gpu_engine.empty()) {  // none configured: nothing to say
      static std::atomic<bool> said_in_process{false};
      const std::string text = "no usable GPU (" + gpu_reason + "): every batch runs on the CPU";
      if (cfg.trace) cfg.trace->instant("note", "dispatch", {{"text", text}});
      if (cfg.on_warning) cfg.on_warning(text);
      // On a terminal only, like the progress line: in scripts a later error
      // must stay the only line on stderr.
      else if (isatty(STDERR_FILENO) == 1 && !said_in_process.exchange(true))
        std::fprintf(stderr, "gpualign: note: %s\n", text.c_str());
    }
  }

  // Aligns the pairs `ids` with `engine` in sub-batches that fit the host
  // budget; a pair over the whole budget gets status too_large.
  void run_on_engine(Engine& engine, std::span<const SequencePair> pairs, std::span<const std::size_t> ids,
                     std::span<Alignment> out, const char* label) {
    std::vector<SequencePair> sub;
    std::vector<std::size_t> sub_ids;
    std::vector<Alignment> res;
    const std::uint64_t cap = budget->capacity();
    // Several CPU workers share the budget: each takes at most its share at once.
    const std::uint64_t slice = std::max<std::uint64_t>(1, cap / std::max<std::size_t>(1, workers));
    std::size_t k = 0;
    while (k < ids.size()) {
      sub.clear();
      sub_ids.clear();
      std::uint64_t bytes = 0, cells = 0;
      while (k < ids.size()) {
        const SequencePair& p = pairs[ids[k]];
        const std::uint64_t b = engine.estimate_host_bytes(p, cfg.options);
        if (b > cap) {
          Alignment& a = out[ids[k]];
          a = Alignment{};
          a.status = AlignStatus::too_large;
          a.message = "needs " + format_byte_size(b) + " of host memory; the budget is " + format_byte_size(cap);
          ++k;
          continue;
        }
        if (!sub.empty() && bytes + b > slice) break;
        sub.push_back(p);
        sub_ids.push_back(ids[k]);
        bytes += b;
        cells += p.cells();
        ++k;
      }
      if (sub.empty()) continue;
      MemoryBudget::Reservation r = budget->reserve(bytes, label);
      TraceRecorder::Span span;
      if (cfg.trace) {
        span = cfg.trace->span(std::string(label) + " " + std::to_string(sub.size()) + " pairs", "batch");
        span.arg("engine", std::string(engine.name()));
        span.arg("pairs", trace_args_count(sub.size()));
        span.arg("cells", trace_args_count(cells));
      }
      res.assign(sub.size(), Alignment{});
      engine.align(sub, cfg.scoring, cfg.options, res);
      for (std::size_t j = 0; j < sub.size(); ++j) out[sub_ids[j]] = std::move(res[j]);
      std::lock_guard lock(stats_mu);
      stats.cpu_cells += cells;
    }
  }

  // measure_batch, with host bytes as the CPU engine itself estimates them
  // (what ParallelAligner and run_on_engine reserve).
  BatchCost measure(std::span<const SequencePair> pairs) {
    BatchCost c = measure_batch(pairs, cfg.options);
    auto engine = take_cpu_engine();
    c.host_bytes = c.max_pair_host_bytes = 0;
    for (const auto& p : pairs) {
      const std::uint64_t b = engine->estimate_host_bytes(p, cfg.options);
      c.host_bytes += b;
      c.max_pair_host_bytes = std::max(c.max_pair_host_bytes, b);
    }
    give_cpu_engine(std::move(engine));
    return c;
  }

  void run_serial(std::span<const SequencePair> pairs, std::span<const std::size_t> ids, std::span<Alignment> out) {
    auto engine = take_cpu_engine();
    run_on_engine(*engine, pairs, ids, out, "serial");
    give_cpu_engine(std::move(engine));
  }

  // The CPU engine on a pool of threads or forked processes (ParallelAligner).
  void run_pool(std::span<const SequencePair> pairs, std::span<const std::size_t> ids, std::span<Alignment> out,
                PoolType pool) {
    ParallelAlignerConfig pc;
    pc.num_workers = workers;
    pc.pool_type = pool;
    pc.scoring = cfg.scoring;
    pc.options = cfg.options;
    pc.engine = cpu_name;
    pc.memory_budget = budget->capacity();
    ParallelAligner aligner(pc);
    std::vector<SequencePair> sub;
    sub.reserve(ids.size());
    std::uint64_t cells = 0;
    for (std::size_t i : ids) {
      sub.push_back(pairs[i]);
      cells += pairs[i].cells();
    }
    TraceRecorder::Span span;
    if (cfg.trace) {
      span = cfg.trace->span(std::string(to_string(pool)) + " pool " + std::to_string(sub.size()) + " pairs", "batch");
      span.arg("engine", cpu_name);
      span.arg("workers", std::to_string(workers));
      span.arg("cells", trace_args_count(cells));
    }
    std::vector<Alignment> res = aligner.align_pairs(sub);
    for (std::size_t j = 0; j < ids.size(); ++j) out[ids[j]] = std::move(res[j]);
    std::lock_guard lock(stats_mu);
    stats.cpu_cells += cells;
  }

  // One GPU launch on `ids`; on out-of-memory the launch is split in halves
  // and retried; a single pair that still fails goes to the CPU.  Returns the
  // ids the GPU could not do (to run on the CPU); sets gpu_ok = false when
  // the device is lost.
  std::vector<std::size_t> gpu_launch(std::span<const SequencePair> pairs, std::vector<std::size_t> ids,
                                      std::span<Alignment> out) {
    std::vector<std::size_t> to_cpu;
    std::vector<std::vector<std::size_t>> stack;
    stack.push_back(std::move(ids));
    std::vector<SequencePair> sub;
    std::vector<Alignment> res;
    while (!stack.empty()) {
      std::vector<std::size_t> cur = std::move(stack.back());
      stack.pop_back();
      if (!gpu_ok.load()) {
        to_cpu.insert(to_cpu.end(), cur.begin(), cur.end());
        continue;
      }
      sub.clear();
      std::uint64_t cells = 0, dev_bytes = 0;
      for (std::size_t i : cur) {
        sub.push_back(pairs[i]);
        cells += pairs[i].cells();
        dev_bytes += estimate_device_bytes(pairs[i], cfg.options);
      }
      {
        std::lock_guard lock(stats_mu);
        stats.peak_device_bytes_estimated = std::max(stats.peak_device_bytes_estimated, dev_bytes);
      }
      res.assign(sub.size(), Alignment{});
      TraceRecorder::Span span;
      if (cfg.trace) {
        span = cfg.trace->span("gpu " + std::to_string(sub.size()) + " pairs", "batch");
        span.arg("engine", std::string(gpu->name()));
        span.arg("cells", trace_args_count(cells));
      }
      try {
        gpu->align(sub, cfg.scoring, cfg.options, res);
      } catch (const std::exception& e) {
        if (is_out_of_memory(e)) {
          if (cur.size() > 1) {
            std::lock_guard lock(stats_mu);
            ++stats.gpu_splits;
            const std::size_t half = cur.size() / 2;
            stack.emplace_back(cur.begin() + static_cast<std::ptrdiff_t>(half), cur.end());
            stack.emplace_back(cur.begin(), cur.begin() + static_cast<std::ptrdiff_t>(half));
          } else {
            to_cpu.push_back(cur[0]);
          }
          continue;
        }
        gpu_ok = false;
        warn(std::string("the GPU failed (") + e.what() + "); the remaining work runs on the CPU");
        to_cpu.insert(to_cpu.end(), cur.begin(), cur.end());
        continue;
      }
      std::uint64_t done_cells = 0;
      for (std::size_t j = 0; j < cur.size(); ++j) {
        if (res[j].status == AlignStatus::ok) {
          out[cur[j]] = std::move(res[j]);
          done_cells += sub[j].cells();
        } else {
          to_cpu.push_back(cur[j]);  // too large for the device, say: the CPU may manage
        }
      }
      std::lock_guard lock(stats_mu);
      stats.gpu_cells += done_cells;
    }
    return to_cpu;
  }

  // Ids (largest first) grouped into launches within the device budget.
  std::vector<std::vector<std::size_t>> gpu_groups(std::span<const SequencePair> pairs,
                                                   std::span<const std::size_t> ids) const {
    std::vector<std::vector<std::size_t>> groups;
    std::uint64_t bytes = 0;
    for (std::size_t i : ids) {
      const std::uint64_t b = estimate_device_bytes(pairs[i], cfg.options);
      if (groups.empty() || (device_budget && bytes + b > device_budget)) {
        groups.emplace_back();
        bytes = 0;
      }
      groups.back().push_back(i);
      bytes += b;
    }
    return groups;
  }

  void run_gpu(std::span<const SequencePair> pairs, std::vector<std::size_t> ids, std::span<Alignment> out) {
    std::stable_sort(ids.begin(), ids.end(), [&](std::size_t a, std::size_t b) { return pairs[a].cells() > pairs[b].cells(); });
    std::vector<std::size_t> leftover;
    for (auto& g : gpu_groups(pairs, ids)) {
      auto rest = gpu_launch(pairs, std::move(g), out);
      leftover.insert(leftover.end(), rest.begin(), rest.end());
    }
    if (!leftover.empty()) {
      {
        std::lock_guard lock(stats_mu);
        stats.gpu_fallback_pairs += leftover.size();
      }
      std::sort(leftover.begin(), leftover.end());
      run_cpu_any(pairs, leftover, out);
    }
  }

  // CPU work of unknown size (fallbacks): serial or the pool, as the model says.
  void run_cpu_any(std::span<const SequencePair> pairs, std::span<const std::size_t> ids, std::span<Alignment> out) {
    std::vector<SequencePair> sub;
    for (std::size_t i : ids) sub.push_back(pairs[i]);
    const BatchCost c = measure(sub);
    const Backend pool = cfg.cpu_pool == PoolType::process ? Backend::processes : Backend::threads;
    if (workers > 1 && model->predict_seconds(pool, c) < model->predict_seconds(Backend::serial, c))
      run_pool(pairs, ids, out, cfg.cpu_pool);
    else
      run_serial(pairs, ids, out);
  }

  // GPU and CPU threads on one queue sorted by cells: the GPU feeder takes
  // launches from the large end, CPU workers chunks from the small end, until
  // they meet; so neither idles while work is left.  If the GPU is lost its
  // feeder carries on with a CPU engine.
  void run_hybrid(std::span<const SequencePair> pairs, std::vector<std::size_t> ids, std::span<Alignment> out,
                  double gpu_share) {
    std::stable_sort(ids.begin(), ids.end(), [&](std::size_t a, std::size_t b) { return pairs[a].cells() > pairs[b].cells(); });
    std::uint64_t total = 0;
    for (std::size_t i : ids) total += pairs[i].cells();
    // GPU launches of about an eighth of its share; CPU chunks of about
    // 1/(8 workers) of theirs: small enough to balance the end of the batch.
    const std::uint64_t gpu_chunk = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(gpu_share * total / 8));
    const std::uint64_t cpu_chunk =
        std::max<std::uint64_t>(1, static_cast<std::uint64_t>((1 - gpu_share) * total / (8.0 * workers)));
    std::mutex mu;
    std::size_t front = 0, back = ids.size();  // [front, back) not taken yet
    std::exception_ptr error;
    std::mutex err_mu;

    auto take_front = [&](std::uint64_t want, std::vector<std::size_t>& got) {
      std::lock_guard lock(mu);
      got.clear();
      std::uint64_t c = 0, bytes = 0;
      while (front < back && (got.empty() || c < want)) {
        const std::uint64_t b = estimate_device_bytes(pairs[ids[front]], cfg.options);
        if (!got.empty() && device_budget && bytes + b > device_budget) break;
        got.push_back(ids[front]);
        c += pairs[ids[front]].cells();
        bytes += b;
        ++front;
      }
      return !got.empty();
    };
    auto take_back = [&](std::uint64_t want, std::vector<std::size_t>& got) {
      std::lock_guard lock(mu);
      got.clear();
      std::uint64_t c = 0;
      while (front < back && (got.empty() || c < want)) {
        --back;
        got.push_back(ids[back]);
        c += pairs[ids[back]].cells();
      }
      return !got.empty();
    };
    auto cpu_loop = [&](bool from_front) {
      try {
        auto engine = take_cpu_engine();
        std::vector<std::size_t> got;
        while (from_front ? take_front(cpu_chunk, got) : take_back(cpu_chunk, got))
          run_on_engine(*engine, pairs, got, out, "hybrid cpu");
        give_cpu_engine(std::move(engine));
      } catch (...) {
        std::lock_guard lock(err_mu);
        if (!error) error = std::current_exception();
      }
    };

    std::thread feeder([&] {
      if (cfg.trace) cfg.trace->name_thread("gpu feeder");
      try {
        std::vector<std::size_t> got;
        while (gpu_ok.load() && take_front(gpu_chunk, got)) {
          auto rest = gpu_launch(pairs, got, out);
          if (!rest.empty()) {
            {
              std::lock_guard lock(stats_mu);
              stats.gpu_fallback_pairs += rest.size();
            }
            auto engine = take_cpu_engine();
            run_on_engine(*engine, pairs, rest, out, "gpu fallback");
            give_cpu_engine(std::move(engine));
          }
        }
      } catch (...) {
        std::lock_guard lock(err_mu);
        if (!error) error = std::current_exception();
        return;
      }
      cpu_loop(true);  // GPU lost or done: help the CPU finish
    });
    std::vector<std::thread> cpus;
    // One core keeps feeding the GPU; the others align on the CPU.
    const std::size_t cpu_threads = std::max<std::size_t>(1, workers > 1 ? workers - 1 : 1);
    for (std::size_t t = 0; t < cpu_threads; ++t) cpus.emplace_back([&] { cpu_loop(false); });
    feeder.join();
    for (auto& t : cpus) t.join();
    if (error) std::rethrow_exception(error);
  }
};

Dispatcher::Dispatcher(DispatcherConfig config) : impl_(std::make_unique<Impl>()) {
  Impl& d = *impl_;
  d.cfg = std::move(config);
  d.cfg.scoring.validate();
  if (d.cfg.cpu_engine.empty()) d.cfg.cpu_engine = registered("cpu") ? "cpu" : "reference";
  {
    auto probe = make_engine(d.cfg.cpu_engine);  // throws for an unknown name
    if (!probe->available())
      throw Error("CPU engine '" + d.cfg.cpu_engine + "' is unavailable: " + probe->unavailable_reason());
    d.cpu_name = d.cfg.cpu_engine;
    d.idle_engines.push_back(std::move(probe));
  }
  CalibrationProfile profile =
      d.cfg.profile ? *d.cfg.profile : load_profile_or_default({}, &d.profile_source);
  if (d.cfg.profile) d.profile_source = "given";
  if (d.cfg.host_budget) {
    d.budget = d.cfg.host_budget;
  } else {
    d.own_budget = std::make_unique<MemoryBudget>();
    d.budget = d.own_budget.get();
  }
  d.workers = d.cfg.num_workers ? d.cfg.num_workers : default_workers(WorkloadKind::cpu_bound);

  if (!d.cfg.gpu_engine.empty() && registered(d.cfg.gpu_engine)) {
    auto g = make_engine(d.cfg.gpu_engine);
    if (g->available()) {
      d.gpu = std::move(g);
      d.gpu_ok = true;
    } else {
      d.gpu_reason = g->unavailable_reason();
    }
  } else if (d.cfg.gpu_engine.empty()) {
    d.gpu_reason = "no GPU engine configured";
  } else {
    d.gpu_reason = "engine '" + d.cfg.gpu_engine + "' not built (CPU-only build)";
  }
  d.device_budget = d.cfg.device_budget_bytes
                        ? d.cfg.device_budget_bytes
                        : static_cast<std::uint64_t>(static_cast<double>(profile.device_memory_bytes) * 0.8);

  Resources res;
  res.cpu_workers = d.workers;
  res.gpu_available = d.gpu_ok;
  res.processes = d.cfg.cpu_pool == PoolType::process;
  res.host_budget_bytes = d.budget->capacity();
  res.device_budget_bytes = d.device_budget;
  d.model = std::make_unique<CostModel>(std::move(profile), res);
}

Dispatcher::~Dispatcher() = default;

const CostModel& Dispatcher::cost_model() const noexcept { return *impl_->model; }
bool Dispatcher::gpu_available() const noexcept { return impl_->gpu_ok.load(); }
const std::string& Dispatcher::cpu_engine_name() const noexcept { return impl_->cpu_name; }
const std::string& Dispatcher::profile_source() const noexcept { return impl_->profile_source; }

DispatchStats Dispatcher::stats() const {
  std::lock_guard lock(impl_->stats_mu);
  DispatchStats s = impl_->stats;
  s.peak_host_reserved = impl_->budget->peak();
  return s;
}

RouteDecision Dispatcher::plan(std::span<const SequencePair> pairs) const {
  Impl& d = *impl_;
  const BatchCost c = d.measure(pairs);
  Backend b = d.cfg.backend;
  if ((b == Backend::gpu || b == Backend::hybrid) && !d.gpu_ok.load())
    b = d.cfg.cpu_pool == PoolType::process ? Backend::processes : Backend::threads;
  if (b == Backend::automatic) {
    // Routing looks at the GPU as it is now (it may have been lost).
    CostModel now(d.model->profile(), [&] {
      Resources r = d.model->resources();
      r.gpu_available = d.gpu_ok.load();
      return r;
    }());
    return now.route(c);
  }
  RouteDecision r;
  r.backend = b;
  r.predicted_seconds = d.model->predict_seconds(b, c);
  r.gpu_share = b == Backend::gpu ? 1 : 0;
  if (b == Backend::hybrid) {
    const double rg = d.model->profile().gpu_cells_per_second;
    const double rc = d.model->profile().cpu_cells_per_second * static_cast<double>(d.workers);
    r.gpu_share = rg / (rg + rc);
  }
  r.reason = std::string(to_string(b)) + ": forced";
  return r;
}

std::vector<Alignment> Dispatcher::align(std::span<const SequencePair> pairs) {
  std::vector<Alignment> out(pairs.size());
  align(pairs, out);
  return out;
}

void Dispatcher::align(std::span<const SequencePair> pairs, std::span<Alignment> out) {
  Impl& d = *impl_;
  if (out.size() != pairs.size()) throw Error("Dispatcher::align: output size differs from the number of pairs");
  if (pairs.empty()) return;
  d.say_no_gpu_once();
  const RouteDecision r = plan(pairs);
  if (d.cfg.trace)
    d.cfg.trace->instant("route", "dispatch", {{"backend", std::string(to_string(r.backend))}, {"reason", r.reason}});
  std::vector<std::size_t> ids(pairs.size());
  std::iota(ids.begin(), ids.end(), std::size_t{0});
  switch (r.backend) {
    case Backend::serial: d.run_serial(pairs, ids, out); break;
    case Backend::threads: d.run_pool(pairs, ids, out, PoolType::thread); break;
    case Backend::processes: d.run_pool(pairs, ids, out, PoolType::process); break;
    case Backend::gpu: d.run_gpu(pairs, std::move(ids), out); break;
    case Backend::hybrid: d.run_hybrid(pairs, std::move(ids), out, r.gpu_share); break;
    case Backend::automatic: d.run_serial(pairs, ids, out); break;  // not reached: plan() resolves it
  }
  std::uint64_t cells = 0;
  for (const auto& p : pairs) cells += p.cells();
  std::lock_guard lock(d.stats_mu);
  ++d.stats.batches;
  d.stats.pairs += pairs.size();
  d.stats.cells += cells;
  ++d.stats.batches_by_backend[idx(r.backend)];
}

}  // namespace gpualign
