// The Modbus TCP server on :5020 (behaviours.md MB-01..MB-05, EXT-01..EXT-05, A17, A36) against
// the vendor's documented map (shared/reference/clemap-public-docs.md §3) and the Modbus
// Application Protocol v1.1b3 (§6.3 FC03, §6.12 FC16, §7 exception codes). Expected register
// words are IEEE 754 single-precision encodings worked out by hand (e.g. 230.0 = 0x43660000).
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "app/api/modbus_api.h"
#include "app/core/log.h"
#include "app/socket_plan.h"
#include "fakes/fakes.h"

namespace lmc::api {
namespace {

using fake::FakeClock;
using fake::FakeConsole;
using fake::FakeSockets;

struct Live final : LiveSource {
  metering::Measurement m;
  const metering::Measurement& measurement() const override { return m; }
};

std::string frame(std::uint16_t tid, std::uint8_t unit, const std::vector<std::uint8_t>& pdu) {
  std::string s;
  s += static_cast<char>(tid >> 8);
  s += static_cast<char>(tid & 0xFF);
  s += '\0';
  s += '\0';
  s += static_cast<char>((pdu.size() + 1) >> 8);
  s += static_cast<char>((pdu.size() + 1) & 0xFF);
  s += static_cast<char>(unit);
  for (auto b : pdu) s += static_cast<char>(b);
  return s;
}
std::vector<std::uint8_t> read_req(std::uint8_t fc, std::uint16_t addr, std::uint16_t count) {
  return {fc, static_cast<std::uint8_t>(addr >> 8), static_cast<std::uint8_t>(addr),
          static_cast<std::uint8_t>(count >> 8), static_cast<std::uint8_t>(count)};
}
std::uint32_t bits(float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
std::vector<std::uint8_t> write_floats(std::uint16_t addr, const std::vector<float>& v) {
  std::vector<std::uint8_t> p = {
      0x10, static_cast<std::uint8_t>(addr >> 8),    static_cast<std::uint8_t>(addr),
      0,    static_cast<std::uint8_t>(2 * v.size()), static_cast<std::uint8_t>(4 * v.size())};
  for (float f : v) {
    const std::uint32_t u = bits(f);
    for (int s = 24; s >= 0; s -= 8) p.push_back(static_cast<std::uint8_t>(u >> s));
  }
  return p;
}

struct ModbusApiTest : ::testing::Test {
  FakeClock clock;
  FakeConsole console;
  Log log{console};
  FakeSockets sockets;
  settings::Settings s;
  lm::ExternalControl ext;
  Live live;
  Control control{ext, s, nullptr, log};
  ModbusApi api{sockets, log, live, control, s, clock};
  const int sk = sockets::kModbusServer[0];

  void SetUp() override {
    s.set(settings::Id::FeatureModbusServer, 1, settings::kSystem);
    s.set(settings::Id::FeatureModbusWrite, 1, settings::kSystem);
    s.set(settings::Id::LmFuse, 40, settings::kSystem);  // per-phase limit 38.0 A (CFG-02)
    control.boot(0);
    api.update(clock.t);
    ASSERT_EQ(sockets.sock[sk].state, Sockets::State::Listen);
    ASSERT_EQ(sockets.sock[sk].lport, 5020);
    sockets.accept(sk, Endpoint{0xC0A8010A, 40000});
    api.update(clock.t);
  }
  // One request, its reply's PDU (without MBAP); unit echoed checked.
  std::vector<std::uint8_t> ask(const std::vector<std::uint8_t>& pdu, std::uint8_t unit = 1) {
    sockets.sock[sk].tx.clear();
    sockets.deliver(sk, frame(0x1234, unit, pdu));
    api.update(clock.t);
    const std::string& tx = sockets.sock[sk].tx;
    EXPECT_GE(tx.size(), 9u);
    if (tx.size() < 9) return {};
    EXPECT_EQ(static_cast<std::uint8_t>(tx[0]), 0x12);
    EXPECT_EQ(static_cast<std::uint8_t>(tx[1]), 0x34);
    EXPECT_EQ(static_cast<std::uint8_t>(tx[6]), unit);
    return std::vector<std::uint8_t>(tx.begin() + 7, tx.end());
  }
  std::vector<std::uint16_t> regs(const std::vector<std::uint8_t>& r) {
    std::vector<std::uint16_t> v;
    for (std::size_t i = 2; i + 1 < r.size(); i += 2) v.push_back(static_cast<std::uint16_t>(r[i] << 8 | r[i + 1]));
    return v;
  }
};

TEST_F(ModbusApiTest, ReadsTheWholeLiveBlockInOneRequestHighWordFirst) {
  for (int p = 0; p < 3; ++p) {
    live.m.ph[p].v = 230.0f;
    live.m.ph[p].i = 10.0f + p;
    live.m.ph[p].p = 2300.0f;
    live.m.ph[p].s = 2500.0f;
    live.m.ph[p].q = -100.0f;
  }
  live.m.in_a = 1.5f;
  live.m.p_total = 6900.0f;
  live.m.s_total = 7500.0f;
  live.m.q_total = -300.0f;
  auto r = ask(read_req(3, 19000, 44), 77);  // any unit id, echoed (A17)
  ASSERT_EQ(r.size(), 2u + 88u);
  EXPECT_EQ(r[0], 3);
  EXPECT_EQ(r[1], 88);
  auto v = regs(r);
  // 230.0 = 0x43660000 (sign 0, exponent 134, mantissa 0x660000): high word first (ABCD).
  EXPECT_EQ(v[0], 0x4366);
  EXPECT_EQ(v[1], 0x0000);
  EXPECT_EQ(v[4], 0x4366);
  for (int i = 6; i < 12; ++i) EXPECT_EQ(v[i], 0) << "19006-19011 read 0.0 (A36), word " << i;
  EXPECT_EQ(v[12], 0x4120);  // 19012 I L1 = 10.0 = 0x41200000
  EXPECT_EQ(v[16], 0x4140);  // 19016 I L3 = 12.0 = 0x41400000
  EXPECT_EQ(v[18], 0x3FC0);  // 19018 IN = 1.5 = 0x3FC00000
  EXPECT_EQ(v[20], 0x450F);  // 19020 P L1 = 2300 = 0x450FC000
  EXPECT_EQ(v[21], 0xC000);
  EXPECT_EQ(v[26], 0x45D7);  // 19026 P total = 6900 = 0x45D7A000
  EXPECT_EQ(v[27], 0xA000);
  EXPECT_EQ(v[34], 0x45EA);  // 19034 S total = 7500 = 0x45EA6000
  EXPECT_EQ(v[36], 0xC2C8);  // 19036 Q L1 = -100 = 0xC2C80000
  EXPECT_EQ(v[42], 0xC396);  // 19042 Q total = -300 = 0xC3960000
}

TEST_F(ModbusApiTest, ExceptionsPerSpec) {
  // MB-02 / A17: FC04 and FC06 -> 01; outside the map -> 02 (Application Protocol §7).
  EXPECT_EQ(ask(read_req(4, 19000, 2)), (std::vector<std::uint8_t>{0x84, 0x01}));
  EXPECT_EQ(ask({6, 0x4A, 0x56, 0, 1}), (std::vector<std::uint8_t>{0x86, 0x01}));
  EXPECT_EQ(ask(read_req(3, 18998, 2)), (std::vector<std::uint8_t>{0x83, 0x02}));
  EXPECT_EQ(ask(read_req(3, 19044, 2)), (std::vector<std::uint8_t>{0x83, 0x02}));
  EXPECT_EQ(ask(read_req(3, 19040, 12)), (std::vector<std::uint8_t>{0x83, 0x02}));       // spans the gap
  EXPECT_EQ(ask(read_req(3, 19056, 4)), (std::vector<std::uint8_t>{0x83, 0x02}));        // past 19057
  EXPECT_EQ(ask(write_floats(19000, {1.0f})), (std::vector<std::uint8_t>{0x90, 0x02}));  // read-only
  EXPECT_EQ(ask(write_floats(19051, {1.0f})), (std::vector<std::uint8_t>{0x90, 0x02}));  // half a float
  EXPECT_EQ(ask(read_req(1, 19000, 8)), (std::vector<std::uint8_t>{0x81, 0x01}));
}

TEST_F(ModbusApiTest, ActivationAndLimitsTakeEffectAndReadBack) {
  auto r = ask(write_floats(19050, {1.0f, 8.0f, 16.0f}));
  ASSERT_EQ(r.size(), 5u);
  EXPECT_EQ(r[0], 0x10);
  EXPECT_EQ(ext.state(), lm::ExtState::Active);          // EXT-01
  EXPECT_EQ(ext.limit_ma(), 16000);                      // CurrentLimit in force, A per phase
  auto v = regs(ask(read_req(3, 19050, 8)));             // MB-04: read back
  EXPECT_EQ(v[0], 0x3F80);                               // 1.0
  EXPECT_EQ(v[2], 0x4100);                               // 8.0
  EXPECT_EQ(v[4], 0x4180);                               // 16.0
  EXPECT_EQ(s.get(settings::Id::ExtCurrentLimit), 160);  // mirrored into the schema's setting (0.1 A)
}

TEST_F(ModbusApiTest, InvalidValuesGetException03AndChangeNothing) {
  ask(write_floats(19050, {1.0f, 8.0f, 16.0f}));
  const float nan = __builtin_nanf("");
  const float inf = __builtin_inff();
  for (float bad : {nan, inf, -1.0f, 39.0f /* above the 38 A phase limit */}) {
    EXPECT_EQ(ask(write_floats(19054, {bad})), (std::vector<std::uint8_t>{0x90, 0x03})) << bad;
    EXPECT_EQ(ask(write_floats(19052, {bad})), (std::vector<std::uint8_t>{0x90, 0x03})) << bad;
  }
  EXPECT_EQ(ask(write_floats(19050, {2.0f})), (std::vector<std::uint8_t>{0x90, 0x03}));
  // All or nothing: a valid fallback with an invalid limit in the same request is refused too.
  EXPECT_EQ(ask(write_floats(19052, {5.0f, -3.0f})), (std::vector<std::uint8_t>{0x90, 0x03}));
  EXPECT_EQ(ext.limit_ma(), 16000);
  EXPECT_EQ(ext.settings().fallback_limit_ma, 8000);
}

TEST_F(ModbusApiTest, WritesNeedTheCascadingModule) {
  s.set(settings::Id::FeatureModbusWrite, 0, settings::kSystem);
  EXPECT_EQ(ask(write_floats(19054, {10.0f})), (std::vector<std::uint8_t>{0x90, 0x01}));  // MB-04 / A17
  EXPECT_EQ(ext.state(), lm::ExtState::Inactive);
}

TEST_F(ModbusApiTest, KeepAliveHoldsOffTheFallback) {
  ask(write_floats(19050, {1.0f, 6.0f, 16.0f}));
  // EXT-02 / PUB §1.2: 120 s without a keep-alive -> FallbackCurrentLimit.
  clock.t = 110000;
  ask(write_floats(19056, {42.0f}));  // EXT-03: any value
  clock.t = 229000;
  EXPECT_EQ(ext.step(clock.t), 16000);
  clock.t = 231000;
  EXPECT_EQ(ext.step(clock.t), 6000);
  EXPECT_EQ(ext.state(), lm::ExtState::FallenBack);
  auto v = regs(ask(read_req(3, 19056, 2)));
  EXPECT_EQ(v[0], 0x4228);           // 42.0 = 0x42280000, read back
  ask(write_floats(19056, {0.0f}));  // EXT-05: the next keep-alive restores CurrentLimit
  EXPECT_EQ(ext.step(clock.t), 16000);
}

TEST_F(ModbusApiTest, OffByDefaultRefusesConnections) {
  settings::Settings fresh;
  FakeSockets socks;
  ModbusApi off{socks, log, live, control, fresh, clock};
  off.update(0);
  EXPECT_EQ(socks.sock[sk].state, Sockets::State::Closed);  // MB-01 / A32: not listening
}

TEST_F(ModbusApiTest, SlowlorisAndGarbageAreCutWithoutHurtingTheOtherSocket) {
  sockets.deliver(sk, std::string("\x00\x01\x00", 3));  // a frame that never completes
  api.update(clock.t);
  clock.t += 4000;
  api.update(clock.t);
  EXPECT_EQ(sockets.sock[sk].state, Sockets::State::Established);
  clock.t += 2000;
  api.update(clock.t);
  EXPECT_EQ(sockets.sock[sk].state, Sockets::State::Closed);  // cut (RST) ...
  api.update(clock.t);
  EXPECT_EQ(sockets.sock[sk].state, Sockets::State::Listen);  // ... and listening again
  EXPECT_EQ(api.cut(), 1u);
  // Not Modbus TCP (MBAP length 0): closed.
  sockets.accept(sk, Endpoint{0xC0A8010A, 40001});
  api.update(clock.t);
  sockets.deliver(sk, std::string("GET / HTTP/1.1\r\n\r\n"));
  api.update(clock.t);
  EXPECT_NE(sockets.sock[sk].state, Sockets::State::Established);
  // The second socket serves meanwhile.
  const int sk2 = sockets::kModbusServer[1];
  EXPECT_EQ(sockets.sock[sk2].state, Sockets::State::Listen);
  sockets.accept(sk2, Endpoint{0xC0A8010B, 40002});
  api.update(clock.t);
  sockets.deliver(sk2, frame(1, 1, read_req(3, 19000, 2)));
  api.update(clock.t);
  EXPECT_EQ(sockets.sock[sk2].tx.size(), 9u + 4u);
}

TEST_F(ModbusApiTest, IdleConnectionIsCut) {
  clock.t += 180001;
  api.update(clock.t);
  EXPECT_EQ(api.cut(), 1u);
  EXPECT_TRUE(console.has("lmc: modbus cut socket=9 reason=idle"));
}

}  // namespace
}  // namespace lmc::api
