#include "models/net/lan_client.h"

#include <systemc>

#include "sim/registry.h"

namespace lmsim::net {

namespace {
std::string to_hex(std::string_view b) {
  static const char* d = "0123456789abcdef";
  std::string s;
  s.reserve(2 * b.size());
  for (unsigned char c : b) {
    s += d[c >> 4];
    s += d[c & 15];
  }
  return s;
}
std::string from_hex(const std::string& h) {
  auto v = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (h.size() % 2) throw SignalError("lan: data must be hex digits in pairs");
  std::string out;
  for (std::size_t i = 0; i < h.size(); i += 2) {
    int a = v(h[i]), b = v(h[i + 1]);
    if (a < 0 || b < 0) throw SignalError("lan: data must be hex digits");
    out += static_cast<char>(a << 4 | b);
  }
  return out;
}
const char* error_name(TcpError e) {
  switch (e) {
    case TcpError::None: return "";
    case TcpError::Refused: return "refused";
    case TcpError::Timeout: return "timeout";
    case TcpError::Reset: return "reset";
    default: return "error";
  }
}
Time now() {
  return sc_core::sc_time_stamp().value();
}
}  // namespace

LanClient::LanClient(Lan& lan, DeviceLink& device, Router& router) : lan_(lan), device_(device), router_(router) {
  host_ = &lan.add_host("lan-client", Segment::Lan);
}

LanClient::Conn& LanClient::get(const nlohmann::json& a) {
  if (!a.contains("id") || !a["id"].is_number_integer()) throw SignalError("lan: needs id");
  auto it = conns_.find(a["id"].get<int>());
  if (it == conns_.end()) throw SignalError("lan: no connection " + a["id"].dump());
  return it->second;
}

nlohmann::json LanClient::call(const nlohmann::json& a) {
  if (!a.contains("op") || !a["op"].is_string()) throw SignalError("lan: needs op");
  const std::string op = a["op"];
  if (op == "connect") {
    if (!host_->ip()) host_->set_address(router_.lease("lan-client", true), router_.mask(), router_.ip(), router_.ip());
    if (!a.contains("port") || !a["port"].is_number_integer()) throw SignalError("lan: connect needs port");
    const int port = a["port"];
    if (port < 1 || port > 65535) throw SignalError("lan: port must be 1..65535");
    Ip ip = device_.lan_host().ip();
    if (a.contains("ip")) {
      if (!a["ip"].is_string()) throw SignalError("lan: ip is a dotted address");
      ip = parse_ip(a["ip"].get<std::string>());
    }
    const int id = next_++;
    Conn& c = conns_[id];
    c.id = host_->tcp_connect({ip, static_cast<std::uint16_t>(port)}, this, now(), 10 * kSec);
    by_conn_[c.id] = id;
    return {{"id", id}};
  }
  Conn& c = get(a);
  if (op == "send") {
    if (!a.contains("data") || !a["data"].is_string()) throw SignalError("lan: send needs data (hex)");
    const std::string bytes = from_hex(a["data"].get<std::string>());
    std::size_t k = c.closed ? 0 : host_->tcp_send(c.id, bytes, now());
    return {{"accepted", k}};
  }
  if (op == "recv") {
    nlohmann::json r = {{"data", to_hex(c.rx)},
                        {"state", c.closed ? "closed"
                                  : c.open ? "open"
                                           : "connecting"},
                        {"error", c.error}};
    c.rx.clear();
    return r;
  }
  if (op == "close" || op == "abort") {
    if (!c.closed) {
      if (op == "close")
        host_->tcp_close(c.id, now());
      else
        host_->tcp_abort(c.id, now());
    }
    if (op == "abort") c.closed = true;
    return {{"ok", true}};
  }
  throw SignalError("lan: unknown op '" + op + "'");
}

void LanClient::tcp_connected(ConnId c, Time) {
  auto it = by_conn_.find(c);
  if (it != by_conn_.end()) conns_[it->second].open = true;
}

void LanClient::tcp_data(ConnId c, std::string_view bytes, Time) {
  auto it = by_conn_.find(c);
  if (it != by_conn_.end()) conns_[it->second].rx.append(bytes);
}

void LanClient::tcp_closed(ConnId c, TcpError why, Time) {
  auto it = by_conn_.find(c);
  if (it == by_conn_.end()) return;
  Conn& k = conns_[it->second];
  k.closed = true;
  k.open = false;
  k.error = error_name(why);
}

}  // namespace lmsim::net
