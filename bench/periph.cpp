// bench/run periph: the peripheral models' hot paths, driven by a TLM initiator (no CPU).
//   periph.mmio_per_s          register accesses (b_transport) per wall second: GPIO OUTTGL
//                              writes (each changes a registry signal) and UART STATUS reads
//   periph.uart_tx_bytes_per_s bytes a polling writer pushes through UART0 per wall second,
//                              including the stream, the run log (a line per 64 bytes) and
//                              the SystemC events that publish them
//   periph.timer_irqs_per_s    TIMER0 matches (1 MHz, interrupt raised and cleared by the
//                              handler) per wall second
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include <tlm_utils/simple_initiator_socket.h>
#include <systemc>

#include "models/mcu/gpio.h"
#include "models/mcu/timer.h"
#include "models/mcu/uart.h"

using namespace lmsim;
using namespace lmsim::mcu;
using clk = std::chrono::steady_clock;

namespace {
double secs(clk::time_point a) {
  return std::chrono::duration<double>(clk::now() - a).count();
}

struct Initiator : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<Initiator> sock;
  tlm::tlm_generic_payload tx;
  std::uint32_t data = 0;
  Initiator(sc_core::sc_module_name n, Peripheral& p) : sc_module(n), sock("sock") {
    sock.bind(p.socket);
    tx.set_data_ptr(reinterpret_cast<unsigned char*>(&data));
    tx.set_data_length(4);
    tx.set_streaming_width(4);
  }
  std::uint32_t access(bool write, std::uint32_t addr, std::uint32_t v, Time offset = 0) {
    data = v;
    tx.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    tx.set_address(addr);
    tx.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_core::sc_time d = sc_core::sc_time::from_value(offset);
    sock->b_transport(tx, d);
    if (tx.get_response_status() != tlm::TLM_OK_RESPONSE) std::abort();
    return data;
  }
};

void run_for(Time d) {
  sc_core::sc_start(sc_core::sc_time::from_value(d));
}
}  // namespace

int main() {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
  Site site(YNode::load_string("device: {serial: SE12345678}", "bench"), "bench.yaml", 1);
  const YNode* cfg = site.scenario().get("device");
  Gpio gpio("gpio", site, cfg);
  Uart uart("uart0", site, cfg);
  Timer timer("timer0", site, cfg);
  Initiator gbus("gbus", gpio), ubus("ubus", uart), tbus("tbus", timer);
  run_for(1 * kUs);

  // MMIO: alternate a GPIO toggle (a registry change at the access time) and a UART status read.
  const int n = 4'000'000;
  auto t0 = clk::now();
  std::uint32_t acc = 0;
  for (int i = 0; i < n; ++i) {
    gbus.access(true, Gpio::OUTTGL, 1, static_cast<Time>(i) * kNs);
    acc += ubus.access(false, Uart::STATUS, 0);
  }
  double dt = secs(t0);
  std::printf("periph.mmio_per_s %.0f accesses/s\n", 2.0 * n / dt);

  // UART TX at 4 Mbaud (2.5 us per byte): write while TXNF, else let SystemC run a byte time.
  ubus.access(true, Uart::BAUD, 4'000'000);
  const Time byte = uart.byte_time();
  const std::uint64_t bytes = 2'000'000;
  t0 = clk::now();
  for (std::uint64_t k = 0; k < bytes;) {
    if (ubus.access(false, Uart::STATUS, 0) & Uart::TXNF) {
      ubus.access(true, Uart::DATA, (k % 64 == 63) ? '\n' : 'a' + static_cast<char>(k % 26));
      ++k;
    } else {
      run_for(byte);
    }
  }
  run_for(20 * byte);
  dt = secs(t0);
  auto sent = site.registry().at("device.uart0.tx").text().size();
  if (sent != bytes) {
    std::fprintf(stderr, "uart: %zu bytes published, expected %llu\n", sent, static_cast<unsigned long long>(bytes));
    return 1;
  }
  std::printf("periph.uart_tx_bytes_per_s %.0f bytes/s\n", bytes / dt);

  // TIMER0: 1 MHz matches; the "handler" (IRQ sink) clears MATCH at once.
  std::uint64_t irqs = 0;
  timer.irq.sink = [&](bool level) {
    if (!level) return;
    ++irqs;
    tbus.access(true, Timer::STATUS, Timer::MATCH);
  };
  tbus.access(true, Timer::LOAD, 120);  // 1 us at 120 MHz
  tbus.access(true, Timer::CTRL, Timer::CTRL_EN | Timer::CTRL_IE);
  t0 = clk::now();
  run_for(2 * kSec);
  dt = secs(t0);
  if (irqs != 2'000'000 && irqs != 1'999'999) {
    std::fprintf(stderr, "timer: %llu interrupts in 2 s, expected 2000000\n", static_cast<unsigned long long>(irqs));
    return 1;
  }
  std::printf("periph.timer_irqs_per_s %.0f irqs/s\n", irqs / dt);
  return acc == 0 ? 1 : 0;
}
