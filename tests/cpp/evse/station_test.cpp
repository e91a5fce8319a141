// Station core and EV behaviour, and a station model defined only in the scenario YAML.
#include <sys/wait.h>
#include <unistd.h>

#include "evse_test_util.h"

using namespace lmsim::evse;
using lmsim::evse::test::Bench;

TEST(EvseStation, StationDefinedOnlyInYamlIsControlled) {
  Bench b(R"(
stations:
  - name: diy
    ip: 10.1.1.9
    port: 1502
    phases: [L3, L1, L2]
    map:
      vendor: my-box
      unit_id: 3
      functions: [3, 4, 6, 16]
      word_order: lsw-first
      watchdog: any-request
      boot_time: 5s
      defaults: {setpoint: 0A, failsafe_current: 6A, comm_timeout: 15s}
      registers:
        - {addr: 10, name: state, bind: status, map: {idle: 0, charging: 2, paused: 1}, default: 9}
        - {addr: 11, name: amps_x10, bind: current.L1, scale: 10}
        - {addr: 12, name: energy, type: u32, bind: energy}
        - {addr: 20, name: limit, bind: setpoint, access: rw, max: 32}
        - {addr: 21, name: safe, bind: failsafe_current, access: rw}
        - {addr: 22, name: scratch, bind: store}
        - {addr: 5, table: input, name: model, type: ascii, words: 3, text: "DIY-1"}
        - {addr: 30, name: max_on_restart, bind: failsafe_current, access: rw, apply: restart}
        - {addr: 31, name: close_me, value: 1, on_read: drop-connection}
evs:
  - {name: car, station: diy, phases: 3, max_current: 16A, reaction: 1s}
)");
  auto& c = *b.client;
  b.run(6);
  ASSERT_NE(b.dir->endpoint_at("10.1.1.9", 1502), nullptr);
  EXPECT_EQ(c.read_holding("diy", 10, 1, 3).values[0], 1);  // paused: setpoint 0 by default
  EXPECT_TRUE(c.read_holding("diy", 10, 1, 1).no_reply);
  ASSERT_TRUE(c.write_register("diy", 20, 13, 3).ok);
  ASSERT_TRUE(c.write_register("diy", 22, 4711, 3).ok);
  EXPECT_EQ(c.read_holding("diy", 22, 1, 3).values[0], 4711);
  EXPECT_EQ(c.read_input("diy", 5, 3, 3).values[0], ('D' << 8) | 'I');
  b.run(5);
  EXPECT_EQ(c.read_holding("diy", 10, 1, 3).values[0], 2);
  EXPECT_EQ(c.read_holding("diy", 11, 1, 3).values[0], 130);
  EXPECT_NEAR(b.value("station.diy.L3.current"), 13, 1e-9);  // station L1 on grid L3
  auto hi = c.read_holding("diy", 13, 1, 3);                 // half of a u32 may be read (HA reads ABB 0x400D alone)
  ASSERT_TRUE(hi.ok);
  const std::uint32_t wh = c.read_holding("diy", 12, 2, 3).u32(0, true);  // LSW first
  EXPECT_GT(wh, 0u);
  EXPECT_EQ(wh >> 16, hi.values[0]);
  EXPECT_NEAR(wh, b.value("station.diy.energy"), 1.0);
  // A read with a side effect: the station closes the connection (no reply); the client
  // reconnects on its next request.
  EXPECT_TRUE(c.read_holding("diy", 31, 1, 3).no_reply);
  EXPECT_TRUE(c.read_holding("diy", 30, 1, 3).ok);
  // A setting that applies only after a restart.
  ASSERT_TRUE(c.write_register("diy", 30, 9, 3).ok);
  EXPECT_TRUE(b.site->registry().at("station.diy.settings_pending").as_bool());
  EXPECT_EQ(c.read_holding("diy", 21, 1, 3).values[0], 6);
  b.set("station.diy.reboot", "true");
  b.run(6);
  EXPECT_EQ(c.read_holding("diy", 21, 1, 3).values[0], 9);
  EXPECT_FALSE(b.site->registry().at("station.diy.settings_pending").as_bool());
}

TEST(EvseStation, ClientLatencyAdvancesSimulatedTime) {
  Bench b(R"(
stations:
  - {name: g, model: generic}
)");
  ModbusClient slow(*b.dir, 50 * lmsim::kMs);
  b.run(10.5);
  const double t0 = b.now_s();
  ASSERT_TRUE(slow.read_holding("g", 0, 1).ok);
  ASSERT_TRUE(slow.write_register("g", 1, 10).ok);
  EXPECT_NEAR(b.now_s() - t0, 0.1, 1e-9);
}

TEST(EvseStation, NonCompliantEvIgnoresOfferAndStationOpensContactor) {
  Bench b(R"(
stations:
  - {name: s, model: generic, unit_id: 1}
evs:
  - {name: rogue, station: s, phases: 1, max_current: 20A, compliant: false, reaction: 1s}
)");
  auto& c = *b.client;
  b.run(11);
  ASSERT_TRUE(c.write_register("s", 1, 20).ok);
  b.run(5);
  EXPECT_NEAR(b.value("station.s.current"), 20, 1e-9);
  ASSERT_TRUE(c.write_register("s", 1, 0).ok);
  b.run(2);
  EXPECT_NEAR(b.value("station.s.current"), 20, 1e-9);  // draws its maximum after PWM off
  b.run(2);                                             // the station opens the contactor 3 s after PWM off
  EXPECT_EQ(b.value("station.s.current"), 0);
  EXPECT_FALSE(b.site->registry().at("station.s.contactor").as_bool());
  // Against a lower offer it keeps drawing 20 A: the station trips on over-current (see
  // ev_library_test.cpp) instead of tolerating it for ever (issue 16 item 3).
  ASSERT_TRUE(c.write_register("s", 1, 8).ok);
  b.run(60);
  EXPECT_EQ(b.value("station.s.current"), 0);
  EXPECT_EQ(b.text("station.s.status"), "error");
}

TEST(EvseStation, EvTapersStopsWhenFullAndDeparts) {
  Bench b(R"(
start: "2026-11-25T16:00"
stations:
  - {name: s, model: generic, tick: 10s}
evs:
  - {name: car, station: s, arrive: "16:30", depart: "19:00", battery: 10kWh, soc: 70%, phases: 1,
     max_current: 16A, taper_soc: 80%, reaction: 1s}
)");
  b.run(1799);
  EXPECT_FALSE(b.site->registry().at("ev.car.connected").as_bool());
  b.run(30);
  EXPECT_TRUE(b.site->registry().at("ev.car.connected").as_bool());
  EXPECT_NEAR(b.value("station.s.current"), 16, 1e-9);
  double soc0 = b.value("ev.car.soc");
  b.run(1200);
  EXPECT_GT(b.value("ev.car.soc"), soc0 + 5);
  EXPECT_LT(b.value("station.s.current"), 16);  // tapering above 80 %
  b.run(3 * 3600);
  EXPECT_FALSE(b.site->registry().at("ev.car.connected").as_bool());  // left at 19:00
  EXPECT_EQ(b.value("station.s.current"), 0);
  EXPECT_GT(b.value("ev.car.soc"), 97);
  EXPECT_GT(b.value("station.s.energy"), 2900);
  EXPECT_EQ(b.text("station.s.status"), "idle");
}

TEST(EvseStation, DhcpGivesNewIpAfterPowerCycleAndDirectoryFollows) {
  Bench b(R"(
stations:
  - {name: dyn, model: abb-terra-ac, ip: 192.168.1.60, dhcp: dynamic}
  - {name: res, model: abb-terra-ac, ip: 192.168.1.61, dhcp: reserved}
)");
  b.run(31);
  ASSERT_NE(b.dir->endpoint_at("192.168.1.60", 502), nullptr);
  b.set("station.dyn.online", "false");
  b.set("station.res.online", "false");
  b.run(5);
  b.set("station.dyn.online", "true");
  b.set("station.res.online", "true");
  b.run(31);
  std::string ip = b.site->registry().at("station.dyn.ip").text();
  EXPECT_NE(ip, "192.168.1.60");
  EXPECT_EQ(ip.rfind("192.168.1.", 0), 0u);
  EXPECT_EQ(b.dir->endpoint_at("192.168.1.60", 502), nullptr);
  EXPECT_NE(b.dir->endpoint_at(ip, 502), nullptr);
  EXPECT_EQ(b.site->registry().at("station.res.ip").text(), "192.168.1.61");
}

TEST(EvseStation, BadScenarioNamesFileLineAndField) {
  auto expect_error = [](const std::string& yaml, const std::string& needle) {
    try {
      Bench b(yaml);
      ADD_FAILURE() << "no error for: " << yaml;
    } catch (const lmsim::InputError& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("test.yaml:"), std::string::npos) << e.what();
    }
  };
  expect_error("stations:\n  - {name: a, model: abb-terra-ac, colour: red}\n", "colour");
  expect_error("stations:\n  - {name: a, model: tesla}\n", "unknown station model");
  expect_error("stations:\n  - {name: a, model: generic, phases: [L1, L1]}\n", "twice");
  expect_error("stations:\n  - {name: a, model: generic}\nevs:\n  - {name: e, station: b}\n", "no station named");
  expect_error("stations:\n  - name: a\n    map:\n      registers:\n        - {addr: 1, bind: nonsense}\n",
               "unknown binding");
  expect_error(
      "stations:\n  - name: a\n    map:\n      registers:\n        - {addr: 1}\n        - {addr: 0, type: u32}\n",
      "overlaps");
}

// Same scenario and seed: bit-identical signals; another seed: different EV delays. Each run
// is a forked child (one SystemC elaboration per process).
TEST(EvseStation, SameSeedSameResultOtherSeedDiffers) {
  const char* yaml = R"(
stations:
  - {name: a, model: abb-terra-ac, dhcp: dynamic, ip: 10.0.0.7}
  - {name: w, model: webasto-next, ip: 10.0.0.8}
evs:
  - {name: e1, station: a, arrive: 10min, depart: 3h, phases: 3, max_current: 16A, reaction: [1s, 5s]}
  - {name: e2, station: w, arrive: 20min, phases: 1, max_current: 32A, reaction: [1s, 5s], battery: 20kWh}
)";
  auto run = [&](std::uint64_t seed) {
    int fds[2];
    if (pipe(fds) != 0) return std::string("pipe failed");
    pid_t pid = fork();
    if (pid == 0) {
      close(fds[0]);
      std::string out;
      {
        Bench b(yaml, seed);
        b.run(3600);
        b.set("station.a.online", "false");
        b.run(60);
        b.set("station.a.online", "true");
        b.run(4 * 3600);
        for (lmsim::Signal* s : b.site->registry().all()) out += s->name() + "=" + s->render() + ";";
      }
      if (write(fds[1], out.data(), out.size()) < 0) _exit(1);
      _exit(0);
    }
    close(fds[1]);
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
    close(fds[0]);
    waitpid(pid, nullptr, 0);
    return out;
  };
  const std::string a = run(7), b = run(7), c = run(8);
  ASSERT_GT(a.size(), 100u);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_NE(a.find("station.a.energy="), std::string::npos);
}
