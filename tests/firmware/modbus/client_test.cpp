// Modbus TCP client: request encoding and response decoding against the examples of the
// Modbus Application Protocol Specification v1.1b3 §6, in the MBAP framing of the Modbus
// Messaging on TCP/IP Implementation Guide v1.0b §3.1.3.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "app/modbus/client.h"

namespace lmc::modbus {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes adu(std::uint16_t tid, std::uint8_t unit, const Bytes& pdu) {
  Bytes b = {static_cast<std::uint8_t>(tid >> 8),
             static_cast<std::uint8_t>(tid),
             0,
             0,
             static_cast<std::uint8_t>((pdu.size() + 1) >> 8),
             static_cast<std::uint8_t>(pdu.size() + 1),
             unit};
  // Element by element: GCC 12 at -O3 reports a false -Warray-bounds for insert() into a vector
  // made from an initializer list (a GCC 12 false positive, not a bug here).
  for (std::uint8_t x : pdu) b.push_back(x);
  return b;
}

Bytes encode(Client& c, const Request& r, std::uint16_t* tid = nullptr) {
  std::uint8_t out[kMaxAduSize];
  const std::size_t n = c.encode(r, out, sizeof out, tid);
  return Bytes(out, out + n);
}

Client::Result feed(Client& c, const Bytes& in, Response& out) {
  const std::uint8_t* p = in.data();
  std::size_t n = in.size();
  Client::Result r = Client::Result::kNeedMore;
  while (n > 0) {
    r = c.feed(p, n, out);
    if (r != Client::Result::kNeedMore) break;
  }
  if (r != Client::Result::kError) {
    EXPECT_EQ(n, 0U) << "bytes left after the frame";
  }
  return r;
}

TEST(ModbusClient, EncodesTheSpecRequests) {
  Client c;
  const auto check = [&](const Request& r, const Bytes& pdu) {
    c.reset();
    std::uint16_t tid = 0;
    const Bytes got = encode(c, r, &tid);
    EXPECT_EQ(got, adu(tid, r.unit, pdu));
  };
  check(Request::read_coils(0x11, 0x13, 0x13), {0x01, 0x00, 0x13, 0x00, 0x13});
  check(Request::read_discrete_inputs(1, 0xC4, 0x16), {0x02, 0x00, 0xC4, 0x00, 0x16});
  check(Request::read_holding(1, 0x6B, 3), {0x03, 0x00, 0x6B, 0x00, 0x03});
  check(Request::read_input(1, 0x08, 1), {0x04, 0x00, 0x08, 0x00, 0x01});
  check(Request::write_coil(1, 0xAC, true), {0x05, 0x00, 0xAC, 0xFF, 0x00});
  check(Request::write_coil(1, 0xAC, false), {0x05, 0x00, 0xAC, 0x00, 0x00});
  const std::uint16_t three = 3;
  check(Request::write_register(1, 0x01, &three), {0x06, 0x00, 0x01, 0x00, 0x03});
  const std::uint8_t bits[] = {0xCD, 0x01};
  check(Request::write_coils(1, 0x13, 10, bits), {0x0F, 0x00, 0x13, 0x00, 0x0A, 0x02, 0xCD, 0x01});
  const std::uint16_t regs[] = {0x000A, 0x0102};
  check(Request::write_registers(1, 0x01, 2, regs), {0x10, 0x00, 0x01, 0x00, 0x02, 0x04, 0x00, 0x0A, 0x01, 0x02});
  const std::uint16_t ff[] = {0x00FF, 0x00FF, 0x00FF};
  check(Request::read_write_registers(1, 0x03, 6, 0x0E, 3, ff),
        {0x17, 0x00, 0x03, 0x00, 0x06, 0x00, 0x0E, 0x00, 0x03, 0x06, 0x00, 0xFF, 0x00, 0xFF, 0x00, 0xFF});
  // Transaction ids differ between outstanding requests.
  std::uint16_t a = 0;
  std::uint16_t b = 0;
  encode(c, Request::read_holding(1, 0, 1), &a);
  encode(c, Request::read_holding(1, 0, 1), &b);
  EXPECT_NE(a, b);
}

TEST(ModbusClient, RefusesInvalidRequests) {
  Client c;
  EXPECT_TRUE(encode(c, Request::read_holding(1, 0, 0)).empty());
  EXPECT_TRUE(encode(c, Request::read_holding(1, 0, 126)).empty());
  EXPECT_TRUE(encode(c, Request::read_holding(1, 0xFFFF, 2)).empty());
  EXPECT_TRUE(encode(c, Request::read_coils(1, 0, 2001)).empty());
  EXPECT_TRUE(encode(c, Request::write_registers(1, 0, 124, nullptr)).empty());
  Request bad;
  bad.function = 0x2B;
  EXPECT_TRUE(encode(c, bad).empty());
  EXPECT_EQ(c.pending(), 0U);
  // A buffer too small for the frame.
  std::uint8_t small[11];
  EXPECT_EQ(c.encode(Request::read_holding(1, 0, 1), small, sizeof small), 0U);
  // At most kMaxPending outstanding requests.
  for (std::size_t i = 0; i < Client::kMaxPending; ++i) EXPECT_FALSE(encode(c, Request::read_holding(1, 0, 1)).empty());
  EXPECT_TRUE(encode(c, Request::read_holding(1, 0, 1)).empty());
}

TEST(ModbusClient, DecodesTheSpecResponses) {
  Client c;
  Response r;
  std::uint16_t tid = 0;
  encode(c, Request::read_coils(0x11, 0x13, 0x13), &tid);
  ASSERT_EQ(feed(c, adu(tid, 0x11, {0x01, 0x03, 0xCD, 0x6B, 0x05}), r), Client::Result::kResponse);
  EXPECT_TRUE(r.ok());
  // §6.1: coils 27..20 = CD (1100 1101), so coil 20 (bit 0) is on, coil 21 off, coil 27 on.
  EXPECT_TRUE(r.bit(0));
  EXPECT_FALSE(r.bit(1));
  EXPECT_TRUE(r.bit(7));
  EXPECT_TRUE(r.bit(18));  // coil 38: 05 -> bit 2

  encode(c, Request::read_holding(0x11, 0x6B, 3), &tid);
  ASSERT_EQ(feed(c, adu(tid, 0x11, {0x03, 0x06, 0x02, 0x2B, 0x00, 0x00, 0x00, 0x64}), r), Client::Result::kResponse);
  EXPECT_EQ(r.function, kReadHoldingRegisters);
  EXPECT_EQ(r.address, 0x6B);
  ASSERT_EQ(r.count, 3);
  std::uint16_t regs[3];
  r.registers(regs);
  EXPECT_EQ(regs[0], 555);  // §6.3: "register 108 ... 02 2B hex, or 555 decimal"
  EXPECT_EQ(regs[1], 0);
  EXPECT_EQ(regs[2], 100);

  const std::uint16_t value = 3;
  encode(c, Request::write_register(0x11, 0x01, &value), &tid);
  EXPECT_EQ(feed(c, adu(tid, 0x11, {0x06, 0x00, 0x01, 0x00, 0x03}), r), Client::Result::kResponse);
  EXPECT_TRUE(r.ok());

  const std::uint16_t ff[] = {0x00FF, 0x00FF, 0x00FF};
  encode(c, Request::read_write_registers(0x11, 0x03, 6, 0x0E, 3, ff), &tid);
  ASSERT_EQ(
      feed(c, adu(tid, 0x11, {0x17, 0x0C, 0x00, 0xFE, 0x0A, 0xCD, 0x00, 0x01, 0x00, 0x03, 0x00, 0x0D, 0x00, 0xFF}), r),
      Client::Result::kResponse);
  EXPECT_EQ(r.reg(1), 0x0ACD);
  EXPECT_EQ(c.pending(), 0U);
}

TEST(ModbusClient, SurfacesExceptionResponses) {  // §7 example: 81 02
  Client c;
  Response r;
  std::uint16_t tid = 0;
  encode(c, Request::read_coils(0x0A, 0x04A1, 1), &tid);
  ASSERT_EQ(feed(c, adu(tid, 0x0A, {0x81, 0x02}), r), Client::Result::kResponse);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.exception, Exception::kIllegalDataAddress);
  EXPECT_EQ(r.function, kReadCoils);
}

TEST(ModbusClient, MatchesTransactionIdsAndSkipsLateAnswers) {
  Client c;
  Response r;
  std::uint16_t a = 0;
  std::uint16_t b = 0;
  encode(c, Request::read_holding(1, 100, 1), &a);
  encode(c, Request::read_holding(1, 200, 2), &b);
  EXPECT_NE(a, b);
  c.cancel(a);  // timed out
  // The late answer to a, then b's answer, in one read and split at every byte.
  Bytes stream = adu(a, 1, {0x03, 0x02, 0x00, 0x01});
  const Bytes bb = adu(b, 1, {0x03, 0x04, 0x00, 0x02, 0x00, 0x03});
  stream.insert(stream.end(), bb.begin(), bb.end());
  for (std::size_t step = 1; step <= stream.size(); ++step) {
    Client d;
    std::uint16_t x = 0;
    std::uint16_t y = 0;
    encode(d, Request::read_holding(1, 100, 1), &x);
    encode(d, Request::read_holding(1, 200, 2), &y);
    d.cancel(x);
    int responses = 0;
    for (std::size_t at = 0; at < stream.size(); at += step) {
      const std::uint8_t* p = stream.data() + at;
      std::size_t n = std::min(step, stream.size() - at);
      while (n > 0) {
        const auto res = d.feed(p, n, r);
        ASSERT_NE(res, Client::Result::kError);
        if (res == Client::Result::kResponse) {
          ++responses;
          EXPECT_EQ(r.transaction, y);
          EXPECT_EQ(r.address, 200);
          EXPECT_EQ(r.reg(1), 3);
        }
      }
    }
    EXPECT_EQ(responses, 1) << "step " << step;
    EXPECT_EQ(d.skipped(), 1U);
  }
}

TEST(ModbusClient, RejectsResponsesThatDoNotAnswerTheRequest) {
  const auto try_response = [](const Request& req, const Bytes& pdu, std::uint8_t unit = 1) {
    Client c;
    Response r;
    std::uint16_t tid = 0;
    encode(c, req, &tid);
    return feed(c, adu(tid, unit, pdu), r);
  };
  const auto read3 = Request::read_holding(1, 0x6B, 3);
  EXPECT_EQ(try_response(read3, {0x03, 0x04, 0, 0, 0, 0}), Client::Result::kError);           // byte count
  EXPECT_EQ(try_response(read3, {0x03, 0x06, 0, 0, 0, 0, 0}), Client::Result::kError);        // short
  EXPECT_EQ(try_response(read3, {0x04, 0x06, 0, 0, 0, 0, 0, 0}), Client::Result::kError);     // function
  EXPECT_EQ(try_response(read3, {0x03, 0x06, 0, 0, 0, 0, 0, 0}, 2), Client::Result::kError);  // unit
  EXPECT_EQ(try_response(read3, {0x83, 0x02, 0x00}), Client::Result::kError);                 // long exception
  const std::uint16_t v = 7;
  EXPECT_EQ(try_response(Request::write_register(1, 5, &v), {0x06, 0x00, 0x05, 0x00, 0x08}), Client::Result::kError);
  EXPECT_EQ(try_response(Request::write_register(1, 5, &v), {0x06, 0x00, 0x05, 0x00, 0x07}), Client::Result::kResponse);
  const std::uint16_t two[] = {1, 2};
  EXPECT_EQ(try_response(Request::write_registers(1, 5, 2, two), {0x10, 0x00, 0x05, 0x00, 0x03}),
            Client::Result::kError);
  // A stream that is not Modbus at all.
  Client c;
  Response r;
  encode(c, read3);
  const char* html = "HTTP/1.1 400 Bad Request\r\n\r\n";
  EXPECT_EQ(feed(c, Bytes(html, html + 28), r), Client::Result::kError);
}

}  // namespace
}  // namespace lmc::modbus
