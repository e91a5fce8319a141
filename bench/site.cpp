// bench/run site: the controller firmware managing a site, end to end through the CLI.
//   site.day2_s       wall seconds for 24 simulated hours of lmc.elf + 2 stations + 2 EVs +
//                     building + PV (bench/site-day2.yaml; goal <= 43 s, i.e. >= 2,000x)
//   site.day50_x      simulated/wall speed for 24 h with 50 stations and EVs
//                     (bench/site-day50.yaml; goal >= 300x)
// Each is followed by its CPU figure (`..._cpu_s`, `..._cpu_x`): the machine may be loaded.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lmsim_child.h"

namespace {

struct Run {
  double wall = 0, cpu = 0;
  std::string verdict = "?";
};

bool run_lmsim(const std::string& scenario, const std::string& result, Run* r) {
  bench::ChildRun c = bench::run_child({LMSIM_BIN, "run", scenario, "--result", result}, result);
  r->wall = c.wall;
  r->cpu = c.cpu;
  if (!c.ok) return false;
  r->verdict = c.result.value("verdict", std::string("?"));
  return true;
}

}  // namespace

int main() {
  namespace fs = std::filesystem;
  fs::path tmp = fs::temp_directory_path() / ("lmsim-bench-site-" + std::to_string(getpid()));
  fs::create_directories(tmp);
  const std::string src = LMSIM_SOURCE_DIR;
  const double day_s = 24 * 3600.0;
  int status = 0;
  Run d2, d50;
  if (run_lmsim(src + "/bench/site-day2.yaml", (tmp / "day2.json").string(), &d2)) {
    if (d2.verdict != "pass") std::fprintf(stderr, "bench_site: site-day2 did not pass (%s)\n", d2.verdict.c_str());
    std::printf("site.day2_s %.2f s\n", d2.wall);
    std::printf("site.day2_cpu_s %.2f s\n", d2.cpu);
  } else {
    status = 1;
  }
  if (run_lmsim(src + "/bench/site-day50.yaml", (tmp / "day50.json").string(), &d50)) {
    if (d50.verdict != "pass") std::fprintf(stderr, "bench_site: site-day50 did not pass (%s)\n", d50.verdict.c_str());
    std::printf("site.day50_x %.0f x\n", day_s / d50.wall);
    std::printf("site.day50_cpu_x %.0f x\n", day_s / d50.cpu);
  } else {
    status = 1;
  }
  fs::remove_all(tmp);
  return status;
}
