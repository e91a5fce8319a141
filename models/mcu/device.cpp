#include "models/mcu/device.h"
#include "models/mcu/gdb_stub.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "models/mcu/afe.h"
#include "models/mcu/dwt.h"
#include "models/mcu/flash_ctrl.h"
#include "models/mcu/gpio.h"
#include "models/mcu/itm.h"
#include "models/mcu/netc.h"
#include "models/mcu/power_reset.h"
#include "models/mcu/rng_periph.h"
#include "models/mcu/timer.h"
#include "models/mcu/uart.h"
#include "models/mcu/watchdog.h"

namespace lmsim::mcu {
namespace {

std::uint8_t* alloc_pages(std::size_t n) {
  void* p = std::aligned_alloc(4096, n);
  if (!p) throw std::bad_alloc();
  return static_cast<std::uint8_t*>(p);
}

std::string hex(std::uint32_t v) {
  char b[16];
  std::snprintf(b, sizeof b, "0x%08X", v);
  return b;
}

}  // namespace

Device::Device(sc_core::sc_module_name name, Site& site, const YNode& cfg) : sc_module(name), site_(site) {
  Cpu::Config cc;
  if (const YNode* n = cfg.get("clock")) {
    cc.clock_hz = n->quantity_value("Hz");
    if (cc.clock_hz < 1e6 || cc.clock_hz > 1e9) n->fail("core clock must be between 1 MHz and 1 GHz");
  }
  if (const YNode* n = cfg.get("quantum")) {
    cc.quantum = n->duration();
    if (cc.quantum < 10 * kNs || cc.quantum > 10 * kMs) n->fail("quantum must be between 10 ns and 10 ms");
  }
  cc.stop_on_hardfault = cfg.bool_or("stop_on_hardfault", true);
  if (const YNode* n = cfg.get("timing")) {
    std::string t = n->str();
    if (t != "instructions" && t != "cycles")
      n->fail("timing must be 'instructions' (one cycle each) or 'cycles' (Cortex-M4 cycle model), got '" + t + "'");
    cc.cycle_timing = t == "cycles";
  }
  if (const YNode* n = cfg.get("stuck_timeout")) {
    cc.stuck_timeout = n->duration();
    if (cc.stuck_timeout != 0 && cc.stuck_timeout < 1 * kMs) n->fail("stuck_timeout must be 0 (off) or at least 1ms");
  }

  flash_ = alloc_pages(kFlashSize);
  sram_ = alloc_pages(kSramSize);
  std::memset(flash_, 0xFF, kFlashSize);  // erased NOR
  std::memset(sram_, 0, kSramSize);

  bus_ = std::make_unique<Bus>("bus");
  cpu_ = std::make_unique<Cpu>("cpu", site, *bus_, cc, make_unicorn_engine());
  cpu_->add_memory({kFlashBase, kFlashSize, flash_, false});  // CPU stores to flash fault
  cpu_->add_memory({kSramBase, kSramSize, sram_, true});
  scs_ = std::make_unique<Scs>("scs", *cpu_);
  bus_->map(Scs::kBase, *scs_);
  cpu_->map_mmio(Scs::kBase, Scs::kSize);
  dwt_ = std::make_unique<Dwt>("dwt", *cpu_);
  bus_->map(Dwt::kBase, *dwt_);
  cpu_->map_mmio(Dwt::kBase, Dwt::kSize);
  itm_ = std::make_unique<Itm>("itm", site);
  bus_->map(Itm::kBase, *itm_);
  cpu_->map_mmio(Itm::kBase, Itm::kSize);
  Cpu* cpu = cpu_.get();
  const YNode* dc = &cfg;

  auto& pwr = add<PowerReset>("pwr", PWR, dc);
  pwr.request_reset = [cpu](ResetCause c) { cpu->request_reset(c); };
  pwr.on_power = [cpu](bool on) { cpu->set_powered(on); };
  add<Uart>("uart0", UART0, dc);
  add<Gpio>("gpio", GPIO, dc);
  add<Timer>("timer0", TIMER0, dc);
  auto& wdt = add<Watchdog>("wdt", WDT, dc);
  wdt.request_reset = [cpu](ResetCause c) { cpu->request_reset(c); };
  auto& fc = add<FlashCtrl>("flashctrl", FLASHCTRL, dc);
  fc.attach_flash(flash_, kFlashBase, kFlashSize);
  fc.invalidate = [cpu](std::uint32_t a, std::uint32_t n) { cpu->invalidate_code(a, n); };
  add<RngPeriph>("rng", RNG, dc);
  add<Afe>("afe", AFE, dc);
  add<Netc>("netc", NETC, dc);
  for (auto* p : periph_)
    if (p) p->set_guest_memory(this);

  if (const YNode* n = cfg.get("firmware")) {
    std::string path = site.resolve_path(n->str());
    try {
      fw_ = ElfImage::load(path);
    } catch (const InputError& e) {
      n->fail(e.what());
    }
    for (const auto& s : fw_->segments) {
      if (s.filesz == 0) continue;  // .bss and stack: nothing to load
      if (s.paddr < kFlashBase || static_cast<std::uint64_t>(s.paddr) + s.filesz > kFlashBase + kFlashSize)
        n->fail("firmware '" + path + "': segment at " + hex(s.paddr) + " (" + std::to_string(s.filesz) +
                " bytes) is not in flash (0x00000000..0x000FFFFF); link with firmware/board/lmsim.ld");
      std::memcpy(flash_ + (s.paddr - kFlashBase), s.data.data(), s.filesz);
    }
    site.add_input_file("firmware", path);
    has_firmware_ = true;
  }
  cfg.get("config");  // the provisioning page: written by build() (models/mcu/provisioning.h)
  cfg.finish();

  cpu_->on_reset = [this](ResetCause c) { on_reset(c); };
  if (has_firmware_) {
    cpu_->request_reset(ResetCause::PowerOn);
  } else {
    cpu_->set_powered(false);
    site.log(LogLevel::Info, "device", "no firmware given: the CPU is held");
  }
}

Device::~Device() {
  // The engine holds pointers into the memories: release it first.
  gdb_.reset();
  cpu_.reset();
  std::free(flash_);
  std::free(sram_);
}

std::uint16_t Device::enable_gdb(std::uint16_t port) {
  auto stub = std::make_unique<GdbStub>(*this, port);
  std::uint16_t p = stub->port();
  gdb_ = std::move(stub);
  return p;
}

void Device::attach(Slot slot, Peripheral* p, IrqLine* irq) {
  std::uint32_t base = kPeriphBase + slot * kPeriphStride;
  bus_->map(base, *p);
  cpu_->map_mmio(base, p->size());
  periph_[slot] = p;
  int line = kIrqOf[slot];
  Cpu* cpu = cpu_.get();
  if (irq) irq->sink = [cpu, line](bool level) { cpu->set_irq(line, level); };
}

void Device::fill_ram_garbage() {
  // What SRAM holds after power-up: non-zero, seeded, different on each power-up.
  Rng rng = site_.rng("device.sram." + std::to_string(power_ups_++));
  auto* w = reinterpret_cast<std::uint64_t*>(sram_);
  for (std::size_t i = 0; i < kSramSize / 8; ++i) {
    std::uint64_t v = rng.next();
    w[i] = v ? v : 0xDEADBEEFDEADBEEFull;
  }
}

void Device::on_reset(ResetCause cause) {
  if (cause == ResetCause::PowerOn || cause == ResetCause::BrownOut) fill_ram_garbage();
  scs_->reset(cause);
  dwt_->reset(cause);
  itm_->reset(cause);
  for (auto* p : periph_)
    if (p) p->reset(cause);
}

std::optional<std::uint32_t> Device::read32(std::uint32_t addr) {
  std::uint32_t v = 0;
  if (!cpu_->read_mem(addr, &v, 4)) return std::nullopt;
  return v;
}

std::optional<std::uint32_t> Device::read_symbol32(const std::string& symbol) {
  if (!fw_) return std::nullopt;
  auto a = fw_->symbol(symbol);
  if (!a) return std::nullopt;
  return read32(*a);
}

bool Device::read(std::uint32_t addr, void* dst, std::size_t n) {
  if (auto* p = cpu_->host_ptr(addr, n)) {
    std::memcpy(dst, p, n);
    return true;
  }
  return false;
}

bool Device::write(std::uint32_t addr, const void* src, std::size_t n) {
  if (addr < kSramBase || static_cast<std::uint64_t>(addr) + n > static_cast<std::uint64_t>(kSramBase) + kSramSize)
    return false;
  std::memcpy(sram_ + (addr - kSramBase), src, n);
  return true;
}

}  // namespace lmsim::mcu
