// Stations benchmark: prints `stations.<name> VALUE UNIT` lines.
//   stations.modbus_per_s  request/response pairs per wall second through one endpoint
//                          (reads of 20 registers and FC16 setpoint writes, alternating)
//   stations.day50_s       wall seconds for 50 stations (all vendors) with EVs over 24
//                          simulated hours, no controller
#include <chrono>
#include <cstdio>
#include <string>

#include <systemc>

#include "models/evse/station_directory.h"
#include "models/models.h"
#include "sim/site.h"

int sc_main(int, char**) {
  using namespace lmsim;
  using clk = std::chrono::steady_clock;
  const char* models[] = {"abb-terra-ac",  "mennekes-amtron-ecu",  "webasto-next",
                          "webasto-unite", "weidmueller-ac-smart", "generic"};
  const char* rot[] = {"[L1, L2, L3]", "[L2, L3, L1]", "[L3, L1, L2]", "[L1]", "[L2]", "[L3]"};
  std::string y = "start: \"2026-11-25T00:00\"\nstations:\n";
  for (int i = 0; i < 50; ++i)
    y += "  - {name: s" + std::to_string(i) + ", model: " + models[i % 6] + ", phases: " + rot[(i / 6) % 6] +
         ", ip: 10.0." + std::to_string(i / 200) + "." + std::to_string(10 + i % 200) + "}\n";
  y += "evs:\n";
  for (int i = 0; i < 50; ++i) {
    // Two visits per station: a morning commuter and an evening resident, spread over the day.
    const int h1 = 6 + i % 4, h2 = 16 + i % 5;
    const std::string ph = (i % 3 == 0) ? "1" : "3";
    y += "  - {name: a" + std::to_string(i) + ", station: s" + std::to_string(i) + ", arrive: \"0" +
         std::to_string(h1) + ":" + std::to_string(10 + i % 40) + "\", depart: \"" + std::to_string(h1 + 8) +
         ":00\", battery: " + std::to_string(40 + i % 5 * 10) + "kWh, soc: " + std::to_string(10 + i % 50) +
         "%, phases: " + ph + ", max_current: " + (i % 2 ? "16A" : "32A") + "}\n";
    y += "  - {name: b" + std::to_string(i) + ", station: s" + std::to_string(i) + ", arrive: \"" + std::to_string(h2) +
         ":" + std::to_string(10 + i % 45) +
         "\", depart: \"23:50\", battery: 77kWh, soc: " + std::to_string(20 + i % 60) + "%, phases: " + ph +
         ", max_current: 16A, compliant: " + (i % 17 == 0 ? "false" : "true") + "}\n";
  }
  YNode root = YNode::load_string(y, "bench-stations.yaml");
  Site site(root, "bench-stations.yaml", 1);
  evse::build(site, root);
  auto* dir = site.service<evse::StationDirectory>("stations");

  // 1. Endpoint throughput on a booted ABB station.
  sc_core::sc_start(sc_core::sc_time(61, sc_core::SC_SEC));
  evse::ModbusEndpoint& ep = *dir->endpoint("s0");
  const Time t = sc_core::sc_time_stamp().value();
  const std::uint8_t rd[] = {0, 1, 0, 0, 0, 6, 1, 3, 0x40, 0x0C, 0, 20};
  std::uint8_t wr[] = {0, 2, 0, 0, 0, 11, 1, 16, 0x41, 0x00, 0, 2, 4, 0, 0, 0x3E, 0x80};
  long n = 0, bad = 0;
  const auto t0 = clk::now();
  double el = 0;
  while (el < 1.0) {
    for (int k = 0; k < 1000; ++k) {
      wr[16] = static_cast<std::uint8_t>(k);
      auto r = (k & 1) ? ep.handle(wr, sizeof wr, t) : ep.handle(rd, sizeof rd, t);
      if (r.size() < 9 || (r[7] & 0x80)) ++bad;
      ++n;
    }
    el = std::chrono::duration<double>(clk::now() - t0).count();
  }
  if (bad) std::fprintf(stderr, "bench_stations: %ld bad replies\n", bad);
  std::printf("stations.modbus_per_s %.0f 1/s\n", static_cast<double>(n) / el);

  // 2. A day of 50 stations with EVs.
  const auto d0 = clk::now();
  sc_core::sc_start(sc_core::sc_time(24 * 3600 - 61, sc_core::SC_SEC));
  const double day = std::chrono::duration<double>(clk::now() - d0).count();
  double wh = 0;
  for (int i = 0; i < 50; ++i) wh += site.registry().at("station.s" + std::to_string(i) + ".energy").value();
  std::printf("stations.day50_s %.3f s\n", day);
  std::printf("stations.day50_energy %.1f kWh\n", wh / 1000.0);
  return bad ? 1 : 0;
}
