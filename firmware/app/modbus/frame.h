// Modbus TCP framing: the MBAP header and the PDU constants of the Modbus Application Protocol
// Specification v1.1b3 and the Modbus Messaging on TCP/IP Implementation Guide v1.0b.
// Byte streams only: no sockets, no heap.
#pragma once
#include <cstddef>
#include <cstdint>

namespace lmc::modbus {

// Function codes (Application Protocol §6).
enum Function : std::uint8_t {
  kReadCoils = 0x01,
  kReadDiscreteInputs = 0x02,
  kReadHoldingRegisters = 0x03,
  kReadInputRegisters = 0x04,
  kWriteSingleCoil = 0x05,
  kWriteSingleRegister = 0x06,
  kWriteMultipleCoils = 0x0F,
  kWriteMultipleRegisters = 0x10,
  kReadWriteMultipleRegisters = 0x17,
};

// Exception codes (Application Protocol §7). kNone: the request succeeded.
enum class Exception : std::uint8_t {
  kNone = 0x00,
  kIllegalFunction = 0x01,
  kIllegalDataAddress = 0x02,
  kIllegalDataValue = 0x03,
  kServerDeviceFailure = 0x04,
};

// Quantity limits per request (Application Protocol §6.1-6.17).
inline constexpr std::uint16_t kMaxReadBits = 2000;         // FC 1, 2
inline constexpr std::uint16_t kMaxReadRegisters = 125;     // FC 3, 4, 23 (read part)
inline constexpr std::uint16_t kMaxWriteBits = 1968;        // FC 15
inline constexpr std::uint16_t kMaxWriteRegisters = 123;    // FC 16
inline constexpr std::uint16_t kMaxRwWriteRegisters = 121;  // FC 23 (write part)

inline constexpr std::size_t kMbapSize = 7;  // transaction, protocol, length, unit id
inline constexpr std::size_t kMaxPduSize = 253;
inline constexpr std::size_t kMaxAduSize = kMbapSize + kMaxPduSize;  // 260

struct Mbap {
  std::uint16_t transaction = 0;
  std::uint16_t protocol = 0;  // 0 = Modbus
  std::uint16_t length = 0;    // bytes that follow the length field: unit id + PDU
  std::uint8_t unit = 0;
};

enum class MbapStatus : std::uint8_t {
  kIncomplete,  // fewer than 7 bytes
  kOk,          // a valid Modbus header; the ADU is kMbapSize - 1 + length bytes long
  kForeign,     // a well-formed header of another protocol (protocol id != 0): skip its frame
  kInvalid,     // the length field cannot be a Modbus frame (< 2 or > 254): close the stream
};

// Decodes the MBAP header at the start of data.
MbapStatus decode_mbap(const std::uint8_t* data, std::size_t n, Mbap& out);
// Writes the 7-byte header; pdu_size is the PDU length (function code + data).
void encode_mbap(std::uint8_t* out, std::uint16_t transaction, std::uint8_t unit, std::size_t pdu_size);
// Total ADU size described by a header (kMbapSize - 1 + length).
inline std::size_t adu_size(const Mbap& h) {
  return kMbapSize - 1 + h.length;
}

// Cuts whole ADUs out of a TCP byte stream (shared by client and server): the header first,
// then exactly the frame it announces, never reading past it (partial frames, several frames
// per read). kInvalid: the length field cannot be Modbus TCP, the stream must be closed.
class AduReader {
 public:
  enum class Status : std::uint8_t { kNeedMore, kFrame, kInvalid };
  // Consumes bytes (advancing data and n) up to the end of one frame. After kFrame the frame is
  // in adu()/size() until the next feed().
  Status feed(const std::uint8_t*& data, std::size_t& n);
  const std::uint8_t* adu() const { return buf_; }
  std::size_t size() const { return size_; }
  void reset() { size_ = 0; }
  // Part of a frame is buffered (a request under way).
  bool partial() const { return !complete_ && size_ > 0; }

 private:
  std::uint8_t buf_[kMaxAduSize] = {};
  std::size_t size_ = 0;
  bool complete_ = false;
};

// Big-endian byte helpers (Modbus is big-endian on the wire).
inline std::uint16_t get_be16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>((static_cast<unsigned>(p[0]) << 8) | p[1]);
}
inline void put_be16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v & 0xFF);
}

// Bytes needed to pack n bits (coils, discrete inputs), LSB first.
inline constexpr std::size_t packed_bits_size(std::size_t n) {
  return (n + 7) / 8;
}

}  // namespace lmc::modbus
