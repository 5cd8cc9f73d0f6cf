#pragma once
// The GPU side of the `Warp` policy the intra-sequence agent is written
// against (the CPU tests supply a fiber emulator with the same interface).

#include <cuda/atomic>

#include <cstdint>

namespace gpualign::kern {

struct DeviceWarp {
  static __device__ __forceinline__ int lane() { return static_cast<int>(threadIdx.x & 31u); }
  static __device__ __forceinline__ std::uint32_t shfl_up(std::uint32_t v, int d) {
    return __shfl_up_sync(0xFFFFFFFFu, v, d);
  }
  static __device__ __forceinline__ std::uint32_t shfl(std::uint32_t v, int src) {
    return __shfl_sync(0xFFFFFFFFu, v, src);
  }
  static __device__ __forceinline__ void syncwarp() { __syncwarp(); }
  static __device__ __forceinline__ void threadfence() { __threadfence(); }
  // Boundary rows written by another warp: bypass L1 (not coherent).
  static __device__ __forceinline__ std::uint32_t load_cg(const std::uint32_t* p) { return __ldcg(p); }
  static __device__ __forceinline__ void store_cg(std::uint32_t* p, std::uint32_t v) { __stcg(p, v); }
  static __device__ __forceinline__ std::int32_t load_volatile(const std::int32_t* p) {
    return *static_cast<const volatile std::int32_t*>(p);
  }
  static __device__ __forceinline__ void store_volatile(std::int32_t* p, std::int32_t v) {
    *static_cast<volatile std::int32_t*>(p) = v;
  }
  // A tile's progress, published and read as release / acquire at device
  // scope (tile_progress.hpp).  sm_90 machine code: the release is
  // MEMBAR.ALL.GPU and a strong store, the acquire a strong load and an L1
  // invalidation -- where __threadfence() is MEMBAR.SC.GPU, a sequentially
  // consistent fence, plus the invalidation, on both sides.
  static __device__ __forceinline__ void store_release(std::int32_t* p, std::int32_t v) {
    cuda::atomic_ref<std::int32_t, cuda::thread_scope_device>(*p).store(v, cuda::std::memory_order_release);
  }
  static __device__ __forceinline__ std::int32_t load_acquire(const std::int32_t* p) {
    return cuda::atomic_ref<std::int32_t, cuda::thread_scope_device>(*const_cast<std::int32_t*>(p))
        .load(cuda::std::memory_order_acquire);
  }
  static __device__ __forceinline__ void pause() { __nanosleep(64); }
  // 16 bytes from device memory (L2, as load_cg) to this warp's shared
  // memory without passing through registers (sm_80's cp.async), so many
  // copies can be in flight at once; copy_wait() waits for this thread's.
  static __device__ __forceinline__ void copy16(std::uint32_t* shared_dst, const std::uint32_t* src) {
#if __CUDA_ARCH__ >= 800
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16;\n" ::"r"(
                     static_cast<unsigned>(__cvta_generic_to_shared(shared_dst))),
                 "l"(src)
                 : "memory");
#else
    *reinterpret_cast<uint4*>(shared_dst) = __ldcg(reinterpret_cast<const uint4*>(src));
#endif
  }
  static __device__ __forceinline__ void copy_wait() {
#if __CUDA_ARCH__ >= 800
    asm volatile("cp.async.wait_all;\n" ::: "memory");
#endif
  }
};

}  // namespace gpualign::kern
