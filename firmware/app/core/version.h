// The firmware's version, shown in the boot banner (PWR-05) and later in the UI/REST/cloud.
#pragma once

namespace lmc {
inline constexpr const char kFirmwareVersion[] = "0.1.0";
}  // namespace lmc
