#include "app/cloud/record.h"

#include "app/http/json_writer.h"

namespace lmc::cloud {
namespace {

void put(std::uint8_t*& p, std::uint32_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) *p++ = static_cast<std::uint8_t>(v >> (8 * i));
}
std::uint32_t get(const std::uint8_t*& p, int bytes) {
  std::uint32_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= static_cast<std::uint32_t>(*p++) << (8 * i);
  return v;
}

}  // namespace

const char* ripple_name(std::uint8_t mode) {
  switch (mode) {
    case 0: return "normal";
    case 1: return "reduced";
    case 2: return "blocked";
    default: return "unknown";
  }
}

// Layout: t 4 | flags ripple stations charging 4 | v 3x2 | i 3x4 | p 3x4 | q 3x2 | stations_ma 4 = 48.
void pack(const Record& r, std::uint8_t out[kRecordBytes]) {
  std::uint8_t* p = out;
  put(p, r.t_s, 4);
  put(p, r.flags, 1);
  put(p, r.ripple, 1);
  put(p, r.stations, 1);
  put(p, r.charging, 1);
  for (auto v : r.v_dv) put(p, v, 2);
  for (auto v : r.i_ma) put(p, static_cast<std::uint32_t>(v), 4);
  for (auto v : r.p_w) put(p, static_cast<std::uint32_t>(v), 4);
  for (auto v : r.q_10var) put(p, static_cast<std::uint16_t>(v), 2);
  put(p, static_cast<std::uint32_t>(r.stations_ma), 4);
}

bool unpack(const std::uint8_t* in, std::size_t n, Record* r) {
  if (n != kRecordBytes) return false;
  const std::uint8_t* p = in;
  r->t_s = get(p, 4);
  r->flags = static_cast<std::uint8_t>(get(p, 1));
  r->ripple = static_cast<std::uint8_t>(get(p, 1));
  r->stations = static_cast<std::uint8_t>(get(p, 1));
  r->charging = static_cast<std::uint8_t>(get(p, 1));
  for (auto& v : r->v_dv) v = static_cast<std::uint16_t>(get(p, 2));
  for (auto& v : r->i_ma) v = static_cast<std::int32_t>(get(p, 4));
  for (auto& v : r->p_w) v = static_cast<std::int32_t>(get(p, 4));
  for (auto& v : r->q_10var) v = static_cast<std::int16_t>(static_cast<std::uint16_t>(get(p, 2)));
  r->stations_ma = static_cast<std::int32_t>(get(p, 4));
  return true;
}

std::size_t to_json(const Record& r, std::uint32_t seq, std::uint32_t dropped, const char* device, char* out,
                    std::size_t cap) {
  json::Writer w(out, cap);
  w.begin_object();
  w.key("device").string(device);
  w.key("seq").unsigned_integer(seq);
  w.key("t").unsigned_integer(r.t_s);
  w.key("synced").boolean(r.flags & Record::kSynced);
  w.key("v").begin_array();
  for (auto v : r.v_dv) w.number(v / 10.0, 1);
  w.end_array();
  w.key("i").begin_array();
  for (auto v : r.i_ma) w.number(v / 1000.0, 3);
  w.end_array();
  std::int64_t p_total = 0;
  w.key("p").begin_array();
  for (auto v : r.p_w) {
    w.integer(v);
    p_total += v;
  }
  w.end_array();
  w.key("q").begin_array();
  for (auto v : r.q_10var) w.integer(v * 10);
  w.end_array();
  w.key("p_total").integer(p_total);
  w.key("ripple").string(ripple_name(r.ripple));
  w.key("stations").unsigned_integer(r.stations);
  w.key("charging").unsigned_integer(r.charging);
  w.key("stations_a").number(r.stations_ma / 1000.0, 3);
  w.key("dropped").unsigned_integer(dropped);
  w.end_object();
  return w.ok() ? w.size() : 0;
}

}  // namespace lmc::cloud
