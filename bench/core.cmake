# core: signal changes per second with assertions active; VCD bytes per second.
add_executable(bench_core ${CMAKE_CURRENT_LIST_DIR}/core.cpp)
target_link_libraries(bench_core PRIVATE lmsim_site lmsim_warnings)
