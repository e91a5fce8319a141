// Result block of the self-checking test firmwares: the host test reads these symbols
// from RAM through the debug path after running the firmware for a while.
#pragma once
#include <cstdint>

extern "C" {
// test_done == kTestDone once the firmware finished; test_result[] holds the values.
extern volatile std::uint32_t test_done;
extern volatile std::uint32_t test_result[64];
}
constexpr std::uint32_t kTestDone = 0xD0E0D0E0u;

#define LMSIM_TEST_RESULTS                \
  extern "C" {                            \
  volatile std::uint32_t test_done;       \
  volatile std::uint32_t test_result[64]; \
  }
