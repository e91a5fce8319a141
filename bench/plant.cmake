# plant: plant + AFE (no CPU), 50 loads and PV, 24 simulated hours at a 10 ms step.
# The AFE and its peripheral base are compiled in so that the figure does not need the CPU.
add_executable(bench_plant ${CMAKE_CURRENT_LIST_DIR}/plant.cpp ${PROJECT_SOURCE_DIR}/models/mcu/afe.cpp
               ${PROJECT_SOURCE_DIR}/models/mcu/peripheral.cpp ${PROJECT_SOURCE_DIR}/models/mcu/power_reset.cpp)
target_link_libraries(bench_plant PRIVATE lmsim_plant lmsim_core lmsim_warnings)
