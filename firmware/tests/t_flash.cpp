// Flash programming through FLASHCTRL: erase a config page, program a small function there,
// call it, then erase and program a different one at the same address and call it again: the
// second call must run the new code (the simulator drops its translated copy of the old).
#include "board/mcu.h"
#include "drivers/flash.h"
#include "testlib.h"

LMSIM_TEST_RESULTS

namespace {
// Thumb: movs r0, #imm; bx lr
constexpr std::uint32_t function_returning(std::uint8_t v) {
  return 0x47702000u | v;
}
using Fn = std::uint32_t (*)();
constexpr std::uint32_t kPage = mcu::kConfigBase;
}  // namespace

int main() {
  drivers::Flash flash;
  auto fn = reinterpret_cast<Fn>(kPage | 1u);
  test_result[0] = static_cast<std::uint32_t>(flash.erase_page(kPage));
  test_result[1] = *reinterpret_cast<volatile std::uint32_t*>(kPage);  // erased: 0xFFFFFFFF
  test_result[2] = static_cast<std::uint32_t>(flash.program_word(kPage, function_returning(42)));
  test_result[3] = fn();
  test_result[4] = static_cast<std::uint32_t>(flash.erase_page(kPage));
  test_result[5] = static_cast<std::uint32_t>(flash.program_word(kPage, function_returning(7)));
  test_result[6] = fn();
  // NOR: programming only clears bits (0x0F over 0xF0 gives 0x00).
  flash.program_word(kPage + 8, 0xF0F0F0F0u);
  flash.program_word(kPage + 8, 0x0F0F0F0Fu);
  test_result[7] = *reinterpret_cast<volatile std::uint32_t*>(kPage + 8);
  test_done = kTestDone;
  for (;;) mcu::wfi();
}
