#include "app/modbus/server.h"

#include <cstring>

namespace lmc::modbus {

namespace {

std::size_t exception_pdu(std::uint8_t function, Exception e, std::uint8_t* out) {
  out[0] = static_cast<std::uint8_t>(function | 0x80);
  out[1] = static_cast<std::uint8_t>(e);
  return 2;
}

// Address + count must stay inside the 16-bit address space (spec: "Starting Address +
// Quantity of ... == OK" -> else exception 02).
bool in_range(std::uint16_t address, std::uint16_t count) {
  return std::uint32_t{address} + count <= 0x10000U;
}

}  // namespace

ServerSession::Result ServerSession::feed(const std::uint8_t*& data, std::size_t& n) {
  while (n > 0) {
    switch (rx_.feed(data, n)) {
      case AduReader::Status::kNeedMore: return Result::kNeedMore;
      case AduReader::Status::kInvalid: return Result::kClose;
      case AduReader::Status::kFrame:
        if (handle()) return Result::kReply;
        break;
    }
  }
  return Result::kNeedMore;
}

bool ServerSession::handle() {
  Mbap h;
  const MbapStatus st = decode_mbap(rx_.adu(), rx_.size(), h);
  if (st != MbapStatus::kOk || !map_.accepts_unit(h.unit)) {
    ++skipped_;
    return false;
  }
  ++requests_;
  std::uint8_t* pdu_out = reply_ + kMbapSize;
  const std::size_t pdu_size = execute(h.unit, rx_.adu() + kMbapSize, rx_.size() - kMbapSize, pdu_out);
  if (pdu_out[0] & 0x80) ++exceptions_;
  encode_mbap(reply_, h.transaction, h.unit, pdu_size);
  reply_size_ = kMbapSize + pdu_size;
  return true;
}

std::size_t ServerSession::execute(std::uint8_t unit, const std::uint8_t* pdu, std::size_t size, std::uint8_t* out) {
  const std::uint8_t fc = pdu[0];
  Access a;
  a.unit = unit;
  a.function = fc;
  const auto fail = [&](Exception e) { return exception_pdu(fc, e, out); };

  switch (fc) {
    case kReadCoils:
    case kReadDiscreteInputs:
    case kReadHoldingRegisters:
    case kReadInputRegisters: {
      if (size != 5) return fail(Exception::kIllegalDataValue);
      a.address = get_be16(pdu + 1);
      a.count = get_be16(pdu + 3);
      const bool bits = fc <= kReadDiscreteInputs;
      const std::uint16_t max = bits ? kMaxReadBits : kMaxReadRegisters;
      if (a.count < 1 || a.count > max) return fail(Exception::kIllegalDataValue);
      if (!in_range(a.address, a.count)) return fail(Exception::kIllegalDataAddress);
      out[0] = fc;
      if (bits) {
        const std::size_t bytes = packed_bits_size(a.count);
        std::memset(out + 2, 0, bytes);
        const Exception e = map_.read_bits(a, out + 2);
        if (e != Exception::kNone) return fail(e);
        // Unused high bits of the last byte are zero (spec §6.1).
        if (a.count % 8) out[1 + bytes] &= static_cast<std::uint8_t>((1U << (a.count % 8)) - 1);
        out[1] = static_cast<std::uint8_t>(bytes);
        return 2 + bytes;
      }
      std::uint16_t regs[kMaxReadRegisters] = {};
      const Exception e = map_.read_registers(a, regs);
      if (e != Exception::kNone) return fail(e);
      out[1] = static_cast<std::uint8_t>(2 * a.count);
      for (std::size_t i = 0; i < a.count; ++i) put_be16(out + 2 + 2 * i, regs[i]);
      return 2 + 2 * a.count;
    }
    case kWriteSingleCoil: {
      if (size != 5) return fail(Exception::kIllegalDataValue);
      a.address = get_be16(pdu + 1);
      a.count = 1;
      const std::uint16_t v = get_be16(pdu + 3);
      if (v != 0x0000 && v != 0xFF00) return fail(Exception::kIllegalDataValue);
      const std::uint8_t packed = v == 0xFF00 ? 1 : 0;
      const Exception e = map_.write_bits(a, &packed);
      if (e != Exception::kNone) return fail(e);
      std::memcpy(out, pdu, 5);  // the normal response echoes the request
      return 5;
    }
    case kWriteSingleRegister: {
      if (size != 5) return fail(Exception::kIllegalDataValue);
      a.address = get_be16(pdu + 1);
      a.count = 1;
      const std::uint16_t v = get_be16(pdu + 3);
      const Exception e = map_.write_registers(a, &v);
      if (e != Exception::kNone) return fail(e);
      std::memcpy(out, pdu, 5);
      return 5;
    }
    case kWriteMultipleCoils: {
      if (size < 6) return fail(Exception::kIllegalDataValue);
      a.address = get_be16(pdu + 1);
      a.count = get_be16(pdu + 3);
      const std::size_t bytes = pdu[5];
      if (a.count < 1 || a.count > kMaxWriteBits || bytes != packed_bits_size(a.count) || size != 6 + bytes)
        return fail(Exception::kIllegalDataValue);
      if (!in_range(a.address, a.count)) return fail(Exception::kIllegalDataAddress);
      const Exception e = map_.write_bits(a, pdu + 6);
      if (e != Exception::kNone) return fail(e);
      std::memcpy(out, pdu, 5);
      return 5;
    }
    case kWriteMultipleRegisters: {
      if (size < 6) return fail(Exception::kIllegalDataValue);
      a.address = get_be16(pdu + 1);
      a.count = get_be16(pdu + 3);
      const std::size_t bytes = pdu[5];
      if (a.count < 1 || a.count > kMaxWriteRegisters || bytes != 2U * a.count || size != 6 + bytes)
        return fail(Exception::kIllegalDataValue);
      if (!in_range(a.address, a.count)) return fail(Exception::kIllegalDataAddress);
      std::uint16_t regs[kMaxWriteRegisters];
      for (std::size_t i = 0; i < a.count; ++i) regs[i] = get_be16(pdu + 6 + 2 * i);
      const Exception e = map_.write_registers(a, regs);
      if (e != Exception::kNone) return fail(e);
      std::memcpy(out, pdu, 5);
      return 5;
    }
    case kReadWriteMultipleRegisters: {
      if (size < 10) return fail(Exception::kIllegalDataValue);
      Access w = a;
      a.address = get_be16(pdu + 1);
      a.count = get_be16(pdu + 3);
      w.address = get_be16(pdu + 5);
      w.count = get_be16(pdu + 7);
      const std::size_t bytes = pdu[9];
      if (a.count < 1 || a.count > kMaxReadRegisters || w.count < 1 || w.count > kMaxRwWriteRegisters ||
          bytes != 2U * w.count || size != 10 + bytes)
        return fail(Exception::kIllegalDataValue);
      if (!in_range(a.address, a.count) || !in_range(w.address, w.count)) return fail(Exception::kIllegalDataAddress);
      std::uint16_t regs[kMaxReadRegisters];
      for (std::size_t i = 0; i < w.count; ++i) regs[i] = get_be16(pdu + 10 + 2 * i);
      // The write is performed before the read (spec §6.17).
      Exception e = map_.write_registers(w, regs);
      if (e != Exception::kNone) return fail(e);
      std::memset(regs, 0, sizeof regs);
      e = map_.read_registers(a, regs);
      if (e != Exception::kNone) return fail(e);
      out[0] = fc;
      out[1] = static_cast<std::uint8_t>(2 * a.count);
      for (std::size_t i = 0; i < a.count; ++i) put_be16(out + 2 + 2 * i, regs[i]);
      return 2 + 2 * a.count;
    }
    default: return fail(Exception::kIllegalFunction);
  }
}

}  // namespace lmc::modbus
