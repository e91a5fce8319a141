#include "models/mcu/bus.h"

#include <stdexcept>

namespace lmsim::mcu {

Bus::Bus(sc_core::sc_module_name name) : sc_module(name) {
  targets_.reserve(16);
}

void Bus::map(std::uint32_t base, Peripheral& p) {
  for (auto& t : targets_)
    if (base < t.base + t.size && t.base < base + p.size())
      throw std::logic_error("bus: " + std::string(p.name()) + " overlaps " + t.periph->name());
  if (targets_.size() == targets_.capacity()) throw std::logic_error("bus: too many targets");
  std::string sock = std::string("to_") + p.basename();
  auto s = std::make_unique<tlm_utils::simple_initiator_socket<Bus>>(sock.c_str());
  s->bind(p.socket);
  targets_.push_back({base, p.size(), &p, std::move(s)});
  last_ = nullptr;
}

Bus::Target* Bus::decode(std::uint32_t addr) {
  if (last_ && addr - last_->base < last_->size) return last_;
  for (auto& t : targets_)
    if (addr - t.base < t.size) return last_ = &t;
  return nullptr;
}

Peripheral* Bus::find(std::uint32_t addr) {
  Target* t = decode(addr);
  return t ? t->periph : nullptr;
}

bool Bus::access(std::uint32_t addr, std::uint8_t* data, unsigned len, bool write, sc_core::sc_time& delay) {
  Target* t = decode(addr);
  if (!t) return false;
  tx_.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
  tx_.set_address(addr - t->base);
  tx_.set_data_ptr(data);
  tx_.set_data_length(len);
  tx_.set_streaming_width(len);
  tx_.set_byte_enable_ptr(nullptr);
  tx_.set_dmi_allowed(false);
  tx_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  (*t->socket)->b_transport(tx_, delay);
  return tx_.get_response_status() == tlm::TLM_OK_RESPONSE;
}

bool Bus::debug(std::uint32_t addr, std::uint8_t* data, unsigned len, bool write) {
  Target* t = decode(addr);
  if (!t) return false;
  tlm::tlm_generic_payload tx;
  tx.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
  tx.set_address(addr - t->base);
  tx.set_data_ptr(data);
  tx.set_data_length(len);
  tx.set_streaming_width(len);
  return (*t->socket)->transport_dbg(tx) == len;
}

}  // namespace lmsim::mcu
