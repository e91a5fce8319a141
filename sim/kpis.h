// Load-management key figures of a run (issue 13), written to result.json "kpis":
//  - the fuse: peak phase current against the fuse rating, time above the rating;
//  - with a load-managed site (a device config with lm.fuse, or EVs): the phase limit (CFG-02:
//    fuse − max(5 %, 1 A)), seconds above it, reaction time to an overload (longest time above
//    the limit in one episode) and to a block (from a ripple command — a DI edge or a cloud mode
//    change — to the stations' current <= 0.5 A on every phase, section C 10), energy delivered
//    per EV, contactor switchings per EV (its station's contactor), unused headroom (%) and
//    Jain's fairness index over the EVs of equal priority.
// Every figure is integrated from the signals' change times (values hold between changes).
#pragma once
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#include "sim/registry.h"

namespace lmsim {

class YNode;

// The load-management figures. Signals a site does not have are left out of the sums.
class LmKpis : public ChangeListener {
 public:
  struct Ev {
    std::string name, station, priority = "normal";
  };
  // limit_a: the per-phase limit the controller keeps (CFG-02).
  LmKpis(Registry& reg, double limit_a, std::vector<Ev> evs, Time now);
  ~LmKpis() override;
  void on_change(const Signal& s, Time t) override;
  nlohmann::json figures(Time now) const;
  // CFG-02 default: fuse − max(5 % of it, 1 A).
  static double phase_limit(double fuse_a);
  // From a scenario: limit from device.config lm.fuse (else the main fuse rating), EVs from
  // `evs`, priorities from `stations`. Null when the scenario has neither EVs nor a device LM
  // configuration.
  static std::unique_ptr<LmKpis> from_scenario(Registry& reg, const YNode& root, double rating, Time now);

  static constexpr double kBlockedA = 0.5;      // section C 10: "sum <= 0.5 A"
  static constexpr double kBlockWindowS = 300;  // a command not followed by a block within this is none

 private:
  enum class Kind : std::uint8_t { Fuse, Stations, Power, Connected, Requesting, Contactor, Command };
  struct Watch {
    Kind kind;
    int index;  // phase or EV
    double value;
  };
  void joint(Time t);  // integrates headroom and time above the limit up to t
  double headroom_rate(double& unused) const;

  double limit_;
  std::vector<Ev> evs_;
  std::unordered_map<const Signal*, Watch> watch_;
  std::vector<Signal*> signals_;
  double fuse_[3] = {0, 0, 0}, st_[3] = {0, 0, 0};
  bool have_phase_[3] = {false, false, false};
  std::vector<double> power_, connected_;
  std::vector<Time> power_t_, connected_t_;
  std::vector<double> energy_ws_, connected_s_;
  std::vector<int> switchings_;
  int requesting_ = 0;
  Time joint_t_ = 0;
  double avail_as_ = 0, unused_as_ = 0, above_s_ = 0;
  bool over_ = false;
  Time over_since_ = 0;
  std::vector<double> overload_s_, block_s_;
  bool block_pending_ = false;
  Time block_since_ = 0;
};

class LoadKpis : public ChangeListener {
 public:
  // `phases`: the fuse phase currents (A); `rating`: the main fuse rating (A).
  LoadKpis(const std::vector<Signal*>& phases, double rating, Time now);
  void on_change(const Signal& s, Time t) override;
  nlohmann::json figures(Time now) const;
  // Adds the load-management figures for a scenario that manages load (see LmKpis).
  void attach_lm(Registry& reg, const YNode& root, Time now);

 private:
  bool above() const;
  std::vector<Signal*> phases_;
  double rating_, peak_ = 0;
  Time above_since_ = 0, above_ps_ = 0;
  bool is_above_ = false;
  std::unique_ptr<LmKpis> lm_;
};

}  // namespace lmsim
