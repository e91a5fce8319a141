#include "app/api/live_json.h"

#include "app/core/version.h"
#include "app/site/site.h"

namespace lmc::api {

namespace {
const char* ripple_name(lm::RippleMode m) {
  switch (m) {
    case lm::RippleMode::Normal: return "normal";
    case lm::RippleMode::Reduced: return "reduced";
    case lm::RippleMode::Blocked: return "blocked";
  }
  return "unknown";
}
const char* source_name(lm::RippleSource s) {
  switch (s) {
    case lm::RippleSource::Di: return "di";
    case lm::RippleSource::Cloud: return "cloud";
    default: return "none";
  }
}
const char* status_name(lm::StationStatus s) {
  switch (s) {
    case lm::StationStatus::Disabled: return "disabled";
    case lm::StationStatus::Idle: return "idle";
    case lm::StationStatus::Charging: return "charging";
    case lm::StationStatus::Paused: return "paused";
    case lm::StationStatus::Offline: return "offline";
    case lm::StationStatus::SlowFixed: return "fixed";
  }
  return "unknown";
}
void phases(json::Writer& w, const char* key, const metering::Measurement& m, float metering::PhaseValues::*f) {
  w.key(key).begin_array();
  for (int p = 0; p < 3; ++p) w.number(m.ph[p].*f, 2);
  w.end_array();
}
void amps_or_null(json::Writer& w, const char* key, bool has, double a) {
  w.key(key);
  if (has)
    w.number(a, 1);
  else
    w.null();
}
}  // namespace

void write_control(json::Writer& w, const Control& c) {
  double cur = 0, fb = 0;
  const bool hc = c.current_limit(cur);
  const bool hf = c.fallback_limit(fb);
  w.begin_object().key("ActivePowerActivation").boolean(c.active());
  amps_or_null(w, "CurrentLimit", hc, cur);
  amps_or_null(w, "FallbackCurrentLimit", hf, fb);
  w.end_object();
}

void write_live(json::Writer& w, const LiveView& v, std::uint64_t now_ms) {
  const metering::Measurement& m = v.live.measurement();
  const Control& c = v.control;
  w.begin_object();
  w.key("time");
  if (v.time.utc_known())
    w.integer(v.time.utc_ms() / 1000);  // UTC, s since 1970
  else
    w.null();
  w.key("uptime_s").unsigned_integer(now_ms / 1000);
  w.key("serial").string(v.serial ? v.serial : "");
  w.key("version").string(kFirmwareVersion);
  phases(w, "voltage", m, &metering::PhaseValues::v);
  phases(w, "current", m, &metering::PhaseValues::i);
  phases(w, "active_power", m, &metering::PhaseValues::p);
  phases(w, "reactive_power", m, &metering::PhaseValues::q);
  phases(w, "apparent_power", m, &metering::PhaseValues::s);
  w.key("neutral_current").number(m.in_a, 2);
  w.key("active_power_total").number(m.p_total, 1);
  w.key("reactive_power_total").number(m.q_total, 1);
  w.key("apparent_power_total").number(m.s_total, 1);
  w.key("frequency").number(m.freq_hz, 2);
  if (v.site) {
    const lm::RippleOutput& r = v.site->ripple();
    w.key("ripple").begin_object().key("mode").string(ripple_name(r.mode)).key("source").string(source_name(r.source));
    w.end_object();
    w.key("budget").begin_array();
    for (int p = 0; p < 3; ++p) w.number(v.site->output().budget_ma[p] / 1000.0, 1);
    w.end_array();
  }
  double cur = 0, fb = 0;
  const bool hc = c.current_limit(cur);
  const bool hf = c.fallback_limit(fb);
  w.key("external").begin_object().key("active").boolean(c.active());
  amps_or_null(w, "CurrentLimit", hc, cur);
  amps_or_null(w, "FallbackCurrentLimit", hf, fb);
  w.key("in_fallback").boolean(c.state() == lm::ExtState::FallenBack);
  w.key("seconds_to_fallback").unsigned_integer(c.seconds_to_fallback(now_ms));
  w.end_object();
  w.key("stations").begin_array();
  if (v.site) {
    for (int i = 0; i < v.site->station_count(); ++i) {
      const stations::Driver& d = v.site->driver(i);
      w.begin_object().key("id").string(d.name());
      w.key("status").string(d.online() ? status_name(v.site->output().status[i]) : "offline");
      w.key("current").begin_array();
      for (int p = 0; p < 3; ++p) w.number(d.current_ma(p) / 1000.0, 1);
      w.end_array();
      // The limit the station was last given (its set-point register); the allocation before that.
      const std::int32_t a = d.written_a();
      w.key("limit").number(a >= 0 ? a : v.site->output().setpoint_ma[i] / 1000.0, 1);
      w.end_object();
    }
  }
  w.end_array();
  if (v.link) {  // UI-03: link type, IP, SSID, RSSI, cloud state
    const Link::Status st = v.link->status();
    char ip[16];
    std::size_t n = 0;
    for (int k = 3; k >= 0; --k) {
      unsigned b = (st.has_ip ? st.ip : 0u) >> (8 * k) & 0xFFu;
      if (b >= 100) ip[n++] = static_cast<char>('0' + b / 100);
      if (b >= 10) ip[n++] = static_cast<char>('0' + b / 10 % 10);
      ip[n++] = static_cast<char>('0' + b % 10);
      if (k) ip[n++] = '.';
    }
    w.key("network").begin_object();
    w.key("via").string(st.eth_ip ? "ethernet" : st.wifi_up ? "wifi" : st.ap ? "hotspot" : "none");
    w.key("ip").string(std::string_view(ip, n));
    w.key("ethernet").boolean(st.eth_carrier);
    w.key("ssid").string(v.settings ? v.settings->text(settings::Id::WifiSsid) : "");
    w.key("rssi");
    if (st.wifi_up)
      w.integer(st.rssi);
    else
      w.null();
    w.key("cloud").boolean(v.site && v.site->cloud_up());
    w.end_object();
  }
  // Active faults (UI-03), as stable tokens.
  w.key("warnings").begin_array();
  if (v.site) {
    if (!v.site->configured()) w.string("lm-unconfigured");
    if (v.site->meter().stale()) w.string("meter-lost");
    for (int i = 0; i < v.site->station_count(); ++i)
      if (!v.site->driver(i).online()) w.string("station-offline");
  }
  if (c.state() == lm::ExtState::FallenBack) w.string("external-fallback");
  w.end_array();
  w.end_object();
}

}  // namespace lmc::api
