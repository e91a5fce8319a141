// A host fake of lmc::Flash that tears exactly as FLASHCTRL does (docs/mcu-peripherals.md,
// models/mcu/flash_ctrl.cpp): an erase takes 25 ms and sets bits, a word program takes 50 us
// and clears bits (old & data); a supply cut at flash time T leaves the operation in progress
// with each bit it still had to change changed with probability (elapsed / duration), drawn
// from a seeded generator; after the cut the device is off and every operation fails.
// Words of 0xFFFFFFFF are skipped as firmware/drivers/flash.cpp skips them (no time).
#pragma once
#include <cstdint>
#include <random>
#include <vector>

#include "app/ports.h"

namespace lmc::testing {

class TornFlash final : public lmc::Flash {
 public:
  static constexpr std::uint64_t kEraseUs = 25000, kProgramUs = 50;

  explicit TornFlash(std::uint32_t size = 64 * 1024, std::uint32_t page = 4096, std::uint64_t seed = 1)
      : mem_(size, 0xFF), page_(page), rng_(seed) {}

  std::uint32_t size() const override { return static_cast<std::uint32_t>(mem_.size()); }
  std::uint32_t page_size() const override { return page_; }
  bool read(std::uint32_t offset, void* dst, std::size_t n) override;
  bool erase_page(std::uint32_t page) override;
  bool program(std::uint32_t offset, const void* src, std::size_t n) override;

  // Arms a supply cut after `us` microseconds of flash busy time from now (0: at the start of
  // the next operation). Disarm with cut_after(-1) semantics: power_on().
  void cut_after(std::uint64_t us) {
    cut_at_ = clock_us_ + us;
    armed_ = true;
  }
  // The device comes back: operations work again, no cut armed.
  void power_on() {
    off_ = false;
    armed_ = false;
  }
  bool off() const { return off_; }
  std::uint64_t clock_us() const { return clock_us_; }
  std::uint64_t erases() const { return erases_; }
  std::uint64_t programs() const { return programs_; }
  std::vector<std::uint64_t> erase_counts_per_page() const { return page_erases_; }
  std::vector<std::uint8_t>& raw() { return mem_; }

 private:
  // Runs one operation of `duration` us; returns the fraction done (1 = complete).
  double run(std::uint64_t duration);
  std::vector<std::uint8_t> mem_;
  std::uint32_t page_;
  std::mt19937_64 rng_;
  std::uint64_t clock_us_ = 0, cut_at_ = 0, erases_ = 0, programs_ = 0;
  std::vector<std::uint64_t> page_erases_ = std::vector<std::uint64_t>(mem_.size() / page_, 0);
  bool armed_ = false, off_ = false;
};

}  // namespace lmc::testing
