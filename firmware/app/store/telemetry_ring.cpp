#include "app/store/telemetry_ring.h"

#include <cstring>

#include "app/settings/line.h"
#include "app/store/layout.h"

namespace lmc::store {
namespace {

// Page header: magic, counter, ~counter. Record slot: seq, len | ~len << 16, CRC-32 of
// (seq, len word, payload), payload padded to 4, then the forwarded word (0xFFFFFFFF: not yet;
// anything else: forwarded; marking it only clears bits, so no erase is needed).
constexpr std::uint32_t kMagic = 0x52544D4Cu;  // "LMTR"
constexpr std::uint32_t kRecHeader = 12;

std::uint32_t get32(const std::uint8_t* p) {
  return p[0] | p[1] << 8 | p[2] << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}
void put32(std::uint8_t* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}
bool newer(std::uint32_t a, std::uint32_t b) {
  return static_cast<std::int32_t>(a - b) > 0;
}

}  // namespace

TelemetryRing::TelemetryRing(Flash& flash, std::uint32_t first_page, std::uint32_t pages, std::size_t payload)
    : flash_(flash), first_(first_page), pages_(pages) {
  payload_ = static_cast<std::uint32_t>(payload > kMaxPayload ? kMaxPayload : payload);
  slot_bytes_ = kRecHeader + ((payload_ + 3) & ~3u) + 4;
}

bool TelemetryRing::read_page_header(std::uint32_t p, std::uint32_t* counter) {
  std::uint8_t h[kPageHeader];
  if (!flash_.read(page_off(p), h, sizeof h)) return false;
  if (get32(h) != kMagic || get32(h + 8) != ~get32(h + 4)) return false;
  *counter = get32(h + 4);
  return true;
}

int TelemetryRing::read_record(Pos p, std::uint32_t* seq, bool* forwarded, std::uint32_t* len) {
  std::uint8_t buf[kRecHeader + kMaxPayload + 4];
  if (!flash_.read(slot_off(p), buf, slot_bytes_)) return 2;
  bool erased = true;
  for (std::uint32_t i = 0; i < slot_bytes_; ++i) erased = erased && buf[i] == 0xFF;
  if (erased) return 0;
  std::uint32_t lw = get32(buf + 4), n = lw & 0xFFFFu;
  if ((lw >> 16) != (~n & 0xFFFFu) || n > payload_) return 2;
  std::uint32_t crc = crc32(buf, 8);
  crc = crc32(buf + kRecHeader, n, crc);
  if (crc != get32(buf + 8)) return 2;
  *seq = get32(buf);
  *len = n;
  *forwarded = get32(buf + slot_bytes_ - 4) != 0xFFFFFFFFu;
  return 1;
}

TelemetryRing::Status TelemetryRing::mount(settings::Reporter* rep) {
  page_size_ = flash_.page_size();
  mounted_ = false;
  if (pages_ < 2 || page_size_ <= kPageHeader + slot_bytes_) return Status::NotMounted;
  slots_per_page_ = (page_size_ - kPageHeader) / slot_bytes_;
  // The newest page (highest counter) holds the write head.
  bool any = false;
  std::uint32_t newest = 0, best = 0;
  std::uint32_t torn_pages = 0;
  for (std::uint32_t p = 0; p < pages_; ++p) {
    std::uint32_t c;
    if (!read_page_header(p, &c)) {
      std::uint8_t w[4];
      if (flash_.read(page_off(p), w, 4) && get32(w) != 0xFFFFFFFFu) ++torn_pages;
      continue;
    }
    if (!any || newer(c, best)) newest = p, best = c;
    any = true;
  }
  pending_ = dropped_ = 0;
  next_seq_ = 1;
  if (!any) {
    head_ = {0, 0};
    head_open_ = false;
    page_counter_ = 0;
    oldest_ = head_;
    mounted_ = true;
    if (torn_pages && rep) rep->report(settings::Line().s("telemetry ring-reset torn_pages=").u(torn_pages).c_str());
    return Status::Ok;
  }
  page_counter_ = best;
  head_open_ = true;
  head_ = {newest, slots_per_page_};
  // Head: after the last non-empty slot of the newest page.
  for (std::uint32_t s = slots_per_page_; s-- > 0;) {
    std::uint32_t seq, len;
    bool fwd;
    if (read_record({newest, s}, &seq, &fwd, &len) != 0) {
      head_.slot = s + 1;
      break;
    }
    if (s == 0) head_.slot = 0;
  }
  // Walk the ring oldest page first: pending records, the oldest one, the highest sequence.
  bool seen = false, have_oldest = false;
  std::uint32_t max_seq = 0, torn = 0;
  for (std::uint32_t k = 1; k <= pages_; ++k) {
    std::uint32_t p = (newest + k) % pages_, c;
    if (!read_page_header(p, &c)) continue;
    for (std::uint32_t s = 0; s < slots_per_page_; ++s) {
      if (p == newest && s >= head_.slot) break;
      std::uint32_t seq, len;
      bool fwd;
      int r = read_record({p, s}, &seq, &fwd, &len);
      if (r == 2) ++torn;
      if (r != 1) continue;
      if (!seen || newer(seq, max_seq)) max_seq = seq;
      seen = true;
      if (!fwd) {
        ++pending_;
        if (!have_oldest) oldest_ = {p, s}, have_oldest = true;
      }
    }
  }
  next_seq_ = seen ? max_seq + 1 : 1;
  if (!have_oldest) oldest_ = head_;
  mounted_ = true;
  if ((torn || torn_pages) && rep)
    rep->report(
        settings::Line().s("telemetry ring-skipped torn_records=").u(torn).s(" torn_pages=").u(torn_pages).c_str());
  return Status::Ok;
}

std::uint32_t TelemetryRing::count_pending_from(Pos p) {
  std::uint32_t n = 0, c;
  if (!read_page_header(p.page, &c)) return 0;
  for (std::uint32_t s = p.slot; s < slots_per_page_; ++s) {
    std::uint32_t seq, len;
    bool fwd;
    if (read_record({p.page, s}, &seq, &fwd, &len) == 1 && !fwd) ++n;
  }
  return n;
}

bool TelemetryRing::open_page(std::uint32_t p) {
  // Recycling the oldest page drops what it still holds (the uploader sees a sequence gap).
  std::uint32_t lost = count_pending_from({p, 0});
  if (lost) {
    dropped_ += lost;
    pending_ -= lost < pending_ ? lost : pending_;
    if (oldest_.page == p) {
      oldest_ = {p, slots_per_page_ - 1};  // advance_oldest() continues on the next page
      advance_oldest();
    }
  }
  ++erases_;
  if (!flash_.erase_page(first_ + p)) return false;
  std::uint8_t h[kPageHeader];
  const std::uint32_t c = page_counter_ + 1;
  put32(h, kMagic);
  put32(h + 4, c);
  put32(h + 8, ~c);
  if (!flash_.program(page_off(p), h, sizeof h)) return false;
  page_counter_ = c;
  return true;
}

TelemetryRing::Status TelemetryRing::append(const void* data, std::size_t n, std::uint32_t* seq) {
  if (!mounted_) return Status::NotMounted;
  if (n > payload_) return Status::TooLarge;
  if (!head_open_ || head_.slot >= slots_per_page_) {
    std::uint32_t p = head_open_ ? (head_.page + 1) % pages_ : head_.page;
    head_ = {p, 0};
    head_open_ = false;
    if (!open_page(p)) return Status::FlashError;
    head_open_ = true;
  }
  std::uint8_t buf[kRecHeader + kMaxPayload + 4];
  std::memset(buf, 0xFF, slot_bytes_);
  const std::uint32_t s = next_seq_;
  const auto len = static_cast<std::uint32_t>(n);
  put32(buf, s);
  put32(buf + 4, len | (~len & 0xFFFFu) << 16);
  std::memcpy(buf + kRecHeader, data, n);
  std::uint32_t crc = crc32(buf, 8);
  put32(buf + 8, crc32(buf + kRecHeader, n, crc));
  const Pos at = head_;
  ++head_.slot;  // a failed slot is not reused
  // Everything but the forwarded word (it stays erased until pop()).
  if (!flash_.program(slot_off(at), buf, slot_bytes_ - 4)) return Status::FlashError;
  if (++next_seq_ == 0) next_seq_ = 1;
  if (pending_++ == 0) oldest_ = at;
  if (seq) *seq = s;
  return Status::Ok;
}

TelemetryRing::Status TelemetryRing::oldest(void* dst, std::size_t cap, std::size_t* n, std::uint32_t* seq) {
  if (!mounted_) return Status::NotMounted;
  if (!pending_) return Status::Empty;
  std::uint8_t buf[kRecHeader + kMaxPayload + 4];
  if (!flash_.read(slot_off(oldest_), buf, slot_bytes_)) return Status::FlashError;
  std::uint32_t len = get32(buf + 4) & 0xFFFFu;
  if (len > payload_) return Status::FlashError;
  std::size_t k = len < cap ? len : cap;
  std::memcpy(dst, buf + kRecHeader, k);
  if (n) *n = len;
  if (seq) *seq = get32(buf);
  return Status::Ok;
}

TelemetryRing::Status TelemetryRing::pop() {
  if (!mounted_) return Status::NotMounted;
  if (!pending_) return Status::Empty;
  const std::uint8_t zero[4] = {0, 0, 0, 0};
  bool ok = flash_.program(slot_off(oldest_) + slot_bytes_ - 4, zero, 4);
  --pending_;
  advance_oldest();
  return ok ? Status::Ok : Status::FlashError;
}

void TelemetryRing::advance_oldest() {
  if (!pending_) {
    oldest_ = head_;
    return;
  }
  Pos p = oldest_;
  for (std::uint32_t guard = pages_ * slots_per_page_ + 1; guard--;) {
    if (++p.slot >= slots_per_page_) p = {(p.page + 1) % pages_, 0};
    if (p.page == head_.page && p.slot >= head_.slot) break;
    std::uint32_t c;
    if (p.slot == 0 && !read_page_header(p.page, &c)) {
      p.slot = slots_per_page_;  // skip an unusable page
      continue;
    }
    std::uint32_t seq, len;
    bool fwd;
    if (read_record(p, &seq, &fwd, &len) == 1 && !fwd) {
      oldest_ = p;
      return;
    }
  }
  pending_ = 0;  // nothing left (inconsistent count corrected)
  oldest_ = head_;
}

}  // namespace lmc::store
