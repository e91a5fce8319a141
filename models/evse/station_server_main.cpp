// lmsim-station-server: serves the stations of a scenario on 127.0.0.1 in real time so that
// external Modbus clients (mbpoll, pymodbus) can drive them. Used by the smoke tests. Builds
// only the stations/EVs area (keys other than stations:/evs: are ignored).
//   lmsim-station-server SCENARIO.yaml [--port BASE] [--duration SECONDS] [--seed N]
// Port BASE+i serves the i-th station (BASE 0: free ports). Prints one line per station:
//   "listening <name> 127.0.0.1:<port>"
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>

#include "models/evse/modbus_tcp_server.h"
#include "models/evse/station_directory.h"
#include "models/models.h"
#include "sim/site.h"

namespace {
volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) {
  g_stop = 1;
}
}  // namespace

int sc_main(int argc, char** argv) {
  using namespace lmsim;
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s SCENARIO.yaml [--port BASE] [--duration SECONDS] [--seed N]\n", argv[0]);
    return 2;
  }
  int base = 0;
  double duration = -1;
  std::uint64_t seed = 1;
  // Strict values: a flag without a value or with junk is a usage error, not 0 (atoi).
  auto number = [](const char* flag, const char* v, double lo, double hi, double& out) {
    char* end = nullptr;
    out = std::strtod(v, &end);
    if (end == v || *end || !(out >= lo && out <= hi)) {
      std::fprintf(stderr, "%s expects a number %g..%g, got '%s'\n", flag, lo, hi, v);
      return false;
    }
    return true;
  };
  for (int i = 2; i < argc; i += 2) {
    if (i + 1 >= argc) {
      std::fprintf(stderr, "%s needs a value\n", argv[i]);
      return 2;
    }
    double v = 0;
    if (!std::strcmp(argv[i], "--port")) {
      if (!number("--port", argv[i + 1], 0, 65535, v)) return 2;
      base = static_cast<int>(v);
    } else if (!std::strcmp(argv[i], "--duration")) {
      if (!number("--duration", argv[i + 1], 0, 8640000, v)) return 2;
      duration = v;
    } else if (!std::strcmp(argv[i], "--seed")) {
      if (!number("--seed", argv[i + 1], 0, 9e15, v)) return 2;
      seed = static_cast<std::uint64_t>(v);
    } else {
      std::fprintf(stderr, "unknown option %s\n", argv[i]);
      return 2;
    }
  }
  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  std::unique_ptr<Site> site;
  try {
    // Only the stations area: the smoke tests need no plant, device or network.
    YNode root = YNode::load_file(argv[1]);
    site = std::make_unique<Site>(root, argv[1], seed);
    evse::build(*site, root);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
  auto* dir = site->service<evse::StationDirectory>("stations");
  if (!dir || dir->size() == 0) {
    std::fprintf(stderr, "error: the scenario has no stations\n");
    return 2;
  }
  auto clock = [] { return static_cast<Time>(sc_core::sc_time_stamp().value()); };
  std::vector<std::unique_ptr<evse::ModbusTcpServer>> servers;
  int i = 0;
  for (const auto& n : dir->names()) {
    try {
      servers.push_back(std::make_unique<evse::ModbusTcpServer>(*dir->endpoint(n), base ? base + i : 0, clock));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "error: %s\n", e.what());
      return 1;
    }
    std::printf("listening %s 127.0.0.1:%d\n", n.c_str(), servers.back()->port());
    ++i;
  }
  std::fflush(stdout);
  site->run_start_hooks();
  // Real time: simulated time follows the wall clock (the only place this program reads it).
  const auto t0 = std::chrono::steady_clock::now();
  Time sim = 0;
  while (!g_stop) {
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (duration >= 0 && wall >= duration) break;
    const Time target = seconds_to_time(wall);
    if (target > sim) {
      sc_core::sc_start(sc_core::sc_time::from_value(target - sim));
      sim = target;
    }
    int served = 0;
    for (auto& s : servers) served += s->service();
    if (!served) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return 0;
}
