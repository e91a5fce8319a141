// bench/run site: the controller firmware managing a site, end to end through the CLI.
//   site.day2_s       wall seconds for 24 simulated hours of lmc.elf + 2 stations + 2 EVs +
//                     building + PV (bench/site-day2.yaml; goal <= 43 s, i.e. >= 2,000x)
//   site.day50_x      simulated/wall speed for 24 h with 50 stations and EVs
//                     (bench/site-day50.yaml; goal >= 300x)
// Each is followed by its CPU figure (`..._cpu_s`, `..._cpu_x`): the machine may be loaded.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace {

struct Run {
  double wall = 0, cpu = 0;
  std::string verdict = "?";
};

bool run_lmsim(const std::string& scenario, const std::string& result, Run* r) {
  std::vector<std::string> args = {LMSIM_BIN, "run", scenario, "--result", result};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  auto t0 = std::chrono::steady_clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    std::freopen("/dev/null", "w", stdout);
    execv(argv[0], argv.data());
    _exit(127);
  }
  int st = 0;
  struct rusage ru {};
  wait4(pid, &st, 0, &ru);
  r->cpu = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  r->wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!WIFEXITED(st) || WEXITSTATUS(st) > 1) {
    std::fprintf(stderr, "bench_site: %s exited with status %d\n", scenario.c_str(), st);
    return false;
  }
  std::ifstream in(result);
  auto j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded()) return false;
  r->verdict = j.value("verdict", std::string("?"));
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
