// The narrow interfaces through which the controller application reaches its hardware.
// firmware/board implements them for the virtual MCU; host tests implement them as fakes.
// No HAL, board or simulator header may be included by anything under firmware/app/.
//
// Interfaces have protected non-virtual destructors: objects are static, never deleted
// through a port pointer, and no operator delete must be linked into the firmware.
#pragma once
#include <cstddef>
#include <cstdint>

namespace lmc {

// Monotonic milliseconds since boot.
class Clock {
 public:
  virtual std::uint64_t now_ms() const = 0;

 protected:
  ~Clock() = default;
};

// Where the event loop sleeps (WFI on the device): returns at deadline_ms at the latest, or
// earlier as soon as an interrupt brought news (a byte, an edge, a socket event, a window).
// Returning early without news is allowed; the loop re-checks everything after each return.
class Idle {
 public:
  virtual void wait_until(std::uint64_t deadline_ms) = 0;

 protected:
  ~Idle() = default;
};

// The console (UART0): the log goes out here; installer commands may come in.
class Console {
 public:
  // Queues bytes for output; never blocks longer than the UART needs to drain them.
  virtual void write(const char* data, std::size_t n) = 0;
  // Non-blocking: copies up to n received bytes, returns how many.
  virtual std::size_t read(char* data, std::size_t n) = 0;
  // Blocks until every queued byte has left the wire (before a deliberate reset).
  virtual void flush() = 0;

 protected:
  ~Console() = default;
};

// The flash config area (NOR: erase sets a page to 0xFF, program clears bits, word-aligned).
// Offsets are relative to the start of the area. Operations block until the flash is done;
// a supply cut during one leaves the page in a torn state (see docs/mcu-peripherals.md).
class Flash {
 public:
  virtual std::uint32_t size() const = 0;
  virtual std::uint32_t page_size() const = 0;
  virtual bool read(std::uint32_t offset, void* dst, std::size_t n) = 0;
  virtual bool erase_page(std::uint32_t page) = 0;
  // offset and n multiples of 4.
  virtual bool program(std::uint32_t offset, const void* src, std::size_t n) = 0;

 protected:
  ~Flash() = default;
};

// One integration window of the metering front end (docs/mcu-afe.md), raw register units.
struct AfePhase {
  std::uint32_t vrms_mv = 0;
  std::uint32_t irms_ma = 0;
  std::int32_t p_mw = 0;
  std::int32_t q_mvar = 0;
  std::uint32_t s_mva = 0;
  std::int32_t pf_e4 = 0;
  std::int32_t angle_cdeg = 0;
  std::uint64_t import_mwh = 0;
  std::uint64_t export_mwh = 0;
};
struct AfeWindow {
  std::uint32_t windows = 0;         // the AFE's window counter (wraps)
  std::uint32_t freq_mhz = 0;        // 0: no voltage on any channel
  std::uint32_t in_ma = 0;           // neutral current (RMS of the sum)
  std::uint8_t voltage_present = 0;  // bit c: channel c has > 50 V
  std::uint8_t phase_sequence = 0;   // 0 unknown, 1 forward (L1-L2-L3), 2 reversed
  AfePhase ch[3];
};

class Afe {
 public:
  // True when a window completed since the last call; fills w with its results.
  virtual bool poll(AfeWindow& w) = 0;

 protected:
  ~Afe() = default;
};

// Front panel and digital inputs.
class Gpio {
 public:
  virtual void led_power(bool on) = 0;
  virtual void led_status(bool on) = 0;
  virtual void relay(bool on) = 0;
  virtual bool button_pressed() const = 0;
  // 24 V input n (1 or 2): true when 24 V is present.
  virtual bool input_24v(int n) const = 0;

 protected:
  ~Gpio() = default;
};

// The hardware watchdog: once started it cannot be stopped; a missed feed resets the device.
class Wdt {
 public:
  virtual void start(std::uint32_t timeout_ms) = 0;
  virtual void feed() = 0;

 protected:
  ~Wdt() = default;
};

// Identity and reset control of the device.
class System {
 public:
  // Reset cause bits as the PWR block reports them: power-on 1, brown-out 2, watchdog 4,
  // software 8, pin 16, lock-up 32.
  virtual std::uint32_t reset_cause() const = 0;
  virtual const char* serial() const = 0;
  // Supply voltage in mV (for the power-loss check before a flash write).
  virtual std::uint32_t supply_mv() const = 0;
  // A word that survives a warm reset (watchdog, software) but not a power loss (.noinit RAM
  // with a check word): why the firmware itself reset, for the next boot's banner. 0 = none.
  virtual void set_reset_note(std::uint32_t note) = 0;
  // The note left before the last reset (0 after a power loss), and clears it.
  virtual std::uint32_t take_reset_note() = 0;
  // Software reset. Never returns on the device; a host fake records it and returns.
  virtual void reset() = 0;

 protected:
  ~System() = default;
};

// The network controller (docs/mcu-netc.md: a socket offload part, WIZnet/ESP-AT style): it
// runs DHCP, DNS, TCP and UDP itself. Sockets are numbered 0..kCount-1 and owned by whoever
// the controller assigns them to (docs/firmware.md). Every call is non-blocking; outcomes
// arrive as events (take_events) and the loop is woken when one arrives.
struct Endpoint {
  std::uint32_t ip = 0;  // IPv4, host order (192.168.1.1 = 0xC0A80101)
  std::uint16_t port = 0;
};

class Sockets {
 public:
  static constexpr int kCount = 16;                // app/socket_plan.h says who owns which
  static constexpr std::size_t kTcpBuffer = 4096;  // per socket and direction (flow control)
  static constexpr std::size_t kUdpMax = 1472;     // largest datagram
  enum class State : std::uint8_t { Closed, Udp, Listen, Connecting, Established, CloseWait, Closing };
  // Events since the last take_events(s), latched by the interrupt handler.
  enum Event : std::uint32_t { kConnected = 1, kRx = 2, kTxDone = 4, kClosed = 8, kError = 16 };
  enum class Error : std::uint8_t {
    None = 0,
    Refused = 1,       // RST to our SYN
    Timeout = 2,       // connect timeout
    Reset = 3,         // RST on an established connection
    NoLink = 4,        // no address, or the link went away
    RetryTimeout = 6,  // data unacknowledged after the retransmissions
    Aborted = 7,
    BadCommand = 8,
    DmaFault = 9,
    PortInUse = 10,
    NoNetwork = 11,
  };

  // TCP client: the outcome is kConnected, or kError with Refused/Timeout/NoLink.
  virtual void tcp_connect(int s, Endpoint peer, std::uint32_t timeout_ms) = 0;
  // TCP server: the socket itself becomes the connection when a client connects (kConnected;
  // peer() tells who); listen again after it has closed.
  virtual void tcp_listen(int s, std::uint16_t port) = 0;
  // UDP: bind to a local port (0: any). False if the socket is not closed.
  virtual bool udp_open(int s, std::uint16_t port) = 0;
  // TCP: bytes accepted into the send buffer (may be fewer than n).
  virtual std::size_t send(int s, const void* data, std::size_t n) = 0;
  // UDP: one datagram (n <= kUdpMax) to `to`; false if it was not sent.
  virtual bool send_to(int s, Endpoint to, const void* data, std::size_t n) = 0;
  // TCP: up to n bytes of the stream. UDP: one datagram (truncated to n), its source in *from.
  // kRx is latched once per arrival: after it, read until rx_avail() is 0.
  virtual std::size_t recv(int s, void* data, std::size_t n, Endpoint* from = nullptr) = 0;
  virtual void close(int s) = 0;  // TCP: FIN after the queued data; UDP: unbind
  virtual void abort(int s) = 0;  // TCP: RST; always frees the socket
  virtual State state(int s) const = 0;
  virtual std::uint32_t take_events(int s) = 0;
  virtual Error error(int s) const = 0;
  virtual std::size_t rx_avail(int s) const = 0;  // TCP: bytes buffered; UDP: next datagram's size
  virtual std::size_t tx_free(int s) const = 0;
  virtual Endpoint peer(int s) const = 0;

 protected:
  ~Sockets() = default;
};

// Link state and the controller's global commands (Ethernet, Wi-Fi station, hotspot, DNS).
class Link {
 public:
  enum class Wifi : std::uint8_t { Idle, Scanning, Connecting, GettingIp, Connected, Failed };
  struct Status {
    bool enabled = false;
    bool eth_carrier = false;
    bool eth_ip = false;
    bool wifi_up = false;  // joined with an address
    bool ap = false;       // hotspot beaconing
    bool has_ip = false;   // the LAN interface in use has an address
    Wifi wifi = Wifi::Idle;
    std::uint8_t ap_clients = 0;
    std::uint16_t wifi_reason = 0;  // last failure (ESP32 codes, docs/mcu-netc.md)
    std::int8_t rssi = 0;
    std::uint32_t ip = 0, netmask = 0, gateway = 0, dns = 0;
  };
  struct IpConfig {
    bool dhcp = true;
    std::uint32_t ip = 0, netmask = 0, gateway = 0, dns = 0;
  };
  // Events since the last take_events(), latched by the interrupt handler.
  enum Event : std::uint32_t { kLinkChanged = 1, kScanDone = 2, kDnsDone = 4, kApEvent = 8 };

  virtual void enable(bool on) = 0;
  virtual Status status() const = 0;
  virtual std::uint32_t take_events() = 0;
  virtual bool set_ip(const IpConfig& cfg) = 0;
  // Wi-Fi station: ssid <= 32, password <= 64 characters. Outcome: kLinkChanged.
  virtual bool join(const char* ssid, const char* password) = 0;
  virtual void leave() = 0;
  // Hotspot at address ip (/24; clients get the next addresses): password empty (open) or
  // >= 8 characters. Beacons follow as kLinkChanged.
  virtual bool ap_start(const char* ssid, const char* password, std::uint32_t ip) = 0;
  virtual void ap_stop() = 0;
  // DNS: start; dns_result() is 0 while busy, 1 resolved (*ip set), -1 failed (kDnsDone).
  virtual bool dns_start(const char* name) = 0;
  virtual int dns_result(std::uint32_t* ip) const = 0;

 protected:
  ~Link() = default;
};

}  // namespace lmc
