#include "app/http/json_writer.h"

#include <cmath>

#include "app/http/json.h"

namespace lmc::json {

Writer::Writer(char* out, std::size_t capacity) : out_(out), cap_(capacity) {
  if (cap_ == 0) {
    truncated_ = true;
  } else {
    out_[0] = '\0';
  }
}

void Writer::put(char c) {
  if (truncated_) return;
  if (size_ + 1 >= cap_) {  // keep room for the NUL
    truncated_ = true;
    return;
  }
  out_[size_++] = c;
  out_[size_] = '\0';
}

void Writer::put(std::string_view s) {
  for (char c : s) put(c);
}

bool Writer::before_value() {
  if (depth_ == 0) {
    if (values_ > 0) misuse_ = true;  // one top-level value only
    ++values_;
    return !misuse_;
  }
  if (is_object_[depth_ - 1]) {
    if (!after_key_) {
      misuse_ = true;
      return false;
    }
    after_key_ = false;
    return true;
  }
  if (!first_[depth_ - 1]) put(',');
  first_[depth_ - 1] = false;
  return true;
}

Writer& Writer::begin_object() {
  if (!before_value()) return *this;
  if (depth_ == kMaxDepth) {
    misuse_ = true;
    return *this;
  }
  put('{');
  is_object_[depth_] = true;
  first_[depth_] = true;
  ++depth_;
  return *this;
}

Writer& Writer::begin_array() {
  if (!before_value()) return *this;
  if (depth_ == kMaxDepth) {
    misuse_ = true;
    return *this;
  }
  put('[');
  is_object_[depth_] = false;
  first_[depth_] = true;
  ++depth_;
  return *this;
}

Writer& Writer::end_object() {
  if (depth_ == 0 || !is_object_[depth_ - 1] || after_key_) {
    misuse_ = true;
    return *this;
  }
  put('}');
  --depth_;
  return *this;
}

Writer& Writer::end_array() {
  if (depth_ == 0 || is_object_[depth_ - 1]) {
    misuse_ = true;
    return *this;
  }
  put(']');
  --depth_;
  return *this;
}

Writer& Writer::key(std::string_view name) {
  if (depth_ == 0 || !is_object_[depth_ - 1] || after_key_) {
    misuse_ = true;
    return *this;
  }
  if (!first_[depth_ - 1]) put(',');
  first_[depth_ - 1] = false;
  put_string(name);
  put(':');
  after_key_ = true;
  return *this;
}

Writer& Writer::string(std::string_view s) {
  if (before_value()) put_string(s);
  return *this;
}

void Writer::put_string(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  put('"');
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      // Valid UTF-8 passes through; an invalid byte becomes U+FFFD so the text stays JSON.
      const std::size_t len = utf8_length(s, i);
      if (len == 0) {
        put("\\ufffd");
        ++i;
      } else {
        put(s.substr(i, len));
        i += len;
      }
      continue;
    }
    ++i;
    switch (c) {
      case '"': put("\\\""); break;
      case '\\': put("\\\\"); break;
      case '\b': put("\\b"); break;
      case '\f': put("\\f"); break;
      case '\n': put("\\n"); break;
      case '\r': put("\\r"); break;
      case '\t': put("\\t"); break;
      default:
        if (c < 0x20) {
          put("\\u00");
          put(kHex[c >> 4]);
          put(kHex[c & 15]);
        } else {
          put(static_cast<char>(c));
        }
    }
  }
  put('"');
}

Writer& Writer::boolean(bool b) {
  if (before_value()) put(b ? "true" : "false");
  return *this;
}

Writer& Writer::null() {
  if (before_value()) put("null");
  return *this;
}

Writer& Writer::unsigned_integer(std::uint64_t v) {
  if (!before_value()) return *this;
  char digits[24];
  std::size_t n = 0;
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0) put(digits[--n]);
  return *this;
}

Writer& Writer::integer(std::int64_t v) {
  if (v >= 0) return unsigned_integer(static_cast<std::uint64_t>(v));
  if (!before_value()) return *this;
  put('-');
  // -v overflows for INT64_MIN; the unsigned negation does not.
  std::uint64_t u = 0 - static_cast<std::uint64_t>(v);
  char digits[24];
  std::size_t n = 0;
  do {
    digits[n++] = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u != 0);
  while (n > 0) put(digits[--n]);
  return *this;
}

Writer& Writer::number(double v, int decimals) {
  if (!std::isfinite(v)) return null();
  if (!before_value()) return *this;
  if (decimals < 0) decimals = 0;
  if (decimals > 9) decimals = 9;
  std::uint64_t scale = 1;
  for (int i = 0; i < decimals; ++i) scale *= 10;
  const double a = std::fabs(v);
  char digits[32];
  std::size_t n = 0;
  if (a * static_cast<double>(scale) < 9.0e15) {
    // Fixed point: round once to `decimals` digits, then print integer and fraction.
    const auto r = static_cast<std::uint64_t>(std::llround(a * static_cast<double>(scale)));
    if (r != 0 && v < 0) put('-');
    std::uint64_t ip = r / scale;
    std::uint64_t fp = r % scale;
    int fd = decimals;
    while (fd > 0 && fp % 10 == 0) {  // drop trailing zeros
      fp /= 10;
      --fd;
    }
    do {
      digits[n++] = static_cast<char>('0' + ip % 10);
      ip /= 10;
    } while (ip != 0);
    while (n > 0) put(digits[--n]);
    if (fd > 0) {
      put('.');
      for (int i = 0; i < fd; ++i) {
        digits[n++] = static_cast<char>('0' + fp % 10);
        fp /= 10;
      }
      while (n > 0) put(digits[--n]);
    }
    return *this;
  }
  // Large magnitudes: 15 significant digits and an exponent.
  int e = static_cast<int>(std::floor(std::log10(a)));
  auto m = static_cast<std::uint64_t>(std::llround(a / std::pow(10.0, e) * 1e14));
  if (m >= 1000000000000000ULL) {
    m /= 10;
    ++e;
  }
  if (v < 0) put('-');
  for (int i = 0; i < 15; ++i) {
    digits[n++] = static_cast<char>('0' + m % 10);
    m /= 10;
  }
  std::size_t keep = 1;  // significant digits after trimming trailing zeros
  for (std::size_t i = 0; i < 15; ++i) {
    if (digits[i] != '0') {
      keep = 15 - i;
      break;
    }
  }
  put(digits[14]);
  if (keep > 1) {
    put('.');
    for (std::size_t i = 1; i < keep; ++i) put(digits[14 - i]);
  }
  put('e');
  if (e < 0) {
    put('-');
    e = -e;
  }
  n = 0;
  do {
    digits[n++] = static_cast<char>('0' + e % 10);
    e /= 10;
  } while (e != 0);
  while (n > 0) put(digits[--n]);
  return *this;
}

}  // namespace lmc::json
