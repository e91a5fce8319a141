// Station drivers against fake stations that follow shared/reference/chargers.md. Expected
// register values are taken from that document (section cited per test), never from the driver.
#include "app/stations/driver.h"

#include <gtest/gtest.h>

#include <string>

#include "fakes/fakes.h"
#include "stations/fake_station.h"

namespace lmc::stations {
namespace {

using test::FakeStation;

// A driver wired straight to a fake station (no sockets): a reachable station accepts the
// connection at once; its reply arrives in the same step.
struct Bench {
  explicit Bench(FakeStation s, const Profile& p, std::int32_t max_a = 16) : st(std::move(s)) {
    DriverConfig c;
    c.name = "st1";
    c.fallback_a = 6;  // A21
    c.timeout_s = 90;  // A21
    c.min_a = 6;
    c.max_a = max_a;
    d.configure(p, c, &log);
  }
  void step() {
    d.tick(t);
    if (d.link() == Driver::Link::Up && d.wants_close()) {
      d.on_closed(t, false);
      ++closes;
    }
    if (d.link() == Driver::Link::Up && !reachable) {  // the station went away: RST
      d.on_closed(t, false);
      ++closes;
    }
    if (d.link() == Driver::Link::Down && d.wants_connection(t, true)) {
      d.on_connecting(t);
      ++connects;
      if (reachable)
        d.on_connected(t);
      else
        d.on_connect_failed(t, fail_error);
    }
    std::uint8_t buf[300];
    std::size_t n;
    while (d.link() == Driver::Link::Up && (n = d.next_request(buf, sizeof buf, t)) > 0) {
      std::string rep = st.handle(std::string(reinterpret_cast<char*>(buf), n), t);
      if (rep.empty()) break;
      d.on_rx(reinterpret_cast<const std::uint8_t*>(rep.data()), rep.size(), t);
      if (d.wants_close()) break;
    }
  }
  // Runs for ms with the load-management set-point sp (mA), a control cycle every second.
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
  bool logged(const std::string& s) const { return console.has(s); }

  fake::FakeConsole console;
  Log log{console};
  FakeStation st;
  Driver d;
  std::uint64_t t = 1000;
  bool reachable = true;
  int fail_error = 2;  // Sockets::Error::Timeout: the station's host does not answer
  int connects = 0, closes = 0;
};

// ---- ABB Terra AC (chargers.md §1) ---------------------------------------------------------

TEST(AbbDriver, WritesFallbackAndTimeoutReadsThemBackThenTheSetpointInMilliamps) {
  Bench b(FakeStation::abb(), abb_terra_ac());
  b.run(3000, 16000);
  // §1.2: 0x4109 fall-back in A, 0x4106 timeout in s; A21: 6 A and 90 s.
  EXPECT_EQ(b.st.reg(0x4109), 6);
  EXPECT_EQ(b.st.reg(0x4106), 90);
  ASSERT_TRUE(b.d.online());
  // §1.2: 0x4100 u32 in mA, high word first: 16 A = 16000 = 0x00003E80. Commands in the first
  // 10 s after initialisation are capped at the fall-back current (PWR-04), then 16 A.
  b.run(5000, 16000);
  EXPECT_EQ(b.st.setpoint_a(), 6u);
  b.run(7000, 16000);
  EXPECT_EQ(b.st.reg(0x4100), 0x0000);
  EXPECT_EQ(b.st.reg(0x4101), 0x3E80);
  ASSERT_GE(b.st.setpoints_a.size(), 2u);
  EXPECT_EQ(b.st.setpoints_a[0], 6u);
  EXPECT_TRUE(b.logged("lmc: station ready name=st1 fallback_a=6 timeout_s=90"));
  // Only FC 16 on 0x4100 (§1.1): the fake refuses FC 6 with exception 01, none was logged.
  EXPECT_FALSE(b.logged("exception"));
}

TEST(AbbDriver, CurrentsAndStateAreReadEveryCycle) {
  Bench b(FakeStation::abb(), abb_terra_ac());
  b.run(3000, 16000);
  // §1.3: state 4 in the high byte of 0x400D = C2 charging; §1.2: currents 0x4010.. in mA.
  b.st.set_ev('C', 15800, 15900, 120);
  b.run(1000, 16000);
  EXPECT_EQ(b.d.state(), lm::Iec::C);
  EXPECT_EQ(b.d.current_ma(0), 15800);
  EXPECT_EQ(b.d.current_ma(1), 15900);
  EXPECT_EQ(b.d.current_ma(2), 120);
  // ST-14 / ABB watchdog (any read, poll <= 10 s): a read in every second of a minute.
  const std::size_t before = b.st.reads.size();
  b.run(60000, 16000);
  EXPECT_GE(b.st.reads.size() - before, 60u);
  for (std::size_t i = before + 1; i < b.st.reads.size(); ++i) EXPECT_LE(b.st.reads[i] - b.st.reads[i - 1], 10000u);
}

TEST(AbbDriver, RebootQuirkIsReinitialisedBeforeAnyIncrease) {
  Bench b(FakeStation::abb(), abb_terra_ac());
  b.run(15000, 16000);
  ASSERT_EQ(b.st.setpoint_a(), 16u);
  const int fallback_writes = b.st.writes_to(0x4109);
  // §1.4: after an unexpected reboot the fall-back reads 256 and the Modbus limit 32 A.
  b.st.reboot();
  const std::size_t sp_before = b.st.setpoints_a.size();
  b.run(3000, 16000);
  EXPECT_TRUE(b.logged("lmc: station reboot_detected name=st1 readback=fallback fallback=256"));
  EXPECT_GT(b.st.writes_to(0x4109), fallback_writes);
  EXPECT_EQ(b.st.reg(0x4024), 6);  // read-back fixed
  // ST-13 / PWR-04: the first set-point after re-initialisation is at most the fall-back.
  ASSERT_GT(b.st.setpoints_a.size(), sp_before);
  EXPECT_LE(b.st.setpoints_a[sp_before], 6u);
  b.run(12000, 16000);
  EXPECT_EQ(b.st.setpoint_a(), 16u);
}

TEST(AbbDriver, NeverCommandsBetweenZeroAndSixAmpsNorStopsTheSession) {
  Bench b(FakeStation::abb(), abb_terra_ac(), 32);
  b.run(3000, 16000);
  for (std::int32_t ma : {3000, 5999, 0, 6000, 6999, 500, 32000, 40000}) b.run(2000, ma);
  for (std::uint32_t a : b.st.setpoints_a) EXPECT_TRUE(a == 0 || (a >= 6 && a <= 32)) << a;  // LM-04
  // LM-04: pause = current 0, never 0x4105 "stop session" (§1.4: restarting may need a re-plug).
  EXPECT_EQ(b.st.writes_to(0x4105), 0);
  EXPECT_TRUE(b.logged("lmc: station below_min name=st1 asked_ma=3000 sent_a=0"));
}

TEST(AbbDriver, ReadBackEveryTenMinutes) {
  Bench b(FakeStation::abb(), abb_terra_ac());
  b.run(25u * 60u * 1000u, 16000);
  // ST-09: at connect, at 10 min and at 20 min.
  EXPECT_EQ(b.st.writes_to(0x4109), 3);
  EXPECT_EQ(b.st.writes_to(0x4106), 3);
}

// ---- silence, exceptions, garbage (ST-11, A12) ---------------------------------------------

TEST(DriverFaults, SilentStationGoesOfflineAfterThreeTimeoutsAndRetriesWithBackoff) {
  Bench b(FakeStation::abb(), abb_terra_ac());
  b.run(3000, 16000);
  ASSERT_TRUE(b.d.online());
  b.st.silent = true;
  const std::uint64_t t0 = b.t;
  while (!b.d.offline() && b.t < t0 + 20000) b.run(100, 16000);
  ASSERT_TRUE(b.d.offline());
  // 3 requests of 3 s each (A12): offline after 9 s, not much later.
  EXPECT_GE(b.t - t0, 9000u);
  EXPECT_LE(b.t - t0, 12000u);
  EXPECT_FALSE(b.d.online());
  EXPECT_TRUE(b.logged("lmc: station offline name=st1 failures=3 retry_s=10"));
  // Unreachable from now on: retries at 10 s, then 20, 40, 60, 60 s.
  b.reachable = false;
  const int c0 = b.connects;
  b.run(10u * 60u * 1000u, 16000);
  const int retries = b.connects - c0;
  EXPECT_GE(retries, 10);  // 10+20+40+60+60... s: about 12 in 10 min
  EXPECT_LE(retries, 14);
  // Back: re-initialised (fall-back written again) and online.
  b.reachable = true;
  b.st.silent = false;
  const int fw = b.st.writes_to(0x4109);
  b.run(65000, 16000);
  EXPECT_TRUE(b.d.online());
  EXPECT_GT(b.st.writes_to(0x4109), fw);
  EXPECT_TRUE(b.logged("lmc: station online name=st1"));
}

TEST(DriverFaults, RefusedConnectionsAreRetriedEveryFiveSeconds) {
  Bench b(FakeStation::abb(), abb_terra_ac());
  b.reachable = false;
  b.fail_error = 1;  // RST: the host is up, its Modbus server is not (booting)
  b.run(5000, 16000);
  ASSERT_TRUE(b.d.offline());
  const int c0 = b.connects;
  b.run(60000, 16000);
  EXPECT_GE(b.connects - c0, 11);  // every 5 s, not backing off to 60 s
  EXPECT_LE(b.connects - c0, 13);
}

TEST(DriverFaults, ExceptionRepliesCountAsFailures) {
  Bench b(FakeStation::ecu(), mennekes_amtron());
  b.run(3000, 16000);
  ASSERT_TRUE(b.d.online());
  b.st.exception = 4;  // server device failure on everything
  b.run(5000, 16000);
  EXPECT_TRUE(b.d.offline());
  EXPECT_TRUE(b.logged("lmc: station exception name=st1"));
  EXPECT_TRUE(b.logged("code=4"));
}

TEST(DriverFaults, GarbageClosesTheConnectionAndIsNeverDecoded) {
  Bench b(FakeStation::ecu(), mennekes_amtron());
  b.run(3000, 16000);
  b.st.set_ev('C', 10000, 10000, 10000);
  b.run(1000, 16000);
  ASSERT_EQ(b.d.current_ma(0), 10000);
  b.st.garbage = true;
  b.st.set_ev('C', 99000, 99000, 99000);
  b.run(2000, 16000);
  EXPECT_TRUE(b.logged("lmc: station bad_reply name=st1"));
  EXPECT_GE(b.closes, 1);
  EXPECT_EQ(b.d.current_ma(0), 10000);  // nothing from the garbage
}

TEST(DriverFaults, ShortReplyIsRejected) {
  Bench b(FakeStation::ecu(), mennekes_amtron());
  b.run(3000, 16000);
  b.st.set_ev('C', 7000, 7000, 7000);
  b.run(1000, 16000);
  b.st.wrong_length = true;
  b.st.set_ev('C', 20000, 20000, 20000);
  b.run(3000, 16000);
  EXPECT_NE(b.d.current_ma(0), 20000);
  EXPECT_TRUE(b.logged("lmc: station bad_reply name=st1"));
}

TEST(DriverFaults, RefusedConnectionsMakeItOffline) {
  Bench b(FakeStation::tq(), webasto_tq_dm100());
  b.reachable = false;
  b.run(5000, 16000);
  EXPECT_TRUE(b.d.offline());
  EXPECT_FALSE(b.d.online());
}

// ---- MENNEKES ECU (chargers.md §2.1, ST-03) ------------------------------------------------

TEST(EcuDriver, WritesSafeCurrentTimeoutAndHemsLimit) {
  Bench b(FakeStation::ecu(), mennekes_amtron());
  b.run(15000, 12000);
  EXPECT_EQ(b.st.reg(131), 6);
  EXPECT_EQ(b.st.reg(132), 90);
  EXPECT_EQ(b.st.reg(1000), 12);
  b.run(2000, 0);
  EXPECT_EQ(b.st.reg(1000), 0);  // 0 = pause (§2.1)
  EXPECT_FALSE(b.logged("DLM Master"));
}

TEST(EcuDriver, WarnsNamingTheDlmSettingUnlessModeIsOne) {
  FakeStation s = FakeStation::ecu();
  s.holding[600] = 0;  // DLM disabled
  Bench b(std::move(s), mennekes_amtron());
  b.run(3000, 12000);
  EXPECT_TRUE(b.logged("lmc: station warning name=st1 dlm_mode=0 setting=\"DLM Master (With internal DLM-Slave)\""));
}

TEST(EcuDriver, BriefStateEIsIgnored) {
  Bench b(FakeStation::ecu(), mennekes_amtron());
  b.run(3000, 12000);
  b.st.set_ev('C', 6000, 6000, 6000);
  b.run(2000, 12000);
  b.st.set_ev('E', 6000, 6000, 6000);
  b.run(2000, 12000);
  EXPECT_EQ(b.d.state(), lm::Iec::C);  // ST-03: a brief E is ignored
  b.run(6000, 12000);
  EXPECT_EQ(b.d.state(), lm::Iec::E);
}

TEST(EcuDriver, MissingMeterIsNotZero) {
  Bench b(FakeStation::ecu(), mennekes_amtron());
  b.run(15000, 12000);
  // §2.1: 0xFFFFFFFF = not available; the driver assumes the commanded current while charging.
  b.st.set_ev('C', 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF);
  b.run(1000, 12000);
  EXPECT_EQ(b.d.current_ma(0), 12000);
}

// ---- Webasto TQ-DM100 (chargers.md §3, §3.1) -----------------------------------------------

TEST(TqDriver, LifeBitEveryTenSecondsAndSafeCurrent) {
  Bench b(FakeStation::tq(), webasto_tq_dm100());
  b.run(2u * 60u * 1000u, 10000);
  EXPECT_EQ(b.st.reg(2000), 6);
  EXPECT_EQ(b.st.reg(2002), 90);
  EXPECT_EQ(b.st.reg(5004), 10);
  std::vector<std::uint64_t> life;
  for (const auto& w : b.st.writes)
    if (w.addr == 6000) {
      EXPECT_EQ(w.values.at(0), 1);
      life.push_back(w.t_ms);
    }
  ASSERT_GE(life.size(), 10u);
  for (std::size_t i = 1; i < life.size(); ++i) EXPECT_LE(life[i] - life[i - 1], 10000u);  // A21
  b.st.set_ev('C', 9800, 0, 0);
  b.run(1000, 10000);
  EXPECT_EQ(b.d.current_ma(0), 9800);
  EXPECT_EQ(b.d.state(), lm::Iec::C);
}

// ---- Weidmueller AC SMART (chargers.md §4, ST-05) ------------------------------------------

TEST(WeidmuellerDriver, CountdownRewrittenLowWordFirstAndNever702) {
  Bench b(FakeStation::weidmueller(), weidmueller_ac_smart());
  b.run(3u * 60u * 1000u, 16000);
  // A21: 90 000 ms = 0x00015F90, low word first: [0x5F90, 0x0001].
  std::vector<std::uint64_t> ts;
  for (const auto& w : b.st.writes)
    if (w.addr == 11050) {
      ASSERT_EQ(w.values.size(), 2u);
      EXPECT_EQ(w.values[0], 0x5F90);
      EXPECT_EQ(w.values[1], 0x0001);
      ts.push_back(w.t_ms);
    }
  ASSERT_GE(ts.size(), 17u);
  for (std::size_t i = 1; i < ts.size(); ++i) EXPECT_LE(ts[i] - ts[i - 1], 10000u);
  EXPECT_EQ(b.st.writes_to(702), 0);  // ST-05: never the non-volatile limit
  EXPECT_EQ(b.st.reg(11052), 16);
  EXPECT_EQ(b.st.reg(11054), 6);
  b.st.set_ev('C', 0x4000, 0, 0);  // currents u32 LSW first
  b.run(1000, 16000);
  EXPECT_EQ(b.d.current_ma(0), 0x4000);
}

TEST(WeidmuellerDriver, RfidHintWhenTheCarWaitsInB) {
  Bench b(FakeStation::weidmueller(), weidmueller_ac_smart());
  b.run(3000, 16000);
  b.st.set_ev('B', 0, 0, 0);
  b.run(3u * 60u * 1000u, 16000);
  EXPECT_TRUE(b.logged("DIP switch 10 OFF"));
}

// ---- generic (ST-01) -----------------------------------------------------------------------

TEST(GenericDriver, MapFromSettings) {
  settings::Settings s;
  using settings::Field;
  ASSERT_EQ(s.set_from_text("lm.fuse", 7, "40", 2, settings::kSystem), settings::Result::Ok);
  const char* lines[][2] = {{"station.1.driver", "generic"}, {"station.1.ip", "192.168.1.70"},
                            {"station.1.reg.setpoint", "1"}, {"station.1.reg.fallback", "2"},
                            {"station.1.reg.timeout", "3"},  {"station.1.reg.state", "0"},
                            {"station.1.reg.currents", "4"}};
  for (auto& l : lines)
    ASSERT_EQ(s.set_from_text(l[0], std::strlen(l[0]), l[1], std::strlen(l[1]), settings::kSystem),
              settings::Result::Ok)
        << l[0];
  Profile p;
  const char* why = nullptr;
  ASSERT_TRUE(profile_for(s, 0, p, &why));
  Bench b(FakeStation::generic(), p);
  b.run(15000, 10000);
  EXPECT_EQ(b.st.reg(2), 6);
  EXPECT_EQ(b.st.reg(3), 90);
  EXPECT_EQ(b.st.reg(1), 10);
  b.st.set_ev('C', 9500, 9500, 0);  // 0.1 A registers
  b.run(1000, 10000);
  EXPECT_EQ(b.d.state(), lm::Iec::C);
  EXPECT_EQ(b.d.current_ma(1), 9500);
  // Without a set-point register the map is refused, with a reason.
  settings::Settings s2;
  ASSERT_EQ(s2.set_from_text("lm.fuse", 7, "40", 2, settings::kSystem), settings::Result::Ok);
  ASSERT_EQ(s2.set_from_text("station.1.driver", 16, "generic", 7, settings::kSystem), settings::Result::Ok);
  EXPECT_FALSE(profile_for(s2, 0, p, &why));
  EXPECT_STREQ(why, "reg.setpoint_missing");
}

}  // namespace
}  // namespace lmc::stations
