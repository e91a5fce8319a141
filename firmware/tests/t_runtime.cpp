// The C/C++ runtime on the board as on the part: errno is thread-local in picolibc (the
// start-up must set the thread pointer, else errno lands near address 0, in flash, and a
// store to it faults), thread_local data is copied/zeroed, static constructors run in
// init_priority order, snprintf formats floats, and C++ exceptions unwind through the linked
// .ARM.exidx table (this file is built with -fexceptions; the project default is without).
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "testlib.h"

LMSIM_TEST_RESULTS

// test_result: [0] strtol overflow value, [1] errno after it, [2] &errno, [3] errno after a
// good strtol (unchanged 0), [4] thread_local with initialiser, [5] zero thread_local,
// [6] &tl_init, [7] &tl_zero, [8] constructor order digits, [9] value set by a dynamic
// constructor, [10] int caught, [11] what() length of a caught derived exception,
// [12] destructors run while unwinding, [13] errno after strtod overflow, [14] snprintf length.
// test_text: the snprintf output.
extern "C" {
char test_text[64];
}

namespace {
volatile std::uint32_t order = 0;
volatile std::uint32_t seed = 7;  // read at run time: the constructor below cannot be folded

struct Step {
  explicit Step(std::uint32_t digit) { order = order * 10 + digit; }
};
// Declared in the opposite order of their priorities: the linker's sort must put them right.
Step step_default(3);
Step step_late __attribute__((init_priority(200))) (2);
Step step_early __attribute__((init_priority(101))) (1);

struct Dynamic {
  std::uint32_t v;
  Dynamic() : v(seed * 6) {}
};
Dynamic dynamic;

thread_local std::uint32_t tl_init = 0x5A5A1234u;
thread_local std::uint32_t tl_zero;

struct Error {
  virtual ~Error() = default;
  virtual const char* what() const { return "base"; }
};
struct Overload : Error {
  const char* what() const override { return "overload"; }
};

volatile int destroyed = 0;
struct Guard {
  ~Guard() { destroyed = destroyed + 1; }
};

__attribute__((noinline)) void deep(int n) {
  Guard g;
  if (n == 0) throw Overload();
  deep(n - 1);
}
__attribute__((noinline)) int thrower(int v) {
  Guard g;
  if (v > static_cast<int>(seed)) throw v;
  return 0;
}
}  // namespace

int main() {
  // strtol out of range: LONG_MAX and errno = ERANGE (C11 7.22.1.4p8).
  errno = 0;
  long big = std::strtol("99999999999999999999", nullptr, 10);
  test_result[0] = static_cast<std::uint32_t>(big);
  test_result[1] = static_cast<std::uint32_t>(errno);
  test_result[2] = reinterpret_cast<std::uint32_t>(&errno);
  errno = 0;
  test_result[3] = static_cast<std::uint32_t>(std::strtol("12", nullptr, 10) == 12 ? errno : -1);

  test_result[4] = tl_init;
  test_result[5] = tl_zero;
  test_result[6] = reinterpret_cast<std::uint32_t>(&tl_init);
  test_result[7] = reinterpret_cast<std::uint32_t>(&tl_zero);

  test_result[8] = order;
  test_result[9] = dynamic.v;

  try {
    thrower(42);
  } catch (int v) {
    test_result[10] = static_cast<std::uint32_t>(v);
  }
  try {
    deep(4);
  } catch (const Error& e) {
    std::uint32_t n = 0;
    for (const char* p = e.what(); *p; ++p) ++n;
    test_result[11] = n;
  }
  test_result[12] = static_cast<std::uint32_t>(destroyed);

  errno = 0;
  volatile double huge = std::strtod("1e999", nullptr);
  (void)huge;
  test_result[13] = static_cast<std::uint32_t>(errno);

  volatile double pi = 3.14159265, neg = -2500.0;
  volatile float tenth = 0.1f;
  test_result[14] = static_cast<std::uint32_t>(
      std::snprintf(test_text, sizeof test_text, "%.3f|%e|%g|%5.1f", pi, neg, static_cast<double>(tenth), -0.04));
  test_done = kTestDone;
  for (;;) asm volatile("wfi");
}
