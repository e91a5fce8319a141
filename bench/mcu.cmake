# mcu: MIPS of the virtual Cortex-M4F on a CPU-bound firmware, against raw Unicorn and native
# code; interrupts per wall second; wall seconds for an idle simulated day (100 Hz SysTick).
if(LMSIM_FIRMWARE_AVAILABLE)
  add_executable(bench_mcu ${CMAKE_CURRENT_LIST_DIR}/mcu.cpp)
  target_link_libraries(bench_mcu PRIVATE lmsim_mcu lmsim_plant lmsim_core lmsim_warnings)
  target_include_directories(bench_mcu PRIVATE ${PROJECT_SOURCE_DIR}/firmware/tests)
  target_compile_definitions(bench_mcu PRIVATE LMSIM_FIRMWARE_DIR="${LMSIM_FIRMWARE_DIR}")
  set_target_properties(bench_mcu PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
  add_dependencies(bench_mcu lmsim_firmware)
endif()
