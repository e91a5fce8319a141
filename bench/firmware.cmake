# firmware: the product firmware lmc.elf: wall seconds for 24 simulated hours of a configured
# controller without stations (CLI run, fork + exec), and its flash and RAM footprint.
if(LMSIM_FIRMWARE_AVAILABLE)
  add_executable(bench_firmware ${CMAKE_CURRENT_LIST_DIR}/firmware.cpp)
  target_link_libraries(bench_firmware PRIVATE nlohmann_json::nlohmann_json lmsim_warnings)
  target_compile_definitions(bench_firmware PRIVATE LMSIM_BIN="$<TARGET_FILE:lmsim>"
                                                    LMSIM_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
                                                    LMSIM_FIRMWARE_DIR="${LMSIM_FIRMWARE_DIR}")
  add_dependencies(bench_firmware lmsim lmsim_firmware)
  set_target_properties(bench_firmware PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
endif()
