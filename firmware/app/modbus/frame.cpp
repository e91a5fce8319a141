#include "app/modbus/frame.h"

#include <cstring>

namespace lmc::modbus {

MbapStatus decode_mbap(const std::uint8_t* data, std::size_t n, Mbap& out) {
  if (n < kMbapSize) return MbapStatus::kIncomplete;
  out.transaction = get_be16(data);
  out.protocol = get_be16(data + 2);
  out.length = get_be16(data + 4);
  out.unit = data[6];
  // The length counts the unit id and a PDU of 1..253 bytes (Implementation Guide §3.1.3).
  if (out.length < 2 || out.length > kMaxPduSize + 1) return MbapStatus::kInvalid;
  return out.protocol == 0 ? MbapStatus::kOk : MbapStatus::kForeign;
}

void encode_mbap(std::uint8_t* out, std::uint16_t transaction, std::uint8_t unit, std::size_t pdu_size) {
  put_be16(out, transaction);
  put_be16(out + 2, 0);
  put_be16(out + 4, static_cast<std::uint16_t>(pdu_size + 1));
  out[6] = unit;
}

AduReader::Status AduReader::feed(const std::uint8_t*& data, std::size_t& n) {
  if (complete_) {
    size_ = 0;
    complete_ = false;
  }
  Mbap h;
  while (n > 0) {
    std::size_t want = kMbapSize;
    if (size_ >= kMbapSize) {
      if (decode_mbap(buf_, size_, h) == MbapStatus::kInvalid) return Status::kInvalid;
      want = adu_size(h);
    }
    const std::size_t take = want - size_ < n ? want - size_ : n;
    std::memcpy(buf_ + size_, data, take);
    size_ += take;
    data += take;
    n -= take;
    if (size_ == kMbapSize) {
      if (decode_mbap(buf_, size_, h) == MbapStatus::kInvalid) return Status::kInvalid;
      want = adu_size(h);
    }
    if (size_ == want) {
      complete_ = true;
      return Status::kFrame;
    }
  }
  return Status::kNeedMore;
}

}  // namespace lmc::modbus
