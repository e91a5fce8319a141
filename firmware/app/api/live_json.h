// The live status as JSON, one writer for REST's /v1/live/data (RS-03) and the web UI's status
// page (UI-03): per-phase V, I, P, Q, S and totals, ripple mode and source, LM budget, the
// external-control state, stations and active warnings.
#pragma once
#include <cstdint>

#include "app/api/control.h"
#include "app/api/modbus_map.h"
#include "app/core/time.h"
#include "app/http/json_writer.h"
#include "app/ports.h"
#include "app/settings/settings.h"

namespace lmc::site {
class Site;
}

namespace lmc::api {

struct LiveView {
  const LiveSource& live;
  const Control& control;
  const Time& time;
  const site::Site* site;  // stations, ripple, budget (none in some host tests)
  const char* serial;
  const Link* link = nullptr;                    // link type, IP, RSSI (UI-03)
  const settings::Settings* settings = nullptr;  // the Wi-Fi SSID
};

void write_live(json::Writer& w, const LiveView& v, std::uint64_t now_ms);
// {ActivePowerActivation, CurrentLimit, FallbackCurrentLimit} (RS-04); unset limits are null.
void write_control(json::Writer& w, const Control& c);

}  // namespace lmc::api
