// UART0 driver (registers: docs/mcu-peripherals.md). Polling TX, polled or interrupt RX.
// Plain C++: builds for the firmware and for host tests (pass a fake register block).
#pragma once
#include <cstddef>
#include <cstdint>

namespace drivers {

class Uart {
 public:
  static constexpr std::uintptr_t kBase = 0x40001000;
  static constexpr std::uint32_t DATA = 0x00, STATUS = 0x04, CTRL = 0x08, BAUD = 0x0C, IE = 0x10;
  static constexpr std::uint32_t TXNF = 1u << 0, TC = 1u << 1, RXNE = 1u << 2, RXOVR = 1u << 3, TXOVR = 1u << 4;
  static constexpr std::uint32_t CTRL_TXEN = 1u << 0, CTRL_RXEN = 1u << 1;

  explicit Uart(std::uintptr_t base = kBase) : base_(base) {}
  void init(std::uint32_t baud = 115200);
  // Blocks while the TX FIFO is full.
  void put(char c);
  void write(const char* data, std::size_t n);
  void puts(const char* s);
  // Waits until the last byte has left the wire (before a reset or power-down).
  void flush();
  // Next received byte, or -1 if none.
  int get();
  bool overrun();  // RX bytes were lost since the last call
  void enable_rx_irq(bool on);

 private:
  volatile std::uint32_t& r(std::uint32_t off) const { return *reinterpret_cast<volatile std::uint32_t*>(base_ + off); }
  std::uintptr_t base_;
};

}  // namespace drivers
