# Benchmarks of module parallel (Google Benchmark).  Run from the build tree:
#   bench/parallel_overhead_bench      per-item / per-task overhead of the pools and the DAG executor
#   bench/parallel_aligner_bench       ParallelAligner speedup, 1..N workers, threads and processes, W1 and W2
foreach(b parallel_overhead_bench parallel_aligner_bench)
  add_executable(${b} ${CMAKE_CURRENT_SOURCE_DIR}/${b}.cpp)
  target_link_libraries(${b} PRIVATE gpualign::gpualign benchmark::benchmark)
endforeach()
