// Interoperability with libmodbus 3.1 (Debian libmodbus-dev), an independent implementation:
// libmodbus as client against our ServerSession, and libmodbus as server (modbus_reply on a
// mapping) against our Client, over a socketpair (no network). Tests only: libmodbus needs a
// heap and POSIX sockets, which the firmware does not have.
#include <gtest/gtest.h>
#include <modbus/modbus.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <thread>
#include <vector>

#include "app/modbus/client.h"
#include "app/modbus/server.h"
#include "app/modbus/words.h"
#include "modbus/spec_map.h"

namespace lmc::modbus {
namespace {

struct Pair {
  int fd[2] = {-1, -1};
  Pair() { EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fd), 0); }
  ~Pair() {
    for (int f : fd) {
      if (f >= 0) close(f);
    }
  }
};

// Serves our ServerSession on fd until the peer closes it.
void serve(int fd, ServerSession& s) {
  std::uint8_t buf[97];  // an odd size: frames arrive split
  for (;;) {
    const ssize_t got = read(fd, buf, sizeof buf);
    if (got <= 0) return;
    const std::uint8_t* p = buf;
    std::size_t n = static_cast<std::size_t>(got);
    while (n > 0) {
      const auto r = s.feed(p, n);
      if (r == ServerSession::Result::kClose) return;
      if (r == ServerSession::Result::kReply && write(fd, s.reply(), s.reply_size()) < 0) return;
    }
  }
}

TEST(ModbusInterop, LibmodbusClientAgainstOurServer) {
  Pair pair;
  test::SpecMap map;
  ServerSession session(map);
  std::thread server([&] { serve(pair.fd[1], session); });

  modbus_t* ctx = modbus_new_tcp("127.0.0.1", 5020);
  ASSERT_NE(ctx, nullptr);
  modbus_set_socket(ctx, pair.fd[0]);
  modbus_set_slave(ctx, 0x11);
  modbus_set_response_timeout(ctx, 5, 0);

  std::uint16_t regs[125] = {};
  ASSERT_EQ(modbus_read_registers(ctx, 107, 3, regs), 3) << modbus_strerror(errno);
  EXPECT_EQ(regs[0], 555);
  EXPECT_EQ(regs[2], 100);

  std::uint8_t bits[32] = {};
  ASSERT_EQ(modbus_read_bits(ctx, 19, 19, bits), 19);
  EXPECT_EQ(bits[0], 1);  // CD: coil 20 on, coil 21 off
  EXPECT_EQ(bits[1], 0);
  ASSERT_EQ(modbus_read_input_bits(ctx, 196, 22, bits), 22);
  EXPECT_EQ(bits[2], 1);  // AC = 1010 1100: input 199 (bit 2) on
  EXPECT_EQ(bits[0], 0);

  // float32 230.5 = 0x43668000 (IEEE 754: 1.80078125 x 2^7, exponent 134 = 0x86), written
  // by libmodbus high word first (ABCD) and low word first (CDAB), read back with ours.
  // (libmodbus 3.1.6's modbus_set_float_abcd swaps the bytes of each word on little-endian
  // hosts, so it is not used as a reference.)
  const std::uint16_t f[2] = {0x4366, 0x8000};
  ASSERT_EQ(modbus_write_registers(ctx, 19054, 2, f), 2);
  EXPECT_EQ(get_f32(&map.holding[19054], WordOrder::kABCD), 230.5F);
  const std::uint16_t cdab[2] = {f[1], f[0]};
  ASSERT_EQ(modbus_write_registers(ctx, 19056, 2, cdab), 2);
  EXPECT_EQ(get_f32(&map.holding[19056], WordOrder::kCDAB), 230.5F);

  ASSERT_EQ(modbus_write_register(ctx, 1, 0x1234), 1);
  EXPECT_EQ(map.holding[1], 0x1234);
  ASSERT_EQ(modbus_write_bit(ctx, 172, 1), 1);
  EXPECT_EQ(map.coil[172], 1);
  const std::uint8_t on_off[10] = {1, 0, 1, 1, 0, 0, 1, 1, 1, 0};
  ASSERT_EQ(modbus_write_bits(ctx, 300, 10, on_off), 10);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(map.coil[300 + i], on_off[i]);
  const std::uint16_t w[3] = {0x00FF, 0x00FF, 0x00FF};
  ASSERT_EQ(modbus_write_and_read_registers(ctx, 14, 3, w, 3, 6, regs), 6);
  EXPECT_EQ(regs[1], 0x0ACD);
  ASSERT_EQ(modbus_read_input_registers(ctx, 8, 1, regs), 1);
  EXPECT_EQ(regs[0], 0x000A);

  // Exceptions arrive as libmodbus's errno values.
  map.fail = Exception::kIllegalDataAddress;
  EXPECT_EQ(modbus_read_registers(ctx, 0, 1, regs), -1);
  EXPECT_EQ(errno, EMBXILADD);
  map.fail = Exception::kServerDeviceFailure;
  EXPECT_EQ(modbus_write_register(ctx, 0, 1), -1);
  EXPECT_EQ(errno, EMBXSFAIL);
  map.fail = Exception::kNone;
  EXPECT_EQ(modbus_read_registers(ctx, 0xFFFF, 2, regs), -1);
  EXPECT_EQ(errno, EMBXILADD);
  EXPECT_EQ(session.requests(), 13U);

  shutdown(pair.fd[0], SHUT_RDWR);
  server.join();
  modbus_free(ctx);  // frees the context only; Pair closes the sockets
}

TEST(ModbusInterop, OurClientAgainstLibmodbusServer) {
  Pair pair;
  modbus_mapping_t* mb = modbus_mapping_new(64, 64, 64, 64);
  ASSERT_NE(mb, nullptr);
  mb->tab_registers[10] = 0x4366;  // 230.0 ABCD
  mb->tab_registers[11] = 0x0000;
  mb->tab_input_registers[3] = 42;
  mb->tab_input_bits[5] = 1;
  std::atomic<bool> stop{false};
  std::thread server([&] {
    modbus_t* ctx = modbus_new_tcp("127.0.0.1", 5020);
    modbus_set_socket(ctx, pair.fd[1]);
    std::uint8_t q[MODBUS_TCP_MAX_ADU_LENGTH];
    while (!stop) {
      const int n = modbus_receive(ctx, q);
      if (n <= 0) break;
      modbus_reply(ctx, q, n, mb);
    }
    modbus_free(ctx);
  });

  Client c;
  std::uint8_t rx[300];
  std::size_t rx_n = 0;
  const std::uint8_t* rx_p = rx;
  const auto roundtrip = [&](const Request& req, Response& resp) {
    std::uint8_t out[kMaxAduSize];
    const std::size_t n = c.encode(req, out, sizeof out);
    EXPECT_GT(n, 0U);
    EXPECT_EQ(write(pair.fd[0], out, n), static_cast<ssize_t>(n));
    for (;;) {
      if (rx_n == 0) {
        const ssize_t got = read(pair.fd[0], rx, sizeof rx);
        if (got <= 0) return Client::Result::kError;
        rx_p = rx;
        rx_n = static_cast<std::size_t>(got);
      }
      const auto r = c.feed(rx_p, rx_n, resp);
      if (r != Client::Result::kNeedMore) return r;
    }
  };

  Response r;
  ASSERT_EQ(roundtrip(Request::read_holding(1, 10, 2), r), Client::Result::kResponse);
  std::uint16_t regs[2];
  r.registers(regs);
  EXPECT_EQ(get_f32(regs, WordOrder::kABCD), 230.0F);
  ASSERT_EQ(roundtrip(Request::read_input(1, 3, 1), r), Client::Result::kResponse);
  EXPECT_EQ(r.reg(0), 42);
  ASSERT_EQ(roundtrip(Request::read_discrete_inputs(1, 0, 8), r), Client::Result::kResponse);
  EXPECT_TRUE(r.bit(5));
  EXPECT_FALSE(r.bit(4));
  std::uint16_t ma[2];
  put_u32(ma, 16000, WordOrder::kABCD);
  ASSERT_EQ(roundtrip(Request::write_registers(1, 20, 2, ma), r), Client::Result::kResponse);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(mb->tab_registers[21], 0x3E80);
  const std::uint16_t one = 0x0102;
  ASSERT_EQ(roundtrip(Request::write_register(1, 30, &one), r), Client::Result::kResponse);
  EXPECT_EQ(mb->tab_registers[30], 0x0102);
  ASSERT_EQ(roundtrip(Request::write_coil(1, 7, true), r), Client::Result::kResponse);
  EXPECT_EQ(mb->tab_bits[7], 1);
  const std::uint8_t packed[] = {0x05};
  ASSERT_EQ(roundtrip(Request::write_coils(1, 8, 3, packed), r), Client::Result::kResponse);
  EXPECT_EQ(mb->tab_bits[8], 1);
  EXPECT_EQ(mb->tab_bits[9], 0);
  EXPECT_EQ(mb->tab_bits[10], 1);
  ASSERT_EQ(roundtrip(Request::read_coils(1, 7, 4), r), Client::Result::kResponse);
  EXPECT_TRUE(r.bit(0) && r.bit(1) && !r.bit(2) && r.bit(3));
  const std::uint16_t w[] = {7, 8};
  ASSERT_EQ(roundtrip(Request::read_write_registers(1, 40, 2, 40, 2, w), r), Client::Result::kResponse);
  EXPECT_EQ(r.reg(0), 7);
  EXPECT_EQ(r.reg(1), 8);
  // Beyond libmodbus's mapping: exception 02 surfaced, not an error.
  ASSERT_EQ(roundtrip(Request::read_holding(1, 60, 10), r), Client::Result::kResponse);
  EXPECT_EQ(r.exception, Exception::kIllegalDataAddress);

  stop = true;
  shutdown(pair.fd[0], SHUT_RDWR);
  server.join();
  modbus_mapping_free(mb);
}

}  // namespace
}  // namespace lmc::modbus
