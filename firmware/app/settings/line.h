// A fixed-size event line built by appending (no printf, no heap): "config reject line=3 ...".
#pragma once
#include <cstddef>
#include <cstdint>

namespace lmc::settings {

class Line {
 public:
  static constexpr std::size_t kCap = 160;
  Line& s(const char* t) {
    while (t && *t && n_ < kCap - 1) buf_[n_++] = *t++;
    buf_[n_] = 0;
    return *this;
  }
  Line& s(const char* t, std::size_t len) {
    for (std::size_t i = 0; i < len && n_ < kCap - 1; ++i) buf_[n_++] = t[i];
    buf_[n_] = 0;
    return *this;
  }
  Line& u(std::uint32_t v) {
    char tmp[11];
    int i = 0;
    do tmp[i++] = static_cast<char>('0' + v % 10), v /= 10;
    while (v);
    while (i && n_ < kCap - 1) buf_[n_++] = tmp[--i];
    buf_[n_] = 0;
    return *this;
  }
  Line& x(std::uint32_t v) {  // 8 hex digits
    for (int i = 7; i >= 0 && n_ < kCap - 1; --i) buf_[n_++] = "0123456789ABCDEF"[v >> (4 * i) & 0xFu];
    buf_[n_] = 0;
    return *this;
  }
  // A value as docs/firmware.md "The log" wants it: bare when it is one word of
  // [A-Za-z0-9._:/+-], else quoted with \", \\ and \xNN escapes (never spans two lines).
  Line& v(const char* t, std::size_t len) {
    bool bare = len > 0;
    for (std::size_t i = 0; i < len; ++i) bare = bare && safe(t[i]);
    if (bare) return s(t, len);
    s("\"");
    for (std::size_t i = 0; i < len; ++i) {
      auto c = static_cast<unsigned char>(t[i]);
      if (c == '"' || c == '\\') {
        char e[3] = {'\\', static_cast<char>(c), 0};
        s(e);
      } else if (c < 0x20 || c > 0x7E) {
        char e[5] = {'\\', 'x', "0123456789abcdef"[c >> 4], "0123456789abcdef"[c & 15], 0};
        s(e);
      } else {
        s(reinterpret_cast<const char*>(&t[i]), 1);
      }
    }
    return s("\"");
  }
  const char* c_str() const { return buf_; }

 private:
  static bool safe(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == ':' || c == '/' || c == '+' || c == '-';
  }
  char buf_[kCap] = {};
  std::size_t n_ = 0;
};

}  // namespace lmc::settings
