// Modbus TCP server session against the frame examples of the Modbus Application Protocol
// Specification v1.1b3 (§6 function examples, §7 exception example) wrapped in the MBAP header
// of the Modbus Messaging on TCP/IP Implementation Guide v1.0b §3.1.3 (transaction id, protocol
// id 0, length = unit id + PDU bytes, unit id).
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "app/modbus/server.h"
#include "modbus/spec_map.h"

namespace lmc::modbus {
namespace {

using Bytes = std::vector<std::uint8_t>;

// MBAP (Implementation Guide §3.1.3) + PDU.
Bytes adu(std::uint16_t tid, std::uint8_t unit, const Bytes& pdu) {
  Bytes b = {static_cast<std::uint8_t>(tid >> 8),
             static_cast<std::uint8_t>(tid),
             0,
             0,
             static_cast<std::uint8_t>((pdu.size() + 1) >> 8),
             static_cast<std::uint8_t>(pdu.size() + 1),
             unit};
  b.insert(b.end(), pdu.begin(), pdu.end());
  return b;
}

struct Session {
  test::SpecMap map;
  ServerSession s{map};
  bool closed = false;
  // Feeds bytes in pieces of `step`, collects every reply.
  std::vector<Bytes> run(const Bytes& in, std::size_t step = 0) {
    std::vector<Bytes> out;
    if (step == 0) step = in.size();
    for (std::size_t at = 0; at < in.size() && !closed; at += step) {
      const std::uint8_t* p = in.data() + at;
      std::size_t n = std::min(step, in.size() - at);
      while (n > 0) {
        const auto r = s.feed(p, n);
        if (r == ServerSession::Result::kReply) out.emplace_back(s.reply(), s.reply() + s.reply_size());
        if (r == ServerSession::Result::kClose) {
          closed = true;
          break;
        }
      }
    }
    return out;
  }
  // One request PDU -> its response PDU (MBAP checked).
  Bytes pdu(const Bytes& request, std::uint8_t unit = 0x11) {
    auto replies = run(adu(0x1234, unit, request));
    if (replies.size() != 1) return {};
    const Bytes& r = replies[0];
    EXPECT_EQ(r[0], 0x12);
    EXPECT_EQ(r[1], 0x34);  // transaction id echoed
    EXPECT_EQ(r[2], 0);
    EXPECT_EQ(r[3], 0);
    EXPECT_EQ(static_cast<std::size_t>(r[4] << 8 | r[5]), r.size() - 6);
    EXPECT_EQ(r[6], unit);  // unit id echoed
    return Bytes(r.begin() + 7, r.end());
  }
};

TEST(ModbusServer, SpecExampleReadCoils) {  // §6.1
  Session t;
  EXPECT_EQ(t.pdu({0x01, 0x00, 0x13, 0x00, 0x13}), (Bytes{0x01, 0x03, 0xCD, 0x6B, 0x05}));
}

TEST(ModbusServer, SpecExampleReadDiscreteInputs) {  // §6.2
  Session t;
  EXPECT_EQ(t.pdu({0x02, 0x00, 0xC4, 0x00, 0x16}), (Bytes{0x02, 0x03, 0xAC, 0xDB, 0x35}));
}

TEST(ModbusServer, SpecExampleReadHoldingRegisters) {  // §6.3
  Session t;
  EXPECT_EQ(t.pdu({0x03, 0x00, 0x6B, 0x00, 0x03}), (Bytes{0x03, 0x06, 0x02, 0x2B, 0x00, 0x00, 0x00, 0x64}));
}

TEST(ModbusServer, SpecExampleReadInputRegisters) {  // §6.4
  Session t;
  EXPECT_EQ(t.pdu({0x04, 0x00, 0x08, 0x00, 0x01}), (Bytes{0x04, 0x02, 0x00, 0x0A}));
}

TEST(ModbusServer, SpecExampleWriteSingleCoil) {  // §6.5: coil 173 ON, the response echoes
  Session t;
  EXPECT_EQ(t.pdu({0x05, 0x00, 0xAC, 0xFF, 0x00}), (Bytes{0x05, 0x00, 0xAC, 0xFF, 0x00}));
  EXPECT_EQ(t.map.coil[172], 1);
  // Values other than FF00/0000 are illegal data values.
  EXPECT_EQ(t.pdu({0x05, 0x00, 0xAC, 0x12, 0x34}), (Bytes{0x85, 0x03}));
}

TEST(ModbusServer, SpecExampleWriteSingleRegister) {  // §6.6: register 2 = 3
  Session t;
  EXPECT_EQ(t.pdu({0x06, 0x00, 0x01, 0x00, 0x03}), (Bytes{0x06, 0x00, 0x01, 0x00, 0x03}));
  EXPECT_EQ(t.map.holding[1], 3);
}

TEST(ModbusServer, SpecExampleWriteMultipleCoils) {  // §6.11: coils 20..29 = CD 01
  Session t;
  EXPECT_EQ(t.pdu({0x0F, 0x00, 0x13, 0x00, 0x0A, 0x02, 0xCD, 0x01}), (Bytes{0x0F, 0x00, 0x13, 0x00, 0x0A}));
  const int expect[10] = {1, 0, 1, 1, 0, 0, 1, 1, 1, 0};  // CD = 1100 1101 LSB first, then 01
  for (int i = 0; i < 10; ++i) EXPECT_EQ(t.map.coil[19 + i], expect[i]) << i;
}

TEST(ModbusServer, SpecExampleWriteMultipleRegisters) {  // §6.12: registers 2, 3 = 000A 0102
  Session t;
  EXPECT_EQ(t.pdu({0x10, 0x00, 0x01, 0x00, 0x02, 0x04, 0x00, 0x0A, 0x01, 0x02}), (Bytes{0x10, 0x00, 0x01, 0x00, 0x02}));
  EXPECT_EQ(t.map.holding[1], 0x000A);
  EXPECT_EQ(t.map.holding[2], 0x0102);
}

TEST(ModbusServer, SpecExampleReadWriteMultipleRegisters) {  // §6.17
  Session t;
  const Bytes req = {0x17, 0x00, 0x03, 0x00, 0x06, 0x00, 0x0E, 0x00, 0x03, 0x06, 0x00, 0xFF, 0x00, 0xFF, 0x00, 0xFF};
  EXPECT_EQ(t.pdu(req), (Bytes{0x17, 0x0C, 0x00, 0xFE, 0x0A, 0xCD, 0x00, 0x01, 0x00, 0x03, 0x00, 0x0D, 0x00, 0xFF}));
  EXPECT_EQ(t.map.holding[14], 0x00FF);
  EXPECT_EQ(t.map.holding[16], 0x00FF);
}

TEST(ModbusServer, SpecExampleException) {  // §7: read coil 1186 of a device without it -> 81 02
  Session t;
  t.map.fail = Exception::kIllegalDataAddress;
  EXPECT_EQ(t.pdu({0x01, 0x04, 0xA1, 0x00, 0x01}), (Bytes{0x81, 0x02}));
}

TEST(ModbusServer, ExceptionCodesFollowTheStateDiagrams) {
  Session t;
  // 01: a function the server does not know (§7 code 01).
  EXPECT_EQ(t.pdu({0x2B, 0x0E, 0x01, 0x00}), (Bytes{0xAB, 0x01}));
  EXPECT_EQ(t.pdu({0x08, 0x00, 0x00, 0x12, 0x34}), (Bytes{0x88, 0x01}));
  // 03: quantity out of range (§6.3: 1 <= N <= 125; §6.1: 1..2000; §6.12: 1..123).
  EXPECT_EQ(t.pdu({0x03, 0x00, 0x00, 0x00, 0x00}), (Bytes{0x83, 0x03}));
  EXPECT_EQ(t.pdu({0x03, 0x00, 0x00, 0x00, 0x7E}), (Bytes{0x83, 0x03}));
  EXPECT_EQ(t.pdu({0x03, 0x00, 0x00, 0x00, 0x7D}).size(), 2U + 250U);
  EXPECT_EQ(t.pdu({0x01, 0x00, 0x00, 0x07, 0xD1}), (Bytes{0x81, 0x03}));
  EXPECT_EQ(t.pdu({0x01, 0x00, 0x00, 0x07, 0xD0}).size(), 2U + 250U);
  // 03: byte count disagreeing with the quantity, or a PDU of the wrong length.
  EXPECT_EQ(t.pdu({0x10, 0x00, 0x01, 0x00, 0x02, 0x02, 0x00, 0x0A}), (Bytes{0x90, 0x03}));
  EXPECT_EQ(t.pdu({0x10, 0x00, 0x01, 0x00, 0x01, 0x02, 0x00, 0x0A, 0xFF}), (Bytes{0x90, 0x03}));
  EXPECT_EQ(t.pdu({0x03, 0x00, 0x00, 0x00}), (Bytes{0x83, 0x03}));
  EXPECT_EQ(t.pdu({0x0F, 0x00, 0x13, 0x00, 0x0A, 0x01, 0xCD}), (Bytes{0x8F, 0x03}));
  // 02: starting address + quantity beyond the address space.
  EXPECT_EQ(t.pdu({0x03, 0xFF, 0xFF, 0x00, 0x02}), (Bytes{0x83, 0x02}));
  EXPECT_EQ(t.pdu({0x03, 0xFF, 0xFF, 0x00, 0x01}), (Bytes{0x03, 0x02, 0x00, 0x00}));
  // 04 and any other code the map answers is passed through.
  t.map.fail = Exception::kServerDeviceFailure;
  EXPECT_EQ(t.pdu({0x06, 0x00, 0x01, 0x00, 0x03}), (Bytes{0x86, 0x04}));
  EXPECT_EQ(t.s.exceptions(), 11U);
}

// A map that implements only reads of holding registers (like the :5020 map without the
// cascading module, MB-02/MB-04): everything else is 01.
class ReadOnlyMap final : public RegisterMap {
 public:
  Exception read_registers(const Access& a, std::uint16_t* regs) override {
    if (a.function != kReadHoldingRegisters) return Exception::kIllegalFunction;
    for (int i = 0; i < a.count; ++i) regs[i] = static_cast<std::uint16_t>(a.address + i);
    return Exception::kNone;
  }
};

TEST(ModbusServer, UnimplementedCallbacksAnswerIllegalFunction) {
  ReadOnlyMap map;
  ServerSession s(map);
  const auto ask = [&](Bytes pdu) {
    const Bytes in = adu(7, 1, pdu);
    const std::uint8_t* p = in.data();
    std::size_t n = in.size();
    EXPECT_EQ(s.feed(p, n), ServerSession::Result::kReply);
    return Bytes(s.reply() + 7, s.reply() + s.reply_size());
  };
  EXPECT_EQ(ask({0x03, 0x4A, 0x38, 0x00, 0x01}), (Bytes{0x03, 0x02, 0x4A, 0x38}));  // 19000
  EXPECT_EQ(ask({0x04, 0x4A, 0x38, 0x00, 0x01}), (Bytes{0x84, 0x01}));
  EXPECT_EQ(ask({0x06, 0x4A, 0x38, 0x00, 0x01}), (Bytes{0x86, 0x01}));
  EXPECT_EQ(ask({0x10, 0x4A, 0x38, 0x00, 0x01, 0x02, 0x00, 0x01}), (Bytes{0x90, 0x01}));
  EXPECT_EQ(ask({0x01, 0x00, 0x00, 0x00, 0x01}), (Bytes{0x81, 0x01}));
  EXPECT_EQ(ask({0x05, 0x00, 0x00, 0xFF, 0x00}), (Bytes{0x85, 0x01}));
}

TEST(ModbusServer, PartialFramesAndSeveralFramesPerRead) {
  Bytes stream;
  for (std::uint16_t tid = 1; tid <= 3; ++tid) {
    const Bytes one = adu(tid, 0x11, {0x03, 0x00, 0x6B, 0x00, 0x03});
    stream.insert(stream.end(), one.begin(), one.end());
  }
  for (std::size_t step : {1, 2, 5, 7, 11, 13, 36}) {
    Session t;
    const auto replies = t.run(stream, step);
    ASSERT_EQ(replies.size(), 3U) << "step " << step;
    for (std::uint16_t i = 0; i < 3; ++i) {
      EXPECT_EQ(replies[i][1], i + 1);
      EXPECT_EQ(Bytes(replies[i].begin() + 7, replies[i].end()),
                (Bytes{0x03, 0x06, 0x02, 0x2B, 0x00, 0x00, 0x00, 0x64}));
    }
    EXPECT_FALSE(t.closed);
  }
}

TEST(ModbusServer, ForeignProtocolAndOtherUnitsAreSkipped) {
  Session t;
  t.map.only_unit = 1;
  Bytes in = adu(1, 2, {0x03, 0x00, 0x00, 0x00, 0x01});  // another unit: no reply (no gateway)
  Bytes foreign = adu(2, 1, {0x03, 0x00, 0x00, 0x00, 0x01});
  foreign[3] = 0x01;  // protocol id 1: not Modbus, skipped by its length
  Bytes ok = adu(3, 1, {0x03, 0x00, 0x00, 0x00, 0x01});
  in.insert(in.end(), foreign.begin(), foreign.end());
  in.insert(in.end(), ok.begin(), ok.end());
  const auto replies = t.run(in, 3);
  ASSERT_EQ(replies.size(), 1U);
  EXPECT_EQ(replies[0][1], 3);
  EXPECT_EQ(t.s.skipped(), 2U);
  EXPECT_FALSE(t.closed);
}

TEST(ModbusServer, ImpossibleLengthClosesTheStream) {
  for (std::uint16_t len : {0, 1, 255, 0xFFFF}) {
    Session t;
    Bytes in = {0x00, 0x01, 0x00, 0x00, static_cast<std::uint8_t>(len >> 8), static_cast<std::uint8_t>(len), 1, 3};
    EXPECT_TRUE(t.run(in).empty());
    EXPECT_TRUE(t.closed) << len;
  }
  // HTTP sent to the Modbus port: "GET / H" has protocol id 0x2F20 and length 0x4854 -> close.
  Session t;
  const char* http = "GET / HTTP/1.1\r\n\r\n";
  EXPECT_TRUE(t.run(Bytes(http, http + 18)).empty());
  EXPECT_TRUE(t.closed);
}

TEST(ModbusServer, MaximumLengthFrameIsAccepted) {
  // FC16 with 123 registers: PDU 6 + 246 = 252 bytes, MBAP length 253.
  Session t;
  Bytes pdu = {0x10, 0x00, 0x00, 0x00, 123, 246};
  for (int i = 0; i < 123; ++i) {
    pdu.push_back(0);
    pdu.push_back(static_cast<std::uint8_t>(i));
  }
  EXPECT_EQ(t.pdu(pdu), (Bytes{0x10, 0x00, 0x00, 0x00, 123}));
  EXPECT_EQ(t.map.holding[122], 122);
}

}  // namespace
}  // namespace lmc::modbus
