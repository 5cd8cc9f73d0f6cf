#pragma once
// Device and pinned host buffers that grow on demand and are reused across
// batches (plain cudaMalloc / cudaMallocHost, no managed memory).

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

namespace gpualign::cuda {

/// One grow-only device allocation.
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  ~DeviceBuffer();
  /// Makes the buffer at least `bytes` long (contents are not kept).
  void reserve(std::size_t bytes);
  void* data() const noexcept { return ptr_; }
  std::size_t capacity() const noexcept { return bytes_; }

 private:
  void* ptr_ = nullptr;
  std::size_t bytes_ = 0;
};

/// One grow-only pinned host allocation (for asynchronous copies).
class PinnedBuffer {
 public:
  PinnedBuffer() = default;
  PinnedBuffer(const PinnedBuffer&) = delete;
  PinnedBuffer& operator=(const PinnedBuffer&) = delete;
  ~PinnedBuffer();
  void reserve(std::size_t bytes);
  std::uint8_t* data() const noexcept { return static_cast<std::uint8_t*>(ptr_); }
  std::size_t capacity() const noexcept { return bytes_; }

 private:
  void* ptr_ = nullptr;
  std::size_t bytes_ = 0;
};

}  // namespace gpualign::cuda
