// Common base for the MCU's memory-mapped peripherals: a TLM-2.0 target socket, a register
// table declared next to the model (not a switch statement), interrupt lines into the NVIC,
// and access to guest memory for block transfers (the controller's DMA).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <tlm_utils/simple_target_socket.h>
#include <systemc>
#include <tlm>

#include "sim/units.h"

namespace lmsim::mcu {

enum class ResetCause : std::uint32_t { PowerOn = 1, BrownOut = 2, Watchdog = 4, Software = 8, Pin = 16, Lockup = 32 };

// One interrupt request line into the NVIC (level-sensitive). The device wires `sink`.
struct IrqLine {
  std::function<void(bool)> sink;
  bool level = false;
  void set(bool l) {
    if (l == level) return;
    level = l;
    if (sink) sink(l);
  }
  void raise() { set(true); }
  void lower() { set(false); }
  // A one-shot request (pulse): pends the interrupt once.
  void pulse() {
    set(true);
    set(false);
  }
};

// The CPU's view of memory for peripherals that move blocks (network controller, AFE capture).
class GuestMemory {
 public:
  virtual ~GuestMemory() = default;
  virtual bool read(std::uint32_t addr, void* dst, std::size_t n) = 0;
  virtual bool write(std::uint32_t addr, const void* src, std::size_t n) = 0;
};

// A declarative register table. Each register is 32 bits wide at a word-aligned offset;
// byte and halfword accesses read or modify the containing word.
class RegisterBank {
 public:
  enum Access : std::uint8_t { RO = 1, WO = 2, RW = 3 };
  struct Reg {
    const char* name;
    std::uint32_t offset;
    Access access = RW;
    std::uint32_t reset = 0;
    // Hooks: read returns the value (default: stored value); write receives the new value
    // (default: stores it, masked by write_mask). `now` is the access time (temporal decoupling).
    std::function<std::uint32_t(Time now)> read;
    std::function<void(std::uint32_t v, Time now)> write;
    std::uint32_t write_mask = 0xFFFFFFFFu;
    std::uint32_t value = 0;
  };

  Reg& add(Reg r) {
    r.value = r.reset;
    regs_.push_back(std::move(r));
    return regs_.back();
  }
  // An interrupt status register over `bits`: reads them; a 1 written to a bit of `w1c`
  // clears it, then `changed()` runs (typically: update the interrupt line).
  Reg& add_w1c_status(const char* name, std::uint32_t offset, std::uint32_t& bits, std::uint32_t w1c,
                      std::function<void()> changed) {
    return add({.name = name,
                .offset = offset,
                .access = RW,
                .read = [&bits](Time) { return bits; },
                .write =
                    [&bits, w1c, changed = std::move(changed)](std::uint32_t v, Time) {
                      bits &= ~(v & w1c);
                      changed();
                    }});
  }
  Reg* find(std::uint32_t offset) {
    for (auto& r : regs_)
      if (r.offset == (offset & ~3u)) return &r;
    return nullptr;
  }
  Reg& at(const char* name);
  const std::vector<Reg>& regs() const { return regs_; }
  void reset() {
    for (auto& r : regs_) r.value = r.reset;
  }
  // Returns false for an unmapped offset or a forbidden direction (the bus then faults).
  bool access(std::uint32_t offset, std::uint8_t* data, unsigned len, bool is_write, Time now);

 private:
  std::vector<Reg> regs_;  // reserve() in the constructor: hooks keep references
};

// (Re)schedules `ev` for absolute simulated time `at` (now if `at` has passed).
inline void notify_at(sc_core::sc_event& ev, Time at) {
  Time now = sc_core::sc_time_stamp().value();
  ev.cancel();
  ev.notify(sc_core::sc_time::from_value(at > now ? at - now : 0));
}

class Peripheral : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<Peripheral> socket;

  Peripheral(sc_core::sc_module_name name, std::uint32_t size);
  std::uint32_t size() const { return size_; }
  // System reset (any cause): registers back to their reset values, model state cleared.
  virtual void reset(ResetCause cause) { regs.reset(); }
  void set_guest_memory(GuestMemory* m) { mem_ = m; }

 protected:
  // Access time of the current transaction: SystemC time plus the initiator's local offset.
  Time now(const sc_core::sc_time& delay) const {
    return static_cast<Time>((sc_core::sc_time_stamp() + delay).value());
  }
  virtual void b_transport(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay);
  unsigned int transport_dbg(tlm::tlm_generic_payload& tx);

  RegisterBank regs;
  GuestMemory* mem_ = nullptr;

 private:
  std::uint32_t size_;
};

}  // namespace lmsim::mcu
