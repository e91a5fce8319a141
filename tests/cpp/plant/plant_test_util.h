// Helpers for plant tests: elaborate a scenario, run for a while, read signals, and a tiny TLM
// initiator to talk to the AFE through its registers like the firmware does.
#pragma once
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>

#include <tlm_utils/simple_initiator_socket.h>
#include <systemc>
#include <tlm>

#include "models/models.h"
#include "sim/site.h"

namespace plant_test {

// Builds only the plant from a scenario text (one elaboration per process).
inline std::unique_ptr<lmsim::Site> elaborate_plant(const std::string& yaml, std::uint64_t seed = 1) {
  lmsim::YNode root = lmsim::YNode::load_string(yaml, "<test>");
  auto site = std::make_unique<lmsim::Site>(root, "test.yaml", seed);
  lmsim::plant::build(*site, root);
  return site;
}

inline void run_for(double seconds) {
  sc_core::sc_start(sc_core::sc_time(seconds, sc_core::SC_SEC));
}
inline double now_s() {
  return sc_core::sc_time_stamp().to_seconds();
}

inline double val(lmsim::Site& s, const std::string& name) {
  return s.registry().at(name).value();
}

// Runs in small slices until `name` becomes true or `limit` seconds pass; returns the time of
// the change (the signal's own timestamp) or a negative value.
inline double run_until_true(lmsim::Site& s, const std::string& name, double limit, double slice = 0.01) {
  auto& sig = s.registry().at(name);
  while (!sig.as_bool() && now_s() < limit) run_for(slice);
  return sig.as_bool() ? lmsim::time_to_seconds(sig.last_change()) : -1.0;
}

struct RegPort : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<RegPort> sock;
  explicit RegPort(sc_core::sc_module_name n) : sc_module(n), sock("sock") {}
  bool access(std::uint32_t addr, std::uint32_t& v, bool write) {
    tlm::tlm_generic_payload tx;
    tx.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    tx.set_address(addr);
    tx.set_data_ptr(reinterpret_cast<unsigned char*>(&v));
    tx.set_data_length(4);
    tx.set_streaming_width(4);
    tx.set_byte_enable_ptr(nullptr);
    tx.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    sock->b_transport(tx, d);
    return tx.get_response_status() == tlm::TLM_OK_RESPONSE;
  }
  std::uint32_t read(std::uint32_t addr) {
    std::uint32_t v = 0;
    EXPECT_TRUE(access(addr, v, false)) << "read of 0x" << std::hex << addr;
    return v;
  }
  std::int32_t read_s(std::uint32_t addr) { return static_cast<std::int32_t>(read(addr)); }
  void write(std::uint32_t addr, std::uint32_t v) {
    EXPECT_TRUE(access(addr, v, true)) << "write 0x" << std::hex << addr;
  }
};

}  // namespace plant_test
