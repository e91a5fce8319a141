#include "models/net/phone.h"

#include <charconv>

namespace lmsim::net {

Phone::Phone(Lan& lan, Wifi& wifi, DeviceLink& device, Router& router)
    : lan_(lan), wifi_(wifi), device_(device), router_(router) {
  auto& reg = lan.site().registry();
  host_ = &lan.add_host("phone", Segment::Lan);
  host_->add_knobs(reg, "net.phone", 0, 0);
  host_->extra_latency = 2 * kMs;
  password_ = &reg.add_string("net.phone.password").as_knob().describe("password the phone uses for its next join");
  join_ = &reg.add_string("net.phone.join").as_knob().describe("SSID the phone joins (empty: leave)");
  get_ = &reg.add_string("net.phone.get").as_knob().describe("URL the phone fetches (http://ip:port/path)");
  link_ = &reg.add_enum("net.phone.link", {"down", "joining", "up", "failed"}, 0).describe("phone Wi-Fi state");
  reason_ = &reg.add_number("net.phone.reason", "", 0).describe("last Wi-Fi failure of the phone (ESP32 codes)");
  ip_ = &reg.add_string("net.phone.ip").describe("the phone's address");
  status_ = &reg.add_number("net.phone.status", "", 0).describe("HTTP status of the last request, negative = error");
  body_ = &reg.add_string("net.phone.body").describe("body of the last response");
  responses_ = &reg.add_number("net.phone.responses", "", 0).describe("requests completed (any outcome)");
  host_->attach_ip_signal(ip_);
  join_->on_write = [this](Signal& s) {
    if (s.text().empty())
      leave(Scheduler::now());
    else
      join(s.text(), password_->text(), Scheduler::now());
  };
  get_->on_write = [this](Signal& s) {
    if (!s.text().empty()) get(s.text(), Scheduler::now());
  };
}

void Phone::configure(const YNode& n) {
  // Level of the device's hotspot where the phone is.
  if (auto* s = n.get("signal")) lan_.site().registry().at("net.ap.signal").set(s->quantity_value("dBm"));
  n.finish();
}

void Phone::leave(Time t) {
  ++gen_;
  if (on_hotspot_) device_.ap_leave(*host_, t);
  if (site_ap_ && site_ap_->clients > 0) --site_ap_->clients;
  on_hotspot_ = false;
  site_ap_ = nullptr;
  lan_.forget(*host_, t);
  host_->set_address(0, 0, 0, 0);
  link_->set(0, t);
}

void Phone::join(const std::string& ssid, const std::string& password, Time t) {
  leave(t);
  unsigned gen = gen_;
  link_->set(1, t);
  // The same scan and association timings as the device's radio.
  lan_.sched().at(t + DeviceLink::kScanTime + DeviceLink::kAuthTime, [this, gen, ssid, password] {
    if (gen != gen_) return;
    Time now = Scheduler::now();
    int reason = 0;
    AccessPoint* hs = wifi_.hotspot();
    if (hs && hs->ssid == ssid) {
      reason = device_.ap_associate(
          *host_, ssid, password,
          [this](Time t) {
            on_hotspot_ = false;
            host_->set_address(0, 0, 0, 0);
            reason_->set(kReasonBeaconTimeout, t);
            link_->set(3, t);
          },
          now);
      on_hotspot_ = reason == 0;
    } else if (AccessPoint* ap = wifi_.find(ssid); ap && !ap->hotspot && ap->up->as_bool()) {
      if (ap->password != password) {
        reason = kReason4WayHandshakeTimeout;
      } else {
        site_ap_ = ap;
        ++ap->clients;
        host_->set_segment(Segment::Lan);
        Ip ip = router_.lease("phone", false);
        host_->set_address(ip, router_.mask(), router_.ip(), router_.ip());
        if (!ip) reason = kReasonAuthFail;
      }
    } else {
      reason = kReasonNoApFound;
    }
    reason_->set(reason, now);
    link_->set(reason ? 3 : 2, now);
  });
}

void Phone::get(const std::string& url, Time t) {
  // http://a.b.c.d[:port][/path]
  auto fail = [this, t](int code) { lan_.sched().at(t, [this, code] { finish(code, "", Scheduler::now()); }); };
  if (busy_) {
    // The previous request is abandoned.
    host_->tcp_abort(conn_, t);
    busy_ = false;
  }
  if (url.rfind("http://", 0) != 0) return fail(-5);
  std::string rest = url.substr(7);
  auto slash = rest.find('/');
  std::string hostport = rest.substr(0, slash);
  std::string path = slash == std::string::npos ? "/" : rest.substr(slash);
  std::uint16_t port = 80;
  auto colon = hostport.find(':');
  if (colon != std::string::npos) {
    unsigned p = 0;
    auto s = hostport.substr(colon + 1);
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), p);
    if (ec != std::errc() || ptr != s.data() + s.size() || p == 0 || p > 65535) return fail(-5);
    port = static_cast<std::uint16_t>(p);
    hostport = hostport.substr(0, colon);
  }
  Ip ip = parse_ip(hostport);
  if (!ip) return fail(-5);
  request_ = http_request("GET", hostport, path, {}, {{"Connection", "close"}});
  parser_ = std::make_unique<HttpParser>(false);
  busy_ = true;
  unsigned g = ++req_gen_;
  conn_ = host_->tcp_connect({ip, port}, this, t, kRequestTimeout);
  lan_.sched().at(t + kRequestTimeout, [this, g] {
    if (busy_ && g == req_gen_) {
      host_->tcp_abort(conn_, Scheduler::now());
      finish(-2, "", Scheduler::now());
    }
  });
}

void Phone::tcp_connected(ConnId c, Time t) {
  if (c != conn_) return;
  host_->tcp_send(c, request_, t);
}

void Phone::tcp_data(ConnId c, std::string_view bytes, Time t) {
  if (c != conn_ || !busy_) return;
  if (!parser_->feed(bytes)) {
    host_->tcp_abort(c, t);
    return finish(-6, "", t);
  }
  if (!parser_->done.empty()) {
    HttpMessage m = std::move(parser_->done.front());
    host_->tcp_close(c, t);
    finish(m.status, m.body, t);
  }
}

void Phone::tcp_closed(ConnId c, TcpError why, Time t) {
  if (c != conn_ || !busy_) return;
  if (why == TcpError::None) {
    parser_->eof();
    if (!parser_->done.empty()) return finish(parser_->done.front().status, parser_->done.front().body, t);
  }
  int code = why == TcpError::Refused                                    ? -1
             : why == TcpError::Timeout || why == TcpError::RetryTimeout ? -2
             : why == TcpError::NoLink                                   ? -4
             : why == TcpError::None                                     ? -6
                                                                         : -3;
  finish(code, "", t);
}

void Phone::finish(int status, const std::string& body, Time t) {
  busy_ = false;
  ++req_gen_;
  status_->set(status, t);
  body_->set_text(body, t);
  responses_->set(responses_->value() + 1, t);
}

}  // namespace lmsim::net
