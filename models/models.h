// The model areas, each built from its part of the scenario. Called in this order by the
// site builder; each reads only its own top-level keys and calls finish() on what it read.
#pragma once
#include "sim/site.h"

namespace lmsim::plant {
// Reads `site:` (grid, loads, PV, wiring, sensors, fuse, RCD, device supply, ripple).
void build(Site& site, const YNode& root);
}
namespace lmsim::mcu {
// Reads `device:` (firmware, serial, clock, ...). Provides service "device".
void build(Site& site, const YNode& root);
}
namespace lmsim::evse {
// Reads `stations:` and `evs:`.
void build(Site& site, const YNode& root);
}
namespace lmsim::net {
// Reads `network:`.
void build(Site& site, const YNode& root);
}
