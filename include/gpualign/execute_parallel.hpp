#pragma once
/// @file execute_parallel.hpp
/// `execute_parallel(fn, items, options)`: runs `fn` on every item with a
/// pool of threads or of forked worker processes and returns the results in
/// input order.  A failing item (exception, dead worker, timeout, memory
/// budget) is reported for that item; every other item still finishes.
///
///     std::vector<int> lens = gpualign::execute_parallel(
///         [](const std::string& s) { return int(s.size()); }, names,
///         {.num_workers = 4, .pool_type = gpualign::PoolType::process});

#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <ranges>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "gpualign/chunking.hpp"
#include "gpualign/error.hpp"
#include "gpualign/memory_budget.hpp"
#include "gpualign/process_pool.hpp"
#include "gpualign/result_codec.hpp"
#include "gpualign/thread_pool.hpp"

namespace gpualign {

/// Where items run.
enum class PoolType : std::uint8_t {
  thread,   ///< threads of a ThreadPool sharing this process's memory
  process,  ///< forked worker processes: isolation, crash detection and retry
};

/// "thread" or "process".
std::string_view to_string(PoolType t) noexcept;
/// Parses "thread"/"threads" and "process"/"processes"; throws gpualign::Error otherwise.
PoolType parse_pool_type(std::string_view name);

/// How execute_parallel runs.
struct ParallelOptions {
  /// Concurrent workers; 0 = default_workers(WorkloadKind::cpu_bound).
  std::size_t num_workers = 0;
  /// Threads or forked processes.
  PoolType pool_type = PoolType::thread;
  /// Items per chunk (the unit a worker takes at a time); 0 = automatic:
  /// chunk_size_general(), or cost-balanced chunks when `item_cost` is set.
  std::size_t chunk_size = 0;
  /// Process pool only: a chunk attempt running longer than this many
  /// seconds is killed and its item in progress treated like a crash; 0 = none.
  double chunk_timeout_s = 0;
  /// Optional estimated cost of item i: chunks then balance cost (largest
  /// first) instead of counting items; `chunk_size`, if set, caps their size.
  std::function<std::uint64_t(std::size_t)> item_cost{};
  /// Optional budget: before a chunk starts, the sum of `item_bytes` over its
  /// items is reserved (waiting while others hold it), and released when the
  /// chunk ends.  A chunk larger than the budget is split; an item larger
  /// than the whole budget fails with ItemFailure::over_budget.
  MemoryBudget* memory_budget = nullptr;
  /// Estimated bytes of item i, used with `memory_budget`.
  std::function<std::uint64_t(std::size_t)> item_bytes{};
  /// Thread pool to use; nullptr = the pool running the caller (nested
  /// calls) or else ThreadPool::shared() (a private pool when more workers
  /// are asked for than it has).
  ThreadPool* thread_pool = nullptr;
};

/// Why an item has no result.
enum class ItemFailure : std::uint8_t {
  exception,      ///< `fn` threw (in a thread or in a worker process)
  over_budget,    ///< the item alone needs more than the whole memory budget
  worker_signal,  ///< its worker process was killed by a signal, also on the retry
  worker_exit,    ///< its worker process exited while running it, also on the retry
  timeout,        ///< its chunk passed chunk_timeout_s, also on the retry
  bad_result,     ///< the result bytes from the worker could not be decoded
};

/// "exception", "over budget", "worker signal", "worker exit", "timeout", "bad result".
std::string_view to_string(ItemFailure f) noexcept;

/// One failed item.
struct ItemError {
  std::size_t index = 0;       ///< position in the input
  ItemFailure kind = ItemFailure::exception;
  std::string message;         ///< one line, e.g. "worker killed by signal 11 (SIGSEGV)"
  std::exception_ptr exception;  ///< the original exception (thread pool only), else null
};

/// Results of execute_parallel_collect: values[i] is empty exactly when item i failed.
template <class R>
struct CollectedResults {
  std::vector<std::optional<R>> values;  ///< one per item, in input order
  std::vector<ItemError> failures;       ///< sorted by index
  /// Whether every item succeeded.
  bool ok() const noexcept { return failures.empty(); }
};

/// Thrown by execute_parallel when items failed (after all the others
/// finished).  what() names the first failed item and counts the rest.
class ParallelError : public Error {
 public:
  /// @param failures every failed item, sorted by index (not empty)
  explicit ParallelError(std::vector<ItemError> failures);
  /// Every failed item, sorted by index.
  const std::vector<ItemError>& failures() const noexcept { return failures_; }

 private:
  std::vector<ItemError> failures_;
};

namespace detail {

/// Worker count for `opt` (>= 1).
std::size_t resolve_workers(const ParallelOptions& opt);
/// The chunk plan for `n` items under `opt` with `workers` workers.
ChunkPlan make_chunk_plan(const ParallelOptions& opt, std::size_t n, std::size_t workers);

/// Runs `run_item(i)` for every item on threads; returns the failures
/// (sorted).  `run_item` stores its own result.
std::vector<ItemError> run_in_threads(const ParallelOptions& opt, std::size_t n,
                                      const std::function<void(std::size_t)>& run_item);

/// Runs items in forked workers (see process_pool.hpp); returns the failures (sorted).
std::vector<ItemError> run_in_processes(const ParallelOptions& opt, std::size_t n,
                                        const ProcessItemFns& fns);

template <class Fn, class Items>
using parallel_result_t =
    std::remove_cvref_t<std::invoke_result_t<Fn&, std::ranges::range_reference_t<const Items>>>;

template <class R, class Fn, class Items>
CollectedResults<R> collect_threads(Fn& fn, const Items& items, const ParallelOptions& opt) {
  const std::size_t n = static_cast<std::size_t>(std::ranges::size(items));
  CollectedResults<R> out;
  out.values.resize(n);
  auto first = std::ranges::begin(items);
  out.failures = run_in_threads(opt, n, [&](std::size_t i) {
    out.values[i].emplace(std::invoke(fn, first[static_cast<std::ptrdiff_t>(i)]));
  });
  return out;
}

template <class R, class Fn, class Items>
CollectedResults<R> collect_processes(Fn& fn, const Items& items, const ParallelOptions& opt) {
  const std::size_t n = static_cast<std::size_t>(std::ranges::size(items));
  CollectedResults<R> out;
  out.values.resize(n);
  auto first = std::ranges::begin(items);
  ProcessItemFns fns;
  fns.run_and_encode = [&](std::size_t i, std::string& bytes) {
    ByteWriter w(bytes);
    Codec<R>::encode(w, std::invoke(fn, first[static_cast<std::ptrdiff_t>(i)]));
  };
  fns.decode = [&](std::size_t i, std::string_view bytes) {
    ByteReader r(bytes);
    out.values[i].emplace(Codec<R>::decode(r));
    if (r.remaining() != 0) throw Error("trailing bytes after the result");
  };
  out.failures = run_in_processes(opt, n, fns);
  for (const auto& f : out.failures) out.values[f.index].reset();
  return out;
}

template <class R>
std::vector<R> unwrap_or_throw(CollectedResults<R>&& c) {
  if (!c.failures.empty()) throw ParallelError(std::move(c.failures));
  std::vector<R> out;
  out.reserve(c.values.size());
  for (auto& v : c.values) out.push_back(std::move(*v));
  return out;
}

}  // namespace detail

/// Runs `fn(item)` for every item of the random-access range `items` and
/// returns every outcome: values in input order, failures listed.  Never
/// throws for a failed item; throws gpualign::Error when the run as a whole
/// fails (fork impossible, or SIGINT/SIGTERM stopped a process pool).  With
/// the process pool the result type must be Encodable (a compile-time error
/// otherwise) and `fn` runs in a forked copy of this process: its side
/// effects on memory are not seen by the caller.
template <class Fn, std::ranges::random_access_range Items>
  requires std::ranges::sized_range<Items>
auto execute_parallel_collect(Fn&& fn, const Items& items, const ParallelOptions& options = {})
    -> CollectedResults<detail::parallel_result_t<Fn, Items>> {
  using R = detail::parallel_result_t<Fn, Items>;
  static_assert(!std::is_void_v<R>, "execute_parallel: fn must return a value");
  require_encodable<R>();
  if (options.pool_type == PoolType::process) return detail::collect_processes<R>(fn, items, options);
  return detail::collect_threads<R>(fn, items, options);
}

/// Like execute_parallel_collect, but returns the plain results and, when any
/// item failed, throws ParallelError (listing every failure) once all the
/// other items have finished.
template <class Fn, std::ranges::random_access_range Items>
  requires std::ranges::sized_range<Items>
auto execute_parallel(Fn&& fn, const Items& items, const ParallelOptions& options = {})
    -> std::vector<detail::parallel_result_t<Fn, Items>> {
  return detail::unwrap_or_throw(execute_parallel_collect(fn, items, options));
}

/// execute_parallel_collect on threads only, for result types that cannot
/// cross a process boundary (no Codec needed); `options.pool_type` is ignored.
template <class Fn, std::ranges::random_access_range Items>
  requires std::ranges::sized_range<Items>
auto execute_threads_collect(Fn&& fn, const Items& items, const ParallelOptions& options = {})
    -> CollectedResults<detail::parallel_result_t<Fn, Items>> {
  using R = detail::parallel_result_t<Fn, Items>;
  static_assert(!std::is_void_v<R>, "execute_threads: fn must return a value");
  return detail::collect_threads<R>(fn, items, options);
}

/// execute_parallel on threads only (see execute_threads_collect).
template <class Fn, std::ranges::random_access_range Items>
  requires std::ranges::sized_range<Items>
auto execute_threads(Fn&& fn, const Items& items, const ParallelOptions& options = {})
    -> std::vector<detail::parallel_result_t<Fn, Items>> {
  return detail::unwrap_or_throw(execute_threads_collect(fn, items, options));
}

}  // namespace gpualign
