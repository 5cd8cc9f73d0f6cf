# Benchmarks of module cpu (Google Benchmark).  Run from the build tree:
#   bench/cpu_engine_bench [--benchmark_filter=W1]
# GCUPS of the CPU engine on W1, W2, W3 and P1 (scaled down; GPUALIGN_BENCH_SCALE
# multiplies the counts), 1 and 2 threads, local score-only and with CIGAR,
# next to parasail's fastest functions and SSW on the same pairs in the same run.
add_executable(cpu_engine_bench ${CMAKE_CURRENT_SOURCE_DIR}/cpu_engine_bench.cpp)
target_link_libraries(cpu_engine_bench PRIVATE gpualign::gpualign benchmark::benchmark Threads::Threads)
target_include_directories(cpu_engine_bench PRIVATE ${PROJECT_SOURCE_DIR}/src)
if(PARASAIL_FOUND)
  target_link_libraries(cpu_engine_bench PRIVATE PkgConfig::PARASAIL)
  target_compile_definitions(cpu_engine_bench PRIVATE GPUALIGN_BENCH_PARASAIL=1)
endif()
find_library(GPUALIGN_SSW_LIB NAMES ssw PATHS /usr/lib/x86_64-linux-gnu)
find_path(GPUALIGN_SSW_INCLUDE ssw.h)
if(GPUALIGN_SSW_LIB AND GPUALIGN_SSW_INCLUDE)
  target_link_libraries(cpu_engine_bench PRIVATE ${GPUALIGN_SSW_LIB})
  target_compile_definitions(cpu_engine_bench PRIVATE GPUALIGN_BENCH_SSW=1)
endif()
