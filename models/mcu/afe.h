// AFE: the 3-phase metering analog front end (base 0x4000_7000, IRQ 5). Integrates over a
// configurable window from the plant's per-channel phasor spectra (after wiring and sensor
// errors, see models/plant/meter_tap.h): per channel Vrms, Irms, P, Q, S, PF, V-I angle, import
// and export energy; frequency, neutral current and phase sequence. A waveform capture
// synthesises samples only when the firmware asks for one (registers or DMA into SRAM).
// Registers: docs/mcu-afe.md.
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "models/mcu/peripheral.h"
#include "models/plant/meter_tap.h"
#include "sim/site.h"

namespace lmsim::mcu {

class Afe : public Peripheral, public plant::StepListener {
 public:
  enum : std::uint32_t {
    ID = 0x000,
    CTRL = 0x004,
    STATUS = 0x008,
    IRQ_EN = 0x00C,
    WINDOW_MS = 0x010,
    WINDOWS = 0x014,
    FREQ_MHZ = 0x018,
    IN_MA = 0x01C,
    CAP_CTRL = 0x020,
    CAP_LEN = 0x024,
    CAP_RATE_HZ = 0x028,
    CAP_DMA = 0x02C,
    CAP_INDEX = 0x030,
    CAP_DATA = 0x034,
    CAP_TIME_LO = 0x038,
    CAP_TIME_HI = 0x03C,
    CH_BASE = 0x100,  // channel k at CH_BASE + k * CH_STRIDE
    CH_STRIDE = 0x40,
    // Channel register offsets
    VRMS_MV = 0x00,
    IRMS_MA = 0x04,
    P_MW = 0x08,
    Q_MVAR = 0x0C,
    S_MVA = 0x10,
    PF_E4 = 0x14,
    ANGLE_CDEG = 0x18,
    IMP_MWH_LO = 0x20,
    IMP_MWH_HI = 0x24,
    EXP_MWH_LO = 0x28,
    EXP_MWH_HI = 0x2C,
  };
  enum : std::uint32_t {
    CTRL_EN = 1u << 0,
    CTRL_ENERGY_CLR = 1u << 1,
    ST_DRDY = 1u << 0,
    ST_CAP_DONE = 1u << 1,
    ST_CAP_BUSY = 1u << 2,
    ST_CAP_ERR = 1u << 3,
    ST_VPRESENT_SHIFT = 8,  // bits 8..10: channel 1..3 voltage present
    ST_SEQ_SHIFT = 12,      // bits 12..13: 0 unknown, 1 L1-L2-L3, 2 reversed
    ST_W1C = ST_DRDY | ST_CAP_DONE | ST_CAP_ERR,
  };
  static constexpr std::uint32_t kId = 0x31454641;  // "AFE1"
  static constexpr std::uint32_t kMaxCapture = 2048;
  static constexpr double kVPresent = 50.0;  // V RMS

  SC_HAS_PROCESS(Afe);
  Afe(sc_core::sc_module_name name, Site& site, const YNode* device_cfg);

  IrqLine irq;
  // Wiring: normally found through the site service "plant.meter" at end of elaboration.
  void attach(plant::MeterSource* src);
  void reset(ResetCause cause) override;
  void on_plant_step(Time t, double dt_s) override;

 private:
  struct Acc {
    double v2 = 0, i2 = 0, p = 0, q = 0;
    plant::Complex vi1{};
  };
  // Per-step quantities of one frame version (the plant's phasors rarely change every step).
  struct Inst {
    double v2 = 0, i2 = 0, p = 0;
    plant::Complex vi1{};
  };
  struct Result {
    double vrms = 0, irms = 0, p = 0, q = 0, s = 0, pf = 0, angle = 0;
  };

  void end_of_elaboration() override;
  void latch();
  void start_capture(Time t);
  void finish_capture();
  void capture_done_method();
  void update_irq() { irq.set(powered_ && (status_ & regs.find(IRQ_EN)->value & ST_W1C) != 0); }
  std::uint32_t status(Time now);

  Site& site_;
  plant::MeterSource* src_ = nullptr;
  bool powered_ = true;
  std::uint32_t status_ = 0;
  std::uint32_t windows_ = 0;
  double acc_t_ = 0;
  std::array<Acc, 3> acc_{};
  double in2_ = 0;
  std::uint64_t inst_version_ = ~0ull;
  std::array<Inst, 3> inst_{};
  double inst_in2_ = 0;
  std::array<Result, 3> res_{};
  double freq_ = 0, in_ = 0;
  std::array<double, 3> imp_wh_{}, exp_wh_{};
  std::uint32_t hi_latch_ = 0;
  // Capture
  std::vector<std::int32_t> cap_;
  bool cap_busy_ = false;
  Time cap_start_ = 0, cap_done_at_ = 0;
  sc_core::sc_event cap_ev_;
};

}  // namespace lmsim::mcu
