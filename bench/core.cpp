// bench/run core: the simulation core's hot paths.
//   core.changes_per_s   signal changes processed per wall second, 10 assertions active, no trace
//   core.trace_mb_per_s  VCD bytes written per wall second
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "sim/assertions.h"
#include "sim/trace.h"
#include "sim/ynode.h"

using namespace lmsim;
using clk = std::chrono::steady_clock;

static double secs(clk::time_point a) {
  return std::chrono::duration<double>(clk::now() - a).count();
}

int main() {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
  Registry reg;
  reg.set_clock([] { return Time{0}; });
  std::vector<Signal*> sigs;
  for (int i = 0; i < 10; ++i) sigs.push_back(&reg.add_number("bench.s" + std::to_string(i), "A", 0));
  AssertionEngine eng("assertions", reg);
  std::string yaml;
  for (int i = 0; i < 10; ++i) yaml += "- always: \"bench.s" + std::to_string(i) + " < 1000A\"\n";
  YNode asserts = YNode::load_string(
      "a:\n" +
          [&] {
            std::string s;
            for (int i = 0; i < 10; ++i) s += "  - always: \"bench.s" + std::to_string(i) + " < 1000A\"\n";
            return s;
          }(),
      "bench");
  for (const auto& a : asserts["a"].items()) eng.add(a);

  // Each change at its own time: every change settles and re-evaluates its assertion.
  const std::uint64_t n = 20'000'000;
  auto t0 = clk::now();
  for (std::uint64_t k = 0; k < n; ++k) sigs[k % 10]->set(static_cast<double>(k % 997), k);
  reg.settle();
  double dt = secs(t0);
  std::uint64_t evals = 0;
  for (const auto& r : eng.results()) evals += r.evaluations;
  std::printf("core.changes_per_s %.0f changes/s\n", n / dt);
  std::printf("core.assertion_evals %llu evaluations\n", static_cast<unsigned long long>(evals));
  if (eng.any_failed()) return 1;

  // VCD: 10 real-valued signals, 5 million changes.
  auto path = (std::filesystem::temp_directory_path() / "lmsim-bench-core.vcd").string();
  {
    VcdWriter w(path, sigs);
    const std::uint64_t m = 5'000'000;
    auto t1 = clk::now();
    for (std::uint64_t k = 0; k < m; ++k) sigs[k % 10]->set(static_cast<double>(k) * 0.001, n + k * 1000);
    w.close();
    double dt1 = secs(t1);
    std::printf("core.trace_mb_per_s %.1f MB/s\n", static_cast<double>(w.bytes()) / 1e6 / dt1);
    std::printf("core.trace_bytes %llu B\n", static_cast<unsigned long long>(w.bytes()));
  }
  std::filesystem::remove(path);
  return 0;
}
