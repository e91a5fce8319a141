// The flash config area (lmc::Flash: the last 64 KiB of the 1 MiB flash, 16 pages of 4 KiB),
// as the config store, the provisioning page and the telemetry ring share it:
//   page 0        provisioning page (text, written by a flashing tool / the simulator)
//   pages 1-2     config slot A (one record, up to 8 KiB)
//   pages 3-4     config slot B
//   pages 5-15    telemetry ring (11 pages)
#pragma once
#include <cstddef>
#include <cstdint>

namespace lmc::store {

struct Layout {
  std::uint32_t provision_page = 0;
  std::uint32_t slot_first_page[2] = {1, 3};
  std::uint32_t slot_pages = 2;
  std::uint32_t ring_first_page = 5;
  std::uint32_t ring_pages = 11;
};
inline constexpr Layout kLayout{};

// CRC-32 (IEEE 802.3, reflected 0xEDB88320, init and final xor 0xFFFFFFFF); crc32("123456789")
// = 0xCBF43926. Chain calls by passing the previous result as `crc`.
std::uint32_t crc32(const void* data, std::size_t n, std::uint32_t crc = 0);

}  // namespace lmc::store
