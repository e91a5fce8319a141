#include "sim/assertions.h"

#include <cstdio>

namespace lmsim {

namespace {
std::string secs(Time t) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.6f s", time_to_seconds(t));
  return buf;
}
constexpr Time kNever = ~Time{0};
}  // namespace

class Assertion : public SettledListener {
 public:
  enum class Kind { Always, Never, Eventually, After };

  Assertion(AssertionEngine& e, Registry& r) : eng_(e), reg_(r) {}
  ~Assertion() override { unsubscribe(); }

  void subscribe() {
    for (auto* s : cond_.reads()) s->add_settled(this);
    if (kind_ == Kind::After)
      for (auto* s : trigger_.reads()) s->add_settled(this);
  }
  void unsubscribe() {
    for (auto* s : cond_.reads()) s->remove_settled(this);
    for (auto* s : trigger_.reads()) s->remove_settled(this);
  }

  void on_settled(Time t) override { evaluate(t); }

  void evaluate(Time t) {
    if (!res_.passed) return;
    ++res_.evaluations;
    switch (kind_) {
      case Kind::Always:
        if (t >= from_ && t <= until_ && !cond_.test()) fail(t, "is false");
        break;
      case Kind::Never:
        if (t >= from_ && t <= until_ && cond_.test()) fail(t, "became true");
        break;
      case Kind::Eventually:
        if (!satisfied_ && t >= from_ && t <= from_ + within_ && cond_.test()) {
          satisfied_ = true;
          unsubscribe();
        }
        break;
      case Kind::After: {
        bool trig = trigger_.test();
        if (trig && !active_) {
          active_ = true;
          hold_ = false;
          trig_time_ = t;
          ++token_;
          eng_.add_deadline(t + within_, this, token_);
        } else if (!trig && active_) {
          active_ = false;
          hold_ = false;
        }
        if (active_ && hold_ && !cond_.test())
          fail(t, "stopped holding while '" + trigger_.text() + "' (true since " + secs(trig_time_) + ")");
        break;
      }
    }
  }

  void deadline(Time t, std::uint64_t token) {
    if (!res_.passed) return;
    switch (kind_) {
      case Kind::Always:
      case Kind::Never: evaluate(t); break;  // window start
      case Kind::Eventually:
        if (token == 0) {  // window start: it may already be true
          evaluate(t);
          break;
        }
        if (!satisfied_) {
          if (cond_.test())
            satisfied_ = true;
          else
            fail(t, "did not become true within " + secs(within_) + " of " + secs(from_));
        }
        break;
      case Kind::After:
        if (token != token_ || !active_) break;
        hold_ = true;
        if (!cond_.test())
          fail(t,
               "was not true " + secs(within_) + " after '" + trigger_.text() + "' became true at " + secs(trig_time_));
        break;
    }
  }

  void not_evaluated(Time t, const std::string& why) {
    res_.evaluated = false;
    res_.message = "not evaluated: the run ended at " + format_time(t) + " " + why + " [" + res_.origin + "]";
    unsubscribe();
  }

  void end(Time t, bool complete) {
    if (!res_.passed) return;
    if ((kind_ == Kind::Always || kind_ == Kind::Never) && t < from_) {
      not_evaluated(t, "before its window started (from " + secs(from_) + ")");
      return;
    }
    if (kind_ == Kind::Eventually && !satisfied_) {
      if (t >= from_ && cond_.test())
        satisfied_ = true;
      else if (t < from_)
        not_evaluated(t, "before its window started (from " + secs(from_) + ")");
      else if (!complete && t < from_ + within_)
        not_evaluated(t, "before its deadline " + secs(from_ + within_) + " (still false)");
      else
        fail(t, "did not become true before the run ended (deadline " + secs(from_ + within_) + ")");
    }
    if (kind_ == Kind::After && active_ && !hold_ && t >= trig_time_ + within_ && !cond_.test())
      fail(t, "was not true " + secs(within_) + " after '" + trigger_.text() + "' became true");
  }

  void fail(Time t, const std::string& what) {
    res_.passed = false;
    res_.fail_time = t;
    std::string vals = cond_.describe_values();
    if (kind_ == Kind::After && !trigger_.reads().empty())
      vals += (vals.empty() ? "" : ", ") + trigger_.describe_values();
    res_.message = "at " + format_time(t) + " (" + secs(t) + "): " + res_.kind + " \"" + cond_.text() + "\" " + what +
                   (vals.empty() ? "" : "; values: " + vals) + " [" + res_.origin + "]";
    unsubscribe();
    eng_.failed(this);
  }

  AssertionEngine& eng_;
  Registry& reg_;
  AssertionResult res_;
  Kind kind_ = Kind::Always;
  Expr cond_, trigger_;
  Time within_ = 0, from_ = 0, until_ = kNever;
  bool satisfied_ = false, active_ = false, hold_ = false;
  Time trig_time_ = 0;
  std::uint64_t token_ = 0;
};

AssertionEngine::AssertionEngine(sc_core::sc_module_name n, Registry& reg) : sc_module(n), reg_(reg) {
  SC_HAS_PROCESS(AssertionEngine);
  SC_METHOD(on_deadline);
  sensitive << deadline_ev_;
  dont_initialize();
  reg_.set_advance_hook([this](Time t) { run_deadlines_before(t); });
}

void AssertionEngine::run_deadlines_before(Time t) {
  while (!deadlines_.empty() && deadlines_.begin()->first < t) {
    Time dt = deadlines_.begin()->first;
    auto [a, token] = deadlines_.begin()->second;
    deadlines_.erase(deadlines_.begin());
    a->deadline(dt, token);
  }
}

AssertionEngine::~AssertionEngine() {
  reg_.set_advance_hook(nullptr);
}

static Expr compile_cond(const YNode& n, const Registry& reg, const Expr::Constants& consts) {
  std::string origin = n.where();
  Expr e = Expr::compile(n.scalar(), reg, origin, consts);
  if (!e.is_condition()) n.fail("\"" + n.scalar() + "\" is not a condition (compare it, e.g. '<= 40A')");
  return e;
}

void AssertionEngine::add(const YNode& entry) {
  if (!entry.is_map()) entry.fail("an assertion is a map such as {always: \"x <= 40A\"}");
  auto a = std::make_unique<Assertion>(*this, reg_);
  auto& r = a->res_;
  r.origin = entry.file() + ":" + std::to_string(entry.line());
  const YNode* body = nullptr;
  if ((body = entry.get("always")))
    a->kind_ = Assertion::Kind::Always, r.kind = "always";
  else if ((body = entry.get("never")))
    a->kind_ = Assertion::Kind::Never, r.kind = "never";
  else if ((body = entry.get("eventually")))
    a->kind_ = Assertion::Kind::Eventually, r.kind = "eventually";
  else if ((body = entry.get("after")))
    a->kind_ = Assertion::Kind::After, r.kind = "after";
  else
    entry.fail("an assertion needs one of: always, never, eventually, after");
  int kinds = entry.has("always") + entry.has("never") + entry.has("eventually") + entry.has("after");
  if (kinds > 1) entry.fail("an assertion has exactly one of always, never, eventually, after");

  if (a->kind_ == Assertion::Kind::After) {
    a->trigger_ = compile_cond(*body, reg_, consts_);
    a->cond_ = compile_cond(entry["holds"], reg_, consts_);
    a->within_ = entry["within"].duration();
  } else {
    a->cond_ = compile_cond(*body, reg_, consts_);
    if (a->kind_ == Assertion::Kind::Eventually) a->within_ = entry["within"].duration();
  }
  auto when = [this](const YNode& n) { return time_parser_ ? time_parser_(n) : n.duration(); };
  if (const YNode* f = entry.get("from")) a->from_ = when(*f);
  if (const YNode* u = entry.get("until")) {
    if (a->kind_ != Assertion::Kind::Always && a->kind_ != Assertion::Kind::Never)
      u->fail("'until' applies to always and never");
    a->until_ = when(*u);
    if (a->until_ < a->from_) u->fail("'until' is before 'from'");
  }
  r.name = entry.str_or("name", r.kind + " " + a->cond_.text());
  if (a->kind_ == Assertion::Kind::After)
    r.name = entry.str_or("name", "after " + a->trigger_.text() + " holds " + a->cond_.text());
  entry.finish();
  a->subscribe();
  items_.push_back(std::move(a));
}

void AssertionEngine::add_never(const std::string& cond, const std::string& name, const std::string& origin) {
  auto a = std::make_unique<Assertion>(*this, reg_);
  a->kind_ = Assertion::Kind::Never;
  a->res_.kind = "never";
  a->res_.origin = origin;
  a->res_.name = name;
  a->cond_ = Expr::compile(cond, reg_, origin);
  a->subscribe();
  items_.push_back(std::move(a));
}

void AssertionEngine::start() {
  Time t = reg_.now();
  for (auto& a : items_) {
    if (a->from_ > t)
      add_deadline(a->from_, a.get(), 0);
    else
      a->evaluate(t);
    if (a->kind_ == Assertion::Kind::Eventually) add_deadline(a->from_ + a->within_, a.get(), 1);
  }
}

void AssertionEngine::add_deadline(Time t, Assertion* a, std::uint64_t token) {
  deadlines_.emplace(t, std::make_pair(a, token));
  arm();
}

void AssertionEngine::arm() {
  if (deadlines_.empty()) return;
  Time first = deadlines_.begin()->first;
  if (first >= armed_) return;
  Time now = static_cast<Time>(sc_core::sc_time_stamp().value());
  armed_ = first;
  deadline_ev_.cancel();
  deadline_ev_.notify(sc_core::sc_time::from_value(first > now ? first - now : 0));
}

void AssertionEngine::on_deadline() {
  reg_.settle();
  Time now = static_cast<Time>(sc_core::sc_time_stamp().value());
  armed_ = kNever;
  run_deadlines_before(now + 1);
  arm();
}

void AssertionEngine::failed(Assertion* a) {
  if (stop_on_fail_) sc_core::sc_pause();
}

void AssertionEngine::finish(Time end, bool complete) {
  reg_.settle();
  // Deadlines at exactly the end time still count.
  while (!deadlines_.empty() && deadlines_.begin()->first <= end) {
    Time dt = deadlines_.begin()->first;
    auto [a, token] = deadlines_.begin()->second;
    deadlines_.erase(deadlines_.begin());
    a->deadline(dt, token);
  }
  for (auto& a : items_) a->end(end, complete);
}

std::vector<AssertionResult> AssertionEngine::results() const {
  std::vector<AssertionResult> v;
  for (const auto& a : items_) v.push_back(a->res_);
  return v;
}

bool AssertionEngine::any_failed() const {
  for (const auto& a : items_)
    if (!a->res_.passed) return true;
  return false;
}

}  // namespace lmsim
