// Runs the built `lmsim` as a child process (fork + exec, stdout to /dev/null) and reads its
// result.json: the CLI benchmarks measure a user's run, including its own CPU time and peak RSS.
#pragma once
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace bench {

struct ChildRun {
  bool ok = false;  // exited with 0 (pass) or 1 (an assertion failed) and wrote a readable result
  int status = 0;   // wait status
  double wall = 0, cpu = 0, rss_mb = 0;
  nlohmann::json result;
};

// args[0] is the executable. `max_exit`: the highest exit code still counted as a run (1 lets a
// failed assertion through, so its verdict can be reported; 0 demands a pass).
inline ChildRun run_child(std::vector<std::string> args, const std::string& result_path, int max_exit = 1) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  ChildRun r;
  auto t0 = std::chrono::steady_clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    if (!std::freopen("/dev/null", "w", stdout)) _exit(126);
    execv(argv[0], argv.data());
    _exit(127);
  }
  struct rusage ru {};
  if (pid < 0 || wait4(pid, &r.status, 0, &ru) != pid) return r;
  r.wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.cpu = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
          static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  r.rss_mb = static_cast<double>(ru.ru_maxrss) / 1024.0;  // Linux: kilobytes
  if (!WIFEXITED(r.status) || WEXITSTATUS(r.status) > max_exit) {
    std::fprintf(stderr, "bench: %s exited with status %d\n", args.size() > 2 ? args[2].c_str() : args[0].c_str(),
                 r.status);
    return r;
  }
  std::ifstream in(result_path);
  r.result = nlohmann::json::parse(in, nullptr, false);
  r.ok = !r.result.is_discarded();
  return r;
}

}  // namespace bench
