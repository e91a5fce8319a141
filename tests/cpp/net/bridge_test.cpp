// The host bridge in real-time mode: a real loopback client reaches a socket of the device.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "models/net/http.h"
#include "net_test_util.h"

using namespace lmsim;
using namespace lmsim::net;
using lmsim::mcu::Netc;
using lmsim::net::test::Bench;

TEST(NetBridge, LoopbackClientGetsThePageServedByTheDevice) {
  Bench b("network:\n  ethernet: {plugged: true}\n  bridge: {4000: 0}\n", 1, true);
  b.enable();
  ASSERT_TRUE(b.wait_ip());
  b.swr(0, Netc::S_MODE, Netc::MODE_TCP);
  b.swr(0, Netc::S_LPORT, 4000);
  b.swr(0, Netc::S_CMD, Netc::SC_LISTEN);
  auto port = static_cast<std::uint16_t>(b.sig("net.bridge.4000.port").value());
  ASSERT_NE(port, 0);
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  std::string req = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  ASSERT_EQ(::send(fd, req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));
  auto step = [&] {
    for (auto& p : b.site->pollers()) p();
    b.run(0.001);
  };
  bool answered = false;
  std::string got;
  for (int i = 0; i < 3000 && got.find("bridged") == std::string::npos; ++i) {
    step();
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
  ::close(fd);
  EXPECT_TRUE(answered);
  EXPECT_EQ(got.rfind("HTTP/1.1 200", 0), 0u) << got;
  EXPECT_NE(got.find("bridged"), std::string::npos) << got;
}

TEST(NetBridge, NothingListensOutsideRealTimeMode) {
  Bench b("network:\n  bridge: {4000: 0}\n");
  EXPECT_EQ(b.sig("net.bridge.4000.port").value(), 0);
  EXPECT_TRUE(b.site->pollers().empty());
}
