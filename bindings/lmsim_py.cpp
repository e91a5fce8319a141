// Python module `lmsim`: scenarios from files or dicts, run for/until a time or a condition,
// read and set signals, traces as NumPy arrays. Each Site lives in its own child process
// (SystemC elaborates once per process), so any number of sites run one after another (or at
// once) in one Python process.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <cstring>
#include <filesystem>

#include "sim/host.h"
#include "sim/output_file.h"

namespace py = pybind11;
using namespace lmsim;

namespace {

// Seconds as float, or a duration string ("10s", "2h").
Time to_time(const py::object& o, const char* what) {
  if (py::isinstance<py::str>(o)) {
    auto t = parse_duration(o.cast<std::string>());
    if (!t)
      throw py::value_error(std::string(what) + ": expected a duration of at most 100 days such as '10s', got '" +
                            o.cast<std::string>() + "'");
    return *t;
  }
  // A wrong type is a TypeError naming the argument (pybind11's cast_error is a bare RuntimeError).
  if (!py::isinstance<py::float_>(o) && !py::isinstance<py::int_>(o))
    throw py::type_error(std::string(what) + ": expected seconds (a number) or a duration string");
  double s = py::float_(o).cast<double>();  // also ints beyond 64 bits (then too large below)
  if (!(s >= 0) || s > time_to_seconds(kMaxTime))
    throw py::value_error(std::string(what) + " must be 0 to 100 days in seconds");
  return seconds_to_time(s);
}

[[noreturn]] void rethrow(const HostError& e) {
  if (e.kind == "input") throw py::value_error(e.what());
  if (e.kind == "signal") throw py::key_error(e.what());
  throw std::runtime_error(e.what());
}

py::object from_json(const nlohmann::json& j) {
  return py::module_::import("json").attr("loads")(j.dump());
}

class PySite {
 public:
  PySite(py::object scenario, py::object seed, py::object overrides, std::string trace,
         std::vector<std::string> signals, bool realtime, py::object trace_limit) {
    SessionOptions o;
    if (py::isinstance<py::dict>(scenario)) {
      // JSON is YAML: errors then name line 1 of "<dict>" and the field path.
      o.scenario_text = py::module_::import("json").attr("dumps")(scenario, py::arg("indent") = 1).cast<std::string>();
      o.scenario_path = "<dict>";
    } else {
      o.scenario_path = py::str(scenario).cast<std::string>();
      std::error_code ec;  // the throwing overload fails on names too long for the OS
      if (!std::filesystem::exists(o.scenario_path, ec))
        throw py::value_error(o.scenario_path.substr(0, 200) + ": no such scenario file");
    }
    if (!seed.is_none()) {
      if (!py::isinstance<py::int_>(seed) || py::isinstance<py::bool_>(seed))
        throw py::type_error("seed must be an int");
      long long s;
      try {
        s = seed.cast<long long>();
      } catch (const py::cast_error&) {
        throw py::value_error("seed must be 0 to 2**63-1");
      }
      if (s < 0) throw py::value_error("seed must be >= 0");
      o.seed = static_cast<std::uint64_t>(s);
    }
    if (!overrides.is_none())
      for (auto kv : overrides.cast<py::dict>()) {
        py::object v = py::reinterpret_borrow<py::object>(kv.second);
        std::string val =
            py::isinstance<py::bool_>(v) ? (v.cast<bool>() ? "true" : "false") : py::str(v).cast<std::string>();
        o.overrides.emplace_back(py::str(kv.first).cast<std::string>(), val);
      }
    o.trace_path = trace;
    o.trace_globs = signals;
    if (!trace_limit.is_none()) {
      // Bytes as an int, or a size text as on the command line ("500MB", "2GiB").
      std::optional<std::uint64_t> n;
      if (py::isinstance<py::int_>(trace_limit) && !py::isinstance<py::bool_>(trace_limit)) {
        if (trace_limit.cast<py::int_>() > py::int_(0)) n = trace_limit.cast<std::uint64_t>();
      } else if (py::isinstance<py::str>(trace_limit))
        n = parse_byte_size(trace_limit.cast<std::string>());
      else
        throw py::type_error("trace_limit must be a number of bytes or a size such as '500MB'");
      if (!n || *n == 0)
        throw py::value_error("trace_limit must be a size such as 500MB, 2GB or 64KiB, got " +
                              py::repr(trace_limit).cast<std::string>());
      o.trace_limit = *n;
    }
    o.realtime = realtime;
    try {
      py::gil_scoped_release nogil;
      host_ = std::make_unique<SiteHost>(o);
    } catch (const HostError& e) {
      rethrow(e);
    }
  }

  nlohmann::json call(const nlohmann::json& q, std::string* bin = nullptr) {
    if (!host_) throw std::runtime_error("the site is closed");
    try {
      py::gil_scoped_release nogil;
      return host_->call(q, bin);
    } catch (const HostError& e) {
      rethrow(e);
    }
  }

  double run(py::object until, py::object for_) {
    if (!until.is_none() && !for_.is_none()) throw py::value_error("give until or for_, not both");
    Time t;
    if (!until.is_none())
      t = to_time(until, "until");
    else if (!for_.is_none())
      t = now_ps() + to_time(for_, "for_");
    else
      t = duration_ps();
    auto r = call({{"op", "run_until"}, {"t", t}});
    return time_to_seconds(r["now"].get<Time>());
  }

  bool run_until(const std::string& cond, py::object timeout) {
    Time to = timeout.is_none() ? duration_ps() : to_time(timeout, "timeout");
    return call({{"op", "run_until_cond"}, {"cond", cond}, {"timeout", to}})["hit"].get<bool>();
  }

  py::object get(const std::string& name) {
    auto v = call({{"op", "get"}, {"name", name}})["value"];
    if (v.is_boolean()) return py::bool_(v.get<bool>());
    if (v.is_number()) return py::float_(v.get<double>());
    return py::str(v.get<std::string>());
  }

  void set(const std::string& name, py::object value) {
    nlohmann::json q = {{"op", "set"}, {"name", name}};
    if (py::isinstance<py::bool_>(value))
      q["value"] = value.cast<bool>() ? 1.0 : 0.0;
    else if (py::isinstance<py::int_>(value) || py::isinstance<py::float_>(value)) {
      const double v = py::float_(value).cast<double>();
      // JSON has no NaN/Infinity (they would reach the child as null).
      if (!std::isfinite(v)) throw py::value_error(name + ": expected a finite number");
      q["value"] = v;
    } else
      q["text"] = py::str(value).cast<std::string>();
    call(q);
  }

  py::list signals() {
    py::list out;
    auto r = call({{"op", "signals"}});
    for (const auto& s : r["signals"]) out.append(from_json(s));
    return out;
  }

  void record(const std::string& glob) { call({{"op", "record"}, {"glob", glob}}); }

  py::tuple trace(const std::string& name) {
    std::string bin;
    auto r = call({{"op", "trace"}, {"name", name}}, &bin);
    std::size_t n = r["n"].get<std::size_t>();
    py::array_t<double> t(static_cast<py::ssize_t>(n)), v(static_cast<py::ssize_t>(n));
    auto* tp = t.mutable_data();
    const auto* ts = reinterpret_cast<const std::int64_t*>(bin.data());
    for (std::size_t i = 0; i < n; ++i) tp[i] = static_cast<double>(ts[i]) * 1e-12;
    std::memcpy(v.mutable_data(), bin.data() + n * 8, n * 8);
    return py::make_tuple(t, v);
  }

  py::object rpc(const std::string& name, py::kwargs args) {
    // allow_nan=False: NaN/Infinity are not JSON (ValueError here, not a parse error in the child).
    auto js = py::module_::import("json").attr("dumps")(args, py::arg("allow_nan") = false).cast<std::string>();
    auto r = call({{"op", "rpc"}, {"name", name}, {"args", nlohmann::json::parse(js)}});
    return from_json(r["result"]);
  }

  double time() { return time_to_seconds(now_ps()); }
  bool stopped() { return call({{"op", "now"}})["stopped"].get<bool>(); }
  py::object finish() { return from_json(call({{"op", "finish"}})["result"]); }
  py::list log() {
    py::list out;
    auto r = call({{"op", "log"}});
    for (const auto& l : r["lines"]) out.append(l.get<std::string>());
    return out;
  }
  void close() {
    if (host_) {
      py::gil_scoped_release nogil;
      host_.reset();
    }
  }

 private:
  Time now_ps() { return call({{"op", "now"}})["now"].get<Time>(); }
  Time duration_ps() {
    if (!duration_) duration_ = call({{"op", "now"}}).value("duration", Time{0});
    return duration_ ? duration_ : dur_;
  }
  std::unique_ptr<SiteHost> host_;
  Time duration_ = 0, dur_ = 60 * kSec;
};

}  // namespace

PYBIND11_MODULE(_lmsim, m) {
  m.doc() = "lmsim: hardware-in-the-loop simulation of an EV-charging load-management controller";
  m.attr("__version__") = LMSIM_VERSION;
  py::class_<PySite>(m, "Site", R"doc(
A simulated site, elaborated from a scenario (a YAML file path or a dict), in its own process.

    site = lmsim.Site("scenarios/demo.yaml", seed=7, overrides={"site.main_fuse.rating": "40A"})
    site.record("site.fuse.*.current")
    site.run(until="10s")            # or until=10.0 (seconds), or for_="5s"
    site.run_until("station.abb1.state == C", timeout="60s")
    site["site.grid.L1.voltage"]; site["site.ripple.mode"] = "blocked"
    t, v = site.trace("site.fuse.L1.current")
    result = site.finish()           # verdicts, assertions, figures, provenance

trace="t.csv" writes a trace (committed by finish(); trace_limit=bytes or "500MB" stops it
cleanly, default 4GB); a failed write makes finish()'s verdict "error" with output_errors.
)doc")
      .def(py::init<py::object, py::object, py::object, std::string, std::vector<std::string>, bool, py::object>(),
           py::arg("scenario"), py::arg("seed") = py::none(), py::arg("overrides") = py::none(), py::arg("trace") = "",
           py::arg("signals") = std::vector<std::string>{}, py::arg("realtime") = false,
           py::arg("trace_limit") = py::none())
      .def("run", &PySite::run, py::arg("until") = py::none(), py::arg("for_") = py::none(),
           "Advance to `until` or by `for_` (seconds or '10s'); default: to the scenario's duration. Returns the time.")
      .def("run_until", &PySite::run_until, py::arg("condition"), py::arg("timeout") = py::none(),
           "Run until the condition holds (checked on every change); False on timeout.")
      .def("get", &PySite::get, py::arg("name"))
      .def("set", &PySite::set, py::arg("name"), py::arg("value"))
      .def("__getitem__", &PySite::get)
      .def("__setitem__", &PySite::set)
      .def("signals", &PySite::signals, "Every signal and knob: name, type, unit, knob, states.")
      .def("record", &PySite::record, py::arg("glob"), "Record matching signals from now on (for trace()).")
      .def("trace", &PySite::trace, py::arg("name"), "(times_s, values) NumPy arrays of a recorded signal.")
      .def("rpc", &PySite::rpc, py::arg("name"),
           "Call a procedure a model offers (e.g. 'modbus') at the current simulated time.")
      .def_property_readonly("time", &PySite::time, "Simulated time in seconds.")
      .def_property_readonly("stopped", &PySite::stopped, "True after a firmware fault ended the run.")
      .def("finish", &PySite::finish, "End the run: final assertion checks; returns the result dict.")
      .def("log", &PySite::log, "The run log lines.")
      .def("close", &PySite::close)
      .def("__enter__", [](PySite& s) -> PySite& { return s; })
      .def("__exit__", [](PySite& s, py::object, py::object, py::object) { s.close(); });
}
