#pragma once
/// @file trace_recorder.hpp
/// A run's timeline in Chrome's trace-event JSON (open it in Perfetto,
/// ui.perfetto.dev, or chrome://tracing): one "complete" event per task or
/// batch, on the thread that ran it, with arguments such as the engine used.

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace gpualign {

class ExecutionReport;

/// Collects timeline events from any thread.  Thread-safe.
class TraceRecorder {
 public:
  /// One event: `ph` "X" (a span of `dur_us`), "i" (an instant) or "C" (a counter).
  struct Event {
    std::string name;
    std::string category;
    char phase = 'X';
    double ts_us = 0;   ///< microseconds since the recorder was made
    double dur_us = 0;  ///< for 'X'
    std::uint32_t tid = 0;
    std::map<std::string, std::string> args;  ///< shown in the viewer's details
  };

  /// A span that records itself when destroyed (or end()ed).
  class Span {
   public:
    Span() = default;
    Span(Span&& o) noexcept;
    /// Ends this span (if running) and takes over `o`.
    Span& operator=(Span&& o) noexcept;
    ~Span() { end(); }
    /// Adds an argument shown with the event.
    void arg(std::string key, std::string value);
    /// Records the span now (once).
    void end();

   private:
    friend class TraceRecorder;
    TraceRecorder* rec_ = nullptr;
    Event ev_;
  };

  TraceRecorder();

  /// Seconds since the recorder was made.
  double now() const noexcept;
  /// Starts a span on the calling thread, ended by the returned object.
  Span span(std::string name, std::string category);
  /// Records a finished span: `start_s` and `dur_s` in seconds since the
  /// recorder was made, on the calling thread.
  void complete(std::string name, std::string category, double start_s, double dur_s,
                std::map<std::string, std::string> args = {});
  /// Records an instant event (a decision, a warning) on the calling thread.
  void instant(std::string name, std::string category, std::map<std::string, std::string> args = {});
  /// Records a counter value (shown as a graph), e.g. queued batches.
  void counter(std::string name, double value);
  /// Adds every task of a HierarchicalExecutor run, its start at `offset_s`
  /// seconds on this recorder's clock, one track per task name prefix
  /// (category "task"), with threads and critical-path flags as arguments.
  void add_report(const ExecutionReport& report, double offset_s, std::string_view prefix = {});
  /// Names the calling thread's track in the viewer.
  void name_thread(std::string name);

  /// Number of events recorded.
  std::size_t size() const;
  /// Copies of the events.
  std::vector<Event> events() const;
  /// The whole timeline: {"traceEvents": [...], "displayTimeUnit": "ms"}.
  std::string to_json() const;
  /// Writes to_json() to `path` atomically; throws gpualign::Error on failure.
  void write(const std::string& path) const;

 private:
  std::uint32_t tid_of_caller();  // caller holds mu_
  void push(Event ev);

  std::chrono::steady_clock::time_point start_;
  mutable std::mutex mu_;
  std::vector<Event> events_;
  std::map<std::thread::id, std::uint32_t> tids_;
  std::map<std::uint32_t, std::string> thread_names_;
  std::uint32_t next_virtual_tid_ = 1000;  // tracks of tasks from an ExecutionReport
};

}  // namespace gpualign
