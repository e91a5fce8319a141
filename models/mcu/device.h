// The device: the Cortex-M4F core, its memories, the bus, the system control space and the
// peripherals at the addresses of docs/mcu.md, built from the scenario's `device:` section.
// Provided to the other areas as service "device" (plant -> supply, net -> NETC).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <systemc>

#include "models/mcu/bus.h"
#include "models/mcu/cpu.h"
#include "models/mcu/elf_loader.h"
#include "models/mcu/peripheral.h"
#include "models/mcu/scs.h"
#include "sim/site.h"

namespace lmsim::mcu {
class Dwt;
class Itm;
}  // namespace lmsim::mcu

namespace lmsim::mcu {

class Device : public sc_core::sc_module, public GuestMemory {
 public:
  static constexpr std::uint32_t kFlashBase = 0x00000000, kFlashSize = 1u << 20, kFlashPage = 4096;
  static constexpr std::uint32_t kSramBase = 0x20000000, kSramSize = 256u << 10;
  static constexpr std::uint32_t kPeriphBase = 0x40000000, kPeriphStride = 0x1000;
  // Peripheral slots (address = kPeriphBase + slot * 0x1000) and their IRQ numbers.
  enum Slot : std::uint32_t { PWR = 0, UART0, GPIO, TIMER0, WDT, FLASHCTRL, RNG, AFE, NETC };
  static constexpr int kIrqOf[] = {8, 0, 1, 2, 3, 4, 7, 5, 6};

  // `cfg` is the scenario's `device:` map (the peripherals read their keys from it).
  Device(sc_core::sc_module_name name, Site& site, const YNode& cfg);
  ~Device() override;

  Cpu& cpu() { return *cpu_; }
  // Attaches a GDB remote stub on 127.0.0.1:port (0 = a free port); the core then waits
  // halted at its reset vector for gdb before it runs. Returns the port. Elaboration only.
  std::uint16_t enable_gdb(std::uint16_t port);
  Bus& bus() { return *bus_; }
  Site& site() { return site_; }
  // The loaded firmware (symbols for tests and the debugger), if any.
  const ElfImage* firmware() const { return fw_ ? &*fw_ : nullptr; }
  // The peripheral at a slot, or nullptr if that model is not built.
  Peripheral* peripheral(Slot s) const { return periph_[s]; }
  template <class T>
  T* peripheral_as(Slot s) const {
    return dynamic_cast<T*>(periph_[s]);
  }

  std::uint8_t* flash() { return flash_; }
  std::uint8_t* sram() { return sram_; }
  // Reads a 32-bit word of guest memory (tests, debugger); nullopt if unmapped.
  std::optional<std::uint32_t> read32(std::uint32_t addr);
  std::optional<std::uint32_t> read_symbol32(const std::string& symbol);

  // GuestMemory (block transfers of peripherals): SRAM and flash (read only).
  bool read(std::uint32_t addr, void* dst, std::size_t n) override;
  bool write(std::uint32_t addr, const void* src, std::size_t n) override;

 private:
  void attach(Slot slot, Peripheral* p, IrqLine* irq);
  // Builds peripheral T at `slot` (address and IRQ from the memory map) and keeps it.
  template <class T>
  T& add(const char* name, Slot slot, const YNode* device_cfg) {
    auto p = std::make_unique<T>(name, site_, device_cfg);
    T& ref = *p;
    attach(slot, p.get(), &p->irq);
    owned_.push_back(std::move(p));
    return ref;
  }
  void on_reset(ResetCause cause);
  void fill_ram_garbage();

  Site& site_;
  std::uint8_t* flash_ = nullptr;  // page-aligned host memory (Unicorn maps it directly)
  std::uint8_t* sram_ = nullptr;
  std::unique_ptr<Bus> bus_;
  std::unique_ptr<Cpu> cpu_;
  std::unique_ptr<Scs> scs_;
  std::unique_ptr<Dwt> dwt_;
  std::unique_ptr<Itm> itm_;
  std::unique_ptr<CpuDebugger> gdb_;
  std::vector<std::unique_ptr<Peripheral>> owned_;
  Peripheral* periph_[9] = {};
  std::optional<ElfImage> fw_;
  bool has_firmware_ = false;
  unsigned power_ups_ = 0;  // seeds each power-up's RAM content
};

}  // namespace lmsim::mcu
