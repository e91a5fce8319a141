#include "models/mcu/uart.h"

#include <gtest/gtest.h>

#include "periph_harness.h"

using namespace periph_test;
using lmsim::kMs;
using lmsim::kUs;

namespace {
constexpr Time kByte115200 = 86805556;  // 10 bits at 115200 baud, in ps (rounded)

// Writes a string the way polling firmware does: wait for TXNF, then write DATA.
void puts_polling(Initiator& bus, const std::string& s) {
  for (char c : s) {
    while (!(bus.rd(Uart::STATUS) & Uart::TXNF)) run_until(now() + 1 * kUs);
    bus.wr(Uart::DATA, static_cast<unsigned char>(c));
  }
}
}  // namespace

TEST(Uart, RegisterResetValuesAndBadOffsets) {
  auto site = make_site();
  Uart uart("uart0", *site, device_cfg(*site));
  Initiator bus("bus", uart);
  EXPECT_EQ(bus.rd(Uart::STATUS), Uart::TXNF | Uart::TC);
  EXPECT_EQ(bus.rd(Uart::CTRL), Uart::CTRL_TXEN | Uart::CTRL_RXEN);
  EXPECT_EQ(bus.rd(Uart::BAUD), 115200u);
  EXPECT_EQ(bus.rd(Uart::IE), 0u);
  EXPECT_EQ(bus.rd(Uart::DATA), 0u);  // RX empty
  EXPECT_EQ(bus.last, tlm::TLM_OK_RESPONSE);
  bus.rd(0x14);
  EXPECT_EQ(bus.last, tlm::TLM_ADDRESS_ERROR_RESPONSE);
  bus.rd(0xFFC);
  EXPECT_EQ(bus.last, tlm::TLM_ADDRESS_ERROR_RESPONSE);
  bus.rd(0x02);  // misaligned word
  EXPECT_EQ(bus.last, tlm::TLM_ADDRESS_ERROR_RESPONSE);
  // Byte access to BAUD modifies only its byte.
  std::uint8_t b = 0x00;
  bus.access(true, Uart::BAUD, &b, 1);
  EXPECT_EQ(bus.rd(Uart::BAUD), 115200u & ~0xFFu);
  // Out-of-range baud is ignored with a warning in the run log.
  bus.wr(Uart::BAUD, 0);
  EXPECT_EQ(bus.rd(Uart::BAUD), 115200u & ~0xFFu);
  ASSERT_FALSE(site->log_lines().empty());
  EXPECT_NE(site->log_lines().back().find("BAUD 0 out of range"), std::string::npos);
  // Reset restores everything.
  bus.wr(Uart::IE, 0xFF);
  uart.reset(ResetCause::Software);
  EXPECT_EQ(bus.rd(Uart::IE), 0u);
  EXPECT_EQ(bus.rd(Uart::BAUD), 115200u);
}

TEST(Uart, TxGoesToStreamAndLogLines) {
  auto site = make_site();
  Uart uart("uart0", *site, device_cfg(*site));
  Initiator bus("bus", uart);
  struct Rec : lmsim::ChangeListener {
    std::vector<std::pair<Time, std::size_t>> v;
    void on_change(const lmsim::Signal& s, Time t) override { v.emplace_back(t, s.text().size()); }
  } rec;
  site->registry().at("device.uart0.tx").add_listener(&rec);
  run_until(1 * kMs);
  puts_polling(bus, "boot SE12345678\r\nsecond line\nno newline");
  run_until(now() + 10 * kMs);
  auto& tx = site->registry().at("device.uart0.tx");
  EXPECT_EQ(tx.text(), "boot SE12345678\r\nsecond line\nno newline");
  std::vector<std::string> uart_lines;
  for (auto& l : site->log_lines())
    if (l.find("device.uart0:") != std::string::npos) uart_lines.push_back(l.substr(l.find("device.uart0:") + 14));
  ASSERT_EQ(uart_lines.size(), 2u);
  EXPECT_EQ(uart_lines[0], "boot SE12345678");
  EXPECT_EQ(uart_lines[1], "second line");
  // 39 bytes at 115200 baud take 39 byte times; polling started at 1 ms.
  EXPECT_NEAR(lmsim::time_to_seconds(tx.last_change()), 1e-3 + 39 * 86.806e-6, 2e-6);
  // Each line is published exactly when its '\n' has left the wire (bytes 17 and 29).
  auto at_size = [&](std::size_t n) {
    for (auto& [t, size] : rec.v)
      if (size == n) return t;
    return Time{0};
  };
  EXPECT_EQ(at_size(17), 1 * kMs + 17 * kByte115200);
  EXPECT_EQ(at_size(29), 1 * kMs + 29 * kByte115200);
  EXPECT_LT(rec.v.size(), 10u);  // a few bursts, not one change per byte
  // Blank lines stay in the stream but not in the run log.
  puts_polling(bus, "\r\n\r\nthird\n");
  run_until(now() + 10 * kMs);
  EXPECT_EQ(tx.text(), "boot SE12345678\r\nsecond line\nno newline\r\n\r\nthird\n");
  uart_lines.clear();
  for (auto& l : site->log_lines())
    if (l.find("device.uart0:") != std::string::npos) uart_lines.push_back(l.substr(l.find("device.uart0:") + 14));
  EXPECT_EQ(uart_lines, (std::vector<std::string>{"boot SE12345678", "second line", "no newline", "third"}));
}

TEST(Uart, ByteTimingAt115200AndFifoDepth) {
  auto site = make_site();
  Uart uart("uart0", *site, device_cfg(*site));
  Initiator bus("bus", uart);
  EXPECT_EQ(uart.byte_time(), kByte115200);
  run_until(100 * kUs);
  Time t0 = now();
  bus.wr(Uart::DATA, 'x');
  EXPECT_TRUE(bus.rd(Uart::STATUS) & Uart::TXBUSY);
  EXPECT_FALSE(bus.rd(Uart::STATUS, kByte115200 - 1) & Uart::TC);
  EXPECT_TRUE(bus.rd(Uart::STATUS, kByte115200) & Uart::TC);
  run_until(t0 + kByte115200 + 1);
  EXPECT_EQ(site->registry().at("device.uart0.tx").text(), "x");
  // 1 byte in the shift register + 16 in the FIFO fit; the 18th is dropped with TXOVR.
  Time t1 = now();
  for (int i = 0; i < 17; ++i) bus.wr(Uart::DATA, 'a' + i);
  std::uint32_t st = bus.rd(Uart::STATUS);
  EXPECT_FALSE(st & Uart::TXNF);
  EXPECT_EQ((st >> 8) & 0xFF, 16u);
  EXPECT_FALSE(st & Uart::TXOVR);
  bus.wr(Uart::DATA, 'Z');
  EXPECT_TRUE(bus.rd(Uart::STATUS) & Uart::TXOVR);
  // After one byte time the FIFO has room again.
  EXPECT_TRUE(bus.rd(Uart::STATUS, kByte115200) & Uart::TXNF);
  EXPECT_EQ((bus.rd(Uart::STATUS, 5 * kByte115200) >> 8) & 0xFF, 11u);
  run_until(t1 + 17 * kByte115200 - 1);
  EXPECT_FALSE(bus.rd(Uart::STATUS) & Uart::TC);
  run_until(t1 + 17 * kByte115200);
  EXPECT_TRUE(bus.rd(Uart::STATUS) & Uart::TC);
  EXPECT_EQ(site->registry().at("device.uart0.tx").text(), "xabcdefghijklmnopq");
  bus.wr(Uart::STATUS, Uart::TXOVR);  // write 1 to clear
  EXPECT_FALSE(bus.rd(Uart::STATUS) & Uart::TXOVR);
  // At 9600 baud a byte takes 1.0417 ms.
  bus.wr(Uart::BAUD, 9600);
  Time t2 = now();
  bus.wr(Uart::DATA, '!');
  EXPECT_FALSE(bus.rd(Uart::STATUS, 1041 * kUs) & Uart::TC);
  EXPECT_TRUE(bus.rd(Uart::STATUS, 1042 * kUs) & Uart::TC);
  (void)t2;
}

TEST(Uart, TxInterruptWhenFifoDrains) {
  auto site = make_site();
  Uart uart("uart0", *site, device_cfg(*site));
  Initiator bus("bus", uart);
  IrqProbe irq;
  irq.attach(uart.irq);
  run_until(1 * kUs);
  Time t0 = now();
  for (int i = 0; i < 3; ++i) bus.wr(Uart::DATA, 'a');
  bus.wr(Uart::IE, Uart::TC);
  EXPECT_FALSE(irq.level);
  run_until(t0 + 4 * kByte115200);
  ASSERT_TRUE(irq.level);
  EXPECT_EQ(irq.edges.back().first, t0 + 3 * kByte115200);  // transmission complete, exactly
  bus.wr(Uart::IE, 0);
  EXPECT_FALSE(irq.level);
  // TXNF interrupt: a full FIFO gets room when the byte in the shift register has left.
  Time t1 = now();
  for (int i = 0; i < 17; ++i) bus.wr(Uart::DATA, 'b');
  bus.wr(Uart::IE, Uart::TXNF);
  EXPECT_FALSE(irq.level);
  run_until(t1 + kByte115200);
  EXPECT_TRUE(irq.level);
  EXPECT_EQ(irq.edges.back().first, t1 + kByte115200);
  bus.wr(Uart::DATA, 'c');  // refills the FIFO: the line drops until the next byte has left
  EXPECT_FALSE(irq.level);
  run_until(t1 + 2 * kByte115200);
  EXPECT_TRUE(irq.level);
  // A reset drops what is still queued; bytes already sent stay in the stream.
  uart.reset(ResetCause::Software);
  EXPECT_FALSE(irq.level);
  run_until(now() + 30 * kByte115200);
  EXPECT_EQ(site->registry().at("device.uart0.tx").text(), "aaabb");
  EXPECT_TRUE(bus.rd(Uart::STATUS) & Uart::TC);
}

TEST(Uart, RxInjectionArrivesAtBaudRateWithIrq) {
  auto site = make_site();
  Uart uart("uart0", *site, device_cfg(*site));
  Initiator bus("bus", uart);
  IrqProbe irq;
  irq.attach(uart.irq);
  bus.wr(Uart::IE, Uart::RXNE | Uart::RXOVR);
  run_until(1 * kMs);
  site->registry().write("device.uart0.rx", "AB");
  Time t0 = now();
  run_until(t0 + kByte115200 - 1);
  EXPECT_FALSE(irq.level);
  EXPECT_FALSE(bus.rd(Uart::STATUS) & Uart::RXNE);
  run_until(t0 + kByte115200);
  EXPECT_TRUE(irq.level);
  EXPECT_EQ((bus.rd(Uart::STATUS) >> 16) & 0xFF, 1u);
  EXPECT_EQ(bus.rd(Uart::DATA), 'A');
  EXPECT_FALSE(irq.level);  // FIFO empty again
  run_until(t0 + 2 * kByte115200);
  EXPECT_TRUE(irq.level);
  EXPECT_EQ(bus.rd(Uart::DATA), 'B');
  EXPECT_FALSE(irq.level);
  // 40 bytes without reading: 32 fit, the rest overrun.
  site->registry().write("device.uart0.rx", std::string(40, 'q'));
  run_until(now() + 41 * kByte115200);
  std::uint32_t st = bus.rd(Uart::STATUS);
  EXPECT_TRUE(st & Uart::RXOVR);
  EXPECT_EQ((st >> 16) & 0xFF, 32u);
  EXPECT_TRUE(irq.level);
}
