// The signal registry: every observable signal and every settable knob of a site, under one
// hierarchical name, typed and with a unit. Models publish here; probes, traces, assertions,
// the timeline, the CLI and Python read and write only through it.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sim/units.h"

namespace lmsim {

enum class SignalType : std::uint8_t { Number, Bool, Enum, String, Stream };
const char* to_string(SignalType t);

class Signal;
class Registry;

// Called synchronously on every change (traces, recorders).
class ChangeListener {
 public:
  virtual ~ChangeListener() = default;
  virtual void on_change(const Signal& s, Time t) = 0;
};

// Called once after all changes of one timestamp are applied (assertions): glitch-free
// evaluation at the exact time of the change.
class SettledListener {
 public:
  virtual ~SettledListener() = default;
  virtual void on_settled(Time t) = 0;
  bool queued_ = false;  // owned by Registry
};

// Error for bad names, types, units or values coming from outside (scenario, CLI, Python).
struct SignalError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Signal {
 public:
  const std::string& name() const { return name_; }
  SignalType type() const { return type_; }
  const std::string& unit() const { return unit_; }
  const std::vector<std::string>& states() const { return states_; }
  const std::string& description() const { return desc_; }
  bool is_knob() const { return knob_; }

  // Number, bool (0/1) and enum (state index) values.
  double value() const { return value_; }
  bool as_bool() const { return value_ != 0; }
  // String value, or the whole content of a stream.
  const std::string& text() const { return text_; }
  Time last_change() const { return last_change_; }
  std::uint64_t change_count() const { return changes_; }
  // Renders the value for humans and CSV ("16.000 A" style is left to callers): number as %.9g,
  // bool as true/false, enum as its state name.
  std::string render() const;
  // Index of a state name for enum signals, -1 if unknown.
  int state_index(std::string_view state) const;

  // --- publisher side (models); fast path -----------------------------------------------
  void set(double v);          // at the registry's current time
  void set(double v, Time t);  // at an explicit time (temporal decoupling)
  void set_state(std::string_view state);
  void set_text(std::string s, Time t);
  void set_text(std::string s);
  void append(std::string_view bytes, Time t);  // streams
  void append(std::string_view bytes);

  void add_listener(ChangeListener* l) { listeners_.push_back(l); }
  void remove_listener(ChangeListener* l);
  void add_settled(SettledListener* l) { settled_.push_back(l); }
  void remove_settled(SettledListener* l);

  // Knobs: the owning model reacts to writes from outside here (after the value changed).
  std::function<void(Signal&)> on_write;

  Signal& describe(std::string d) {
    desc_ = std::move(d);
    return *this;
  }
  Signal& as_knob() {
    knob_ = true;
    return *this;
  }

 private:
  friend class Registry;
  void changed(Time t);

  Registry* reg_ = nullptr;
  std::string name_;
  SignalType type_ = SignalType::Number;
  bool knob_ = false;
  std::string unit_;
  std::vector<std::string> states_;
  std::string desc_;
  double value_ = 0;
  std::string text_;
  Time last_change_ = 0;
  std::uint64_t changes_ = 0;
  std::vector<ChangeListener*> listeners_;
  std::vector<SettledListener*> settled_;
};

class Registry {
 public:
  Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Publishing. Names are dot-separated [A-Za-z0-9_-] segments; duplicates are an error.
  Signal& add_number(std::string name, std::string unit, double initial = 0);
  Signal& add_bool(std::string name, bool initial = false);
  Signal& add_enum(std::string name, std::vector<std::string> states, int initial = 0);
  Signal& add_string(std::string name, std::string initial = {});
  Signal& add_stream(std::string name);

  Signal* find(std::string_view name) const;
  Signal& at(std::string_view name) const;  // throws SignalError naming close matches
  std::vector<Signal*> all() const;         // sorted by name
  // Shell-style glob with '*' (within a segment), '**' (across segments) and '?'.
  std::vector<Signal*> glob(std::string_view pattern) const;
  static bool glob_match(std::string_view pattern, std::string_view name);

  // Writes from outside: type and unit checked; only knobs accept writes.
  // `text` is as in a scenario: "16A", "true", "blocked", "hello".
  void write(std::string_view name, std::string_view text);
  // Checks a write without applying it (scenario validation); throws SignalError.
  void check_write(std::string_view name, std::string_view text) const;
  void write_value(std::string_view name, double v);  // numbers/bools/enum index, already in base unit
  void write_quantity(std::string_view name, double v, std::string_view unit);

  // Time. The clock defaults to SystemC's sc_time_stamp(); models that run ahead of it
  // (the CPU inside a quantum) pass explicit times. Published times never go backwards:
  // a time earlier than the last change is clamped to it.
  Time now() const { return clock_(); }
  void set_clock(std::function<Time()> c) { clock_ = std::move(c); }
  Time last_time() const { return last_time_; }

  // Evaluates queued settled listeners. Called automatically when time advances past the
  // queued time; call explicitly before reading results (end of run, Python reads).
  void settle();
  std::uint64_t total_changes() const { return total_changes_; }
  // Called (after settling) whenever a change moves time forward, before the change applies:
  // lets timed checks that fall between two changes see the values that held then.
  void set_advance_hook(std::function<void(Time)> h) { advance_hook_ = std::move(h); }

 private:
  friend class Signal;
  Signal& add(std::string name, SignalType type);
  void before_change(Time& t) {
    if (t < last_time_) t = last_time_;
    if (!queue_.empty() && t != queue_time_) settle();
    if (t > last_time_ && advance_hook_) advance_hook_(t);
    last_time_ = t;
  }
  void enqueue(SettledListener* l, Time t) {
    if (l->queued_) return;
    l->queued_ = true;
    queue_time_ = t;
    queue_.push_back(l);
  }

  std::unordered_map<std::string, std::unique_ptr<Signal>> by_name_;
  std::function<Time()> clock_;
  std::function<void(Time)> advance_hook_;
  Time last_time_ = 0;
  Time queue_time_ = 0;
  std::vector<SettledListener*> queue_;
  std::uint64_t total_changes_ = 0;
};

inline void Signal::changed(Time t) {
  last_change_ = t;
  ++changes_;
  ++reg_->total_changes_;
  for (auto* l : listeners_) l->on_change(*this, t);
  for (auto* l : settled_) reg_->enqueue(l, t);
}

inline void Signal::set(double v, Time t) {
  if (v == value_) return;
  reg_->before_change(t);
  value_ = v;
  changed(t);
}

inline void Signal::set(double v) {
  set(v, reg_->now());
}

}  // namespace lmsim
