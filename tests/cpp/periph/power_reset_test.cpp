#include "models/mcu/power_reset.h"

#include <gtest/gtest.h>

#include <cstring>

#include "models/mcu/flash_ctrl.h"
#include "models/mcu/gpio.h"
#include "models/mcu/uart.h"
#include "models/mcu/watchdog.h"
#include "periph_harness.h"

using namespace periph_test;
using lmsim::kMs;
using lmsim::kSec;
using lmsim::kUs;

TEST(PowerReset, RegistersSerialUptime) {
  auto site = make_site("device: {serial: SE12345678}");
  PowerReset pwr("pwr", *site, device_cfg(*site));
  Initiator bus("bus", pwr);
  char serial[17] = {};
  for (int i = 0; i < 4; ++i) {
    std::uint32_t w = bus.rd(PowerReset::SERIAL0 + 4 * i);
    std::memcpy(serial + 4 * i, &w, 4);
  }
  EXPECT_STREQ(serial, "SE12345678");
  EXPECT_EQ(site->registry().at("device.serial").text(), "SE12345678");
  EXPECT_EQ(bus.rd(PowerReset::RESET_CAUSE), 1u);  // power-on
  EXPECT_EQ(site->registry().at("device.reset_cause").render(), "power_on");
  EXPECT_EQ(bus.rd(PowerReset::SUPPLY_MV), 230000u);
  EXPECT_EQ(bus.rd(PowerReset::BOR_MV), 180000u);
  EXPECT_EQ(bus.rd(PowerReset::STATUS), 0u);
  bus.wr(PowerReset::SUPPLY_MV, 1);
  EXPECT_EQ(bus.last, tlm::TLM_ADDRESS_ERROR_RESPONSE);
  bus.rd(PowerReset::SWRESET);
  EXPECT_EQ(bus.last, tlm::TLM_ADDRESS_ERROR_RESPONSE);
  bus.rd(0x30);
  EXPECT_EQ(bus.last, tlm::TLM_ADDRESS_ERROR_RESPONSE);
  // Uptime in microseconds at the access time; LO latches HI.
  run_until(1500 * kMs);
  EXPECT_EQ(bus.rd(PowerReset::UPTIME_LO, 3 * kUs), 1500003u);
  EXPECT_EQ(bus.rd(PowerReset::UPTIME_HI), 0u);
  run_until(4295 * kSec);  // past 2^32 us
  std::uint64_t lo = bus.rd(PowerReset::UPTIME_LO), hi = bus.rd(PowerReset::UPTIME_HI);
  EXPECT_EQ((hi << 32) | lo, 4295000000ull);
  // Reset cause: sticky, write 1 to clear.
  pwr.reset(ResetCause::Watchdog);
  EXPECT_EQ(bus.rd(PowerReset::RESET_CAUSE), 1u | 4u);
  EXPECT_EQ(site->registry().at("device.reset_cause").render(), "watchdog");
  bus.wr(PowerReset::RESET_CAUSE, 1u);
  EXPECT_EQ(bus.rd(PowerReset::RESET_CAUSE), 4u);
}

TEST(PowerReset, SoftwareResetNeedsKey) {
  auto site = make_site();
  PowerReset pwr("pwr", *site, device_cfg(*site));
  Initiator bus("bus", pwr);
  std::vector<ResetCause> causes;
  pwr.request_reset = [&](ResetCause c) {
    causes.push_back(c);
    pwr.reset(c);
  };
  bus.wr(PowerReset::SWRESET, 1);
  EXPECT_TRUE(causes.empty());
  bus.wr(PowerReset::SWRESET, PowerReset::kSwResetKey);
  ASSERT_EQ(causes.size(), 1u);
  EXPECT_EQ(causes[0], ResetCause::Software);
  EXPECT_EQ(bus.rd(PowerReset::RESET_CAUSE), 1u | 8u);
}

TEST(PowerReset, BadSerialIsAnInputError) {
  auto site = make_site("device:\n  serial: SE1234567890ABCDEFG\n");
  EXPECT_THROW(PowerReset("pwr", *site, device_cfg(*site)), lmsim::InputError);
}

namespace {
// A device without a CPU: the power controller wired to the other peripherals the way the
// device does it (they subscribe themselves at end of elaboration).
struct Device {
  std::unique_ptr<lmsim::Site> site = make_site();
  PowerReset pwr{"pwr", *site, device_cfg(*site)};
  Gpio gpio{"gpio", *site, device_cfg(*site)};
  Uart uart{"uart0", *site, device_cfg(*site)};
  FlashCtrl flash{"flash", *site, device_cfg(*site)};
  Watchdog wdt{"wdt", *site, device_cfg(*site)};
  Initiator pbus{"pbus", pwr}, gbus{"gbus", gpio}, ubus{"ubus", uart}, fbus{"fbus", flash}, wbus{"wbus", wdt};
  std::vector<std::uint8_t> mem = std::vector<std::uint8_t>(64 * 1024, 0);
  std::vector<std::pair<Time, ResetCause>> resets;
  std::vector<std::pair<Time, bool>> cpu_power;
  Device() {
    flash.attach_flash(mem.data(), 0, 64 * 1024);
    pwr.on_power = [this](bool on) { cpu_power.emplace_back(now(), on); };
    auto reset_all = [this](ResetCause c) {
      resets.emplace_back(now(), c);
      pwr.reset(c);
      gpio.reset(c);
      uart.reset(c);
      flash.reset(c);
      wdt.reset(c);
    };
    pwr.request_reset = reset_all;
    wdt.request_reset = reset_all;
  }
  lmsim::Signal& sig(const char* n) { return site->registry().at(n); }
};
}  // namespace

TEST(PowerReset, BrownOutPowersOffAndReturnGivesPowerOnReset) {
  Device d;
  IrqProbe irq;
  irq.attach(d.pwr.irq);
  d.pbus.wr(PowerReset::IE, PowerReset::SUPPLY_LOW);
  d.gbus.wr(Gpio::OUTSET, 1);  // POWER LED on
  d.wbus.wr(Watchdog::CTRL, Watchdog::CTRL_EN);
  run_until(1 * kSec);
  d.wbus.wr(Watchdog::KICK, Watchdog::kKickKey);
  EXPECT_TRUE(d.sig("device.led.power").as_bool());
  // A 5 ms dip is ridden through (early-warning interrupt only).
  d.site->registry().write("device.supply.voltage", "150V");
  EXPECT_TRUE(irq.level);
  EXPECT_EQ(d.pbus.rd(PowerReset::SUPPLY_MV), 150000u);
  run_until(1 * kSec + 5 * kMs);
  d.site->registry().write("device.supply.voltage", "230V");
  run_until(1 * kSec + 50 * kMs);
  EXPECT_TRUE(d.pwr.powered());
  EXPECT_TRUE(d.cpu_power.empty());
  d.pbus.wr(PowerReset::STATUS, PowerReset::SUPPLY_LOW);
  EXPECT_FALSE(irq.level);
  // Supply lost at 1.1 s (an erase is running): off 10 ms later.
  run_until(1100 * kMs - 1 * kMs);
  d.fbus.wr(FlashCtrl::ADDR, 0x3000);
  d.fbus.wr(FlashCtrl::CMD, FlashCtrl::kCmdErase);
  run_until(1100 * kMs);
  d.site->registry().write("device.supply.voltage", "0V");
  run_until(1110 * kMs - 1);
  EXPECT_TRUE(d.sig("device.powered").as_bool());
  run_until(1110 * kMs);
  EXPECT_FALSE(d.pwr.powered());
  EXPECT_FALSE(d.sig("device.powered").as_bool());
  EXPECT_FALSE(d.sig("device.led.power").as_bool());
  ASSERT_EQ(d.cpu_power.size(), 1u);
  EXPECT_EQ(d.cpu_power[0], std::make_pair(1110 * kMs, false));
  EXPECT_FALSE(d.flash.busy());  // torn, not completed
  int ones = 0;
  for (std::uint32_t a = 0x3000; a < 0x4000; ++a) ones += d.mem[a] != 0;
  EXPECT_GT(ones, 0);
  EXPECT_LT(ones, 4096);
  // The watchdog does not bite while unpowered.
  run_until(10 * kSec);
  EXPECT_TRUE(d.resets.empty());
  // Power returns at 10 s: power-on reset after the 50 ms start-up delay.
  d.site->registry().write("device.supply.voltage", "230V");
  run_until(10 * kSec + 50 * kMs - 1);
  EXPECT_FALSE(d.pwr.powered());
  run_until(10 * kSec + 50 * kMs);
  EXPECT_TRUE(d.pwr.powered());
  ASSERT_EQ(d.resets.size(), 1u);
  EXPECT_EQ(d.resets[0], std::make_pair(10 * kSec + 50 * kMs, ResetCause::PowerOn));
  EXPECT_EQ(d.cpu_power.back(), std::make_pair(10 * kSec + 50 * kMs, true));
  EXPECT_EQ(d.pbus.rd(PowerReset::RESET_CAUSE), 1u);
  EXPECT_EQ(d.pbus.rd(PowerReset::UPTIME_LO, 2 * kMs), 2000u);
  EXPECT_FALSE(d.sig("device.led.power").as_bool());  // firmware has to switch it on again
  d.gbus.wr(Gpio::OUTSET, 1);
  EXPECT_TRUE(d.sig("device.led.power").as_bool());
}

TEST(PowerReset, ShallowDipIsBrownOutReset) {
  Device d;
  run_until(1 * kSec);
  d.site->registry().write("device.supply.voltage", "170V");
  run_until(2 * kSec);
  EXPECT_FALSE(d.pwr.powered());
  d.site->registry().write("device.supply.voltage", "185V");  // below the power-good level
  run_until(3 * kSec);
  EXPECT_FALSE(d.pwr.powered());
  d.site->registry().write("device.supply.voltage", "195V");
  run_until(3 * kSec + 20 * kMs);
  d.site->registry().write("device.supply.voltage", "120V");  // drops again within the delay
  run_until(4 * kSec);
  EXPECT_TRUE(d.resets.empty());
  d.site->registry().write("device.supply.voltage", "230V");
  run_until(5 * kSec);
  ASSERT_EQ(d.resets.size(), 1u);
  EXPECT_EQ(d.resets[0], std::make_pair(4 * kSec + 50 * kMs, ResetCause::BrownOut));
  EXPECT_EQ(d.pbus.rd(PowerReset::RESET_CAUSE), 1u | 2u);
  EXPECT_EQ(d.sig("device.reset_cause").render(), "brown_out");
}

TEST(PowerReset, SupplyOffAtStartMeansUnpoweredFromTimeZero) {
  Device d;
  d.site->registry().write("device.supply.voltage", "0V");  // before the simulation starts
  run_until(1 * kMs);
  EXPECT_FALSE(d.pwr.powered());
  EXPECT_FALSE(d.sig("device.powered").as_bool());
  ASSERT_EQ(d.cpu_power.size(), 1u);
  EXPECT_EQ(d.cpu_power[0], std::make_pair(Time{0}, false));
  d.site->registry().write("device.supply.voltage", "230V");
  run_until(1 * kMs + PowerReset::kStartupDelay);
  EXPECT_TRUE(d.pwr.powered());
  ASSERT_EQ(d.resets.size(), 1u);
  EXPECT_EQ(d.resets[0], std::make_pair(1 * kMs + PowerReset::kStartupDelay, ResetCause::PowerOn));
}
