// The host bridge (--realtime --expose): a real loopback client reaches a socket of the device.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "models/net/host_bridge.h"
#include "models/net/http.h"
#include "net_test_util.h"

using namespace lmsim;
using namespace lmsim::net;
using lmsim::mcu::Netc;
using lmsim::net::test::Bench;

namespace {

// Brings the device up on Ethernet with a bridge forward for `dev_port`, lets socket `sock`
// listen there, and connects a loopback client to the bridge's host port: returns its fd
// (-1 with a test failure when any step fails).
struct Bridged {
  Bench b;
  int fd = -1;
  Bridged(int sock, int dev_port)
      : b("network:\n  ethernet: {plugged: true}\n  bridge: {" + std::to_string(dev_port) + ": 0}\n", 1, true) {
    b.enable();
    if (!b.wait_ip()) {
      ADD_FAILURE() << "no address";
      return;
    }
    b.swr(sock, Netc::S_MODE, Netc::MODE_TCP);
    b.swr(sock, Netc::S_LPORT, static_cast<std::uint32_t>(dev_port));
    b.swr(sock, Netc::S_CMD, Netc::SC_LISTEN);
    auto port = static_cast<std::uint16_t>(b.sig("net.bridge." + std::to_string(dev_port) + ".port").value());
    if (port == 0) {
      ADD_FAILURE() << "the bridge did not open";
      return;
    }
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      ADD_FAILURE() << "cannot connect to 127.0.0.1:" << port;
      fd = -1;
    }
  }
  ~Bridged() {
    if (fd >= 0) ::close(fd);
  }
  // One real-time step: host sockets serviced, then 1 ms of simulated time.
  void step() {
    for (auto& p : b.site->pollers()) p();
    b.run(0.001);
  }
};

}  // namespace

TEST(NetBridge, LoopbackClientGetsThePageServedByTheDevice) {
  Bridged br(0, 4000);
  ASSERT_GE(br.fd, 0);
  Bench& b = br.b;
  const int fd = br.fd;
  std::string req = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  ASSERT_EQ(::send(fd, req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));
  bool answered = false;
  std::string got;
  for (int i = 0; i < 3000 && got.find("bridged") == std::string::npos; ++i) {
    br.step();
    if (!answered && b.srd(0, Netc::S_RX_AVAIL) >= req.size()) {
      EXPECT_EQ(b.recv(0), req);
      b.send(0, http_response(200, "bridged", "text/plain", false));
      b.swr(0, Netc::S_CMD, Netc::SC_CLOSE);
      answered = true;
    }
    char buf[512];
    ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0) got.append(buf, static_cast<std::size_t>(n));
  }
  EXPECT_TRUE(answered);
  EXPECT_EQ(got.rfind("HTTP/1.1 200", 0), 0u) << got;
  EXPECT_NE(got.find("bridged"), std::string::npos) << got;
}

// A client that sends its request and shuts down its sending side (half-close) still gets
// the answer: the LAN model has no half-open direction, so the bridge holds the FIN back
// until the exchange has been quiet for 1 s; the device answers and closes meanwhile.
TEST(NetBridge, HalfClosedClientStillGetsTheAnswer) {
  Bridged br(2, 5020);
  ASSERT_GE(br.fd, 0);
  Bench& b = br.b;
  const int fd = br.fd;
  const std::string req = "ping";
  ASSERT_EQ(::send(fd, req.data(), req.size(), 0), 4);
  ASSERT_EQ(::shutdown(fd, SHUT_WR), 0);
  bool answered = false, eof = false;
  std::string got;
  for (int i = 0; i < 3000 && !eof; ++i) {
    br.step();
    if (!answered && b.srd(2, Netc::S_RX_AVAIL) >= req.size()) {
      EXPECT_EQ(b.srd(2, Netc::S_STATUS), Netc::SS_ESTABLISHED);  // the FIN is held back
      EXPECT_EQ(b.recv(2), req);
      b.send(2, "pong");
      b.swr(2, Netc::S_CMD, Netc::SC_CLOSE);
      answered = true;
    }
    char buf[64];
    ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0) got.append(buf, static_cast<std::size_t>(n));
    if (n == 0) eof = true;
  }
  EXPECT_TRUE(answered);
  EXPECT_EQ(got, "pong");
  EXPECT_TRUE(eof);
}

// A half-closed client whose request gets no answer: its FIN reaches the device 1 s later.
TEST(NetBridge, HalfCloseReachesAQuietDeviceAfterTheLinger) {
  Bridged br(3, 7000);
  ASSERT_GE(br.fd, 0);
  Bench& b = br.b;
  const int fd = br.fd;
  ASSERT_EQ(::send(fd, "x", 1, 0), 1);
  ASSERT_EQ(::shutdown(fd, SHUT_WR), 0);
  double got_data = -1, got_fin = -1;
  for (int i = 0; i < 3000 && got_fin < 0; ++i) {
    br.step();
    if (got_data < 0 && b.srd(3, Netc::S_RX_AVAIL) >= 1) got_data = b.now_s();
    if (b.srd(3, Netc::S_STATUS) == Netc::SS_CLOSE_WAIT) got_fin = b.now_s();
  }
  ASSERT_GT(got_data, 0);
  ASSERT_GT(got_fin, 0);
  EXPECT_NEAR(got_fin - got_data, 1.0, 0.01);
}

TEST(NetBridge, NothingListensOutsideRealTimeMode) {
  Bench b("network:\n  bridge: {4000: 0}\n");
  EXPECT_EQ(b.sig("net.bridge.4000.port").value(), 0);
  EXPECT_TRUE(b.site->pollers().empty());
}

TEST(NetBridge, RealTimeWithoutExposeOpensNothing) {
  Bench b("network:\n  bridge: {4000: 0}\n", 1, true, false);
  EXPECT_EQ(b.sig("net.bridge.4000.port").value(), 0);
  EXPECT_TRUE(b.site->pollers().empty());
}

TEST(NetBridge, ServiceNamesOfTheDefaultForwards) {
  EXPECT_EQ(HostBridge::service_name(4000), "web");
  EXPECT_EQ(HostBridge::service_name(5020), "modbus");
  EXPECT_EQ(HostBridge::service_name(7000), "rest");
  EXPECT_EQ(HostBridge::service_name(8080), "port8080");
}
