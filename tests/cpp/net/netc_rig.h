// A bare site for driving the device's network controller (NETC) without a CPU: the stations
// and network areas built from scenario YAML, the NETC peripheral with a flat guest memory for
// its DMA, and a TLM initiator for its registers. Shared by the network tests
// (net_test_util.*) and the network benchmark (bench/network.cpp), so both set up the LAN
// the same way. Header-only: the benchmark compiles it without the test helpers.
#pragma once
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <tlm_utils/simple_initiator_socket.h>
#include <systemc>

#include "models/mcu/netc.h"
#include "models/models.h"
#include "sim/site.h"

namespace lmsim::net::rig {

// Guest RAM for the controller's DMA: 64 KiB at the start of SRAM.
class FlatMemory : public mcu::GuestMemory {
 public:
  static constexpr std::uint32_t kBase = 0x20000000, kSize = 0x10000;
  bool read(std::uint32_t addr, void* dst, std::size_t n) override {
    if (addr < kBase || addr - kBase + n > kSize) return false;
    std::memcpy(dst, bytes.data() + (addr - kBase), n);
    return true;
  }
  bool write(std::uint32_t addr, const void* src, std::size_t n) override {
    if (addr < kBase || addr - kBase + n > kSize) return false;
    std::memcpy(bytes.data() + (addr - kBase), src, n);
    return true;
  }
  std::vector<std::uint8_t> bytes = std::vector<std::uint8_t>(kSize);
};

// 32-bit register accesses as the CPU's bus would make them (blocking TLM). Callable from
// sc_main between sc_start calls and from SystemC threads.
struct RegisterPort : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<RegisterPort> init;
  explicit RegisterPort(sc_core::sc_module_name n) : sc_module(n), init("init") {}
  // False if the target did not answer OK.
  bool access(bool write, std::uint32_t off, std::uint32_t& v) {
    tlm::tlm_generic_payload tx;
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    tx.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    tx.set_address(off);
    tx.set_data_ptr(reinterpret_cast<unsigned char*>(&v));
    tx.set_data_length(4);
    tx.set_streaming_width(4);
    init->b_transport(tx, d);
    return tx.get_response_status() == tlm::TLM_OK_RESPONSE;
  }
};

struct NetcRig {
  std::unique_ptr<Site> site;
  mcu::Netc* netc = nullptr;
  RegisterPort* port = nullptr;
  FlatMemory mem;

  // Elaborates the stations and network areas of `yaml` and the controller; the start hooks
  // have run, time has not started. realtime + expose: as `lmsim run --realtime --expose`.
  NetcRig(const std::string& yaml, const std::string& origin, std::uint64_t seed, bool realtime = false,
          bool expose = false) {
    YNode root = YNode::load_string(yaml, origin);
    site = std::make_unique<Site>(root, origin, seed);
    site->set_realtime(realtime);
    site->set_expose(realtime && expose);
    evse::build(*site, root);
    net::build(*site, root);
    netc = &site->make<mcu::Netc>("netc", *site, nullptr);
    netc->set_guest_memory(&mem);
    port = &site->make<RegisterPort>("bus");
    port->init.bind(netc->socket);
    site->run_start_hooks();
  }
  NetcRig(const NetcRig&) = delete;
  NetcRig& operator=(const NetcRig&) = delete;

  static std::uint32_t sreg(int s, std::uint32_t off) {
    return mcu::Netc::SOCK_BASE + static_cast<std::uint32_t>(s) * mcu::Netc::SOCK_STRIDE + off;
  }
};

}  // namespace lmsim::net::rig
