#include "board/ports_mcu.h"

#include <cstring>

#include "board/mcu.h"
#include "drivers/afe.h"
#include "drivers/flash.h"
#include "drivers/gpio.h"
#include "drivers/netc.h"
#include "drivers/power.h"
#include "drivers/uart.h"
#include "drivers/watchdog.h"

namespace board {
namespace {

drivers::Power power;
drivers::Uart uart;
drivers::Gpio gpio;
drivers::Afe afe;
drivers::Flash flashctl;
drivers::Watchdog watchdog;
drivers::Netc netc;

// Set by every interrupt handler that brought something for the loop; cleared by the idle
// wait once it has woken up.
volatile bool news = false;

// UART0 rings: the thread writes tx_head/reads rx_tail, the handler the other two.
char tx_ring[McuConsole::kTxRing];
volatile std::uint32_t tx_head = 0, tx_tail = 0;
char rx_ring[McuConsole::kRxRing];
volatile std::uint32_t rx_head = 0, rx_tail = 0;

volatile bool afe_ready = false;
volatile std::uint32_t sock_events[lmc::Sockets::kCount];
volatile std::uint32_t link_events = 0;

// Survives a warm reset (.noinit); the check words tell garbage after a power loss from a note.
struct Note {
  std::uint32_t magic, note, check;
};
constexpr std::uint32_t kNoteMagic = 0x4E4F5445;  // "NOTE"
__attribute__((section(".noinit"))) Note reset_note_ram;

constexpr std::uint32_t kSystCsrEnable = 1, kSystCsrTickint = 2;  // CLKSOURCE 0: 1 MHz reference
constexpr std::uint32_t kSystMaxTicks = 0xFFFFFF;

std::uint32_t netc_reg(std::uint32_t off) {
  return mcu::reg(mcu::kNetcBase + off);
}

}  // namespace

// ---- clock and idle ----
void McuClock::init() {
  last_us_ = power.uptime_us();
  ms_ = 0;
}

std::uint64_t McuClock::now_ms() const {
  std::uint64_t us = power.uptime_us();
  std::uint64_t d = us - last_us_;
  if (d >> 32) {  // not read for over 71 minutes: once, the slow way
    ms_ += d / 1000;
    last_us_ += d / 1000 * 1000;
    d = us - last_us_;
  }
  std::uint32_t ms = static_cast<std::uint32_t>(d) / 1000u;
  ms_ += ms;
  last_us_ += static_cast<std::uint64_t>(ms) * 1000u;
  return ms_;
}

void McuIdle::wait_until(std::uint64_t deadline_ms) {
  std::uint64_t now = clock_.now_ms();
  if (deadline_ms <= now) return;
  std::uint64_t us = (deadline_ms - now) * 1000;
  std::uint32_t ticks = us > kSystMaxTicks ? kSystMaxTicks : static_cast<std::uint32_t>(us);
  // SysTick on the 1 MHz reference as a one-shot wake-up (tickless: no periodic tick).
  mcu::reg(mcu::scs::SYST_CSR) = 0;
  mcu::reg(mcu::scs::SYST_RVR) = ticks - 1;
  mcu::reg(mcu::scs::SYST_CVR) = 0;
  mcu::reg(mcu::scs::SYST_CSR) = kSystCsrEnable | kSystCsrTickint;
  // Masked check-then-sleep: an interrupt between the check and WFI still ends the WFI. An
  // interrupt without news for the loop (a UART TX byte) sends the core back to sleep.
  for (;;) {
    mcu::disable_irq();
    if (news) {
      mcu::enable_irq();
      break;
    }
    mcu::wfi();
    mcu::enable_irq();  // the pending handlers run here
  }
  news = false;
  mcu::reg(mcu::scs::SYST_CSR) = 0;
}

// ---- console ----
void McuConsole::init() {
  uart.init(115200);
  uart.enable_rx_irq(true);
  mcu::nvic_enable(mcu::UART0_IRQn);
}

void McuConsole::write(const char* data, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    // Full: wait for the handler to drain (never longer than the UART needs).
    while (tx_head - tx_tail >= kTxRing) {
      mcu::disable_irq();
      if (tx_head - tx_tail >= kTxRing) mcu::wfi();
      mcu::enable_irq();
    }
    tx_ring[tx_head % kTxRing] = data[i];
    tx_head = tx_head + 1;
  }
  mcu::disable_irq();
  auto& ie = mcu::reg(mcu::kUart0Base + drivers::Uart::IE);
  ie = ie | drivers::Uart::TXNF;
  mcu::enable_irq();
}

std::size_t McuConsole::read(char* data, std::size_t n) {
  std::size_t k = 0;
  while (k < n && rx_tail != rx_head) {
    data[k++] = rx_ring[rx_tail % kRxRing];
    rx_tail = rx_tail + 1;
  }
  return k;
}

void McuConsole::flush() {
  while (tx_tail != tx_head) {
    mcu::disable_irq();
    if (tx_tail != tx_head) mcu::wfi();
    mcu::enable_irq();
  }
  uart.flush();
}

// ---- flash: a window [base_, base_ + size_) (the config area, the last 64 KiB, by default) ----
std::uint32_t McuFlash::size() const {
  return size_;
}
std::uint32_t McuFlash::page_size() const {
  return mcu::kFlashPage;
}
bool McuFlash::read(std::uint32_t offset, void* dst, std::size_t n) {
  if (offset > size_ || n > size_ - offset) return false;
  std::memcpy(dst, reinterpret_cast<const void*>(static_cast<std::uintptr_t>(base_ + offset)), n);
  return true;
}
bool McuFlash::erase_page(std::uint32_t page) {
  if (page >= size_ / mcu::kFlashPage) return false;
  return flashctl.erase_page(base_ + page * mcu::kFlashPage) == drivers::Flash::Result::Ok;
}
bool McuFlash::program(std::uint32_t offset, const void* src, std::size_t n) {
  if ((offset | n) & 3u || offset > size_ || n > size_ - offset) return false;
  return flashctl.program(base_ + offset, src, n) == drivers::Flash::Result::Ok;
}

// ---- AFE ----
void McuAfe::init() {
  if (!afe.present()) return;
  afe.init(kWindowMs, true);
  mcu::nvic_enable(mcu::AFE_IRQn);
}

bool McuAfe::poll(lmc::AfeWindow& w) {
  if (!afe_ready) return false;
  afe_ready = false;
  w.windows = afe.windows();
  w.freq_mhz = afe.frequency_mhz();
  w.in_ma = afe.neutral_ma();
  w.voltage_present = static_cast<std::uint8_t>(afe.voltage_present());
  w.phase_sequence = static_cast<std::uint8_t>(afe.sequence());
  for (int c = 0; c < 3; ++c) {
    drivers::Afe::Phase p;
    afe.read(c, p);
    auto& o = w.ch[c];
    o.vrms_mv = p.vrms_mv;
    o.irms_ma = p.irms_ma;
    o.p_mw = p.p_mw;
    o.q_mvar = p.q_mvar;
    o.s_mva = p.s_mva;
    o.pf_e4 = p.pf_e4;
    o.angle_cdeg = p.angle_cdeg;
    o.import_mwh = p.import_mwh;
    o.export_mwh = p.export_mwh;
  }
  return true;
}

// ---- GPIO ----
void McuGpio::init() {
  gpio.take_edges();
  gpio.irq_on_edges(drivers::Gpio::BUTTON_RESET, true, true);
  gpio.irq_on_edges(drivers::Gpio::RIPPLE_IN1, true, true);
  gpio.irq_on_edges(drivers::Gpio::RIPPLE_IN2, true, true);
  mcu::nvic_enable(mcu::GPIO_IRQn);
}
void McuGpio::led_power(bool on) {
  gpio.set(drivers::Gpio::LED_POWER, on);
}
void McuGpio::led_status(bool on) {
  gpio.set(drivers::Gpio::LED_STATUS, on);
}
void McuGpio::relay(bool on) {
  gpio.set(drivers::Gpio::RELAY, on);
}
bool McuGpio::button_pressed() const {
  return gpio.read(drivers::Gpio::BUTTON_RESET);
}
bool McuGpio::input_24v(int n) const {
  if (n == 1) return gpio.read(drivers::Gpio::RIPPLE_IN1);
  if (n == 2) return gpio.read(drivers::Gpio::RIPPLE_IN2);
  return false;
}

// ---- watchdog ----
void McuWdt::start(std::uint32_t timeout_ms) {
  watchdog.start(timeout_ms);
}
void McuWdt::feed() {
  watchdog.kick();
}

// ---- system ----
void McuSystem::init() {
  // Take (read and clear) the causes so the next boot sees only its own.
  cause_ = power.take_reset_cause();
  power.serial(serial_);
  // After a power loss RAM is garbage: whatever the note area holds is not a note.
  if (cause_ & (drivers::Power::POWER_ON | drivers::Power::BROWN_OUT)) reset_note_ram.magic = 0;
}
std::uint32_t McuSystem::supply_mv() const {
  return power.supply_mv();
}
void McuSystem::set_reset_note(std::uint32_t note) {
  reset_note_ram.note = note;
  reset_note_ram.check = ~note;
  reset_note_ram.magic = kNoteMagic;
}
std::uint32_t McuSystem::take_reset_note() {
  Note n = reset_note_ram;
  reset_note_ram.magic = 0;
  return n.magic == kNoteMagic && n.check == ~n.note ? n.note : 0;
}
void McuSystem::reset() {
  power.software_reset();
  for (;;) mcu::wfi();
}

// ---- sockets ----
namespace {
void arm_socket(int s) {
  mcu::disable_irq();
  sock_events[s] = 0;
  mcu::enable_irq();
  netc.irq_enable(s, 0x1F);
}
bool valid(int s) {
  return s >= 0 && s < lmc::Sockets::kCount;
}
}  // namespace

void McuSockets::tcp_connect(int s, lmc::Endpoint peer, std::uint32_t timeout_ms) {
  if (!valid(s)) return;
  arm_socket(s);
  netc.tcp_connect(s, peer.ip, peer.port, timeout_ms);
}
void McuSockets::tcp_listen(int s, std::uint16_t port) {
  if (!valid(s)) return;
  arm_socket(s);
  netc.tcp_listen(s, port);
}
bool McuSockets::udp_open(int s, std::uint16_t port) {
  if (!valid(s) || netc.status(s) != drivers::Netc::CLOSED) return false;
  arm_socket(s);
  return netc.udp_open(s, port);
}
std::size_t McuSockets::send(int s, const void* data, std::size_t n) {
  if (!valid(s)) return 0;
  return netc.send(s, data, static_cast<std::uint32_t>(n > 65535 ? 65535 : n));
}
bool McuSockets::send_to(int s, lmc::Endpoint to, const void* data, std::size_t n) {
  if (!valid(s) || n > kUdpMax) return false;
  netc.set_peer(s, to.ip, to.port);
  return netc.send(s, data, static_cast<std::uint32_t>(n)) == n;
}
std::size_t McuSockets::recv(int s, void* data, std::size_t n, lmc::Endpoint* from) {
  if (!valid(s)) return 0;
  std::size_t k = netc.recv(s, data, static_cast<std::uint32_t>(n > 65535 ? 65535 : n));
  if (from) *from = peer(s);
  return k;
}
void McuSockets::close(int s) {
  if (valid(s)) netc.close(s);
}
void McuSockets::abort(int s) {
  if (valid(s)) netc.abort(s);
}
lmc::Sockets::State McuSockets::state(int s) const {
  if (!valid(s)) return State::Closed;
  std::uint32_t st = netc.status(s);
  return st <= 6 ? static_cast<State>(st) : State::Closed;  // same numbering as S_STATUS
}
std::uint32_t McuSockets::take_events(int s) {
  if (!valid(s)) return 0;
  mcu::disable_irq();
  std::uint32_t e = sock_events[s];
  sock_events[s] = 0;
  mcu::enable_irq();
  return e;
}
lmc::Sockets::Error McuSockets::error(int s) const {
  return valid(s) ? static_cast<Error>(netc.error(s)) : Error::BadCommand;
}
std::size_t McuSockets::rx_avail(int s) const {
  return valid(s) ? netc.rx_avail(s) : 0;
}
std::size_t McuSockets::tx_free(int s) const {
  return valid(s) ? netc.tx_free(s) : 0;
}
lmc::Endpoint McuSockets::peer(int s) const {
  if (!valid(s)) return {};
  return {netc.peer_ip(s), static_cast<std::uint16_t>(
                               netc_reg(0x100 + 0x40 * static_cast<std::uint32_t>(s) + drivers::Netc::S_PEER_PORT))};
}

// ---- link ----
void McuLink::enable(bool on) {
  if (!netc.present()) return;
  if (on) {
    // Socket bits too: a socket event ends the loop's sleep (docs/firmware.md).
    netc.enable(drivers::Netc::IRQ_LINK | drivers::Netc::IRQ_SCAN | drivers::Netc::IRQ_DNS | drivers::Netc::IRQ_AP |
                drivers::Netc::IRQ_SOCKETS);
    mcu::nvic_enable(mcu::NETC_IRQn);
  } else {
    netc.disable();
  }
}
lmc::Link::Status McuLink::status() const {
  Status s;
  if (!netc.present()) return s;
  std::uint32_t l = netc.link();
  s.enabled = netc_reg(drivers::Netc::CTRL) & 1u;
  s.eth_carrier = l & drivers::Netc::LINK_ETH_CARRIER;
  s.eth_ip = l & drivers::Netc::LINK_ETH_IP;
  s.wifi_up = l & drivers::Netc::LINK_WIFI_UP;
  s.ap = l & drivers::Netc::LINK_AP;
  s.has_ip = l & drivers::Netc::LINK_HAS_IP;
  std::uint32_t w = (l >> 8) & 0xF;
  s.wifi = w <= 5 ? static_cast<Wifi>(w) : Wifi::Failed;
  s.ap_clients = static_cast<std::uint8_t>((l >> 16) & 0xFF);
  s.wifi_reason = static_cast<std::uint16_t>(netc.wifi_reason());
  s.rssi = static_cast<std::int8_t>(netc.rssi());
  s.ip = netc.ip();
  s.netmask = netc_reg(drivers::Netc::NETMASK);
  s.gateway = netc_reg(drivers::Netc::GATEWAY);
  s.dns = netc_reg(drivers::Netc::DNS);
  return s;
}
std::uint32_t McuLink::take_events() {
  mcu::disable_irq();
  std::uint32_t e = link_events;
  link_events = 0;
  mcu::enable_irq();
  return e;
}
bool McuLink::set_ip(const IpConfig& c) {
  netc.set_static(!c.dhcp, c.ip, c.netmask, c.gateway, c.dns);
  return netc.cmd_status() != drivers::Netc::FAILED;
}
bool McuLink::join(const char* ssid, const char* password) {
  return netc.join(ssid, password);
}
void McuLink::leave() {
  netc.leave();
}
bool McuLink::ap_start(const char* ssid, const char* password, std::uint32_t ip) {
  return netc.ap_start(ssid, password, ip);
}
void McuLink::ap_stop() {
  netc.ap_stop();
}
bool McuLink::dns_start(const char* name) {
  return netc.dns_start(name);
}
int McuLink::dns_result(std::uint32_t* ip) const {
  return netc.dns_poll(ip);
}

// ---- the board ----
void McuBoard::init() {
  system.init();
  clock.init();
  console.init();
  gpio.init();
  afe.init();
  mcu::enable_irq();
}

namespace {
McuBoard the_board;
}

McuBoard& McuBoard::instance() {
  return the_board;
}

}  // namespace board

// ---- interrupt handlers: move bytes, set flags ----
extern "C" {

void SysTick_Handler() {
  mcu::reg(mcu::scs::SYST_CSR) = 0;  // one-shot
  board::news = true;
}

void UART0_IRQHandler() {
  using U = drivers::Uart;
  const std::uint32_t base = mcu::kUart0Base;
  std::uint32_t st = mcu::reg(base + U::STATUS);
  bool got = false;
  while (st & U::RXNE) {
    char c = static_cast<char>(mcu::reg(base + U::DATA) & 0xFF);
    if (board::rx_head - board::rx_tail < board::McuConsole::kRxRing) {
      board::rx_ring[board::rx_head % board::McuConsole::kRxRing] = c;
      board::rx_head = board::rx_head + 1;
    }
    got = true;
    st = mcu::reg(base + U::STATUS);
  }
  if (st & U::RXOVR) mcu::reg(base + U::STATUS) = U::RXOVR;
  while ((st & U::TXNF) && board::tx_tail != board::tx_head) {
    mcu::reg(base + U::DATA) = static_cast<unsigned char>(board::tx_ring[board::tx_tail % board::McuConsole::kTxRing]);
    board::tx_tail = board::tx_tail + 1;
    st = mcu::reg(base + U::STATUS);
  }
  if (board::tx_tail == board::tx_head) {
    auto& ie = mcu::reg(base + U::IE);
    ie = ie & ~U::TXNF;
  }
  if (got) board::news = true;
}

void GPIO_IRQHandler() {
  board::gpio.take_edges();
  board::news = true;
}

void AFE_IRQHandler() {
  if (board::afe.ready(true)) board::afe_ready = true;
  board::news = true;
}

void NETC_IRQHandler() {
  std::uint32_t st = board::netc.irq_status();
  std::uint32_t global = st & 0xFu;
  if (global) {
    board::link_events = board::link_events | global;
    board::netc.irq_clear(global);
  }
  for (int s = 0; s < lmc::Sockets::kCount; ++s) {
    if (!(st & drivers::Netc::irq_sock(s))) continue;
    std::uint32_t f = board::netc.flags(s);
    board::sock_events[s] = board::sock_events[s] | f;
    board::netc.clear(s, f);
  }
  board::news = true;
}
}
