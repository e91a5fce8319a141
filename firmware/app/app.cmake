# The controller application (firmware/app/): portable C++20, built twice from the same
# sources: for the virtual MCU (the cross build, into lmc.elf) and for the host (tests).
# Every .cpp below firmware/app/ belongs to it; include paths start at firmware/ ("app/...").
file(GLOB_RECURSE LMC_APP_SOURCES CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*.cpp)
get_filename_component(LMC_APP_INCLUDE ${CMAKE_CURRENT_LIST_DIR}/.. ABSOLUTE)
# The rules of firmware.md: no exceptions, no RTTI, all warnings (errors with LMSIM_WERROR).
set(LMC_APP_FLAGS -fno-exceptions -fno-rtti -Wall -Wextra -Wshadow -Wimplicit-fallthrough)
if(LMSIM_WERROR)
  list(APPEND LMC_APP_FLAGS -Werror)
endif()

# lmc_app_library(<target>): a static library of the application for the current toolchain.
function(lmc_app_library target)
  if(NOT LMC_APP_SOURCES)
    add_library(${target} INTERFACE)
    target_include_directories(${target} INTERFACE ${LMC_APP_INCLUDE})
    return()
  endif()
  add_library(${target} STATIC ${LMC_APP_SOURCES})
  target_include_directories(${target} PUBLIC ${LMC_APP_INCLUDE})
  target_compile_features(${target} PUBLIC cxx_std_20)
  target_compile_options(${target} PRIVATE ${LMC_APP_FLAGS})
endfunction()
