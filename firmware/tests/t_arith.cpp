// Arithmetic and FPU self-check: results go to test_result[] for the host to compare with the
// same cases compiled natively (arith_cases.h).
#include "arith_cases.h"
#include "testlib.h"

LMSIM_TEST_RESULTS

int main() {
  arith::run([](int i, std::uint32_t v) { test_result[i] = v; });
  test_done = kTestDone;
  return 0;
}
