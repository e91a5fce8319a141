# lm: the load-management allocation (firmware/app/lm) on the host: CPU time of one control
# cycle with 50 stations.
add_executable(bench_lm ${CMAKE_CURRENT_LIST_DIR}/lm.cpp ${PROJECT_SOURCE_DIR}/firmware/app/lm/allocator.cpp)
target_include_directories(bench_lm PRIVATE ${PROJECT_SOURCE_DIR}/firmware ${PROJECT_SOURCE_DIR}/tests/firmware)
target_compile_features(bench_lm PRIVATE cxx_std_20)
target_link_libraries(bench_lm PRIVATE lmsim_warnings)
set_target_properties(bench_lm PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
