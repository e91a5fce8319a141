// The peripherals inside the real device model (no firmware: the CPU is held): addresses,
// the power controller's self-wiring to the other peripherals, flash attached to the array.
#include <gtest/gtest.h>

#include <cstring>

#include "models/mcu/device.h"
#include "models/mcu/flash_ctrl.h"
#include "models/mcu/power_reset.h"

using namespace lmsim;
using namespace lmsim::mcu;

namespace {
struct Rig {
  std::unique_ptr<Site> site;
  Device* dev;
  Rig() {
    site = std::make_unique<Site>(YNode::load_string("device: {serial: SE87654321}", "test.yaml"), "test.yaml", 1);
    dev = &site->make<Device>("device", *site, site->scenario()["device"]);
  }
  std::uint32_t rd(std::uint32_t a) {
    std::uint32_t v = 0;
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    EXPECT_TRUE(dev->bus().access(a, reinterpret_cast<std::uint8_t*>(&v), 4, false, d)) << std::hex << a;
    return v;
  }
  void wr(std::uint32_t a, std::uint32_t v) {
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    EXPECT_TRUE(dev->bus().access(a, reinterpret_cast<std::uint8_t*>(&v), 4, true, d)) << std::hex << a;
  }
  void run_until(Time t) {
    Time now = sc_core::sc_time_stamp().value();
    if (t > now) sc_core::sc_start(sc_core::sc_time::from_value(t - now));
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
  }
  Signal& sig(const char* n) { return site->registry().at(n); }
};
}  // namespace

TEST(PeriphInDevice, AddressesSerialAndBrownOutReachEveryPeripheral) {
  Rig r;
  char serial[17] = {};
  for (int i = 0; i < 4; ++i) {
    std::uint32_t w = r.rd(0x40000020 + 4 * i);
    std::memcpy(serial + 4 * i, &w, 4);
  }
  EXPECT_STREQ(serial, "SE87654321");
  EXPECT_EQ(r.rd(0x4000100C), 115200u);      // UART0 BAUD
  EXPECT_EQ(r.rd(0x40002020), 0x7u);         // GPIO DIR
  EXPECT_EQ(r.rd(0x40003008), 0xFFFFFFFFu);  // TIMER0 LOAD
  EXPECT_EQ(r.rd(0x40004004), 0x20000u);     // WDT LOAD
  EXPECT_EQ(r.rd(0x40005018), 1u << 20);     // FLASHCTRL SIZE: the device's 1 MiB array
  EXPECT_EQ(r.rd(0x40006000), 1u);           // RNG CTRL
  r.run_until(1 * kMs);
  // Erase a page of the real flash array through the controller.
  std::memset(r.dev->flash() + 0x8000, 0x00, 16);
  r.wr(0x40005000, 0x8000);
  r.wr(0x40005008, FlashCtrl::kCmdErase);
  r.run_until(1 * kMs + FlashCtrl::kEraseTime);
  EXPECT_EQ(r.rd(0x4000500C), FlashCtrl::DONE);
  EXPECT_EQ(r.dev->flash()[0x8000], 0xFF);
  // POWER LED on, then a brown-out: the GPIO (subscribed by itself) drops it.
  r.wr(0x40002004, 1);
  EXPECT_TRUE(r.sig("device.led.power").as_bool());
  r.site->registry().write("device.supply.voltage", "0V");
  r.run_until(r.site->registry().now() + PowerReset::kBrownOutHold);
  EXPECT_FALSE(r.sig("device.powered").as_bool());
  EXPECT_FALSE(r.sig("device.led.power").as_bool());
}

TEST(PeriphInDevice, DeviceStartsUnpoweredWithoutSupply) {
  Rig r;
  r.site->registry().write("device.supply.voltage", "0V");
  r.run_until(20 * kMs);
  EXPECT_FALSE(r.sig("device.powered").as_bool());
  EXPECT_TRUE(r.site->faults().empty());
}
