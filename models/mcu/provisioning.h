// Provisioning: how a scenario configures the device the way a factory or installer flashing
// tool would, without the simulator doing the device's job. `device.config:` (a map of setting
// -> value, names and units of the firmware's schema, firmware/app/settings/schema.h) becomes
// the provisioning page (text format: firmware/app/store/provisioning.h, docs/firmware.md),
// written into page 0 of the flash config area at time 0, before the CPU starts. The firmware
// validates every line at boot and imports the page into its config store.
// `stations: from_scenario` generates the lines an installer would type from the scenario's
// `stations:` list (driver from model, ip, port, unit id, rotation and phase count from phases).
#pragma once
#include <cstdint>
#include <string>

#include "sim/ynode.h"

namespace lmsim::mcu {

// The page text for `config` (the `device.config:` map); `stations` is the scenario's
// `stations:` list or nullptr. Unknown setting names, a bad `stations:` value, a station model
// without a controller driver or a page over `page_size` bytes are input errors on their line.
std::string provisioning_page(const YNode& config, const YNode* stations, std::uint32_t page_size = 4096);

class Device;
// Writes the page into the device's flash (call during elaboration, before the CPU runs).
void write_provisioning(Device& dev, const YNode& config, const YNode* stations);

// The controller driver (schema name) for a station model of models/evse/vendors, or "" if the
// controller has none.
std::string driver_for_model(const std::string& model);

}  // namespace lmsim::mcu
