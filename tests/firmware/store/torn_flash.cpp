#include "store/torn_flash.h"

#include <cstring>

namespace lmc::testing {

bool TornFlash::read(std::uint32_t offset, void* dst, std::size_t n) {
  if (off_ || offset > mem_.size() || n > mem_.size() - offset) return false;
  std::memcpy(dst, mem_.data() + offset, n);
  return true;
}

double TornFlash::run(std::uint64_t duration) {
  if (armed_ && cut_at_ < clock_us_ + duration) {
    double f = cut_at_ > clock_us_ ? static_cast<double>(cut_at_ - clock_us_) / static_cast<double>(duration) : 0.0;
    clock_us_ = cut_at_;
    off_ = true;
    armed_ = false;
    return f;
  }
  clock_us_ += duration;
  return 1.0;
}

bool TornFlash::erase_page(std::uint32_t page) {
  if (off_ || page >= mem_.size() / page_) return false;
  double f = run(kEraseUs);
  std::uint8_t* p = mem_.data() + static_cast<std::size_t>(page) * page_;
  if (f >= 1.0) {
    std::memset(p, 0xFF, page_);
    ++erases_;
    ++page_erases_[page];
    return true;
  }
  // Torn: every bit still to set has been set with probability f (as FlashCtrl::power_cut).
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (std::uint32_t i = 0; i < page_; ++i)
    for (int b = 0; b < 8; ++b)
      if (!(p[i] >> b & 1) && u(rng_) < f) p[i] = static_cast<std::uint8_t>(p[i] | 1u << b);
  return false;
}

bool TornFlash::program(std::uint32_t offset, const void* src, std::size_t n) {
  if (off_ || (offset & 3u) || (n & 3u) || offset > mem_.size() || n > mem_.size() - offset) return false;
  const auto* s = static_cast<const std::uint8_t*>(src);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (std::size_t i = 0; i < n; i += 4) {
    std::uint32_t data, old;
    std::memcpy(&data, s + i, 4);
    if (data == 0xFFFFFFFFu) continue;  // the driver skips erased words
    std::memcpy(&old, mem_.data() + offset + i, 4);
    double f = run(kProgramUs);
    if (f >= 1.0) {
      old &= data;
      ++programs_;
    } else {
      std::uint32_t todo = old & ~data, flip = 0;
      for (int b = 0; b < 32; ++b)
        if ((todo >> b & 1u) && u(rng_) < f) flip |= 1u << b;
      old &= ~flip;
    }
    std::memcpy(mem_.data() + offset + i, &old, 4);
    if (off_) return false;
  }
  return true;
}

}  // namespace lmc::testing
