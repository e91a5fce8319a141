// A Site is one elaborated simulation: the device, the plant, the stations and the network
// built from a scenario, plus the registry they publish into. One per process (SystemC).
//
// Model areas plug in through one build function each (see models/models.h); they read their
// part of the scenario from the YNode they are given and call finish() on every map they
// read so that unknown keys are reported with file and line.
#pragma once
#include <any>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>
#include <systemc>

#include "sim/registry.h"
#include "sim/rng.h"
#include "sim/ynode.h"

namespace lmsim {

enum class LogLevel { Debug, Info, Warn, Error };

// What ended a run, beyond assertions.
struct Fault {
  Time time = 0;
  std::string source;   // model name, e.g. "device.cpu"
  std::string message;  // "HardFault at PC=0x08000124 ..."
};

// Where the build put the firmware ELFs: $LMSIM_FIRMWARE_DIR, else <build>/firmware.
std::string firmware_dir();

class Site {
 public:
  // `root` is the merged scenario; `scenario_path` resolves relative file names.
  Site(const YNode& root, std::string scenario_path, std::uint64_t seed);
  ~Site();
  Site(const Site&) = delete;
  Site& operator=(const Site&) = delete;

  Registry& registry() { return reg_; }
  std::uint64_t seed() const { return seed_; }
  Rng rng(std::string_view model_name) const { return Rng(seed_, model_name); }
  const YNode& scenario() const { return root_; }
  // Resolves a path relative to the scenario file's folder (absolute paths unchanged);
  // "@firmware/boot.elf" names a firmware built by this build (see firmware_dir()).
  std::string resolve_path(const std::string& p) const;
  // Wall-clock date and time that simulated time 0 stands for (scenario `start`), as Unix
  // seconds. Models that need a calendar (NTP, profiles) use this, never the host clock.
  double start_epoch() const { return start_epoch_; }
  // Seconds since local midnight at simulated time t (for daily profiles).
  double time_of_day(Time t) const;

  // Owns SystemC modules for the site's lifetime.
  template <class T, class... A>
  T& make(A&&... args) {
    auto p = std::make_unique<T>(std::forward<A>(args)...);
    T& ref = *p;
    owned_.push_back(std::shared_ptr<void>(p.release(), [](void* q) { delete static_cast<T*>(q); }));
    return ref;
  }
  // Named services for wiring between areas ("plant", "device", "lan" ...).
  template <class T>
  void provide(const std::string& name, T* p) {
    services_[name] = p;
  }
  template <class T>
  T* service(const std::string& name) const {
    auto it = services_.find(name);
    if (it == services_.end()) return nullptr;
    T* const* p = std::any_cast<T*>(&it->second);
    return p ? *p : nullptr;
  }

  // Hooks run after elaboration, before time starts (e.g. connecting late-built models).
  void on_start(std::function<void()> f) { start_hooks_.push_back(std::move(f)); }
  void run_start_hooks();

  // Real-time mode only: called about every millisecond of wall time by the pacer (host
  // sockets: exposed stations, the host bridge). Never called in as-fast-as-possible mode.
  void add_poller(std::function<void()> f) { pollers_.push_back(std::move(f)); }
  const std::vector<std::function<void()>>& pollers() const { return pollers_; }
  bool realtime() const { return realtime_; }
  void set_realtime(bool r) { realtime_ = r; }
  // --expose (real-time mode): device services and stations listen on 127.0.0.1 ports.
  bool expose() const { return expose_; }
  void set_expose(bool e) { expose_ = e; }

  // Remote procedures for front ends (Python's Site.rpc(name, **args)): a model offers
  // request/response access in simulated time, e.g. "modbus" for the in-simulation client.
  // Called between time steps, never while SystemC runs.
  using Rpc = std::function<nlohmann::json(const nlohmann::json& args)>;
  void add_rpc(const std::string& name, Rpc f) { rpcs_[name] = std::move(f); }
  const Rpc* rpc(const std::string& name) const {
    auto it = rpcs_.find(name);
    return it == rpcs_.end() ? nullptr : &it->second;
  }

  // Input files that make up the run (firmware ELF, CSV profiles): hashed into the provenance.
  void add_input_file(std::string kind, std::string path) { inputs_.emplace_back(std::move(kind), std::move(path)); }
  const std::vector<std::pair<std::string, std::string>>& input_files() const { return inputs_; }

  // A model reports a fatal condition (firmware hard fault, lock-up): the run stops with exit 3.
  void report_fault(std::string source, std::string message);
  const std::vector<Fault>& faults() const { return faults_; }

  // The run log (UART lines, model events). Deterministic: stamped with simulated time.
  void log(LogLevel lvl, std::string_view source, std::string_view msg);
  const std::vector<std::string>& log_lines() const { return log_; }
  void set_log_echo(bool echo) { echo_ = echo; }

 private:
  Registry reg_;
  YNode root_;
  std::string scenario_path_;
  std::uint64_t seed_;
  double start_epoch_ = 0;
  std::vector<std::shared_ptr<void>> owned_;
  std::unordered_map<std::string, std::any> services_;
  std::vector<std::function<void()>> start_hooks_;
  std::vector<Fault> faults_;
  std::vector<std::string> log_;
  bool echo_ = false;
  bool realtime_ = false;
  bool expose_ = false;
  std::vector<std::function<void()>> pollers_;
  std::unordered_map<std::string, Rpc> rpcs_;
  std::vector<std::pair<std::string, std::string>> inputs_;
};

}  // namespace lmsim
