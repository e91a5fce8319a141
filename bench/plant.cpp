// Plant benchmark: plant + AFE (no CPU), a site with 50 loads (15 of them households with
// their appliance events, heat pumps with compressor starts; 20 behind two sub-distribution
// circuits) and PV with cloud passages, 24 simulated hours at the default 10 ms plant step. Prints `plant.<name> VALUE
// UNIT` lines.
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>

#include <tlm_utils/simple_initiator_socket.h>
#include <systemc>

#include "models/mcu/afe.h"
#include "models/models.h"
#include "models/plant/plant.h"
#include "sim/site.h"

// The CPU's place on the AFE's socket (unused: the benchmark runs without a CPU).
struct NoCpu : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<NoCpu> sock{"sock"};
  explicit NoCpu(sc_core::sc_module_name n) : sc_module(n) {}
};

int sc_main(int, char**) {
  namespace fs = std::filesystem;
  fs::path csv = fs::temp_directory_path() / "lmsim_bench_plant_profile.csv";
  {
    std::ofstream f(csv);
    f << "time,power\n00:00,400\n06:00,900\n08:00,2500\n12:00,1800\n18:00,3200\n22:00,800\n";
  }
  std::string y = "start: \"2026-06-21T00:00\"\nsite:\n  step: 10ms\n";
  y += "  grid: {voltage: 230V, harmonics: [{order: 5, percent: 3}, {order: 7, percent: 1.5}]}\n";
  y += "  main_fuse: {rating: 250A}\n  sensors: {type: ct, phase_error: 0.5deg}\n";
  // Two sub-distribution circuits (every fifth load behind each), one with its own RCD.
  y += "  circuits: [{name: c0, protection: {rating: 125A, curve: C}, rcd: {rated: 300mA}},\n"
       "             {name: c1, protection: {rating: 125A, curve: C}}]\n  loads:\n";
  const char* phases[] = {"L1", "L2", "L3", "[L1, L2, L3]"};
  for (int i = 0; i < 50; ++i) {
    std::string ph = phases[i % 4];
    std::string n = "load" + std::to_string(i);
    if (i % 5 < 2) n += ", circuit: c" + std::to_string(i % 5);
    if (i < 10)
      y += "    - {name: " + n + ", phases: " + ph + ", power: " + std::to_string(300 + 50 * i) + "W, pf: 0.95}\n";
    else if (i < 25)
      y += "    - {name: " + n + ", phases: [L1, L2, L3], profile: household, persons: " + std::to_string(1 + i % 5) +
           "}\n";
    else if (i < 35)
      y += "    - {name: " + n + ", phases: " + ph + ", profile: office, peak: 4kW, pf: 0.9}\n";
    else if (i < 45)
      y += "    - {name: " + n + ", phases: " + ph + ", profile: heat-pump, peak: 3kW, pf: 0.92}\n";
    else
      y += "    - {name: " + n + ", phases: " + ph + ", profile: {csv: " + csv.string() +
           "}, harmonics: [{order: 3, percent: 10}]}\n";
  }
  y += "  pv: [{name: roof, peak: 30kW, phases: [L1, L2, L3], clouds: {per_hour: 6}}]\n";

  lmsim::YNode root = lmsim::YNode::load_string(y, "<bench>");
  lmsim::Site site(root, "bench.yaml", 42);
  lmsim::plant::build(site, root);
  auto& afe = site.make<lmsim::mcu::Afe>("afe", site, nullptr);
  site.make<NoCpu>("cpu").sock.bind(afe.socket);
  auto* plant = site.service<lmsim::plant::Plant>("plant.model");

  auto t0 = std::chrono::steady_clock::now();
  std::clock_t c0 = std::clock();
  sc_core::sc_start(sc_core::sc_time(24 * 3600.0, sc_core::SC_SEC));
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double cpu = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
  double steps = static_cast<double>(plant->steps());
  std::printf("plant.realtime_factor %.0f x\n", 86400.0 / wall);
  std::printf("plant.realtime_factor_cpu %.0f x\n", 86400.0 / cpu);
  std::printf("plant.day_wall %.3f s\n", wall);
  std::printf("plant.step_cost %.0f ns\n", wall / steps * 1e9);
  std::printf("plant.signal_changes %llu count\n", static_cast<unsigned long long>(site.registry().total_changes()));
  std::fprintf(stderr, "energy import %.1f kWh export %.1f kWh\n",
               site.registry().at("site.energy.import").value() / 1e3,
               site.registry().at("site.energy.export").value() / 1e3);
  fs::remove(csv);
  return 0;
}
