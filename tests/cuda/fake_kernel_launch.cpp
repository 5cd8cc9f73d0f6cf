// The CUDA engine's launch layer (kernels/launch.hpp) for the fake runtime:
// each launch checks its arguments against the fake device memory, then
// queues the kernel on its stream; when the host waits, the kernel runs on
// the CPU through the same agent code the GPU compiles -- every thread of
// every block, padding threads included; the intra kernel's warps as fibers
// (warp_emulator.hpp), all of a launch at once, as co-resident warps are.

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "fake_cuda_runtime.hpp"
#include "inter_agent.hpp"
#include "intra_agent.hpp"
#include "launch.hpp"
#include "trace_agent.hpp"
#include "trace_warp_agent.hpp"
#include "warp_emulator.hpp"

namespace gpualign::kern {
namespace {

namespace fake = test::fake_cuda;

// Calls f.template operator()<Ops, Mode, Acgt>() for the kernel instance a
// launch picks (register scores exist at 16-bit only).
template <class F>
void with_instance(bool sixteen, bool acgt, int mode, F&& f) {
  auto by_mode = [&]<class Ops, bool A>() {
    if (mode == kLocal) f.template operator()<Ops, kLocal, A>();
    else if (mode == kGlobal) f.template operator()<Ops, kGlobal, A>();
    else f.template operator()<Ops, kSemiGlobal, A>();
  };
  if (sixteen && acgt) by_mode.template operator()<OpsS16x2, true>();
  else if (sixteen) by_mode.template operator()<OpsS16x2, false>();
  else by_mode.template operator()<OpsI32, false>();
}

// A launch whose arguments point outside device memory is refused, as an
// illegal address would fault the real kernel.
bool refuse(const char* name, bool args_ok) {
  if (fake::fail_now(name) || !args_ok) {
    fake::set_launch_error(args_ok ? cudaErrorLaunchFailure : cudaErrorInvalidValue);
    return true;
  }
  ++fake::calls().launches;
  return false;
}

bool table_ok(const std::int32_t* t, int words) { return fake::device_range_ok(t, sizeof(std::int32_t) * words); }

int rounded_to_warps(int threads) { return (threads + kWarp - 1) / kWarp * kWarp; }

// Without device work (Config::device_work false) a score launch only
// reports "no candidate" for each of its `count` partials.
bool no_device_work(cudaStream_t stream, Partial* out, std::size_t count) {
  if (fake::config().device_work) return false;
  fake::enqueue(stream, [out, count] { std::fill(out, out + count, Partial{kNoCandidate, 0, 0, 0}); });
  return true;
}

// The oracle device (Config::oracle).  Inter and thread-traceback launches
// get only the packed words their packing launch wrote; the code stream that
// packing read (queued just before them, on the host's one thread) is kept
// here for them.
CodeStream g_packed_from;

bool oracle_on() { return static_cast<bool>(fake::config().oracle); }

fake::OracleWork oracle_work(int mode) {
  return mode == kLocal ? fake::OracleWork::local
         : mode == kGlobal ? fake::OracleWork::global : fake::OracleWork::semi_global;
}

std::vector<std::uint8_t> decode(CodeStream c, std::uint64_t off, int len) {
  std::vector<std::uint8_t> v(static_cast<std::size_t>(len));
  for (int i = 0; i < len; ++i) v[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(c.at(off + i));
  return v;
}

// Problem h of a slot in the pair's own orientation.
fake::OracleProblem oracle_problem(CodeStream c, const Slot& s, int h) {
  const Problem& p = s.prob[h];
  fake::OracleProblem o;
  o.query = p.transposed ? decode(c, s.t_off[h], p.n) : decode(c, s.q_off[h], p.m);
  o.target = p.transposed ? decode(c, s.q_off[h], p.m) : decode(c, s.t_off[h], p.n);
  return o;
}

// Partials of score slots: the slot's problems' ends at out[i * 2 + h] for
// each (slot index, out index) of `owners`, "no candidate" at every other
// out index below `count`.
void oracle_partials(CodeStream c, const Slot* slots, const std::vector<std::pair<int, int>>& owners, Partial* out,
                     std::size_t count, int mode) {
  std::fill(out, out + count, Partial{kNoCandidate, 0, 0, 0});
  std::vector<fake::OracleProblem> problems;
  std::vector<std::size_t> at;
  for (const auto& [slot, o] : owners)
    for (int h = 0; h < 2; ++h)
      if (slots[slot].job[h] >= 0) {
        problems.push_back(oracle_problem(c, slots[slot], h));
        at.push_back(static_cast<std::size_t>(o) * 2 + h);
      }
  fake::config().oracle(oracle_work(mode), problems);
  for (std::size_t k = 0; k < problems.size(); ++k)
    out[at[k]] = Partial{static_cast<std::int32_t>(problems[k].score), static_cast<std::int32_t>(problems[k].qend),
                         static_cast<std::int32_t>(problems[k].tend), 0};
}

// Paths of traceback windows: slot `s`'s result at out[s], its ops at
// ops + ops_at[s], last column first.
void oracle_paths(CodeStream c, const Slot* slots, const std::vector<int>& owned, const std::uint64_t* ops_at,
                  char* ops, TraceResult* out) {
  std::vector<fake::OracleProblem> problems;
  for (int s : owned) problems.push_back(oracle_problem(c, slots[s], 0));
  fake::config().oracle(fake::OracleWork::trace, problems);
  for (std::size_t k = 0; k < problems.size(); ++k) {
    const auto s = static_cast<std::size_t>(owned[k]);
    const std::string& path = problems[k].path;
    std::copy(path.rbegin(), path.rend(), ops + ops_at[s]);
    out[s] = TraceResult{static_cast<std::int32_t>(problems[k].score), static_cast<std::int32_t>(path.size())};
  }
}

// Every worker of the launch owns its slot (Slot::workers 1): none spins on
// another, so the launch may hold more warps than the device at once.
bool no_worker_waits(const IntraArgs& a) {
  for (int k = 0; k < a.num_workers; ++k)
    if (a.workers[k].slot >= 0 && a.slots[a.workers[k].slot].workers != 1) return false;
  return true;
}

}  // namespace

void launch_inter(const InterArgs& a, bool sixteen, bool acgt, bool prefix_f, int mode,
                  const std::int32_t* d_table, cudaStream_t stream) {
  if (a.num_slots <= 0) return;
  const auto n = static_cast<std::size_t>(a.num_slots);
  const bool ok = (sixteen || !acgt) && table_ok(d_table, kTableWords) &&
                  fake::device_range_ok(a.slots, n * sizeof(Slot)) &&
                  fake::device_range_ok(a.out, n * 2 * sizeof(Partial)) &&
                  fake::device_range_ok(a.groups, (n + kWarp - 1) / kWarp * sizeof(InterGroup));
  if (refuse("launch_inter", ok)) return;
  ++fake::calls().inter;
  fake::calls().inter_slots.push_back(a.num_slots);
  if (acgt) ++fake::calls().acgt;
  const bool prefix = prefix_f && sixteen;  // the instances the real launch picks
  if (prefix) ++fake::calls().prefix_f;
  if (no_device_work(stream, a.out, n * 2)) return;
  if (oracle_on()) {
    fake::enqueue(stream, [a, n, mode, codes = g_packed_from] {
      std::vector<std::pair<int, int>> owners;
      for (int i = 0; i < a.num_slots; ++i) owners.emplace_back(i, i);
      oracle_partials(codes, a.slots, owners, a.out, n * 2, mode);
    });
    return;
  }
  fake::enqueue(stream, [a, sixteen, acgt, prefix, mode, d_table] {
    with_instance(sixteen, acgt, mode, [&]<class Ops, int M, bool A>() {
      const std::int32_t* tab = A ? nullptr : d_table;
      for (int t = 0; t < rounded_to_warps(a.num_slots); ++t) {
        if (prefix) inter_thread<Ops, M, A, true>(a, t, tab);
        else inter_thread<Ops, M, A>(a, t, tab);
      }
    });
  });
}

void launch_intra(const IntraArgs& a, int lanes, int rows, bool sixteen, bool acgt, bool prefix_f, int mode,
                  const std::int32_t* d_table, cudaStream_t stream) {
  if (a.num_workers <= 0) return;
  const auto w = static_cast<std::size_t>(a.num_workers);
  const int per_warp = kWarp / lanes;
  // Narrow workers wait for no one, but must come in whole warps.  (Whole
  // warps' residency is checked when the launch runs, below.)
  const int resident = fake::config().sms * fake::config().intra_blocks_per_sm * (kBlockThreads / kWarp);
  const bool ok = (lanes == kWarp || lanes == kGroupLanes) && (sixteen || !acgt) &&
                  (lanes == kWarp || a.num_workers % per_warp == 0) &&
                  a.chunk_lead >= 1 && a.chunk_lead <= kWarp &&
                  (rows == kIntraRows || (rows == kIntraShortRows && lanes == kWarp && sixteen)) &&
                  table_ok(d_table, kTableWords) && fake::device_range_ok(a.workers, w * sizeof(Worker)) &&
                  fake::device_range_ok(a.out, w * 2 * sizeof(Partial)) &&
                  fake::device_range_ok(a.error, sizeof(std::int32_t));
  if (refuse("launch_intra", ok)) return;
  ++fake::calls().intra;
  if (lanes != kWarp) ++fake::calls().intra_groups;
  else fake::calls().chunk_leads.push_back(a.chunk_lead);
  if (rows == kIntraShortRows) ++fake::calls().intra_short_rows;
  if (acgt) ++fake::calls().acgt;
  // The instances the real launch picks.
  const bool prefix = prefix_f && sixteen && lanes == kWarp && rows == kIntraRows;
  if (prefix) ++fake::calls().prefix_f;
  if (no_device_work(stream, a.out, w * 2)) return;
  if (oracle_on()) {
    fake::enqueue(stream, [a, w, mode] {
      std::vector<std::pair<int, int>> owners;
      for (int k = 0; k < a.num_workers; ++k)
        if (a.workers[k].slot >= 0 && a.workers[k].k == 0) owners.emplace_back(a.workers[k].slot, k);
      oracle_partials(a.codes, a.slots, owners, a.out, w * 2, mode);
    });
    return;
  }
  fake::enqueue(stream, [a, lanes, rows, prefix, per_warp, sixteen, acgt, mode, d_table, resident] {
    // The workers and slots are read once the stream got to the launch
    // (after the upload).  Whole-warp workers spin on each other, so a
    // launch larger than the device holds at once would hang a real GPU --
    // unless no worker waits for another.  Here it is flagged as a worker
    // that gave up waiting (the engine then fails the call).
    if (lanes == kWarp) {
      if (a.num_workers > resident && !no_worker_waits(a)) {
        *a.error = 1;
        return;
      }
      for (int k = 0; k < a.num_workers; ++k) fake::calls().intra_helpers += a.workers[k].k > 0;
    }
    with_instance(sixteen, acgt, mode, [&]<class Ops, int M, bool A>() {
      const std::int32_t* tab = A ? nullptr : d_table;  // register scores read no table
      test::WarpEmulator::run(a.num_workers / per_warp, [&](int warp) {
        const int wid = warp * per_warp + test::WarpEmulator::Warp::lane() / lanes;
        if (lanes != kWarp) intra_worker<Ops, M, test::WarpEmulator::Warp, kGroupLanes, A>(a, wid, tab);
        else if (rows == kIntraShortRows) intra_worker<Ops, M, test::WarpEmulator::Warp, kWarp, A, kIntraShortRows>(a, wid, tab);
        else if (prefix) intra_worker<Ops, M, test::WarpEmulator::Warp, kWarp, A, kIntraRows, true>(a, wid, tab);
        else intra_worker<Ops, M, test::WarpEmulator::Warp, kWarp, A>(a, wid, tab);
      });
    });
    if (lanes == kWarp && fake::config().workers_give_up) *a.error = 1;
  });
}

void launch_trace(const TraceArgs& a, const std::int32_t* d_table, int /*sm_count*/, cudaStream_t stream) {
  if (a.num_slots <= 0) return;
  const auto n = static_cast<std::size_t>(a.num_slots);
  const bool ok = table_ok(d_table, kTableCells) && fake::device_range_ok(a.slots, n * sizeof(Slot)) &&
                  fake::device_range_ok(a.ops_at, n * sizeof(std::uint64_t)) &&
                  fake::device_range_ok(a.out, n * sizeof(TraceResult));
  if (refuse("launch_trace", ok)) return;
  ++fake::calls().trace;
  if (!fake::config().device_work) return;
  if (oracle_on()) {
    fake::enqueue(stream, [a, codes = g_packed_from] {
      std::vector<int> owned(static_cast<std::size_t>(a.num_slots));
      for (int i = 0; i < a.num_slots; ++i) owned[static_cast<std::size_t>(i)] = i;
      oracle_paths(codes, a.slots, owned, a.ops_at, a.ops, a.out);
    });
    return;
  }
  fake::enqueue(stream, [a, d_table] {
    for (int t = 0; t < rounded_to_warps(a.num_slots); ++t) trace_thread<kTraceRows>(a, t, d_table);
  });
}

void launch_trace_warp(const TraceWarpArgs& a, const std::int32_t* d_table, cudaStream_t stream) {
  if (a.num_workers <= 0) return;
  const auto w = static_cast<std::size_t>(a.num_workers);
  // Workers wait on each other: a launch larger than the device holds at
  // once would deadlock on a real GPU.
  const int resident = fake::config().sms * fake::config().intra_blocks_per_sm * (kBlockThreads / kWarp);
  const bool ok = a.num_workers <= resident && a.chunk_lead >= 1 && a.chunk_lead <= kWarp &&
                  table_ok(d_table, kTableCells) &&
                  fake::device_range_ok(a.workers, w * sizeof(Worker)) &&
                  fake::device_range_ok(a.error, sizeof(std::int32_t));
  if (refuse("launch_trace_warp", ok)) return;
  ++fake::calls().trace_warp;
  fake::calls().chunk_leads.push_back(a.chunk_lead);
  if (!fake::config().device_work) return;
  if (oracle_on()) {
    fake::enqueue(stream, [a] {
      std::vector<int> owned;
      for (int k = 0; k < a.num_workers; ++k)
        if (a.workers[k].slot >= 0 && a.workers[k].k == 0) owned.push_back(a.workers[k].slot);
      oracle_paths(a.codes, a.slots, owned, a.ops_at, a.ops, a.out);
    });
    return;
  }
  fake::enqueue(stream, [a, d_table] {
    // The workers are read once the stream got to the launch (after the upload).
    for (int k = 0; k < a.num_workers; ++k) fake::calls().trace_warp_helpers += a.workers[k].k > 0;
    std::vector<std::uint32_t> walk(static_cast<std::size_t>(a.num_workers) * kWalkCacheWords);
    test::WarpEmulator::run(a.num_workers, [&](int wid) {
      trace_warp<test::WarpEmulator::Warp>(a, wid, d_table, walk.data() + static_cast<std::size_t>(wid) * kWalkCacheWords);
    });
    if (fake::config().workers_give_up) *a.error = 1;
  });
}

int intra_blocks_per_sm(bool /*sixteen*/, bool /*acgt*/, int /*mode*/, int /*rows*/, bool /*prefix_f*/) {
  return fake::config().intra_blocks_per_sm;
}

// One residency figure for both kernels whose workers wait on each other.
int trace_warp_blocks_per_sm() { return fake::config().intra_blocks_per_sm; }

void pack_inter_device(const Slot* d_slots, const InterGroup* d_groups, int num_slots, int num_groups,
                       CodeStream d_codes, std::uint32_t* d_q_words, std::uint32_t* d_t_words, int lanes,
                       int code_bits, int pad, cudaStream_t stream) {
  if (num_groups <= 0) return;
  const bool ok = fake::device_range_ok(d_slots, static_cast<std::size_t>(num_slots) * sizeof(Slot)) &&
                  fake::device_range_ok(d_groups, static_cast<std::size_t>(num_groups) * sizeof(InterGroup));
  if (refuse("pack_inter_device", ok)) return;
  ++fake::calls().pack;
  g_packed_from = d_codes;
  if (!fake::config().device_work || oracle_on()) return;
  fake::enqueue(stream, [=] {
    for (int idx = 0; idx < num_groups * kWarp * lanes; ++idx)
      pack_inter_index(idx, d_slots, d_groups, num_slots, d_codes, d_q_words, d_t_words, lanes, code_bits, pad);
  });
}

}  // namespace gpualign::kern
