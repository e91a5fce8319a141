# periph: register-access cost of the MCU peripherals, UART TX throughput, timer events.
add_executable(bench_periph ${CMAKE_CURRENT_LIST_DIR}/periph.cpp)
target_link_libraries(bench_periph PRIVATE lmsim_mcu lmsim_warnings)
