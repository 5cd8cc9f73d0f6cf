# Benchmarks of module dispatch (Google Benchmark).  Run from the build tree:
#   bench/dispatch_bench   cost-model routing per batch, dispatcher overhead on tiny
#                          batches (auto must stay serial), backends on a W1 slice,
#                          the pipeline's bounded queue hand-off
add_executable(dispatch_bench ${CMAKE_CURRENT_SOURCE_DIR}/dispatch_bench.cpp)
target_link_libraries(dispatch_bench PRIVATE gpualign::gpualign benchmark::benchmark)
target_include_directories(dispatch_bench PRIVATE ${PROJECT_SOURCE_DIR}/src)
