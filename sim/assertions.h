// Scenario assertions, evaluated at the exact simulated time of every change of the signals
// they read (glitch-free: once per timestamp, after all changes of that timestamp):
//   always: COND            [from: T] [until: T]
//   never: COND             [from: T] [until: T]
//   eventually: COND  within: T          (from the start, or from `from:`)
//   after: TRIGGER  within: T  holds: COND
//       every time TRIGGER becomes true, COND must be true no later than T afterwards and
//       stay true for as long as TRIGGER stays true.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <systemc>

#include "sim/expr.h"
#include "sim/ynode.h"

namespace lmsim {

struct AssertionResult {
  std::string name;    // `name:` or the condition text
  std::string kind;    // always, never, eventually, after
  std::string origin;  // file:line of the assertion
  bool passed = true;
  // False when the run ended before the assertion's window could decide it (an `eventually`
  // whose window starts after the end, or whose deadline does in a run cut short by --until).
  // Such an assertion neither passed nor failed: "not evaluated", JUnit "skipped".
  bool evaluated = true;
  bool failed_at_set = false;
  Time fail_time = 0;
  std::string message;  // time, values, origin
  std::uint64_t evaluations = 0;
};

class Assertion;

class AssertionEngine : public sc_core::sc_module {
 public:
  AssertionEngine(sc_core::sc_module_name n, Registry& reg);
  ~AssertionEngine() override;
  // How `from:`/`until:` are read (the timeline's grammar, which knows the start's clock time).
  void set_time_parser(std::function<Time(const YNode&)> p) { time_parser_ = std::move(p); }
  // Scenario parameters usable as constants in conditions ("<= 0.95 * site.main_fuse.rating").
  void set_constants(Expr::Constants c) { consts_ = std::move(c); }
  // Parses one entry of `assert:`; throws InputError with file:line.
  void add(const YNode& entry);
  // Adds an implicit `never` (e.g. an unexpected main fuse trip).
  void add_never(const std::string& cond, const std::string& name, const std::string& origin);
  // Call at time 0 after elaboration (initial evaluation) and at the end of the run.
  void start();
  // `complete`: the run reached the scenario's duration. An `eventually` still open at the end
  // of a complete run failed; at the end of a run cut short (--until, interrupt) it is "not
  // evaluated", as is any assertion whose window starts after the end.
  void finish(Time end, bool complete = true);
  std::vector<AssertionResult> results() const;
  bool any_failed() const;
  std::size_t size() const { return items_.size(); }
  // Stop the simulation at the first failure (fail-fast).
  void set_stop_on_fail(bool b) { stop_on_fail_ = b; }

  // Deadlines (eventually/after) are kept here and checked by a timed SystemC method.
  void add_deadline(Time t, Assertion* a, std::uint64_t token);
  void failed(Assertion* a);

 private:
  void on_deadline();
  void run_deadlines_before(Time t);
  void arm();

  Registry& reg_;
  std::vector<std::unique_ptr<Assertion>> items_;
  std::multimap<Time, std::pair<Assertion*, std::uint64_t>> deadlines_;
  sc_core::sc_event deadline_ev_;
  Time armed_ = ~Time{0};
  bool stop_on_fail_ = false;
  std::function<Time(const YNode&)> time_parser_;
  Expr::Constants consts_;
};

}  // namespace lmsim
