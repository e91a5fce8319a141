#include "app/store/config_store.h"

#include <cstring>

#include "app/settings/line.h"

namespace lmc::store {
namespace {

using settings::Def;
using settings::Field;
using settings::Id;
using settings::Line;
using settings::Reporter;
using settings::Settings;

// Record header: magic, format, sequence, payload length, payload CRC, header CRC.
constexpr std::uint32_t kMagic = 0x46434D4Cu;  // "LMCF"
constexpr std::uint32_t kFormat = 1;
constexpr std::uint32_t kHeaderWords = 6, kHeaderBytes = kHeaderWords * 4;
constexpr std::uint16_t kStationKeyBase = 0x1000, kEnd = 0xFFFF;
constexpr std::size_t kMaxRecord = 8192;  // bytes incl. header (two 4 KiB pages)

std::uint8_t g_buf[kMaxRecord];  // one record in RAM (the firmware has one store)

void report(Reporter* rep, const Line& l) {
  if (rep) rep->report(l.c_str());
}

// Minimal little-endian two's complement bytes of v (1..4).
std::size_t int_bytes(std::int32_t v) {
  if (v >= -128 && v <= 127) return 1;
  if (v >= -32768 && v <= 32767) return 2;
  if (v >= -8388608 && v <= 8388607) return 3;
  return 4;
}

struct Writer {
  std::uint8_t* p;
  std::size_t cap, n = 0;
  bool ok = true;
  void entry(std::uint16_t key, const void* data, std::size_t len) {
    if (n + 3 + len > cap) {
      ok = false;
      return;
    }
    p[n++] = static_cast<std::uint8_t>(key);
    p[n++] = static_cast<std::uint8_t>(key >> 8);
    p[n++] = static_cast<std::uint8_t>(len);
    std::memcpy(p + n, data, len);
    n += len;
  }
  void number(std::uint16_t key, std::int32_t v) {
    std::uint8_t b[4];
    std::uint32_t u = static_cast<std::uint32_t>(v);
    for (int i = 0; i < 4; ++i) b[i] = static_cast<std::uint8_t>(u >> (8 * i));
    entry(key, b, int_bytes(v));
  }
};

std::int32_t read_number(const std::uint8_t* b, std::size_t len) {
  std::uint32_t u = 0;
  for (std::size_t i = 0; i < len; ++i) u |= static_cast<std::uint32_t>(b[i]) << (8 * i);
  if (len < 4 && (b[len - 1] & 0x80u)) u |= ~0u << (8 * len);  // sign-extend
  return static_cast<std::int32_t>(u);
}

bool is_default(const Def& d, std::int32_t v) {
  return (d.flags & settings::kHasDefault) && v == d.def;
}

void reject(Reporter* rep, const char* key, int station, settings::Result r) {
  Line l;
  l.s("config reject key=");
  if (station >= 0) l.s("station.").u(static_cast<std::uint32_t>(station + 1)).s(".");
  l.s(key).s(" reason=").s(settings::reason(r));
  report(rep, l);
}

void put32(std::uint8_t* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}
std::uint32_t get32(const std::uint8_t* p) {
  return p[0] | p[1] << 8 | p[2] << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}

}  // namespace

bool ConfigStore::encode(const Settings& s, std::uint8_t* buf, std::size_t cap, std::size_t* n) {
  Writer w{buf, cap};
  for (std::size_t i = 0; i < settings::kGlobalCount; ++i) {
    Id id = static_cast<Id>(i);
    const Def& d = settings::def(id);
    if (!(d.flags & settings::kPersisted) || !s.is_set(id)) continue;
    if (d.type == settings::Type::Text) {
      const char* t = s.text(id);
      if (*t) w.entry(d.key, t, std::strlen(t));
    } else if (!is_default(d, s.get(id))) {
      w.number(d.key, s.get(id));
    }
  }
  for (int st = 0; st < settings::kMaxStations; ++st) {
    for (std::size_t f = 0; f < settings::kFieldCount; ++f) {
      Field field = static_cast<Field>(f);
      const Def& d = settings::def(field);
      auto key = static_cast<std::uint16_t>(kStationKeyBase + st * 64 + d.key);
      if (d.type == settings::Type::Text) {
        const char* t = s.station_name(st);
        if (*t) w.entry(key, t, std::strlen(t));
      } else if (s.station_is_set(st, field) && !is_default(d, s.station(st, field))) {
        w.number(key, s.station(st, field));
      }
    }
  }
  *n = w.ok ? w.n : 0;
  return w.ok;
}

void ConfigStore::decode(const std::uint8_t* buf, std::size_t n, Settings& s, Reporter* rep) {
  std::size_t p = 0;
  while (p < n) {
    if (n - p < 3) {
      report(rep, Line().s("config record-truncated at=").u(static_cast<std::uint32_t>(p)));
      return;
    }
    std::uint16_t key = static_cast<std::uint16_t>(buf[p] | buf[p + 1] << 8);
    if (key == kEnd) return;  // padding
    std::size_t len = buf[p + 2];
    p += 3;
    if (len > n - p) {
      report(rep, Line().s("config record-truncated at=").u(static_cast<std::uint32_t>(p)));
      return;
    }
    const std::uint8_t* v = buf + p;
    p += len;
    if (key >= kStationKeyBase) {
      unsigned rel = key - kStationKeyBase;
      int st = static_cast<int>(rel / 64);
      unsigned fkey = rel % 64;
      const Def* d = nullptr;
      Field field = Field::Count;
      for (std::size_t f = 0; f < settings::kFieldCount; ++f)
        if (settings::def(static_cast<Field>(f)).key == fkey) d = &settings::def(field = static_cast<Field>(f));
      if (!d || st >= settings::kMaxStations) {
        report(rep, Line().s("config skip key=").u(key).s(" reason=unknown_key"));
        continue;
      }
      settings::Result r;
      if (d->type == settings::Type::Text)
        r = s.set_station_name(st, reinterpret_cast<const char*>(v), len, settings::kSystem);
      else if (len < 1 || len > 4)
        r = settings::Result::BadValue;
      else
        r = s.set_station(st, field, read_number(v, len), settings::kSystem);
      if (r != settings::Result::Ok) reject(rep, d->name, st, r);
      continue;
    }
    const Def* d = nullptr;
    Id id = Id::Count;
    for (std::size_t i = 0; i < settings::kGlobalCount; ++i)
      if (settings::def(static_cast<Id>(i)).key == key) d = &settings::def(id = static_cast<Id>(i));
    if (!d) {
      report(rep, Line().s("config skip key=").u(key).s(" reason=unknown_key"));
      continue;
    }
    settings::Result r;
    if (d->type == settings::Type::Text)
      r = s.set_text(id, reinterpret_cast<const char*>(v), len, settings::kSystem);
    else if (len < 1 || len > 4)
      r = settings::Result::BadValue;
    else
      r = s.set(id, read_number(v, len), settings::kSystem);
    if (r != settings::Result::Ok) reject(rep, d->name, -1, r);
  }
}

bool ConfigStore::read_slot(int slot, std::uint32_t* seq, std::uint32_t* len, Reporter* rep, bool rpt) {
  const std::uint32_t base = layout_.slot_first_page[slot] * flash_.page_size();
  const std::uint32_t cap_bytes = layout_.slot_pages * flash_.page_size();
  const std::size_t cap = cap_bytes < kMaxRecord ? cap_bytes : kMaxRecord;
  std::uint8_t h[kHeaderBytes];
  auto bad = [&](const char* why) {
    if (rpt) report(rep, Line().s("config slot-invalid slot=").s(slot ? "B" : "A").s(" reason=").s(why));
    return false;
  };
  if (!flash_.read(base, h, sizeof h)) return bad("read_error");
  bool erased = true;
  for (auto b : h) erased = erased && b == 0xFF;
  if (erased) return false;  // never written, or cut before its header: not an error
  if (get32(h) != kMagic) return bad("bad_magic");
  if (crc32(h, 20) != get32(h + 20)) return bad("bad_header_crc");
  if (get32(h + 4) != kFormat) return bad("foreign_format");
  std::uint32_t n = get32(h + 12);
  if (n > cap - kHeaderBytes) return bad("bad_length");
  if (!flash_.read(base + kHeaderBytes, g_buf, n)) return bad("read_error");
  if (crc32(g_buf, n) != get32(h + 16)) return bad("bad_crc");
  *seq = get32(h + 8);
  *len = n;
  return true;
}

ConfigStore::Load ConfigStore::load(Settings& s, Reporter* rep) {
  s.reset();
  seq_ = 0;
  active_ = -1;
  std::uint32_t seq[2] = {0, 0}, len[2] = {0, 0};
  bool ok[2];
  bool anything = false;
  for (int i = 0; i < 2; ++i) {
    ok[i] = read_slot(i, &seq[i], &len[i], rep, true);
    std::uint8_t first[4] = {0xFF, 0xFF, 0xFF, 0xFF};
    flash_.read(layout_.slot_first_page[i] * flash_.page_size(), first, 4);
    anything = anything || ok[i] || get32(first) != 0xFFFFFFFFu;
  }
  int pick = -1;
  if (ok[0] && ok[1])
    pick = static_cast<std::int32_t>(seq[1] - seq[0]) > 0 ? 1 : 0;  // serial-number order (wraps)
  else if (ok[0] || ok[1])
    pick = ok[0] ? 0 : 1;
  if (pick < 0) {
    if (anything) report(rep, Line().s("config defaults reason=no-valid-record"));
    return anything ? Load::Corrupt : Load::Empty;
  }
  // g_buf holds the last slot read: re-read the chosen one.
  std::uint32_t sq, n;
  if (!read_slot(pick, &sq, &n, rep, false)) {
    report(rep, Line().s("config defaults reason=no-valid-record"));
    return Load::Corrupt;
  }
  decode(g_buf, n, s, rep);
  seq_ = sq;
  active_ = pick;
  report(rep, Line().s("config loaded slot=").s(pick ? "B" : "A").s(" seq=").u(sq).s(" bytes=").u(n));
  return Load::Loaded;
}

ConfigStore::Save ConfigStore::save(const Settings& s, Reporter* rep) {
  const std::uint32_t ps = flash_.page_size();
  const std::uint32_t cap_bytes = layout_.slot_pages * ps;
  const std::size_t cap = (cap_bytes < kMaxRecord ? cap_bytes : kMaxRecord) - kHeaderBytes;
  std::size_t n = 0;
  if (!encode(s, g_buf + kHeaderBytes, cap, &n)) {
    report(rep, Line().s("config save-refused reason=too_large"));
    return Save::TooLarge;
  }
  std::size_t padded = (n + 3) & ~std::size_t{3};
  for (std::size_t i = n; i < padded; ++i) g_buf[kHeaderBytes + i] = 0xFF;
  const int target = active_ == 0 ? 1 : 0;
  const std::uint32_t next = seq_ + 1;
  std::uint8_t* h = g_buf;
  put32(h, kMagic);
  put32(h + 4, kFormat);
  put32(h + 8, next);
  put32(h + 12, static_cast<std::uint32_t>(n));
  put32(h + 16, crc32(g_buf + kHeaderBytes, n));
  put32(h + 20, crc32(h, 20));
  const std::uint32_t base = layout_.slot_first_page[target] * ps;
  for (std::uint32_t p = 0; p < layout_.slot_pages; ++p)
    if (!flash_.erase_page(layout_.slot_first_page[target] + p)) {
      report(rep, Line().s("config save-failed reason=erase slot=").s(target ? "B" : "A"));
      return Save::FlashError;
    }
  // Payload first, header last: the header's CRCs make the record valid only once complete.
  if ((padded && !flash_.program(base + kHeaderBytes, g_buf + kHeaderBytes, padded)) ||
      !flash_.program(base, h, kHeaderBytes)) {
    report(rep, Line().s("config save-failed reason=program slot=").s(target ? "B" : "A"));
    return Save::FlashError;
  }
  std::uint32_t sq = 0, len = 0;
  if (!read_slot(target, &sq, &len, rep, true) || sq != next) {
    report(rep, Line().s("config save-failed reason=verify slot=").s(target ? "B" : "A"));
    return Save::VerifyFailed;
  }
  seq_ = next;
  active_ = target;
  ++saves_;
  return Save::Ok;
}

}  // namespace lmc::store
