// Modbus TCP client side, for the station drivers: encodes requests (assigning transaction
// ids), decodes responses from the byte stream (partial frames, several per read), matches
// them to the pending requests by transaction id and checks them against the request
// (function, unit, byte count, echoed address/value). Exception responses are surfaced.
#pragma once
#include <cstddef>
#include <cstdint>

#include "app/modbus/frame.h"

namespace lmc::modbus {

struct Request {
  std::uint8_t unit = 1;
  std::uint8_t function = 0;
  std::uint16_t address = 0;                 // FC 23: the read address
  std::uint16_t count = 0;                   // FC 23: the read count; FC 5, 6: ignored (1)
  const std::uint16_t* registers = nullptr;  // FC 6 (registers[0]), 16, 23: values to write
  const std::uint8_t* bits = nullptr;        // FC 15: packed LSB first
  bool coil = false;                         // FC 5: the new state
  std::uint16_t write_address = 0;           // FC 23 only
  std::uint16_t write_count = 0;             // FC 23 only

  static Request read_coils(std::uint8_t unit, std::uint16_t address, std::uint16_t count);
  static Request read_discrete_inputs(std::uint8_t unit, std::uint16_t address, std::uint16_t count);
  static Request read_holding(std::uint8_t unit, std::uint16_t address, std::uint16_t count);
  static Request read_input(std::uint8_t unit, std::uint16_t address, std::uint16_t count);
  static Request write_coil(std::uint8_t unit, std::uint16_t address, bool on);
  static Request write_register(std::uint8_t unit, std::uint16_t address, const std::uint16_t* value);
  static Request write_coils(std::uint8_t unit, std::uint16_t address, std::uint16_t count, const std::uint8_t* packed);
  static Request write_registers(std::uint8_t unit, std::uint16_t address, std::uint16_t count,
                                 const std::uint16_t* values);
  static Request read_write_registers(std::uint8_t unit, std::uint16_t read_address, std::uint16_t read_count,
                                      std::uint16_t write_address, std::uint16_t write_count,
                                      const std::uint16_t* values);
};

struct Response {
  std::uint16_t transaction = 0;
  std::uint8_t unit = 0;
  std::uint8_t function = 0;               // the request's function code (without the exception bit)
  Exception exception = Exception::kNone;  // kNone: a normal response
  std::uint16_t address = 0;               // the request's (read) address
  std::uint16_t count = 0;                 // the request's (read) count
  // Read data as on the wire: registers big-endian, bits packed LSB first.
  std::uint8_t data[kMaxPduSize] = {};
  std::size_t data_size = 0;

  bool ok() const { return exception == Exception::kNone; }
  std::uint16_t reg(std::size_t i) const { return get_be16(data + 2 * i); }
  // Copies count registers into out (host order).
  void registers(std::uint16_t* out) const;
  bool bit(std::size_t i) const { return (data[i / 8] >> (i % 8)) & 1U; }
};

class Client {
 public:
  static constexpr std::size_t kMaxPending = 4;

  enum class Result : std::uint8_t {
    kNeedMore,  // every byte was consumed; no complete response yet
    kResponse,  // out holds a response to a pending request; call feed again with the rest
    kError,     // not a valid response to what was asked: close the connection
  };

  // Writes one request ADU into out (cap >= kMaxAduSize always suffices). Returns its size, or
  // 0 when the request is invalid (count out of range, missing data), out is too small or
  // kMaxPending requests are outstanding. *transaction receives the id when not null.
  std::size_t encode(const Request& r, std::uint8_t* out, std::size_t cap, std::uint16_t* transaction = nullptr);

  // Consumes bytes (advancing data and n) up to the end of one frame. Responses with an
  // unknown transaction id (e.g. late answers to a cancelled request) are skipped.
  Result feed(const std::uint8_t*& data, std::size_t& n, Response& out);

  // Gives up waiting for a response (timeout): a late answer will be skipped.
  void cancel(std::uint16_t transaction);
  // New connection: forgets pending requests and any partial frame.
  void reset();
  std::size_t pending() const;
  std::uint32_t skipped() const { return skipped_; }

 private:
  struct Pending {
    bool used = false;
    std::uint16_t transaction = 0;
    std::uint8_t unit = 0;
    std::uint8_t function = 0;
    std::uint16_t address = 0;
    std::uint16_t count = 0;
    std::uint16_t value = 0;  // FC 5/6: the value to be echoed
  };
  // Checks the complete frame in rx_ against its pending request.
  Result decode(Response& out);

  Pending pending_[kMaxPending] = {};
  std::uint16_t next_transaction_ = 1;
  AduReader rx_;
  std::uint32_t skipped_ = 0;
};

}  // namespace lmc::modbus
