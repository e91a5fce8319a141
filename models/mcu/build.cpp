// Builds the device from the scenario's `device:` section (absent: no device, plant-only
// scenarios need no firmware) and provides it as service "device".
#include "models/mcu/device.h"
#include "models/mcu/provisioning.h"
#include "models/models.h"

namespace lmsim::mcu {

void build(Site& site, const YNode& root) {
  const YNode* d = root.get("device");
  if (!d || d->is_null()) return;
  if (!d->is_map()) d->fail("expected a map (firmware, serial, clock, ...)");
  auto& dev = site.make<Device>("device", site, *d);
  site.provide<Device>("device", &dev);
  if (const YNode* c = d->get("config")) {
    // A base file may ask for `stations: from_scenario`; the scenario run is what lacks the
    // list, so the error names that file (with the base's line for context).
    const YNode* from = c->is_map() ? c->get("stations") : nullptr;
    if (from && !root.get("stations"))
      root.fail("has no top-level stations: list, which device.config.stations: from_scenario (" + from->where() +
                ") needs");
    write_provisioning(dev, *c, root.get("stations"));
  }
  // `lmsim run --gdb PORT`: the core waits at reset for gdb-multiarch on 127.0.0.1:PORT.
  site.add_rpc("gdb", [&dev](const nlohmann::json& a) -> nlohmann::json {
    int port = a.value("port", 0);
    if (port < 0 || port > 65535) throw SignalError("--gdb: port must be 0..65535");
    return {{"port", dev.enable_gdb(static_cast<std::uint16_t>(port))}};
  });
}

}  // namespace lmsim::mcu
