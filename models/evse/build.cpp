// Builds the charging stations (`stations:`) and the EVs (`evs:`) of a scenario, publishes
// the directory service "stations" (name / ip:port -> station and Modbus endpoint) and the
// vendor library "vendors".
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>

#include "models/evse/modbus_client.h"
#include "models/evse/modbus_tcp_server.h"
#include "models/evse/station_directory.h"
#include "models/evse/zaptec_cloud.h"
#include "models/models.h"

namespace lmsim::evse {

namespace {

int parse_phase(const YNode& n) {
  const std::string& s = n.scalar();
  if (s == "L1") return 0;
  if (s == "L2") return 1;
  if (s == "L3") return 2;
  n.fail("expected a phase L1, L2 or L3, got '" + s + "'");
}

// "30min" from t=0, or a clock time "17:30" (the next such time after the scenario start).
Time parse_when(const Site& site, const YNode& n) {
  const std::string& s = n.scalar();
  if (s.find(':') != std::string::npos) {
    int h = 0, m = 0, sec = 0;
    if (std::sscanf(s.c_str(), "%d:%d:%d", &h, &m, &sec) < 2 || h > 23 || m > 59 || sec > 59 || h < 0 || m < 0)
      n.fail("expected a clock time like \"17:30\", got '" + s + "'");
    double target = h * 3600.0 + m * 60.0 + sec;
    double delta = target - site.time_of_day(0);
    if (delta < 0) delta += 86400;
    return seconds_to_time(delta);
  }
  return n.duration();
}

std::pair<double, double> range_s(const YNode& n) {
  if (n.is_seq()) {
    if (n.size() != 2) n.fail("expected [min, max] durations");
    double a = time_to_seconds(n.items()[0].duration()), b = time_to_seconds(n.items()[1].duration());
    if (b < a) n.fail("max below min");
    return {a, b};
  }
  double v = time_to_seconds(n.duration());
  return {v, v};
}

// Station and EV names become signal-name segments (station.<name>.state): reject what the
// registry would refuse here, where the error can name the scenario line.
const std::string& checked_name(const YNode& nm) {
  const std::string& v = nm.scalar();
  if (v.empty() ||
      v.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != std::string::npos)
    nm.fail("names use letters, digits, '_' and '-'");
  return v;
}

const VendorMap& vendor_for(Site& site, VendorLibrary& lib, const YNode& s, const std::string& name) {
  if (const YNode* m = s.get("map")) return lib.define(*m, "station-" + name);
  if (const YNode* f = s.get("model_file")) {
    std::string path = site.resolve_path(f->scalar());
    // Name the scenario line that refers to the missing map, not only the map's path.
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec) || !std::ifstream(path))
      f->fail("station model file not found (or not a readable file): " + path);
    return lib.load_file(path);
  }
  const YNode& model = s["model"];
  std::string id = model.scalar();
  if (id == "webasto-live") {
    std::string set = s.str_or("register_set", "ebee");
    if (set == "ebee")
      id = "webasto-live-ebee";
    else if (set == "tq-dm100")
      id = "webasto-live-tq";
    else
      s["register_set"].fail("register_set must be ebee or tq-dm100");
  }
  return lib.get(id, &model);
}

}  // namespace

// Python's lmsim.ModbusClient: requests to stations at the current simulated time, through
// one deterministic in-simulation client per site (Site.rpc("modbus", fn=..., ...)).
static void add_modbus_rpc(Site& site, StationDirectory& dir) {
  auto& client = site.make<ModbusClient>(dir);
  site.add_rpc("modbus", [&client](const nlohmann::json& a) -> nlohmann::json {
    if (!a.contains("fn") || !a.contains("station")) throw SignalError("modbus: needs fn and station");
    auto reg16 = [](const nlohmann::json& v) {
      long x = v.get<long>();
      if (x < 0 || x > 0xFFFF) throw SignalError("modbus: register values are 0..65535");
      return static_cast<std::uint16_t>(x);
    };
    ModbusResult r;
    try {
      // Inside the try: wrong argument types are "bad arguments", not internal errors.
      const std::string fn = a["fn"];
      const std::string st = a["station"];
      const int unit = a.value("unit", 1);
      if (unit < 0 || unit > 255) throw SignalError("modbus: unit id must be 0..255");
      if (fn == "read_holding")
        r = client.read_holding(st, a.at("addr"), a.value("count", 1), unit);
      else if (fn == "read_input")
        r = client.read_input(st, a.at("addr"), a.value("count", 1), unit);
      else if (fn == "write_register")
        r = client.write_register(st, a.at("addr"), reg16(a.at("value")), unit);
      else if (fn == "write_registers") {
        std::vector<std::uint16_t> v;
        for (const auto& x : a.at("values")) v.push_back(reg16(x));
        r = client.write_registers(st, a.at("addr"), v, unit);
      } else if (fn == "disconnect") {
        client.disconnect(st);
        r.ok = true;
      } else
        throw SignalError("modbus: unknown function '" + fn + "'");
    } catch (const std::invalid_argument& e) {
      throw SignalError(std::string("modbus: ") + e.what());
    } catch (const nlohmann::json::exception& e) {
      throw SignalError(std::string("modbus: bad arguments: ") + e.what());
    }
    return {{"ok", r.ok},
            {"exception", r.exception},
            {"no_reply", r.no_reply},
            {"refused", r.refused},
            {"values", r.values}};
  });
}

void build(Site& site, const YNode& root) {
  const YNode* stations = root.get("stations");
  const YNode* evs = root.get("evs");
  if (!stations && !evs) return;
  auto& lib = site.make<VendorLibrary>();
  site.provide<VendorLibrary>("vendors", &lib);
  auto& dir = site.make<StationDirectory>();
  site.provide<StationDirectory>("stations", &dir);
  Registry& reg = site.registry();
  auto& totals = site.make<StationTotals>();
  totals.power = &reg.add_number("stations.total_power", "W").describe("sum of all stations' active power");
  static const char* ln[] = {"L1", "L2", "L3"};
  for (std::size_t g = 0; g < 3; ++g)
    totals.current[g] = &reg.add_number(std::string("stations.total_current.") + ln[g], "A")
                             .describe("sum of station currents per phase");

  // Everything is parsed and checked before any SystemC module exists.
  std::map<std::string, StationCore*> by_name;
  std::vector<StationConfig> station_cfgs;
  std::vector<std::pair<EvConfig, std::string>> ev_cfgs;
  struct ZapInfo {
    std::string installation;
    double max;
  };
  std::map<std::string, ZapInfo> zaptec;  // station name -> installation
  std::set<std::string> endpoints;
  std::map<std::string, int> expose_ports;  // station -> fixed host port for --expose (0 = any free)
  std::set<int> used_ports;
  if (stations) {
    for (const YNode& s : stations->items()) {
      StationConfig c;
      const YNode& nm = s["name"];
      c.name = checked_name(nm);
      if (by_name.count(c.name)) nm.fail("duplicate station name '" + c.name + "'");
      const VendorMap& vm = vendor_for(site, lib, s, c.name);
      c.vendor = &vm;
      if (const YNode* p = s.get("phases")) {
        if (!p->is_seq() || p->size() < 1 || p->size() > 3)
          p->fail("phases is a list of 1 to 3 grid phases, e.g. [L2, L3, L1]");
        c.nphases = static_cast<int>(p->size());
        std::set<int> seen;
        for (std::size_t i = 0; i < p->size(); ++i) {
          int g = parse_phase(p->items()[i]);
          if (!seen.insert(g).second) p->items()[i].fail("grid phase used twice");
          c.grid_phase[i] = g;
        }
        // Unused station phases point at the remaining grid phases (never drawn on).
        std::size_t k = p->size();
        for (int g = 0; g < 3 && k < 3; ++g)
          if (!seen.count(g)) c.grid_phase[k++] = g;
      }
      c.max_current = s.qty_or("max_current", "A", 32);
      c.min_current = s.qty_or("min_current", "A", 6);
      c.ip = s.str_or("ip", "192.168.1." + std::to_string(50 + by_name.size()));
      c.port = static_cast<int>(s.num_or("port", 502));
      if (c.port < 1 || c.port > 65535) s["port"].fail("port must be 1..65535");
      c.any_unit = vm.any_unit;
      c.unit_ids = vm.unit_ids;
      if (const YNode* u = s.get("unit_id")) {
        if (u->is_scalar() && u->scalar() == "any") {
          c.any_unit = true;
        } else {
          c.any_unit = false;
          c.unit_ids = {static_cast<int>(u->integer())};
          if (c.unit_ids[0] < 0 || c.unit_ids[0] > 255) u->fail("unit_id must be 0..255 or any");
        }
      }
      c.meter = s.bool_or("meter", true);
      c.boot_time = s.dur_or("boot_time", vm.boot_time);
      c.min_off_time = s.dur_or("min_off_time", vm.min_off_time);
      c.rfid_auth = s.bool_or("rfid_auth", false);
      if (const YNode* d = s.get("dhcp")) {
        if (d->scalar() == "static")
          c.dhcp = Dhcp::Static;
        else if (d->scalar() == "reserved")
          c.dhcp = Dhcp::Reserved;
        else if (d->scalar() == "dynamic")
          c.dhcp = Dhcp::Dynamic;
        else
          d->fail("dhcp must be static, reserved or dynamic");
      }
      if (const YNode* d = s.get("dlm_mode")) {
        if (!vm.behaviour.dlm_roles) d->fail("dlm_mode: station model '" + vm.name + "' has no DLM roles");
        static const char* modes[] = {"disabled", "master-internal-slave", "master-standalone", "slave",
                                      "slave-fixed-ip"};
        int found = -1;
        for (int i = 0; i < 5; ++i)
          if (d->scalar() == modes[i]) found = i;
        if (found < 0)
          d->fail("dlm_mode must be disabled, master-internal-slave, master-standalone, slave or slave-fixed-ip");
        c.dlm_mode = found;
      }
      c.tick = s.dur_or("tick", kSec);
      if (c.tick < kMs) s["tick"].fail("tick must be at least 1ms");
      c.setpoint = s.qty_or("setpoint", "A", vm.default_setpoint);
      c.failsafe_current = s.qty_or("failsafe_current", "A", vm.default_failsafe);
      c.comm_timeout = time_to_seconds(s.dur_or("comm_timeout", seconds_to_time(vm.default_timeout)));
      c.online = s.bool_or("online", true);
      c.actuation_delay = vm.behaviour.actuation_delay;
      c.actuation_jitter = vm.behaviour.actuation_jitter;
      if (const YNode* a = s.get("actuation")) {  // override the vendor's (e.g. {delay: 0s, jitter: 0s})
        c.actuation_delay = a->dur_or("delay", c.actuation_delay);
        c.actuation_jitter = a->dur_or("jitter", c.actuation_jitter);
        a->finish();
      }
      c.nominal_voltage = s.qty_or("voltage", "V", 230);
      if (!vm.modbus) {  // cloud-controlled (Zaptec): installation and its current limit
        zaptec[c.name] = {s.str_or("installation", "installation-1"), s.qty_or("installation_max_current", "A", 40)};
      }
      if (const YNode* e = s.get("expose_port")) {
        long long port = e->integer();
        if (port < 0 || port > 65535) e->fail("expose_port must be 0 (any free port) or 1..65535");
        if (port > 0 && !used_ports.insert(static_cast<int>(port)).second)
          e->fail("expose_port " + std::to_string(port) + " is used by another station");
        expose_ports[c.name] = static_cast<int>(port);
      }
      if (s.has("model")) (void)s["model"];
      if (s.has("register_set")) (void)s["register_set"];
      s.finish();
      std::string ipport = c.ip + ":" + std::to_string(c.port);
      if (!endpoints.insert(ipport).second) s.fail("two stations at " + ipport);
      by_name[c.name] = nullptr;
      station_cfgs.push_back(std::move(c));
    }
  }
  if (evs) {
    std::set<std::string> names;
    for (const YNode& e : evs->items()) {
      EvConfig c;
      const YNode& nm = e["name"];
      c.name = checked_name(nm);
      if (!names.insert(c.name).second) nm.fail("duplicate EV name '" + c.name + "'");
      const YNode& st = e["station"];
      auto it = by_name.find(st.scalar());
      if (it == by_name.end()) st.fail("no station named '" + st.scalar() + "'");
      c.capacity_wh = e.qty_or("battery", "Wh", 60000);
      if (c.capacity_wh <= 0) e["battery"].fail("battery must be positive");
      c.soc = e.qty_or("soc", "%", 20);
      c.target_soc = e.qty_or("target_soc", "%", 100);
      if (c.soc < 0 || c.soc > 100) e["soc"].fail("soc must be 0..100%");
      c.phases = static_cast<int>(e.num_or("phases", 3));
      if (c.phases < 1 || c.phases > 3) e["phases"].fail("phases must be 1, 2 or 3");
      if (const YNode* p = e.get("phase")) c.first_phase = parse_phase(*p);
      c.max_current = e.qty_or("max_current", "A", 16);
      c.min_current = e.qty_or("min_current", "A", 0);
      c.taper_soc = e.qty_or("taper_soc", "%", 80);
      if (const YNode* r = e.get("reaction")) std::tie(c.reaction_min, c.reaction_max) = range_s(*r);
      if (const YNode* r = e.get("resume")) std::tie(c.resume_min, c.resume_max) = range_s(*r);
      c.ramp = e.num_or("ramp", 10);
      c.efficiency = e.num_or("efficiency", 0.92);
      c.compliant = e.bool_or("compliant", true);
      c.draw = e.qty_or("draw", "%", 100) / 100.0;
      if (c.draw <= 0 || c.draw > 1) e["draw"].fail("draw must be above 0% and at most 100% of the allowed current");
      if (const YNode* im = e.get("imbalance")) {
        if (!im->is_seq() || im->size() < 1 || im->size() > 3)
          im->fail("imbalance is a list of 1 to 3 per-phase factors, e.g. [100%, 97%, 94%]");
        for (std::size_t i = 0; i < im->size(); ++i) {
          double f = im->items()[i].quantity_value("%") / 100.0;
          if (f < 0 || f > 1) im->items()[i].fail("a phase factor is 0..100%");
          c.imbalance[i] = f;
        }
      }
      if (const YNode* tm = e.get("timer")) c.timer = parse_when(site, *tm);
      if (const YNode* tu = e.get("top_up")) {
        c.top_up_after = tu->dur_or("after", 2 * 3600 * kSec);
        c.top_up_drop = tu->qty_or("drop", "%", 2);
        if (c.top_up_after <= 0) (*tu)["after"].fail("top_up after must be positive");
        tu->finish();
      }
      c.sleep_after = e.dur_or("sleep_after", 0);
      if (const YNode* a = e.get("arrive")) c.arrive = parse_when(site, *a);
      if (const YNode* d = e.get("depart")) c.depart = parse_when(site, *d);
      if (c.depart <= c.arrive && e.has("depart")) e["depart"].fail("depart must be after arrive");
      e.finish();
      ev_cfgs.emplace_back(std::move(c), st.scalar());
    }
  }
  for (auto& c : station_cfgs) {
    auto& core = site.make<StationCore>(("station_" + c.name).c_str(), site, c, &totals);
    by_name[c.name] = &core;
    dir.add(&core);
  }
  if (!zaptec.empty()) {
    auto& cloud = site.make<ZaptecCloud>(site, ZaptecConfig{});
    site.provide<ZaptecCloud>("zaptec", &cloud);
    for (auto& [name, z] : zaptec) cloud.add_charger(by_name[name], z.installation, z.max);
  }
  for (auto& [c, st] : ev_cfgs) {
    auto& ev = site.make<Ev>(reg, c, site.rng("ev." + c.name));
    by_name[st]->add_ev(&ev);
  }
  add_modbus_rpc(site, dir);
  // --realtime --expose: each station also serves external Modbus clients on 127.0.0.1,
  // at its `expose_port` (0: any free port) or else 15020 + its index, or any free port when that
  // one is taken (two simulations on one machine, parallel tests); the line below names it.
  site.on_start([&site, &dir, expose_ports] {
    if (!site.realtime() || !site.expose()) return;
    int i = 0;
    for (const auto& name : dir.names()) {
      auto fixed = expose_ports.find(name);
      int port = fixed != expose_ports.end() ? fixed->second : 15020 + i;
      ++i;
      auto* ep = dir.endpoint(name);
      auto& srv =
          site.make<ModbusTcpServer>(*ep, port, [] { return static_cast<Time>(sc_core::sc_time_stamp().value()); },
                                     fixed == expose_ports.end());
      site.add_poller([&srv] { srv.service(); });
      std::fprintf(stderr, "lmsim: station %s: Modbus TCP on 127.0.0.1:%d\n", name.c_str(), srv.port());
      site.log(LogLevel::Info, "station." + name, "exposed on 127.0.0.1:" + std::to_string(srv.port()));
    }
  });
}

}  // namespace lmsim::evse
