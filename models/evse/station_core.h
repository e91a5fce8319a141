// One charging station: IEC 61851 pilot states, offered current (6 A minimum, below = pause),
// contactor, boot time after power returns, communication watchdog with a fail-safe current,
// one-client limits, phase rotation, energy counters, errors and fault knobs. Vendor
// behaviour comes from a VendorMap (data) plus the named quirk hooks implemented here.
// Event driven: it wakes only for its own timers and, while current flows, once per tick.
#pragma once
#include <array>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <systemc>

#include "models/evse/ev.h"
#include "models/evse/vendor_map.h"
#include "models/plant/consumer.h"
#include "sim/site.h"

namespace lmsim::evse {

enum class Status : std::uint8_t { Offline, Booting, Idle, AuthWait, Ready, Paused, Charging, Finished, Error };
const char* to_string(Status s);

// Core error flags (vendor maps give them their own bits).
enum ErrorFlag : std::uint32_t {
  kCommLost = 1,
  kContactorWeld = 2,
  kPowerLoss = 4,
  kEvError = 8,
  kEvOvercurrent = 16,  // the EV drew more than offered: the station opened the contactor
  kCpError = 32,        // control pilot fault (diode missing, CP shorted)
};

enum class Dhcp : std::uint8_t { Static, Reserved, Dynamic };

struct StationConfig {
  std::string name;
  const VendorMap* vendor = nullptr;
  std::array<int, 3> grid_phase{0, 1, 2};  // station phase i is on grid phase grid_phase[i]
  int nphases = 3;
  double max_current = 32;  // A, hardware rating / installation limit
  double min_current = 6;   // A, lowest PWM offer
  std::string ip;
  int port = 502;
  bool any_unit = false;
  std::vector<int> unit_ids;
  bool meter = true;
  Time boot_time = 30 * kSec;
  Time min_off_time = 0;
  bool rfid_auth = false;
  Dhcp dhcp = Dhcp::Static;
  int dlm_mode = 1;  // ECU register 600 code
  Time tick = kSec;
  double setpoint = 32, failsafe_current = 6, comm_timeout = 60;
  bool online = true;
  double nominal_voltage = 230;
  Time contactor_open_delay = 3 * kSec;            // EVSE opens at the latest this long after PWM off
  Time actuation_delay = 0, actuation_jitter = 0;  // from the vendor unless the scenario overrides
};

// Site-wide sums, updated incrementally by every station.
struct StationTotals {
  Signal* power = nullptr;
  std::array<Signal*, 3> current{};
  double p = 0;
  std::array<double, 3> i{};
};

class StationCore : public sc_core::sc_module, public plant::Consumer {
 public:
  SC_HAS_PROCESS(StationCore);
  StationCore(const sc_core::sc_module_name& nm, Site& site, StationConfig cfg, StationTotals* totals);

  const StationConfig& config() const { return cfg_; }
  // Set by the network area: after a power cycle a `dhcp: dynamic` station takes the address
  // this returns (the router's lease; empty: keep the old one). Unset (no network model): the
  // station picks a new address in its /24 itself.
  std::function<std::string(Time)> dhcp_lease;
  const VendorMap& vendor() const { return *cfg_.vendor; }
  const std::string& station_name() const { return cfg_.name; }
  std::string ip() const { return ip_->text(); }
  int port() const { return cfg_.port; }

  // Brings the station to time t (never backwards) and reschedules its timers.
  void sync(Time t);

  // --- Modbus side (ModbusEndpoint) -------------------------------------------------------
  bool modbus_answers() const;  // powered, booted, not silenced
  int injected_exception() const { return static_cast<int>(modbus_exception_->value()); }
  bool unit_ok(int unit) const;
  // Reads a bound quantity in base units; `absent` set when the station has no such quantity.
  double read(Bind b, bool& absent) const;
  // Applies a write; returns 0 or a Modbus exception code (3 = illegal value).
  int write(Bind b, double v, bool pending_restart);
  // A request was served (feeds the watchdog per the vendor rule).
  void served(bool is_read);
  // The error register was read (a latched "communication lost" flag may clear).
  void errors_read();
  // Connection bookkeeping for one-client vendors and socket drops.
  int open_connection(Time t);
  void close_connection(int id);
  bool connection_alive(int id) const { return conns_.count(id) != 0; }
  // A request arrived on connection `id` at t (idle timeout bookkeeping).
  void touch(int id, Time t);
  // Processing time the station adds to each reply (vendor `connection: {reply_latency}`).
  Time reply_latency() const { return vendor().behaviour.reply_latency; }
  // Phases the station currently supplies (1 or its hardware phases; 1p/3p switching).
  int active_phases() const { return active_phases_; }

  void add_ev(Ev* ev);
  Status status() const { return status_; }
  bool ev_connected() const { return active_ != nullptr; }
  bool ev_requesting() const { return active_ && active_->requesting(); }
  bool powered() const { return powered_ && booted_; }
  bool session_stopped() const { return session_stopped_; }
  // An extra cap on the offer from outside the station (a cloud's load balancer), in A.
  void set_external_limit(std::function<double()> f) { external_limit_ = std::move(f); }

  // plant::Consumer
  void draw(Time t, const plant::PhaseSet& volts, plant::PhaseSet& amps, plant::PhaseSet& cos_phi) override;

 private:
  void step();
  void integrate(Time t);
  void evaluate(Time t);
  void schedule(Time t);
  void power_on(Time t);
  void power_off(Time t);
  void lapse(Time t);
  void arm(Time t);
  void feed(Time t);
  double effective_limit() const;
  double shape_limit(double v) const;  // vendor quantisation of a written limit
  void set_limit(double v);            // a new Modbus limit: applied after the actuation delay
  Time lockout_time() const;
  bool error_stop() const;
  Time wd_deadline() const;
  double phase_voltage(int station_phase) const;
  void knob_changed();

  Site& site_;
  StationConfig cfg_;
  StationTotals* totals_;
  plant::PlantApi* plant_ = nullptr;
  Rng rng_;
  sc_core::sc_event wake_;
  std::vector<Ev*> evs_;
  std::vector<char> arrived_, departed_;
  Ev* active_ = nullptr;

  // signals
  Signal *state_, *status_sig_, *offered_, *current_, *power_, *energy_, *session_energy_, *contactor_sig_, *failsafe_,
      *online_, *reboot_, *silent_, *modbus_exception_, *stuck_, *ip_, *authorize_, *max_current_sig_, *rfid_sig_,
      *setpoint_sig_, *errors_sig_;
  Signal* pending_sig_ = nullptr;  // only where settings can wait for a restart
  Signal* dlm_sig_ = nullptr;      // only where the vendor has DLM roles
  std::array<Signal*, 3> phase_current_{};

  // state
  Time last_t_ = 0;
  bool powered_ = false, booted_ = false, half_started_ = false;
  Time boot_end_ = 0, off_since_ = 0;
  bool ever_powered_ = false;
  bool soft_reboot_ = false;
  std::array<double, 3> volts_{};
  bool have_volts_ = false;
  double max_current_;
  bool rfid_auth_;
  bool pending_settings_ = false;
  std::vector<std::pair<Bind, double>> pending_writes_;
  double setpoint_, setpoint_nv_, failsafe_current_, comm_timeout_;
  double applied_setpoint_;  // what the PWM uses (the written limit after the actuation delay)
  double pending_setpoint_ = 0;
  Time actuate_at_ = ~Time{0};
  int active_phases_ = 3;
  Time oc_since_ = ~Time{0};  // the EV draws above the offer since
  int session_cmd_ = 0;
  double power_setpoint_w_ = 0;
  double last_session_wh_ = 0;
  bool session_stopped_ = false, authorized_ = false, locked_ = false, available_ = true;
  std::uint32_t errors_ = 0;
  bool wd_armed_ = false, lapsed_ = false;
  bool comm_lost_seen_ = false;  // the flag was read since the lapse
  Time wd_last_feed_ = 0;
  int lifebit_ = 0;
  Time lifebit_check_ = 0;
  double lcm_ms_ = 0;
  Time lcm_at_ = 0;
  Time lockout_until_ = 0;
  bool contactor_ = false;
  Time open_deadline_ = ~Time{0};
  double offered_a_ = 0;
  Status status_ = Status::Offline;
  double session_wh_ = 0, energy_wh_ = 0;
  Time session_start_ = 0;
  std::array<double, 3> station_amps_{};  // per station phase
  std::array<double, 3> grid_amps_{};     // per grid phase
  double power_w_ = 0;
  std::function<double()> external_limit_;
  struct ConnInfo {
    Time opened = 0, last = 0;
  };
  std::map<int, ConnInfo> conns_;
  int next_conn_ = 1;
  bool in_update_ = false;
};

}  // namespace lmsim::evse
