// Flash controller driver: page erase and word program through FLASHCTRL (the CPU cannot
// store to flash directly: that is a BusFault). Blocking calls poll BUSY. Plain C++.
#pragma once
#include <cstddef>
#include <cstdint>

namespace drivers {

class Flash {
 public:
  static constexpr std::uintptr_t kBase = 0x40005000;
  static constexpr std::uint32_t kPageSize = 4096;
  static constexpr std::uint32_t kCmdProgram = 0xF1A50001, kCmdErase = 0xF1A50002;
  static constexpr std::uint32_t ADDR = 0x00, DATA = 0x04, CMD = 0x08, STATUS = 0x0C, IE = 0x10, PAGE_SIZE = 0x14,
                                 SIZE = 0x18;
  static constexpr std::uint32_t BUSY = 1u << 0, DONE = 1u << 1, ERR_BUSY = 1u << 2, ERR_ADDR = 1u << 3,
                                 ERR_KEY = 1u << 4;
  enum class Result { Ok, Busy, BadAddress, Error };

  explicit Flash(std::uintptr_t base = kBase) : base_(base) {}
  // Erases the 4 KiB page containing addr (about 25 ms).
  Result erase_page(std::uint32_t addr);
  // Programs one word (about 50 us); NOR: the result is old & value.
  Result program_word(std::uint32_t addr, std::uint32_t value);
  // Programs n bytes (n a multiple of 4, addr word-aligned) from src.
  Result program(std::uint32_t addr, const void* src, std::size_t n);
  bool busy() const { return r(STATUS) & BUSY; }

 private:
  Result run(std::uint32_t cmd);
  volatile std::uint32_t& r(std::uint32_t off) const { return *reinterpret_cast<volatile std::uint32_t*>(base_ + off); }
  std::uintptr_t base_;
};

}  // namespace drivers
