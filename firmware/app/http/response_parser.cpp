#include "app/http/response_parser.h"

#include <cstring>

namespace lmc::http {

ResponseParser::ResponseParser(char* storage, std::size_t capacity, const Limits& limits)
    : storage_(storage), capacity_(capacity), limits_(limits) {
  if (limits_.max_head > capacity_) limits_.max_head = capacity_;
  if (limits_.max_headers > kMaxHeaders) limits_.max_headers = kMaxHeaders;
}

void ResponseParser::next() {
  size_ = 0;
  scan_ = 0;
  in_body_ = false;
  state_ = ParseState::kNeedMore;
  error_reason_ = "";
  response_ = Response{};
}

ParseState ResponseParser::fail(const char* reason) {
  state_ = ParseState::kError;
  error_reason_ = reason;
  return state_;
}

ParseState ResponseParser::feed(const char*& data, std::size_t& n) {
  if (state_ != ParseState::kNeedMore) return state_;
  if (!in_body_) {
    const detail::HeadRead hr = detail::read_head(storage_, limits_.max_head, size_, scan_, data, n);
    if (hr == detail::HeadRead::kFull) return fail("header section too large");
    if (hr == detail::HeadRead::kNeedMore) return state_;
    if (parse_head() == ParseState::kError) return state_;
    in_body_ = true;
  }
  const BodyDecoder::Status bs = body_.feed(data, n);
  if (bs == BodyDecoder::Status::kNeedMore) return state_;
  if (bs == BodyDecoder::Status::kDone) {
    response_.body = std::string_view(storage_ + size_, body_.size());
    state_ = ParseState::kComplete;
    return state_;
  }
  return fail(body_verdict(bs).reason);
}

ParseState ResponseParser::finish() {
  if (state_ != ParseState::kNeedMore) return state_;
  if (in_body_ && body_.finish() == BodyDecoder::Status::kDone) {
    response_.body = std::string_view(storage_ + size_, body_.size());
    state_ = ParseState::kComplete;
    return state_;
  }
  return fail(in_body_ || size_ > 0 ? "connection closed before the end of the response" : "connection closed");
}

ParseState ResponseParser::parse_head() {
  std::string_view head(storage_, size_);
  std::string_view line;
  detail::next_line(head, line);

  // status-line = HTTP-version SP status-code SP [ reason-phrase ] (RFC 9112 §4)
  if (line.size() < 12 || line.substr(0, 5) != "HTTP/" || line[6] != '.' || line[8] != ' ') {
    return fail("bad status line");
  }
  if (line[5] != '1' || line[7] < '0' || line[7] > '9') return fail("unsupported HTTP version");
  int status = 0;
  for (std::size_t i = 9; i < 12; ++i) {
    if (line[i] < '0' || line[i] > '9') return fail("bad status code");
    status = status * 10 + (line[i] - '0');
  }
  if (status < 100) return fail("bad status code");
  if (line.size() > 12 && line[12] != ' ') return fail("bad status line");
  response_.status = status;
  response_.version_minor = line[7] - '0';
  response_.reason = line.size() > 13 ? line.substr(13) : std::string_view();

  if (detail::parse_fields(head, response_.headers, limits_.max_headers) != 0) return fail("bad header field");
  const Headers& h = response_.headers;

  // Message body length (RFC 9112 §6.3), in the order the rules give.
  BodyDecoder::Mode mode = BodyDecoder::Mode::kUntilClose;
  std::uint64_t length = 0;
  if (request_method_ == Method::kHead || status < 200 || status == 204 || status == 304) {
    mode = BodyDecoder::Mode::kNone;
  } else if (h.has("Transfer-Encoding")) {
    // Chunked only when it is the final coding; otherwise the body runs until close.
    std::string_view v;
    for (std::size_t i = 0; i < h.count; ++i) {
      if (iequals(h.items[i].name, "Transfer-Encoding")) v = h.items[i].value;
    }
    const std::size_t comma = v.rfind(',');
    std::string_view last = comma == std::string_view::npos ? v : v.substr(comma + 1);
    while (!last.empty() && (last.front() == ' ' || last.front() == '\t')) last.remove_prefix(1);
    if (iequals(last, "chunked")) mode = BodyDecoder::Mode::kChunked;
  } else {
    const char* why = "";
    const int cl = detail::content_length(h, length, why);
    if (cl < 0) return fail(why);
    if (cl > 0) mode = BodyDecoder::Mode::kLength;
  }

  response_.keep_alive =
      mode != BodyDecoder::Mode::kUntilClose &&
      (response_.version_minor >= 1 ? !h.has_token("Connection", "close") : h.has_token("Connection", "keep-alive"));
  std::size_t body_cap = capacity_ - size_;
  if (body_cap > limits_.max_body) body_cap = limits_.max_body;
  if (mode == BodyDecoder::Mode::kLength && length > body_cap) return fail("body too large");
  body_.start(mode, length, storage_ + size_, body_cap, limits_.max_head);
  return state_;
}

}  // namespace lmc::http
