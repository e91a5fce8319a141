// Config store on the virtual MCU (tests/cpp/mcu/store_power_cut_test.cpp): the application's
// own store (firmware/app/store) over FLASHCTRL. At every boot it loads the config, imports a
// new provisioning page, checks that what it loaded is exactly one version of a deterministic
// sequence of configs, and then saves version after version until the host cuts the supply.
// Built twice: t_store (save loop) and t_provision (PROVISION_ONLY: no save loop; rejected
// provisioning lines go to UART0 as the product logs them).
#include <cstring>

#include "app/settings/line.h"
#include "app/settings/settings.h"
#include "app/store/config_store.h"
#include "app/store/provisioning.h"
#include "board/mcu.h"
#include "drivers/flash.h"
#include "drivers/uart.h"
#include "testlib.h"

LMSIM_TEST_RESULTS

// test_result: [0] load (0 loaded, 1 empty, 2 corrupt), [1] loaded version, [2] the loaded
// config equals that version exactly (1), [3] version being written, [4] last version saved,
// [5] saves this boot, [6] provisioning result (0 none, 1 same, 2 imported, 3 invalid),
// [7] lines accepted, [8] lines rejected, [9] lm.fuse after boot (A, 0 unset).
namespace {

using namespace lmc::settings;

// The config area through FLASHCTRL; reads straight from the memory-mapped flash. Erases and
// programs wait for DONE in WFI (FLASHCTRL interrupt enabled, PRIMASK set: it wakes the core
// without being taken) rather than polling BUSY as drivers::Flash does: the store and the
// controller's torn writes are the same, and an erase costs no emulated instructions, which
// lets the host test afford 1,000 cuts.
class McuFlash final : public lmc::Flash {
 public:
  static constexpr unsigned kIrq = 4;
  std::uint32_t size() const override { return mcu::kConfigSize; }
  std::uint32_t page_size() const override { return mcu::kFlashPage; }
  bool read(std::uint32_t off, void* dst, std::size_t n) override {
    if (off > mcu::kConfigSize || n > mcu::kConfigSize - off) return false;
    std::memcpy(dst, reinterpret_cast<const void*>(mcu::kConfigBase + off), n);
    return true;
  }
  bool erase_page(std::uint32_t page) override {
    if (page >= mcu::kConfigSize / mcu::kFlashPage) return false;
    r(F::ADDR) = mcu::kConfigBase + page * mcu::kFlashPage;
    return run(F::kCmdErase);
  }
  bool program(std::uint32_t off, const void* src, std::size_t n) override {
    if (off > mcu::kConfigSize || n > mcu::kConfigSize - off || (off & 3u) || (n & 3u)) return false;
    const auto* p = static_cast<const std::uint8_t*>(src);
    for (std::size_t i = 0; i < n; i += 4) {
      std::uint32_t w;
      std::memcpy(&w, p + i, 4);
      if (w == 0xFFFFFFFFu) continue;  // erased value: nothing to program
      r(F::ADDR) = mcu::kConfigBase + off + static_cast<std::uint32_t>(i);
      r(F::DATA) = w;
      if (!run(F::kCmdProgram)) return false;
    }
    return true;
  }
  void init() {
    mcu::disable_irq();
    r(F::IE) = F::DONE;
    mcu::nvic_enable(kIrq);
  }

 private:
  using F = drivers::Flash;
  static volatile std::uint32_t& r(std::uint32_t off) { return mcu::reg(static_cast<std::uint32_t>(F::kBase) + off); }
  static bool run(std::uint32_t cmd) {
    r(F::STATUS) = F::DONE | F::ERR_BUSY | F::ERR_ADDR | F::ERR_KEY;
    r(F::CMD) = cmd;
    std::uint32_t s;
    while ((s = r(F::STATUS)) & F::BUSY) mcu::wfi();
    r(F::STATUS) = s & (F::DONE | F::ERR_BUSY | F::ERR_ADDR | F::ERR_KEY);  // DONE low: the line drops
    mcu::reg(mcu::scs::NVIC_ICPR) = 1u << kIrq;
    return !(s & (F::ERR_BUSY | F::ERR_ADDR | F::ERR_KEY));
  }
};

drivers::Uart uart;

struct UartLog final : Reporter {
  void report(const char* line) override {
    uart.puts("lmc: ");
    uart.puts(line);
    uart.puts("\n");
  }
};

void text(Settings& s, Id id, const Line& l) {
  s.set_text(id, l.c_str(), std::strlen(l.c_str()), kSystem);
}

// Version v of the config sequence (as tests/firmware/store/config_store_test.cpp's version()).
void make_version(std::uint32_t v, Settings& s) {
  s.reset();
  s.set(Id::LmFuse, static_cast<std::int32_t>(20 + v % 60), kSystem);
  s.set(Id::RippleMapping, static_cast<std::int32_t>(v % 2), kSystem);
  s.set(Id::ExtCurrentLimit, static_cast<std::int32_t>(v % 30 * 10 + 5), kSystem);
  text(s, Id::WifiSsid, Line().s("net-").u(v));
  s.set(Id::ConfigTimestamp, static_cast<std::int32_t>(v), kSystem);
  const std::uint32_t n = 1 + v % 20;
  for (std::uint32_t i = 1; i <= n; ++i) {
    int st = static_cast<int>(i - 1);
    s.set_station(st, Field::Driver, static_cast<std::int32_t>(i % 3 ? Driver::AbbTerraAc : Driver::Generic), kSystem);
    Line name;
    name.s("st").u(v).s("-").u(i);
    s.set_station_name(st, name.c_str(), std::strlen(name.c_str()), kSystem);
    s.set_station(st, Field::Ip, static_cast<std::int32_t>(10u << 24 | (v % 200) << 16 | i), kSystem);
    s.set_station(st, Field::MaxCurrent, static_cast<std::int32_t>((6 + (v + i) % 27) * 10), kSystem);
  }
}

Settings loaded, expected, work;
McuFlash flash;
lmc::store::ConfigStore store(flash);

}  // namespace

int main() {
  uart.init();
  flash.init();
  UartLog log;
  auto r = store.load(loaded, &log);
  test_result[0] = static_cast<std::uint32_t>(r);
  auto version = static_cast<std::uint32_t>(loaded.get(Id::ConfigTimestamp));
  test_result[1] = version;
  if (r == lmc::store::ConfigStore::Load::Loaded)
    make_version(version, expected);
  else
    expected.reset();
  test_result[2] = loaded == expected ? 1 : 0;
  int ok = 0, bad = 0;
  auto p = lmc::store::import_provisioning(flash, loaded, &log, lmc::store::kLayout, &ok, &bad);
  test_result[6] = static_cast<std::uint32_t>(p);
  test_result[7] = static_cast<std::uint32_t>(ok);
  test_result[8] = static_cast<std::uint32_t>(bad);
  if (p == lmc::store::Provision::Imported) store.save(loaded, &log);
  test_result[9] = loaded.is_set(Id::LmFuse) ? static_cast<std::uint32_t>(loaded.get(Id::LmFuse)) : 0;
  uart.flush();
  test_done = kTestDone;
#ifndef PROVISION_ONLY
  for (std::uint32_t v = version + 1;; ++v) {
    make_version(v, work);
    test_result[3] = v;
    if (store.save(work, &log) == lmc::store::ConfigStore::Save::Ok) test_result[4] = v;
    test_result[5] = test_result[5] + 1;
  }
#endif
  for (;;) mcu::wfi();
}
