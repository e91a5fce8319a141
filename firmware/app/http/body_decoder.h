// Message body framing of RFC 9112 §6-7, shared by the request and response parsers:
// a fixed length (Content-Length), chunked transfer coding (chunk extensions ignored,
// trailer fields discarded), or until the connection closes (responses only).
#pragma once
#include <cstddef>
#include <cstdint>

namespace lmc::http {

class BodyDecoder {
 public:
  enum class Mode : std::uint8_t { kNone, kLength, kChunked, kUntilClose };
  enum class Status : std::uint8_t { kNeedMore, kDone, kBadChunk, kTooLarge, kTrailerTooLarge };

  // The decoded body is written to out[0..cap); more than cap bytes is kTooLarge.
  void start(Mode mode, std::uint64_t length, char* out, std::size_t cap, std::size_t max_trailer);
  // Consumes bytes (advancing data and n) up to the end of the body.
  Status feed(const char*& data, std::size_t& n);
  // The connection closed: completes a kUntilClose body.
  Status finish();
  std::size_t size() const { return size_; }
  Mode mode() const { return mode_; }

 private:
  enum class Phase : std::uint8_t { kSize, kExt, kSizeLf, kData, kDataCr, kDataLf, kTrailer, kTrailerLf, kDone };
  Mode mode_ = Mode::kNone;
  Phase phase_ = Phase::kDone;
  char* out_ = nullptr;
  std::size_t cap_ = 0;
  std::size_t size_ = 0;
  std::uint64_t remaining_ = 0;
  std::size_t line_ = 0;     // bytes of the current size or trailer line
  std::size_t trailer_ = 0;  // bytes of the trailer section
  std::size_t max_trailer_ = 0;
  bool digits_ = false;  // the chunk-size has at least one hex digit
};

// What a parser answers for a body decoder status: the status code to send (0 when the body is
// not in error) and a reason for the log.
struct BodyVerdict {
  int status;
  const char* reason;
};
BodyVerdict body_verdict(BodyDecoder::Status s);

}  // namespace lmc::http
