// JSON serializer into a fixed buffer: commas and nesting handled, strings escaped (RFC 8259
// §7), numbers written without the C locale (no printf). Never writes past the buffer: when
// the text does not fit, truncated() is true and text() is unusable. Misuse (a value where a
// key is due, unbalanced end_*) sets !ok() as well.
//
//   json::Writer w(buf, sizeof buf);
//   w.begin_object().key("CurrentLimit").number(12.5).key("ActivePowerActivation").boolean(true).end_object();
//   if (w.ok()) send(w.text());
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace lmc::json {

class Writer {
 public:
  static constexpr std::size_t kMaxDepth = 16;

  // The text is kept NUL-terminated, so capacity - 1 bytes are usable.
  Writer(char* out, std::size_t capacity);

  Writer& begin_object();
  Writer& end_object();
  Writer& begin_array();
  Writer& end_array();
  Writer& key(std::string_view name);
  Writer& string(std::string_view s);
  Writer& boolean(bool b);
  Writer& null();
  Writer& integer(std::int64_t v);
  Writer& unsigned_integer(std::uint64_t v);
  // At most `decimals` digits after the point (0-9), trailing zeros dropped; NaN and infinity
  // (not representable in JSON) are written as null.
  Writer& number(double v, int decimals = 3);

  bool truncated() const { return truncated_; }
  // The text is complete (every container closed), fitted and well-formed.
  bool ok() const { return !truncated_ && !misuse_ && depth_ == 0 && values_ > 0; }
  std::string_view text() const { return {out_, size_}; }
  std::size_t size() const { return size_; }

 private:
  bool before_value();  // writes a comma when needed, checks that a value is allowed here
  void put(char c);
  void put(std::string_view s);
  void put_string(std::string_view s);  // quoted and escaped

  char* out_;
  std::size_t cap_;
  std::size_t size_ = 0;
  bool truncated_ = false;
  bool misuse_ = false;
  std::size_t depth_ = 0;
  std::size_t values_ = 0;  // top-level values written
  bool is_object_[kMaxDepth] = {};
  bool first_[kMaxDepth] = {};  // no element yet at this level
  bool after_key_ = false;      // inside an object: a key was written, a value is due
};

}  // namespace lmc::json
