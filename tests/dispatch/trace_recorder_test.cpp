// Trace recorder: the JSON parses, follows Chrome's trace-event format and
// holds the events recorded (spans from several threads, instants,
// counters, a DAG run's tasks, a dispatcher's batches).
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "gpualign/dispatcher.hpp"
#include "gpualign/hierarchical_executor.hpp"
#include "gpualign/trace_recorder.hpp"
#include "support/random_sequences.hpp"

namespace gpualign {
namespace {

using nlohmann::json;

std::vector<json> events_named(const json& j, const std::string& name) {
  std::vector<json> out;
  for (const auto& e : j.at("traceEvents"))
    if (e.at("name") == name) out.push_back(e);
  return out;
}

TEST(TraceRecorder, JsonIsValidAndHoldsTheEvents) {
  TraceRecorder rec;
  {
    auto s = rec.span("outer", "test");
    s.arg("engine", "cpu");
    std::thread t([&] {
      rec.name_thread("helper");
      auto inner = rec.span("on helper", "test");
    });
    t.join();
  }
  rec.instant("decision", "dispatch", {{"backend", "serial"}});
  rec.counter("queued", 3);
  rec.complete("given", "test", 0.5, 0.25, {{"k", "v\"quoted\""}});
  EXPECT_EQ(rec.size(), 5u);

  const json j = json::parse(rec.to_json());
  ASSERT_TRUE(j.at("traceEvents").is_array());
  for (const auto& e : j.at("traceEvents")) {
    ASSERT_TRUE(e.contains("ph")) << e;
    ASSERT_TRUE(e.contains("pid")) << e;
    ASSERT_TRUE(e.contains("tid")) << e;
    if (e.at("ph") != "M") ASSERT_TRUE(e.at("ts").is_number()) << e;
    if (e.at("ph") == "X") ASSERT_GE(e.at("dur").get<double>(), 0.0) << e;
  }
  const auto outer = events_named(j, "outer");
  ASSERT_EQ(outer.size(), 1u);
  EXPECT_EQ(outer[0].at("ph"), "X");
  EXPECT_EQ(outer[0].at("args").at("engine"), "cpu");
  const auto helper = events_named(j, "on helper");
  ASSERT_EQ(helper.size(), 1u);
  EXPECT_NE(helper[0].at("tid"), outer[0].at("tid"));  // its own track
  // The helper thread's track is named.
  bool named = false;
  for (const auto& e : events_named(j, "thread_name"))
    if (e.at("args").at("name") == "helper" && e.at("tid") == helper[0].at("tid")) named = true;
  EXPECT_TRUE(named);
  EXPECT_EQ(events_named(j, "decision").at(0).at("ph"), "i");
  EXPECT_EQ(events_named(j, "queued").at(0).at("args").at("value"), 3.0);
  const auto given = events_named(j, "given").at(0);
  EXPECT_DOUBLE_EQ(given.at("ts").get<double>(), 0.5e6);
  EXPECT_DOUBLE_EQ(given.at("dur").get<double>(), 0.25e6);
  EXPECT_EQ(given.at("args").at("k"), "v\"quoted\"");
}

TEST(TraceRecorder, DagTasksAndDispatcherBatchesAppear) {
  TraceRecorder rec;
  HierarchicalExecutor ex(2);
  ex.add_task("read", [] { return 1; });
  ex.add_task("align", [](TaskContext& c) { return c.get<int>("read") + 1; }, {"read"});
  ex.add_task("write", [](TaskContext& c) { return c.get<int>("align"); }, {"align"});
  const double t0 = rec.now();
  const ExecutionReport report = ex.execute();
  rec.add_report(report, t0);

  std::mt19937_64 rng(1);
  std::vector<Sequence> seqs;
  for (int i = 0; i < 8; ++i) seqs.emplace_back("s", test::random_text(rng, Alphabet::dna, 50 + i), Alphabet::dna);
  std::vector<SequencePair> pairs;
  for (int i = 0; i + 1 < 8; i += 2) pairs.push_back({seqs[i].codes(), seqs[i + 1].codes()});
  DispatcherConfig c;
  c.backend = Backend::serial;
  c.trace = &rec;
  Dispatcher d(c);
  d.align(pairs);

  const json j = json::parse(rec.to_json());
  for (const char* task : {"read", "align", "write"}) {
    const auto e = events_named(j, task);
    ASSERT_EQ(e.size(), 1u) << task;
    EXPECT_EQ(e[0].at("cat"), "task");
    EXPECT_EQ(e[0].at("args").at("status"), "ok");
  }
  EXPECT_LE(events_named(j, "read")[0].at("ts").get<double>(), events_named(j, "write")[0].at("ts").get<double>());
  bool batch = false, route = false;
  for (const auto& e : j.at("traceEvents")) {
    if (e.value("cat", "") == "batch" && e.at("args").at("pairs") == "4") batch = true;
    if (e.at("name") == "route") route = e.at("args").at("backend") == "serial";
  }
  EXPECT_TRUE(batch);
  EXPECT_TRUE(route);

  const auto path = std::filesystem::temp_directory_path() / ("gpualign_trace_" + std::to_string(::getpid()) + ".json");
  rec.write(path.string());
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_NO_THROW(json::parse(ss.str()));
  std::filesystem::remove(path);
  EXPECT_THROW(rec.write("/nonexistent_dir_gpualign/t.json"), Error);
}

}  // namespace
}  // namespace gpualign
