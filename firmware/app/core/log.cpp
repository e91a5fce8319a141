#include "app/core/log.h"

namespace lmc {
namespace {
// Room kept free for " truncated=true\n" so a cut line still ends well-formed.
constexpr char kTruncated[] = " truncated=true";
constexpr std::size_t kReserve = sizeof(kTruncated) - 1 + 1;

bool bare(const char* s) {
  if (!*s) return false;
  for (; *s; ++s) {
    char c = *s;
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == ':' || c == '/' || c == '+' || c == '-';
    if (!ok) return false;
  }
  return true;
}
}  // namespace

LogLine::LogLine(Console* out, const char* area, const char* event) : out_(out) {
  puts("lmc: ");
  puts(area);
  if (*event) {
    put(' ');
    puts(event);
  }
}

LogLine::~LogLine() {
  if (truncated_) {
    n_ = n_ < kLineMax - kReserve ? n_ : kLineMax - kReserve;
    for (const char* s = kTruncated; *s; ++s) buf_[n_++] = *s;
  }
  buf_[n_++] = '\n';
  out_->write(buf_, n_);
}

void LogLine::put(char c) {
  if (n_ < kLineMax - kReserve)
    buf_[n_++] = c;
  else
    truncated_ = true;
}

void LogLine::puts(const char* s) {
  while (*s) put(*s++);
}

void LogLine::put_uint(std::uint64_t v) {
  char d[20];
  int k = 0;
  do {
    d[k++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v);
  while (k) put(d[--k]);
}

void LogLine::key(const char* k) {
  put(' ');
  puts(k);
  put('=');
}

LogLine& LogLine::kv(const char* k, const char* value) {
  key(k);
  if (!value) value = "";
  if (bare(value)) {
    puts(value);
    return *this;
  }
  put('"');
  for (const char* s = value; *s; ++s) {
    auto c = static_cast<unsigned char>(*s);
    if (c == '"' || c == '\\') {
      put('\\');
      put(static_cast<char>(c));
    } else if (c < 0x20 || c >= 0x7F) {
      put('\\');
      put('x');
      put("0123456789abcdef"[c >> 4]);
      put("0123456789abcdef"[c & 15]);
    } else {
      put(static_cast<char>(c));
    }
  }
  put('"');
  return *this;
}

LogLine& LogLine::kv(const char* k, bool value) {
  key(k);
  puts(value ? "true" : "false");
  return *this;
}

LogLine& LogLine::kv_int(const char* k, std::int64_t v) {
  key(k);
  if (v < 0) {
    put('-');
    put_uint(static_cast<std::uint64_t>(-(v + 1)) + 1);  // no overflow at INT64_MIN
  } else {
    put_uint(static_cast<std::uint64_t>(v));
  }
  return *this;
}

LogLine& LogLine::kv_uint(const char* k, std::uint64_t v) {
  key(k);
  put_uint(v);
  return *this;
}

LogLine& LogLine::kv_fixed(const char* k, std::int64_t value, int decimals) {
  key(k);
  std::uint64_t mag = value < 0 ? static_cast<std::uint64_t>(-(value + 1)) + 1 : static_cast<std::uint64_t>(value);
  if (value < 0) put('-');
  std::uint64_t scale = 1;
  for (int i = 0; i < decimals; ++i) scale *= 10;
  put_uint(mag / scale);
  if (decimals > 0) {
    put('.');
    std::uint64_t frac = mag % scale;
    for (std::uint64_t s = scale / 10; s > 0; s /= 10) {
      put(static_cast<char>('0' + (frac / s) % 10));
    }
  }
  return *this;
}

LogLine& LogLine::kv_ip(const char* k, std::uint32_t ip) {
  key(k);
  for (int i = 3; i >= 0; --i) {
    put_uint((ip >> (8 * i)) & 0xFF);
    if (i) put('.');
  }
  return *this;
}

LogLine& LogLine::kv_hex(const char* k, std::uint32_t v) {
  key(k);
  put('0');
  put('x');
  bool started = false;
  for (int i = 7; i >= 0; --i) {
    unsigned d = (v >> (4 * i)) & 15u;
    if (d || started || i == 0) {
      put("0123456789abcdef"[d]);
      started = true;
    }
  }
  return *this;
}

bool RateLimit::allow(std::uint64_t now_ms) {
  if (any_ && now_ms - last_ms_ < interval_ms_) {
    ++suppressed_;
    return false;
  }
  any_ = true;
  last_ms_ = now_ms;
  return true;
}

std::uint32_t RateLimit::take_suppressed() {
  std::uint32_t s = suppressed_;
  suppressed_ = 0;
  return s;
}

}  // namespace lmc
