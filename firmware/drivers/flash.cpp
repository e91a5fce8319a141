#include "drivers/flash.h"

#include <cstring>

namespace drivers {

Flash::Result Flash::run(std::uint32_t cmd) {
  r(STATUS) = DONE | ERR_BUSY | ERR_ADDR | ERR_KEY;
  r(CMD) = cmd;
  std::uint32_t s;
  while ((s = r(STATUS)) & BUSY) {
  }
  r(STATUS) = s & (DONE | ERR_BUSY | ERR_ADDR | ERR_KEY);
  if (s & ERR_BUSY) return Result::Busy;
  if (s & ERR_ADDR) return Result::BadAddress;
  if (s & ERR_KEY) return Result::Error;
  return Result::Ok;
}

Flash::Result Flash::erase_page(std::uint32_t addr) {
  if (busy()) return Result::Busy;
  r(ADDR) = addr;
  return run(kCmdErase);
}

Flash::Result Flash::program_word(std::uint32_t addr, std::uint32_t value) {
  if (busy()) return Result::Busy;
  r(ADDR) = addr;
  r(DATA) = value;
  return run(kCmdProgram);
}

Flash::Result Flash::program(std::uint32_t addr, const void* src, std::size_t n) {
  if ((addr & 3u) || (n & 3u)) return Result::BadAddress;
  const auto* p = static_cast<const std::uint8_t*>(src);
  for (std::size_t i = 0; i < n; i += 4) {
    std::uint32_t w;
    std::memcpy(&w, p + i, 4);
    if (w == 0xFFFFFFFFu) continue;  // erased value: nothing to program
    Result res = program_word(addr + static_cast<std::uint32_t>(i), w);
    if (res != Result::Ok) return res;
  }
  return Result::Ok;
}

}  // namespace drivers
