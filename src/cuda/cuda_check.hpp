#pragma once
// Every CUDA runtime call goes through GPUALIGN_CUDA_CHECK: a failure becomes
// a gpualign::Error naming the call and CUDA's message.

#include <cuda_runtime_api.h>

#include <string>

#include "gpualign/error.hpp"

namespace gpualign::cuda {

[[noreturn]] inline void throw_cuda_error(cudaError_t err, const char* call, const char* file, int line) {
  throw Error(std::string("CUDA call ") + call + " failed: " + cudaGetErrorName(err) + ": " +
              cudaGetErrorString(err) + " (" + file + ":" + std::to_string(line) + ")");
}

}  // namespace gpualign::cuda

#define GPUALIGN_CUDA_CHECK(call)                                                           \
  do {                                                                                      \
    const cudaError_t gpualign_cuda_err_ = (call);                                          \
    if (gpualign_cuda_err_ != cudaSuccess)                                                  \
      ::gpualign::cuda::throw_cuda_error(gpualign_cuda_err_, #call, __FILE__, __LINE__);   \
  } while (0)
