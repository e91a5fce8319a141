#include "app/http/body_decoder.h"

#include <cstring>

namespace lmc::http {

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
constexpr std::size_t kMaxChunkLine = 1024;  // chunk-size + extensions
}  // namespace

void BodyDecoder::start(Mode mode, std::uint64_t length, char* out, std::size_t cap, std::size_t max_trailer) {
  mode_ = mode;
  out_ = out;
  cap_ = cap;
  size_ = 0;
  remaining_ = length;
  line_ = 0;
  trailer_ = 0;
  max_trailer_ = max_trailer;
  digits_ = false;
  phase_ = Phase::kData;
  if (mode == Mode::kChunked) phase_ = Phase::kSize;
  if (mode == Mode::kNone || (mode == Mode::kLength && length == 0)) phase_ = Phase::kDone;
}

BodyDecoder::Status BodyDecoder::feed(const char*& data, std::size_t& n) {
  if (mode_ == Mode::kLength && remaining_ > cap_) return Status::kTooLarge;
  while (n > 0 && phase_ != Phase::kDone) {
    if (phase_ == Phase::kData) {
      std::size_t take = n;
      if (mode_ != Mode::kUntilClose && remaining_ < take) take = static_cast<std::size_t>(remaining_);
      if (take > cap_ - size_) return Status::kTooLarge;
      std::memcpy(out_ + size_, data, take);
      size_ += take;
      data += take;
      n -= take;
      if (mode_ == Mode::kUntilClose) continue;
      remaining_ -= take;
      if (remaining_ == 0) phase_ = mode_ == Mode::kChunked ? Phase::kDataCr : Phase::kDone;
      continue;
    }
    const char c = *data++;
    --n;
    switch (phase_) {
      case Phase::kSize: {
        if (++line_ > kMaxChunkLine) return Status::kBadChunk;
        const int d = hex_value(c);
        if (d >= 0) {
          remaining_ = remaining_ * 16 + static_cast<unsigned>(d);
          digits_ = true;
          if (remaining_ > cap_ - size_) return Status::kTooLarge;
        } else if (!digits_) {
          return Status::kBadChunk;
        } else if (c == ';' || c == ' ' || c == '\t') {
          phase_ = Phase::kExt;  // chunk extensions are ignored (RFC 9112 §7.1.1)
        } else if (c == '\r') {
          phase_ = Phase::kSizeLf;
        } else if (c == '\n') {
          phase_ = remaining_ == 0 ? Phase::kTrailer : Phase::kData;
          line_ = 0;
        } else {
          return Status::kBadChunk;
        }
        break;
      }
      case Phase::kExt:
        if (++line_ > kMaxChunkLine) return Status::kBadChunk;
        if (c == '\r') {
          phase_ = Phase::kSizeLf;
        } else if (c == '\n') {
          phase_ = remaining_ == 0 ? Phase::kTrailer : Phase::kData;
          line_ = 0;
        } else if (static_cast<unsigned char>(c) < 0x20 && c != '\t') {
          return Status::kBadChunk;
        }
        break;
      case Phase::kSizeLf:
        if (c != '\n') return Status::kBadChunk;
        phase_ = remaining_ == 0 ? Phase::kTrailer : Phase::kData;
        line_ = 0;
        break;
      case Phase::kDataCr:
        if (c == '\r') {
          phase_ = Phase::kDataLf;
        } else if (c == '\n') {
          phase_ = Phase::kSize;
          digits_ = false;
        } else {
          return Status::kBadChunk;
        }
        break;
      case Phase::kDataLf:
        if (c != '\n') return Status::kBadChunk;
        phase_ = Phase::kSize;
        digits_ = false;
        break;
      case Phase::kTrailer:
        // Trailer fields are read and discarded; the section ends with an empty line.
        if (c == '\n') {
          if (line_ == 0) phase_ = Phase::kDone;
          line_ = 0;
        } else if (c == '\r' && line_ == 0) {
          phase_ = Phase::kTrailerLf;
        } else {
          ++line_;
          if (++trailer_ > max_trailer_) return Status::kTrailerTooLarge;
        }
        break;
      case Phase::kTrailerLf:
        if (c != '\n') return Status::kBadChunk;
        phase_ = Phase::kDone;
        break;
      case Phase::kData:
      case Phase::kDone: break;
    }
  }
  return phase_ == Phase::kDone ? Status::kDone : Status::kNeedMore;
}

BodyDecoder::Status BodyDecoder::finish() {
  if (mode_ == Mode::kUntilClose) phase_ = Phase::kDone;
  return phase_ == Phase::kDone ? Status::kDone : Status::kNeedMore;
}

BodyVerdict body_verdict(BodyDecoder::Status s) {
  switch (s) {
    case BodyDecoder::Status::kNeedMore:
    case BodyDecoder::Status::kDone: return {0, ""};
    case BodyDecoder::Status::kTooLarge: return {413, "body too large"};
    case BodyDecoder::Status::kTrailerTooLarge: return {431, "trailer section too large"};
    case BodyDecoder::Status::kBadChunk: return {400, "bad chunked coding"};
  }
  return {400, "bad body"};
}

}  // namespace lmc::http
