// The fake CUDA runtime (see fake_cuda_runtime.hpp): the runtime functions
// the CUDA engine calls, defined with C linkage so they take the place of
// libcudart's for libgpualign too.  Single host thread, like the engine.

#include "fake_cuda_runtime.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <exception>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <vector>

namespace gpualign::test::fake_cuda {
namespace {

constexpr std::size_t kGuard = 4096;  // bytes after each allocation that nothing may write
constexpr unsigned char kGuardByte = 0xAB;
constexpr unsigned char kFreshByte = 0xCD;  // what fresh device memory holds

struct Allocation {
  std::unique_ptr<unsigned char[]> mem;
  std::size_t bytes = 0;
  bool device = true;
};

struct Stream {
  std::deque<std::function<void()>> queue;
  std::uint64_t queued = 0, done = 0;
};

struct Event {
  Stream* stream = nullptr;  // where it was last recorded
  std::uint64_t at = 0;      // the stream's item that fires it
  bool fired = false;
  double ms = 0;
};

struct State {
  Config config;
  Calls calls;
  std::map<std::uintptr_t, Allocation> allocations;  // by first byte
  std::map<std::string, int> call_counts;
  std::set<Stream*> streams;
  cudaError_t last_error = cudaSuccess;
  std::string failure;  // why the last work item failed
};

// Never destroyed: engines released at exit (after this file's statics are
// gone) still free their buffers and streams here.
State& state() {
  static State* s = new State;
  return *s;
}

double now_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

const Allocation* find(const void* p, std::size_t bytes, bool device) {
  const auto& all = state().allocations;
  const auto a = reinterpret_cast<std::uintptr_t>(p);
  auto it = all.upper_bound(a);
  if (it == all.begin()) return nullptr;
  --it;
  if (it->second.device != device || a + bytes > it->first + it->second.bytes) return nullptr;
  return &it->second;
}

bool guards_intact() {
  for (const auto& [at, a] : state().allocations)
    for (std::size_t i = 0; i < kGuard; ++i)
      if (a.mem[a.bytes + i] != kGuardByte) {
        state().failure = "write past the end of a " + std::to_string(a.bytes) + "-byte " +
                          (a.device ? "device" : "pinned") + " allocation";
        return false;
      }
  return true;
}

cudaError_t allocate(void** ptr, std::size_t bytes, bool device, const char* name) {
  if (ptr == nullptr) return cudaErrorInvalidValue;
  State& s = state();
  if (fail_now(name)) return s.config.fail_with;
  if (device && s.calls.live_device_bytes + bytes > s.config.total_bytes) return cudaErrorMemoryAllocation;
  Allocation a;
  a.mem = std::make_unique<unsigned char[]>(bytes + kGuard);
  std::memset(a.mem.get(), kFreshByte, bytes);
  std::memset(a.mem.get() + bytes, kGuardByte, kGuard);
  a.bytes = bytes;
  a.device = device;
  *ptr = a.mem.get();
  s.allocations.emplace(reinterpret_cast<std::uintptr_t>(a.mem.get()), std::move(a));
  if (device) {
    ++s.calls.mallocs;
    s.calls.live_device_bytes += bytes;
    s.calls.peak_device_bytes = std::max(s.calls.peak_device_bytes, s.calls.live_device_bytes);
  }
  return cudaSuccess;
}

cudaError_t run_until(Stream* st, std::uint64_t upto);

// cudaFree and cudaFreeHost wait for all the device's work first.
cudaError_t release(void* p, bool device) {
  if (p == nullptr) return cudaSuccess;
  State& s = state();
  for (Stream* st : s.streams) run_until(st, st->queued);
  auto it = s.allocations.find(reinterpret_cast<std::uintptr_t>(p));
  if (it == s.allocations.end() || it->second.device != device) return cudaErrorInvalidValue;
  if (!guards_intact()) return cudaErrorIllegalAddress;
  if (device) s.calls.live_device_bytes -= it->second.bytes;
  s.allocations.erase(it);
  return cudaSuccess;
}

Stream* as_stream(cudaStream_t s) { return reinterpret_cast<Stream*>(s); }
Event* as_event(cudaEvent_t e) { return reinterpret_cast<Event*>(e); }

// Runs `stream` up to and including item `upto`; a work item that throws
// becomes a launch failure, as a faulting kernel would.
cudaError_t run_until(Stream* st, std::uint64_t upto) {
  while (st->done < upto && !st->queue.empty()) {
    std::function<void()> work = std::move(st->queue.front());
    st->queue.pop_front();
    ++st->done;
    try {
      work();
    } catch (const std::exception& e) {
      state().failure = e.what();
      return cudaErrorLaunchFailure;
    }
  }
  return guards_intact() ? cudaSuccess : cudaErrorIllegalAddress;
}

}  // namespace

bool fail_now(const char* name) {
  State& s = state();
  const int n = ++s.call_counts[name];
  return s.config.fail_at > 0 && s.config.fail_call == name && n == s.config.fail_at;
}

const std::string& last_failure() { return state().failure; }

void set_launch_error(cudaError_t e) { state().last_error = e; }

Config& config() { return state().config; }
Calls& calls() { return state().calls; }

void reset() {
  State& s = state();
  const std::size_t live = s.calls.live_device_bytes;
  s.config = Config{};
  s.calls = Calls{};
  s.calls.live_device_bytes = s.calls.peak_device_bytes = live;
  s.call_counts.clear();
  s.last_error = cudaSuccess;
  s.failure.clear();
}

void enqueue(cudaStream_t stream, std::function<void()> work) {
  Stream* st = as_stream(stream);
  st->queue.push_back(std::move(work));
  ++st->queued;
}

bool device_range_ok(const void* p, std::size_t bytes) { return find(p, bytes, true) != nullptr; }

}  // namespace gpualign::test::fake_cuda

using namespace gpualign::test::fake_cuda;

extern "C" {

cudaError_t cudaDriverGetVersion(int* v) {
  if (fail_now("cudaDriverGetVersion")) return state().config.fail_with;
  *v = state().config.driver_version;
  return cudaSuccess;
}

cudaError_t cudaGetDeviceCount(int* n) {
  if (fail_now("cudaGetDeviceCount")) return state().config.fail_with;
  *n = state().config.device_count;
  return *n > 0 ? cudaSuccess : cudaErrorNoDevice;
}

cudaError_t cudaGetDeviceProperties(cudaDeviceProp* p, int device) {
  if (fail_now("cudaGetDeviceProperties")) return state().config.fail_with;
  if (device < 0 || device >= state().config.device_count) return cudaErrorInvalidDevice;
  *p = cudaDeviceProp{};
  std::snprintf(p->name, sizeof p->name, "gpualign fake CUDA device");
  p->major = state().config.major;
  p->minor = state().config.minor;
  p->multiProcessorCount = state().config.sms;
  p->totalGlobalMem = state().config.total_bytes;
  p->warpSize = 32;
  p->maxThreadsPerBlock = 1024;
  p->sharedMemPerBlock = 48 * 1024;
  return cudaSuccess;
}

cudaError_t cudaMemGetInfo(size_t* free_bytes, size_t* total) {
  if (fail_now("cudaMemGetInfo")) return state().config.fail_with;
  *total = state().config.total_bytes;
  *free_bytes = *total - std::min(*total, state().calls.live_device_bytes);
  return cudaSuccess;
}

cudaError_t cudaMalloc(void** p, size_t bytes) { return allocate(p, bytes, true, "cudaMalloc"); }
cudaError_t cudaMallocHost(void** p, size_t bytes) { return allocate(p, bytes, false, "cudaMallocHost"); }
cudaError_t cudaFree(void* p) { return release(p, true); }
cudaError_t cudaFreeHost(void* p) { return release(p, false); }

cudaError_t cudaStreamCreateWithFlags(cudaStream_t* s, unsigned int /*flags*/) {
  if (fail_now("cudaStreamCreateWithFlags")) return state().config.fail_with;
  auto* st = new Stream;
  state().streams.insert(st);
  *s = reinterpret_cast<cudaStream_t>(st);
  return cudaSuccess;
}

cudaError_t cudaStreamSynchronize(cudaStream_t s) {
  if (s == nullptr) return cudaErrorInvalidResourceHandle;
  ++state().calls.syncs;
  if (fail_now("cudaStreamSynchronize")) return state().config.fail_with;
  return run_until(as_stream(s), as_stream(s)->queued);
}

cudaError_t cudaStreamDestroy(cudaStream_t s) {
  if (s == nullptr) return cudaErrorInvalidResourceHandle;
  const cudaError_t e = run_until(as_stream(s), as_stream(s)->queued);
  state().streams.erase(as_stream(s));
  delete as_stream(s);
  return e;
}

cudaError_t cudaEventCreate(cudaEvent_t* e) {
  if (fail_now("cudaEventCreate")) return state().config.fail_with;
  *e = reinterpret_cast<cudaEvent_t>(new Event);
  return cudaSuccess;
}

cudaError_t cudaEventCreateWithFlags(cudaEvent_t* e, unsigned int /*flags*/) { return cudaEventCreate(e); }

cudaError_t cudaEventDestroy(cudaEvent_t e) {
  delete as_event(e);
  return cudaSuccess;
}

cudaError_t cudaEventRecord(cudaEvent_t e, cudaStream_t s) {
  if (e == nullptr || s == nullptr) return cudaErrorInvalidResourceHandle;
  Event* ev = as_event(e);
  ev->stream = as_stream(s);
  ev->fired = false;
  enqueue(s, [ev] {
    ev->fired = true;
    ev->ms = now_ms();
  });
  ev->at = ev->stream->queued;
  return cudaSuccess;
}

cudaError_t cudaStreamWaitEvent(cudaStream_t s, cudaEvent_t e, unsigned int /*flags*/) {
  if (e == nullptr || s == nullptr) return cudaErrorInvalidResourceHandle;
  ++state().calls.stream_waits;
  const Event* ev = as_event(e);
  if (ev->stream == nullptr) return cudaSuccess;  // never recorded: nothing to wait for
  Stream* other = ev->stream;
  const std::uint64_t at = ev->at;
  enqueue(s, [other, at] {
    if (run_until(other, at) != cudaSuccess) throw std::runtime_error("a stream waited on failed: " + state().failure);
  });
  return cudaSuccess;
}

cudaError_t cudaEventElapsedTime(float* ms, cudaEvent_t a, cudaEvent_t b) {
  if (!as_event(a)->fired || !as_event(b)->fired) return cudaErrorNotReady;
  *ms = static_cast<float>(as_event(b)->ms - as_event(a)->ms);
  return cudaSuccess;
}

cudaError_t cudaMemcpy(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind) {
  if (fail_now("cudaMemcpy")) return state().config.fail_with;
  const bool ok = kind == cudaMemcpyHostToDevice   ? device_range_ok(dst, bytes)
                  : kind == cudaMemcpyDeviceToHost ? device_range_ok(src, bytes)
                                                   : false;
  if (!ok) return cudaErrorInvalidValue;
  ++state().calls.copies;
  if (kind == cudaMemcpyHostToDevice) state().calls.h2d_bytes += bytes;
  std::memcpy(dst, src, bytes);
  return cudaSuccess;
}

cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind, cudaStream_t s) {
  if (fail_now("cudaMemcpyAsync")) return state().config.fail_with;
  if (s == nullptr) return cudaErrorInvalidResourceHandle;
  // Asynchronous copies in the engine always use its pinned buffers (the
  // only way they overlap kernels on a real GPU): a pageable side is refused.
  const bool ok = kind == cudaMemcpyHostToDevice
                      ? device_range_ok(dst, bytes) && find(src, bytes, false) != nullptr
                  : kind == cudaMemcpyDeviceToHost
                      ? device_range_ok(src, bytes) && find(dst, bytes, false) != nullptr
                      : false;
  if (!ok) return cudaErrorInvalidValue;
  ++state().calls.copies;
  if (kind == cudaMemcpyHostToDevice) state().calls.h2d_bytes += bytes;
  if (kind == cudaMemcpyHostToDevice && !state().config.device_work) return cudaSuccess;
  enqueue(s, [=] { std::memcpy(dst, src, bytes); });
  return cudaSuccess;
}

cudaError_t cudaMemsetAsync(void* p, int value, size_t bytes, cudaStream_t s) {
  if (fail_now("cudaMemsetAsync")) return state().config.fail_with;
  if (s == nullptr) return cudaErrorInvalidResourceHandle;
  if (!device_range_ok(p, bytes)) return cudaErrorInvalidValue;
  enqueue(s, [=] { std::memset(p, value, bytes); });
  return cudaSuccess;
}

cudaError_t cudaGetLastError(void) {
  const cudaError_t e = state().last_error;
  state().last_error = cudaSuccess;
  return e;
}

const char* cudaGetErrorName(cudaError_t e) {
  switch (e) {
    case cudaSuccess: return "cudaSuccess";
    case cudaErrorInvalidValue: return "cudaErrorInvalidValue";
    case cudaErrorMemoryAllocation: return "cudaErrorMemoryAllocation";
    case cudaErrorNoDevice: return "cudaErrorNoDevice";
    case cudaErrorInvalidDevice: return "cudaErrorInvalidDevice";
    case cudaErrorIllegalAddress: return "cudaErrorIllegalAddress";
    case cudaErrorLaunchFailure: return "cudaErrorLaunchFailure";
    case cudaErrorNotReady: return "cudaErrorNotReady";
    case cudaErrorInvalidResourceHandle: return "cudaErrorInvalidResourceHandle";
    default: return "cudaErrorUnknown";
  }
}

const char* cudaGetErrorString(cudaError_t e) {
  switch (e) {
    case cudaErrorMemoryAllocation: return "out of memory";
    case cudaErrorIllegalAddress: return "an illegal memory access was encountered";
    case cudaErrorLaunchFailure: return "unspecified launch failure";
    default: return cudaGetErrorName(e);
  }
}

}  // extern "C"
