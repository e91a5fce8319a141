// The controller application's ports (app/ports.h) on the virtual MCU, over the drivers in
// firmware/drivers/. Interrupt handlers (defined in ports_mcu.cpp) only move bytes and set
// flags: UART0 (TX/RX rings), GPIO (button edges), AFE (window ready), NETC (socket and link
// events), SysTick (the idle wake-up timer). Each handler also sets the "news" flag that ends
// Idle::wait_until. One instance: McuBoard::instance().
#pragma once
#include <cstddef>
#include <cstdint>

#include "app/ports.h"
#include "board/mcu.h"

namespace board {

class McuClock final : public lmc::Clock {
 public:
  std::uint64_t now_ms() const override;
  void init();

 private:
  // ms advanced from the last reading with 32-bit (hardware) division: the loop reads the
  // clock far more often than every 71 minutes.
  mutable std::uint64_t last_us_ = 0;
  mutable std::uint64_t ms_ = 0;
};

class McuIdle final : public lmc::Idle {
 public:
  explicit McuIdle(const McuClock& clock) : clock_(clock) {}
  void wait_until(std::uint64_t deadline_ms) override;

 private:
  const McuClock& clock_;
};

class McuConsole final : public lmc::Console {
 public:
  static constexpr std::size_t kTxRing = 4096, kRxRing = 256;
  void init();
  void write(const char* data, std::size_t n) override;
  std::size_t read(char* data, std::size_t n) override;
  void flush() override;
};

class McuFlash final : public lmc::Flash {
 public:
  // A window of the flash: the config area by default; the telemetry ring's region (lmsim.ld).
  constexpr McuFlash(std::uint32_t base = mcu::kConfigBase, std::uint32_t size = mcu::kConfigSize)
      : base_(base), size_(size) {}
  std::uint32_t size() const override;
  std::uint32_t page_size() const override;
  bool read(std::uint32_t offset, void* dst, std::size_t n) override;
  bool erase_page(std::uint32_t page) override;
  bool program(std::uint32_t offset, const void* src, std::size_t n) override;

 private:
  std::uint32_t base_, size_;
};

class McuAfe final : public lmc::Afe {
 public:
  // 1 s windows: one RMS per control cycle, and one wake-up per second for both.
  static constexpr std::uint32_t kWindowMs = 1000;
  void init();
  bool poll(lmc::AfeWindow& w) override;
};

class McuGpio final : public lmc::Gpio {
 public:
  void init();
  void led_power(bool on) override;
  void led_status(bool on) override;
  void relay(bool on) override;
  bool button_pressed() const override;
  bool input_24v(int n) const override;
};

class McuWdt final : public lmc::Wdt {
 public:
  void start(std::uint32_t timeout_ms) override;
  void feed() override;
};

class McuSystem final : public lmc::System {
 public:
  void init();
  std::uint32_t reset_cause() const override { return cause_; }
  const char* serial() const override { return serial_; }
  std::uint32_t supply_mv() const override;
  void set_reset_note(std::uint32_t note) override;
  std::uint32_t take_reset_note() override;
  void reset() override;

 private:
  std::uint32_t cause_ = 0;
  char serial_[17] = {};
};

class McuSockets final : public lmc::Sockets {
 public:
  void tcp_connect(int s, lmc::Endpoint peer, std::uint32_t timeout_ms) override;
  void tcp_listen(int s, std::uint16_t port) override;
  bool udp_open(int s, std::uint16_t port) override;
  std::size_t send(int s, const void* data, std::size_t n) override;
  bool send_to(int s, lmc::Endpoint to, const void* data, std::size_t n) override;
  std::size_t recv(int s, void* data, std::size_t n, lmc::Endpoint* from) override;
  void close(int s) override;
  void abort(int s) override;
  State state(int s) const override;
  std::uint32_t take_events(int s) override;
  Error error(int s) const override;
  std::size_t rx_avail(int s) const override;
  std::size_t tx_free(int s) const override;
  lmc::Endpoint peer(int s) const override;
};

class McuLink final : public lmc::Link {
 public:
  void enable(bool on) override;
  Status status() const override;
  std::uint32_t take_events() override;
  bool set_ip(const IpConfig& cfg) override;
  bool join(const char* ssid, const char* password) override;
  void leave() override;
  bool ap_start(const char* ssid, const char* password, std::uint32_t ip) override;
  void ap_stop() override;
  bool dns_start(const char* name) override;
  int dns_result(std::uint32_t* ip) const override;
};

struct McuBoard {
  McuClock clock;
  McuIdle idle{clock};
  McuConsole console;
  McuFlash flash;
  McuFlash telemetry_flash{mcu::kTelemetryBase, mcu::kTelemetrySize};  // the cloud's ring (CL-05)
  McuAfe afe;
  McuGpio gpio;
  McuWdt wdt;
  McuSystem system;
  McuSockets sockets;
  McuLink link;
  // Brings up every peripheral the ports use and enables their interrupts.
  void init();
  static McuBoard& instance();
};

}  // namespace board
