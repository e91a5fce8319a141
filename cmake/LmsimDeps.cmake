# Every third-party dependency, from Debian packages (see ci/packages.txt).
find_package(PkgConfig REQUIRED)
pkg_check_modules(SYSTEMC REQUIRED IMPORTED_TARGET systemc)
pkg_check_modules(UNICORN REQUIRED IMPORTED_TARGET unicorn)
pkg_check_modules(MODBUS REQUIRED IMPORTED_TARGET libmodbus)
pkg_check_modules(CRYPTO REQUIRED IMPORTED_TARGET libcrypto)
find_package(yaml-cpp REQUIRED)
find_package(Boost REQUIRED COMPONENTS program_options)
find_package(nlohmann_json 3 REQUIRED)
find_package(GTest REQUIRED)
find_package(Threads REQUIRED)

# SystemC 2.3.4 in Debian is built as C++17: code compiled as C++20 must pin the API macro
# or it fails to link (sc_api_version_2_3_4_cxx202002L).
add_library(lmsim_systemc INTERFACE)
target_link_libraries(lmsim_systemc INTERFACE PkgConfig::SYSTEMC)
target_compile_definitions(lmsim_systemc INTERFACE SC_CPLUSPLUS=201703L)
# SystemC headers are not warning-clean under our flags: include them as system headers.
get_target_property(_sc_inc PkgConfig::SYSTEMC INTERFACE_INCLUDE_DIRECTORIES)
if(_sc_inc)
  target_include_directories(lmsim_systemc SYSTEM INTERFACE ${_sc_inc})
endif()

# Pin the interpreter: the python3 first on PATH is not Debian's and has no pybind11.
set(PYTHON_EXECUTABLE /usr/bin/python3 CACHE FILEPATH "Python for the lmsim module")
set(Python_EXECUTABLE /usr/bin/python3 CACHE FILEPATH "Python for the lmsim module")
find_package(pybind11 CONFIG REQUIRED)
