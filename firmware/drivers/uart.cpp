#include "drivers/uart.h"

namespace drivers {

void Uart::init(std::uint32_t baud) {
  r(BAUD) = baud;
  r(CTRL) = CTRL_TXEN | CTRL_RXEN;
  r(STATUS) = RXOVR | TXOVR;
}

void Uart::put(char c) {
  while (!(r(STATUS) & TXNF)) {
  }
  r(DATA) = static_cast<unsigned char>(c);
}

void Uart::write(const char* data, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) put(data[i]);
}

void Uart::puts(const char* s) {
  while (*s) put(*s++);
}

void Uart::flush() {
  while (!(r(STATUS) & TC)) {
  }
}

int Uart::get() {
  if (!(r(STATUS) & RXNE)) return -1;
  return static_cast<int>(r(DATA) & 0xFF);
}

bool Uart::overrun() {
  bool o = r(STATUS) & RXOVR;
  if (o) r(STATUS) = RXOVR;
  return o;
}

void Uart::enable_rx_irq(bool on) {
  std::uint32_t ie = r(IE);
  r(IE) = on ? (ie | RXNE | RXOVR) : (ie & ~(RXNE | RXOVR));
}

}  // namespace drivers
