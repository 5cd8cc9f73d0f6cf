#pragma once
// A fake CUDA runtime for running the CUDA engine's host code without a GPU.
//
// The test executable that links fake_cuda_runtime.cpp and
// fake_kernel_launch.cpp defines the CUDA runtime functions the engine calls
// (cudaMalloc, cudaMemcpyAsync, streams, events, ...) and the engine's
// launch layer (kernels/launch.hpp).  Definitions in an executable take
// precedence over those of the shared libraries it loads, so libgpualign's
// CudaEngine -- the code that ships, unchanged -- runs against this fake:
// "device" memory is host memory, each stream is a queue run when the host
// synchronizes with it, and the kernels run on the CPU through the same
// agent code the GPU compiles (warp emulator for the intra kernel).
//
// What it checks that the GPU tests would: layout offsets and sizes (every
// copy and memset must lie inside one allocation; a guard zone after each
// allocation must stay intact), stream ordering (work runs only when the
// host waits for it, so reading results before synchronizing reads stale
// data), poisoned memory (fresh allocations hold 0xCD), and every error
// path (a chosen call can be made to fail).  What it cannot check: data races
// between GPU threads, timing, occupancy, device limits.
//
// The tests must see `calls().launches > 0` after an align(): if the
// interposition ever stopped working (hidden visibility, -Bsymbolic), the
// engine would quietly use the real runtime, find no device and run on the
// CPU.

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace gpualign::test::fake_cuda {

/// What a launch on the oracle device (Config::oracle) computes.
enum class OracleWork { local, global, semi_global, trace };

/// One problem of such a launch: its codes, as the engine staged them
/// (reversed specs reversed, transposed ones turned back), and the answer
/// the oracle fills in.
struct OracleProblem {
  std::vector<std::uint8_t> query, target;
  std::int64_t score = 0;
  std::int64_t qend = 0, tend = 0;  ///< score work: the reference's end (exclusive)
  std::string path;                 ///< trace work: the global path, '=', 'X', 'I', 'D' a column, first column first
};

/// Answers every problem of one launch.
using Oracle = std::function<void(OracleWork, std::vector<OracleProblem>&)>;

/// What the fake device looks like, and which call should fail.
struct Config {
  int driver_version = 13000;     ///< 0: no driver
  int device_count = 1;
  int major = 9, minor = 0;       ///< compute capability
  int sms = 2;                    ///< multiprocessors (sizes the intra workers)
  int intra_blocks_per_sm = 1;    ///< occupancy the fake reports for the intra and warp-traceback kernels
  std::size_t total_bytes = std::size_t{256} << 20;
  /// false: launches and copies are checked and counted as usual, but
  /// host-to-device copies move nothing, packing and traceback kernels do
  /// nothing, and score kernels only report "no candidate" for every
  /// partial.  What is left of a score-only align() is the engine's own host
  /// work (bench/cuda_host_bench.cpp); results are meaningless.
  bool device_work = true;
  /// Set (device work on): launches run no recurrence; each reads its
  /// problems from the device codes, asks the oracle, and writes the
  /// answers where and as the kernel would (a slot's first worker holds
  /// its pair's end, the others "no candidate"; a window's path last
  /// column first).  The engine's host work then runs at full size in
  /// seconds and on real results: bench/cuda_host_bench.cpp's CIGAR rows,
  /// the full-size host tests (tests/cuda/oracle_device.hpp).
  Oracle oracle;
  /// true: every launch whose workers wait on each other (whole-warp intra,
  /// warp traceback) ends with its error flag set, as when a worker gives
  /// up waiting for its predecessor.
  bool workers_give_up = false;
  /// The n-th call (1-based, counted from reset()) of the runtime function
  /// named `fail_call` returns `fail_with`; 0 never.
  std::string fail_call;
  int fail_at = 0;
  cudaError_t fail_with = cudaErrorMemoryAllocation;
};

/// Counts of what ran (read by the tests to prove the fake was used).
struct Calls {
  long long launches = 0;  ///< kernel launches of every kind (packing included)
  long long inter = 0, intra = 0, trace = 0, pack = 0;
  long long intra_groups = 0;  ///< intra launches of narrow workers (kGroupLanes lanes)
  long long intra_short_rows = 0;  ///< intra launches of kIntraShortRows rows a lane
  long long intra_helpers = 0;  ///< whole-warp intra workers beyond a slot's first (k > 0): tiles pipelined (device work on)
  long long prefix_f = 0;      ///< inter / intra launches of the prefix-maximum F instances
  long long trace_warp = 0;    ///< warp traceback launches
  long long trace_warp_helpers = 0;  ///< their workers beyond a window's first (k > 0): tiles pipelined
  long long acgt = 0;          ///< inter / intra launches with register scores
  std::vector<int> inter_slots;  ///< slots of each inter launch, in launch order
  std::vector<int> chunk_leads;  ///< chunk_lead of each whole-warp intra and warp traceback launch
  long long mallocs = 0, copies = 0, syncs = 0;
  long long stream_waits = 0;  ///< cudaStreamWaitEvent calls (a launch held back for another stream's work)
  std::size_t h2d_bytes = 0;  ///< bytes of every host-to-device copy (cudaMemcpy and cudaMemcpyAsync)
  std::size_t live_device_bytes = 0, peak_device_bytes = 0;
};

Config& config();
Calls& calls();
/// Restores the default configuration and zeroes the counts (allocations
/// made earlier stay valid).
void reset();

/// Queues `work` on `stream` (run in order when the host waits for it).
void enqueue(cudaStream_t stream, std::function<void()> work);

/// True when [p, p + bytes) lies inside one device allocation.
bool device_range_ok(const void* p, std::size_t bytes);

/// Counts a call of `name` (a runtime function, or a launch: "launch_inter",
/// "launch_intra", "launch_trace", "launch_trace_warp", "pack_inter_device");
/// true when this call is the one Config::fail_call / fail_at names.
bool fail_now(const char* name);

/// Makes the next cudaGetLastError() return `e` (a launch the fake refused).
void set_launch_error(cudaError_t e);

/// Makes the `at`-th call (1-based, from now) of `call` return `with`.
inline void fail(const char* call, int at, cudaError_t with) {
  config().fail_call = call;
  config().fail_at = at;
  config().fail_with = with;
}

/// Why the last queued work item failed (empty when none did).
const std::string& last_failure();

}  // namespace gpualign::test::fake_cuda
