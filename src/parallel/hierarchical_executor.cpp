// The DAG scheduler: validation, critical-path priorities, thread grants,
// failure propagation and the post-run report.

#include "gpualign/hierarchical_executor.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <queue>
#include <set>

#include "gpualign/worker_defaults.hpp"
#include "parallel/prepared_chunks.hpp"

namespace gpualign {

using Clock = std::chrono::steady_clock;

std::string_view to_string(TaskStatus s) noexcept {
  switch (s) {
    case TaskStatus::ok: return "ok";
    case TaskStatus::failed: return "failed";
    case TaskStatus::cancelled: return "cancelled";
  }
  return "unknown";
}

// State of one execute(): the graph as indices, and what changes while it runs.
struct HierarchicalExecutor::Run {
  std::size_t n = 0;
  std::vector<std::vector<std::size_t>> deps, succs;
  std::unordered_map<std::string_view, std::size_t> index;
  std::vector<double> weight, blevel;
  std::vector<bool> critical;  // zero slack in the planned (estimated) graph
  std::vector<std::size_t> remaining;
  std::vector<std::any> results;
  std::vector<TaskRecord> records;
  std::vector<bool> done;

  std::mutex mu;
  std::condition_variable all_done;
  // Ready tasks: highest priority first, then the one added first.
  struct ByPriority {
    const Run* run;
    bool operator()(std::size_t a, std::size_t b) const {
      if (run->blevel[a] != run->blevel[b]) return run->blevel[a] < run->blevel[b];
      return a > b;
    }
  };
  std::priority_queue<std::size_t, std::vector<std::size_t>, ByPriority> ready{ByPriority{this}};
  std::size_t free_slots = 0;
  std::size_t finished = 0;
  std::size_t started = 0;
  Clock::time_point t0;
  const std::vector<TaskDef>* defs = nullptr;
};

const std::string& TaskContext::name() const noexcept {
  const auto* run = static_cast<const HierarchicalExecutor::Run*>(run_);
  return run->records[task_].name;
}

const std::any& TaskContext::result(std::string_view dep) const {
  const auto* run = static_cast<const HierarchicalExecutor::Run*>(run_);
  for (std::size_t d : run->deps[task_])
    if (run->records[d].name == dep) return run->results[d];
  throw Error("task '" + name() + "': '" + std::string(dep) + "' is not one of its dependencies");
}

void TaskContext::type_mismatch(std::string_view dep, const std::type_info& held,
                                const std::type_info& wanted) const {
  throw Error("task '" + name() + "': the result of '" + std::string(dep) + "' is a " +
              (held == typeid(void) ? std::string("nothing (empty)") : std::string(held.name())) +
              ", not a " + wanted.name());
}

const TaskRecord& ExecutionReport::task(std::string_view name) const {
  auto it = index_.find(std::string(name));
  if (it == index_.end()) throw Error("no task named '" + std::string(name) + "'");
  return tasks_[it->second];
}

const std::any& ExecutionReport::result(std::string_view name) const {
  auto it = index_.find(std::string(name));
  if (it == index_.end()) throw Error("no task named '" + std::string(name) + "'");
  return results_[it->second];
}

std::vector<std::string> ExecutionReport::failures() const {
  std::vector<std::string> out;
  for (const auto& t : tasks_)
    if (t.status != TaskStatus::ok) out.push_back(t.name + ": " + t.error);
  return out;
}

double ExecutionReport::parallel_efficiency() const noexcept {
  if (wall_s_ <= 0 || workers_ == 0) return 0;
  return busy_s_ / (wall_s_ * static_cast<double>(workers_));
}

namespace {
std::string dot_quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string seconds_text(double s) {
  char buf[32];
  if (s >= 1)
    std::snprintf(buf, sizeof buf, "%.2f s", s);
  else if (s >= 1e-3)
    std::snprintf(buf, sizeof buf, "%.2f ms", s * 1e3);
  else
    std::snprintf(buf, sizeof buf, "%.1f us", s * 1e6);
  return buf;
}
}  // namespace

std::string ExecutionReport::to_dot() const {
  std::string out = "digraph tasks {\n  rankdir=LR;\n  node [shape=box, style=\"rounded,filled\", fillcolor=white];\n";
  std::set<std::pair<std::string, std::string>> cp_edges;
  for (std::size_t k = 1; k < critical_path_.size(); ++k) cp_edges.insert({critical_path_[k - 1], critical_path_[k]});
  for (const auto& t : tasks_) {
    std::string label = t.name + "\\n" + seconds_text(t.seconds());
    if (t.threads > 1) label += " x" + std::to_string(t.threads) + " threads";
    if (t.status != TaskStatus::ok) label += "\\n" + std::string(to_string(t.status));
    out += "  " + dot_quote(t.name) + " [label=" + dot_quote(label);
    if (t.status == TaskStatus::failed) out += ", fillcolor=salmon";
    if (t.status == TaskStatus::cancelled) out += ", fillcolor=lightgrey, fontcolor=grey40";
    if (t.on_critical_path) out += ", color=red, penwidth=2";
    out += "];\n";
  }
  for (const auto& t : tasks_)
    for (const auto& d : t.dependencies) {
      out += "  " + dot_quote(d) + " -> " + dot_quote(t.name);
      if (cp_edges.count({d, t.name})) out += " [color=red, penwidth=2]";
      out += ";\n";
    }
  out += "}\n";
  return out;
}

namespace {
std::string graph_error_message(const ExecutionReport& r) {
  std::string failed, cancelled_names;
  std::size_t nfailed = 0, ncancelled = 0;
  for (const auto& t : r.tasks()) {
    if (t.status == TaskStatus::failed) {
      failed += (nfailed++ ? "; '" : "'") + t.name + "': " + t.error;
    } else if (t.status == TaskStatus::cancelled) {
      ++ncancelled;
    }
  }
  std::string m = std::to_string(nfailed) + (nfailed == 1 ? " task" : " tasks") + " failed: " + failed;
  if (ncancelled) m += " (" + std::to_string(ncancelled) + " dependent task" + (ncancelled == 1 ? "" : "s") + " cancelled)";
  return m;
}
}  // namespace

TaskGraphError::TaskGraphError(ExecutionReport report)
    : Error(graph_error_message(report)), report_(std::make_shared<ExecutionReport>(std::move(report))) {}

HierarchicalExecutor::HierarchicalExecutor(std::size_t num_workers)
    : workers_(num_workers ? num_workers : default_workers(WorkloadKind::cpu_bound)) {}

HierarchicalExecutor::~HierarchicalExecutor() = default;

void HierarchicalExecutor::add_task_erased(std::string name, TaskFunction fn, std::vector<std::string> deps,
                                           TaskOptions options) {
  if (!fn) throw Error("task '" + name + "': empty function");
  options.max_threads = std::max<std::size_t>(1, options.max_threads);
  if (!(options.cost >= 0)) options.cost = 0;
  tasks_.push_back({std::move(name), std::move(fn), std::move(deps), options});
}

ExecutionReport HierarchicalExecutor::execute() {
  ExecutionReport r = execute_collect();
  if (!r.ok()) throw TaskGraphError(std::move(r));
  return r;
}

ExecutionReport HierarchicalExecutor::execute_collect() {
  if (ThreadPool::current() == pool_.get() && pool_)
    throw Error("HierarchicalExecutor::execute() called from one of its own tasks");

  Run run;
  run.n = tasks_.size();
  run.defs = &tasks_;
  const std::size_t n = run.n;

  // --- validation: every problem at once, naming the tasks ---
  std::vector<std::string> problems;
  for (std::size_t i = 0; i < n; ++i) {
    auto [it, fresh] = run.index.emplace(tasks_[i].name, i);
    if (!fresh) problems.push_back("duplicate task name '" + tasks_[i].name + "'");
  }
  run.deps.assign(n, {});
  run.succs.assign(n, {});
  for (std::size_t i = 0; i < n; ++i) {
    for (const auto& d : tasks_[i].deps) {
      auto it = run.index.find(d);
      if (it == run.index.end()) {
        problems.push_back("task '" + tasks_[i].name + "' depends on unknown task '" + d + "'");
        continue;
      }
      if (std::find(run.deps[i].begin(), run.deps[i].end(), it->second) != run.deps[i].end()) continue;
      run.deps[i].push_back(it->second);
      run.succs[it->second].push_back(i);
    }
  }
  // Topological order (Kahn); what is left lies on or behind a cycle.
  std::vector<std::size_t> order;
  order.reserve(n);
  {
    std::vector<std::size_t> indeg(n);
    for (std::size_t i = 0; i < n; ++i) indeg[i] = run.deps[i].size();
    for (std::size_t i = 0; i < n; ++i)
      if (indeg[i] == 0) order.push_back(i);
    for (std::size_t k = 0; k < order.size(); ++k)
      for (std::size_t s : run.succs[order[k]])
        if (--indeg[s] == 0) order.push_back(s);
    if (order.size() < n) {
      // Name concrete cycles: a DFS over the leftover tasks; each back edge closes one.
      std::vector<int> color(n, 0);
      for (std::size_t i = 0; i < n; ++i)
        if (indeg[i] == 0) color[i] = 2;
      std::vector<std::size_t> path;
      std::size_t reported = 0;
      std::function<void(std::size_t)> dfs = [&](std::size_t v) {
        color[v] = 1;
        path.push_back(v);
        for (std::size_t s : run.succs[v]) {
          if (color[s] == 1 && reported < 5) {
            auto from = std::find(path.begin(), path.end(), s);
            std::string cyc = "cycle: ";
            for (auto p = from; p != path.end(); ++p) cyc += tasks_[*p].name + " -> ";
            cyc += tasks_[s].name;
            problems.push_back(cyc);
            ++reported;
          } else if (color[s] == 0) {
            dfs(s);
          }
        }
        path.pop_back();
        color[v] = 2;
      };
      for (std::size_t i = 0; i < n; ++i)
        if (color[i] == 0) dfs(i);
    }
  }
  if (!problems.empty()) {
    std::string m = "task graph: ";
    for (std::size_t k = 0; k < problems.size(); ++k) m += (k ? "; " : "") + problems[k];
    throw Error(m);
  }

  // --- priorities: longest remaining path (bottom level) by cost, or by the
  // times measured on the last run when every task has one ---
  bool all_measured = n > 0;
  for (const auto& t : tasks_)
    if (!measured_.count(t.name)) all_measured = false;
  run.weight.resize(n);
  for (std::size_t i = 0; i < n; ++i)
    run.weight[i] = all_measured ? measured_.find(tasks_[i].name)->second : tasks_[i].options.cost;
  run.blevel.assign(n, 0);
  for (std::size_t k = n; k-- > 0;) {
    const std::size_t v = order[k];
    double best = 0;
    for (std::size_t s : run.succs[v]) best = std::max(best, run.blevel[s]);
    run.blevel[v] = run.weight[v] + best;
  }
  std::vector<double> tlevel(n, 0);
  double cp = 0;
  for (std::size_t v : order) {
    for (std::size_t d : run.deps[v]) tlevel[v] = std::max(tlevel[v], tlevel[d] + run.weight[d]);
    cp = std::max(cp, tlevel[v] + run.blevel[v]);
  }
  run.critical.assign(n, false);
  for (std::size_t v = 0; v < n; ++v) run.critical[v] = tlevel[v] + run.blevel[v] >= cp * (1 - 1e-9) - 1e-12;

  run.remaining.resize(n);
  run.results.assign(n, {});
  run.records.resize(n);
  run.done.assign(n, false);
  for (std::size_t i = 0; i < n; ++i) {
    run.remaining[i] = run.deps[i].size();
    run.records[i].name = tasks_[i].name;
    run.records[i].dependencies = tasks_[i].deps;
    run.records[i].priority = run.blevel[i];
  }

  // --- run ---
  if (n > 0) {
    if (!pool_) pool_ = std::make_unique<ThreadPool>(workers_);
    run.free_slots = workers_;
    run.t0 = Clock::now();
    std::unique_lock lock(run.mu);
    for (std::size_t i = 0; i < n; ++i)
      if (run.remaining[i] == 0) run.ready.push(i);
    launch_ready(run);
    run.all_done.wait(lock, [&] { return run.finished == run.n; });
  }
  const double wall = n ? std::chrono::duration<double>(Clock::now() - run.t0).count() : 0;

  // --- report ---
  ExecutionReport rep;
  rep.workers_ = workers_;
  rep.wall_s_ = wall;
  for (std::size_t i = 0; i < n; ++i) {
    const auto& rec = run.records[i];
    rep.busy_s_ += rec.seconds() * static_cast<double>(rec.threads);
    if (rec.status != TaskStatus::ok) ++rep.failed_;
    if (rec.status == TaskStatus::ok) measured_[rec.name] = rec.seconds();
  }
  // Measured critical path: longest chain of actual run times.
  std::vector<double> finish(n, 0);
  std::vector<std::size_t> via(n, n);
  for (std::size_t v : order) {
    double start = 0;
    for (std::size_t d : run.deps[v])
      if (via[v] == n || finish[d] > start) {
        start = finish[d];
        via[v] = d;
      }
    finish[v] = start + run.records[v].seconds();
  }
  std::size_t last = n;
  for (std::size_t v = 0; v < n; ++v)
    if (last == n || finish[v] > finish[last]) last = v;
  for (std::size_t v = last; v != n; v = via[v]) {
    rep.critical_path_.push_back(run.records[v].name);
    run.records[v].on_critical_path = true;
  }
  std::reverse(rep.critical_path_.begin(), rep.critical_path_.end());
  rep.critical_s_ = last == n ? 0 : finish[last];
  rep.tasks_ = std::move(run.records);
  rep.results_ = std::move(run.results);
  for (std::size_t i = 0; i < n; ++i) rep.index_.emplace(rep.tasks_[i].name, i);
  return rep;
}

// Starts ready tasks while slots are free; called with run.mu held.
void HierarchicalExecutor::launch_ready(Run& run) {
  while (run.free_slots > 0 && !run.ready.empty()) {
    const std::size_t t = run.ready.top();
    run.ready.pop();
    const std::size_t want = (*run.defs)[t].options.max_threads;
    std::size_t grant = 1;
    if (want > 1) {
      // Keep one slot for each other ready task; critical tasks take all the
      // rest they can use, others half of it, leaving room for the critical
      // path when it becomes ready.
      const std::size_t others = std::min(run.ready.size(), run.free_slots - 1);
      const std::size_t avail = run.free_slots - others;
      grant = run.critical[t] ? std::min(want, avail) : std::min(want, std::max<std::size_t>(1, avail / 2));
    }
    run.free_slots -= grant;
    run.records[t].threads = grant;
    run.records[t].start_order = run.started++;
    pool_->submit([this, &run, t, grant]() noexcept { run_task(run, t, grant); });
  }
}

void HierarchicalExecutor::run_task(Run& run, std::size_t t, std::size_t threads) {
  TaskRecord& rec = run.records[t];
  TaskContext ctx;
  ctx.run_ = &run;
  ctx.task_ = t;
  ctx.threads_ = threads;
  ctx.pool_ = pool_.get();
  rec.start_s = std::chrono::duration<double>(Clock::now() - run.t0).count();
  bool ok = true;
  std::string error;
  std::any result;
  try {
    result = (*run.defs)[t].fn(ctx);
  } catch (...) {
    ok = false;
    error = detail::describe_current_exception();
  }
  rec.end_s = std::chrono::duration<double>(Clock::now() - run.t0).count();

  std::lock_guard lock(run.mu);
  run.free_slots += threads;
  run.done[t] = true;
  ++run.finished;
  if (ok) {
    rec.status = TaskStatus::ok;
    run.results[t] = std::move(result);
    for (std::size_t s : run.succs[t])
      if (!run.done[s] && --run.remaining[s] == 0) run.ready.push(s);
  } else {
    rec.status = TaskStatus::failed;
    rec.error = error;
    // Cancel every descendant not yet cancelled (none of them can have started).
    std::vector<std::size_t> stack(run.succs[t].begin(), run.succs[t].end());
    while (!stack.empty()) {
      const std::size_t s = stack.back();
      stack.pop_back();
      if (run.done[s]) continue;
      run.done[s] = true;
      ++run.finished;
      run.records[s].status = TaskStatus::cancelled;
      run.records[s].error = "cancelled: depends on failed task '" + rec.name + "'";
      run.records[s].start_s = run.records[s].end_s = rec.end_s;
      stack.insert(stack.end(), run.succs[s].begin(), run.succs[s].end());
    }
  }
  launch_ready(run);
  if (run.finished == run.n) run.all_done.notify_all();
}

}  // namespace gpualign
