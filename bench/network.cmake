# network: request/response round trips per wall second between the "firmware" (register
# accesses to the NETC over TLM, interrupt-driven) and a station's Modbus endpoint (and a TCP
# echo host) through the simulated LAN.
add_executable(bench_network ${CMAKE_CURRENT_LIST_DIR}/network.cpp
               ${PROJECT_SOURCE_DIR}/models/mcu/netc.cpp ${PROJECT_SOURCE_DIR}/models/mcu/peripheral.cpp)
target_link_libraries(bench_network PRIVATE lmsim_net lmsim_evse lmsim_core lmsim_warnings)
