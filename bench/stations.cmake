# stations: Modbus request/response pairs per wall second through a station endpoint, and
# 50 stations with EVs over 24 simulated hours without a controller.
add_executable(bench_stations ${CMAKE_CURRENT_LIST_DIR}/stations.cpp)
target_link_libraries(bench_stations PRIVATE lmsim_evse lmsim_core lmsim_warnings)
