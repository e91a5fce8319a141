// UART0: the device console. TX bytes leave at the configured baud rate (10 bit times per
// byte) through a 16-byte FIFO; they are published to the stream `device.uart0.tx` and to the
// run log one line per '\n'. RX bytes injected through the knob stream `device.uart0.rx` arrive
// at the baud rate into a 32-byte FIFO with an interrupt. Registers: docs/mcu-peripherals.md.
//
// TX costs no SystemC event per byte: each byte's completion time is computed when it is
// written, the FIFO level is derived from those times at the access time, and one event
// publishes everything completed so far (one event per line, or per FIFO-full burst of a
// long line), so each log line carries the time its '\n' left the wire.
#pragma once
#include <cstdint>
#include <deque>
#include <string>

#include "models/mcu/peripheral.h"
#include "sim/site.h"

namespace lmsim::mcu {

class Uart : public Peripheral, private ChangeListener {
 public:
  static constexpr std::uint32_t kTxFifo = 16, kRxFifo = 32;
  static constexpr std::uint32_t kDefaultBaud = 115200, kMinBaud = 300, kMaxBaud = 4000000;
  // Register offsets and bits (see the table in the constructor).
  enum : std::uint32_t { DATA = 0x00, STATUS = 0x04, CTRL = 0x08, BAUD = 0x0C, IE = 0x10 };
  enum : std::uint32_t {
    TXNF = 1u << 0,
    TC = 1u << 1,
    RXNE = 1u << 2,
    RXOVR = 1u << 3,
    TXOVR = 1u << 4,
    TXBUSY = 1u << 5
  };
  enum : std::uint32_t { CTRL_TXEN = 1u << 0, CTRL_RXEN = 1u << 1 };

  SC_HAS_PROCESS(Uart);
  Uart(sc_core::sc_module_name name, Site& site, const YNode* device_cfg);

  IrqLine irq;
  void reset(ResetCause cause) override;
  // Supply of the peripheral (wired to the power controller at end of elaboration).
  void power(bool on, Time t);

  // One byte on the wire lasts this long at the current baud rate.
  Time byte_time() const { return byte_time_; }

 private:
  struct TxByte {
    Time end;  // when its stop bit has left the wire
    char c;
  };
  void end_of_elaboration() override;
  void on_change(const Signal& s, Time t) override;

  void write_data(std::uint32_t v, Time t);
  std::uint32_t read_data(Time t);
  std::uint32_t status(Time t) const;
  // Bytes written but not yet started (FIFO) and all bytes still on the wire, at time t.
  std::uint32_t tx_fifo_level(Time t) const;
  std::uint32_t tx_in_flight(Time t) const;
  void publish_tx(Time upto);
  void update_irq(Time t);
  void schedule_tx(Time at);
  void on_tx_event();
  void on_rx_event();
  void set_baud(std::uint32_t v);

  Site& site_;
  Signal* tx_sig_;
  Signal* rx_sig_;
  RegisterBank::Reg* ctrl_ = nullptr;
  RegisterBank::Reg* ie_ = nullptr;
  RegisterBank::Reg* baud_ = nullptr;

  // Model state (plain members: can be snapshotted).
  bool powered_ = true;
  Time byte_time_ = 0;
  Time tx_end_ = 0;  // completion time of the last queued byte
  std::deque<TxByte> tx_;
  std::uint32_t flags_ = 0;  // sticky RXOVR/TXOVR
  std::string line_;         // partial console line for the run log
  std::deque<char> rx_fifo_;
  std::deque<char> rx_wire_;  // injected, not yet arrived
  std::size_t rx_seen_ = 0;   // bytes of the rx stream already taken
  bool rx_active_ = false;
  Time rx_next_at_ = 0;  // arrival of the next injected byte while rx_active_
  bool tx_ev_pending_ = false;
  Time tx_ev_at_ = 0;
  Time last_access_ = 0;

  sc_core::sc_event tx_ev_, rx_ev_;
};

}  // namespace lmsim::mcu
