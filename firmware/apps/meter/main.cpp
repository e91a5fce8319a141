// Meter test firmware: prints the AFE's per-phase values once per second on the console,
// e.g. "L1 V=230.0 I=10.00 P=2300 Q=0 PF=1.000 ang=0.0 imp=12.3Wh exp=0.0Wh".
#include <cstdint>

#include "drivers/afe.h"
#include "hal/hal.h"

namespace {

// Signed fixed point: value / 10^decimals with `decimals` digits after the point.
void put_fixed(std::int64_t v, int decimals) {
  char b[24];
  int n = 0;
  bool neg = v < 0;
  std::uint64_t u = neg ? static_cast<std::uint64_t>(-v) : static_cast<std::uint64_t>(v);
  for (int d = 0; d < decimals || u || n <= decimals; ++d) {
    if (d == decimals && decimals) b[n++] = '.';
    b[n++] = static_cast<char>('0' + u % 10);
    u /= 10;
  }
  if (neg) b[n++] = '-';
  char o[24];
  for (int i = 0; i < n; ++i) o[i] = b[n - 1 - i];
  hal::console_write(o, static_cast<std::size_t>(n));
}

void field(const char* name, std::int64_t v, int scale_digits, int shown) {
  hal::console_puts(name);
  for (int i = shown; i < scale_digits; ++i) v /= 10;  // drop digits we do not show
  put_fixed(v, shown);
}

}  // namespace

int main() {
  drivers::Afe afe;
  hal::console_puts("\r\nlmsim meter: serial ");
  hal::console_puts(hal::serial_number());
  if (!afe.present()) {
    hal::console_puts(": no AFE\n");
    for (;;) hal::sleep_until_ms(hal::millis() + 1000);
  }
  hal::console_puts("\n");
  afe.init(200);
  hal::systick_start(100);
  drivers::Afe::Phase ph;
  for (std::uint32_t t = 1000;; t += 1000) {
    hal::sleep_until_ms(t);
    hal::console_puts("t=");
    hal::console_dec(t / 1000);
    field("s f=", afe.frequency_mhz(), 3, 3);
    field("Hz IN=", afe.neutral_ma(), 3, 2);
    hal::console_puts("A seq=");
    switch (afe.sequence()) {
      case drivers::Afe::Sequence::Forward: hal::console_puts("L1-L2-L3\n"); break;
      case drivers::Afe::Sequence::Reversed: hal::console_puts("reversed\n"); break;
      default: hal::console_puts("unknown\n"); break;
    }
    for (int c = 0; c < 3; ++c) {
      afe.read(c, ph);
      hal::console_puts("L");
      hal::console_dec(static_cast<std::uint32_t>(c + 1));
      field(" V=", ph.vrms_mv, 3, 1);
      field(" I=", ph.irms_ma, 3, 2);
      field(" P=", ph.p_mw, 3, 0);
      field(" Q=", ph.q_mvar, 3, 0);
      field(" PF=", ph.pf_e4, 4, 3);
      field(" ang=", ph.angle_cdeg, 2, 1);
      field(" imp=", static_cast<std::int64_t>(ph.import_mwh), 3, 1);
      field("Wh exp=", static_cast<std::int64_t>(ph.export_mwh), 3, 1);
      hal::console_puts("Wh\n");
    }
  }
}
