#pragma once
// Qualifiers for code shared by the CUDA kernels and the CPU tests.  Under
// nvcc the per-cell recurrences are __host__ __device__; under a plain C++
// compiler they are ordinary inline functions, so CI checks the math on the
// CPU without a GPU.

#if defined(__CUDACC__)
#define GPUALIGN_HD __host__ __device__ __forceinline__
#define GPUALIGN_HD_TEMPLATE __host__ __device__
#else
#define GPUALIGN_HD inline
#define GPUALIGN_HD_TEMPLATE
#endif

// Templates instantiated with a device-only policy (warp shuffles) are still
// declared __host__ __device__ so the CPU emulator can run them; this pragma
// silences nvcc's "calling a __device__ function from a __host__ __device__
// function" check for those instantiations.
#if defined(__CUDACC__)
#define GPUALIGN_EXEC_CHECK_DISABLE _Pragma("nv_exec_check_disable")
#else
#define GPUALIGN_EXEC_CHECK_DISABLE
#endif

// Loop unrolling for register arrays (indices must be compile-time constants).
#if defined(__CUDACC__)
#define GPUALIGN_UNROLL _Pragma("unroll")
#elif defined(__clang__)
#define GPUALIGN_UNROLL _Pragma("clang loop unroll(full)")
#elif defined(__GNUC__)
#define GPUALIGN_UNROLL _Pragma("GCC unroll 16")
#else
#define GPUALIGN_UNROLL
#endif
