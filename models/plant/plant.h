// The plant: everything electrical around the device, stepped on a fixed plant step in ONE
// SC_METHOD (no process per load). Per step: protections integrate the interval just passed,
// due elements (loads, PV) update, the topology (grid, fuse, RCD) gives each side's voltages,
// element demands are summed per phase and side into phasor currents, and the AFE's listeners
// get the meter frame (sensor wiring and errors applied).
#pragma once
#include <array>
#include <memory>
#include <queue>
#include <vector>

#include <systemc>

#include "models/plant/circuit.h"
#include "models/plant/consumer.h"
#include "models/plant/current_sensor.h"
#include "models/plant/element.h"
#include "models/plant/grid.h"
#include "models/plant/main_fuse.h"
#include "models/plant/meter_chain.h"
#include "models/plant/meter_tap.h"
#include "models/plant/rcd.h"
#include "sim/site.h"

namespace lmsim::plant {

// The device's own 230 V supply (its voltage inputs sit on the same terminals).
struct DeviceSupply {
  bool behind_rcd = true;
  bool neutral_in_front = false;  // the manual's miswiring: L behind the RCD, N in front
  int phase = 0;                  // supply phase 0..2
  double power = 3;               // W drawn
  // Wide-range switch-mode supply: regulates down to min_input, then holds up for hold_up.
  double min_input = 85;  // V
  Time hold_up = 20 * kMs;
  double nominal = 230;  // V, what the power controller is told while the supply regulates
};

class Plant : public sc_core::sc_module, public PlantApi, public MeterSource {
 public:
  struct Config {
    Time step = 10 * kMs;
    Grid::Config grid;
    MainFuse::Config fuse;
    Rcd::Config rcd;
    // Each channel clamps and pairs with its own phase unless `sensors:` says otherwise.
    std::array<CurrentSensor::Config, 3> sensors = CurrentSensor::per_phase_defaults();
    DeviceSupply device;
    std::vector<Circuit::Config> circuits;  // sub-distribution circuits (`site.circuits:`)
    MeterChain::Config meter;               // noise, quantisation, latency of the meter path
  };
  Plant(sc_core::sc_module_name name, Site& site, Config cfg);
  ~Plant() override;

  // Takes ownership; call before the simulation starts.
  void add_element(std::unique_ptr<Element> e);
  std::size_t element_count() const { return elements_.size(); }

  // PlantApi
  void attach(Consumer* c) override { consumers_.push_back(c); }
  double phase_voltage(int phase, bool behind_rcd) const override;
  void request_update() override;

  // MeterSource
  const MeterFrame& meter_frame() const override { return frame_; }
  void add_step_listener(StepListener* l) override { listeners_.push_back(l); }
  Time step() const override { return step_; }

  // Observers for tests and benchmarks (everything else goes through the registry).
  Complex phase_current(int p, int order_index = 0) const { return i_[p][order_index]; }
  const MainFuse& fuse() const { return *fuse_; }
  const Rcd& rcd() const { return *rcd_; }
  std::size_t circuit_count() const { return circuits_.size(); }
  const Circuit& circuit(std::size_t k) const { return *circuits_[k]; }
  std::uint64_t steps() const { return steps_; }

 private:
  struct Due {
    Time t;
    std::uint32_t idx, gen;
    bool operator>(const Due& o) const { return t != o.t ? t > o.t : idx > o.idx; }
  };
  enum Group { kFront, kBehind, kBypass, kGroups };
  // Sums are kept per group and load model (constant power, current, impedance): slot
  // g + kGroups * model; the model's power scales with (|V| / V_nominal)^model. Circuit k's
  // elements use slot kSlots + 3 * k + model.
  static constexpr int kSlots = kGroups * 3;
  SC_HAS_PROCESS(Plant);

  void start_of_simulation() override;
  void run();
  void schedule(std::uint32_t idx, Time t);
  void sum_elements();
  // Share of an element's phases that are live on its side of the RCD.
  double live_fraction(const Element& e) const;
  // Phase p is live where the element is wired (its side of the RCD, or its circuit).
  bool side_live(const Element::Wiring& w, int p) const {
    return w.circuit ? circuits_[static_cast<std::size_t>(w.circuit - 1)]->live[p]
                     : (w.behind_rcd ? live_behind_[p] : live_front_[p]);
  }
  // Circuit protections: integrate the interval, log trips.
  void integrate_circuits(double dt);
  void circuit_residuals();
  void compute_currents(Time t);
  // Currents at the present building voltages (ask_consumers: call their draw(), else reuse).
  void solve_currents(Time t, bool ask_consumers);
  void publish();
  void build_frame(MeterFrame& f);
  // The meter frame the AFE sees at t: the true state through the measuring chain.
  void update_meter(Time t, double dt);
  // Index of a harmonic order, added if new (only while building).
  int order_index(int order);

  Site& site_;
  Time step_;
  Grid grid_;
  std::unique_ptr<MainFuse> fuse_;
  std::unique_ptr<Rcd> rcd_;
  std::vector<std::unique_ptr<CurrentSensor>> sensors_;
  DeviceSupply dev_;

  std::vector<std::unique_ptr<Element>> elements_;
  std::vector<std::uint32_t> gen_;
  std::priority_queue<Due, std::vector<Due>, std::greater<Due>> due_;
  std::vector<Consumer*> consumers_;
  std::vector<StepListener*> listeners_;

  // Harmonic orders (fundamental first) and the grid's voltage harmonics per order index.
  int orders_ = 1;
  int order_[kMaxOrders] = {1};
  Complex vharm_[kMaxOrders]{};   // fraction of the fundamental, angle relative to order*theta
  Complex rot_[3][kMaxOrders]{};  // exp(j * order * phase offset)

  // Element sums per slot and phase: fundamental S (VA) and harmonic "VA-equivalents".
  std::vector<std::array<Complex, 3>> s_;
  std::vector<std::array<std::array<Complex, kMaxOrders>, 3>> h_;
  std::vector<std::unique_ptr<Circuit>> circuits_;
  std::vector<int> cons_circuit_;  // per consumer: circuit index or -1
  std::vector<unsigned char> circ_topo_;
  unsigned circ_ver_ = ~0u;
  bool circ_dirty_ = true;       // a circuit knob changed: recompute its residual current
  bool circ_consumers_ = false;  // stations draw behind circuits
  double vn_ = 230;              // nominal voltage of constant-current/impedance loads
  Complex zs_;                   // source impedance per phase conductor (Ω)
  Complex vsrc_[3]{};            // source fundamental per phase (before the drop)
  Complex cons_i_[3]{};          // consumers' currents of this evaluation
  double leak_[3] = {0, 0, 0};   // element leakage behind the RCD per phase (A, in phase with V)
  double leak_dc_ = 0;           // smooth DC leakage behind the RCD
  bool dirty_ = true;

  // Live state
  std::array<bool, 3> live_front_{}, live_behind_{};
  unsigned topo_ = ~0u, grid_ver_ = ~0u, rcd_ver_ = ~0u;
  Complex v_[3][kMaxOrders]{};  // building-side voltage per phase
  Complex vinv_[3]{};           // V1 / |V1|^2 (0 on a dead phase): I = conj(S) * vinv
  std::vector<char> group_used_;
  bool changed_ = true;  // currents must be recomputed
  unsigned sensor_ver_ = ~0u;
  Complex i_[3][kMaxOrders]{};  // current per phase conductor, towards the building
  std::array<double, 3> irms_{};
  Residual residual_;
  Complex bypass_[kMaxOrders]{};  // neutral current returning in front of the RCD, per order
  double theta_ = 0;
  double freq_seen_ = -1;  // grid frequency the elements last saw
  Time last_ = 0;
  bool in_run_ = false;
  std::uint64_t steps_ = 0;
  MeterFrame frame_;  // what the AFE sees
  MeterFrame truth_;  // the sensors' output now (before noise, quantisation, latency)
  MeterChain chain_;
  double theta_abs_ = 0;  // unwrapped fundamental phase (rad)
  double varg_ = 0;       // unwrapped angle of the measured voltage
  double varg_raw_ = 0;
  bool varg_valid_ = false;
  bool varg_present_ = false;
  std::uint64_t varg_version_ = ~0ull;
  double fmeas_grid_ = -1;  // grid frequency the measurement last saw
  Time fmeas_break_ = 0;    // last change of frequency or voltage angle
  sc_core::sc_event wake_;

  // Signals
  std::array<Signal*, 3> sig_v_{}, sig_i_{}, sig_p_{};
  Signal* sig_power_ = nullptr;
  Signal* sig_import_ = nullptr;
  Signal* sig_export_ = nullptr;
  Signal* sig_supply_ = nullptr;  // site.device_supply.voltage
  Signal* sig_psu_ok_ = nullptr;
  std::array<Signal*, 3> sig_meter_i_{}, sig_meter_v_{};  // what the AFE's inputs see
  Signal* sig_meter_f_ = nullptr;
  std::uint64_t meter_published_ = ~0ull;
  Time psu_low_since_ = kNever;  // input below min_input since
  Signal* dev_knob_ = nullptr;   // device.supply.voltage (PWR), if the device exists
  double e_import_ = 0, e_export_ = 0;
};

}  // namespace lmsim::plant
