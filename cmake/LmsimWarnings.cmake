# Warnings on our own code (not on third-party headers, included as SYSTEM); errors with
# LMSIM_WERROR (ci/build, CI).
set(LMSIM_WERROR_FLAG "")
if(LMSIM_WERROR)
  set(LMSIM_WERROR_FLAG -Werror)
endif()
add_library(lmsim_warnings INTERFACE)
target_compile_options(lmsim_warnings INTERFACE
  -Wall -Wextra ${LMSIM_WERROR_FLAG} -Wno-unused-parameter -Wnon-virtual-dtor -Wimplicit-fallthrough)

# Adds a GoogleTest executable and registers it with CTest.
# lmsim_add_gtest(NAME sources... LIBS libs...)
function(lmsim_add_gtest name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gtest_main lmsim_warnings)
  include(GoogleTest)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 300)
endfunction()
