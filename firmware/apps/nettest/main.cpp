// Network test firmware. Uses Ethernet when a cable gives an address within 3 s, else joins
// Wi-Fi with the credentials of the config block at the start of the flash config area
// (magic "NETT", see docs/network.md) or the built-in defaults; then asks NTP for the time,
// reads registers 0x4000..0x4001 of a station over Modbus TCP, and serves a tiny HTTP page on
// ports 80 and 4000 (two listening sockets each) forever. Without a network it opens the
// hotspot clemapXX (password sensorsetup) and serves the page there. Every step is reported on
// the console.
#include <cstdint>
#include <cstring>

#include "board/mcu.h"
#include "drivers/netc.h"
#include "hal/hal.h"

namespace {

struct NetConfig {
  std::uint32_t magic;  // "NETT"
  char ssid[33];
  char password[65];
  std::uint8_t pad[2];
  std::uint32_t station_ip;
  std::uint32_t station_port;
};
constexpr std::uint32_t kMagic = 0x5454454E;

drivers::Netc netc;
std::uint8_t buf[1024];

void put_ip(std::uint32_t ip) {
  for (int i = 3; i >= 0; --i) {
    hal::console_dec((ip >> (8 * i)) & 0xFF);
    if (i) hal::console_puts(".");
  }
}

bool wait_until(std::uint32_t ms, bool (*cond)()) {
  std::uint32_t end = hal::millis() + ms;
  while (!cond()) {
    if (static_cast<std::int32_t>(hal::millis() - end) >= 0) return false;
    hal::sleep_until_ms(hal::millis() + 1);
  }
  return true;
}

bool bring_up(const NetConfig& cfg) {
  if (wait_until(3000, [] { return netc.has_ip(); })) {
    hal::console_puts("net: ethernet ");
    return true;
  }
  hal::console_puts("net: joining '");
  hal::console_puts(cfg.ssid);
  hal::console_puts("'\n");
  netc.join(cfg.ssid, cfg.password);
  wait_until(20000, [] {
    auto s = netc.wifi_state();
    return netc.has_ip() || s == drivers::Netc::W_FAILED;
  });
  if (!netc.has_ip()) {
    hal::console_puts("net: wifi failed, reason ");
    hal::console_dec(netc.wifi_reason());
    hal::console_puts("\n");
    return false;
  }
  hal::console_puts("net: wifi rssi ");
  int rssi = netc.rssi();
  hal::console_puts(rssi < 0 ? "-" : "");
  hal::console_dec(static_cast<std::uint32_t>(rssi < 0 ? -rssi : rssi));
  hal::console_puts(" ");
  return true;
}

void ntp() {
  std::uint32_t ip = 0;
  if (!netc.dns_start("pool.ntp.org")) return;
  wait_until(6000, [] {
    std::uint32_t x;
    return netc.dns_poll(&x) != 0;
  });
  if (netc.dns_poll(&ip) != 1) {
    hal::console_puts("ntp: dns failed\n");
    return;
  }
  netc.udp_open(3, 40123);
  std::memset(buf, 0, 48);
  buf[0] = 0x23;  // version 4, client
  netc.set_peer(3, ip, 123);
  netc.send(3, buf, 48);
  if (!wait_until(2000, [] { return netc.rx_avail(3) >= 48; })) {
    hal::console_puts("ntp: no answer\n");
  } else {
    netc.recv(3, buf, sizeof buf);
    std::uint32_t secs =
        (std::uint32_t(buf[40]) << 24) | (std::uint32_t(buf[41]) << 16) | (std::uint32_t(buf[42]) << 8) | buf[43];
    hal::console_puts("ntp: unix time ");
    hal::console_dec(secs - 2208988800u);
    hal::console_puts("\n");
  }
  netc.close(3);
}

void station(const NetConfig& cfg) {
  netc.tcp_connect(2, cfg.station_ip, static_cast<std::uint16_t>(cfg.station_port), 5000);
  wait_until(6000, [] { return (netc.flags(2) & (drivers::Netc::SF_CONNECTED | drivers::Netc::SF_ERROR)) != 0; });
  if (netc.status(2) != drivers::Netc::ESTABLISHED) {
    hal::console_puts("station: connect failed, error ");
    hal::console_dec(netc.error(2));
    hal::console_puts("\n");
    netc.abort(2);
    return;
  }
  const std::uint8_t req[] = {0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x01, 0x03, 0x40, 0x00, 0x00, 0x02};
  netc.send(2, req, sizeof req);
  if (!wait_until(2000, [] { return netc.rx_avail(2) >= 13; })) {
    hal::console_puts("station: no reply\n");
  } else {
    std::uint32_t n = netc.recv(2, buf, sizeof buf);
    if (n >= 13 && buf[7] == 0x03) {
      hal::console_puts("station: reg 0x4000 = ");
      hal::console_hex((std::uint32_t(buf[9]) << 24) | (std::uint32_t(buf[10]) << 16) | (std::uint32_t(buf[11]) << 8) |
                       buf[12]);
      hal::console_puts("\n");
    } else {
      hal::console_puts("station: exception\n");
    }
  }
  netc.close(2);
}

const char kPage[] =
    "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 22\r\nConnection: close\r\n\r\n"
    "<h1>lmsim nettest</h1>";

// Two listening sockets per port (a second client is accepted while one is served): port 80,
// and 4000, the device's web UI port that the host bridge forwards (docs/network.md).
struct Listener {
  int socket;
  std::uint16_t port;
};
constexpr Listener kListeners[] = {{0, 80}, {1, 80}, {4, 4000}, {5, 4000}};
constexpr int kListenerCount = sizeof kListeners / sizeof kListeners[0];

void serve_forever() {
  for (const auto& l : kListeners) netc.tcp_listen(l.socket, l.port);
  hal::console_puts("http: serving on ports 80 and 4000\n");
  static char req[kListenerCount][512];  // one request buffer per socket: clients may interleave
  std::uint32_t got[kListenerCount] = {};
  // A client that connects and then stays silent would hold a socket for ever (two of them
  // would block the port): like any web server, drop it after a request timeout.
  constexpr std::uint32_t kRequestTimeoutMs = 5000;
  std::uint32_t active_since[kListenerCount] = {};  // millis() of the last sign of life, 0 = idle
  for (;;) {
    for (int i = 0; i < kListenerCount; ++i) {
      const int s = kListeners[i].socket;
      std::uint32_t st = netc.status(s);
      if (st == drivers::Netc::CLOSED || st == drivers::Netc::CLOSE_WAIT) {
        if (st == drivers::Netc::CLOSE_WAIT) netc.close(s);
        got[i] = 0;
        active_since[i] = 0;
        netc.tcp_listen(s, kListeners[i].port);
        continue;
      }
      if (st != drivers::Netc::ESTABLISHED) continue;
      const std::uint32_t now = hal::millis() | 1u;  // never 0 (0 means idle)
      if (active_since[i] == 0) active_since[i] = now;
      if (netc.rx_avail(s) == 0) {
        if (now - active_since[i] > kRequestTimeoutMs) {
          netc.close(s);  // the next pass listens again
          got[i] = 0;
          active_since[i] = 0;
        }
        continue;
      }
      active_since[i] = now;
      char* r = req[i];
      got[i] += netc.recv(s, r + got[i], static_cast<std::uint32_t>(sizeof req[i] - 1 - got[i]));
      r[got[i]] = 0;
      if (std::strstr(r, "\r\n\r\n") || got[i] >= sizeof req[i] - 1) {
        netc.send(s, kPage, sizeof kPage - 1);
        netc.close(s);
        got[i] = 0;
        active_since[i] = 0;
      }
    }
    hal::sleep_until_ms(hal::millis() + 1);
  }
}

}  // namespace

int main() {
  hal::console_puts("\r\nnettest: serial ");
  hal::console_puts(hal::serial_number());
  hal::console_puts("\n");
  hal::systick_start(1000);
  if (!netc.present()) {
    hal::console_puts("nettest: no network controller\n");
    for (;;) hal::sleep_until_ms(hal::millis() + 1000);
  }
  NetConfig cfg{};
  std::memcpy(&cfg, reinterpret_cast<const void*>(mcu::kConfigBase), sizeof cfg);
  if (cfg.magic != kMagic) {
    cfg = NetConfig{};
    std::strcpy(cfg.ssid, "garage");
    std::strcpy(cfg.password, "secret123");
    cfg.station_ip = drivers::Netc::ip4(192, 168, 1, 20);
    cfg.station_port = 502;
  }
  cfg.ssid[32] = 0;
  cfg.password[64] = 0;
  netc.enable();
  netc.set_mac(0x02AB00000000ull | 0x12345678u);
  if (!bring_up(cfg)) {
    // No network: open the commissioning hotspot clemapXX (last two serial digits) and serve
    // the page there.
    const char* sn = hal::serial_number();
    std::size_t n = std::strlen(sn);
    char ssid[9] = "clemapXX";
    if (n >= 2) {
      ssid[6] = sn[n - 2];
      ssid[7] = sn[n - 1];
    }
    netc.ap_start(ssid, "sensorsetup", drivers::Netc::ip4(192, 168, 4, 1));
    wait_until(3000, [] { return (netc.link() & drivers::Netc::LINK_AP) != 0; });
    hal::console_puts("net: hotspot ");
    hal::console_puts(ssid);
    hal::console_puts(" at 192.168.4.1\n");
    serve_forever();
  }
  hal::console_puts("ip ");
  put_ip(netc.ip());
  hal::console_puts("\n");
  ntp();
  station(cfg);
  serve_forever();
}
