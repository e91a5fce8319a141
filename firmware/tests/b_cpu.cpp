// Benchmark firmware: the CPU-bound workload in an endless loop; iterations in test_result[0].
#include "bench_work.h"
#include "testlib.h"

LMSIM_TEST_RESULTS

int main() {
  std::uint32_t sum = 0;
  for (std::uint32_t i = 0;; ++i) {
    sum ^= bench::work(i);
    test_result[0] = i + 1;
    test_result[1] = sum;
  }
}
