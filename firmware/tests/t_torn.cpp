// Power-fail-safe record in the config flash area: at every boot the firmware classifies the
// record page as absent (erased), intact (committed, all checks pass) or torn (anything else:
// a power cut during the erase, the payload or the commit marker), then writes the next
// record: erase the page, program header and payload, program the commit marker last. The
// host cuts the supply at chosen points of the write and checks the next boot's verdict.
// The check costs the same time whatever it finds, so that a boot's write timeline does not
// depend on the previous record (the host predicts cut points from an earlier boot).
#include "board/mcu.h"
#include "drivers/flash.h"
#include "testlib.h"

LMSIM_TEST_RESULTS

// test_result: [0] verdict (0 absent, 1 intact, 2 torn), [1] generation found (intact),
// [2] digest of the page as found, [3] payload words programmed, [4] phase (1 erase,
// 2 payload, 3 marker, 4 committed), [5] generation being written.
namespace {
constexpr std::uint32_t kPage = mcu::kConfigBase;
constexpr std::uint32_t kMagic = 0x43464731u, kCommit = 0x00C0FFEEu;
constexpr unsigned kPayload = 512;                               // words: about 26 ms of programming
constexpr unsigned kCheck = 2 + kPayload, kMarker = kCheck + 1;  // word indices
constexpr std::uint32_t payload(std::uint32_t gen, std::uint32_t i) {
  std::uint32_t x = gen * 0x9E3779B9u ^ (i * 0x85EBCA6Bu + 0x3C6EF372u);
  return x ^ (x >> 15);
}
std::uint32_t word(unsigned i) {
  return reinterpret_cast<const volatile std::uint32_t*>(kPage)[i];
}
}  // namespace

int main() {
  drivers::Flash flash;
  // 1. Classify (same work for every outcome).
  std::uint32_t gen = word(1), digest = 2166136261u, check = 0, all_ones = 0xFFFFFFFFu;
  bool payload_ok = true;
  for (unsigned i = 0; i <= kMarker; ++i) {
    std::uint32_t w = word(i);
    digest = (digest ^ w) * 16777619u;
    all_ones &= w;
    if (i < kCheck) check = (check << 1 | check >> 31) ^ w;
    if (i >= 2 && i < kCheck && w != payload(gen, i - 2)) payload_ok = false;
  }
  bool intact = word(0) == kMagic && word(kMarker) == kCommit && word(kCheck) == check && payload_ok;
  std::uint32_t verdict = all_ones == 0xFFFFFFFFu ? 0 : intact ? 1 : 2;
  test_result[0] = verdict;
  test_result[1] = intact ? gen : 0;
  test_result[2] = digest;
  // 2. Write the next record, commit marker last.
  std::uint32_t next = intact ? gen + 1 : 1;
  test_result[5] = next;
  test_result[4] = 1;
  flash.erase_page(kPage);
  test_result[4] = 2;
  std::uint32_t sum = 0;
  auto put = [&](unsigned i, std::uint32_t w) {
    flash.program_word(kPage + 4 * i, w);
    sum = (sum << 1 | sum >> 31) ^ w;
  };
  put(0, kMagic);
  put(1, next);
  for (unsigned i = 0; i < kPayload; ++i) {
    put(2 + i, payload(next, i));
    test_result[3] = i + 1;
  }
  flash.program_word(kPage + 4 * kCheck, sum);
  test_result[4] = 3;
  flash.program_word(kPage + 4 * kMarker, kCommit);
  test_result[4] = 4;
  test_done = kTestDone;
  for (;;) mcu::wfi();
}
