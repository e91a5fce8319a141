// The load-management task end to end on the host: settings -> AFE windows -> allocator ->
// drivers -> sockets -> fake stations (stations/fake_station.h, chargers.md), with a small plant
// in the test: the grid current per phase is the building load plus what each station's EV draws
// (the EV follows the station's set-point one cycle later, up to its own maximum).
#include "app/site/site.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <string>

#include "fakes/fakes.h"
#include "stations/fake_station.h"

namespace lmc::site {
namespace {

using test::FakeStation;

struct Plant {
  fake::FakeClock clock;
  fake::FakeConsole console;
  Log log{console};
  fake::FakeGpio gpio{clock};
  fake::FakeSockets sockets;
  settings::Settings s;

  struct St {
    FakeStation fake;
    int grid[3];        // grid phase of station phase k
    int ev_phases = 3;  // 0: no EV
    std::int32_t ev_max_ma = 16000;
    bool reachable = true;
  };
  std::map<std::uint32_t, St> st;  // by IP
  std::int32_t building_ma[3] = {0, 0, 0};
  std::int32_t grid_ma[3] = {0, 0, 0};
  std::int32_t peak_ma[3] = {0, 0, 0};
  std::vector<std::uint32_t> below_min;  // commands seen in (0, 6) A

  void set(const char* k, const char* v) {
    ASSERT_EQ(s.set_from_text(k, std::strlen(k), v, std::strlen(v), settings::kSystem), settings::Result::Ok) << k;
  }
  void add(int idx, const char* driver, const char* ip, const char* rotation, FakeStation f, int g0, int g1, int g2) {
    const std::string p = "station." + std::to_string(idx) + ".";
    set((p + "driver").c_str(), driver);
    set((p + "ip").c_str(), ip);
    set((p + "rotation").c_str(), rotation);
    set((p + "name").c_str(), ("st" + std::to_string(idx)).c_str());
    std::uint32_t a, b, c, d;
    std::sscanf(ip, "%u.%u.%u.%u", &a, &b, &c, &d);
    St x{std::move(f), {g0, g1, g2}};
    st.emplace((a << 24) | (b << 16) | (c << 8) | d, std::move(x));
  }

  // The network: connects, carries requests to the fake stations and their replies back.
  void network() {
    for (int s_ = 0; s_ < Sockets::kCount; ++s_) {
      auto& k = sockets.sock[s_];
      auto it = st.find(k.peer.ip);
      if (k.state == Sockets::State::Connecting) {
        if (it != st.end() && it->second.reachable)
          sockets.connected(s_);
        else
          sockets.fail(s_, Sockets::Error::Refused);
      }
      if (k.state == Sockets::State::Established && !k.tx.empty() && it != st.end()) {
        std::string req = k.tx;
        k.tx.clear();
        // One ADU per send in this driver: hand it over whole.
        const std::string rep = it->second.fake.handle(req, clock.t);
        if (!rep.empty()) sockets.deliver(s_, rep);
      }
    }
  }
  // EVs follow the set-point the station holds; the grid sums building and EVs.
  void physics() {
    for (int p = 0; p < 3; ++p) grid_ma[p] = building_ma[p];
    for (auto& [ip, x] : st) {
      const std::uint32_t sp = x.fake.setpoint_a();
      if (sp > 0 && sp < 6) below_min.push_back(sp);
      const std::int32_t ma =
          x.ev_phases == 0 ? 0 : std::min<std::int32_t>(static_cast<std::int32_t>(sp) * 1000, x.ev_max_ma);
      std::uint32_t c[3] = {0, 0, 0};
      for (int k = 0; k < x.ev_phases; ++k) c[k] = static_cast<std::uint32_t>(ma);
      x.fake.set_ev(x.ev_phases == 0 ? 'A' : (ma > 0 ? 'C' : 'B'), c[0], c[1], c[2]);
      for (int k = 0; k < 3; ++k) grid_ma[x.grid[k]] += static_cast<std::int32_t>(c[k]);
    }
    for (int p = 0; p < 3; ++p) peak_ma[p] = std::max(peak_ma[p], grid_ma[p]);
  }
  AfeWindow window() const {
    AfeWindow w = fake::FakeAfe::window(0);
    for (int p = 0; p < 3; ++p) {
      const std::int32_t i = grid_ma[p] < 0 ? -grid_ma[p] : grid_ma[p];
      w.ch[p].irms_ma = static_cast<std::uint32_t>(i);
      w.ch[p].p_mw = grid_ma[p] * 230;
      w.ch[p].s_mva = static_cast<std::uint32_t>(i) * 230u;
      w.ch[p].pf_e4 = grid_ma[p] < 0 ? -10000 : 10000;
    }
    return w;
  }
  // Runs ms of time: AFE windows every 200 ms, the cycle every 1 s, the poller every 20 ms.
  void run(Site& site, std::uint64_t ms) {
    const std::uint64_t end = clock.t + ms;
    while (clock.t < end) {
      if (clock.t % 200 == 0) site.on_window(window(), clock.t);
      if (clock.t % 1000 == 0) {
        physics();
        site.cycle(clock.t);
      }
      for (int i = 0; i < 3; ++i) {
        network();
        site.poll(clock.t);
      }
      clock.t += 20;
    }
  }
};

TEST(Site, EveningPeakHoldsTheFuseAndUsesTheHeadroom) {
  Plant pl;
  pl.clock.t = 1000;
  pl.set("lm.fuse", "40");  // CFG-02: limit = 40 A - max(5 %, 1 A) = 38 A per phase
  pl.add(1, "abb_terra_ac", "192.168.1.60", "L1-L2-L3", FakeStation::abb(), 0, 1, 2);
  pl.add(2, "mennekes_amtron", "192.168.1.61", "L2-L3-L1", FakeStation::ecu(), 1, 2, 0);
  Site site(pl.clock, pl.log, pl.gpio, pl.sockets, pl.s);
  for (int p = 0; p < 3; ++p) pl.building_ma[p] = 10000;
  pl.run(site, 120000);
  // Both EVs at their 16 A maximum: 10 + 16 + 16 = 42 A > 38 A, so they share 28 A.
  for (int p = 0; p < 3; ++p) pl.building_ma[p] = 5000;
  pl.run(site, 60000);
  // Evening peak: the building ramps to 26 A; the EVs get 12 A, i.e. 6 A each.
  for (int p = 0; p < 3; ++p) pl.peak_ma[p] = 0;
  for (int p = 0; p < 3; ++p) pl.building_ma[p] = 26000;
  pl.run(site, 3000);  // LM-03: cut in the next cycle, an EV follows one cycle later
  for (int p = 0; p < 3; ++p) pl.peak_ma[p] = 0;
  pl.run(site, 120000);
  for (int p = 0; p < 3; ++p) EXPECT_LE(pl.peak_ma[p], 38000) << "phase " << p;  // LM-02
  EXPECT_GE(pl.grid_ma[0], 38000 - 2000);  // the headroom is used (two EVs at 6 A = 12 A)
  EXPECT_TRUE(pl.below_min.empty());       // LM-04
  // The building alone above the limit: every station paused, logged as not caused by EVs (LM-15).
  for (int p = 0; p < 3; ++p) pl.building_ma[p] = 39000;
  pl.run(site, 5000);
  for (auto& [ip, x] : pl.st) EXPECT_EQ(x.fake.setpoint_a(), 0u);
  EXPECT_TRUE(pl.console.has("cause=\"overload not caused by EV charging\""));
}

TEST(Site, OnePhaseEvOnARotatedStationUsesOnlyItsPhase) {
  Plant pl;
  pl.clock.t = 1000;
  pl.set("lm.fuse", "40");
  // Rotation L2-L3-L1: the 1-phase EV on station phase 1 draws on grid L2 only (LM-07).
  pl.add(1, "mennekes_amtron", "192.168.1.61", "L2-L3-L1", FakeStation::ecu(), 1, 2, 0);
  pl.set("station.1.max_current", "32");
  pl.st.begin()->second.ev_phases = 1;
  pl.st.begin()->second.ev_max_ma = 32000;
  pl.building_ma[0] = 30000;  // L1 nearly full: only 8 A left there
  pl.building_ma[1] = 10000;
  pl.building_ma[2] = 30000;
  Site site(pl.clock, pl.log, pl.gpio, pl.sockets, pl.s);
  pl.run(site, 5000);  // before the first command the station charges at its own default (32 A)
  pl.peak_ma[1] = 0;
  pl.run(site, 240000);
  // 38 - 10 = 28 A on L2; the other phases do not limit a 1-phase EV.
  EXPECT_GE(pl.st.begin()->second.fake.setpoint_a(), 20u);
  EXPECT_LE(pl.peak_ma[1], 38000);
  EXPECT_TRUE(pl.console.has("lmc: lm phases station=st1"));
}

TEST(Site, RippleBlockPausesEveryStationWithinFiveSeconds) {
  struct D {
    Plant* p = nullptr;
    ~D() {
      if (p && getenv("DBG")) fprintf(stderr, "%s", p->console.out.substr(0, 4000).c_str());
    }
  } dbg;
  Plant pl;
  pl.clock.t = 1000;
  pl.set("lm.fuse", "40");
  pl.add(1, "abb_terra_ac", "192.168.1.60", "L1-L2-L3", FakeStation::abb(), 0, 1, 2);
  pl.add(2, "webasto_tq", "192.168.1.62", "L1-L2-L3", FakeStation::tq(), 0, 1, 2);
  Site site(pl.clock, pl.log, pl.gpio, pl.sockets, pl.s);
  pl.run(site, 90000);
  for (auto& [ip, x] : pl.st) ASSERT_GE(x.fake.setpoint_a(), 6u);
  // RC-10: a 200 ms pulse changes nothing.
  pl.gpio.in1 = true;
  pl.run(site, 200);
  pl.gpio.in1 = false;
  pl.run(site, 5000);
  for (auto& [ip, x] : pl.st) EXPECT_GE(x.fake.setpoint_a(), 6u);
  EXPECT_TRUE(pl.console.has("lmc: ripple glitch ms=200 action=ignored"));
  // RC-03 (NC default: 24 V = active) and RC-07: 0 A within 5 s of the debounced edge (1 s).
  pl.gpio.in1 = true;
  pl.run(site, 6000);
  for (auto& [ip, x] : pl.st) EXPECT_EQ(x.fake.setpoint_a(), 0u);
  EXPECT_TRUE(pl.console.has("lmc: ripple mode mode=blocked was=normal source=di"));
  // RC-09: back to normal, charging resumes at >= 6 A.
  pl.gpio.in1 = false;
  pl.run(site, 60000);
  for (auto& [ip, x] : pl.st) EXPECT_GE(x.fake.setpoint_a(), 6u);
  EXPECT_TRUE(pl.below_min.empty());
}

TEST(Site, SilentStationIsReportedOfflineAndTheOthersKeepRunning) {
  Plant pl;
  pl.clock.t = 1000;
  pl.set("lm.fuse", "40");
  pl.add(1, "abb_terra_ac", "192.168.1.60", "L1-L2-L3", FakeStation::abb(), 0, 1, 2);
  pl.add(2, "weidmueller", "192.168.1.63", "L1-L2-L3", FakeStation::weidmueller(), 0, 1, 2);
  Site site(pl.clock, pl.log, pl.gpio, pl.sockets, pl.s);
  pl.run(site, 60000);
  pl.st.begin()->second.fake.silent = true;  // the ABB (192.168.1.60)
  pl.run(site, 20000);
  EXPECT_TRUE(pl.console.has("lmc: station offline name=st1"));
  EXPECT_TRUE(pl.console.has("lmc: lm station-offline station=st1"));
  EXPECT_FALSE(site.driver(0).online());
  EXPECT_TRUE(site.driver(1).online());
  // ST-10: never more than one connection per station; 2 stations on 6 sockets: persistent.
  EXPECT_TRUE(site.pool().persistent(0));
}

TEST(Site, FiftyStationsShareTheStationSockets) {
  Plant pl;
  pl.clock.t = 1000;
  pl.set("lm.fuse", "400");
  for (int i = 1; i <= 50; ++i) {
    const std::string ip = "192.168.2." + std::to_string(i);
    const bool abb = i % 5 == 0;
    pl.add(i, abb ? "abb_terra_ac" : "mennekes_amtron", ip.c_str(), "L1-L2-L3",
           abb ? FakeStation::abb() : FakeStation::ecu(), 0, 1, 2);
  }
  Site site(pl.clock, pl.log, pl.gpio, pl.sockets, pl.s);
  pl.run(site, 60000);
  int online = 0;
  for (int i = 0; i < site.station_count(); ++i) online += site.driver(i).online() ? 1 : 0;
  EXPECT_EQ(site.station_count(), 50);
  EXPECT_EQ(online, 50);
  EXPECT_TRUE(pl.console.has("lmc: station sockets stations=50 sockets=6 persistent=5 per_cycle=45"));
  // Every station was polled in (nearly) every one of the last cycles: no one starves.
  for (auto& [ip, x] : pl.st) EXPECT_GE(x.fake.reads.size(), 50u);
}

// The stations' current summed on grid phase p (grid minus building).
std::int32_t stations_ma(const Plant& pl, int p) {
  return pl.grid_ma[p] - pl.building_ma[p];
}

TEST(Site, DirectEvseTargetCapsOneStationUntilItsDurationEnds) {
  Plant pl;
  pl.clock.t = 1000;
  pl.set("lm.fuse", "63");  // 63 - 3.15 = 59.85 A: room for both EVs at 16 A
  pl.add(1, "abb_terra_ac", "192.168.1.60", "L1-L2-L3", FakeStation::abb(), 0, 1, 2);
  pl.add(2, "mennekes_amtron", "192.168.1.61", "L1-L2-L3", FakeStation::ecu(), 0, 1, 2);
  for (int p = 0; p < 3; ++p) pl.building_ma[p] = 5000;
  Site site(pl.clock, pl.log, pl.gpio, pl.sockets, pl.s);
  pl.run(site, 90000);
  FakeStation& abb = pl.st.at(0xC0A8013C).fake;
  FakeStation& ecu = pl.st.at(0xC0A8013D).fake;
  ASSERT_EQ(abb.setpoint_a(), 16u);
  // Bad requests are rejected and change nothing (PUB §5.1: "received or rejected").
  EXPECT_FALSE(site.direct_evse(2, 10000, 60, pl.clock.t));
  EXPECT_FALSE(site.direct_evse(-1, 10000, 60, pl.clock.t));
  EXPECT_FALSE(site.direct_evse(0, -1, 60, pl.clock.t));
  std::int32_t ma = 0;
  std::uint64_t until = 0;
  EXPECT_FALSE(site.direct_evse_target(0, ma, until));
  // CL-06: a 10 A target for 120 s, applied within 10 s, on that station only.
  ASSERT_TRUE(site.direct_evse(0, 10000, 120, pl.clock.t));
  ASSERT_TRUE(site.direct_evse_target(0, ma, until));
  EXPECT_EQ(ma, 10000);
  pl.run(site, 10000);
  EXPECT_EQ(abb.setpoint_a(), 10u);
  EXPECT_EQ(ecu.setpoint_a(), 16u);
  // Below the station's min the station pauses (LM-04), never 0 < I < 6 A.
  ASSERT_TRUE(site.direct_evse(0, 4000, 120, pl.clock.t));
  pl.run(site, 5000);
  EXPECT_EQ(abb.setpoint_a(), 0u);
  ASSERT_TRUE(site.direct_evse(0, 10000, 120, pl.clock.t));
  // CL-06: it ends at valid-until; LM-03 raises again in steps into the headroom.
  pl.run(site, 125000);
  EXPECT_FALSE(site.direct_evse_target(0, ma, until));
  EXPECT_TRUE(pl.console.has("lmc: lm evse-target-expired station=st1"));
  pl.run(site, 30000);
  EXPECT_EQ(abb.setpoint_a(), 16u);
  // DELETE (duration 0) clears at once.
  ASSERT_TRUE(site.direct_evse(1, 8000, 3600, pl.clock.t));
  pl.run(site, 5000);
  EXPECT_EQ(ecu.setpoint_a(), 8u);
  ASSERT_TRUE(site.direct_evse(1, 0, 0, pl.clock.t));
  pl.run(site, 30000);
  EXPECT_EQ(ecu.setpoint_a(), 16u);
  EXPECT_TRUE(pl.below_min.empty());
}

TEST(Site, DirectEvseTargetNeverBeatsTheFuse) {
  Plant pl;
  pl.clock.t = 1000;
  pl.set("lm.fuse", "40");  // 38 A per phase
  pl.add(1, "mennekes_amtron", "192.168.1.61", "L1-L2-L3", FakeStation::ecu(), 0, 1, 2);
  pl.set("station.1.max_current", "32");
  pl.st.begin()->second.ev_max_ma = 32000;
  for (int p = 0; p < 3; ++p) pl.building_ma[p] = 25000;
  Site site(pl.clock, pl.log, pl.gpio, pl.sockets, pl.s);
  pl.run(site, 30000);
  ASSERT_TRUE(site.direct_evse(0, 32000, 600, pl.clock.t));  // LM-12: a cap, not a demand
  for (int p = 0; p < 3; ++p) pl.peak_ma[p] = 0;
  pl.run(site, 120000);
  for (int p = 0; p < 3; ++p) EXPECT_LE(pl.peak_ma[p], 38000) << "phase " << p;  // LM-02
  EXPECT_EQ(pl.st.begin()->second.fake.setpoint_a(), 13u);                       // 38 - 25
}

TEST(Site, CloudRippleAndDiCombineMostRestrictiveWins) {
  Plant pl;
  pl.clock.t = 1000;
  pl.set("lm.fuse", "63");
  pl.set("ripple.mode", "reduced");  // CFG-09: the DI means Reduced (4.2 kW, RC-08)
  pl.add(1, "abb_terra_ac", "192.168.1.60", "L1-L2-L3", FakeStation::abb(), 0, 1, 2);
  pl.add(2, "webasto_tq", "192.168.1.62", "L1-L2-L3", FakeStation::tq(), 0, 1, 2);
  Site site(pl.clock, pl.log, pl.gpio, pl.sockets, pl.s);
  site.set_cloud_up(true);
  pl.run(site, 90000);
  for (auto& [ip, x] : pl.st) ASSERT_GE(x.fake.setpoint_a(), 6u);
  // The cloud blocks (RC-01): every station at 0 A within 5 s (RC-07).
  site.cloud_ripple(pl.clock.t, lm::RippleMode::Blocked, 0);
  pl.run(site, 5000);
  for (auto& [ip, x] : pl.st) EXPECT_EQ(x.fake.setpoint_a(), 0u);
  EXPECT_TRUE(pl.console.has("lmc: ripple mode mode=blocked was=normal source=cloud"));
  // The DI says Reduced: Blocked still wins (RC-11).
  pl.gpio.in1 = true;
  pl.run(site, 10000);
  for (auto& [ip, x] : pl.st) EXPECT_EQ(x.fake.setpoint_a(), 0u);
  // The cloud lifts its block: the DI's Reduced remains. 4.2 kW at 230 V = 18.26 A summed over
  // all phases: one 3-phase EV at 6 A (4.14 kW), never both (RC-08).
  site.cloud_ripple(pl.clock.t, lm::RippleMode::Normal, 0);
  pl.run(site, 30000);
  int running = 0;
  for (auto& [ip, x] : pl.st) running += x.fake.setpoint_a() >= 6u ? 1 : 0;
  EXPECT_EQ(running, 1);
  EXPECT_LE(stations_ma(pl, 0) + stations_ma(pl, 1) + stations_ma(pl, 2), 18261);
  // The DI back to normal: both charge again.
  pl.gpio.in1 = false;
  pl.run(site, 60000);
  for (auto& [ip, x] : pl.st) EXPECT_GE(x.fake.setpoint_a(), 6u);
  EXPECT_TRUE(pl.below_min.empty());
}

TEST(Site, CloudBlockHeldTwoHoursAfterTheLinkIsLost) {
  Plant pl;
  pl.clock.t = 1000;
  pl.set("lm.fuse", "63");
  pl.add(1, "abb_terra_ac", "192.168.1.60", "L1-L2-L3", FakeStation::abb(), 0, 1, 2);
  Site site(pl.clock, pl.log, pl.gpio, pl.sockets, pl.s);
  site.set_cloud_up(true);
  pl.run(site, 30000);
  site.cloud_ripple(pl.clock.t, lm::RippleMode::Blocked, 0);
  pl.run(site, 5000);
  site.set_cloud_up(false);
  // RC-11: held for at most 2 h without the link, then the DI alone (inactive) decides.
  pl.run(site, 7000u * 1000u);
  EXPECT_EQ(pl.st.begin()->second.fake.setpoint_a(), 0u);
  pl.run(site, 260u * 1000u);
  EXPECT_GE(pl.st.begin()->second.fake.setpoint_a(), 6u);
  EXPECT_TRUE(pl.console.has("lmc: ripple cloud-expired"));
}

TEST(Site, ExternalLimitCapsTheStationsAndFallsBackWithoutKeepAlive) {
  Plant pl;
  pl.clock.t = 1000;
  pl.set("lm.fuse", "63");
  pl.add(1, "abb_terra_ac", "192.168.1.60", "L1-L2-L3", FakeStation::abb(), 0, 1, 2);
  pl.add(2, "mennekes_amtron", "192.168.1.61", "L1-L2-L3", FakeStation::ecu(), 0, 1, 2);
  Site site(pl.clock, pl.log, pl.gpio, pl.sockets, pl.s);
  pl.run(site, 90000);
  ASSERT_EQ(stations_ma(pl, 0), 32000);
  // EXT-01/06: 20 A per phase for the stations' sum (PUB §4: amperes per phase).
  lm::ExternalControl& ext = site.external();
  ASSERT_EQ(ext.set_fallback_limit(6000, pl.clock.t), lm::ExtResult::Ok);
  ASSERT_EQ(ext.set_current_limit(20000, pl.clock.t), lm::ExtResult::Ok);
  ASSERT_EQ(ext.set_activation(true, pl.clock.t), lm::ExtResult::Ok);
  pl.run(site, 5000);
  for (int p = 0; p < 3; ++p) EXPECT_LE(stations_ma(pl, p), 20000) << "phase " << p;
  EXPECT_TRUE(pl.console.has("lmc: external activated limit_ma=20000"));
  // EXT-02: no keep-alive for 120 s -> FallbackCurrentLimit 6 A: one EV at 6 A (EXT-08, LM-04).
  pl.run(site, 120000);
  EXPECT_TRUE(pl.console.has("lmc: external timeout limit_ma=6000"));
  for (int p = 0; p < 3; ++p) EXPECT_LE(stations_ma(pl, p), 6000) << "phase " << p;
  // EXT-05: the next keep-alive restores 20 A.
  ext.keepalive(pl.clock.t);
  pl.run(site, 60000);
  for (int p = 0; p < 3; ++p) EXPECT_LE(stations_ma(pl, p), 20000) << "phase " << p;
  EXPECT_GE(stations_ma(pl, 0), 18000);  // 2 x 10 A (equal shares, LM-06), allowing a 1 A step each
  // An external limit above the fuse budget changes nothing: the fuse wins (LM-12).
  for (int p = 0; p < 3; ++p) pl.building_ma[p] = 40000;  // 59.85 - 40 = 19.85 A left
  ASSERT_EQ(ext.set_current_limit(100000, pl.clock.t), lm::ExtResult::Ok);
  pl.run(site, 3000);  // LM-03: cut in the next cycle, the EVs follow one cycle later
  for (int p = 0; p < 3; ++p) pl.peak_ma[p] = 0;
  pl.run(site, 60000);
  for (int p = 0; p < 3; ++p) EXPECT_LE(pl.peak_ma[p], 59850) << "phase " << p;
  // EXT-04: deactivated, normal load management.
  for (int p = 0; p < 3; ++p) pl.building_ma[p] = 0;
  ext.set_activation(false, pl.clock.t);
  pl.run(site, 60000);
  EXPECT_EQ(stations_ma(pl, 0), 32000);
  EXPECT_TRUE(pl.below_min.empty());
}

}  // namespace
}  // namespace lmc::site
