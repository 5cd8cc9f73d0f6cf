#pragma once
/// @file hierarchical_executor.hpp
/// A DAG scheduler: named tasks with dependencies run on a pool of worker
/// threads, critical path first, each task reading its dependencies' results.
///
///     gpualign::HierarchicalExecutor ex(4);
///     ex.add_task("read", [](gpualign::TaskContext&) { return load(); });
///     ex.add_task("align", [](gpualign::TaskContext& c) {
///       return align(c.get<Batch>("read"), c.threads());
///     }, {"read"}, {.cost = 10, .max_threads = 4});
///     auto report = ex.execute();
///     auto& out = report.get<Results>("align");
///
/// Results are typed through std::any: a task returns any copyable value
/// (or nothing), and readers name the type in get<T>(); a mismatch throws
/// gpualign::Error naming both tasks.  Move-only results travel in a
/// std::shared_ptr.

#include <any>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeinfo>
#include <unordered_map>
#include <utility>
#include <vector>

#include "gpualign/error.hpp"
#include "gpualign/thread_pool.hpp"

namespace gpualign {

class TaskContext;

/// A task's function: returns its result (an empty std::any for none).
using TaskFunction = std::function<std::any(TaskContext&)>;

/// Scheduling hints of one task.
struct TaskOptions {
  /// Estimated cost in any unit common to the graph; the priority of a task
  /// is the longest chain of costs from it to the end of the graph.  After a
  /// run the measured times replace these (when every task has one).
  double cost = 1.0;
  /// Threads the task can use (>= 1).  It receives between 1 and this many
  /// (TaskContext::threads()); tasks on the critical path get more.
  std::size_t max_threads = 1;
};

/// What a task's function sees while it runs.
class TaskContext {
 public:
  /// The task's name.
  const std::string& name() const noexcept;
  /// Threads granted to this task (>= 1): pass it as num_workers to
  /// execute_parallel; those calls run on the executor's own pool.
  std::size_t threads() const noexcept { return threads_; }
  /// The executor's thread pool.
  ThreadPool& pool() const noexcept { return *pool_; }
  /// The result of dependency `dep`; throws gpualign::Error when `dep` is not
  /// one of this task's dependencies.
  const std::any& result(std::string_view dep) const;
  /// The result of dependency `dep` as a `T`; throws gpualign::Error when
  /// `dep` is not a dependency or holds another type.
  template <class T>
  const T& get(std::string_view dep) const {
    const std::any& a = result(dep);
    if (const T* p = std::any_cast<T>(&a)) return *p;
    type_mismatch(dep, a.type(), typeid(T));
  }

 private:
  friend class HierarchicalExecutor;
  [[noreturn]] void type_mismatch(std::string_view dep, const std::type_info& held,
                                  const std::type_info& wanted) const;
  const void* run_ = nullptr;  // the executor's run state
  std::size_t task_ = 0;
  std::size_t threads_ = 1;
  ThreadPool* pool_ = nullptr;
};

/// How one task ended.
enum class TaskStatus : std::uint8_t {
  ok,         ///< ran and returned
  failed,     ///< its function threw
  cancelled,  ///< not run: a task it depends on (directly or not) failed
};

/// "ok", "failed", "cancelled".
std::string_view to_string(TaskStatus s) noexcept;

/// One task of a finished run.
struct TaskRecord {
  std::string name;
  std::vector<std::string> dependencies;
  TaskStatus status = TaskStatus::ok;
  std::string error;         ///< why it failed or was cancelled
  double start_s = 0;        ///< seconds from the start of execute() (0 when cancelled)
  double end_s = 0;          ///< seconds from the start of execute()
  std::size_t threads = 0;   ///< threads granted (0 when cancelled)
  std::size_t start_order = 0;  ///< 0 for the first task started, 1 for the next...
  double priority = 0;       ///< longest remaining path used to schedule it
  bool on_critical_path = false;  ///< on the measured critical path of this run
  /// Seconds it ran.
  double seconds() const noexcept { return end_s - start_s; }
};

/// The outcome of HierarchicalExecutor::execute(): results, timings, the
/// critical path and the graph.
class ExecutionReport {
 public:
  /// Whether every task succeeded.
  bool ok() const noexcept { return failed_ == 0; }
  /// Every task, in the order they were added.
  const std::vector<TaskRecord>& tasks() const noexcept { return tasks_; }
  /// One task's record; throws gpualign::Error for an unknown name.
  const TaskRecord& task(std::string_view name) const;
  /// One task's result (empty when it failed, was cancelled or returned nothing).
  const std::any& result(std::string_view name) const;
  /// One task's result as a `T`; throws gpualign::Error when it has none or another type.
  template <class T>
  const T& get(std::string_view name) const {
    const std::any& a = result(name);
    if (const T* p = std::any_cast<T>(&a)) return *p;
    throw Error("task '" + std::string(name) + "': result is not of the requested type");
  }
  /// "name: error" for every failed or cancelled task, in add order.
  std::vector<std::string> failures() const;
  /// Names along the longest chain of measured task times, first to last.
  const std::vector<std::string>& critical_path() const noexcept { return critical_path_; }
  /// Wall seconds of the whole run.
  double wall_seconds() const noexcept { return wall_s_; }
  /// Sum over tasks of seconds x threads granted.
  double busy_seconds() const noexcept { return busy_s_; }
  /// Seconds along the critical path: no schedule can finish sooner.
  double critical_path_seconds() const noexcept { return critical_s_; }
  /// busy_seconds / (wall_seconds * workers): 1 when every worker was busy throughout.
  double parallel_efficiency() const noexcept;
  /// Workers the run had.
  std::size_t workers() const noexcept { return workers_; }
  /// The graph in Graphviz DOT: one node per task labelled with its time and
  /// threads, the critical path in red, failed tasks red-filled, cancelled grey.
  std::string to_dot() const;

 private:
  friend class HierarchicalExecutor;
  std::vector<TaskRecord> tasks_;
  std::vector<std::any> results_;
  std::unordered_map<std::string, std::size_t> index_;
  std::vector<std::string> critical_path_;
  double wall_s_ = 0, busy_s_ = 0, critical_s_ = 0;
  std::size_t workers_ = 1;
  std::size_t failed_ = 0;
};

/// Thrown by HierarchicalExecutor::execute() when tasks failed; what() names
/// every failed task and counts the cancelled ones; report() holds all
/// results of the tasks that did complete.
class TaskGraphError : public Error {
 public:
  /// Wraps the report of a run with failures.
  explicit TaskGraphError(ExecutionReport report);
  /// The whole run.
  const ExecutionReport& report() const noexcept { return *report_; }

 private:
  std::shared_ptr<ExecutionReport> report_;
};

/// Runs a graph of named tasks on `num_workers` threads.  Independent tasks
/// run concurrently; among ready tasks the one with the longest remaining
/// path runs first; a task that can use several threads gets more of them
/// when it lies on the critical path.  A failing task cancels only its
/// descendants.  Not reentrant: do not call execute() from its own tasks.
class HierarchicalExecutor {
 public:
  /// `num_workers` 0 = default_workers(WorkloadKind::cpu_bound).  The
  /// executor's pool of that many threads starts on the first execute().
  explicit HierarchicalExecutor(std::size_t num_workers = 0);
  ~HierarchicalExecutor();
  HierarchicalExecutor(const HierarchicalExecutor&) = delete;
  HierarchicalExecutor& operator=(const HierarchicalExecutor&) = delete;

  /// Adds a task.  `fn` is called as fn(TaskContext&) or fn() and may return
  /// a value (kept as std::any; it must be copyable) or nothing.  Names,
  /// dependencies and cycles are checked by execute().
  template <class F>
  void add_task(std::string name, F&& fn, std::vector<std::string> dependencies = {},
                TaskOptions options = {}) {
    add_task_erased(std::move(name), wrap(std::forward<F>(fn)), std::move(dependencies), options);
  }

  /// Runs every task once.  Throws gpualign::Error (naming the tasks
  /// involved) for duplicate names, unknown dependencies and cycles before
  /// running anything, and TaskGraphError after the run if any task failed.
  ExecutionReport execute();

  /// Like execute(), but returns the report even when tasks failed.
  ExecutionReport execute_collect();

  /// Number of workers.
  std::size_t num_workers() const noexcept { return workers_; }
  /// Number of tasks added.
  std::size_t size() const noexcept { return tasks_.size(); }
  /// Removes every task (measured times are kept by name).
  void clear() noexcept { tasks_.clear(); }

 private:
  struct TaskDef {
    std::string name;
    TaskFunction fn;
    std::vector<std::string> deps;
    TaskOptions options;
  };
  struct Run;
  friend class TaskContext;

  void add_task_erased(std::string name, TaskFunction fn, std::vector<std::string> deps, TaskOptions options);
  void launch_ready(Run& run);
  void run_task(Run& run, std::size_t t, std::size_t threads);

  template <class F>
  static TaskFunction wrap(F&& fn) {
    using Fn = std::decay_t<F>;
    if constexpr (std::is_invocable_v<Fn&, TaskContext&>) {
      using R = std::invoke_result_t<Fn&, TaskContext&>;
      if constexpr (std::is_same_v<R, std::any>) {
        return TaskFunction(std::forward<F>(fn));
      } else if constexpr (std::is_void_v<R>) {
        return [f = Fn(std::forward<F>(fn))](TaskContext& c) mutable -> std::any { f(c); return {}; };
      } else {
        return [f = Fn(std::forward<F>(fn))](TaskContext& c) mutable -> std::any { return std::any(f(c)); };
      }
    } else {
      static_assert(std::is_invocable_v<Fn&>, "add_task: fn must be callable as fn(TaskContext&) or fn()");
      using R = std::invoke_result_t<Fn&>;
      if constexpr (std::is_void_v<R>) {
        return [f = Fn(std::forward<F>(fn))](TaskContext&) mutable -> std::any { f(); return {}; };
      } else {
        return [f = Fn(std::forward<F>(fn))](TaskContext&) mutable -> std::any { return std::any(f()); };
      }
    }
  }

  std::size_t workers_;
  std::vector<TaskDef> tasks_;
  std::map<std::string, double, std::less<>> measured_;  // seconds of the last successful run, by name
  std::unique_ptr<ThreadPool> pool_;
};

}  // namespace gpualign
