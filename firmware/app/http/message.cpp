#include "app/http/message.h"

#include <cstring>

namespace lmc::http {

namespace {
char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}
std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}
}  // namespace

std::string_view method_name(Method m) {
  switch (m) {
    case Method::kGet: return "GET";
    case Method::kHead: return "HEAD";
    case Method::kPost: return "POST";
    case Method::kPut: return "PUT";
    case Method::kDelete: return "DELETE";
    case Method::kOptions: return "OPTIONS";
    case Method::kPatch: return "PATCH";
    case Method::kUnknown: break;
  }
  return "";
}

Method parse_method(std::string_view token) {
  // Method names are case-sensitive (RFC 9110 §9.1).
  for (Method m :
       {Method::kGet, Method::kHead, Method::kPost, Method::kPut, Method::kDelete, Method::kOptions, Method::kPatch}) {
    if (token == method_name(m)) return m;
  }
  return Method::kUnknown;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string_view Headers::get(std::string_view name) const {
  for (std::size_t i = 0; i < count; ++i) {
    if (iequals(items[i].name, name)) return items[i].value;
  }
  return {};
}

bool Headers::has(std::string_view name) const {
  for (std::size_t i = 0; i < count; ++i) {
    if (iequals(items[i].name, name)) return true;
  }
  return false;
}

bool Headers::has_token(std::string_view name, std::string_view token) const {
  for (std::size_t i = 0; i < count; ++i) {
    if (!iequals(items[i].name, name)) continue;
    std::string_view v = items[i].value;
    while (!v.empty()) {
      const std::size_t comma = v.find(',');
      const std::string_view item = trim(v.substr(0, comma));
      if (iequals(item, token)) return true;
      if (comma == std::string_view::npos) break;
      v.remove_prefix(comma + 1);
    }
  }
  return false;
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
  }
}

namespace detail {

bool is_tchar(char c) {
  // RFC 9110 §5.6.2: "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" /
  // "`" / "|" / "~" / DIGIT / ALPHA
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~': return true;
    default: return false;
  }
}

std::size_t find_head_end(const char* buf, std::size_t size, std::size_t& scan) {
  for (std::size_t i = scan; i < size; ++i) {
    if (buf[i] != '\n') continue;
    // An empty line: LF LF or LF CR LF.
    if (i >= 1 && buf[i - 1] == '\n') return i + 1;
    if (i >= 2 && buf[i - 1] == '\r' && buf[i - 2] == '\n') return i + 1;
  }
  scan = size;
  return 0;
}

bool next_line(std::string_view& text, std::string_view& line) {
  const std::size_t lf = text.find('\n');
  if (lf == std::string_view::npos) return false;
  line = text.substr(0, lf);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  text.remove_prefix(lf + 1);
  return true;
}

int parse_fields(std::string_view lines, Headers& out, std::size_t max_fields) {
  out.count = 0;
  if (max_fields > kMaxHeaders) max_fields = kMaxHeaders;
  std::string_view line;
  while (next_line(lines, line)) {
    if (line.empty()) break;
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return 400;
    const std::string_view name = line.substr(0, colon);
    for (char c : name) {
      // Whitespace is not a token character: this rejects whitespace before the colon
      // (RFC 9112 §5.1) and obs-fold, a line starting with whitespace (§5.2).
      if (!is_tchar(c)) return 400;
    }
    const std::string_view value = trim(line.substr(colon + 1));
    for (char c : value) {
      const auto u = static_cast<unsigned char>(c);
      if ((u < 0x20 && c != '\t') || u == 0x7F) return 400;  // CR, NUL and other controls
    }
    if (out.count == max_fields) return 431;
    out.items[out.count++] = Header{name, value};
  }
  return 0;
}

bool parse_content_length(std::string_view value, std::uint64_t& out) {
  bool have = false;
  std::uint64_t first = 0;
  while (true) {
    const std::size_t comma = value.find(',');
    const std::string_view item = trim(value.substr(0, comma));
    if (item.empty()) return false;
    std::uint64_t v = 0;
    for (char c : item) {
      if (c < '0' || c > '9') return false;
      // Saturates: any length this large is refused as too large, not as malformed.
      v = v > (std::uint64_t{1} << 58) ? v : v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (have && v != first) return false;
    first = v;
    have = true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  out = first;
  return true;
}

int content_length(const Headers& h, std::uint64_t& length, const char*& reason) {
  bool have = false;
  for (std::size_t i = 0; i < h.count; ++i) {
    if (!iequals(h.items[i].name, "Content-Length")) continue;
    std::uint64_t v = 0;
    if (!parse_content_length(h.items[i].value, v)) {
      reason = "bad Content-Length";
      return -1;
    }
    if (have && v != length) {
      reason = "conflicting Content-Length";
      return -1;
    }
    length = v;
    have = true;
  }
  return have ? 1 : 0;
}

HeadRead read_head(char* buf, std::size_t max_head, std::size_t& size, std::size_t& scan, const char*& data,
                   std::size_t& n) {
  const std::size_t room = max_head - size;
  const std::size_t take = n < room ? n : room;
  std::memcpy(buf + size, data, take);
  size += take;
  data += take;
  n -= take;
  const std::size_t end = find_head_end(buf, size, scan);
  if (end == 0) return size == max_head ? HeadRead::kFull : HeadRead::kNeedMore;
  const std::size_t extra = size - end;
  data -= extra;
  n += extra;
  size = end;
  return HeadRead::kDone;
}

}  // namespace detail

}  // namespace lmc::http
