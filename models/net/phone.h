// An installer's phone: joins the device's hotspot (or a site access point) and makes HTTP
// GET requests, driven through knobs so scenarios (timeline `set:`) and Python script it:
//   net.phone.password  (knob) password for the next join
//   net.phone.join      (knob) SSID to join; empty = leave
//   net.phone.get       (knob) URL to fetch, e.g. http://192.168.4.1:4000/
// Results: net.phone.link (down/joining/up/failed), .reason (Wi-Fi code), .ip, .status (HTTP
// status, or negative: -1 refused, -2 timeout, -3 reset, -4 no link, -5 bad URL, -6 bad
// response), .body, .responses (count of completed requests).
#pragma once
#include <memory>
#include <string>

#include "models/net/device_link.h"
#include "models/net/http.h"

namespace lmsim::net {

class Phone : public TcpPeer {
 public:
  static constexpr Time kRequestTimeout = 10 * kSec;
  Phone(Lan& lan, Wifi& wifi, DeviceLink& device, Router& router);
  void configure(const YNode& n);
  Host& host() { return *host_; }
  void join(const std::string& ssid, const std::string& password, Time t);
  void leave(Time t);
  void get(const std::string& url, Time t);

  void tcp_connected(ConnId, Time t) override;
  void tcp_data(ConnId, std::string_view bytes, Time t) override;
  void tcp_closed(ConnId, TcpError why, Time t) override;

 private:
  void finish(int status, const std::string& body, Time t);
  Lan& lan_;
  Wifi& wifi_;
  DeviceLink& device_;
  Router& router_;
  Host* host_;
  unsigned gen_ = 0;
  bool on_hotspot_ = false;
  AccessPoint* site_ap_ = nullptr;
  // the request in progress
  ConnId conn_ = 0;
  bool busy_ = false;
  unsigned req_gen_ = 0;
  std::string request_;
  std::unique_ptr<HttpParser> parser_;
  Signal *join_, *password_, *get_, *link_, *reason_, *ip_, *status_, *body_, *responses_;
};

}  // namespace lmsim::net
