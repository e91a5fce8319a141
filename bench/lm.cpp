// bench/run lm: the load-management allocation (firmware/app/lm/allocator) on the host.
//   lm.step50_host_us       mean host CPU time of one Allocator::step with 50 stations
//   lm.step50_host_p99_us   99th percentile (the max is host scheduling noise)
// The site: 50 stations (mixed priorities, rotations, 1- and 3-phase EVs) behind a budget that
// cannot serve all of them, so rotation, priorities and the fill all work every cycle; EVs come
// and go. The host plant of tests/firmware/lm/lm_plant.h runs in the loop but is not timed.
#include <time.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "lm/lm_plant.h"

namespace {

double cpu_us() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

}  // namespace

int main() {
  using namespace lmc::lm;
  lmtest::Plant s(200);
  for (int i = 0; i < kMaxStations; ++i) {
    StationConfig c;
    c.priority = static_cast<Priority>(i % 3);
    c.phases = i % 7 == 0 ? 1 : 3;
    for (int k = 0; k < 3; ++k) c.rotation[k] = static_cast<std::uint8_t>((i + k) % 3);
    c.max_ma = (i % 2 ? 16 : 32) * 1000;
    s.add(c);
  }
  s.configure();
  for (int i = 0; i < kMaxStations; ++i) s.plug(i, i % 5 == 0 ? 0x1 : 0x7);
  for (int p = 0; p < 3; ++p) s.building_ma[p] = 40000;
  const int steps = 20000;
  double total = 0;
  std::vector<double> dts;
  dts.reserve(steps);
  std::uint32_t x = 12345;  // deterministic churn
  for (int t = 0; t < steps; ++t) {
    x = x * 1103515245u + 12345u;
    int i = static_cast<int>((x >> 8) % kMaxStations);
    if (t % 20 == 0) {
      if (s.ev[i].present)
        s.unplug(i);
      else
        s.plug(i, (x >> 4) % 3 ? 0x7 : 0x1);
    }
    if (t % 60 == 0) s.building_ma[(x >> 12) % 3] = static_cast<std::int32_t>((x >> 16) % 80000);
    s.advance_evs();
    s.fill_input();
    double t0 = cpu_us();
    const Output& o = s.alloc.step(s.in);
    double dt = cpu_us() - t0;
    total += dt;
    dts.push_back(dt);
    for (int k = 0; k < s.n; ++k) s.offered[k] = o.setpoint_ma[k];
    s.now_ms += 1000;
  }
  std::printf("lm.step50_host_us %.1f us\n", total / steps);
  auto p99 = dts.begin() + steps * 99 / 100;
  std::nth_element(dts.begin(), p99, dts.end());
  std::printf("lm.step50_host_p99_us %.1f us\n", *p99);
  return 0;
}
