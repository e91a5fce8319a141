#include "models/mcu/uart.h"

#include <algorithm>

#include "models/mcu/power_reset.h"

namespace lmsim::mcu {

Uart::Uart(sc_core::sc_module_name name, Site& site, const YNode* device_cfg)
    : Peripheral(name, 0x1000),
      site_(site),
      tx_sig_(&site.registry().add_stream("device.uart0.tx").describe("bytes sent by the firmware on UART0")),
      rx_sig_(&site.registry()
                   .add_stream("device.uart0.rx")
                   .as_knob()
                   .describe("bytes to send to the firmware on UART0 (appended bytes arrive at the baud rate)")) {
  using R = RegisterBank;
  regs.add({.name = "DATA",
            .offset = DATA,
            .access = R::RW,
            .read = [this](Time t) { return read_data(t); },
            .write = [this](std::uint32_t v, Time t) { write_data(v, t); }});
  regs.add({.name = "STATUS",
            .offset = STATUS,
            .access = R::RW,
            .reset = TXNF | TC,
            .read = [this](Time t) { return status(t); },
            .write =
                [this](std::uint32_t v, Time t) {
                  flags_ &= ~(v & (RXOVR | TXOVR));  // write 1 to clear
                  update_irq(t);
                }});
  regs.add({.name = "CTRL",
            .offset = CTRL,
            .reset = CTRL_TXEN | CTRL_RXEN,
            .read = nullptr,
            .write = nullptr,
            .write_mask = CTRL_TXEN | CTRL_RXEN});
  regs.add(
      {.name = "BAUD", .offset = BAUD, .reset = kDefaultBaud, .read = nullptr, .write = [this](std::uint32_t v, Time) {
         set_baud(v);
       }});
  regs.add({.name = "IE", .offset = IE, .read = nullptr, .write = [this](std::uint32_t v, Time t) {
              ie_->value = v & (TXNF | TC | RXNE | RXOVR | TXOVR);
              update_irq(t);
            }});
  ctrl_ = regs.find(CTRL);
  ie_ = regs.find(IE);
  baud_ = regs.find(BAUD);
  set_baud(kDefaultBaud);
  rx_sig_->add_listener(this);

  SC_METHOD(on_tx_event);
  sensitive << tx_ev_;
  dont_initialize();
  SC_METHOD(on_rx_event);
  sensitive << rx_ev_;
  dont_initialize();
}

void Uart::end_of_elaboration() {
  follow_power(site_, [this](bool on, Time t) { power(on, t); });
}

void Uart::set_baud(std::uint32_t v) {
  if (v < kMinBaud || v > kMaxBaud) {
    site_.log(LogLevel::Warn, "device.uart0",
              "BAUD " + std::to_string(v) + " out of range " + std::to_string(kMinBaud) + ".." +
                  std::to_string(kMaxBaud) + ": ignored");
    return;
  }
  baud_->value = v;
  byte_time_ = (10 * kSec + v / 2) / v;  // start + 8 data + stop bits
}

std::uint32_t Uart::tx_in_flight(Time t) const {
  // Bytes are ordered by completion time: count those still on the wire from the back.
  std::uint32_t n = 0;
  for (auto it = tx_.rbegin(); it != tx_.rend() && it->end > t; ++it) ++n;
  return n;
}

std::uint32_t Uart::tx_fifo_level(Time t) const {
  std::uint32_t n = tx_in_flight(t);
  return n > 0 ? n - 1 : 0;  // one of them is in the shift register
}

std::uint32_t Uart::status(Time t) const {
  std::uint32_t fifo = tx_fifo_level(t);
  bool busy = tx_end_ > t;
  std::uint32_t s = flags_;
  if (fifo < kTxFifo) s |= TXNF;
  if (!busy)
    s |= TC;
  else
    s |= TXBUSY;
  if (!rx_fifo_.empty()) s |= RXNE;
  s |= std::min<std::uint32_t>(fifo, 255) << 8;
  s |= static_cast<std::uint32_t>(rx_fifo_.size()) << 16;
  return s;
}

void Uart::write_data(std::uint32_t v, Time t) {
  last_access_ = std::max(last_access_, t);
  if (!powered_ || !(ctrl_->value & CTRL_TXEN)) return;
  if (tx_fifo_level(t) >= kTxFifo) {
    flags_ |= TXOVR;  // a real UART drops the byte: firmware must poll TXNF
    update_irq(t);
    return;
  }
  Time start = std::max(t, tx_end_);
  tx_end_ = start + byte_time_;
  char c = static_cast<char>(v & 0xFF);
  tx_.push_back({tx_end_, c});
  // Wake at the end of this byte only if nothing is pending, or to log a line on time.
  if (!tx_ev_pending_ || c == '\n') schedule_tx(tx_end_);
  update_irq(t);
}

std::uint32_t Uart::read_data(Time t) {
  last_access_ = std::max(last_access_, t);
  if (rx_fifo_.empty()) return 0;
  std::uint32_t c = static_cast<unsigned char>(rx_fifo_.front());
  rx_fifo_.pop_front();
  update_irq(t);
  return c;
}

void Uart::schedule_tx(Time at) {
  if (tx_ev_pending_ && tx_ev_at_ <= at) return;
  tx_ev_pending_ = true;
  tx_ev_at_ = at;
  notify_at(tx_ev_, at);
}

void Uart::publish_tx(Time upto) {
  if (tx_.empty() || tx_.front().end > upto) return;
  std::string out;
  while (!tx_.empty() && tx_.front().end <= upto) {
    out.push_back(tx_.front().c);
    tx_.pop_front();
  }
  tx_sig_->append(out);
  for (char c : out) {
    if (c == '\n') {
      if (!line_.empty() && line_.back() == '\r') line_.pop_back();
      // Blank lines carry nothing in the run log (the stream signal keeps every byte).
      if (!line_.empty()) site_.log(LogLevel::Info, "device.uart0", line_);
      line_.clear();
    } else {
      line_.push_back(c);
    }
  }
}

void Uart::on_tx_event() {
  tx_ev_pending_ = false;
  Time now = sc_core::sc_time_stamp().value();
  publish_tx(now);
  update_irq(now);
  if (tx_.empty()) return;
  auto nl = std::find_if(tx_.begin(), tx_.end(), [](const TxByte& b) { return b.c == '\n'; });
  schedule_tx(nl != tx_.end() ? nl->end : tx_.back().end);
}

void Uart::update_irq(Time t) {
  std::uint32_t s = status(t);
  irq.set(powered_ && (s & ie_->value) != 0);
  // Level changes that depend only on time (FIFO draining) need a wake-up.
  if (tx_end_ > t) {
    if ((ie_->value & TC) || ((ie_->value & TXNF) && !(s & TXNF))) {
      // TXNF becomes true when the head of the FIFO starts; TC when the last byte ends.
      Time when = tx_end_;
      if ((ie_->value & TXNF) && !(s & TXNF)) {
        std::size_t in_flight = tx_in_flight(t);
        when = tx_[tx_.size() - in_flight].end;
      }
      schedule_tx(when);
    }
  }
}

void Uart::on_change(const Signal& s, Time t) {
  if (&s != rx_sig_) return;
  const std::string& all = s.text();
  if (all.size() <= rx_seen_) {
    rx_seen_ = all.size();
    return;
  }
  for (std::size_t i = rx_seen_; i < all.size(); ++i) rx_wire_.push_back(all[i]);
  rx_seen_ = all.size();
  if (!rx_active_ && !rx_wire_.empty()) {
    rx_active_ = true;
    rx_next_at_ = std::max<Time>(t, sc_core::sc_time_stamp().value()) + byte_time_;
    notify_at(rx_ev_, rx_next_at_);
  }
}

void Uart::on_rx_event() {
  Time now = sc_core::sc_time_stamp().value();
  if (!rx_wire_.empty()) {
    char c = rx_wire_.front();
    rx_wire_.pop_front();
    if (powered_ && (ctrl_->value & CTRL_RXEN)) {
      if (rx_fifo_.size() >= kRxFifo)
        flags_ |= RXOVR;
      else
        rx_fifo_.push_back(c);
      update_irq(now);
    }
  }
  rx_active_ = !rx_wire_.empty();
  if (rx_active_) {
    rx_next_at_ = now + byte_time_;
    notify_at(rx_ev_, rx_next_at_);
  }
}

void Uart::reset(ResetCause cause) {
  // Bytes already on the wire when the reset hits are delivered; the rest is lost.
  Time t = std::max<Time>(last_access_, sc_core::sc_time_stamp().value());
  publish_tx(t);
  tx_.clear();
  tx_end_ = 0;
  if (!line_.empty()) {
    site_.log(LogLevel::Info, "device.uart0", line_);
    line_.clear();
  }
  Peripheral::reset(cause);
  set_baud(kDefaultBaud);
  flags_ = 0;
  rx_fifo_.clear();
  tx_ev_pending_ = false;
  tx_ev_.cancel();
  irq.set(false);
}

void Uart::power(bool on, Time t) {
  if (!on) {
    last_access_ = std::max(last_access_, t);
    reset(ResetCause::PowerOn);
    rx_wire_.clear();
    rx_active_ = false;
    rx_ev_.cancel();
  }
  powered_ = on;
}

}  // namespace lmsim::mcu
