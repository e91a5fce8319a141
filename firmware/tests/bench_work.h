// The CPU-bound workload of the mcu benchmarks: sorting, hashing, integer and float math on
// std::array. Compiled into the firmware (b_cpu) and natively into bench_mcu (vs_native).
#pragma once
#include <algorithm>
#include <array>
#include <cstdint>
#include <numeric>

namespace bench {

inline std::uint32_t work(std::uint32_t seed) {
  std::array<std::uint32_t, 128> a{};
  std::uint32_t x = seed * 2654435761u + 1;
  for (auto& v : a) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    v = x;
  }
  std::sort(a.begin(), a.end());
  std::uint32_t crc = 0xFFFFFFFFu;
  for (auto v : a)
    for (int i = 0; i < 4; ++i) {
      crc ^= (v >> (8 * i)) & 0xFF;
      for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
    }
  float f = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    f += static_cast<float>(a[i] & 0xFFFF) * 0.001f / static_cast<float>(i + 1);
  std::uint32_t fb = static_cast<std::uint32_t>(f);
  return crc ^ fb ^ std::accumulate(a.begin(), a.begin() + 16, 0u);
}

}  // namespace bench
