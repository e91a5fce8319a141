// The fuzz harnesses, one per parser: shared by the libFuzzer targets (fuzz_*.cpp, built with
// clang and sanitizers) and by the GoogleTest that replays the seed corpus and every crash
// found (tests/firmware/http/fuzz_corpus_test.cpp). Besides "no crash, no sanitizer report",
// each checks invariants that must hold for any input; a violation aborts (a finding).
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "app/http/basic_auth.h"
#include "app/http/json.h"
#include "app/http/json_writer.h"
#include "app/http/request_parser.h"
#include "app/http/response_parser.h"
#include "app/http/router.h"
#include "app/modbus/client.h"
#include "app/modbus/server.h"

namespace lmc::fuzz {

#define LMC_FUZZ_CHECK(cond)   \
  do {                         \
    if (!(cond)) std::abort(); \
  } while (0)

// Splits input into reads whose sizes come from the input itself, so the fuzzer explores
// partial frames and several frames per read.
struct Reads {
  const std::uint8_t* data;
  std::size_t size;
  std::size_t at = 0;
  std::size_t step_seed;
  Reads(const std::uint8_t* d, std::size_t n) : data(d), size(n), step_seed(n ? d[0] : 0) {}
  bool next(const std::uint8_t*& p, std::size_t& n) {
    if (at >= size) return false;
    const std::size_t step = 1 + (step_seed * 31 + at) % 97;
    p = data + at;
    n = step < size - at ? step : size - at;
    at += n;
    return true;
  }
};

// A register map whose answers depend on the address (and fail for some).
class FuzzMap final : public modbus::RegisterMap {
 public:
  bool accepts_unit(std::uint8_t unit) override { return unit != 0xF7; }
  modbus::Exception read_bits(const modbus::Access& a, std::uint8_t* packed) override {
    if (a.address % 13 == 12) return modbus::Exception::kIllegalDataAddress;
    for (std::size_t i = 0; i < modbus::packed_bits_size(a.count); ++i) packed[i] = static_cast<std::uint8_t>(0xFF);
    return modbus::Exception::kNone;
  }
  modbus::Exception read_registers(const modbus::Access& a, std::uint16_t* regs) override {
    if (a.address % 11 == 10) return modbus::Exception::kServerDeviceFailure;
    for (std::size_t i = 0; i < a.count; ++i) regs[i] = static_cast<std::uint16_t>(a.address + i);
    return modbus::Exception::kNone;
  }
  modbus::Exception write_bits(const modbus::Access& a, const std::uint8_t* packed) override {
    std::uint8_t sum = 0;
    for (std::size_t i = 0; i < modbus::packed_bits_size(a.count); ++i)
      sum = static_cast<std::uint8_t>(sum + packed[i]);
    return sum == 0x42 ? modbus::Exception::kIllegalDataValue : modbus::Exception::kNone;
  }
  modbus::Exception write_registers(const modbus::Access& a, const std::uint16_t* regs) override {
    return a.count > 0 && regs[a.count - 1] == 0xDEAD ? modbus::Exception::kIllegalDataValue : modbus::Exception::kNone;
  }
};

inline int modbus_server(const std::uint8_t* data, std::size_t size) {
  FuzzMap map;
  modbus::ServerSession s(map);
  Reads reads(data, size);
  const std::uint8_t* p = nullptr;
  std::size_t n = 0;
  while (reads.next(p, n)) {
    while (n > 0) {
      const auto r = s.feed(p, n);
      if (r == modbus::ServerSession::Result::kClose) return 0;
      if (r != modbus::ServerSession::Result::kReply) continue;
      const std::uint8_t* rep = s.reply();
      const std::size_t len = s.reply_size();
      LMC_FUZZ_CHECK(len >= 9 && len <= modbus::kMaxAduSize);
      LMC_FUZZ_CHECK(modbus::get_be16(rep + 2) == 0);
      LMC_FUZZ_CHECK(modbus::get_be16(rep + 4) == len - 6);
      // A normal reply of a read carries exactly its byte count.
      if ((rep[7] & 0x80) == 0 && (rep[7] <= 4 || rep[7] == 0x17)) LMC_FUZZ_CHECK(rep[8] + 9U == len);
      if (rep[7] & 0x80) LMC_FUZZ_CHECK(len == 9 && rep[8] >= 1 && rep[8] <= 4);
    }
  }
  return 0;
}

inline int modbus_client(const std::uint8_t* data, std::size_t size) {
  modbus::Client c;
  // The first bytes choose up to four requests; the rest is the server's answer.
  std::uint8_t out[modbus::kMaxAduSize];
  std::size_t used = 0;
  static const std::uint16_t kValues[125] = {1, 2, 3};
  static const std::uint8_t kBits[250] = {0xFF};
  for (int i = 0; i < 4 && used + 4 <= size; ++i, used += 4) {
    const std::uint8_t* q = data + used;
    modbus::Request r;
    const std::uint8_t fcs[] = {1, 2, 3, 4, 5, 6, 15, 16, 23};
    r.unit = q[0];
    r.function = fcs[q[1] % 9];
    r.address = static_cast<std::uint16_t>(q[2] * 7);
    r.count = static_cast<std::uint16_t>(1 + q[3] % 125);
    r.registers = kValues;
    r.bits = kBits;
    r.write_address = r.address;
    r.write_count = static_cast<std::uint16_t>(1 + q[3] % 121);
    const std::size_t len = c.encode(r, out, sizeof out);
    LMC_FUZZ_CHECK(len == 0 || (len >= 12 && len <= modbus::kMaxAduSize));
  }
  Reads reads(data + used, size - used);
  const std::uint8_t* p = nullptr;
  std::size_t n = 0;
  modbus::Response resp;
  while (reads.next(p, n)) {
    while (n > 0) {
      const auto r = c.feed(p, n, resp);
      if (r == modbus::Client::Result::kError) return 0;
      if (r != modbus::Client::Result::kResponse) continue;
      LMC_FUZZ_CHECK(resp.data_size <= sizeof resp.data);
      if (resp.ok() && (resp.function == 3 || resp.function == 4 || resp.function == 23))
        LMC_FUZZ_CHECK(resp.data_size == 2U * resp.count);
    }
  }
  LMC_FUZZ_CHECK(c.pending() <= modbus::Client::kMaxPending);
  return 0;
}

inline void handler(void*, const http::Request&, const http::PathParams& p, http::ResponseWriter& out) {
  out.status(200).body(p.get("id"));
}

inline int http_request(const std::uint8_t* data, std::size_t size) {
  static char storage[2048];
  http::Limits limits;
  limits.max_head = 1024;
  limits.max_target = 256;
  limits.max_body = 1024;
  limits.max_headers = 16;
  http::RequestParser parser(storage, sizeof storage, limits);
  static const http::Route routes[] = {{http::Method::kGet, "/v1/stations/:id", handler, nullptr},
                                       {http::Method::kPost, "/v1/settings", handler, nullptr},
                                       {http::Method::kGet, "/assets/*", handler, nullptr}};
  const http::Router router(routes, 3);
  Reads reads(data, size);
  const std::uint8_t* p = nullptr;
  std::size_t n = 0;
  while (reads.next(p, n)) {
    const char* c = reinterpret_cast<const char*>(p);
    while (n > 0) {
      const http::ParseState st = parser.feed(c, n);
      if (st == http::ParseState::kError) {
        const int code = parser.error_status();
        LMC_FUZZ_CHECK(code == 400 || code == 413 || code == 414 || code == 431 || code == 501 || code == 505);
        return 0;
      }
      if (st != http::ParseState::kComplete) continue;
      const http::Request& q = parser.request();
      LMC_FUZZ_CHECK(q.body.size() <= limits.max_body);
      LMC_FUZZ_CHECK(q.target.size() <= limits.max_target);
      LMC_FUZZ_CHECK(q.method != http::Method::kUnknown);
      LMC_FUZZ_CHECK(q.headers.count <= limits.max_headers);
      LMC_FUZZ_CHECK(q.body.empty() ||
                     (q.body.data() >= storage && q.body.data() + q.body.size() <= storage + sizeof storage));
      char auth[96];
      std::string_view user;
      std::string_view pass;
      if (http::parse_basic_auth(q.headers.get("Authorization"), auth, sizeof auth, user, pass))
        LMC_FUZZ_CHECK(user.size() + pass.size() < sizeof auth);
      char out[512];
      http::ResponseWriter w(out, sizeof out);
      router.dispatch(q, w);
      LMC_FUZZ_CHECK(w.size() <= sizeof out);
      parser.next();
    }
  }
  return 0;
}

inline int http_response(const std::uint8_t* data, std::size_t size) {
  static char storage[2048];
  http::Limits limits;
  limits.max_head = 1024;
  limits.max_body = 1024;
  http::ResponseParser parser(storage, sizeof storage, limits);
  if (size > 0 && data[0] % 5 == 0) parser.expect(http::Method::kHead);
  Reads reads(data, size);
  const std::uint8_t* p = nullptr;
  std::size_t n = 0;
  while (reads.next(p, n)) {
    const char* c = reinterpret_cast<const char*>(p);
    while (n > 0) {
      const http::ParseState st = parser.feed(c, n);
      if (st == http::ParseState::kError) return 0;
      if (st != http::ParseState::kComplete) continue;
      LMC_FUZZ_CHECK(parser.response().status >= 100 && parser.response().status <= 999);
      LMC_FUZZ_CHECK(parser.response().body.size() <= limits.max_body);
      parser.next();
    }
  }
  if (parser.finish() == http::ParseState::kComplete) LMC_FUZZ_CHECK(parser.response().body.size() <= limits.max_body);
  return 0;
}

// Re-serializes a parsed value (the writer must produce JSON that parses again).
inline void rewrite(const json::Value& v, json::Writer& w) {
  char buf[300];
  double d = 0;
  std::int64_t i = 0;
  switch (v.type()) {
    case json::Type::kNull: w.null(); break;
    case json::Type::kTrue: w.boolean(true); break;
    case json::Type::kFalse: w.boolean(false); break;
    case json::Type::kNumber:
      if (v.get_int(i)) {
        w.integer(i);
      } else if (v.get_number(d)) {
        w.number(d, 6);
      } else {
        w.null();
      }
      break;
    case json::Type::kString: {
      std::size_t n = 0;
      LMC_FUZZ_CHECK(v.get_string(buf, sizeof buf, &n));  // max_string 256 fits
      w.string(std::string_view(buf, n));
      break;
    }
    case json::Type::kArray:
      w.begin_array();
      for (std::size_t k = 0; k < v.size(); ++k) rewrite(v[k], w);
      w.end_array();
      break;
    case json::Type::kObject:
      w.begin_object();
      for (std::size_t k = 0; k < v.size(); ++k) {
        std::size_t n = 0;
        LMC_FUZZ_CHECK(v.key_at(k).get_string(buf, sizeof buf, &n));
        w.key(std::string_view(buf, n));
        rewrite(v.value_at(k), w);
      }
      w.end_object();
      break;
  }
}

inline int json_parse(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  json::Limits limits;
  limits.max_depth = 12;  // under Writer::kMaxDepth, so every parsed document can be rewritten
  limits.max_string = 256;
  json::StaticDocument<512> doc(limits);
  if (doc.parse(text) != json::Error::kNone) {
    LMC_FUZZ_CHECK(!doc.root().valid());
    LMC_FUZZ_CHECK(doc.error_offset() <= size);
    return 0;
  }
  static char out[65536];
  json::Writer w(out, sizeof out);
  rewrite(doc.root(), w);
  LMC_FUZZ_CHECK(w.ok());
  json::StaticDocument<512> again(limits);
  LMC_FUZZ_CHECK(again.parse(w.text()) == json::Error::kNone);
  LMC_FUZZ_CHECK(again.token_count() == doc.token_count());
  return 0;
}

}  // namespace lmc::fuzz
