// Webasto NEXT and Webasto Unite drivers against fake stations written from
// shared/reference/chargers.md §3.1 / §3.2 (fake_station.cpp). Expected register values and
// periods come from that document and behaviours.md (ST-09, ST-10, A21), never from the driver.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "app/stations/driver.h"
#include "fakes/fakes.h"
#include "stations/fake_station.h"

namespace lmc::stations {
namespace {

using test::FakeStation;

// A driver wired straight to a fake station (no sockets), a control cycle every second.
struct Bench {
  Bench(FakeStation s, const Profile& p, std::int32_t timeout_s = 90) : st(std::move(s)) {
    DriverConfig c;
    c.name = "wb1";
    c.fallback_a = 6;         // A21
    c.timeout_s = timeout_s;  // A21: 90 s
    c.min_a = 6;
    c.max_a = 16;
    d.configure(p, c, &log);
  }
  void step() {
    d.tick(t);
    if (d.link() == Driver::Link::Up && (d.wants_close() || !reachable)) {
      d.on_closed(t, false);
      ++closes;
    }
    if (d.link() == Driver::Link::Down && d.wants_connection(t, true)) {
      d.on_connecting(t);
      ++connects;
      if (reachable)
        d.on_connected(t);
      else
        d.on_connect_failed(t, 1);  // refused (Unite lock-out, §3.2)
    }
    std::uint8_t buf[300];
    std::size_t n;
    while (d.link() == Driver::Link::Up && (n = d.next_request(buf, sizeof buf, t)) > 0) {
      std::string rep = st.handle(std::string(reinterpret_cast<char*>(buf), n), t);
      if (rep.empty()) break;
      d.on_rx(reinterpret_cast<const std::uint8_t*>(rep.data()), rep.size(), t);
    }
  }
  void run(std::uint64_t ms, std::int32_t sp) {
    const std::uint64_t end = t + ms;
    while (t < end) {
      if (t % 1000 == 0) {
        d.set_setpoint(sp);
        d.cycle(t);
      }
      step();
      t += 100;
    }
  }
  std::vector<std::uint64_t> writes_of(std::uint16_t addr, std::uint16_t value) const {
    std::vector<std::uint64_t> out;
    for (const auto& w : st.writes)
      if (w.addr == addr && !w.values.empty() && w.values[0] == value) out.push_back(w.t_ms);
    return out;
  }

  fake::FakeConsole console;
  Log log{console};
  FakeStation st;
  Driver d;
  std::uint64_t t = 1000;
  bool reachable = true;
  int connects = 0, closes = 0;
};

// ---- Webasto NEXT (chargers.md §3.1) --------------------------------------------------------

TEST(NextDriver, SafeCurrentTimeoutAndSetpointInTheTqLayout) {
  Bench b(FakeStation::next(), webasto_next());
  b.run(20000, 10000);
  // §3.1: 2000 safeCurrent (A), 2002 comTimeout (s); A21: 6 A and 90 s. 5004 current in A.
  EXPECT_EQ(b.st.reg(2000), 6);
  EXPECT_EQ(b.st.reg(2002), 90);
  EXPECT_EQ(b.st.reg(5004), 10);
  // ST-09: both read back at connect (FC 3 at 2000 and 2002) before the first set-point.
  const auto& r = b.st.holding_reads;
  EXPECT_NE(std::find(r.begin(), r.end(), 2000), r.end());
  EXPECT_NE(std::find(r.begin(), r.end(), 2002), r.end());
  ASSERT_FALSE(b.writes_of(5004, 10).empty());
  EXPECT_LT(b.writes_of(2002, 90).front(), b.writes_of(5004, 10).front());
  EXPECT_TRUE(b.console.has("lmc: station ready name=wb1 fallback_a=6 timeout_s=90"));
}

TEST(NextDriver, LifeBitEveryHalfTimeoutAtMostTenSeconds) {
  // §3.1: "EM writes 1 every ½ comTimeout, NEXT resets it to 0"; A21: heartbeat <= 10 s.
  for (std::int32_t timeout : {90, 12}) {
    Bench b(FakeStation::next(), webasto_next(), timeout);
    b.run(3u * 60u * 1000u, 10000);
    const auto life = b.writes_of(6000, 1);
    ASSERT_GE(life.size(), 10u) << timeout;
    const std::uint64_t limit = timeout * 1000u / 2 < 10000u ? timeout * 1000u / 2 : 10000u;
    for (std::size_t i = 1; i < life.size(); ++i) EXPECT_LE(life[i] - life[i - 1], limit) << timeout;
  }
}

TEST(NextDriver, StateCodesOfRegister1000) {
  Bench b(FakeStation::next(), webasto_next());
  b.run(5000, 10000);
  // §3.1: 0 no vehicle -> A, 1 attached -> B, 3 charging -> C, 4 paused -> B, 7 error -> F.
  const std::pair<std::uint16_t, lm::Iec> cases[] = {
      {0, lm::Iec::A}, {1, lm::Iec::B}, {3, lm::Iec::C}, {4, lm::Iec::B}, {7, lm::Iec::F}};
  for (const auto& [code, iec] : cases) {
    b.st.holding[1000] = code;
    b.run(8000, 10000);  // beyond the 5 s hold of a brief E (not used here)
    EXPECT_EQ(b.d.state(), iec) << code;
  }
  // Currents 1008/1010/1012 in mA (§3.1), one register each.
  b.st.set_ev('C', 9800, 9700, 9600);
  b.run(2000, 10000);
  EXPECT_EQ(b.d.current_ma(0), 9800);
  EXPECT_EQ(b.d.current_ma(1), 9700);
  EXPECT_EQ(b.d.current_ma(2), 9600);
}

TEST(NextDriver, OnePersistentConnectionAndPeriodicReadBack) {
  // §3.1: only one Modbus TCP connection at a time (ST-10); ST-09: read back every 10 min.
  Bench b(FakeStation::next(), webasto_next());
  b.run(25u * 60u * 1000u, 10000);
  EXPECT_EQ(b.connects, 1);
  EXPECT_EQ(b.closes, 0);
  int rb = 0;
  for (std::uint16_t a : b.st.holding_reads) rb += a == 2002;
  EXPECT_GE(rb, 3);  // connect, 10 min, 20 min
  EXPECT_TRUE(b.d.online());
}

TEST(NextDriver, LostSafeCurrentIsWrittenAgainBeforeTheNextIncrease) {
  // ST-13 / ST-09: a station that lost its settings (read-back mismatch) is initialised again.
  Bench b(FakeStation::next(), webasto_next());
  b.run(20000, 8000);
  b.st.holding[2000] = 0;  // as after a factory reset
  b.run(11u * 60u * 1000u, 8000);
  EXPECT_EQ(b.st.reg(2000), 6);
}

// ---- Webasto Unite / Vestel EVC04 (chargers.md §3.2) ----------------------------------------

TEST(UniteDriver, TelemetryFromInputRegistersControlInHoldingRegisters) {
  Bench b(FakeStation::unite(), webasto_unite());
  b.st.set_ev('C', 10100, 10200, 10300);
  b.run(20000, 10000);
  // §3.2: reads of state and currents are FC 4 (input registers) 1000, 1008, 1010, 1012.
  for (std::uint16_t a : {1000, 1008, 1010, 1012}) {
    const auto& r = b.st.input_reads;
    EXPECT_NE(std::find(r.begin(), r.end(), a), r.end()) << a;
  }
  for (std::uint16_t a : b.st.holding_reads) EXPECT_TRUE(a == 2000 || a == 2002) << a;  // read-backs only
  EXPECT_EQ(b.st.reg(2000), 6);
  EXPECT_EQ(b.st.reg(2002), 90);
  EXPECT_EQ(b.st.setpoint_a(), 10u);
  EXPECT_EQ(b.d.state(), lm::Iec::C);  // IR 1000 = 2 Charging
  EXPECT_EQ(b.d.current_ma(2), 10300);
  // HR 6000 alive = 1 at least every 10 s (A21) and every half timeout (§3.2).
  const auto life = b.writes_of(6000, 1);
  ASSERT_GE(life.size(), 1u);
  for (std::size_t i = 1; i < life.size(); ++i) EXPECT_LE(life[i] - life[i - 1], 10000u);
}

TEST(UniteDriver, ZeroWrittenWithoutCarIsWrittenAgainWhenTheCarArrives) {
  // §3.2: "Writing 0 to 5004 while no car is connected makes it go to 6 A instead of 0".
  Bench b(FakeStation::unite(), webasto_unite());
  b.run(20000, 0);                   // the allocator pauses it (e.g. a ripple block), no car
  EXPECT_EQ(b.st.setpoint_a(), 6u);  // the box's own reaction: a car plugging in would get 6 A
  b.st.set_ev('B', 0, 0, 0);
  const std::uint64_t plugged = b.t;
  b.run(3000, 0);
  // Within the poll that sees the car, 0 is written again, now honoured (an EV needs >= 1 s).
  const auto zeros = b.writes_of(5004, 0);
  ASSERT_FALSE(zeros.empty());
  EXPECT_GE(zeros.back(), plugged);
  EXPECT_LE(zeros.back(), plugged + 1100);
  EXPECT_EQ(b.st.setpoint_a(), 0u);
}

TEST(UniteDriver, FaultedAndAvailableStates) {
  Bench b(FakeStation::unite(), webasto_unite());
  b.run(5000, 10000);
  // §3.2 IR 1000: 0 Available -> A, 1 Preparing / 4 SuspendedEV -> B, 2 Charging -> C, 8 Faulted -> F.
  const std::pair<std::uint16_t, lm::Iec> cases[] = {
      {0, lm::Iec::A}, {1, lm::Iec::B}, {2, lm::Iec::C}, {4, lm::Iec::B}, {8, lm::Iec::F}};
  for (const auto& [code, iec] : cases) {
    b.st.input[1000] = code;
    b.run(3000, 10000);
    EXPECT_EQ(b.d.state(), iec) << code;
  }
}

TEST(UniteDriver, DroppedSocketAndLockOutEndInAReinitialisation) {
  // §3.2: on a missed alive the box drops the socket and refuses new connections for the
  // failsafe timeout; ST-10/ST-13: reconnect, write fall-back/timeout again before any increase.
  Bench b(FakeStation::unite(), webasto_unite());
  b.run(20000, 10000);
  const int writes_2002 = b.st.writes_to(2002);
  b.reachable = false;
  b.run(30000, 10000);
  b.reachable = true;
  b.run(20000, 10000);
  EXPECT_GT(b.st.writes_to(2002), writes_2002);
  EXPECT_TRUE(b.d.online());
  EXPECT_EQ(b.st.setpoint_a(), 10u);
}

}  // namespace
}  // namespace lmc::stations
