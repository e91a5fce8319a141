#include "sim/registry.h"

#include <systemc>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace lmsim {

const char* to_string(SignalType t) {
  switch (t) {
    case SignalType::Number: return "number";
    case SignalType::Bool: return "bool";
    case SignalType::Enum: return "enum";
    case SignalType::String: return "string";
    case SignalType::Stream: return "stream";
  }
  return "?";
}

std::string Signal::render() const {
  switch (type_) {
    case SignalType::Number: {
      char buf[40];
      std::snprintf(buf, sizeof buf, "%.9g", value_);
      return buf;
    }
    case SignalType::Bool: return value_ != 0 ? "true" : "false";
    case SignalType::Enum: {
      auto i = static_cast<std::size_t>(value_);
      return i < states_.size() ? states_[i] : std::string("?");
    }
    case SignalType::String:
    case SignalType::Stream: return text_;
  }
  return {};
}

int Signal::state_index(std::string_view state) const {
  for (std::size_t i = 0; i < states_.size(); ++i)
    if (states_[i] == state) return static_cast<int>(i);
  return -1;
}

void Signal::set_state(std::string_view state) {
  int i = state_index(state);
  if (i < 0) throw SignalError("signal '" + name_ + "' has no state '" + std::string(state) + "'");
  set(i);
}

void Signal::set_text(std::string s, Time t) {
  if (s == text_) return;
  reg_->before_change(t);
  text_ = std::move(s);
  changed(t);
}
void Signal::set_text(std::string s) {
  set_text(std::move(s), reg_->now());
}

void Signal::append(std::string_view bytes, Time t) {
  if (bytes.empty()) return;
  reg_->before_change(t);
  text_.append(bytes);
  value_ = static_cast<double>(text_.size());
  changed(t);
}
void Signal::append(std::string_view bytes) {
  append(bytes, reg_->now());
}

void Signal::remove_listener(ChangeListener* l) {
  listeners_.erase(std::remove(listeners_.begin(), listeners_.end(), l), listeners_.end());
}
void Signal::remove_settled(SettledListener* l) {
  settled_.erase(std::remove(settled_.begin(), settled_.end(), l), settled_.end());
}

Registry::Registry() {
  clock_ = [] { return static_cast<Time>(sc_core::sc_time_stamp().value()); };
}

static bool valid_name(std::string_view n) {
  if (n.empty() || n.front() == '.' || n.back() == '.') return false;
  char prev = 0;
  for (char c : n) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
    if (!ok || (c == '.' && prev == '.')) return false;
    prev = c;
  }
  return true;
}

Signal& Registry::add(std::string name, SignalType type) {
  if (!valid_name(name)) throw SignalError("invalid signal name '" + name + "'");
  if (by_name_.count(name)) throw SignalError("signal '" + name + "' is published twice");
  auto s = std::make_unique<Signal>();
  s->reg_ = this;
  s->name_ = name;
  s->type_ = type;
  auto& ref = *s;
  by_name_.emplace(std::move(name), std::move(s));
  return ref;
}

Signal& Registry::add_number(std::string name, std::string unit, double initial) {
  if (!is_known_unit(unit)) throw SignalError("signal '" + name + "': unknown unit '" + unit + "'");
  auto& s = add(std::move(name), SignalType::Number);
  s.unit_ = std::move(unit);
  s.value_ = initial;
  return s;
}

Signal& Registry::add_bool(std::string name, bool initial) {
  auto& s = add(std::move(name), SignalType::Bool);
  s.value_ = initial ? 1 : 0;
  return s;
}

Signal& Registry::add_enum(std::string name, std::vector<std::string> states, int initial) {
  if (states.empty()) throw SignalError("enum signal '" + name + "' needs states");
  auto& s = add(std::move(name), SignalType::Enum);
  s.states_ = std::move(states);
  s.value_ = initial;
  return s;
}

Signal& Registry::add_string(std::string name, std::string initial) {
  auto& s = add(std::move(name), SignalType::String);
  s.text_ = std::move(initial);
  return s;
}

Signal& Registry::add_stream(std::string name) {
  return add(std::move(name), SignalType::Stream);
}

Signal* Registry::find(std::string_view name) const {
  auto it = by_name_.find(std::string(name));
  return it == by_name_.end() ? nullptr : it->second.get();
}

static std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

Signal& Registry::at(std::string_view name) const {
  if (auto* s = find(name)) return *s;
  std::string best;
  std::size_t best_d = 1000;
  for (const auto& [n, s] : by_name_) {
    auto d = edit_distance(name, n);
    if (d < best_d) best_d = d, best = n;
  }
  std::string msg = "no signal named '" + std::string(name) + "'";
  if (!best.empty() && best_d <= std::max<std::size_t>(3, name.size() / 4)) msg += " (did you mean '" + best + "'?)";
  throw SignalError(msg);
}

std::vector<Signal*> Registry::all() const {
  std::vector<Signal*> v;
  v.reserve(by_name_.size());
  for (const auto& [n, s] : by_name_) v.push_back(s.get());
  std::sort(v.begin(), v.end(), [](auto* a, auto* b) { return a->name() < b->name(); });
  return v;
}

bool Registry::glob_match(std::string_view p, std::string_view n) {
  if (p.empty()) return n.empty();
  if (p.size() >= 2 && p[0] == '*' && p[1] == '*') {
    for (std::size_t i = 0; i <= n.size(); ++i)
      if (glob_match(p.substr(2), n.substr(i))) return true;
    return false;
  }
  if (p[0] == '*') {
    for (std::size_t i = 0; i <= n.size(); ++i) {
      if (glob_match(p.substr(1), n.substr(i))) return true;
      if (i < n.size() && n[i] == '.') break;
    }
    return false;
  }
  if (n.empty()) return false;
  if (p[0] == '?' ? n[0] != '.' : p[0] == n[0]) return glob_match(p.substr(1), n.substr(1));
  return false;
}

std::vector<Signal*> Registry::glob(std::string_view pattern) const {
  std::vector<Signal*> v;
  for (auto* s : all())
    if (glob_match(pattern, s->name())) v.push_back(s);
  return v;
}

static Signal& knob(const Registry& r, std::string_view name) {
  auto& s = r.at(name);
  if (!s.is_knob()) throw SignalError("'" + s.name() + "' is a signal, not a knob: it can be read but not set");
  return s;
}

// Parses `text` for signal `s`: number in its unit, bool, enum state. Strings need no parsing.
static double parse_for(const Signal& s, std::string_view text) {
  auto bad = [&](const std::string& expected) {
    return SignalError("'" + s.name() + "' expects " + expected + ", got '" + std::string(text) + "'");
  };
  switch (s.type()) {
    case SignalType::Number: {
      auto q = parse_quantity(text);
      if (!q || q->unit != s.unit()) throw bad(describe_unit(s.unit()));
      return q->value;
    }
    case SignalType::Bool:
      if (text == "true" || text == "on" || text == "1") return 1;
      if (text == "false" || text == "off" || text == "0") return 0;
      throw bad("true or false");
    case SignalType::Enum: {
      int i = s.state_index(text);
      if (i < 0) {
        std::string states;
        for (const auto& st : s.states()) states += (states.empty() ? "" : ", ") + st;
        throw bad("one of: " + states);
      }
      return i;
    }
    case SignalType::String:
    case SignalType::Stream: return 0;
  }
  return 0;
}

void Registry::check_write(std::string_view name, std::string_view text) const {
  (void)parse_for(knob(*this, name), text);
}

void Registry::write(std::string_view name, std::string_view text) {
  auto& s = knob(*this, name);
  double v = parse_for(s, text);
  if (s.type() == SignalType::String)
    s.set_text(std::string(text));
  else if (s.type() == SignalType::Stream)
    s.append(text);
  else
    s.set(v);
  if (s.on_write) s.on_write(s);
}

void Registry::write_value(std::string_view name, double v) {
  auto& s = knob(*this, name);
  if (s.type() == SignalType::String || s.type() == SignalType::Stream)
    throw SignalError("'" + s.name() + "' is a " + to_string(s.type()) + ", not a number");
  if (!std::isfinite(v)) throw SignalError("'" + s.name() + "': value must be finite");
  if (s.type() == SignalType::Bool) v = v != 0 ? 1 : 0;
  if (s.type() == SignalType::Enum && (v < 0 || v >= static_cast<double>(s.states().size()) || v != std::floor(v)))
    throw SignalError("'" + s.name() + "': state index out of range");
  s.set(v);
  if (s.on_write) s.on_write(s);
}

void Registry::write_quantity(std::string_view name, double v, std::string_view unit) {
  auto& s = knob(*this, name);
  if (s.type() != SignalType::Number || s.unit() != unit)
    throw SignalError("'" + s.name() + "' expects " + describe_unit(s.unit()) + ", got a " + describe_unit(unit));
  write_value(name, v);
}

void Registry::settle() {
  // Listeners may enqueue again while settling only at a later time; swap to be safe.
  auto q = std::move(queue_);
  queue_.clear();
  Time t = queue_time_;
  for (auto* l : q) l->queued_ = false;
  for (auto* l : q) l->on_settled(t);
}

}  // namespace lmsim

// libsystemc.so references sc_main; lmsim has its own main() (CLI, Python module), so this
// definition only satisfies the linker and is never called. Weak: a test may define its own. Default visibility: the
// Python module loads with RTLD_NOW and pybind11 hides symbols otherwise.
__attribute__((weak, visibility("default"))) int sc_main(int, char**) {
  return 0;
}
