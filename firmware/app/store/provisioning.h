// The provisioning page (page 0 of the config area): how a factory or installer flashing
// tool (and the simulator's `device.config:`) configures a device. Text, ASCII:
//   lmc-provision 1
//   lm.fuse=40 A
//   station.1.driver=abb_terra_ac
//   station.1.ip=192.168.1.60
//   crc=1A2B3C4D
// then 0xFF (erased) or NUL to the end of the page. The crc line holds the CRC-32 (layout.h)
// of every byte before it, in 8 hex digits. Keys and units are the schema's (schema.h); lines
// apply in order (lm.fuse before stations, CFG-01). At boot the firmware imports a page whose
// CRC differs from the one it last imported, validating every line; a rejected line is
// reported as "config reject line=N key=K reason=R" and the others still apply.
#pragma once
#include <cstddef>
#include <cstdint>

#include "app/ports.h"
#include "app/settings/settings.h"
#include "app/store/layout.h"

namespace lmc::store {

constexpr const char* kProvisionHeader = "lmc-provision 1";

enum class Provision : std::uint8_t {
  None,      // erased page: nothing to do
  Same,      // valid, already imported (same CRC)
  Imported,  // valid and new: applied to s (the caller saves the config store)
  Invalid,   // no header, no crc line or CRC mismatch: ignored, reported
};

// Reads the provisioning page of `flash` and imports it into s when new. *accepted / *rejected
// count the lines.
Provision import_provisioning(Flash& flash, settings::Settings& s, settings::Reporter* rep,
                              const Layout& layout = kLayout, int* accepted = nullptr, int* rejected = nullptr);
// The same on a page image already read (len bytes).
Provision import_provisioning_text(const char* page, std::size_t len, settings::Settings& s, settings::Reporter* rep,
                                   int* accepted = nullptr, int* rejected = nullptr);

}  // namespace lmc::store
