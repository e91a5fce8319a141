#include "app/modbus/client.h"

#include <cstring>

namespace lmc::modbus {

Request Request::read_coils(std::uint8_t unit, std::uint16_t address, std::uint16_t count) {
  Request r;
  r.unit = unit;
  r.function = kReadCoils;
  r.address = address;
  r.count = count;
  return r;
}
Request Request::read_discrete_inputs(std::uint8_t unit, std::uint16_t address, std::uint16_t count) {
  Request r = read_coils(unit, address, count);
  r.function = kReadDiscreteInputs;
  return r;
}
Request Request::read_holding(std::uint8_t unit, std::uint16_t address, std::uint16_t count) {
  Request r = read_coils(unit, address, count);
  r.function = kReadHoldingRegisters;
  return r;
}
Request Request::read_input(std::uint8_t unit, std::uint16_t address, std::uint16_t count) {
  Request r = read_coils(unit, address, count);
  r.function = kReadInputRegisters;
  return r;
}
Request Request::write_coil(std::uint8_t unit, std::uint16_t address, bool on) {
  Request r = read_coils(unit, address, 1);
  r.function = kWriteSingleCoil;
  r.coil = on;
  return r;
}
Request Request::write_register(std::uint8_t unit, std::uint16_t address, const std::uint16_t* value) {
  Request r = read_coils(unit, address, 1);
  r.function = kWriteSingleRegister;
  r.registers = value;
  return r;
}
Request Request::write_coils(std::uint8_t unit, std::uint16_t address, std::uint16_t count,
                             const std::uint8_t* packed) {
  Request r = read_coils(unit, address, count);
  r.function = kWriteMultipleCoils;
  r.bits = packed;
  return r;
}
Request Request::write_registers(std::uint8_t unit, std::uint16_t address, std::uint16_t count,
                                 const std::uint16_t* values) {
  Request r = read_coils(unit, address, count);
  r.function = kWriteMultipleRegisters;
  r.registers = values;
  return r;
}
Request Request::read_write_registers(std::uint8_t unit, std::uint16_t read_address, std::uint16_t read_count,
                                      std::uint16_t write_address, std::uint16_t write_count,
                                      const std::uint16_t* values) {
  Request r = read_coils(unit, read_address, read_count);
  r.function = kReadWriteMultipleRegisters;
  r.write_address = write_address;
  r.write_count = write_count;
  r.registers = values;
  return r;
}

void Response::registers(std::uint16_t* out) const {
  for (std::size_t i = 0; i < count && 2 * i + 1 < data_size; ++i) out[i] = reg(i);
}

namespace {
bool in_range(std::uint16_t address, std::uint16_t count) {
  return std::uint32_t{address} + count <= 0x10000U;
}
}  // namespace

std::size_t Client::encode(const Request& r, std::uint8_t* out, std::size_t cap, std::uint16_t* transaction) {
  Pending* slot = nullptr;
  for (Pending& p : pending_) {
    if (!p.used) {
      slot = &p;
      break;
    }
  }
  if (slot == nullptr) return 0;

  std::uint8_t pdu[kMaxPduSize];
  std::size_t size = 0;
  Pending p;
  p.used = true;
  p.unit = r.unit;
  p.function = r.function;
  p.address = r.address;
  p.count = r.count;
  pdu[0] = r.function;
  switch (r.function) {
    case kReadCoils:
    case kReadDiscreteInputs:
    case kReadHoldingRegisters:
    case kReadInputRegisters: {
      const std::uint16_t max = r.function <= kReadDiscreteInputs ? kMaxReadBits : kMaxReadRegisters;
      if (r.count < 1 || r.count > max || !in_range(r.address, r.count)) return 0;
      put_be16(pdu + 1, r.address);
      put_be16(pdu + 3, r.count);
      size = 5;
      break;
    }
    case kWriteSingleCoil:
    case kWriteSingleRegister: {
      if (r.function == kWriteSingleRegister && r.registers == nullptr) return 0;
      p.count = 1;
      p.value = r.function == kWriteSingleCoil ? (r.coil ? 0xFF00 : 0x0000) : r.registers[0];
      put_be16(pdu + 1, r.address);
      put_be16(pdu + 3, p.value);
      size = 5;
      break;
    }
    case kWriteMultipleCoils: {
      if (r.bits == nullptr || r.count < 1 || r.count > kMaxWriteBits || !in_range(r.address, r.count)) return 0;
      const std::size_t bytes = packed_bits_size(r.count);
      put_be16(pdu + 1, r.address);
      put_be16(pdu + 3, r.count);
      pdu[5] = static_cast<std::uint8_t>(bytes);
      std::memcpy(pdu + 6, r.bits, bytes);
      if (r.count % 8) pdu[5 + bytes] &= static_cast<std::uint8_t>((1U << (r.count % 8)) - 1);
      size = 6 + bytes;
      break;
    }
    case kWriteMultipleRegisters: {
      if (r.registers == nullptr || r.count < 1 || r.count > kMaxWriteRegisters || !in_range(r.address, r.count))
        return 0;
      put_be16(pdu + 1, r.address);
      put_be16(pdu + 3, r.count);
      pdu[5] = static_cast<std::uint8_t>(2 * r.count);
      for (std::size_t i = 0; i < r.count; ++i) put_be16(pdu + 6 + 2 * i, r.registers[i]);
      size = 6 + 2U * r.count;
      break;
    }
    case kReadWriteMultipleRegisters: {
      if (r.registers == nullptr || r.count < 1 || r.count > kMaxReadRegisters || r.write_count < 1 ||
          r.write_count > kMaxRwWriteRegisters || !in_range(r.address, r.count) ||
          !in_range(r.write_address, r.write_count))
        return 0;
      put_be16(pdu + 1, r.address);
      put_be16(pdu + 3, r.count);
      put_be16(pdu + 5, r.write_address);
      put_be16(pdu + 7, r.write_count);
      pdu[9] = static_cast<std::uint8_t>(2 * r.write_count);
      for (std::size_t i = 0; i < r.write_count; ++i) put_be16(pdu + 10 + 2 * i, r.registers[i]);
      size = 10 + 2U * r.write_count;
      break;
    }
    default: return 0;
  }
  if (cap < kMbapSize + size) return 0;

  // Transaction ids count up and skip ids still pending (after a wrap).
  for (;;) {
    const std::uint16_t id = next_transaction_++;
    bool busy = false;
    for (const Pending& q : pending_) busy = busy || (q.used && q.transaction == id);
    if (!busy) {
      p.transaction = id;
      break;
    }
  }
  encode_mbap(out, p.transaction, r.unit, size);
  std::memcpy(out + kMbapSize, pdu, size);
  *slot = p;
  if (transaction != nullptr) *transaction = p.transaction;
  return kMbapSize + size;
}

Client::Result Client::feed(const std::uint8_t*& data, std::size_t& n, Response& out) {
  while (n > 0) {
    switch (rx_.feed(data, n)) {
      case AduReader::Status::kNeedMore: return Result::kNeedMore;
      case AduReader::Status::kInvalid: return Result::kError;
      case AduReader::Status::kFrame: {
        const Result r = decode(out);
        if (r != Result::kNeedMore) return r;
        break;
      }
    }
  }
  return Result::kNeedMore;
}

Client::Result Client::decode(Response& out) {
  Mbap h;
  if (decode_mbap(rx_.adu(), rx_.size(), h) != MbapStatus::kOk) {
    ++skipped_;
    return Result::kNeedMore;
  }
  Pending* p = nullptr;
  for (Pending& q : pending_) {
    if (q.used && q.transaction == h.transaction) p = &q;
  }
  if (p == nullptr) {  // late or unsolicited: not ours to judge
    ++skipped_;
    return Result::kNeedMore;
  }
  const Pending req = *p;
  p->used = false;

  const std::uint8_t* pdu = rx_.adu() + kMbapSize;
  const std::size_t size = rx_.size() - kMbapSize;
  out.transaction = h.transaction;
  out.unit = h.unit;
  out.function = req.function;
  out.address = req.address;
  out.count = req.count;
  out.exception = Exception::kNone;
  out.data_size = 0;
  if (h.unit != req.unit) return Result::kError;

  if (pdu[0] == (req.function | 0x80)) {
    if (size != 2 || pdu[1] == 0) return Result::kError;
    out.exception = static_cast<Exception>(pdu[1]);
    return Result::kResponse;
  }
  if (pdu[0] != req.function) return Result::kError;

  switch (req.function) {
    case kReadCoils:
    case kReadDiscreteInputs:
    case kReadHoldingRegisters:
    case kReadInputRegisters:
    case kReadWriteMultipleRegisters: {
      const bool bits = req.function <= kReadDiscreteInputs;
      const std::size_t bytes = bits ? packed_bits_size(req.count) : 2U * req.count;
      if (size < 2 || pdu[1] != bytes || size != 2 + bytes) return Result::kError;
      std::memcpy(out.data, pdu + 2, bytes);
      out.data_size = bytes;
      return Result::kResponse;
    }
    case kWriteSingleCoil:
    case kWriteSingleRegister:
      if (size != 5 || get_be16(pdu + 1) != req.address || get_be16(pdu + 3) != req.value) return Result::kError;
      return Result::kResponse;
    case kWriteMultipleCoils:
    case kWriteMultipleRegisters:
      if (size != 5 || get_be16(pdu + 1) != req.address || get_be16(pdu + 3) != req.count) return Result::kError;
      return Result::kResponse;
    default: return Result::kError;
  }
}

void Client::cancel(std::uint16_t transaction) {
  for (Pending& p : pending_) {
    if (p.used && p.transaction == transaction) p.used = false;
  }
}

void Client::reset() {
  for (Pending& p : pending_) p.used = false;
  rx_.reset();
}

std::size_t Client::pending() const {
  std::size_t n = 0;
  for (const Pending& p : pending_) n += p.used ? 1 : 0;
  return n;
}

}  // namespace lmc::modbus
