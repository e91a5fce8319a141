// Builds the site network from the scenario's `network:` section (docs/network.md). The
// network always exists (defaults: router 192.168.1.1/24 with DHCP .100-.199, internet up,
// the vendor cloud and NTP, no Wi-Fi, Ethernet unplugged) so a device can always be wired.
#include <memory>

#include "models/evse/station_directory.h"
#include "models/evse/zaptec_cloud.h"
#include "models/models.h"
#include "models/net/cloud.h"
#include "models/net/device_link.h"
#include "models/net/echo_service.h"
#include "models/net/host_bridge.h"
#include "models/net/http.h"
#include "models/net/lan.h"
#include "models/net/lan_client.h"
#include "models/net/phone.h"
#include "models/net/router.h"
#include "models/net/scheduler.h"
#include "models/net/station_link.h"
#include "models/net/wifi.h"
#include "models/net/zaptec_api.h"

namespace lmsim::net {

namespace {

Ip ip_of(const YNode& n) {
  Ip ip = parse_ip(n.str());
  if (!ip) n.fail("expected an IPv4 address like 192.168.1.20, got '" + n.str() + "'");
  return ip;
}

Ip ip_or(const YNode& m, const std::string& key, Ip def) {
  const YNode* n = m.get(key);
  return n ? ip_of(*n) : def;
}

Ip mask_of(const YNode& n) {
  Ip m = parse_ip(n.str());
  if (!m || (~m & (~m + 1)) != 0) n.fail("expected a netmask like 255.255.255.0, got '" + n.str() + "'");
  return m;
}

std::uint16_t port_of(const YNode& n) {
  long long p = n.integer();
  if (p < 1 || p > 65535) n.fail("a port is 1..65535");
  return static_cast<std::uint16_t>(p);
}

std::vector<double> bands_of(const YNode& n) {
  std::vector<double> out;
  auto one = [&out](const YNode& b) {
    double hz = b.quantity_value("Hz");
    bool ok = (hz > 2.3e9 && hz < 2.6e9) || (hz > 4.9e9 && hz < 6.0e9) || (hz > 5.9e9 && hz < 7.2e9);
    if (!ok) b.fail("a Wi-Fi band is 2.4GHz, 5GHz or 6GHz");
    out.push_back(hz);
  };
  if (n.is_seq())
    for (auto& b : n.items()) one(b);
  else
    one(n);
  return out;
}

// Everything the network owns, kept alive by the site.
struct Network {
  Scheduler* sched = nullptr;
  std::unique_ptr<Lan> lan;
  std::unique_ptr<Wifi> wifi;
  std::unique_ptr<Router> router;
  std::unique_ptr<RogueServer> rogue;
  std::unique_ptr<DeviceLink> device;
  std::unique_ptr<Cloud> cloud;
  std::unique_ptr<NtpServer> ntp;
  std::unique_ptr<ZaptecApi> zaptec;
  std::unique_ptr<Phone> phone;
  std::unique_ptr<HostBridge> bridge;
  std::unique_ptr<LanClient> lan_client;  // Site.rpc("lan"): tests reach the device's services
  std::vector<std::unique_ptr<EchoService>> echoes;
  std::vector<std::unique_ptr<HttpServer>> pages;
  std::vector<std::unique_ptr<StationLink>> stations;
};

void build_router(Network& net, const YNode* n) {
  Router::Config rc;
  if (n) {
    rc.ip = ip_or(*n, "ip", rc.ip);
    if (auto* m = n->get("mask")) rc.mask = mask_of(*m);
    if (auto* d = n->get("dhcp")) {
      if (auto* pool = d->get("pool")) {
        std::string s = pool->str();
        auto dash = s.find('-');
        Ip lo = dash == std::string::npos ? 0 : parse_ip(s.substr(0, dash));
        Ip hi = dash == std::string::npos ? 0 : parse_ip(s.substr(dash + 1));
        if (!lo || !hi || hi < lo) pool->fail("expected a pool like 192.168.1.100-192.168.1.199");
        if (!same_subnet(lo, rc.ip, rc.mask) || !same_subnet(hi, rc.ip, rc.mask))
          pool->fail("the DHCP pool must lie in the router's subnet");
        rc.pool_lo = lo;
        rc.pool_hi = hi;
      }
      if (auto* r = d->get("reservations")) {
        if (!r->is_map()) r->fail("expected a map client: address");
        for (auto& [k, v] : r->entries()) rc.reservations[k] = ip_of(v);
        for (auto& k : r->keys()) (void)r->get(k);
      }
      if (auto* pol = d->get("policy")) {
        if (pol->str() != "next" && pol->str() != "sticky") pol->fail("policy is 'next' or 'sticky'");
        rc.sticky = pol->str() == "sticky";
      }
      d->finish();
    }
    n->finish();
  }
  net.router = std::make_unique<Router>(*net.lan, rc);
}

void build_hosts(Network& net, Site& site, const YNode& list) {
  if (!list.is_seq()) list.fail("expected a list of hosts");
  for (auto& h : list.items()) {
    std::string name = h["name"].str();
    if (net.lan->find_host(name)) h["name"].fail("duplicate host name '" + name + "'");
    bool inet = h.bool_or("internet", false);
    Host& host = net.lan->add_host(name, inet ? Segment::Internet : Segment::Lan);
    Ip gw = inet ? 0 : net.router->ip();
    if (auto* ip = h.get("ip")) {
      host.set_address(ip_of(*ip), inet ? 0 : net.router->mask(), gw, gw);
    } else if (!inet) {
      Ip ip = net.router->lease(name, true);
      if (!ip) h.fail("the DHCP pool is exhausted");
      host.set_address(ip, net.router->mask(), gw, gw);
    } else {
      h.fail("an internet host needs an ip");
    }
    if (auto* hn = h.get("hostname")) host.hostnames.push_back(hn->str());
    host.add_knobs(site.registry(), "net.host." + name, h.has("latency") ? h["latency"].duration() : 300 * kUs,
                   h.qty_or("loss", "%", 0));
    if (auto* e = h.get("echo"))
      net.echoes.push_back(std::make_unique<EchoService>(host, port_of(*e), *net.sched, h.dur_or("echo_delay", 0)));
    if (auto* w = h.get("http")) {
      std::uint16_t port = port_of((*w)["port"]);
      std::string body = w->str_or("body", "<html><body>ok</body></html>");
      std::string ctype = w->str_or("content_type", "text/html");
      w->finish();
      net.pages.push_back(std::make_unique<HttpServer>(
          host, port, *net.sched,
          [body, ctype](const HttpMessage& r, Time) {
            if (r.method != "GET" && r.method != "HEAD") return HttpServer::Reply{405, "", "text/plain"};
            return HttpServer::Reply{200, body, ctype};
          },
          1 * kMs));
    }
    h.finish();
  }
}

}  // namespace

void build(Site& site, const YNode& root) {
  const YNode* n = root.get("network");
  if (n && !n->is_map()) n->fail("expected a map");
  auto net = std::make_shared<Network>();
  net->sched = &site.make<Scheduler>("net_scheduler");
  net->lan = std::make_unique<Lan>(site, *net->sched);
  Lan& lan = *net->lan;
  build_router(*net, n ? n->get("router") : nullptr);

  // Internet uplink and firewall.
  {
    bool up = true;
    Time lat = 15 * kMs;
    std::string blocked;
    if (const YNode* i = n ? n->get("internet") : nullptr) {
      up = i->bool_or("up", true);
      lat = i->dur_or("latency", lat);
      if (auto* b = i->get("blocked_ports")) {
        // Appended piecewise: `"," + std::string` draws a false -Wrestrict from GCC 12 at -O3
        // (GCC bug 105329).
        for (auto& p : b->items()) {
          if (!blocked.empty()) blocked += ',';
          blocked += std::to_string(port_of(p));
        }
      }
      i->finish();
    }
    lan.add_uplink_knobs(up, lat, blocked);
  }

  // Wi-Fi access points.
  net->wifi = std::make_unique<Wifi>(site);
  if (const YNode* w = n ? n->get("wifi") : nullptr) {
    if (!w->is_seq()) w->fail("expected a list of access points");
    for (auto& a : w->items()) {
      std::string ssid = a["ssid"].str();
      if (ssid.empty() || ssid.size() > 32) a["ssid"].fail("an SSID is 1..32 characters");
      if (net->wifi->find(ssid)) a["ssid"].fail("duplicate SSID '" + ssid + "'");
      std::string pw = a.str_or("password", "");
      if (!pw.empty() && (pw.size() < 8 || pw.size() > 63)) a["password"].fail("a WPA2 password is 8..63 characters");
      std::vector<double> bands = a.has("band") ? bands_of(a["band"]) : std::vector<double>{2.4e9};
      const double signal = a.qty_or("signal", "dBm", -60);
      const int channel = static_cast<int>(a.num_or("channel", 6));
      AccessPoint* added = nullptr;
      try {  // the SSID becomes part of signal names (net.wifi.ap.<ssid>.up): name the line if it cannot
        added = &net->wifi->add_ap(ssid, pw, bands, signal, channel);
      } catch (const SignalError& e) {
        a["ssid"].fail(e.what());
      }
      auto& ap = *added;
      ap.max_clients = static_cast<int>(a.num_or("max_clients", 32));
      a.finish();
    }
  }

  // Rogue DHCP/DNS server.
  {
    const YNode* r = n ? n->get("rogue") : nullptr;
    Ip ip = r ? ip_or(*r, "ip", 0x0A000001) : 0x0A000001;
    bool active = r ? r->bool_or("active", false) : false;
    if (r) r->finish();
    net->rogue = std::make_unique<RogueServer>(lan, ip, ip + 99, active);
  }

  // The device's attachment.
  bool plugged = false;
  if (const YNode* e = n ? n->get("ethernet") : nullptr) {
    plugged = e->bool_or("plugged", false);
    e->finish();
  }
  net->device = std::make_unique<DeviceLink>(lan, *net->wifi, *net->router, net->rogue.get(), plugged);

  // Cloud and NTP on the internet.
  std::uint16_t cloud_bridge_port = 0;
  {
    const YNode* c = n ? n->get("cloud") : nullptr;
    std::map<std::string, std::string> tokens;
    if (auto* t = c ? c->get("evse_tokens") : nullptr) {
      if (!t->is_map()) t->fail("expected a map evse-uuid: token");
      for (auto& [k, v] : t->entries()) tokens[k] = v.str();
      for (auto& k : t->keys()) (void)t->get(k);
    }
    net->cloud = std::make_unique<Cloud>(lan, c ? ip_or(*c, "ip", 0x341C0A14) : 0x341C0A14,
                                         c ? c->str_or("hostname", "cloud.clemap.com") : "cloud.clemap.com", tokens);
    if (const YNode* bp = c ? c->get("bridge_port") : nullptr) {  // --realtime --expose: the broker's loopback port
      long long v = bp->integer();
      if (v < 0 || v > 65535) bp->fail("bridge_port is 0..65535 (0: any free port)");
      cloud_bridge_port = static_cast<std::uint16_t>(v);
    }
    if (c) c->finish();
    const YNode* t = n ? n->get("ntp") : nullptr;
    net->ntp = std::make_unique<NtpServer>(lan, t ? ip_or(*t, "ip", 0xA29FC801) : 0xA29FC801,
                                           t ? t->str_or("hostname", "pool.ntp.org") : "pool.ntp.org");
    if (t) t->finish();
    // api.zaptec.com, when the stations area built the Zaptec cloud model.
    const YNode* z = n ? n->get("zaptec") : nullptr;
    Ip zip = z ? ip_or(*z, "ip", 0x22F1B40A) : 0x22F1B40A;  // 34.241.180.10
    std::string zname = z ? z->str_or("hostname", "api.zaptec.com") : "api.zaptec.com";
    if (z) z->finish();
    if (auto* zc = site.service<evse::ZaptecCloud>("zaptec"))
      net->zaptec = std::make_unique<ZaptecApi>(lan, *zc, zip, zname);
  }

  if (const YNode* h = n ? n->get("hosts") : nullptr) build_hosts(*net, site, *h);

  // Stations as LAN hosts (their Modbus endpoints from the stations area).
  Time resp = 5 * kMs;
  if (const YNode* s = n ? n->get("stations") : nullptr) {
    resp = s->dur_or("response_time", resp);
    s->finish();
  }
  if (auto* dir = site.service<evse::StationDirectory>("stations")) {
    for (auto& name : dir->names()) {
      evse::ModbusEndpoint* ep = dir->endpoint(name);
      evse::StationCore* core = dir->station(name);
      if (!ep || !core) continue;
      net->stations.push_back(std::make_unique<StationLink>(lan, *net->router, *core, *ep, resp));
    }
  }

  // The phone (scriptable through its knobs).
  net->phone = std::make_unique<Phone>(lan, *net->wifi, *net->device, *net->router);
  if (const YNode* p = n ? n->get("phone") : nullptr) net->phone->configure(*p);

  // The host bridge: loopback ports forwarded to the device's services.
  {
    std::vector<HostBridge::Map> maps = {{4000, 4000}, {5020, 5020}, {7000, 7000}};
    if (const YNode* br = n ? n->get("bridge") : nullptr) {
      if (!br->is_map()) br->fail("expected a map device-port: host-port, e.g. {4000: 14000}");
      maps.clear();
      for (auto& [k, v] : br->entries()) {
        long long dp = YNode::make_scalar(k, br->file(), br->line(), br->path()).integer();
        if (dp < 1 || dp > 65535) br->fail("device port '" + k + "' is not 1..65535");
        long long hp = v.integer();
        if (hp < 0 || hp > 65535) v.fail("a host port is 0..65535 (0: any free port)");
        maps.push_back({static_cast<std::uint16_t>(dp), static_cast<std::uint16_t>(hp)});
      }
      for (auto& k : br->keys()) (void)br->get(k);
    }
    maps.push_back({8883, cloud_bridge_port, net->cloud->host().ip()});  // the cloud's MQTT broker
    net->bridge = std::make_unique<HostBridge>(lan, *net->device, *net->router, maps);
    HostBridge* hb = net->bridge.get();
    // Opened only on request (`lmsim run --realtime --expose`) and only with a network controller
    // to forward to (the device's start hook attaches it before this one runs): never a host
    // socket otherwise.
    DeviceLink* link = net->device.get();
    site.on_start([&site, hb, link] {
      if (!site.realtime() || !site.expose() || !link->attached()) return;
      hb->start();
      site.add_poller([hb] { hb->poll(); });
    });
  }

  if (n) n->finish();

  net->lan_client = std::make_unique<LanClient>(lan, *net->device, *net->router);
  site.add_rpc("lan", [lc = net->lan_client.get()](const nlohmann::json& a) { return lc->call(a); });

  site.provide<DevicePort>("net.device", net->device.get());
  site.provide<Lan>("lan", &lan);
  site.provide<Cloud>("cloud", net->cloud.get());
  site.provide<Phone>("net.phone", net->phone.get());
  site.provide<DeviceLink>("net.device_link", net->device.get());
  site.provide<Router>("net.router", net->router.get());
  site.provide<HostBridge>("net.bridge", net->bridge.get());
  if (net->zaptec) site.provide<ZaptecApi>("net.zaptec", net->zaptec.get());
  // The site owns the network for its lifetime.
  site.make<std::shared_ptr<Network>>(net);
}

}  // namespace lmsim::net
