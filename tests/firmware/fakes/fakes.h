// Fakes of every port of firmware/app/ports.h, shared by all host tests of the application.
// Time is a FakeClock the tests (and FakeIdle) move; FakeIdle::wait_until jumps to the loop's
// deadline or to the next scripted event (`idle.at(t, fn)`: what an interrupt would bring), so
// a day of an idle controller runs in milliseconds and every run is deterministic.
#pragma once
#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "app/config_view.h"
#include "app/controller.h"
#include "app/ports.h"

namespace lmc::fake {

class FakeClock final : public Clock {
 public:
  std::uint64_t now_ms() const override { return t; }
  std::uint64_t t = 0;
};

class FakeIdle final : public Idle {
 public:
  explicit FakeIdle(FakeClock& c) : clock(c) {}
  // Runs fn when the clock reaches t (an external event; it also ends a sleep).
  void at(std::uint64_t t, std::function<void()> fn) { events.emplace(t, std::move(fn)); }
  void wait_until(std::uint64_t deadline_ms) override;
  // Runs the events due at or before the current time (tests call it after moving the clock).
  void fire_due();

  FakeClock& clock;
  std::multimap<std::uint64_t, std::function<void()>> events;
  std::uint64_t waits = 0;
};

class FakeConsole final : public Console {
 public:
  void write(const char* data, std::size_t n) override { out.append(data, n); }
  std::size_t read(char* data, std::size_t n) override;
  void flush() override { ++flushes; }
  void input(const std::string& s) { rx.insert(rx.end(), s.begin(), s.end()); }
  // Complete lines written so far (without the newline).
  std::vector<std::string> lines() const;
  // Lines containing text.
  std::vector<std::string> grep(const std::string& text) const;
  bool has(const std::string& text) const { return out.find(text) != std::string::npos; }

  std::string out;
  std::deque<char> rx;
  int flushes = 0;
};

// NOR flash: erase sets a page to 0xFF, program ANDs (clears bits only), word-aligned.
class FakeFlash final : public Flash {
 public:
  explicit FakeFlash(std::uint32_t size = 64 * 1024, std::uint32_t page = 4096) : mem(size, 0xFF), page_(page) {}
  std::uint32_t size() const override { return static_cast<std::uint32_t>(mem.size()); }
  std::uint32_t page_size() const override { return page_; }
  bool read(std::uint32_t offset, void* dst, std::size_t n) override;
  bool erase_page(std::uint32_t page) override;
  bool program(std::uint32_t offset, const void* src, std::size_t n) override;

  std::vector<std::uint8_t> mem;
  int erases = 0, programs = 0;
  bool fail = false;  // every operation fails (a dead flash)

 private:
  std::uint32_t page_;
};

class FakeAfe final : public Afe {
 public:
  bool poll(AfeWindow& w) override;
  // A healthy 3-phase 230 V / 50 Hz window with the given currents.
  static AfeWindow window(std::uint32_t i_ma = 0);
  std::deque<AfeWindow> windows;
};

class FakeGpio final : public Gpio {
 public:
  explicit FakeGpio(const FakeClock& c) : clock(c) {}
  void led_power(bool on) override { set(power, power_log, on); }
  void led_status(bool on) override { set(status, status_log, on); }
  void relay(bool on) override { relay_on = on; }
  bool button_pressed() const override { return button; }
  bool input_24v(int n) const override { return n == 1 ? in1 : n == 2 ? in2 : false; }

  // Rising-edge to rising-edge periods of a LED log within [from, to).
  static std::vector<std::uint64_t> periods(const std::vector<std::pair<std::uint64_t, bool>>& log, std::uint64_t from,
                                            std::uint64_t to);
  // The level of a LED log at time t.
  static bool level_at(const std::vector<std::pair<std::uint64_t, bool>>& log, std::uint64_t t);

  const FakeClock& clock;
  bool power = false, status = false, relay_on = false;
  bool button = false, in1 = false, in2 = false;
  std::vector<std::pair<std::uint64_t, bool>> power_log, status_log;  // (time, level) changes

 private:
  void set(bool& led, std::vector<std::pair<std::uint64_t, bool>>& log, bool on) {
    if (!log.empty() && led == on) return;
    led = on;
    log.emplace_back(clock.now_ms(), on);
  }
};

class FakeWdt final : public Wdt {
 public:
  explicit FakeWdt(const FakeClock& c) : clock(c) {}
  void start(std::uint32_t timeout_ms) override {
    started = true;
    timeout = timeout_ms;
    last_feed = clock.now_ms();
  }
  void feed() override {
    ++feeds;
    last_feed = clock.now_ms();
  }
  // A reset stops the watchdog (it is disabled after every reset).
  void reset() {
    started = false;
    feeds = 0;
  }
  // The hardware would have reset the device by now.
  bool expired() const { return started && clock.now_ms() - last_feed >= timeout; }

  const FakeClock& clock;
  bool started = false;
  std::uint32_t timeout = 0;
  std::uint64_t last_feed = 0;
  int feeds = 0;
};

class FakeSystem final : public System {
 public:
  std::uint32_t reset_cause() const override { return cause; }
  const char* serial() const override { return serial_no.c_str(); }
  std::uint32_t supply_mv() const override { return supply; }
  void set_reset_note(std::uint32_t n) override { note = n; }
  std::uint32_t take_reset_note() override { return std::exchange(note, 0u); }
  void reset() override { ++resets; }

  std::uint32_t cause = 1;  // power-on
  std::string serial_no = "SE12345678";
  std::uint32_t supply = 230000;
  std::uint32_t note = 0;
  int resets = 0;
};

// Sockets with scripted peers: tests accept, deliver bytes and close from the network side.
class FakeSockets final : public Sockets {
 public:
  struct Sock {
    State state = State::Closed;
    Error error = Error::None;
    std::uint16_t lport = 0;
    Endpoint peer{};
    std::string rx, tx;  // TCP streams
    std::deque<std::pair<Endpoint, std::string>> rx_dgrams, tx_dgrams;
    std::uint32_t events = 0;
    std::uint32_t connect_timeout = 0;
  };
  void tcp_connect(int s, Endpoint peer, std::uint32_t timeout_ms) override;
  void tcp_listen(int s, std::uint16_t port) override;
  bool udp_open(int s, std::uint16_t port) override;
  std::size_t send(int s, const void* data, std::size_t n) override;
  bool send_to(int s, Endpoint to, const void* data, std::size_t n) override;
  std::size_t recv(int s, void* data, std::size_t n, Endpoint* from) override;
  void close(int s) override;
  void abort(int s) override;
  State state(int s) const override { return ok(s) ? sock[s].state : State::Closed; }
  std::uint32_t take_events(int s) override { return ok(s) ? std::exchange(sock[s].events, 0u) : 0u; }
  Error error(int s) const override { return ok(s) ? sock[s].error : Error::BadCommand; }
  std::size_t rx_avail(int s) const override;
  std::size_t tx_free(int s) const override;
  Endpoint peer(int s) const override { return ok(s) ? sock[s].peer : Endpoint{}; }

  // The network side.
  void connected(int s);                      // a connect succeeded / a client was accepted
  void accept(int s, Endpoint from);          // a client connects to a listening socket
  void fail(int s, Error e);                  // connect or connection failure
  void deliver(int s, const std::string& b);  // TCP bytes arrive
  void deliver_dgram(int s, Endpoint from, const std::string& b);
  void peer_closed(int s);               // FIN from the peer
  std::size_t tx_capacity = kTcpBuffer;  // bytes the peer has not yet acknowledged, max

  Sock sock[kCount];

 private:
  static bool ok(int s) { return s >= 0 && s < kCount; }
};

class FakeLink final : public Link {
 public:
  void enable(bool on) override { st.enabled = on; }
  Status status() const override { return st; }
  std::uint32_t take_events() override { return std::exchange(events, 0u); }
  bool set_ip(const IpConfig& cfg) override {
    ipcfg = cfg;
    return true;
  }
  bool join(const char* ssid, const char* password) override;
  void leave() override { joined_ssid.clear(); }
  bool ap_start(const char* ssid, const char* password, std::uint32_t ip) override;
  void ap_stop() override { st.ap = false; }
  bool dns_start(const char* name) override {
    dns_name = name;
    return true;
  }
  int dns_result(std::uint32_t* ip) const override {
    if (dns_state == 1) *ip = dns_ip;
    return dns_state;
  }
  // The network side: a new status, and the LINK event that tells the firmware.
  void change(const Status& s) {
    st = s;
    events |= kLinkChanged;
  }
  // Ethernet with a DHCP address (the usual installation).
  static Status ethernet(std::uint32_t ip = 0xC0A80132);

  Status st{};
  std::uint32_t events = 0;
  IpConfig ipcfg{};
  std::string joined_ssid, ap_ssid, ap_password, dns_name;
  std::uint32_t ap_ip = 0, dns_ip = 0;
  int dns_state = 0;
};

class FakeConfig final : public ConfigView {
 public:
  void load() override { ++loads; }
  bool fuse_configured() const override { return fuse_da_ != 0; }
  std::uint32_t fuse_da() const override { return fuse_da_; }
  bool wifi_configured() const override { return !ssid.empty(); }
  void erase_wifi() override {
    ssid.clear();
    ++wifi_erases;
    ++gen;
  }
  std::uint32_t generation() const override { return gen; }

  std::uint32_t fuse_da_ = 400;  // 40 A
  std::string ssid;
  int loads = 0, wifi_erases = 0;
  std::uint32_t gen = 0;
};

// Every fake, wired as the controller's Ports.
struct Rig {
  FakeClock clock;
  FakeIdle idle{clock};
  FakeConsole console;
  FakeFlash flash;
  FakeAfe afe;
  FakeGpio gpio{clock};
  FakeWdt wdt{clock};
  FakeSystem system;
  FakeSockets sockets;
  FakeLink link;
  FakeConfig config;
  Ports ports() { return Ports{clock, idle, console, flash, afe, gpio, wdt, system, sockets, link}; }
};

}  // namespace lmc::fake
