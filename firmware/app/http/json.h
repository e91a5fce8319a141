// JSON parser (RFC 8259, strict) with limits, into a caller-provided token array (no heap).
// Rejects: trailing commas, bad escapes, invalid UTF-8 (overlong, surrogates, > U+10FFFF),
// lone surrogate escapes, leading zeros, control characters in strings, anything after the
// value. Limits: nesting depth, token count, string length (decoded bytes).
//
//   json::StaticDocument<32> doc;
//   if (doc.parse(body) != json::Error::kNone) -> 400/500 with json::error_text(doc.error())
//   double limit; if (doc.root()["CurrentLimit"].get_number(limit)) ...
//   bool on;     if (doc.root()["ActivePowerActivation"].get_bool(on)) ...
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace lmc::json {

enum class Type : std::uint8_t { kNull, kFalse, kTrue, kNumber, kString, kArray, kObject };

enum class Error : std::uint8_t {
  kNone,
  kEmpty,          // no value (only whitespace)
  kSyntax,         // unexpected character, missing ':' or ',', trailing comma, unclosed
  kNumber,         // leading zero, missing digits, ...
  kEscape,         // unknown escape, bad \u hex digits
  kSurrogate,      // lone or reversed UTF-16 surrogate escape
  kUtf8,           // invalid UTF-8 in the text
  kControl,        // unescaped control character in a string
  kTooDeep,        // nesting deeper than Limits::max_depth
  kTooManyTokens,  // more values than the token array holds
  kStringTooLong,  // a string longer than Limits::max_string (decoded bytes)
  kTrailing,       // something after the value
};
const char* error_text(Error e);

struct Limits {
  std::uint32_t max_depth = 16;
  std::uint32_t max_string = 256;
};

// One value: scalars, strings, arrays, objects (object members are key, value pairs).
struct Token {
  Type type = Type::kNull;
  std::uint32_t start = 0;  // raw text [start, start + length), strings with their quotes
  std::uint32_t length = 0;
  std::uint32_t children = 0;  // arrays: elements; objects: members (keys + values = 2 x)
  std::uint32_t end = 0;       // index one past this token's subtree
};

class Document;

// A view of one value of a parsed document; an invalid Value (valid() == false) stands for
// "absent" and answers every query with false / empty.
class Value {
 public:
  Value() = default;
  bool valid() const { return doc_ != nullptr; }
  Type type() const;
  bool is_null() const { return valid() && type() == Type::kNull; }
  bool is_bool() const { return valid() && (type() == Type::kTrue || type() == Type::kFalse); }
  bool is_number() const { return valid() && type() == Type::kNumber; }
  bool is_string() const { return valid() && type() == Type::kString; }
  bool is_array() const { return valid() && type() == Type::kArray; }
  bool is_object() const { return valid() && type() == Type::kObject; }

  // Object member by name (the first one when duplicated); invalid when absent or not an object.
  Value operator[](std::string_view key) const;
  // Array element; invalid when out of range or not an array.
  Value operator[](std::size_t index) const;
  // Elements of an array, members of an object, 0 otherwise.
  std::size_t size() const;
  // Object members by position.
  Value key_at(std::size_t index) const;
  Value value_at(std::size_t index) const;

  bool get_bool(bool& out) const;
  // Any number; false when not a number or out of double's range.
  bool get_number(double& out) const;
  // Only numbers written without fraction and exponent that fit in int64.
  bool get_int(std::int64_t& out) const;
  // Decoded string into out (NUL-terminated); false when not a string or cap is too small.
  bool get_string(char* out, std::size_t cap, std::size_t* length = nullptr) const;
  // Compares the decoded string with s (a string with escapes decoding to more than 256
  // bytes compares unequal).
  bool equals(std::string_view s) const;
  // The raw text of the value.
  std::string_view raw() const;

 private:
  friend class Document;
  Value(const Document* doc, std::uint32_t index) : doc_(doc), index_(index) {}
  const Token& token() const;
  const Document* doc_ = nullptr;
  std::uint32_t index_ = 0;
};

class Document {
 public:
  Document(Token* tokens, std::size_t capacity, const Limits& limits = {})
      : tokens_(tokens), capacity_(capacity), limits_(limits) {}
  Document(const Document&) = delete;
  Document& operator=(const Document&) = delete;

  // Parses text (which must outlive the document's use). Returns the error, also kept.
  Error parse(std::string_view text);
  Error error() const { return error_; }
  std::size_t error_offset() const { return error_offset_; }  // byte offset in the text
  // The top-level value; invalid unless parse() succeeded.
  Value root() const { return error_ == Error::kNone && count_ > 0 ? Value(this, 0) : Value(); }
  std::size_t token_count() const { return count_; }

 private:
  friend class Value;
  friend class Parser;
  Token* tokens_;
  std::size_t capacity_;
  Limits limits_;
  std::string_view text_;
  std::size_t count_ = 0;
  Error error_ = Error::kEmpty;
  std::size_t error_offset_ = 0;
};

template <std::size_t N>
class StaticDocument : public Document {
 public:
  explicit StaticDocument(const Limits& limits = {}) : Document(storage_, N, limits) {}

 private:
  Token storage_[N];
};

// Length of the well-formed UTF-8 sequence at s[at] (RFC 3629 §4), 0 when ill-formed.
std::size_t utf8_length(std::string_view s, std::size_t at);

// Decodes one JSON string literal (with quotes, already validated by the parser) into out.
// Returns the decoded length or SIZE_MAX when cap is too small. Exposed for tests.
std::size_t decode_string(std::string_view literal, char* out, std::size_t cap);

}  // namespace lmc::json
