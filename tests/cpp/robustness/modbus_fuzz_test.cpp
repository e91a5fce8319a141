// Seeded Modbus TCP frames into every built-in vendor's endpoint, in simulated time: random and
// truncated MBAP headers, lengths that lie, every function code, quantities 0/1/125/126/2000,
// addresses up to 0xFFFF. Each reply is either silence or a well-formed response to that
// request (same transaction and unit, the function code or its exception); nothing crashes.
#include <cstdint>
#include <random>
#include <vector>

#include <gtest/gtest.h>
#include <systemc>

#include "models/evse/station_directory.h"
#include "sim/elaborate.h"

using namespace lmsim;

namespace {

const char* kStations = R"(
duration: 1h
stations:
  - {name: abb, model: abb-terra-ac, ip: 192.168.1.60}
  - {name: amtron, model: mennekes-amtron-ecu, ip: 192.168.1.61}
  - {name: live, model: webasto-live, register_set: ebee, ip: 192.168.1.62}
  - {name: livetq, model: webasto-live, register_set: tq-dm100, ip: 192.168.1.67}
  - {name: next, model: webasto-next, ip: 192.168.1.63}
  - {name: unite, model: webasto-unite, ip: 192.168.1.64}
  - {name: weid, model: weidmueller-ac-smart, ip: 192.168.1.65, rfid_auth: false}
evs:
  - {name: car1, station: abb, arrive: 0s, phases: 3, max_current: 16A}
  - {name: car2, station: next, arrive: 0s, phases: 1, max_current: 16A}
)";

void put16(std::vector<std::uint8_t>& v, unsigned x) {
  v.push_back(static_cast<std::uint8_t>(x >> 8));
  v.push_back(static_cast<std::uint8_t>(x));
}

// One request of a random shape; the MBAP length is usually right (so the PDU is judged) but
// sometimes lies or the frame is cut.
std::vector<std::uint8_t> frame(std::mt19937& rng) {
  auto R = [&rng] { return static_cast<unsigned>(rng()); };
  auto pick = [&](std::initializer_list<unsigned> xs) { return *(xs.begin() + R() % xs.size()); };
  std::vector<std::uint8_t> pdu;
  const unsigned fc = R() % 4 == 0 ? R() % 256 : pick({1, 2, 3, 4, 5, 6, 15, 16, 22, 23, 43});
  pdu.push_back(static_cast<std::uint8_t>(fc));
  const unsigned addr = pick({0, 1, 100, 0x1000, 0x4000, 0x4100, 0x7FFF, 0xFFFE, 0xFFFF, R() % 65536});
  const unsigned qty = pick({0, 1, 2, 125, 126, 123, 124, 2000, 0xFFFF, R() % 300});
  switch (R() % 4) {
    case 0:  // read-like
      put16(pdu, addr);
      put16(pdu, qty);
      break;
    case 1: {  // write-multiple-like with a byte count that may not match
      put16(pdu, addr);
      put16(pdu, qty);
      const unsigned bc = R() % 2 ? (qty * 2) & 0xFF : R() % 256;
      pdu.push_back(static_cast<std::uint8_t>(bc));
      const unsigned n = R() % 2 ? bc : R() % 260;
      for (unsigned i = 0; i < n; ++i) pdu.push_back(static_cast<std::uint8_t>(R()));
      break;
    }
    case 2:  // random body
      for (unsigned i = R() % 20; i > 0; --i) pdu.push_back(static_cast<std::uint8_t>(R()));
      break;
    default:  // write-single-like
      put16(pdu, addr);
      put16(pdu, R() % 65536);
  }
  std::vector<std::uint8_t> adu;
  put16(adu, R() % 65536);               // transaction
  put16(adu, R() % 16 == 0 ? R() : 0u);  // protocol id
  unsigned len = static_cast<unsigned>(pdu.size() + 1);
  if (R() % 10 == 0) len = pick({0, 1, 2, 255, 0xFFFF, len + 1, len - 1});
  put16(adu, len);
  adu.push_back(static_cast<std::uint8_t>(pick({1, 1, 1, 0, 2, 255})));  // unit
  adu.insert(adu.end(), pdu.begin(), pdu.end());
  if (R() % 10 == 0) adu.resize(R() % (adu.size() + 1));
  if (R() % 50 == 0) adu.resize(300 + R() % 2000, 0xAA);
  return adu;
}

}  // namespace

TEST(RobustModbus, EveryVendorEndpointSurvivesSeededGarbage) {
  auto site = elaborate_text(kStations, 3);
  sc_core::sc_start(sc_core::sc_time(30, sc_core::SC_SEC));  // past every station's boot
  auto* dir = site->service<evse::StationDirectory>("stations");
  ASSERT_NE(dir, nullptr);
  std::mt19937 rng(20261125);
  std::size_t answered = 0, silent = 0, exceptions = 0;
  for (const std::string& name : dir->names()) {
    evse::ModbusEndpoint* ep = dir->endpoint(name);
    if (!ep) continue;
    const int conn = ep->open_connection(static_cast<Time>(sc_core::sc_time_stamp().value()));
    for (int i = 0; i < 3000; ++i) {
      if (i % 500 == 499) sc_core::sc_start(sc_core::sc_time(1, sc_core::SC_SEC));
      const Time t = static_cast<Time>(sc_core::sc_time_stamp().value());
      auto adu = frame(rng);
      if (i % 5 == 0) {  // a well-formed read of one mapped register: the data path is exercised too
        const auto& regs = ep->core().vendor().regs;
        const auto& r = regs[rng() % regs.size()];
        adu = {0,
               static_cast<std::uint8_t>(i),
               0,
               0,
               0,
               6,
               static_cast<std::uint8_t>(i % 10 ? 1 : 255),
               static_cast<std::uint8_t>(r.table == evse::Table::Holding ? 3 : 4),
               static_cast<std::uint8_t>(r.addr >> 8),
               static_cast<std::uint8_t>(r.addr),
               0,
               static_cast<std::uint8_t>(r.words)};
      }
      const auto rep = ep->handle(adu.data(), adu.size(), t, i % 2 ? conn : -1);
      if (rep.empty()) {
        ++silent;
        continue;
      }
      ++answered;
      ASSERT_GE(rep.size(), 9u) << name;
      ASSERT_GE(adu.size(), 8u) << name << ": answered a frame shorter than MBAP + function code";
      EXPECT_EQ(rep[0], adu[0]);
      EXPECT_EQ(rep[1], adu[1]);
      EXPECT_EQ(rep[2] << 8 | rep[3], 0);
      EXPECT_EQ(static_cast<std::size_t>(rep[4] << 8 | rep[5]), rep.size() - 6) << name;
      EXPECT_EQ(rep[6], adu[6]) << name;
      EXPECT_TRUE(rep[7] == adu[7] || rep[7] == (adu[7] | 0x80)) << name << " fc " << int(adu[7]);
      if (rep[7] & 0x80) {
        ++exceptions;
        EXPECT_EQ(rep.size(), 9u);
        EXPECT_TRUE(rep[8] >= 1 && rep[8] <= 0x0B) << name << " exception " << int(rep[8]);
      }
    }
    EXPECT_EQ(ep->handle(nullptr, 0, static_cast<Time>(sc_core::sc_time_stamp().value())).size(), 0u);
  }
  // The generator reaches both the data path and the error paths.
  EXPECT_GT(answered - exceptions, 20u);
  EXPECT_GT(exceptions, 200u);
  EXPECT_GT(silent, 50u);
  // The simulation keeps running after the garbage.
  sc_core::sc_start(sc_core::sc_time(5, sc_core::SC_SEC));
}
