# scenario: the CLI on the ci/demo scenario: simulated/wall speed with and without a full VCD
# trace, and peak memory (fork + exec of the built lmsim, so the figures are a user's run).
if(LMSIM_FIRMWARE_AVAILABLE)
  add_executable(bench_scenario ${CMAKE_CURRENT_LIST_DIR}/scenario.cpp)
  target_link_libraries(bench_scenario PRIVATE nlohmann_json::nlohmann_json lmsim_warnings)
  target_compile_definitions(bench_scenario PRIVATE LMSIM_BIN="$<TARGET_FILE:lmsim>"
                                                    LMSIM_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  add_dependencies(bench_scenario lmsim lmsim_firmware)
  set_target_properties(bench_scenario PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
endif()
