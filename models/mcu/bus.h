// The MCU's peripheral bus: routes CPU (and debugger) accesses by address to the TLM target
// sockets of the peripherals and the system control space. Accesses that hit no target, or
// that a target rejects, come back as errors so that the CPU can raise a BusFault.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <tlm_utils/simple_initiator_socket.h>
#include <systemc>
#include <tlm>

#include "models/mcu/peripheral.h"

namespace lmsim::mcu {

class Bus : public sc_core::sc_module {
 public:
  explicit Bus(sc_core::sc_module_name name);

  // Attaches a peripheral at [base, base + p.size()). Elaboration time only.
  void map(std::uint32_t base, Peripheral& p);
  struct Target {
    std::uint32_t base, size;
    Peripheral* periph;
    std::unique_ptr<tlm_utils::simple_initiator_socket<Bus>> socket;
  };
  const std::vector<Target>& targets() const { return targets_; }
  Peripheral* find(std::uint32_t addr);

  // One access of 1, 2 or 4 bytes at `delay` (the initiator's local time offset).
  // Returns false if no target decodes it or the target answered with an error.
  bool access(std::uint32_t addr, std::uint8_t* data, unsigned len, bool write, sc_core::sc_time& delay);
  // Debug access (no side effects, no time): false where nothing is mapped.
  bool debug(std::uint32_t addr, std::uint8_t* data, unsigned len, bool write);

 private:
  Target* decode(std::uint32_t addr);
  std::vector<Target> targets_;
  Target* last_ = nullptr;  // one-entry decode cache: accesses cluster on one peripheral
  tlm::tlm_generic_payload tx_;
};

}  // namespace lmsim::mcu
