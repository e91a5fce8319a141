// The telemetry ring (CL-05 store and forward) on the tearing fake flash.
#include "app/store/telemetry_ring.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "app/store/layout.h"
#include "store/torn_flash.h"

using lmc::store::TelemetryRing;
using lmc::testing::TornFlash;
using Status = TelemetryRing::Status;

namespace {

constexpr std::uint32_t kFirst = lmc::store::kLayout.ring_first_page, kPages = lmc::store::kLayout.ring_pages;
constexpr std::size_t kPayload = 48;  // the 1-min record size docs/firmware.md plans with

std::vector<std::uint8_t> record(std::uint32_t i) {
  std::vector<std::uint8_t> r(kPayload);
  for (std::size_t k = 0; k < r.size(); ++k) r[k] = static_cast<std::uint8_t>(i * 31 + k * 7);
  std::memcpy(r.data(), &i, 4);
  return r;
}

std::uint32_t id_of(const std::vector<std::uint8_t>& r) {
  std::uint32_t i;
  std::memcpy(&i, r.data(), 4);
  return i;
}

// Reads and pops everything pending; returns the record ids in order and checks contents.
std::vector<std::uint32_t> drain(TelemetryRing& ring, std::vector<std::uint32_t>* seqs = nullptr) {
  std::vector<std::uint32_t> ids;
  std::vector<std::uint8_t> buf(kPayload);
  std::size_t n;
  std::uint32_t seq;
  while (ring.oldest(buf.data(), buf.size(), &n, &seq) == Status::Ok) {
    EXPECT_EQ(n, kPayload);
    EXPECT_EQ(buf, record(id_of(buf))) << "record contents intact";
    ids.push_back(id_of(buf));
    if (seqs) seqs->push_back(seq);
    EXPECT_EQ(ring.pop(), Status::Ok);
  }
  return ids;
}

}  // namespace

// Slot = 12-byte header + 48 payload + 4 forwarded word = 64 bytes; (4096 - 12) / 64 = 63 per
// page; 11 pages keep at least 10 * 63 = 630 records (one page is always being recycled).
TEST(TelemetryRing, CapacityOfTheConfigArea) {
  TornFlash flash;
  TelemetryRing ring(flash, kFirst, kPages, kPayload);
  ASSERT_EQ(ring.mount(), Status::Ok);
  EXPECT_EQ(ring.slots_per_page(), 63u);
  EXPECT_EQ(ring.capacity(), 630u);
}

TEST(TelemetryRing, AppendOldestPopInOrderWithSequenceNumbers) {
  TornFlash flash;
  TelemetryRing ring(flash, kFirst, kPages, kPayload);
  ASSERT_EQ(ring.mount(), Status::Ok);
  std::vector<std::uint8_t> buf(kPayload);
  std::size_t n;
  std::uint32_t seq;
  EXPECT_EQ(ring.oldest(buf.data(), buf.size(), &n, &seq), Status::Empty);
  EXPECT_EQ(ring.pop(), Status::Empty);
  for (std::uint32_t i = 0; i < 100; ++i) {
    std::uint32_t s;
    auto r = record(i);
    ASSERT_EQ(ring.append(r.data(), r.size(), &s), Status::Ok);
    EXPECT_EQ(s, i + 1);
  }
  EXPECT_EQ(ring.pending(), 100u);
  std::vector<std::uint8_t> big(TelemetryRing::kMaxPayload + 1);
  EXPECT_EQ(ring.append(big.data(), kPayload + 1), Status::TooLarge);
  std::vector<std::uint32_t> seqs;
  auto ids = drain(ring, &seqs);
  ASSERT_EQ(ids.size(), 100u);
  for (std::uint32_t i = 0; i < 100; ++i) {
    EXPECT_EQ(ids[i], i);
    EXPECT_EQ(seqs[i], i + 1);
  }
  EXPECT_EQ(ring.pending(), 0u);
}

TEST(TelemetryRing, RemountKeepsPendingRecordsAndSequence) {
  TornFlash flash;
  {
    TelemetryRing ring(flash, kFirst, kPages, kPayload);
    ASSERT_EQ(ring.mount(), Status::Ok);
    for (std::uint32_t i = 0; i < 150; ++i) ring.append(record(i).data(), kPayload);
    for (int i = 0; i < 70; ++i) ASSERT_EQ(ring.pop(), Status::Ok);  // forwarded
  }
  TelemetryRing ring(flash, kFirst, kPages, kPayload);
  ASSERT_EQ(ring.mount(), Status::Ok);
  EXPECT_EQ(ring.pending(), 80u);
  EXPECT_EQ(ring.next_seq(), 151u);
  std::uint32_t s;
  ring.append(record(150).data(), kPayload, &s);
  EXPECT_EQ(s, 151u);
  auto ids = drain(ring);
  ASSERT_EQ(ids.size(), 81u);
  EXPECT_EQ(ids.front(), 70u);
  EXPECT_EQ(ids.back(), 150u);
}

// Full ring: the oldest page is recycled, its unforwarded records counted as dropped (the
// uploader sends a gap marker), sequence numbers stay monotonic; pages wear evenly.
TEST(TelemetryRing, WrapDropsOldestAndLevelsWear) {
  TornFlash flash;
  TelemetryRing ring(flash, kFirst, kPages, kPayload);
  ASSERT_EQ(ring.mount(), Status::Ok);
  const std::uint32_t total = 10000;
  for (std::uint32_t i = 0; i < total; ++i) ASSERT_EQ(ring.append(record(i).data(), kPayload), Status::Ok);
  EXPECT_GE(ring.pending(), ring.capacity());
  EXPECT_EQ(ring.pending() + ring.dropped(), total);
  std::vector<std::uint32_t> seqs;
  auto ids = drain(ring, &seqs);
  ASSERT_FALSE(ids.empty());
  EXPECT_EQ(ids.back(), total - 1);
  for (std::size_t k = 1; k < ids.size(); ++k) {
    EXPECT_EQ(ids[k], ids[k - 1] + 1) << "no hole inside what is kept";
    EXPECT_EQ(seqs[k], seqs[k - 1] + 1);
  }
  auto e = flash.erase_counts_per_page();
  auto lo = *std::min_element(e.begin() + kFirst, e.begin() + kFirst + kPages);
  auto hi = *std::max_element(e.begin() + kFirst, e.begin() + kFirst + kPages);
  EXPECT_LE(hi - lo, 1u) << "every page erased once per round";
  EXPECT_GE(lo, total / (63 * kPages) - 1);
  for (std::uint32_t p = 0; p < kFirst; ++p) EXPECT_EQ(e[p], 0u) << "config pages untouched";
}

// Cuts at seeded random instants while appending (and while opening pages): after every
// reboot all records appended before are still there in order, at most the one being written
// is lost, and new records continue the sequence.
TEST(TelemetryRing, CutsLoseAtMostTheRecordBeingWritten) {
  TornFlash flash(64 * 1024, 4096, 9);
  std::mt19937_64 rng(11);
  std::vector<std::uint32_t> expected;  // ids that must be pending, in order
  std::uint32_t next_id = 0, last_seq = 0;
  for (int boot = 0; boot < 300; ++boot) {
    TelemetryRing ring(flash, kFirst, kPages, kPayload);
    ASSERT_EQ(ring.mount(), Status::Ok);
    // Forward a few (as the uploader would), then append until the cut.
    std::vector<std::uint8_t> buf(kPayload);
    std::size_t n;
    std::uint32_t seq;
    int forward = static_cast<int>(rng() % 3);
    for (int k = 0; k < forward && ring.oldest(buf.data(), buf.size(), &n, &seq) == Status::Ok; ++k) {
      ASSERT_FALSE(expected.empty());
      ASSERT_EQ(id_of(buf), expected.front()) << "boot " << boot;
      ASSERT_EQ(ring.pop(), Status::Ok);
      expected.erase(expected.begin());
    }
    ASSERT_EQ(ring.pending(), expected.size()) << "boot " << boot;
    // A record is 16 program words (800 us); a page opening is a 25 ms erase.
    flash.cut_after(rng() % 40000);
    while (true) {
      std::uint32_t id = next_id++;
      std::uint32_t s = 0;
      Status st = ring.append(record(id).data(), kPayload, &s);
      if (flash.off()) break;  // this record may or may not have made it
      ASSERT_EQ(st, Status::Ok);
      EXPECT_GT(s, last_seq);
      last_seq = s;
      expected.push_back(id);
    }
    flash.power_on();
    // What survived: the expected ids, possibly plus the one cut (if its words all landed).
    TelemetryRing check(flash, kFirst, kPages, kPayload);
    ASSERT_EQ(check.mount(), Status::Ok);
    ASSERT_TRUE(check.pending() == expected.size() || check.pending() == expected.size() + 1)
        << "boot " << boot << " pending " << check.pending() << " expected " << expected.size();
    if (check.pending() == expected.size() + 1) expected.push_back(next_id - 1);
    EXPECT_EQ(check.dropped(), 0u);
    if (expected.size() > 500) {  // keep within capacity: forward a batch
      for (int k = 0; k < 200; ++k) {
        ASSERT_EQ(check.oldest(buf.data(), buf.size(), &n, &seq), Status::Ok);
        ASSERT_EQ(id_of(buf), expected.front());
        check.pop();
        expected.erase(expected.begin());
      }
    }
    last_seq = check.next_seq() - 1;
  }
  TelemetryRing ring(flash, kFirst, kPages, kPayload);
  ASSERT_EQ(ring.mount(), Status::Ok);
  EXPECT_EQ(drain(ring), expected);
}

TEST(TelemetryRing, GarbageFlashMountsWithoutCrash) {
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    TornFlash flash;
    std::mt19937_64 rng(seed);
    for (auto& b : flash.raw()) b = static_cast<std::uint8_t>(rng());
    TelemetryRing ring(flash, kFirst, kPages, kPayload);
    struct Log final : lmc::settings::Reporter {
      int n = 0;
      void report(const char*) override { ++n; }
    } log;
    ASSERT_EQ(ring.mount(&log), Status::Ok);
    EXPECT_EQ(ring.pending(), 0u);
    EXPECT_GT(log.n, 0) << "garbage is reported";
    for (std::uint32_t i = 0; i < 200; ++i) ASSERT_EQ(ring.append(record(i).data(), kPayload), Status::Ok);
    auto ids = drain(ring);
    ASSERT_EQ(ids.size(), 200u);
    EXPECT_EQ(ids.front(), 0u);
  }
}

// CL-05 (behaviours.md, A15): the ring holds >= 72 h of 1-min records. The cloud link's ring is
// the 320 KiB region below the config area (board/mcu.h, lmsim.ld: 0xA0000..0xEFFFF = 80 pages)
// with 48-byte records (app/cloud/record.h). By hand: slot = 12 + 48 + 4 = 64 bytes,
// (4096 - 12) / 64 = 63 per page, 79 pages always usable = 4977 records; 72 h x 60 = 4320.
TEST(TelemetryRing, MainFlashRegionHolds72HoursWithoutLoss) {
  constexpr std::uint32_t kRegionPages = 80;
  TornFlash flash(kRegionPages * 4096);
  TelemetryRing ring(flash, 0, kRegionPages, kPayload);
  ASSERT_EQ(ring.mount(), Status::Ok);
  EXPECT_EQ(ring.capacity(), 4977u);
  for (std::uint32_t i = 0; i < 72 * 60; ++i) ASSERT_EQ(ring.append(record(i).data(), kPayload), Status::Ok);
  EXPECT_EQ(ring.dropped(), 0u);
  // A reboot in the middle of the outage: everything is still there, in order.
  TelemetryRing again(flash, 0, kRegionPages, kPayload);
  ASSERT_EQ(again.mount(), Status::Ok);
  EXPECT_EQ(again.pending(), 72u * 60u);
  std::vector<std::uint32_t> seqs;
  auto ids = drain(again, &seqs);
  ASSERT_EQ(ids.size(), 72u * 60u);
  for (std::uint32_t i = 0; i < ids.size(); ++i) {
    EXPECT_EQ(ids[i], i);
    EXPECT_EQ(seqs[i], i + 1);
  }
}
