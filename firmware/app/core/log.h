// The console log, an interface that scenarios assert on (docs/firmware.md): one line per
// event, `lmc: <area> <event> key=value ...`. A line is built on the stack and written when
// the builder goes out of scope, so `log.event("panel", "button").kv("held_ms", 1200);` is one
// line. No heap; a line longer than kLineMax is cut and ends with `truncated=true`.
#pragma once
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "app/ports.h"

namespace lmc {

class Log;

class LogLine {
 public:
  static constexpr std::size_t kLineMax = 200;  // bytes including "lmc: " and the newline
  LogLine(Console* out, const char* area, const char* event);
  ~LogLine();
  LogLine(const LogLine&) = delete;
  LogLine& operator=(const LogLine&) = delete;

  // Text values are written bare when they are a single word ([A-Za-z0-9._:/+-]), else quoted
  // with "..." and \" \\ \xNN escapes, so a line always splits unambiguously on spaces.
  LogLine& kv(const char* key, const char* value);
  LogLine& kv(const char* key, bool value);
  template <class T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
  LogLine& kv(const char* key, T value) {
    if constexpr (std::is_signed_v<T>)
      return kv_int(key, static_cast<std::int64_t>(value));
    else
      return kv_uint(key, static_cast<std::uint64_t>(value));
  }
  // A fixed-point number: value / 10^decimals, e.g. kv_fixed("a", 125, 1) -> a=12.5.
  LogLine& kv_fixed(const char* key, std::int64_t value, int decimals);
  // An IPv4 address in host order, dotted.
  LogLine& kv_ip(const char* key, std::uint32_t ip);
  LogLine& kv_hex(const char* key, std::uint32_t value);

 private:
  LogLine& kv_int(const char* key, std::int64_t v);
  LogLine& kv_uint(const char* key, std::uint64_t v);
  void key(const char* k);
  void put(char c);
  void puts(const char* s);
  void put_uint(std::uint64_t v);

  Console* out_;
  std::size_t n_ = 0;
  bool truncated_ = false;
  char buf_[kLineMax];
};

class Log {
 public:
  explicit Log(Console& out) : out_(&out) {}
  LogLine event(const char* area, const char* event) { return LogLine(out_, area, event); }
  // A line another module formatted ("<area> <event> key=value ..."): written with the prefix.
  void text(const char* line) { LogLine(out_, line, ""); }
  Console& console() { return *out_; }

 private:
  Console* out_;
};

// At most one line per interval; the next line allowed says how many were held back.
class RateLimit {
 public:
  explicit RateLimit(std::uint32_t interval_ms) : interval_ms_(interval_ms) {}
  // True when a line may be written now; otherwise counts it as suppressed.
  bool allow(std::uint64_t now_ms);
  // Lines suppressed since the last allowed one (reset by the call).
  std::uint32_t take_suppressed();

 private:
  std::uint32_t interval_ms_;
  std::uint64_t last_ms_ = 0;
  bool any_ = false;
  std::uint32_t suppressed_ = 0;
};

}  // namespace lmc
