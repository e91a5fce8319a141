// lmsim: run scenarios, test folders of scenarios, list signals.
//   lmsim run SCENARIO [--until T] [--seed N] [--set name=value]... [--trace F.vcd|F.csv
//             --signals GLOB... --trace-limit SIZE] [--junit F] [--result F] [--realtime] [--log]
//             [--wall-timeout T]
//   lmsim test DIR [-j N] [-k TEXT]... [--junit F] [--wall-timeout T]
//   lmsim signals SCENARIO
// Exit codes: 0 pass, 1 assertion failed, 2 usage or input error, 3 firmware fault, 4 internal
// error or an output that could not be written, 124 wall timeout, 128+N signal N.
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "sim/output_file.h"
#include "sim/session.h"

namespace po = boost::program_options;
using namespace lmsim;

namespace {

const char* kUsage =
    "usage: lmsim <command> [options]\n"
    "commands:\n"
    "  run SCENARIO      run one scenario (see 'lmsim run --help')\n"
    "  test DIR          run every scenario in a folder, one JUnit file\n"
    "  signals SCENARIO  list the signals and knobs of a scenario's site\n"
    "options: --help, --version\n"
    "exit codes: 0 pass, 1 assertion failed, 2 usage or input error, 3 firmware fault,\n"
    "            4 internal error or an output file that could not be written (verdict: error),\n"
    "            124 --wall-timeout reached, 130/143 interrupted by SIGINT/SIGTERM\n"
    "            (when interrupted or timed out, outputs are written for the time simulated)\n";

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::vector<std::pair<std::string, std::string>> parse_sets(const std::vector<std::string>& sets) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& s : sets) {
    auto eq = s.find('=');
    if (eq == std::string::npos || eq == 0) throw UsageError("--set expects name=value, got '" + s + "'");
    out.emplace_back(s.substr(0, eq), s.substr(eq + 1));
  }
  return out;
}

double parse_wall_timeout(const std::string& v) {
  if (v.empty()) return 0;
  auto t = parse_duration(v);
  if (!t || *t == 0) throw UsageError("--wall-timeout expects a duration such as 90s, 10min or 2h, got '" + v + "'");
  return time_to_seconds(*t);
}

Time parse_time_arg(const std::string& flag, const std::string& v) {
  auto t = parse_duration(v);
  if (!t) throw UsageError(flag + " expects a duration of at most 100 days such as 90s, 8h or 250ms, got '" + v + "'");
  return *t;
}

// Parses a subcommand's options with one positional argument; false after printing --help.
bool parse_args(const std::vector<std::string>& args, const po::options_description& opts, const char* positional,
                po::variables_map& vm) {
  po::positional_options_description pos;
  pos.add(positional, 1);
  po::store(po::command_line_parser(args).options(opts).positional(pos).run(), vm);
  po::notify(vm);
  if (!vm.count("help")) return true;
  std::cout << opts << "\n";
  return false;
}

int cmd_run(const std::vector<std::string>& args) {
  po::options_description opts("lmsim run SCENARIO [options]");
  std::vector<std::string> sets, signals;
  std::string until, trace, junit, result, report, trace_limit, wall_timeout;
  long long seed = -1;
  int gdb = -1;
  opts.add_options()("help,h", "this help")("until", po::value(&until),
                                            "simulated time to stop at (default: the scenario's duration)")(
      "seed", po::value(&seed), "random seed (default: the scenario's)")(
      "set", po::value(&sets)->composing(), "name=value: a scenario key (site.main_fuse.rating=40A) or a knob at t=0")(
      "trace", po::value(&trace), "write a trace: FILE.vcd or FILE.csv")(
      "signals", po::value(&signals)->composing()->multitoken(),
      "signals to trace (default all): globs where '*' matches within one level of the name "
      "(site.fuse.* is site.fuse.tripped, not site.fuse.L1.current), '**' across levels "
      "(site.fuse.**) and '?' one character")(
      "trace-limit", po::value(&trace_limit),
      "trace size budget, e.g. 500MB or 2GiB (default 4GB); tracing stops cleanly there, the run goes on")(
      "wall-timeout", po::value(&wall_timeout),
      "end the run after this much wall-clock time (e.g. 10min); outputs are written, exit 124")(
      "junit", po::value(&junit), "write a JUnit XML file")("result", po::value(&result), "write result.json")(
      "report", po::value(&report), "write a self-contained HTML report (plots of the figures)")(
      "realtime", "simulated time follows the wall clock (HIL)")(
      "expose", "with --realtime: stations listen for Modbus on 127.0.0.1 (ports printed at start)")(
      "log", "echo the run log to stderr")("fail-fast", "stop at the first failed assertion")(
      "gdb", po::value(&gdb), "wait for gdb-multiarch on 127.0.0.1:PORT")("scenario", po::value<std::string>(),
                                                                          "scenario file");
  po::variables_map vm;
  if (!parse_args(args, opts, "scenario", vm)) return 0;
  if (!vm.count("scenario")) throw UsageError("lmsim run: missing SCENARIO");
  if (!signals.empty() && trace.empty()) throw UsageError("--signals needs --trace FILE");
  if (seed < -1) throw UsageError("--seed must be >= 0");
  RunRequest req;
  req.session.scenario_path = vm["scenario"].as<std::string>();
  if (seed >= 0) req.session.seed = static_cast<std::uint64_t>(seed);
  req.session.overrides = parse_sets(sets);
  req.session.trace_path = trace;
  req.session.trace_globs = signals;
  if (!trace_limit.empty()) {
    if (trace.empty()) throw UsageError("--trace-limit needs --trace FILE");
    auto n = parse_byte_size(trace_limit);
    if (!n || *n == 0)
      throw UsageError("--trace-limit expects a size such as 500MB, 2GB or 64KiB, got '" + trace_limit + "'");
    req.session.trace_limit = *n;
  }
  req.wall_timeout_s = parse_wall_timeout(wall_timeout);
  req.session.realtime = vm.count("realtime") > 0;
  req.session.expose = vm.count("expose") > 0;
  if (req.session.expose && !req.session.realtime) throw UsageError("--expose needs --realtime");
  req.session.echo_log = vm.count("log") > 0;
  req.session.stop_on_fail = vm.count("fail-fast") > 0;
  if (vm.count("gdb") && (gdb < 0 || gdb > 65535)) throw UsageError("--gdb expects a port 0..65535");
  if (vm.count("gdb")) req.session.gdb_port = gdb;
  if (!until.empty()) req.until = parse_time_arg("--until", until);
  req.junit_path = junit;
  req.result_path = result;
  req.session.report_path = report;
  req.progress = isatty(STDERR_FILENO) && !req.session.echo_log;
  install_interrupt_handlers();
  return run_scenario(req);
}

int cmd_signals(const std::vector<std::string>& args) {
  if (args.size() != 1 || args[0] == "--help") {
    std::cout << "lmsim signals SCENARIO: list every signal and knob with type and unit\n";
    if (args.size() == 1) return 0;
    // A usage error says so on stderr, like every other exit 2.
    std::cerr << "lmsim: error: signals takes exactly one SCENARIO argument (got " << args.size() << ")\n";
    return 2;
  }
  SessionOptions o;
  o.scenario_path = args[0];
  o.signals_only = true;  // lists the site even when assertions or the timeline have errors
  Session s(o);
  for (auto* sig : s.registry().all()) {
    std::string type = to_string(sig->type());
    if (sig->type() == SignalType::Enum) {
      type += "{";
      for (std::size_t i = 0; i < sig->states().size(); ++i) type += (i ? "," : "") + sig->states()[i];
      type += "}";
    }
    std::printf("%-44s %-5s %-8s %-4s %s\n", sig->name().c_str(), sig->is_knob() ? "knob" : "sig", type.c_str(),
                sig->unit().c_str(), sig->description().c_str());
  }
  if (s.input_errors().empty()) return 0;
  std::cout.flush();
  std::cerr << "lmsim: the scenario has errors (its site's signals are listed above):\n";
  for (const auto& e : s.input_errors()) std::cerr << "lmsim: error: " << e << "\n";
  return kInputError;
}

// Every scenario in DIR (recursively), each in its own child process (SystemC elaborates once
// per process). Files whose name starts with '_' are include-only fragments and are skipped.
int cmd_test(const std::vector<std::string>& args) {
  po::options_description opts("lmsim test DIR [options]");
  int jobs = 1;
  std::string junit, wall_timeout;
  std::vector<std::string> filters;
  opts.add_options()("help,h", "this help")("jobs,j", po::value(&jobs), "parallel scenarios (default 1)")(
      "filter,k", po::value(&filters),
      "run only scenarios whose path (relative to DIR) contains this text; repeatable (any matches)")(
      "junit", po::value(&junit), "JUnit XML file for all scenarios (default DIR/junit.xml is not written)")(
      "wall-timeout", po::value(&wall_timeout), "wall-clock budget per scenario (e.g. 10min); exit 124 when reached")(
      "dir", po::value<std::string>(), "folder");
  po::variables_map vm;
  if (!parse_args(args, opts, "dir", vm)) return 0;
  if (!vm.count("dir")) throw UsageError("lmsim test: missing DIR");
  if (jobs < 1 || jobs > 256) throw UsageError("-j must be between 1 and 256");
  const double wall_timeout_s = parse_wall_timeout(wall_timeout);
  namespace fs = std::filesystem;
  fs::path dir = vm["dir"].as<std::string>();
  if (!fs::is_directory(dir)) throw UsageError("lmsim test: '" + dir.string() + "' is not a folder");
  std::vector<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    auto p = e.path();
    if (!e.is_regular_file() || (p.extension() != ".yaml" && p.extension() != ".yml") ||
        p.filename().string()[0] == '_')
      continue;
    const std::string rel = fs::relative(p, dir).string();
    if (!filters.empty() && std::none_of(filters.begin(), filters.end(),
                                         [&](const std::string& f) { return rel.find(f) != std::string::npos; }))
      continue;
    files.push_back(p.string());
  }
  std::sort(files.begin(), files.end());
  if (files.empty())
    throw UsageError("lmsim test: no scenario (*.yaml) in '" + dir.string() + "'" +
                     (filters.empty() ? std::string() : " matching the -k filters"));
  check_writable(junit, "JUnit file");
  fs::path tmp = fs::temp_directory_path() / ("lmsim-test-" + std::to_string(getpid()));
  fs::create_directories(tmp);
  std::map<pid_t, std::size_t> running;
  std::vector<int> codes(files.size(), 4);
  std::size_t next = 0;
  // Ctrl-C / SIGTERM: no new scenario starts, the running ones end at their current simulated
  // time and write their outputs (each child is in its own process group, so it gets the
  // signal once, from here), then the summary and the JUnit file are written as usual.
  install_interrupt_handlers();
  bool forwarded = false;
  auto reap = [&] {
    int st = 0;
    // Polled, so that a signal arriving just before a blocking wait is still forwarded at once.
    pid_t p = waitpid(-1, &st, WNOHANG);
    if (p == 0) usleep(20000);
    if (p <= 0) return;
    auto it = running.find(p);
    if (it == running.end()) return;
    codes[it->second] = WIFEXITED(st) ? WEXITSTATUS(st) : 4;
    running.erase(it);
  };
  while ((next < files.size() && !interrupt_signal()) || !running.empty()) {
    if (int sig = interrupt_signal(); sig && !forwarded) {
      forwarded = true;
      for (const auto& [pid, i] : running) kill(pid, sig);
    }
    while (next < files.size() && static_cast<int>(running.size()) < jobs && !interrupt_signal()) {
      std::size_t i = next++;
      std::cout.flush();
      pid_t p = fork();
      if (p == 0) {
        setpgid(0, 0);
        // Out of the terminal's group, so it must not outlive a parent killed outright.
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() == 1) _exit(kInternalError);
        int code = 4;
        nlohmann::json j;
        try {
          RunRequest req;
          req.session.scenario_path = files[i];
          req.quiet = true;
          req.wall_timeout_s = wall_timeout_s;
          code = run_scenario(req, &j);
        } catch (const InputError& e) {
          j = {{"scenario", files[i]}, {"error", e.what()}};
          code = 2;
        } catch (const std::exception& e) {
          j = {{"scenario", files[i]}, {"error", std::string("internal error: ") + e.what()}};
          code = 4;
        }
        j["file"] = files[i];
        try {
          write_file_atomic((tmp / (std::to_string(i) + ".json")).string(),
                            j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),  // bytes not UTF-8
                            "scenario result");
        } catch (const OutputError& e) {
          std::fprintf(stderr, "lmsim: error: %s\n", e.what());
          code = kOutputError;
        }
        std::cout.flush();
        _exit(code);
      }
      if (p < 0) throw std::runtime_error("fork failed");
      running[p] = i;
    }
    if (!running.empty()) reap();
  }
  const int sig = interrupt_signal();
  const std::string sig_name = sig == SIGINT ? "SIGINT" : "SIGTERM";
  std::vector<nlohmann::json> results;
  int worst = 0, failed = 0, interrupted = 0;
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (i >= next) {  // never started
      std::cout << "NOT RUN  " << files[i] << " (interrupted by " << sig_name << ")\n";
      results.push_back(
          {{"scenario", files[i]}, {"file", files[i]}, {"not_run", "not run: interrupted by " + sig_name}});
      ++interrupted;
      continue;
    }
    nlohmann::json j;
    std::ifstream in((tmp / (std::to_string(i) + ".json")).string());
    if (in) j = nlohmann::json::parse(in, nullptr, false);
    if (!in || !j.is_object())
      j = {{"scenario", files[i]},
           {"error",
            codes[i] == kOutputError ? "its result could not be written (see above)" : "the scenario's process died"}};
    // A scenario may expect to fail (`expect: {verdict: fail}`): it passes the suite when it does.
    std::string expected = j.value("expected_verdict", "pass");
    std::string verdict = j.value("verdict", "error");
    bool as_expected = (codes[i] <= 3) && verdict == expected && !j.contains("error");
    const char* v = as_expected                ? (expected == "pass" ? "PASS" : "XFAIL")
                    : codes[i] == 0            ? "XPASS"
                    : codes[i] == 1            ? "FAIL"
                    : codes[i] == 2            ? "ERROR"
                    : codes[i] == 3            ? "FAULT"
                    : codes[i] == kWallTimeout ? "TIMEOUT"
                    : verdict == "interrupted" ? "INTERRUPTED"
                    : verdict == "error"       ? "ERROR"
                                               : "CRASH";
    std::cout << v << "  " << files[i];
    if (j.contains("error")) {
      std::string e = j["error"].get<std::string>();
      for (std::size_t k = 0; (k = e.find('\n', k)) != std::string::npos; k += 7) e.replace(k, 1, "\n      ");
      std::cout << "\n      " << e;
    }
    if (!as_expected && j.contains("assertions"))
      for (const auto& a : j["assertions"])
        if (!a["passed"].get<bool>()) std::cout << "\n      " << a["message"].get<std::string>();
    if (!as_expected && j.contains("faults"))
      for (const auto& f : j["faults"]) std::cout << "\n      fault: " << f["message"].get<std::string>();
    std::cout << "\n";
    j["as_expected"] = as_expected;
    results.push_back(j);
    if (!as_expected && verdict == "interrupted" && codes[i] != kWallTimeout) {
      ++interrupted;
    } else if (!as_expected) {
      ++failed;
      worst = std::max(worst, codes[i] == 0 ? 1 : codes[i]);
    }
  }
  std::error_code ec;
  fs::remove_all(tmp, ec);
  std::cout << (files.size() - failed - interrupted) << " passed, " << failed << " failed";
  if (sig) std::cout << ", " << interrupted << " interrupted or not run (" << sig_name << ")";
  std::cout << "\n";
  if (sig) worst = std::max(worst, 128 + sig);
  if (!junit.empty()) {
    try {
      write_file_atomic(junit, junit_xml(results, dir.string()), "JUnit file");
    } catch (const OutputError& e) {
      std::cerr << "lmsim: error: " << e.what() << "\n";
      return kOutputError;
    }
  }
  // Any failing scenario makes the whole run fail; input errors and faults keep their code.
  return worst;
}

}  // namespace

int main(int argc, char** argv) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.empty()) {
      std::cerr << kUsage;
      return kInputError;
    }
    std::string cmd = args[0];
    std::vector<std::string> rest(args.begin() + 1, args.end());
    if (cmd == "--help" || cmd == "-h" || cmd == "help") {
      std::cout << kUsage;
      return 0;
    }
    if (cmd == "--version") {
      std::cout << "lmsim " << LMSIM_VERSION << "\n";
      return 0;
    }
    int code;
    if (cmd == "run")
      code = cmd_run(rest);
    else if (cmd == "test")
      code = cmd_test(rest);
    else if (cmd == "signals")
      code = cmd_signals(rest);
    else
      throw UsageError("unknown command '" + cmd + "'");
    // The summary on stdout is an output too (`lmsim test ... > summary.txt` on a full disk).
    if (!std::cout.flush() || std::fflush(stdout) != 0) {
      std::cerr << "lmsim: error: standard output: cannot write the summary\n";
      return kOutputError;
    }
    return code;
  } catch (const UsageError& e) {
    std::cerr << "lmsim: " << e.what() << "\n" << kUsage;
    return kInputError;
  } catch (const po::error& e) {
    std::cerr << "lmsim: " << e.what() << "\n";
    return kInputError;
  } catch (const InputError& e) {
    std::cerr << "lmsim: error: " << e.what() << "\n";
    return kInputError;
  } catch (const SignalError& e) {
    std::cerr << "lmsim: error: " << e.what() << "\n";
    return kInputError;
  } catch (const std::exception& e) {
    std::cerr << "lmsim: internal error: " << e.what() << "\n";
    return kInternalError;
  }
}
