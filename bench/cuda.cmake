# Benchmarks of module cuda (Google Benchmark; only with the CUDA engine).
#   bench/cuda_engine_bench [--benchmark_filter=W3]
# Per workload (DESIGN.md W1, W2, W3, P1; GPUALIGN_BENCH_SCALE multiplies the
# pair counts, default 1), local mode, score-only and with CIGAR: GCUPS over
# kernel time, over device time including host<->device copies, and over the
# whole call.  Reports an error (skips) where no usable GPU exists.
if(GPUALIGN_HAVE_CUDA)
  add_executable(cuda_engine_bench ${CMAKE_CURRENT_SOURCE_DIR}/cuda_engine_bench.cpp)
  target_link_libraries(cuda_engine_bench PRIVATE gpualign::gpualign benchmark::benchmark)
  target_include_directories(cuda_engine_bench PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/kernels)
  # Rates of single device operations (DPX, FFMA): the numbers
  # kernels/PERFORMANCE.md's ceilings rest on.
  add_executable(cuda_ops_bench ${CMAKE_CURRENT_SOURCE_DIR}/cuda_ops_bench.cpp)
  target_link_libraries(cuda_ops_bench PRIVATE gpualign_op_probe benchmark::benchmark)
endif()
# The engine's host work alone (planning, staging, merging) on the fake CUDA
# runtime with its device work off: runs without a GPU.
#   bench/cuda_host_bench
if(TARGET gpualign_fake_cuda_objects)
  add_executable(cuda_host_bench ${CMAKE_CURRENT_SOURCE_DIR}/cuda_host_bench.cpp
                                 $<TARGET_OBJECTS:gpualign_fake_cuda_objects>)
  target_link_libraries(cuda_host_bench PRIVATE gpualign::gpualign benchmark::benchmark)
  target_include_directories(cuda_host_bench PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests
                             ${PROJECT_SOURCE_DIR}/kernels ${CUDAToolkit_INCLUDE_DIRS})
endif()
# The intra kernel's tile wavefront counted on the workloads, as given and
# with long targets on the rows (plain C++, no GPU):
#   bench/cuda_wavefront_model [resident warps] [lead]
add_executable(cuda_wavefront_model ${CMAKE_CURRENT_SOURCE_DIR}/cuda_wavefront_model.cpp)
target_link_libraries(cuda_wavefront_model PRIVATE gpualign::gpualign)
target_include_directories(cuda_wavefront_model PRIVATE ${PROJECT_SOURCE_DIR}/kernels)
