// Test harness for the peripheral models: a site without the rest of the device, a tiny TLM
// initiator per peripheral, and an IRQ recorder.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <tlm_utils/simple_initiator_socket.h>
#include <systemc>
#include <tlm>

#include "models/mcu/peripheral.h"
#include "sim/site.h"

namespace periph_test {

using lmsim::Time;
using namespace lmsim::mcu;

inline std::unique_ptr<lmsim::Site> make_site(const std::string& yaml = "device: {serial: SE12345678}",
                                              std::uint64_t seed = 1) {
  return std::make_unique<lmsim::Site>(lmsim::YNode::load_string(yaml, "test.yaml"), "test.yaml", seed);
}

inline const lmsim::YNode* device_cfg(lmsim::Site& s) {
  return s.scenario().get("device");
}

// Drives one peripheral's socket. `offset` is the initiator's local time offset (temporal
// decoupling): the access happens at sc_time_stamp() + offset.
struct Initiator : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<Initiator> sock;
  tlm::tlm_response_status last = tlm::TLM_OK_RESPONSE;

  explicit Initiator(sc_core::sc_module_name n, Peripheral& p) : sc_module(n), sock("sock") { sock.bind(p.socket); }

  tlm::tlm_response_status access(bool write, std::uint32_t addr, void* data, unsigned len, Time offset = 0) {
    tlm::tlm_generic_payload tx;
    tx.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    tx.set_address(addr);
    tx.set_data_ptr(static_cast<unsigned char*>(data));
    tx.set_data_length(len);
    tx.set_streaming_width(len);
    tx.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_core::sc_time delay = sc_core::sc_time::from_value(offset);
    sock->b_transport(tx, delay);
    return last = tx.get_response_status();
  }
  std::uint32_t rd(std::uint32_t addr, Time offset = 0) {
    std::uint32_t v = 0xDEADBEEF;
    access(false, addr, &v, 4, offset);
    return v;
  }
  void wr(std::uint32_t addr, std::uint32_t v, Time offset = 0) { access(true, addr, &v, 4, offset); }
};

// Records every level change of an interrupt line with its SystemC time.
struct IrqProbe {
  std::vector<std::pair<Time, bool>> edges;
  bool level = false;
  void attach(IrqLine& l) {
    l.sink = [this](bool v) {
      level = v;
      edges.emplace_back(static_cast<Time>(sc_core::sc_time_stamp().value()), v);
    };
  }
  int rises() const {
    int n = 0;
    for (auto& e : edges) n += e.second;
    return n;
  }
};

// Runs SystemC up to time t including the processes due at t (sc_start(d) alone stops
// before evaluating the events at the end time).
inline void run_until(Time t) {
  Time now = sc_core::sc_time_stamp().value();
  if (t > now) sc_core::sc_start(sc_core::sc_time::from_value(t - now));
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
}
inline Time now() {
  return sc_core::sc_time_stamp().value();
}

}  // namespace periph_test
