# site: lmc.elf managing a site end to end through the CLI (fork + exec of the built lmsim):
# 2 stations for 24 h (site.day2_s) and 50 stations with EVs for 24 h (site.day50_x).
if(LMSIM_FIRMWARE_AVAILABLE)
  add_executable(bench_site ${CMAKE_CURRENT_LIST_DIR}/site.cpp)
  target_link_libraries(bench_site PRIVATE nlohmann_json::nlohmann_json lmsim_warnings)
  target_compile_definitions(bench_site PRIVATE LMSIM_BIN="$<TARGET_FILE:lmsim>" LMSIM_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  add_dependencies(bench_site lmsim lmsim_firmware)
  set_target_properties(bench_site PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
endif()
