// Arithmetic and single-precision FPU cases, compiled for the firmware and for the host test
// (which compares the firmware's results bit for bit). Inputs come through volatile
// variables so that the compiler cannot fold them; compiled with -ffp-contract=off on both
// sides (no fused multiply-add unless written).
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

namespace arith {

inline std::uint32_t bits(float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

// Calls out(index, value) for each case.
template <class Out>
void run(Out out) {
  volatile std::uint32_t n = 1000, a = 0x12345678u, b = 0x9ABCDEFu, d = 97;
  volatile std::int32_t sa = -1000000007;
  volatile float x = 1.1f, y = 3.3f, z = 2.0f, w = -3.7f;
  std::uint32_t s = 0;
  for (std::uint32_t i = 0; i < n; ++i) s += i * i;
  out(0, s);
  std::uint64_t p = std::uint64_t{a} * b;
  out(1, static_cast<std::uint32_t>(p));
  out(2, static_cast<std::uint32_t>(p >> 32));
  out(3, a / d);
  out(4, static_cast<std::uint32_t>(sa / static_cast<std::int32_t>(d)));
  out(5, static_cast<std::uint32_t>(sa % static_cast<std::int32_t>(d)));
  out(6, (a << 7) | (a >> 25));
  out(7, static_cast<std::uint32_t>(__builtin_popcount(a)));
  out(8, static_cast<std::uint32_t>(__builtin_clz(b)));
  out(9, bits(x * y));
  out(10, bits(x / y));
  out(11, bits(std::sqrt(static_cast<float>(z))));
  out(12, bits(x + y - z));
  out(13, static_cast<std::uint32_t>(static_cast<std::int32_t>(w)));
  out(14, bits(static_cast<float>(sa)));
  out(15, bits(std::fma(static_cast<float>(x), static_cast<float>(y), static_cast<float>(w))));
  // A small float kernel: iterated logistic map and a dot product.
  float r = 0.3f;
  for (int i = 0; i < 100; ++i) r = 3.7f * r * (1.0f - r);
  out(16, bits(r));
  float dot = 0;
  for (int i = 0; i < 16; ++i) dot += static_cast<float>(i) * 0.37f * (static_cast<float>(x) - static_cast<float>(i));
  out(17, bits(dot));
  out(18, bits(std::fabs(static_cast<float>(w))));
  out(19, bits(-static_cast<float>(x)));
  // 64-bit integer division (a runtime helper on the M4).
  volatile std::uint64_t big = 0x123456789ABCDEFull;
  out(20, static_cast<std::uint32_t>(big / 12345));
  out(21, static_cast<std::uint32_t>(big % 12345));
}
constexpr int kCases = 22;

}  // namespace arith
