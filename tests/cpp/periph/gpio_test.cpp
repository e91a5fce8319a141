#include "models/mcu/gpio.h"

#include <gtest/gtest.h>

#include "periph_harness.h"

using namespace periph_test;
using lmsim::kMs;
using lmsim::kUs;

TEST(Gpio, OutputsDriveSignals) {
  auto site = make_site();
  Gpio gpio("gpio", *site, device_cfg(*site));
  Initiator bus("bus", gpio);
  auto& reg = site->registry();
  EXPECT_EQ(bus.rd(Gpio::OUT), 0u);
  EXPECT_EQ(bus.rd(Gpio::DIR), 0x7u);
  run_until(1 * kMs);
  bus.wr(Gpio::OUTSET, 1u << 0, 5 * kUs);  // access 5 us into the CPU's quantum
  EXPECT_TRUE(reg.at("device.led.power").as_bool());
  EXPECT_EQ(reg.at("device.led.power").last_change(), 1 * kMs + 5 * kUs);
  EXPECT_FALSE(reg.at("device.led.status").as_bool());
  bus.wr(Gpio::OUTTGL, 0x6);
  EXPECT_TRUE(reg.at("device.led.status").as_bool());
  EXPECT_TRUE(reg.at("device.relay").as_bool());
  bus.wr(Gpio::OUTCLR, 0x4);
  EXPECT_FALSE(reg.at("device.relay").as_bool());
  EXPECT_EQ(bus.rd(Gpio::OUT), 0x3u);
  // Input pins cannot be driven.
  bus.wr(Gpio::OUT, 0xFFFFFFFF);
  EXPECT_EQ(bus.rd(Gpio::OUT), 0x7u);
  EXPECT_EQ(bus.rd(Gpio::IN), 0x7u);  // output readback
  bus.wr(Gpio::IN, 0);
  EXPECT_EQ(bus.last, tlm::TLM_ADDRESS_ERROR_RESPONSE);  // read-only
  bus.rd(Gpio::OUTSET);
  EXPECT_EQ(bus.last, tlm::TLM_ADDRESS_ERROR_RESPONSE);  // write-only
  bus.rd(0x24);
  EXPECT_EQ(bus.last, tlm::TLM_ADDRESS_ERROR_RESPONSE);
  // Without power every output reads false; the register keeps its value.
  gpio.power(false, now());
  EXPECT_FALSE(reg.at("device.led.power").as_bool());
  EXPECT_FALSE(reg.at("device.led.status").as_bool());
  gpio.reset(ResetCause::PowerOn);
  gpio.power(true, now());
  EXPECT_FALSE(reg.at("device.led.power").as_bool());
  EXPECT_EQ(bus.rd(Gpio::OUT), 0u);
}

TEST(Gpio, InputEdgesRaiseIrq) {
  auto site = make_site();
  Gpio gpio("gpio", *site, device_cfg(*site));
  Initiator bus("bus", gpio);
  IrqProbe irq;
  irq.attach(gpio.irq);
  auto& reg = site->registry();
  bus.wr(Gpio::RISE, 1u << 8);                // RESET pressed
  bus.wr(Gpio::FALL, (1u << 9) | (1u << 0));  // ripple input 1 lost (pin 0 is an output: ignored)
  EXPECT_EQ(bus.rd(Gpio::FALL), 1u << 9);
  run_until(2 * kMs);
  reg.write("device.button.reset", "true");
  EXPECT_EQ(bus.rd(Gpio::IN), 1u << 8);
  EXPECT_EQ(bus.rd(Gpio::EDGE), 1u << 8);
  ASSERT_TRUE(irq.level);
  EXPECT_EQ(irq.edges.back().first, 2 * kMs);
  bus.wr(Gpio::EDGE, 1u << 8);
  EXPECT_FALSE(irq.level);
  reg.write("device.button.reset", "false");  // falling edge not enabled on pin 8
  EXPECT_EQ(bus.rd(Gpio::EDGE), 0u);
  EXPECT_FALSE(irq.level);
  reg.write("device.ripple.in1", "true");  // rising not enabled on pin 9
  EXPECT_FALSE(irq.level);
  EXPECT_EQ(bus.rd(Gpio::IN), 1u << 9);
  run_until(3 * kMs);
  reg.write("device.ripple.in1", "false");
  EXPECT_TRUE(irq.level);
  EXPECT_EQ(bus.rd(Gpio::EDGE), 1u << 9);
  reg.write("device.ripple.in2", "true");
  EXPECT_EQ(bus.rd(Gpio::IN), 1u << 10);
  EXPECT_EQ(irq.rises(), 2);
  // A model can drive an input with set() instead of a registry write: edges still count.
  bus.wr(Gpio::EDGE, 0xFFFFFFFF);
  reg.at("device.button.reset").set(1);
  EXPECT_EQ(bus.rd(Gpio::EDGE), 1u << 8);
}

// device.led.*.period (for LED-rate assertions, behaviours.md A01): rising edge to rising
// edge, in seconds; falling edges and a steady level leave it alone.
TEST(Gpio, LedPeriodIsRisingEdgeToRisingEdge) {
  auto site = make_site();
  Gpio gpio("gpio", *site, device_cfg(*site));
  Initiator bus("bus", gpio);
  auto& reg = site->registry();
  EXPECT_EQ(reg.at("device.led.status.period").value(), 0.0);
  run_until(1 * kMs);
  bus.wr(Gpio::OUTSET, 1u << 1);  // rise at 1 ms: nothing to measure yet
  EXPECT_EQ(reg.at("device.led.status.period").value(), 0.0);
  run_until(126 * kMs);
  bus.wr(Gpio::OUTCLR, 1u << 1);  // fall at 126 ms: no change
  EXPECT_EQ(reg.at("device.led.status.period").value(), 0.0);
  run_until(251 * kMs);
  bus.wr(Gpio::OUTSET, 1u << 1);  // rise at 251 ms: 250 ms after the first (4 Hz)
  EXPECT_DOUBLE_EQ(reg.at("device.led.status.period").value(), 0.25);
  bus.wr(Gpio::OUTSET, 1u << 1);  // already lit: not an edge
  EXPECT_DOUBLE_EQ(reg.at("device.led.status.period").value(), 0.25);
  EXPECT_EQ(reg.at("device.led.power.period").value(), 0.0);  // per pin
  run_until(300 * kMs);
  bus.wr(Gpio::OUTCLR, 1u << 1);
  run_until(1251 * kMs);
  bus.wr(Gpio::OUTSET, 1u << 1);
  EXPECT_DOUBLE_EQ(reg.at("device.led.status.period").value(), 1.0);
}
