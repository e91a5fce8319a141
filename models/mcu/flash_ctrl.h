// FLASHCTRL: erases 4 KiB pages and programs 32-bit words of the on-chip NOR flash, which the
// CPU otherwise only reads (a CPU store to flash is a BusFault, raised by the bus). Operations
// take realistic time with a BUSY flag and a DONE interrupt; programming can only clear bits.
// A power cut in the middle leaves a torn state drawn from the seeded generator
// `device.flash`: every bit the operation still had to change flips with probability equal to
// the fraction of the operation that was done (cells switch at scattered times).
#pragma once
#include <cstdint>
#include <functional>

#include "models/mcu/peripheral.h"
#include "sim/rng.h"
#include "sim/site.h"

namespace lmsim::mcu {

class FlashCtrl : public Peripheral {
 public:
  static constexpr std::uint32_t kPageSize = 4096;
  static constexpr Time kEraseTime = 25 * kMs, kProgramTime = 50 * kUs;
  static constexpr std::uint32_t kCmdProgram = 0xF1A50001, kCmdErase = 0xF1A50002;
  enum : std::uint32_t {
    ADDR = 0x00,
    DATA = 0x04,
    CMD = 0x08,
    STATUS = 0x0C,
    IE = 0x10,
    PAGE_SIZE = 0x14,
    SIZE = 0x18,
    BASE = 0x1C,
  };
  enum : std::uint32_t { BUSY = 1u << 0, DONE = 1u << 1, ERR_BUSY = 1u << 2, ERR_ADDR = 1u << 3, ERR_KEY = 1u << 4 };
  static constexpr std::uint32_t kErrors = ERR_BUSY | ERR_ADDR | ERR_KEY;

  SC_HAS_PROCESS(FlashCtrl);
  FlashCtrl(sc_core::sc_module_name name, Site& site, const YNode* device_cfg);

  IrqLine irq;
  // The flash array (host memory owned by the device, mapped read-only into the CPU).
  void attach_flash(std::uint8_t* mem, std::uint32_t base, std::uint32_t size);
  // Translation-cache flush for rewritten code. Set by the device.
  std::function<void(std::uint32_t addr, std::uint32_t len)> invalidate;
  // Supply lost at time t: an operation in progress is left torn.
  void power_cut(Time t);
  void power(bool on, Time t);
  void reset(ResetCause cause) override;
  bool busy() const { return op_ != Op::None; }

 private:
  enum class Op { None, Program, Erase };
  void end_of_elaboration() override;
  void command(std::uint32_t v, Time t);
  void complete_if_due(Time t);
  void finish_op(Time t);
  void on_done_event();
  void update_irq();
  bool reject_if_busy(Time t);

  Site& site_;
  Signal* busy_sig_;
  Signal* erases_sig_;
  Signal* programs_sig_;
  Rng rng_;
  std::uint8_t* mem_ = nullptr;
  std::uint32_t base_ = 0, size_ = 0;
  RegisterBank::Reg* addr_ = nullptr;
  RegisterBank::Reg* data_ = nullptr;
  RegisterBank::Reg* ie_ = nullptr;

  // Model state.
  Op op_ = Op::None;
  std::uint32_t op_addr_ = 0, op_data_ = 0;
  Time op_start_ = 0, op_end_ = 0;
  bool report_done_ = true;  // false after a reset during the operation
  std::uint32_t status_ = 0;
  std::uint64_t erases_ = 0, programs_ = 0;
  sc_core::sc_event done_ev_;
};

}  // namespace lmsim::mcu
