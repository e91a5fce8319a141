// Who owns which of the network controller's sockets (docs/mcu-netc.md: 16 sockets). Fixed at
// build time: every task gets its own, so no task can starve another (a web UI flood never
// takes a station's connection). Servers listen WIZnet-style: one socket per concurrent client.
#pragma once

namespace lmc::sockets {

inline constexpr int kStations[] = {0, 1, 2, 3, 4, 5};  // station Modbus clients (site/pool)
inline constexpr int kStationCount = 6;
inline constexpr int kNtp = 6;                   // UDP, NTP client (net)
inline constexpr int kCloud = 7;                 // TCP, MQTT to the cloud (cloud)
inline constexpr int kZaptec = 8;                // TCP, Zaptec cloud API (stations)
inline constexpr int kModbusServer[] = {9, 10};  // TCP :5020 (api)
inline constexpr int kRest[] = {11, 12};         // TCP :7000 (api)
inline constexpr int kWebUi[] = {13, 14};        // TCP :4000 (api)
inline constexpr int kCascade = 15;              // TCP, master/slave link (cascade)
inline constexpr int kTotal = 16;

}  // namespace lmc::sockets
