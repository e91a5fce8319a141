// TIMER0 seen from the core (docs/mcu-peripherals.md, TIMER0): the counter counts 0..LOAD-1
// and reaching LOAD sets MATCH in the same tick as COUNT wraps to 0. A firmware polling COUNT
// that sees it wrap must see MATCH set in a STATUS read right after, at any quantum length.
#include "board/mcu.h"
#include "testlib.h"

LMSIM_TEST_RESULTS

// test_result: [0] wraps seen, [1] wraps after which STATUS did not show MATCH (0),
// [2] MATCH set while COUNT had not wrapped yet (0).
namespace {
constexpr std::uint32_t kCtrl = mcu::kTimer0Base + 0x00, kLoad = mcu::kTimer0Base + 0x08,
                        kCount = mcu::kTimer0Base + 0x0C, kStatus = mcu::kTimer0Base + 0x10;
}  // namespace

int main() {
  using namespace mcu;
  reg(kLoad) = 3000;  // 25 us at 120 MHz: longer than the 10 us quantum
  reg(kCtrl) = 1u;    // periodic, no interrupt
  std::uint32_t prev = reg(kCount), wraps = 0, late = 0, early = 0;
  while (wraps < 20) {
    std::uint32_t s = reg(kStatus);
    std::uint32_t c = reg(kCount);
    if (c < prev) {
      ++wraps;
      // The wrap happened before the COUNT read; a STATUS read now must show it.
      if (!(reg(kStatus) & 1u)) ++late;
      reg(kStatus) = 1u;
    } else if (s & 1u) {
      ++early;  // MATCH before COUNT wrapped (read after STATUS)
      reg(kStatus) = 1u;
    }
    prev = c;
  }
  test_result[0] = wraps;
  test_result[1] = late;
  test_result[2] = early;
  test_done = kTestDone;
  for (;;) wfi();
}
