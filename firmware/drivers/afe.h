// AFE driver: the 3-phase metering front end (registers: docs/mcu-afe.md). Plain C++, no
// simulator headers; builds for the firmware and for host tests (pass a fake register block).
#pragma once
#include <cstdint>

namespace drivers {

class Afe {
 public:
  static constexpr std::uintptr_t kBase = 0x40007000;
  static constexpr std::uint32_t kId = 0x31454641;  // "AFE1"
  static constexpr std::uint32_t ID = 0x000, CTRL = 0x004, STATUS = 0x008, IRQ_EN = 0x00C, WINDOW_MS = 0x010,
                                 WINDOWS = 0x014, FREQ_MHZ = 0x018, IN_MA = 0x01C, CAP_CTRL = 0x020, CAP_LEN = 0x024,
                                 CAP_RATE_HZ = 0x028, CAP_DMA = 0x02C, CAP_INDEX = 0x030, CAP_DATA = 0x034,
                                 CAP_TIME_LO = 0x038, CAP_TIME_HI = 0x03C;
  static constexpr std::uint32_t CH_BASE = 0x100, CH_STRIDE = 0x40;
  static constexpr std::uint32_t VRMS_MV = 0x00, IRMS_MA = 0x04, P_MW = 0x08, Q_MVAR = 0x0C, S_MVA = 0x10, PF_E4 = 0x14,
                                 ANGLE_CDEG = 0x18, IMP_MWH_LO = 0x20, IMP_MWH_HI = 0x24, EXP_MWH_LO = 0x28,
                                 EXP_MWH_HI = 0x2C;
  static constexpr std::uint32_t CTRL_EN = 1u << 0, CTRL_ENERGY_CLR = 1u << 1;
  static constexpr std::uint32_t DRDY = 1u << 0, CAP_DONE = 1u << 1, CAP_BUSY = 1u << 2, CAP_ERR = 1u << 3;

  // One channel's results of the last integration window (fixed point, as the registers).
  struct Phase {
    std::uint32_t vrms_mv, irms_ma, s_mva;
    std::int32_t p_mw, q_mvar, pf_e4, angle_cdeg;  // angle > 0: current lags
    std::uint64_t import_mwh, export_mwh;
  };
  enum class Sequence : std::uint32_t { Unknown = 0, Forward = 1, Reversed = 2 };

  explicit Afe(std::uintptr_t base = kBase) : base_(base) {}
  bool present() const { return r(ID) == kId; }
  // Enables measuring with the given integration window (20..10000 ms).
  void init(std::uint32_t window_ms, bool irq_on_ready = false);
  // A new window's results are ready (clears the flag when `take` is set).
  bool ready(bool take = true);
  std::uint32_t windows() const { return r(WINDOWS); }
  void read(int channel, Phase& out) const;  // channel 0..2 (L1..L3)
  std::uint32_t frequency_mhz() const { return r(FREQ_MHZ); }
  std::uint32_t neutral_ma() const { return r(IN_MA); }
  // Bit c set: channel c sees its voltage.
  std::uint32_t voltage_present() const { return (r(STATUS) >> 8) & 7u; }
  Sequence sequence() const { return static_cast<Sequence>((r(STATUS) >> 12) & 3u); }
  void clear_energy() { r(CTRL) = CTRL_EN | CTRL_ENERGY_CLR; }

  // Waveform capture: `points` samples per channel at `rate_hz`, interleaved V1 I1 V2 I2 V3 I3
  // (int32, mV and mA). With a non-zero dma_addr the AFE writes them to RAM when done.
  bool capture_start(std::uint32_t points, std::uint32_t rate_hz, std::uint32_t dma_addr = 0);
  bool capture_busy() const { return r(STATUS) & CAP_BUSY; }
  bool capture_ok() const { return (r(STATUS) & (CAP_DONE | CAP_ERR)) == CAP_DONE; }
  // Reads `n` words from word index `first` of the capture buffer.
  void capture_read(std::uint32_t first, std::int32_t* out, std::uint32_t n);

 private:
  volatile std::uint32_t& r(std::uint32_t off) const { return *reinterpret_cast<volatile std::uint32_t*>(base_ + off); }
  std::uintptr_t base_;
};

}  // namespace drivers
