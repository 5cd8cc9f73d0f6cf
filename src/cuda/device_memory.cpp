#include "cuda/device_memory.hpp"

#include "cuda/cuda_check.hpp"

namespace gpualign::cuda {

namespace {
std::size_t grown(std::size_t want) {
  // Round up by 1/4 so slowly growing batches do not reallocate every time.
  return want + want / 4 + 4096;
}
}  // namespace

DeviceBuffer::~DeviceBuffer() {
  if (ptr_) cudaFree(ptr_);  // no throw from a destructor
}

void DeviceBuffer::reserve(std::size_t bytes) {
  if (bytes <= bytes_) return;
  if (ptr_) GPUALIGN_CUDA_CHECK(cudaFree(ptr_));
  ptr_ = nullptr;
  bytes_ = 0;
  const std::size_t n = grown(bytes);
  GPUALIGN_CUDA_CHECK(cudaMalloc(&ptr_, n));
  bytes_ = n;
}

PinnedBuffer::~PinnedBuffer() {
  if (ptr_) cudaFreeHost(ptr_);
}

void PinnedBuffer::reserve(std::size_t bytes) {
  if (bytes <= bytes_) return;
  if (ptr_) GPUALIGN_CUDA_CHECK(cudaFreeHost(ptr_));
  ptr_ = nullptr;
  bytes_ = 0;
  const std::size_t n = grown(bytes);
  GPUALIGN_CUDA_CHECK(cudaMallocHost(&ptr_, n));
  bytes_ = n;
}

}  // namespace gpualign::cuda
