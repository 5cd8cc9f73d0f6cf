// TraceRecorder: timeline events, written as Chrome trace-event JSON.
#include "gpualign/trace_recorder.hpp"

#include <cstdio>
#include <fstream>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "gpualign/error.hpp"
#include "gpualign/hierarchical_executor.hpp"

namespace gpualign {

TraceRecorder::Span::Span(Span&& o) noexcept : rec_(o.rec_), ev_(std::move(o.ev_)) { o.rec_ = nullptr; }

TraceRecorder::Span& TraceRecorder::Span::operator=(Span&& o) noexcept {
  if (this != &o) {
    end();
    rec_ = o.rec_;
    ev_ = std::move(o.ev_);
    o.rec_ = nullptr;
  }
  return *this;
}

void TraceRecorder::Span::arg(std::string key, std::string value) { ev_.args[std::move(key)] = std::move(value); }

void TraceRecorder::Span::end() {
  if (!rec_) return;
  ev_.dur_us = rec_->now() * 1e6 - ev_.ts_us;
  TraceRecorder* r = rec_;
  rec_ = nullptr;
  r->push(std::move(ev_));
}

TraceRecorder::TraceRecorder() : start_(std::chrono::steady_clock::now()) {}

double TraceRecorder::now() const noexcept {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

std::uint32_t TraceRecorder::tid_of_caller() {
  auto [it, inserted] = tids_.try_emplace(std::this_thread::get_id(), static_cast<std::uint32_t>(tids_.size() + 1));
  return it->second;
}

void TraceRecorder::push(Event ev) {
  std::lock_guard lock(mu_);
  if (ev.tid == 0) ev.tid = tid_of_caller();
  events_.push_back(std::move(ev));
}

TraceRecorder::Span TraceRecorder::span(std::string name, std::string category) {
  Span s;
  s.rec_ = this;
  s.ev_.name = std::move(name);
  s.ev_.category = std::move(category);
  s.ev_.ts_us = now() * 1e6;
  return s;
}

void TraceRecorder::complete(std::string name, std::string category, double start_s, double dur_s,
                             std::map<std::string, std::string> args) {
  Event ev;
  ev.name = std::move(name);
  ev.category = std::move(category);
  ev.ts_us = start_s * 1e6;
  ev.dur_us = dur_s * 1e6;
  ev.args = std::move(args);
  push(std::move(ev));
}

void TraceRecorder::instant(std::string name, std::string category, std::map<std::string, std::string> args) {
  Event ev;
  ev.name = std::move(name);
  ev.category = std::move(category);
  ev.phase = 'i';
  ev.ts_us = now() * 1e6;
  ev.args = std::move(args);
  push(std::move(ev));
}

void TraceRecorder::counter(std::string name, double value) {
  Event ev;
  ev.name = std::move(name);
  ev.category = "counter";
  ev.phase = 'C';
  ev.ts_us = now() * 1e6;
  ev.args["value"] = std::to_string(value);
  push(std::move(ev));
}

void TraceRecorder::add_report(const ExecutionReport& report, double offset_s, std::string_view prefix) {
  // The report does not say which pool thread ran a task, so tasks get
  // tracks of their own: greedily the first track free at the task's start.
  std::vector<double> track_end;
  std::uint32_t base;
  {
    std::lock_guard lock(mu_);
    base = next_virtual_tid_;
  }
  std::vector<Event> evs;
  for (const TaskRecord& t : report.tasks()) {
    if (t.status == TaskStatus::cancelled) continue;
    std::size_t track = 0;
    while (track < track_end.size() && track_end[track] > t.start_s) ++track;
    if (track == track_end.size()) track_end.push_back(0);
    track_end[track] = t.end_s;
    Event ev;
    ev.name = std::string(prefix) + t.name;
    ev.category = "task";
    ev.ts_us = (offset_s + t.start_s) * 1e6;
    ev.dur_us = t.seconds() * 1e6;
    ev.tid = base + static_cast<std::uint32_t>(track);
    ev.args["status"] = std::string(to_string(t.status));
    ev.args["threads"] = std::to_string(t.threads);
    ev.args["critical_path"] = t.on_critical_path ? "yes" : "no";
    if (!t.error.empty()) ev.args["error"] = t.error;
    evs.push_back(std::move(ev));
  }
  std::lock_guard lock(mu_);
  for (std::size_t k = 0; k < track_end.size(); ++k)
    thread_names_[base + static_cast<std::uint32_t>(k)] = "dag track " + std::to_string(k);
  next_virtual_tid_ = base + static_cast<std::uint32_t>(track_end.size());
  for (auto& e : evs) events_.push_back(std::move(e));
}

void TraceRecorder::name_thread(std::string name) {
  std::lock_guard lock(mu_);
  thread_names_[tid_of_caller()] = std::move(name);
}

std::size_t TraceRecorder::size() const {
  std::lock_guard lock(mu_);
  return events_.size();
}

std::vector<TraceRecorder::Event> TraceRecorder::events() const {
  std::lock_guard lock(mu_);
  return events_;
}

std::string TraceRecorder::to_json() const {
  using nlohmann::json;
  const int pid = static_cast<int>(::getpid());
  json arr = json::array();
  std::lock_guard lock(mu_);
  arr.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", pid}, {"tid", 0}, {"args", {{"name", "gpualign"}}}});
  for (const auto& [tid, name] : thread_names_)
    arr.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", pid}, {"tid", tid}, {"args", {{"name", name}}}});
  for (const Event& e : events_) {
    json j = {{"name", e.name}, {"cat", e.category}, {"ph", std::string(1, e.phase)},
              {"ts", e.ts_us},  {"pid", pid},        {"tid", e.tid}};
    if (e.phase == 'X') j["dur"] = e.dur_us;
    if (e.phase == 'i') j["s"] = "t";
    if (e.phase == 'C') {
      j["args"] = {{"value", std::stod(e.args.at("value"))}};
    } else if (!e.args.empty()) {
      j["args"] = e.args;
    }
    arr.push_back(std::move(j));
  }
  json root = {{"traceEvents", std::move(arr)}, {"displayTimeUnit", "ms"}};
  // Replace invalid UTF-8 (a sequence name, say) instead of throwing.
  return root.dump(1, ' ', false, json::error_handler_t::replace) + "\n";
}

void TraceRecorder::write(const std::string& path) const {
  const std::string text = to_json();
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw Error("cannot write the trace", tmp);
    out << text;
    out.flush();
    if (!out) {
      std::remove(tmp.c_str());
      throw Error("cannot write the trace", tmp);
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw Error("cannot rename the trace to '" + path + "'");
  }
}

}  // namespace gpualign
