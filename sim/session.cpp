#include "sim/session.h"

#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <csignal>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

#include "sim/elaborate.h"
#include "sim/input_errors.h"
#include "sim/output_file.h"
#include "sim/report.h"
#include "sim/stimulus.h"

namespace lmsim {

// --- hashing (provenance) -----------------------------------------------------------------
std::string sha256_hex(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), md, &n, EVP_sha256(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < n; ++i) out += hex[md[i] >> 4], out += hex[md[i] & 15];
  return out;
}

std::string sha256_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::stringstream ss;
  ss << in.rdbuf();
  return sha256_hex(ss.str());
}

// --- real-time pacing ---------------------------------------------------------------------
// The only place that reads the wall clock to influence the simulation: in --realtime mode
// simulated time is held back to follow it, and host-facing pollers run.
namespace {
volatile std::sig_atomic_t g_interrupt = 0;
extern "C" void on_interrupt(int signo) {
  g_interrupt = signo;
}
}  // namespace

void install_interrupt_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_interrupt;
  sa.sa_flags = SA_RESETHAND;  // the second signal takes the default action
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

int interrupt_signal() {
  return static_cast<int>(g_interrupt);
}

class Pacer : public sc_core::sc_module {
 public:
  Pacer(sc_core::sc_module_name n, Site& site) : sc_module(n), site_(site) {
    SC_HAS_PROCESS(Pacer);
    SC_METHOD(tick);
  }
  double max_lag_s = 0;

 private:
  void tick() {
    using clk = std::chrono::steady_clock;
    auto now_wall = clk::now();
    if (!started_) {
      start_ = now_wall;
      started_ = true;
    }
    double sim_s = sc_core::sc_time_stamp().to_seconds();
    double wall_s = std::chrono::duration<double>(now_wall - start_).count();
    if (wall_s < sim_s)
      std::this_thread::sleep_for(std::chrono::duration<double>(sim_s - wall_s));
    else
      max_lag_s = std::max(max_lag_s, wall_s - sim_s);
    for (auto& p : site_.pollers()) p();
    if (g_interrupt) sc_core::sc_pause();  // the run loop sees the flag and ends the run
    next_trigger(sc_core::sc_time(1, sc_core::SC_MS));
  }
  Site& site_;
  bool started_ = false;
  std::chrono::steady_clock::time_point start_;
};

// --- overrides of scenario keys ("site.main_fuse.rating=40A", "stations[0].ip=...") -------
static bool set_yaml_path(YNode& root, const std::string& path, const std::string& value) {
  YNode* cur = &root;
  std::size_t p = 0;
  std::vector<std::string> parts;
  while (p <= path.size()) {
    std::size_t q = path.find('.', p);
    if (q == std::string::npos) q = path.size();
    parts.push_back(path.substr(p, q - p));
    p = q + 1;
  }
  for (std::size_t i = 0; i < parts.size(); ++i) {
    std::string key = parts[i];
    long idx = -1;
    auto br = key.find('[');
    if (br != std::string::npos) {
      idx = std::strtol(key.c_str() + br + 1, nullptr, 10);
      key = key.substr(0, br);
    }
    bool last = i + 1 == parts.size();
    if (!cur->is_map()) return false;
    const YNode* child = nullptr;
    for (const auto& [k, v] : cur->entries())
      if (k == key) child = &v;
    if (!child) {
      if (!last || idx >= 0 || i == 0) return false;
      cur->set(key, YNode::make_scalar(value, "--set", 0, path));
      return true;
    }
    YNode* c = const_cast<YNode*>(child);
    if (idx >= 0) {
      if (!c->is_seq() || idx >= static_cast<long>(c->size())) return false;
      c = &c->mutable_items()[static_cast<std::size_t>(idx)];
    }
    if (last) {
      if (!c->is_scalar() && !c->is_null()) return false;
      *c = YNode::make_scalar(value, "--set", 0, path);
      return true;
    }
    cur = c;
  }
  return false;
}

static const std::vector<std::string> kTopKeys = {
    "name", "description", "seed",     "duration", "start",   "defaults", "site",   "device",  "stations",
    "evs",  "network",     "timeline", "assert",   "signals", "stimuli",  "expect", "figures", "include"};

Session::Session(SessionOptions opt) : opt_(std::move(opt)) {
  // Every error of the file at once: unknown keys are collected, and each stage after the
  // site's elaboration (stimuli, timeline, each assertion, ...) reports its own first error.
  InputErrors errors;
  try {
    load();
  } catch (const InputError& e) {
    errors.add(e.what());
  } catch (const SignalError& e) {
    errors.add(e.what());
  }
  input_errors_ = errors.list();
  if (!opt_.signals_only || !site_) errors.throw_if_any();
}

// Runs one loading stage; its error is collected and loading goes on with the next stage.
template <class F>
static void stage(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    InputErrors::active()->add(e.what());
  } catch (const SignalError& e) {
    InputErrors::active()->add(e.what());
  }
}

void Session::load() {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  // advance() runs the activity at exactly the end time with sc_start(SC_ZERO_TIME); when
  // there is none SystemC warns (W571) on stdout. That is expected here, not a problem.
  sc_core::sc_report_handler::set_actions(sc_core::SC_ID_NO_SC_START_ACTIVITY_, sc_core::SC_DO_NOTHING);
  YNode root = opt_.scenario_text ? YNode::load_string(*opt_.scenario_text, opt_.scenario_path)
                                  : YNode::load_file(opt_.scenario_path);
  file_ = opt_.scenario_path;
  std::vector<std::pair<std::string, std::string>> knob_overrides;
  for (const auto& [k, v] : opt_.overrides) {
    if (!set_yaml_path(root, k, v)) knob_overrides.emplace_back(k, v);
  }
  root.allow_only(kTopKeys);
  name_ = root.str_or("name", file_);
  if (opt_.seed)
    seed_ = *opt_.seed;
  else if (const YNode* s = root.get("seed")) {
    long long v = s->integer();
    if (v < 0) s->fail("the seed must be >= 0");
    seed_ = static_cast<std::uint64_t>(v);
  }
  duration_ = root.dur_or("duration", 60 * kSec);
  scenario_text_ = root.dump();

  site_ = elaborate_models(root, file_, seed_);
  Site& site = *site_;
  site.set_realtime(opt_.realtime);
  site.set_expose(opt_.realtime && opt_.expose);
  site.set_log_echo(opt_.echo_log);
  declare_user_signals(site, root.get("signals"));
  stage([&] { build_stimuli(site, root.get("stimuli")); });
  stage([&] {
    timeline_ = &site.make<Timeline>("timeline", site, root.get("timeline"));
    for (const auto& [k, v] : knob_overrides) timeline_->add_at_start(k, v, "--set " + k + "=" + v);
  });
  asserts_ = &site.make<AssertionEngine>("assertions", site.registry());
  asserts_->set_stop_on_fail(opt_.stop_on_fail);
  asserts_->set_time_parser([&site](const YNode& n) { return parse_at(n, site); });
  // Scenario parameters and settings as constants (after --set and sweep overrides): a dotted
  // path to a quantity in the scenario, e.g. site.main_fuse.rating.
  auto params = std::make_shared<YNode>(root);
  asserts_->set_constants([params](const std::string& name) -> std::optional<Quantity> {
    const YNode* cur = params.get();
    for (std::size_t p = 0; cur && p <= name.size();) {
      std::size_t q = std::min(name.find('.', p), name.size());
      const YNode* next = nullptr;
      if (cur->is_map())
        for (const auto& [k, v] : cur->entries())
          if (k == name.substr(p, q - p)) next = &v;
      cur = next;
      p = q + 1;
    }
    if (!cur || !cur->is_scalar()) return std::nullopt;
    return parse_quantity(cur->scalar());
  });
  if (const YNode* a = root.get("assert"))
    for (const auto& e : a->items()) stage([&] { asserts_->add(e); });
  // The rest needs a complete scenario. `lmsim signals` stops here too: it lists the site even
  // when the scenario has errors (how a misspelled signal name gets fixed) and reports them.
  if (opt_.signals_only || !InputErrors::active()->list().empty()) return;
  bool fuse_trip_expected = false;
  if (const YNode* ex = root.get("expect")) {
    fuse_trip_expected = ex->bool_or("fuse_trip", false);
    if (const YNode* v = ex->get("verdict")) {
      expected_verdict_ = v->scalar();
      if (expected_verdict_ != "pass" && expected_verdict_ != "fail" && expected_verdict_ != "fault")
        v->fail("expected verdict must be pass, fail or fault");
    }
    ex->finish();
  }
  if (!fuse_trip_expected && site.registry().find("site.fuse.tripped"))
    asserts_->add_never("site.fuse.tripped", "main fuse does not trip",
                        file_ + " (implicit; expect: {fuse_trip: true})");

  std::vector<std::string> figs = {"site.fuse.*.current", "site.grid.*.current", "site.power", "stations.total_power"};
  if (const YNode* f = root.get("figures")) {
    figs.clear();
    for (const auto& g : f->items()) figs.push_back(g.scalar());
  }
  for (const auto& g : figs)
    for (auto* s : site.registry().glob(g)) {
      stats_.attach(*s);
      if (!opt_.report_path.empty() && s->type() != SignalType::String && s->type() != SignalType::Stream)
        report_rec_.attach(*s, 0);
    }

  if (const YNode* st = root.get("site")) {
    std::vector<Signal*> phases;
    for (const char* n : {"site.fuse.L1.current", "site.fuse.L2.current", "site.fuse.L3.current"})
      if (Signal* p = site.registry().find(n)) phases.push_back(p);
    if (!phases.empty()) {
      // The plant's default rating when the scenario names none (models/plant/build.cpp).
      const YNode* mf = st->get("main_fuse");
      double rating = mf ? mf->qty_or("rating", "A", 63) : 63;
      kpis_ = std::make_unique<LoadKpis>(phases, rating, 0);
      kpis_->attach_lm(site.registry(), root, 0);  // load-management KPIs (sim/kpis.h)
    }
  }
  if (!opt_.trace_path.empty()) {
    std::vector<Signal*> sigs;
    if (opt_.trace_globs.empty()) sigs = site.registry().all();
    for (const auto& g : opt_.trace_globs) {
      auto m = site.registry().glob(g);
      if (m.empty()) throw InputError("--signals '" + g + "' matches no signal (see 'lmsim signals')");
      for (auto* s : m)
        if (std::find(sigs.begin(), sigs.end(), s) == sigs.end()) sigs.push_back(s);
    }
    std::sort(sigs.begin(), sigs.end(), [](auto* a, auto* b) { return a->name() < b->name(); });
    try {
      trace_ = TraceWriter::open(opt_.trace_path, sigs);
    } catch (const OutputError& e) {
      throw InputError(e.what());  // before the run: a path problem, nothing is lost yet
    }
    trace_->set_limit(opt_.trace_limit);
  }
  if (opt_.realtime) pacer_ = &site.make<Pacer>("pacer", site);
  if (opt_.gdb_port >= 0) {
    const auto* gdb = site.rpc("gdb");
    if (!gdb) throw InputError("--gdb needs a scenario with a device (a `device:` section with firmware)");
    int port = (*gdb)({{"port", opt_.gdb_port}})["port"];
    std::fprintf(stderr,
                 "lmsim: waiting for gdb on 127.0.0.1:%d (gdb-multiarch FIRMWARE.elf -ex 'target remote :%d')\n", port,
                 port);
  }
}

Session::~Session() = default;

Time Session::now() const {
  return static_cast<Time>(sc_core::sc_time_stamp().value());
}

bool Session::stopped() const {
  return sc_core::sc_get_status() == sc_core::SC_STOPPED || !site_->faults().empty();
}

void Session::advance(Time t) {
  auto w0 = std::chrono::steady_clock::now();
  if (!started_) {
    site_->run_start_hooks();
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    asserts_->start();
    started_ = true;
  }
  if (!stopped() && t > now()) {
    sc_core::sc_start(sc_core::sc_time::from_value(t - now()));
    // sc_start(d) stops before the activity scheduled at exactly the end time; run it too so
    // that a run to T shows what happens at T (and a later run does not see it twice).
    if (!stopped() && now() == t) sc_core::sc_start(sc_core::SC_ZERO_TIME);
  }
  wall_s_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
}

bool Session::run_until(Time t) {
  if (finished_) return false;
  advance(t);
  return !stopped();
}

namespace {
class CondWatch : public ChangeListener {
 public:
  Expr e;
  bool hit = false;
  void on_change(const Signal&, Time) override {
    if (!hit && e.test()) {
      hit = true;
      sc_core::sc_pause();
    }
  }
};
}  // namespace

bool Session::run_until_condition(const std::string& cond, Time timeout) {
  if (finished_) return false;
  if (!started_) advance(0);
  CondWatch w;
  w.e = Expr::compile(cond, registry(), "condition");
  if (!w.e.is_condition()) throw InputError("condition: \"" + cond + "\" is not a condition");
  if (w.e.test()) return true;
  for (auto* s : w.e.reads()) s->add_listener(&w);
  Time end = now() + timeout;
  while (!w.hit && !stopped() && now() < end) advance(end);
  for (auto* s : w.e.reads()) s->remove_listener(&w);
  return w.hit;
}

void Session::record(const std::string& glob) {
  auto m = registry().glob(glob);
  if (m.empty()) throw InputError("record: '" + glob + "' matches no signal");
  for (auto* s : m) recorder_.attach(*s, now());
}

void Session::finish() {
  if (finished_) return;
  if (!started_) advance(0);
  asserts_->finish(now(), now() >= duration_);
  results_ = asserts_->results();
  if (trace_) {
    try {
      trace_->close();
    } catch (const OutputError& e) {
      output_errors_.push_back(e.what());
    }
    trace_info_ = {{"path", trace_->path()},
                   {"bytes", trace_->bytes()},
                   {"limit_bytes", trace_->limit()},
                   {"complete", !trace_->limit_reached() && !trace_->failed()}};
    if (trace_->limit_reached()) trace_info_["stopped_at_s"] = time_to_seconds(trace_->stopped_at());
    if (trace_->failed()) trace_info_["error"] = trace_->error();
  }
  finished_ = true;
}

int Session::exit_code() const {
  // Missing outputs first: a pass whose results are lost must not read as a pass.
  if (!output_errors_.empty() || (trace_ && trace_->failed())) return kOutputError;
  if (!site_->faults().empty()) return kFirmwareFault;
  if (wall_timeout_s_ > 0) return kWallTimeout;
  if (interrupted_) return 128 + interrupted_;
  for (const auto& r : results_)
    if (!r.passed) return kAssertFailed;
  return kPass;
}

double Session::realtime_max_lag_s() const {
  return pacer_ ? pacer_->max_lag_s : 0;
}

nlohmann::json Session::result_json() const {
  using nlohmann::json;
  json j;
  int code = exit_code();
  j["scenario"] = name_;
  j["file"] = file_;
  j["verdict"] = code == kPass            ? "pass"
                 : code == kAssertFailed  ? "fail"
                 : code == kOutputError   ? "error"
                 : code == kFirmwareFault ? "fault"
                                          : "interrupted";
  j["expected_verdict"] = expected_verdict_;
  j["exit_code"] = code;
  j["sim_time_s"] = time_to_seconds(now());
  j["wall_time_s"] = wall_s_;
  if (wall_timeout_s_ > 0)
    j["interrupted_by"] = "wall-timeout";
  else if (interrupted_)
    j["interrupted_by"] = interrupted_ == SIGINT ? "SIGINT" : interrupted_ == SIGTERM ? "SIGTERM" : "signal";
  if (!trace_info_.is_null()) j["trace"] = trace_info_;
  json oe = json::array();
  for (const auto& e : output_errors_) oe.push_back(e);
  if (trace_ && trace_->failed() &&
      std::find(output_errors_.begin(), output_errors_.end(), trace_->error()) == output_errors_.end())
    oe.push_back(trace_->error());
  j["output_errors"] = oe;
  j["speed_factor"] = wall_s_ > 0 ? time_to_seconds(now()) / wall_s_ : 0.0;
  if (opt_.realtime) j["realtime_max_lag_s"] = realtime_max_lag_s();
  j["assertions"] = json::array();
  for (const auto& r : results_) {
    json a = {
        {"name", r.name}, {"kind", r.kind}, {"origin", r.origin}, {"passed", r.passed}, {"evaluations", r.evaluations}};
    a["status"] = !r.passed ? "failed" : r.evaluated ? "passed" : "not evaluated";
    if (!r.evaluated) a["message"] = r.message;
    if (!r.passed) {
      a["fail_time_s"] = time_to_seconds(r.fail_time);
      a["message"] = r.message;
    }
    j["assertions"].push_back(a);
  }
  j["faults"] = json::array();
  for (const auto& f : site_->faults())
    j["faults"].push_back({{"time_s", time_to_seconds(f.time)}, {"source", f.source}, {"message", f.message}});
  json figs = json::object();
  for (const auto& f : stats_.figures())
    figs[f.sig->name()] = {{"min", f.min}, {"max", f.max}, {"final", f.sig->value()}, {"unit", f.sig->unit()}};
  j["figures"] = figs;
  if (kpis_) j["kpis"] = kpis_->figures(now());
  json prov;
  prov["scenario_sha256"] = sha256_hex(scenario_text_);
  prov["seed"] = seed_;
  prov["lmsim_version"] = LMSIM_VERSION;
  json ov = json::object();
  for (const auto& [k, v] : opt_.overrides) ov[k] = v;
  prov["overrides"] = ov;
  json inputs = json::array();
  for (const auto& [kind, path] : site_->input_files())
    inputs.push_back({{"kind", kind}, {"path", path}, {"sha256", sha256_file(path)}});
  prov["inputs"] = inputs;
  for (const auto& [kind, path] : site_->input_files())
    if (kind == "firmware") prov["firmware_sha256"] = sha256_file(path);
  j["provenance"] = prov;
  return j;
}

bool Session::write_result(const std::string& path) {
  try {
    // replace: names and values from the scenario or the UART may hold bytes that are not UTF-8.
    write_file_atomic(path, result_json().dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n",
                      "result file");
    return true;
  } catch (const OutputError& e) {
    output_errors_.push_back(e.what());
    return false;
  }
}

std::string junit_xml(const std::vector<nlohmann::json>& results, const std::string& suite_name) {
  std::ostringstream x;
  int tests = 0, failures = 0, errors = 0, skipped = 0;
  std::ostringstream body;
  for (const auto& r : results) {
    std::string sc = r.value("scenario", "?");
    int t = 0, f = 0, e = 0, sk = 0;
    std::ostringstream cases;
    // An interrupted run (Ctrl-C, --wall-timeout) or one never started: not a failure, not a pass.
    if (r.value("verdict", "") == "interrupted" || r.contains("not_run")) {
      ++t, ++sk;
      std::string why = r.contains("not_run") ? r["not_run"].get<std::string>()
                                              : "interrupted (" + r.value("interrupted_by", std::string("signal")) +
                                                    ") at " + std::to_string(r.value("sim_time_s", 0.0)) + " s";
      cases << "    <testcase classname=\"" << xml_escape(sc) << "\" name=\"ran to the end\"><skipped message=\""
            << xml_escape(why) << "\"/></testcase>\n";
    }
    if (r.contains("error")) {
      ++t, ++e;
      cases << "    <testcase classname=\"" << xml_escape(sc) << "\" name=\"load\"><error message=\""
            << xml_escape(r["error"].get<std::string>()) << "\"/></testcase>\n";
    }
    bool xfail = r.value("as_expected", false) && r.value("expected_verdict", "pass") != "pass";
    if (xfail) {
      ++t;
      cases << "    <testcase classname=\"" << xml_escape(sc) << "\" name=\"fails as expected ("
            << r.value("verdict", "?") << ")\"/>\n";
    } else if (r.contains("assertions")) {
      std::map<std::string, int> seen;  // identical assertions get " #2", " #3": names stay unique
      for (const auto& a : r["assertions"]) {
        ++t;
        std::string name = a.value("name", "?");
        if (int n = ++seen[name]; n > 1) name += " #" + std::to_string(n);
        cases << "    <testcase classname=\"" << xml_escape(sc) << "\" name=\"" << xml_escape(name) << "\">";
        if (!a.value("passed", false)) {
          ++f;
          cases << "<failure message=\"" << xml_escape(a.value("message", "")) << "\"/>";
        } else if (a.value("status", "passed") == "not evaluated") {
          ++sk;
          cases << "<skipped message=\"" << xml_escape(a.value("message", "")) << "\"/>";
        }
        cases << "</testcase>\n";
      }
    }
    if (r.contains("output_errors") && !r["output_errors"].empty()) {
      ++t, ++e;
      cases << "    <testcase classname=\"" << xml_escape(sc) << "\" name=\"outputs written\"><error message=\""
            << xml_escape(r["output_errors"][0].get<std::string>()) << "\"/></testcase>\n";
    }
    if (r.contains("faults") && !xfail) {
      ++t;
      cases << "    <testcase classname=\"" << xml_escape(sc) << "\" name=\"no firmware fault\">";
      if (!r["faults"].empty()) {
        ++e;
        cases << "<error message=\"" << xml_escape(r["faults"][0].value("message", "")) << "\"/>";
      }
      cases << "</testcase>\n";
    }
    body << "  <testsuite name=\"" << xml_escape(sc) << "\" tests=\"" << t << "\" failures=\"" << f << "\" errors=\""
         << e << "\" skipped=\"" << sk << "\" time=\"" << r.value("wall_time_s", 0.0) << "\">\n"
         << cases.str() << "  </testsuite>\n";
    tests += t, failures += f, errors += e, skipped += sk;
  }
  x << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"" << xml_escape(suite_name) << "\" tests=\""
    << tests << "\" failures=\"" << failures << "\" errors=\"" << errors << "\" skipped=\"" << skipped << "\">\n"
    << body.str() << "</testsuites>\n";
  return x.str();
}

bool Session::write_report(const std::string& path) {
  try {
    write_file_atomic(path, html_report(result_json(), report_rec_, site_->log_lines()), "the report");
    return true;
  } catch (const OutputError& e) {
    output_errors_.push_back(e.what());
    return false;
  }
}

bool Session::write_junit(const std::string& path) {
  try {
    write_file_atomic(path, junit_xml({result_json()}, name_), "JUnit file");
    return true;
  } catch (const OutputError& e) {
    output_errors_.push_back(e.what());
    return false;
  }
}

// --- run_scenario ---------------------------------------------------------------------------
static void print_summary(const Session& s, const nlohmann::json& j) {
  auto& o = std::cout;
  o << "lmsim: scenario '" << s.name() << "' seed " << s.seed() << "\n";
  char buf[160];
  std::snprintf(buf, sizeof buf, "  simulated %s in %.2f s wall (%.0fx real time)\n",
                format_time(seconds_to_time(j["sim_time_s"].get<double>())).c_str(), j["wall_time_s"].get<double>(),
                j["speed_factor"].get<double>());
  o << buf;
  int pass = 0, fail = 0, skip = 0;
  for (const auto& a : j["assertions"])
    a.value("status", "") == "not evaluated" ? ++skip : a["passed"].get<bool>() ? ++pass : ++fail;
  o << "  assertions: " << pass << " passed, " << fail << " failed";
  if (skip) o << ", " << skip << " not evaluated";
  o << "\n";
  // Short lists in full (what was checked is part of the answer); long ones: the failures.
  const bool all = j["assertions"].size() <= 20;
  for (const auto& a : j["assertions"]) {
    if (!a["passed"].get<bool>())
      o << "    FAIL " << a["message"].get<std::string>() << "\n";
    else if (a.value("status", "") == "not evaluated")
      o << "    n/e  " << a["name"].get<std::string>() << ": " << a["message"].get<std::string>() << "\n";
    else if (all)
      o << "    ok   " << a["name"].get<std::string>() << "\n";
  }
  for (const auto& f : j["faults"])
    o << "  FAULT " << f["source"].get<std::string>() << ": " << f["message"].get<std::string>() << "\n";
  // The plant's selectivity check (one line per circuit, docs/plant.md).
  for (const auto& l : s.site().log_lines())
    if (auto k = l.find(" site.selectivity: "); k != std::string::npos) o << "  " << l.substr(k + 19) << "\n";
  for (const auto& [name, f] : j["figures"].items()) {
    std::snprintf(buf, sizeof buf, "  %-32s max %10.3f %s, final %10.3f %s\n", name.c_str(), f["max"].get<double>(),
                  f["unit"].get<std::string>().c_str(), f["final"].get<double>(), f["unit"].get<std::string>().c_str());
    o << buf;
  }
  if (j.contains("realtime_max_lag_s")) o << "  real-time max lag: " << j["realtime_max_lag_s"].get<double>() << " s\n";
  if (j.contains("trace") && j["trace"].contains("stopped_at_s"))
    o << "  trace stopped at " << format_time(seconds_to_time(j["trace"]["stopped_at_s"].get<double>()))
      << " (size limit " << j["trace"]["limit_bytes"].get<std::uint64_t>() << " bytes)\n";
  for (const auto& e : j["output_errors"]) o << "  OUTPUT ERROR " << e.get<std::string>() << "\n";
  o << "  verdict: " << j["verdict"].get<std::string>() << " (exit " << j["exit_code"].get<int>() << ")\n";
}

void check_writable(const std::string& path, const char* what) {
  if (path.empty()) return;
  namespace fs = std::filesystem;
  fs::path p(path);
  std::error_code ec;
  if (fs::is_directory(p, ec)) throw InputError(path + ": cannot write " + what + " (it is a folder)");
  fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
  if (!fs::is_directory(dir, ec))
    throw InputError(path + ": cannot write " + what + " (no folder " + dir.string() + ")");
  if (access(dir.c_str(), W_OK) != 0 || (fs::exists(p, ec) && access(p.c_str(), W_OK) != 0))
    throw InputError(path + ": cannot write " + what + " (permission denied)");
}

int run_scenario(const RunRequest& req, nlohmann::json* result_out) {
  check_writable(req.result_path, "result file");
  check_writable(req.junit_path, "JUnit file");
  check_writable(req.session.report_path, "report");
  Session s(req.session);
  Time end = req.until ? *req.until : s.duration();
  // Chunks so that a progress line can be drawn and an interrupt is seen within a chunk (the
  // pacer sees it within 1 ms in real-time mode); simulation results do not depend on them.
  const Time max_step = std::max<Time>(end / (req.progress ? 200 : 2000), kMs);
  // Chunks adapt to take about 20-100 ms of wall time, so that an interrupt or the wall
  // timeout is seen soon even when simulation is slow (dense stimuli, long runs).
  Time step = std::min<Time>(max_step, 100 * kMs);
  // The wall clock only decides when to give up and how to chunk, never what is simulated.
  using clk = std::chrono::steady_clock;
  const auto wall0 = clk::now();
  bool timed_out = false;
  while (s.now() < end && !s.stopped() && !interrupt_signal() && !s.output_failed()) {
    const auto c0 = clk::now();
    if (req.wall_timeout_s > 0 && std::chrono::duration<double>(c0 - wall0).count() >= req.wall_timeout_s) {
      timed_out = true;
      break;
    }
    s.run_until(std::min(end, s.now() + step));
    double chunk_s = std::chrono::duration<double>(clk::now() - c0).count();
    if (chunk_s < 0.02)
      step = std::min(max_step, step * 2);
    else if (chunk_s > 0.1)
      step = std::max<Time>(kMs, step / 2);
    if (req.progress) {
      double sim = time_to_seconds(s.now());
      std::fprintf(stderr, "\r  %s  x%.0f real time   ", format_time(s.now()).c_str(),
                   s.wall_seconds() > 0 ? sim / s.wall_seconds() : 0.0);
    }
  }
  if (req.progress) std::fprintf(stderr, "\r%60s\r", "");
  if (int sig = interrupt_signal()) {
    s.set_interrupted(sig);
    std::fprintf(stderr, "lmsim: interrupted at %s (%s): finishing the run there\n", format_time(s.now()).c_str(),
                 sig == SIGINT ? "SIGINT" : "SIGTERM");
  } else if (timed_out) {
    s.set_wall_timeout(req.wall_timeout_s);
    std::fprintf(stderr, "lmsim: --wall-timeout %gs reached at %s simulated: finishing the run there\n",
                 req.wall_timeout_s, format_time(s.now()).c_str());
  }
  if (s.output_failed() && s.now() < end)
    std::fprintf(stderr, "lmsim: error: %s; run stopped at %s\n",
                 s.result_json()["output_errors"][0].get<std::string>().c_str(), format_time(s.now()).c_str());
  s.finish();
  // The result file goes last so that it records every earlier failed write.
  if (!req.session.report_path.empty()) s.write_report(req.session.report_path);
  if (!req.junit_path.empty()) s.write_junit(req.junit_path);
  if (!req.result_path.empty()) s.write_result(req.result_path);
  auto j = s.result_json();
  for (const auto& e : j["output_errors"]) std::fprintf(stderr, "lmsim: error: %s\n", e.get<std::string>().c_str());
  if (j.contains("trace") && j["trace"].contains("stopped_at_s"))
    std::fprintf(stderr, "lmsim: warning: %s reached the trace size limit (%llu bytes): tracing stopped at %s\n",
                 j["trace"]["path"].get<std::string>().c_str(),
                 static_cast<unsigned long long>(j["trace"]["limit_bytes"].get<std::uint64_t>()),
                 format_time(seconds_to_time(j["trace"]["stopped_at_s"].get<double>())).c_str());
  if (!req.quiet) print_summary(s, j);
  if (result_out) *result_out = j;
  return s.exit_code();
}

}  // namespace lmsim
