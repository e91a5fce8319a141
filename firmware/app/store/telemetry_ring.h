// The telemetry ring in flash for store-and-forward (CL-05): append records, read the oldest
// not yet forwarded, mark it forwarded. Pages are used in turn (wear levelling: each page is
// erased once per trip round the ring); when the ring is full the oldest page is erased and
// its records dropped (counted, so the uploader can send a gap marker). A supply cut loses at
// most the record being written. Record format and capacity: docs/firmware.md.
#pragma once
#include <cstddef>
#include <cstdint>

#include "app/ports.h"
#include "app/settings/settings.h"

namespace lmc::store {

class TelemetryRing {
 public:
  static constexpr std::size_t kMaxPayload = 248;
  enum class Status : std::uint8_t { Ok, Empty, TooLarge, FlashError, NotMounted };

  // pages [first_page, first_page + pages) of flash; records of up to `payload` bytes each.
  TelemetryRing(Flash& flash, std::uint32_t first_page, std::uint32_t pages, std::size_t payload);

  // Scans the ring after boot (torn pages and records are skipped and reported).
  Status mount(settings::Reporter* rep = nullptr);
  // Appends a record (n <= payload); its sequence number is returned in *seq.
  Status append(const void* data, std::size_t n, std::uint32_t* seq = nullptr);
  // The oldest record not yet forwarded: copies up to cap bytes, sets *n and *seq.
  Status oldest(void* dst, std::size_t cap, std::size_t* n, std::uint32_t* seq);
  // Marks the oldest record forwarded (one word cleared in flash).
  Status pop();

  std::uint32_t pending() const { return pending_; }  // records not yet forwarded
  std::uint32_t dropped() const { return dropped_; }  // unforwarded records lost to wrap
  std::uint32_t next_seq() const { return next_seq_; }
  std::uint32_t capacity() const { return slots_per_page_ * (pages_ - 1); }  // records kept at least
  std::uint32_t slots_per_page() const { return slots_per_page_; }
  std::uint32_t erases() const { return erases_; }

 private:
  struct Pos {
    std::uint32_t page = 0, slot = 0;  // page index within the ring
  };
  std::uint32_t page_off(std::uint32_t p) const { return (first_ + p) * page_size_; }
  std::uint32_t slot_off(Pos p) const { return page_off(p.page) + kPageHeader + p.slot * slot_bytes_; }
  bool read_page_header(std::uint32_t p, std::uint32_t* counter);
  // 0 empty, 1 valid, 2 torn/garbage; fills seq/forwarded for valid ones.
  int read_record(Pos p, std::uint32_t* seq, bool* forwarded, std::uint32_t* len);
  bool open_page(std::uint32_t p);  // erase + header with the next counter
  void advance_oldest();
  std::uint32_t count_pending_from(Pos p);

  static constexpr std::uint32_t kPageHeader = 12;
  Flash& flash_;
  std::uint32_t first_, pages_, page_size_ = 0;
  std::uint32_t payload_, slot_bytes_, slots_per_page_ = 0;
  bool mounted_ = false;
  Pos head_{};                      // next slot to write
  bool head_open_ = false;          // head_.page has a valid header
  Pos oldest_{};                    // oldest unforwarded candidate
  std::uint32_t page_counter_ = 0;  // counter of the newest page
  std::uint32_t next_seq_ = 1;
  std::uint32_t pending_ = 0, dropped_ = 0, erases_ = 0;
};

}  // namespace lmc::store
