#include "app/settings/settings.h"

#include <cstring>

namespace lmc::settings {
namespace {

bool may_write(const Def& d, std::uint8_t writer) {
  return (writer & kSystem) || (d.writers & writer);
}

bool in_range(const Def& d, std::int32_t v) {
  switch (d.type) {
    case Type::Ip: return true;
    case Type::Bool: return v == 0 || v == 1;
    default: return v >= d.min && v <= d.max;
  }
}

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool equal_nocase(const char* a, std::size_t an, const char* b, std::size_t bn) {
  if (an != bn) return false;
  for (std::size_t i = 0; i < an; ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

void trim(const char*& s, std::size_t& n) {
  while (n && (*s == ' ' || *s == '\t')) ++s, --n;
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r')) --n;
}

// Printable ASCII only: the text form is line based and values end up in log lines.
bool printable(const char* s, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    if (static_cast<unsigned char>(s[i]) < 0x20 || static_cast<unsigned char>(s[i]) > 0x7E) return false;
  return true;
}

std::size_t put(char* buf, std::size_t n, const char* s) {
  if (!n) return 0;
  std::size_t len = std::strlen(s);
  if (len >= n) len = n - 1;
  std::memcpy(buf, s, len);
  buf[len] = 0;
  return len;
}

std::size_t put_uint(char* buf, std::size_t n, std::uint32_t v) {
  char tmp[12];
  int i = 0;
  do {
    tmp[i++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v);
  char out[12];
  for (int j = 0; j < i; ++j) out[j] = tmp[i - 1 - j];
  out[i] = 0;
  return put(buf, n, out);
}

}  // namespace

const char* reason(Result r) {
  switch (r) {
    case Result::Ok: return "ok";
    case Result::UnknownKey: return "unknown_key";
    case Result::BadValue: return "bad_value";
    case Result::OutOfRange: return "out_of_range";
    case Result::TooLong: return "too_long";
    case Result::NotWritable: return "not_writable";
    case Result::NotOptional: return "not_optional";
    case Result::NoStation: return "no_such_station";
    case Result::FuseRequired: return "fuse_required";
    case Result::MinAboveMax: return "min_above_max";
    case Result::DuplicateAddress: return "duplicate_address";
  }
  return "?";
}

void Settings::reset() {
  for (std::size_t i = 0; i < kGlobalCount; ++i) {
    const Def& d = def(static_cast<Id>(i));
    set_[i] = (d.flags & kHasDefault) != 0;
    value_[i] = set_[i] ? d.def : 0;
  }
  ssid_[0] = password_[0] = activation_[0] = 0;
  zaptec_user_[0] = zaptec_password_[0] = 0;
  for (auto& s : st_) {
    s.set_mask = 0;
    for (std::size_t f = 0; f < kFieldCount; ++f) {
      const Def& d = def(static_cast<Field>(f));
      bool has = (d.flags & kHasDefault) != 0;
      s.value[f] = has ? d.def : 0;
      if (has) s.set_mask |= 1u << f;
    }
    s.name[0] = 0;
  }
  changed();
}

char* Settings::text_slot(Id id) {
  switch (id) {
    case Id::WifiSsid: return ssid_;
    case Id::WifiPassword: return password_;
    case Id::CloudActivationCode: return activation_;
    case Id::ZaptecUser: return zaptec_user_;
    case Id::ZaptecPassword: return zaptec_password_;
    default: return nullptr;
  }
}
const char* Settings::text_slot(Id id) const {
  return const_cast<Settings*>(this)->text_slot(id);
}

const char* Settings::text(Id id) const {
  const char* t = text_slot(id);
  return t ? t : "";
}

Result Settings::set(Id id, std::int32_t v, std::uint8_t writer) {
  if (id >= Id::Count) return Result::UnknownKey;
  const Def& d = def(id);
  if (!may_write(d, writer)) return Result::NotWritable;
  if (d.type == Type::Text) return Result::BadValue;
  if (!in_range(d, v)) return Result::OutOfRange;
  if (set_[idx(id)] && value_[idx(id)] == v) return Result::Ok;
  value_[idx(id)] = v;
  set_[idx(id)] = true;
  changed();
  return Result::Ok;
}

Result Settings::set_text(Id id, const char* s, std::size_t n, std::uint8_t writer) {
  if (id >= Id::Count) return Result::UnknownKey;
  const Def& d = def(id);
  if (!may_write(d, writer)) return Result::NotWritable;
  char* slot = text_slot(id);
  if (d.type != Type::Text || !slot) return Result::BadValue;
  if (n > static_cast<std::size_t>(d.max)) return Result::TooLong;
  if (!printable(s, n)) return Result::BadValue;
  if (std::strlen(slot) == n && std::memcmp(slot, s, n) == 0) return Result::Ok;
  std::memcpy(slot, s, n);
  slot[n] = 0;
  set_[idx(id)] = true;
  changed();
  return Result::Ok;
}

Result Settings::clear(Id id, std::uint8_t writer) {
  if (id >= Id::Count) return Result::UnknownKey;
  const Def& d = def(id);
  if (!may_write(d, writer)) return Result::NotWritable;
  if (!(d.flags & kOptional)) return Result::NotOptional;
  if (!set_[idx(id)]) return Result::Ok;
  set_[idx(id)] = false;
  value_[idx(id)] = 0;
  changed();
  return Result::Ok;
}

bool Settings::station_used(int i) const {
  return i >= 0 && i < kMaxStations && st_[i].value[fidx(Field::Driver)] != 0;
}
bool Settings::station_is_set(int i, Field f) const {
  return i >= 0 && i < kMaxStations && f < Field::Count && (st_[i].set_mask >> fidx(f) & 1u);
}
std::int32_t Settings::station(int i, Field f) const {
  if (i < 0 || i >= kMaxStations || f >= Field::Count) return 0;
  return st_[i].value[fidx(f)];
}
const char* Settings::station_name(int i) const {
  return i >= 0 && i < kMaxStations ? st_[i].name : "";
}

Result Settings::check_station(int i, Field f, std::int32_t v) const {
  const Station& s = st_[i];
  switch (f) {
    case Field::Driver:
      if (v != 0 && !fuse_configured()) return Result::FuseRequired;  // CFG-01
      break;
    case Field::Phases:
      if (v != 1 && v != 3) return Result::OutOfRange;
      break;
    case Field::MaxCurrent:
      if (v != 0 && v < 60) return Result::OutOfRange;  // 0 = disabled, else 6-32 A (CFG-06)
      if (v != 0 && v < s.value[fidx(Field::MinCurrent)]) return Result::MinAboveMax;
      break;
    case Field::MinCurrent: {
      std::int32_t mx = s.value[fidx(Field::MaxCurrent)];
      if (mx != 0 && v > mx) return Result::MinAboveMax;
      break;
    }
    default: break;
  }
  if (f == Field::Ip || f == Field::Port || f == Field::Driver) {
    // NET-04: no two stations at the same ip:port (a second Mennekes connector uses port+1).
    bool ip_set = f == Field::Ip || (s.set_mask >> fidx(Field::Ip) & 1u);
    if (!ip_set) return Result::Ok;
    std::int32_t ip = f == Field::Ip ? v : s.value[fidx(Field::Ip)];
    std::int32_t port = f == Field::Port ? v : s.value[fidx(Field::Port)];
    for (int j = 0; j < kMaxStations; ++j) {
      if (j == i || !station_used(j) || !(st_[j].set_mask >> fidx(Field::Ip) & 1u)) continue;
      if (st_[j].value[fidx(Field::Ip)] == ip && st_[j].value[fidx(Field::Port)] == port)
        return Result::DuplicateAddress;
    }
  }
  return Result::Ok;
}

Result Settings::set_station(int i, Field f, std::int32_t v, std::uint8_t writer) {
  if (i < 0 || i >= kMaxStations) return Result::NoStation;
  if (f >= Field::Count) return Result::UnknownKey;
  const Def& d = def(f);
  if (!may_write(d, writer)) return Result::NotWritable;
  if (d.type == Type::Text) return Result::BadValue;
  if (!in_range(d, v)) return Result::OutOfRange;
  // The store restores a record that was validated when it was written: fields apply one by
  // one there, so cross-field checks (which depend on order) are for live writers only.
  if (!(writer & kSystem)) {
    Result r = check_station(i, f, v);
    if (r != Result::Ok) return r;
  }
  Station& s = st_[i];
  std::uint32_t bit = 1u << fidx(f);
  if ((s.set_mask & bit) && s.value[fidx(f)] == v) return Result::Ok;
  s.value[fidx(f)] = v;
  s.set_mask |= bit;
  changed();
  return Result::Ok;
}

Result Settings::set_station_name(int i, const char* str, std::size_t n, std::uint8_t writer) {
  if (i < 0 || i >= kMaxStations) return Result::NoStation;
  const Def& d = def(Field::Name);
  if (!may_write(d, writer)) return Result::NotWritable;
  if (n > static_cast<std::size_t>(d.max)) return Result::TooLong;
  if (!printable(str, n)) return Result::BadValue;
  Station& s = st_[i];
  if (std::strlen(s.name) == n && std::memcmp(s.name, str, n) == 0) return Result::Ok;
  std::memcpy(s.name, str, n);
  s.name[n] = 0;
  changed();
  return Result::Ok;
}

Result Settings::clear_station(int i, Field f, std::uint8_t writer) {
  if (i < 0 || i >= kMaxStations) return Result::NoStation;
  if (f >= Field::Count) return Result::UnknownKey;
  const Def& d = def(f);
  if (!may_write(d, writer)) return Result::NotWritable;
  if (!(d.flags & kOptional)) return Result::NotOptional;
  Station& s = st_[i];
  std::uint32_t bit = 1u << fidx(f);
  if (!(s.set_mask & bit)) return Result::Ok;
  s.set_mask &= ~bit;
  s.value[fidx(f)] = 0;
  changed();
  return Result::Ok;
}

Result Settings::remove_station(int i, std::uint8_t writer) {
  if (i < 0 || i >= kMaxStations) return Result::NoStation;
  if (!may_write(def(Field::Driver), writer)) return Result::NotWritable;
  Station& s = st_[i];
  s.set_mask = 0;
  for (std::size_t f = 0; f < kFieldCount; ++f) {
    const Def& d = def(static_cast<Field>(f));
    bool has = (d.flags & kHasDefault) != 0;
    s.value[f] = has ? d.def : 0;
    if (has) s.set_mask |= 1u << f;
  }
  s.name[0] = 0;
  changed();
  return Result::Ok;
}

std::int32_t Settings::margin_da() const {
  if (!fuse_configured()) return 0;
  if (is_set(Id::LmMargin)) return get(Id::LmMargin);
  std::int32_t five_percent = (get(Id::LmFuse) * 10 * 5 + 99) / 100;  // rounded up: the safe side
  return five_percent < 10 ? 10 : five_percent;
}

std::int32_t Settings::phase_limit_da(int phase) const {
  if (!fuse_configured() || phase < 0 || phase > 2) return 0;
  Id id = static_cast<Id>(static_cast<int>(Id::LmLimitL1) + phase);
  if (is_set(id)) return get(id);
  std::int32_t v = get(Id::LmFuse) * 10 - margin_da();
  return v < 0 ? 0 : v;
}

std::int32_t Settings::station_unit_id(int i) const {
  if (station_is_set(i, Field::UnitId)) return station(i, Field::UnitId);
  return default_unit_id(static_cast<Driver>(station(i, Field::Driver)));
}

Result Settings::set_from_text(const char* key, std::size_t klen, const char* value, std::size_t vlen,
                               std::uint8_t writer) {
  trim(key, klen);
  trim(value, vlen);
  constexpr char kSt[] = "station.";
  constexpr std::size_t kStLen = sizeof kSt - 1;
  if (klen > kStLen && std::memcmp(key, kSt, kStLen) == 0) {
    std::size_t p = kStLen;
    int n = 0, digits = 0;
    while (p < klen && key[p] >= '0' && key[p] <= '9' && digits < 3) n = n * 10 + (key[p++] - '0'), ++digits;
    if (!digits || p >= klen || key[p] != '.') return Result::UnknownKey;
    ++p;
    Field f;
    const Def* d = find_field(key + p, klen - p, &f);
    if (!d) return Result::UnknownKey;
    if (n < 1 || n > kMaxStations) return Result::NoStation;
    if (d->type == Type::Text) return set_station_name(n - 1, value, vlen, writer);
    if (vlen == 0 && (d->flags & kOptional)) return clear_station(n - 1, f, writer);
    std::int32_t v;
    Result r = parse_value(*d, value, vlen, &v);
    if (r != Result::Ok) return r;
    return set_station(n - 1, f, v, writer);
  }
  Id id;
  const Def* d = find_global(key, klen, &id);
  if (!d) return Result::UnknownKey;
  if (d->type == Type::Text) return set_text(id, value, vlen, writer);
  if (vlen == 0 && (d->flags & kOptional)) return clear(id, writer);
  std::int32_t v;
  Result r = parse_value(*d, value, vlen, &v);
  if (r != Result::Ok) return r;
  return set(id, v, writer);
}

std::size_t Settings::format(Id id, char* buf, std::size_t n, bool reveal) const {
  if (n) buf[0] = 0;
  if (id >= Id::Count || !is_set(id)) return 0;
  const Def& d = def(id);
  if (d.type == Type::Text) return put(buf, n, (d.flags & kSecret) && !reveal && *text(id) ? "***" : text(id));
  return format_value(d, get(id), buf, n);
}

std::size_t Settings::format_station(int i, Field f, char* buf, std::size_t n) const {
  if (n) buf[0] = 0;
  if (i < 0 || i >= kMaxStations || f >= Field::Count) return 0;
  if (f == Field::Name) return put(buf, n, st_[i].name);
  if (!station_is_set(i, f)) return 0;
  return format_value(def(f), station(i, f), buf, n);
}

void Settings::erase_wifi() {
  if (!ssid_[0] && !password_[0]) return;
  ssid_[0] = password_[0] = 0;
  changed();
}

bool Settings::operator==(const Settings& o) const {
  for (std::size_t i = 0; i < kGlobalCount; ++i)
    if (set_[i] != o.set_[i] || value_[i] != o.value_[i]) return false;
  if (std::strcmp(ssid_, o.ssid_) || std::strcmp(password_, o.password_) || std::strcmp(activation_, o.activation_))
    return false;
  if (std::strcmp(zaptec_user_, o.zaptec_user_) || std::strcmp(zaptec_password_, o.zaptec_password_)) return false;
  for (int i = 0; i < kMaxStations; ++i) {
    if (st_[i].set_mask != o.st_[i].set_mask || std::strcmp(st_[i].name, o.st_[i].name)) return false;
    for (std::size_t f = 0; f < kFieldCount; ++f)
      if (st_[i].value[f] != o.st_[i].value[f]) return false;
  }
  return true;
}

Result parse_value(const Def& d, const char* s, std::size_t n, std::int32_t* out) {
  trim(s, n);
  if (n == 0) return Result::BadValue;
  std::int32_t v = 0;
  switch (d.type) {
    case Type::Text: return Result::BadValue;
    case Type::Bool: {
      static const char* const kTrue[] = {"true", "on", "1", "yes"};
      static const char* const kFalse[] = {"false", "off", "0", "no"};
      bool found = false;
      for (const char* t : kTrue)
        if (equal_nocase(s, n, t, std::strlen(t))) v = 1, found = true;
      for (const char* t : kFalse)
        if (equal_nocase(s, n, t, std::strlen(t))) v = 0, found = true;
      if (!found) return Result::BadValue;
      break;
    }
    case Type::Enum: {
      const char* p = d.enum_names;
      std::int32_t i = 0;
      bool found = false;
      while (p && *p) {
        const char* e = std::strchr(p, '|');
        std::size_t len = e ? static_cast<std::size_t>(e - p) : std::strlen(p);
        if (equal_nocase(s, n, p, len)) {
          v = i, found = true;
          break;
        }
        ++i;
        p = e ? e + 1 : nullptr;
      }
      if (!found) return Result::BadValue;
      break;
    }
    case Type::Ip: {
      std::uint32_t ip = 0;
      std::size_t p = 0;
      for (int part = 0; part < 4; ++part) {
        if (part) {
          if (p >= n || s[p] != '.') return Result::BadValue;
          ++p;
        }
        std::uint32_t octet = 0;
        int digits = 0;
        while (p < n && s[p] >= '0' && s[p] <= '9' && digits < 4) octet = octet * 10 + (s[p++] - '0'), ++digits;
        if (!digits || digits > 3 || octet > 255) return Result::BadValue;
        ip = ip << 8 | octet;
      }
      if (p != n) return Result::BadValue;
      v = static_cast<std::int32_t>(ip);
      break;
    }
    case Type::Int: {
      std::size_t p = 0;
      bool neg = false;
      if (s[p] == '-' || s[p] == '+') neg = s[p++] == '-';
      std::int64_t x = 0;
      int digits = 0;
      while (p < n && s[p] >= '0' && s[p] <= '9') {
        x = x * 10 + (s[p++] - '0');
        if (x > 10000000000LL) return Result::OutOfRange;
        ++digits;
      }
      int frac = 0;
      if (p < n && s[p] == '.') {
        ++p;
        while (p < n && s[p] >= '0' && s[p] <= '9') {
          if (frac < d.decimals) {
            x = x * 10 + (s[p] - '0');
            ++frac;
          } else if (s[p] != '0') {
            return Result::BadValue;  // finer than the setting's resolution
          }
          ++p, ++digits;
        }
      }
      if (!digits) return Result::BadValue;
      for (; frac < d.decimals; ++frac) x *= 10;
      while (p < n && s[p] == ' ') ++p;
      if (p < n) {  // a unit suffix must be the schema's
        if (!*d.unit || !equal_nocase(s + p, n - p, d.unit, std::strlen(d.unit))) return Result::BadValue;
      }
      if (neg) x = -x;
      if (x < d.min || x > d.max) return Result::OutOfRange;
      v = static_cast<std::int32_t>(x);
      break;
    }
  }
  if (!in_range(d, v)) return Result::OutOfRange;
  *out = v;
  return Result::Ok;
}

std::size_t format_value(const Def& d, std::int32_t v, char* buf, std::size_t n) {
  if (n) buf[0] = 0;
  switch (d.type) {
    case Type::Text: return 0;
    case Type::Bool: return put(buf, n, v ? "true" : "false");
    case Type::Enum: return enum_name(d, v, buf, n);
    case Type::Ip: {
      char tmp[16];
      std::size_t len = 0;
      std::uint32_t ip = static_cast<std::uint32_t>(v);
      for (int part = 3; part >= 0; --part) {
        len += put_uint(tmp + len, sizeof tmp - len, ip >> (8 * part) & 0xFFu);
        if (part) tmp[len++] = '.';
      }
      tmp[len] = 0;
      return put(buf, n, tmp);
    }
    case Type::Int: {
      char tmp[24];
      std::size_t len = 0;
      std::int64_t x = v;
      if (x < 0) tmp[len++] = '-', x = -x;
      std::int64_t scale = 1;
      for (int i = 0; i < d.decimals; ++i) scale *= 10;
      len += put_uint(tmp + len, sizeof tmp - len, static_cast<std::uint32_t>(x / scale));
      if (d.decimals) {
        tmp[len++] = '.';
        std::int64_t fracv = x % scale;
        for (std::int64_t s = scale / 10; s; s /= 10) tmp[len++] = static_cast<char>('0' + fracv / s % 10);
      }
      tmp[len] = 0;
      return put(buf, n, tmp);
    }
  }
  return 0;
}

}  // namespace lmc::settings
