#include "models/mcu/flash_ctrl.h"

#include <cstring>

#include "models/mcu/power_reset.h"

namespace lmsim::mcu {

FlashCtrl::FlashCtrl(sc_core::sc_module_name name, Site& site, const YNode* device_cfg)
    : Peripheral(name, 0x1000),
      site_(site),
      busy_sig_(&site.registry().add_bool("device.flash.busy").describe("flash controller erasing or programming")),
      erases_sig_(&site.registry().add_number("device.flash.erases", "", 0).describe("completed page erases")),
      programs_sig_(&site.registry().add_number("device.flash.programs", "", 0).describe("completed word programs")),
      rng_(site.rng("device.flash")) {
  using R = RegisterBank;
  regs.add({.name = "ADDR", .offset = ADDR, .read = nullptr, .write = [this](std::uint32_t v, Time t) {
              if (!reject_if_busy(t)) addr_->value = v;
            }});
  regs.add(
      {.name = "DATA", .offset = DATA, .reset = 0xFFFFFFFF, .read = nullptr, .write = [this](std::uint32_t v, Time t) {
         if (!reject_if_busy(t)) data_->value = v;
       }});
  regs.add({.name = "CMD", .offset = CMD, .access = R::WO, .read = nullptr, .write = [this](std::uint32_t v, Time t) {
              command(v, t);
            }});
  regs.add({.name = "STATUS",
            .offset = STATUS,
            .access = R::RW,
            .read =
                [this](Time t) {
                  complete_if_due(t);
                  return status_ | (op_ != Op::None ? BUSY : 0u);
                },
            .write =
                [this](std::uint32_t v, Time t) {
                  complete_if_due(t);
                  status_ &= ~(v & (DONE | kErrors));
                  update_irq();
                }});
  regs.add({.name = "IE", .offset = IE, .read = nullptr, .write = [this](std::uint32_t v, Time) {
              ie_->value = v & (DONE | kErrors);
              update_irq();
            }});
  regs.add({.name = "PAGE_SIZE",
            .offset = PAGE_SIZE,
            .access = R::RO,
            .reset = kPageSize,
            .read = nullptr,
            .write = nullptr});
  regs.add({.name = "SIZE", .offset = SIZE, .access = R::RO, .read = [this](Time) { return size_; }, .write = nullptr});
  regs.add({.name = "BASE", .offset = BASE, .access = R::RO, .read = [this](Time) { return base_; }, .write = nullptr});
  addr_ = regs.find(ADDR);
  data_ = regs.find(DATA);
  ie_ = regs.find(IE);

  SC_METHOD(on_done_event);
  sensitive << done_ev_;
  dont_initialize();
}

void FlashCtrl::end_of_elaboration() {
  follow_power(site_, [this](bool on, Time t) { power(on, t); });
}

void FlashCtrl::attach_flash(std::uint8_t* mem, std::uint32_t base, std::uint32_t size) {
  mem_ = mem;
  base_ = base;
  size_ = size;
}

bool FlashCtrl::reject_if_busy(Time t) {
  complete_if_due(t);
  if (op_ == Op::None) return false;
  status_ |= ERR_BUSY;
  update_irq();
  return true;
}

void FlashCtrl::command(std::uint32_t v, Time t) {
  if (reject_if_busy(t)) return;
  if (v != kCmdProgram && v != kCmdErase) {
    status_ |= ERR_KEY;
    update_irq();
    return;
  }
  std::uint32_t a = addr_->value;
  bool in_range = mem_ && a >= base_ && a - base_ < size_;
  if (!in_range || (v == kCmdProgram && (a & 3u))) {
    status_ |= ERR_ADDR;
    update_irq();
    return;
  }
  if (v == kCmdProgram) {
    op_ = Op::Program;
    op_addr_ = a;
    op_data_ = data_->value;
    op_end_ = t + kProgramTime;
  } else {
    op_ = Op::Erase;
    op_addr_ = a & ~(kPageSize - 1);
    op_end_ = t + kEraseTime;
  }
  op_start_ = t;
  report_done_ = true;
  busy_sig_->set(1, t);
  notify_at(done_ev_, op_end_);
}

void FlashCtrl::complete_if_due(Time t) {
  // The CPU may run ahead of SystemC time: an access after the end sees the result.
  if (op_ != Op::None && t >= op_end_) finish_op(op_end_);
}

void FlashCtrl::finish_op(Time t) {
  std::uint8_t* p = mem_ + (op_addr_ - base_);
  if (op_ == Op::Program) {
    std::uint32_t w;
    std::memcpy(&w, p, 4);
    w &= op_data_;  // NOR: programming only clears bits
    std::memcpy(p, &w, 4);
    programs_sig_->set(static_cast<double>(++programs_), t);
    if (invalidate) invalidate(op_addr_, 4);
  } else {
    std::memset(p, 0xFF, kPageSize);
    erases_sig_->set(static_cast<double>(++erases_), t);
    if (invalidate) invalidate(op_addr_, kPageSize);
  }
  op_ = Op::None;
  done_ev_.cancel();
  busy_sig_->set(0, t);
  if (report_done_) status_ |= DONE;
  update_irq();
}

void FlashCtrl::on_done_event() {
  complete_if_due(sc_core::sc_time_stamp().value());
}

void FlashCtrl::update_irq() {
  irq.set((status_ & ie_->value) != 0);
}

void FlashCtrl::power_cut(Time t) {
  complete_if_due(t);
  if (op_ == Op::None) return;
  // Fraction done; every cell still to switch has switched with that probability.
  double f = t > op_start_ ? static_cast<double>(t - op_start_) / static_cast<double>(op_end_ - op_start_) : 0.0;
  std::uint8_t* p = mem_ + (op_addr_ - base_);
  std::uint32_t words = op_ == Op::Program ? 1 : kPageSize / 4;
  for (std::uint32_t i = 0; i < words; ++i) {
    std::uint32_t w;
    std::memcpy(&w, p + 4 * i, 4);
    std::uint32_t todo = op_ == Op::Program ? (w & ~op_data_) : ~w;  // bits to clear / to set
    std::uint32_t flip = 0;
    for (std::uint32_t b = todo; b; b &= b - 1)
      if (rng_.uniform() < f) flip |= b & (~b + 1);
    w = op_ == Op::Program ? (w & ~flip) : (w | flip);
    std::memcpy(p + 4 * i, &w, 4);
  }
  if (invalidate) invalidate(op_addr_, words * 4);
  site_.log(LogLevel::Warn, "device.flash",
            std::string(op_ == Op::Program ? "program" : "erase") + " interrupted by power loss: torn state");
  op_ = Op::None;
  done_ev_.cancel();
  busy_sig_->set(0, t);
}

void FlashCtrl::power(bool on, Time t) {
  if (!on) {
    power_cut(t);
    reset(ResetCause::PowerOn);
  }
}

void FlashCtrl::reset(ResetCause cause) {
  // The array's own sequencer finishes an operation across a system reset; only the
  // register interface starts over (no DONE for the old operation).
  Peripheral::reset(cause);
  status_ = 0;
  report_done_ = false;
  irq.set(false);
}

}  // namespace lmsim::mcu
