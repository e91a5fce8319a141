// Modbus TCP server side: one ServerSession per TCP connection decodes requests from the byte
// stream (partial frames, several frames per read), checks them as the Application Protocol
// v1.1b3 state diagrams do (function -> 01, quantity/byte count -> 03, address range -> 02)
// and asks a RegisterMap, which the device implements (e.g. the :5020 float32 map, MB-02..04).
#pragma once
#include <cstddef>
#include <cstdint>

#include "app/modbus/frame.h"

namespace lmc::modbus {

// One access of the register map. For FC 23 the map sees the write (function 23) first, then
// the read (function 23), as the specification orders them.
struct Access {
  std::uint8_t unit = 0;
  std::uint8_t function = 0;  // the request's function code
  std::uint16_t address = 0;
  std::uint16_t count = 0;  // 1 for FC 5 and 6
};

// The device's data model. Each callback returns kNone on success or the exception to answer.
// Unimplemented callbacks answer 01 (illegal function), so a map implements only what it serves;
// a map that serves FC 3 but must refuse FC 4 or FC 6 (MB-02) checks access.function.
// The server has already checked counts (03) and that address + count <= 65536 (02).
class RegisterMap {
 public:
  // Unit ids this device answers; a request to another unit gets no response at all.
  virtual bool accepts_unit(std::uint8_t /*unit*/) { return true; }
  // FC 1, 2: fill packed bits (LSB of byte 0 = first bit), packed_bits_size(count) bytes,
  // already zeroed.
  virtual Exception read_bits(const Access& a, std::uint8_t* packed) { return unused(a, packed); }
  // FC 3, 4, 23: fill count registers.
  virtual Exception read_registers(const Access& a, std::uint16_t* regs) { return unused(a, regs); }
  // FC 5 (count 1, bit 0 of packed[0] = the new state), FC 15.
  virtual Exception write_bits(const Access& a, const std::uint8_t* packed) { return unused(a, packed); }
  // FC 6 (count 1), FC 16, FC 23.
  virtual Exception write_registers(const Access& a, const std::uint16_t* regs) { return unused(a, regs); }

 protected:
  ~RegisterMap() = default;

 private:
  static Exception unused(const Access&, const void*) { return Exception::kIllegalFunction; }
};

class ServerSession {
 public:
  enum class Result : std::uint8_t {
    kNeedMore,  // every byte was consumed; no complete request yet
    kReply,     // a reply is ready in reply()/reply_size(); call feed again with the rest
    kClose,     // the stream is not Modbus TCP: close the connection
  };

  explicit ServerSession(RegisterMap& map) : map_(map) {}

  // Consumes bytes from data (advancing data and n) up to the end of one request. Requests
  // that get no answer (another unit id, a foreign protocol id) are skipped silently.
  Result feed(const std::uint8_t*& data, std::size_t& n);

  // The reply of the last kReply, valid until the next feed().
  const std::uint8_t* reply() const { return reply_; }
  std::size_t reply_size() const { return reply_size_; }

  // Forget a partial frame (new connection).
  void reset() { rx_.reset(); }
  // Part of a request is buffered.
  bool partial() const { return rx_.partial(); }

  // Statistics, e.g. for the log.
  std::uint32_t requests() const { return requests_; }
  std::uint32_t exceptions() const { return exceptions_; }
  std::uint32_t skipped() const { return skipped_; }

 private:
  // Handles the complete ADU in rx_; returns true when reply_ holds an answer.
  bool handle();
  std::size_t execute(std::uint8_t unit, const std::uint8_t* pdu, std::size_t pdu_size, std::uint8_t* out);

  RegisterMap& map_;
  AduReader rx_;
  std::uint8_t reply_[kMaxAduSize] = {};
  std::size_t reply_size_ = 0;
  std::uint32_t requests_ = 0;
  std::uint32_t exceptions_ = 0;
  std::uint32_t skipped_ = 0;
};

}  // namespace lmc::modbus
