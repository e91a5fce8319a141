// The C/C++ runtime on the board (firmware/tests/t_runtime.cpp): expected values come from
// the C and C++ standards, not from the model: strtol/strtod out of range give LONG_MAX /
// HUGE_VAL and errno = ERANGE (C11 7.22.1.3p10, 7.22.1.4p8; ERANGE is 34 in picolibc's
// <sys/errno.h>); thread_local objects start with their initialiser or zero (C++20
// [basic.stc.thread], [basic.start.static]); init_priority orders constructors (GCC manual,
// "C++ Attributes"); a thrown object is caught by its handler after every automatic object
// between throw and catch was destroyed ([except.ctor]); printf conversions per C11 7.21.6.1.
#include <gtest/gtest.h>

#include <string>

#include "mcu_support.h"
#include "testlib.h"

using namespace lmsim;
using namespace lmsim::mcu;

TEST(McuRuntime, ErrnoThreadLocalConstructorsFloatPrintfAndExceptions) {
  auto b = mcu::testing::make_bench("t_runtime");
  b.run(20 * kMs);
  ASSERT_TRUE(b.site->faults().empty()) << b.site->faults()[0].message;
  ASSERT_EQ(b.sym("test_done"), kTestDone);

  // errno: set by the library, stored in the TLS block in RAM (the bug: address 0x8, in flash).
  EXPECT_EQ(b.sym("test_result", 0), 0x7FFFFFFFu) << "strtol overflow returns LONG_MAX";
  EXPECT_EQ(b.sym("test_result", 1), 34u) << "errno = ERANGE after strtol overflow";
  EXPECT_EQ(b.sym("test_result", 3), 0u) << "a good conversion leaves errno alone";
  EXPECT_EQ(b.sym("test_result", 13), 34u) << "errno = ERANGE after strtod(\"1e999\")";
  auto tls_lo = b.dev->firmware()->symbol("__tls_base"), tls_hi = b.dev->firmware()->symbol("__tls_end");
  ASSERT_TRUE(tls_lo && tls_hi);
  for (unsigned i : {2u, 6u, 7u}) {
    std::uint32_t a = b.sym("test_result", i);
    EXPECT_TRUE(a >= *tls_lo && a < *tls_hi) << "result " << i << ": address 0x" << std::hex << a
                                             << " outside the TLS block [0x" << *tls_lo << ", 0x" << *tls_hi << ")";
  }
  // RAM holds garbage at power-on: the zero and the initialiser prove the block was set up.
  EXPECT_EQ(b.sym("test_result", 4), 0x5A5A1234u) << "thread_local initialiser (.tdata copied)";
  EXPECT_EQ(b.sym("test_result", 5), 0u) << "thread_local without initialiser (.tbss zeroed)";

  EXPECT_EQ(b.sym("test_result", 8), 123u) << "constructors ran: priority 101, then 200, then default";
  EXPECT_EQ(b.sym("test_result", 9), 42u) << "dynamic initialisation 7 * 6";

  EXPECT_EQ(b.sym("test_result", 10), 42u) << "int thrown and caught";
  EXPECT_EQ(b.sym("test_result", 11), 8u) << "derived exception caught by base reference: what() = \"overload\"";
  EXPECT_EQ(b.sym("test_result", 12), 6u) << "destructors while unwinding: 1 in thrower + 5 in deep(4..0)";

  // "%.3f" of 3.14159265 -> 3.142; "%e" of -2500 -> -2.500000e+03; "%g" of 0.1f (0.100000001...)
  // -> 0.1; "%5.1f" of -0.04 -> "-0.0" right-aligned in 5.
  const std::string expect = "3.142|-2.500000e+03|0.1| -0.0";
  std::string text;
  for (unsigned w = 0; w < 16; ++w) {
    std::uint32_t v = b.sym("test_text", w);
    for (int k = 0; k < 4; ++k) text += static_cast<char>(v >> (8 * k));
  }
  text.resize(text.find('\0') == std::string::npos ? text.size() : text.find('\0'));
  EXPECT_EQ(text, expect);
  EXPECT_EQ(b.sym("test_result", 14), expect.size()) << "snprintf's return value";
}
