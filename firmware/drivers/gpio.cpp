#include "drivers/gpio.h"

namespace drivers {

void Gpio::irq_on_edges(Pin p, bool rising, bool falling) {
  std::uint32_t m = 1u << p;
  r(RISE) = rising ? (r(RISE) | m) : (r(RISE) & ~m);
  r(FALL) = falling ? (r(FALL) | m) : (r(FALL) & ~m);
}

std::uint32_t Gpio::take_edges() {
  std::uint32_t e = r(EDGE);
  r(EDGE) = e;  // write 1 to clear exactly the ones we saw
  return e;
}

}  // namespace drivers
