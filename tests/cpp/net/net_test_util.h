// Helpers for the network tests: a Site with the stations and network areas only, plus the
// device's network controller (NETC) driven by TLM transactions from the test (no CPU) and a
// flat guest memory for its DMA (the rig in netc_rig.h, shared with bench/network.cpp).
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <systemc>

#include "models/mcu/netc.h"
#include "models/net/cloud.h"
#include "models/net/device_link.h"
#include "models/net/lan.h"
#include "models/net/router.h"
#include "netc_rig.h"
#include "sim/site.h"

namespace lmsim::net::test {

using mcu::Netc;

using FlatMemory = rig::FlatMemory;

// The controller rig (netc_rig.h) with gtest-checked register access and firmware-like helpers.
struct Bench : rig::NetcRig {
  Lan* lan = nullptr;
  DeviceLink* dev = nullptr;
  Cloud* cloud = nullptr;
  Router* router = nullptr;

  // realtime + expose: as `lmsim run --realtime --expose` (the host bridge opens).
  explicit Bench(const std::string& yaml, std::uint64_t seed = 1, bool realtime = false, bool expose = true);
  void run(double seconds);
  // Steps in 1 ms until pred() holds; false after max_s.
  bool run_until(const std::function<bool()>& pred, double max_s);
  double now_s() const { return sc_core::sc_time_stamp().to_seconds(); }
  Signal& sig(const std::string& n) const { return site->registry().at(n); }
  void set(const std::string& knob, const std::string& v) { site->registry().write(knob, v); }

  // Registers
  std::uint32_t rd(std::uint32_t off);
  void wr(std::uint32_t off, std::uint32_t v);
  std::uint32_t srd(int s, std::uint32_t off) { return rd(sreg(s, off)); }
  void swr(int s, std::uint32_t off, std::uint32_t v) { wr(sreg(s, off), v); }

  // Firmware-like helpers
  void enable();
  bool wait_ip(double max_s = 10);
  void put_arg(const std::string& a, const std::string& b = {});  // struct {ssid[33]; password[65]} at 0x20000000
  void join(const std::string& ssid, const std::string& pw);
  // TCP connect on socket s; returns S_STATUS after waiting for CONNECTED/ERROR (max_s).
  std::uint32_t connect(int s, const std::string& ip, std::uint16_t port, double max_s = 20,
                        std::uint32_t timeout_ms = 10000);
  std::uint32_t send(int s, const std::string& data);  // returns bytes accepted
  std::string recv(int s, std::uint32_t max = 4096);
  // Waits until socket s has `n` bytes (or more) available.
  bool wait_rx(int s, std::size_t n, double max_s = 5);
};

std::string ip_str(std::uint32_t ip);

}  // namespace lmsim::net::test
