// One simulation run: load a scenario, elaborate the site with its timeline, stimuli,
// assertions and traces, advance time, and produce the verdict and reports. The CLI, the
// Python host process and `lmsim test` all run scenarios through this class.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/assertions.h"
#include "sim/kpis.h"
#include "sim/site.h"
#include "sim/timeline.h"
#include "sim/trace.h"

namespace lmsim {

// Exit codes of `lmsim run` and the meaning of a verdict.
// An output that could not be written (full disk) is verdict "error" with exit 4, like an
// internal error: the run's results are not all where they were asked for.
enum ExitCode {
  kPass = 0,
  kAssertFailed = 1,
  kInputError = 2,
  kFirmwareFault = 3,
  kInternalError = 4,
  kOutputError = 4,
  kWallTimeout = 124,  // --wall-timeout, as GNU timeout(1)
};
// An interrupted run (SIGINT/SIGTERM) exits with 128 + the signal number, as shells expect.

// Ctrl-C and SIGTERM end a `lmsim run` at the current simulated time and still write its
// outputs (a second Ctrl-C kills). The handlers only set a flag that the run loop reads.
void install_interrupt_handlers();
int interrupt_signal();  // 0 when not interrupted

constexpr std::uint64_t kDefaultTraceLimit = 4'000'000'000;  // 4 GB

struct SessionOptions {
  std::string scenario_path;                                   // file; or an origin name when text is given
  std::optional<std::string> scenario_text;                    // YAML text instead of reading the file
  std::optional<std::uint64_t> seed;                           // overrides the scenario's seed
  std::vector<std::pair<std::string, std::string>> overrides;  // --set name=value
  std::string trace_path;                                      // .vcd or .csv
  std::vector<std::string> trace_globs;                        // default: all signals
  std::uint64_t trace_limit = kDefaultTraceLimit;              // bytes; tracing stops there
  std::string report_path;                                     // self-contained HTML report
  bool realtime = false;
  bool expose = false;  // with realtime: loopback listeners for the device and the stations
  bool echo_log = false;
  bool stop_on_fail = false;
  int gdb_port = -1;  // >= 0: wait for gdb-multiarch on 127.0.0.1 (0 = any free port)
  // Elaborate the site only (`lmsim signals`): errors in the rest of the scenario do not throw
  // but are listed in Session::input_errors(). Such a session cannot run.
  bool signals_only = false;
};

class Session {
 public:
  // Loads and elaborates; throws InputError (exit 2) on any problem with the inputs.
  explicit Session(SessionOptions opt);
  ~Session();

  Site& site() { return *site_; }
  const Site& site() const { return *site_; }
  Registry& registry() { return site_->registry(); }
  const std::string& name() const { return name_; }
  Time duration() const { return duration_; }
  Time now() const;
  std::uint64_t seed() const { return seed_; }

  // Advances to absolute time t (no-op if already there). Returns false if the run has
  // stopped for good (fault).
  bool run_until(Time t);
  // Runs until `cond` holds (checked at every change of what it reads) or `timeout` passes.
  // Returns true if the condition became true.
  bool run_until_condition(const std::string& cond, Time timeout);
  bool stopped() const;

  // Records these signals in memory from now on (Python traces).
  void record(const std::string& glob);
  const Recorder& recorder() const { return recorder_; }

  // Ends the run at the current time: final assertion checks, traces closed. Idempotent.
  void finish();
  bool finished() const { return finished_; }
  void set_interrupted(int signo) { interrupted_ = signo; }
  void set_wall_timeout(double seconds) { wall_timeout_s_ = seconds; }
  int exit_code() const;
  nlohmann::json result_json() const;
  // Each writes its file under a temporary name and renames it; a failure is recorded (verdict
  // "error", exit 4, listed in result_json()["output_errors"]) and returned as false.
  bool write_result(const std::string& path);
  bool write_junit(const std::string& path);
  bool write_report(const std::string& path);
  // A trace write has failed: the run should stop, its verdict is "error".
  bool output_failed() const { return !output_errors_.empty() || (trace_ && trace_->failed()); }
  const std::vector<std::string>& output_errors() const { return output_errors_; }
  double wall_seconds() const { return wall_s_; }
  double realtime_max_lag_s() const;
  const std::vector<AssertionResult>& assertion_results() const { return results_; }
  // Errors found while loading (only non-empty for a signals_only session).
  const std::vector<std::string>& input_errors() const { return input_errors_; }

 private:
  void load();
  void advance(Time t);
  std::vector<std::string> input_errors_;
  std::unique_ptr<Site> site_;
  AssertionEngine* asserts_ = nullptr;
  Timeline* timeline_ = nullptr;
  class Pacer* pacer_ = nullptr;
  std::unique_ptr<TraceWriter> trace_;
  Recorder recorder_;
  Recorder report_rec_;  // the key figures, recorded for the HTML report
  Stats stats_;
  std::unique_ptr<LoadKpis> kpis_;  // sites with a main fuse
  SessionOptions opt_;
  std::string name_, scenario_text_, file_;
  std::uint64_t seed_ = 1;
  Time duration_ = 0;
  bool started_ = false, finished_ = false;
  int interrupted_ = 0;                     // signal that ended the run early
  double wall_timeout_s_ = 0;               // > 0: the run was ended by --wall-timeout
  std::vector<std::string> output_errors_;  // "PATH: cannot write WHAT: REASON"
  nlohmann::json trace_info_;
  std::string expected_verdict_ = "pass";  // `expect: {verdict: fail}` for negative scenarios
  double wall_s_ = 0;
  std::vector<AssertionResult> results_;
};

// Runs one scenario to its end in this process, writing what the options ask for.
// Returns the exit code. Used by `lmsim run` and by `lmsim test` children.
struct RunRequest {
  SessionOptions session;
  std::optional<Time> until;
  std::string junit_path, result_path;
  bool progress = false;
  bool quiet = false;
  double wall_timeout_s = 0;  // > 0: end the run after this much wall-clock time
};
int run_scenario(const RunRequest& req, nlohmann::json* result_out = nullptr);

// Throws InputError unless `path` (a file written after a run) can be written: checked before
// the run, so that an hour of simulation is not lost to a typo. Empty path: nothing to check.
void check_writable(const std::string& path, const char* what);

// A JUnit XML document for several scenario results (lmsim test).
std::string junit_xml(const std::vector<nlohmann::json>& results, const std::string& suite_name);

std::string sha256_hex(const std::string& data);
std::string sha256_file(const std::string& path);

}  // namespace lmsim
