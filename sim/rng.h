// Deterministic randomness: one generator per model, seeded from the scenario seed and the
// model's name through a stable hash (never std::hash, which may differ between builds).
#pragma once
#include <cmath>
#include <cstdint>
#include <string_view>

namespace lmsim {

// FNV-1a 64-bit: stable across platforms, compilers and runs.
constexpr std::uint64_t stable_hash(std::string_view s, std::uint64_t h = 0xcbf29ce484222325ULL) {
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

// SplitMix64 to spread seeds, xoshiro256** to generate. Distributions are our own so that the
// bit patterns do not depend on the standard library's implementation.
class Rng {
 public:
  explicit Rng(std::uint64_t seed = 1) { reseed(seed); }
  Rng(std::uint64_t scenario_seed, std::string_view model) {
    reseed(stable_hash(model, scenario_seed ^ 0x9e3779b97f4a7c15ULL));
  }

  void reseed(std::uint64_t seed) {
    for (auto& w : s_) {
      seed += 0x9e3779b97f4a7c15ULL;
      std::uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      w = z ^ (z >> 31);
    }
  }
  std::uint64_t next() {
    const std::uint64_t r = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return r;
  }
  // Uniform in [0, 1).
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  // Uniform integer in [0, n).
  std::uint64_t below(std::uint64_t n) { return n ? next() % n : 0; }
  bool chance(double p) { return uniform() < p; }
  // Standard normal by Box-Muller (no cached second value: state stays plain).
  double normal(double mean = 0, double sd = 1) {
    double u1 = uniform();
    double u2 = uniform();
    if (u1 < 1e-300) u1 = 1e-300;
    return mean + sd * std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  double exponential(double mean) {
    double u = uniform();
    return -mean * std::log(1.0 - u);
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
};

}  // namespace lmsim
