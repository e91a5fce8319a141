#include "app/http/request_parser.h"

#include <cstring>

namespace lmc::http {

namespace {

// "HTTP/1.1" -> major 1, minor 1; false when not HTTP-version syntax (RFC 9112 §2.3).
bool parse_version(std::string_view v, int& major, int& minor) {
  if (v.size() != 8 || v.substr(0, 5) != "HTTP/" || v[6] != '.') return false;
  if (v[5] < '0' || v[5] > '9' || v[7] < '0' || v[7] > '9') return false;
  major = v[5] - '0';
  minor = v[7] - '0';
  return true;
}

bool valid_target_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u > 0x20 && u < 0x7F;  // visible ASCII; no whitespace, controls or raw UTF-8
}

}  // namespace

RequestParser::RequestParser(char* storage, std::size_t capacity, const Limits& limits)
    : storage_(storage), capacity_(capacity), limits_(limits) {
  if (limits_.max_head > capacity_) limits_.max_head = capacity_;
  if (limits_.max_headers > kMaxHeaders) limits_.max_headers = kMaxHeaders;
}

void RequestParser::next() {
  size_ = 0;
  scan_ = 0;
  in_body_ = false;
  line_done_ = false;
  state_ = ParseState::kNeedMore;
  error_status_ = 0;
  error_reason_ = "";
  request_ = Request{};
}

ParseState RequestParser::fail(int status, const char* reason) {
  state_ = ParseState::kError;
  error_status_ = status;
  error_reason_ = reason;
  return state_;
}

ParseState RequestParser::feed(const char*& data, std::size_t& n) {
  if (state_ != ParseState::kNeedMore) return state_;
  if (!in_body_) {
    // Empty lines before the request line are ignored (RFC 9112 §2.2).
    while (size_ == 0 && n > 0 && (*data == '\r' || *data == '\n')) {
      ++data;
      --n;
    }
    if (n == 0) return state_;
    const std::size_t old = size_;
    const detail::HeadRead hr = detail::read_head(storage_, limits_.max_head, size_, scan_, data, n);
    if (hr != detail::HeadRead::kDone) {
      // Searched once per read until found (byte-by-byte reads stay linear).
      if (!line_done_) line_done_ = std::memchr(storage_ + old, '\n', size_ - old) != nullptr;
      // The request line alone may hold the method, the target and the version.
      if (!line_done_ && size_ > limits_.max_target + 32) return fail(414, "request target too long");
      if (hr == detail::HeadRead::kFull) return fail(line_done_ ? 431 : 414, "header section too large");
      return state_;
    }
    if (parse_head() == ParseState::kError) return state_;
    in_body_ = true;
  }
  const BodyDecoder::Status bs = body_.feed(data, n);
  if (bs == BodyDecoder::Status::kNeedMore) return state_;
  if (bs == BodyDecoder::Status::kDone) {
    request_.body = std::string_view(storage_ + size_, body_.size());
    state_ = ParseState::kComplete;
    return state_;
  }
  const BodyVerdict v = body_verdict(bs);
  return fail(v.status, v.reason);
}

ParseState RequestParser::parse_head() {
  std::string_view head(storage_, size_);
  std::string_view line;
  detail::next_line(head, line);

  // request-line = method SP request-target SP HTTP-version (RFC 9112 §3)
  const std::size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos || sp1 == 0) return fail(400, "bad request line");
  const std::size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return fail(400, "bad request line");
  const std::string_view method = line.substr(0, sp1);
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = line.substr(sp2 + 1);
  for (char c : method) {
    if (!detail::is_tchar(c)) return fail(400, "bad method");
  }
  if (target.empty()) return fail(400, "empty request target");
  for (char c : target) {
    if (!valid_target_char(c)) return fail(400, "bad request target");
  }
  int major = 0;
  int minor = 0;
  if (!parse_version(version, major, minor)) return fail(400, "bad HTTP version");
  if (target.size() > limits_.max_target) return fail(414, "request target too long");
  if (major != 1) return fail(505, "HTTP version not supported");

  request_.method = parse_method(method);
  request_.version_minor = minor;
  request_.target = target;
  std::string_view path = target;
  if (target.front() != '/') {
    // absolute-form (RFC 9112 §3.2.2): take the path after the authority.
    const std::size_t scheme = target.find("://");
    if (target == "*") {
      path = target;
    } else if (scheme != std::string_view::npos && scheme > 0) {
      const std::size_t slash = target.find('/', scheme + 3);
      path = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
    } else {
      return fail(400, "bad request target");
    }
  }
  const std::size_t q = path.find('?');
  request_.path = path.substr(0, q);
  request_.query = q == std::string_view::npos ? std::string_view() : path.substr(q + 1);
  if (request_.path.find('#') != std::string_view::npos) return fail(400, "fragment in request target");

  const int st = detail::parse_fields(head, request_.headers, limits_.max_headers);
  if (st != 0) return fail(st, st == 431 ? "too many header fields" : "bad header field");
  const Headers& h = request_.headers;

  // Exactly one Host in HTTP/1.1 (RFC 9112 §3.2).
  std::size_t hosts = 0;
  for (std::size_t i = 0; i < h.count; ++i) hosts += iequals(h.items[i].name, "Host") ? 1 : 0;
  if (minor >= 1 ? hosts != 1 : hosts > 1) return fail(400, "missing or repeated Host");

  if (request_.method == Method::kUnknown) return fail(501, "method not implemented");

  // Message body length (RFC 9112 §6.3).
  std::uint64_t length = 0;
  BodyDecoder::Mode mode = BodyDecoder::Mode::kNone;
  const char* why = "";
  const int cl = detail::content_length(h, length, why);
  if (cl < 0) return fail(400, why);
  const bool have_length = cl > 0;
  if (h.has("Transfer-Encoding")) {
    // Both: a possible smuggling attempt; HTTP/1.0 has no transfer codings.
    if (have_length) return fail(400, "Transfer-Encoding with Content-Length");
    if (minor == 0) return fail(400, "Transfer-Encoding in HTTP/1.0");
    std::size_t codings = 0;
    bool chunked_last = false;
    for (std::size_t i = 0; i < h.count; ++i) {
      if (!iequals(h.items[i].name, "Transfer-Encoding")) continue;
      std::string_view v = h.items[i].value;
      while (true) {
        const std::size_t comma = v.find(',');
        std::string_view item = v.substr(0, comma);
        while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
        while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
        if (!item.empty()) {
          if (chunked_last) return fail(400, "chunked is not the final coding");
          ++codings;
          chunked_last = iequals(item, "chunked");
          if (!chunked_last) return fail(501, "transfer coding not implemented");
        }
        if (comma == std::string_view::npos) break;
        v.remove_prefix(comma + 1);
      }
    }
    if (codings == 0) return fail(400, "empty Transfer-Encoding");
    mode = BodyDecoder::Mode::kChunked;
  } else if (have_length) {
    if (length > limits_.max_body) return fail(413, "body too large");
    mode = BodyDecoder::Mode::kLength;
  }

  request_.keep_alive = minor >= 1 ? !h.has_token("Connection", "close") : h.has_token("Connection", "keep-alive");

  std::size_t body_cap = capacity_ - size_;
  if (body_cap > limits_.max_body) body_cap = limits_.max_body;
  if (mode == BodyDecoder::Mode::kLength && length > body_cap) return fail(413, "body too large");
  body_.start(mode, length, storage_ + size_, body_cap, limits_.max_head);
  return state_;
}

}  // namespace lmc::http
