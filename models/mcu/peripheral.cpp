#include "models/mcu/peripheral.h"

#include <cstring>
#include <stdexcept>

namespace lmsim::mcu {

RegisterBank::Reg& RegisterBank::at(const char* name) {
  for (auto& r : regs_)
    if (std::strcmp(r.name, name) == 0) return r;
  throw std::logic_error(std::string("no register ") + name);
}

bool RegisterBank::access(std::uint32_t offset, std::uint8_t* data, unsigned len, bool is_write, Time now) {
  if (len == 0 || len > 4 || (offset & (len - 1)) != 0) return false;
  Reg* r = find(offset);
  if (!r) return false;
  unsigned shift = (offset & 3u) * 8;
  if (!is_write) {
    if (!(r->access & RO)) return false;
    std::uint32_t v = r->read ? r->read(now) : r->value;
    v >>= shift;
    std::memcpy(data, &v, len);  // little-endian host and guest
    return true;
  }
  if (!(r->access & WO)) return false;
  std::uint32_t in = 0;
  std::memcpy(&in, data, len);
  std::uint32_t v = in;
  if (len < 4) {
    std::uint32_t mask = (len == 1 ? 0xFFu : 0xFFFFu) << shift;
    v = (r->value & ~mask) | ((in << shift) & mask);
  }
  if (r->write)
    r->write(v, now);
  else
    r->value = (r->value & ~r->write_mask) | (v & r->write_mask);
  return true;
}

Peripheral::Peripheral(sc_core::sc_module_name name, std::uint32_t size)
    : sc_module(name), socket("socket"), size_(size) {
  socket.register_b_transport(this, &Peripheral::b_transport);
  socket.register_transport_dbg(this, &Peripheral::transport_dbg);
}

void Peripheral::b_transport(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) {
  bool w = tx.get_command() == tlm::TLM_WRITE_COMMAND;
  bool ok = tx.get_data_length() <= 4 && regs.access(static_cast<std::uint32_t>(tx.get_address()), tx.get_data_ptr(),
                                                     tx.get_data_length(), w, now(delay));
  tx.set_response_status(ok ? tlm::TLM_OK_RESPONSE : tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

unsigned int Peripheral::transport_dbg(tlm::tlm_generic_payload& tx) {
  // Debug reads (GDB, tests) see the stored values without side effects.
  if (tx.get_command() != tlm::TLM_READ_COMMAND) return 0;
  unsigned n = tx.get_data_length();
  for (unsigned i = 0; i < n; ++i) {
    auto* r = regs.find(static_cast<std::uint32_t>(tx.get_address()) + i);
    std::uint32_t v = r ? r->value : 0;
    tx.get_data_ptr()[i] = static_cast<std::uint8_t>(v >> (((tx.get_address() + i) & 3u) * 8));
  }
  return n;
}

}  // namespace lmsim::mcu
