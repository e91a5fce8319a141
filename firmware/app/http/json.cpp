#include "app/http/json.h"

#include <charconv>
#include <cmath>
#include <cstring>

namespace lmc::json {

const char* error_text(Error e) {
  switch (e) {
    case Error::kNone: return "ok";
    case Error::kEmpty: return "no JSON value";
    case Error::kSyntax: return "syntax error";
    case Error::kNumber: return "malformed number";
    case Error::kEscape: return "bad escape in string";
    case Error::kSurrogate: return "lone UTF-16 surrogate";
    case Error::kUtf8: return "invalid UTF-8";
    case Error::kControl: return "control character in string";
    case Error::kTooDeep: return "nesting too deep";
    case Error::kTooManyTokens: return "too many values";
    case Error::kStringTooLong: return "string too long";
    case Error::kTrailing: return "data after the JSON value";
  }
  return "unknown error";
}

namespace {

// Hard cap of the recursion, whatever Limits says: the MCU stack is small.
constexpr std::uint32_t kMaxDepthCap = 64;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool read_hex4(std::string_view s, std::size_t at, std::uint32_t& out) {
  if (at + 4 > s.size()) return false;
  out = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    const int d = hex_value(s[at + i]);
    if (d < 0) return false;
    out = out * 16 + static_cast<std::uint32_t>(d);
  }
  return true;
}

}  // namespace

std::size_t utf8_length(std::string_view s, std::size_t at) {
  const auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[at + i]); };
  const unsigned char c = b(0);
  std::size_t len = 0;
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;  // no overlong forms
    if (c == 0xED) hi = 0x9F;  // no surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;  // <= U+10FFFF
  } else {
    return 0;
  }
  if (at + len > s.size()) return 0;
  if (b(1) < lo || b(1) > hi) return 0;
  for (std::size_t i = 2; i < len; ++i) {
    if (b(i) < 0x80 || b(i) > 0xBF) return 0;
  }
  return len;
}

namespace {

std::size_t put_utf8(std::uint32_t cp, char* out) {
  if (cp < 0x80) {
    out[0] = static_cast<char>(cp);
    return 1;
  }
  if (cp < 0x800) {
    out[0] = static_cast<char>(0xC0 | (cp >> 6));
    out[1] = static_cast<char>(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = static_cast<char>(0xE0 | (cp >> 12));
    out[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out[2] = static_cast<char>(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = static_cast<char>(0xF0 | (cp >> 18));
  out[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
  out[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
  out[3] = static_cast<char>(0x80 | (cp & 0x3F));
  return 4;
}

}  // namespace

// The recursive-descent parser; one per parse() call.
class Parser {
 public:
  Parser(Document& doc, std::string_view text) : doc_(doc), s_(text) {}

  Error run() {
    skip_ws();
    if (pos_ == s_.size()) return fail(Error::kEmpty);
    if (!value(0)) return error_;
    skip_ws();
    if (pos_ != s_.size()) return fail(Error::kTrailing);
    return Error::kNone;
  }
  std::size_t error_offset() const { return pos_; }

 private:
  Error fail(Error e) {
    if (error_ == Error::kNone) error_ = e;
    return e;
  }
  void skip_ws() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
  }
  bool literal(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) {
      fail(Error::kSyntax);
      return false;
    }
    pos_ += word.size();
    return true;
  }
  // Appends a token; false (kTooManyTokens) when the array is full.
  bool add(Type type, std::size_t& index) {
    if (doc_.count_ == doc_.capacity_) {
      fail(Error::kTooManyTokens);
      return false;
    }
    index = doc_.count_++;
    doc_.tokens_[index] = Token{type, static_cast<std::uint32_t>(pos_), 0, 0, 0};
    return true;
  }
  void close(std::size_t index) {
    Token& t = doc_.tokens_[index];
    t.length = static_cast<std::uint32_t>(pos_ - t.start);
    t.end = static_cast<std::uint32_t>(doc_.count_);
  }

  bool value(std::uint32_t depth) {
    if (pos_ >= s_.size()) return fail(Error::kSyntax), false;
    const char c = s_[pos_];
    std::size_t index = 0;
    switch (c) {
      case '{':
      case '[': {
        std::uint32_t max = doc_.limits_.max_depth < kMaxDepthCap ? doc_.limits_.max_depth : kMaxDepthCap;
        if (depth >= max) return fail(Error::kTooDeep), false;
        if (!add(c == '{' ? Type::kObject : Type::kArray, index)) return false;
        if (!(c == '{' ? object(index, depth + 1) : array(index, depth + 1))) return false;
        close(index);
        return true;
      }
      case '"':
        if (!add(Type::kString, index) || !string()) return false;
        close(index);
        return true;
      case 't':
        if (!add(Type::kTrue, index) || !literal("true")) return false;
        close(index);
        return true;
      case 'f':
        if (!add(Type::kFalse, index) || !literal("false")) return false;
        close(index);
        return true;
      case 'n':
        if (!add(Type::kNull, index) || !literal("null")) return false;
        close(index);
        return true;
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          if (!add(Type::kNumber, index) || !number()) return false;
          close(index);
          return true;
        }
        return fail(Error::kSyntax), false;
    }
  }

  bool object(std::size_t index, std::uint32_t depth) {
    ++pos_;  // '{'
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == '}') {
      ++pos_;
      return true;
    }
    for (;;) {
      skip_ws();
      // After '{' or a comma only a key may follow: a trailing comma fails here.
      if (pos_ >= s_.size() || s_[pos_] != '"') return fail(Error::kSyntax), false;
      if (!value(depth)) return false;
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_] != ':') return fail(Error::kSyntax), false;
      ++pos_;
      skip_ws();
      if (!value(depth)) return false;
      doc_.tokens_[index].children += 2;
      skip_ws();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == '}') {
        ++pos_;
        return true;
      }
      return fail(Error::kSyntax), false;
    }
  }

  bool array(std::size_t index, std::uint32_t depth) {
    ++pos_;  // '['
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == ']') {
      ++pos_;
      return true;
    }
    for (;;) {
      skip_ws();
      if (!value(depth)) return false;  // a ']' after a comma is no value: trailing commas fail here
      ++doc_.tokens_[index].children;
      skip_ws();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == ']') {
        ++pos_;
        return true;
      }
      return fail(Error::kSyntax), false;
    }
  }

  // number = [ minus ] int [ frac ] [ exp ] (RFC 8259 §6)
  bool number() {
    const auto digit = [&] { return pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9'; };
    if (s_[pos_] == '-') ++pos_;
    if (!digit()) return fail(Error::kNumber), false;
    if (s_[pos_] == '0') {
      ++pos_;
      if (digit()) return fail(Error::kNumber), false;  // leading zero
    } else {
      while (digit()) ++pos_;
    }
    if (pos_ < s_.size() && s_[pos_] == '.') {
      ++pos_;
      if (!digit()) return fail(Error::kNumber), false;
      while (digit()) ++pos_;
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (!digit()) return fail(Error::kNumber), false;
      while (digit()) ++pos_;
    }
    return true;
  }

  bool string() {
    ++pos_;  // opening quote
    std::size_t decoded = 0;
    for (;;) {
      if (pos_ >= s_.size()) return fail(Error::kSyntax), false;
      const auto c = static_cast<unsigned char>(s_[pos_]);
      std::size_t add_len = 1;
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c < 0x20) return fail(Error::kControl), false;
      if (c == '\\') {
        if (pos_ + 1 >= s_.size()) return fail(Error::kSyntax), false;
        const char e = s_[pos_ + 1];
        if (e == 'u') {
          std::uint32_t cp = 0;
          if (!read_hex4(s_, pos_ + 2, cp)) return fail(Error::kEscape), false;
          pos_ += 6;
          if (cp >= 0xDC00 && cp <= 0xDFFF) return fail(Error::kSurrogate), false;
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            std::uint32_t lo = 0;
            if (pos_ + 1 >= s_.size() || s_[pos_] != '\\' || s_[pos_ + 1] != 'u' || !read_hex4(s_, pos_ + 2, lo) ||
                lo < 0xDC00 || lo > 0xDFFF)
              return fail(Error::kSurrogate), false;
            pos_ += 6;
            add_len = 4;
          } else {
            add_len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3;
          }
        } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't') {
          pos_ += 2;
        } else {
          return fail(Error::kEscape), false;
        }
      } else {
        add_len = utf8_length(s_, pos_);
        if (add_len == 0) return fail(Error::kUtf8), false;
        pos_ += add_len;
      }
      decoded += add_len;
      if (decoded > doc_.limits_.max_string) return fail(Error::kStringTooLong), false;
    }
  }

  Document& doc_;
  std::string_view s_;
  std::size_t pos_ = 0;
  Error error_ = Error::kNone;
};

Error Document::parse(std::string_view text) {
  text_ = text;
  count_ = 0;
  error_offset_ = 0;
  // Token offsets are 32-bit (and JSON bodies are small).
  if (text.size() > std::size_t{0x7FFFFFFF}) {
    error_ = Error::kSyntax;
    return error_;
  }
  Parser p(*this, text);
  error_ = p.run();
  if (error_ != Error::kNone) {
    error_offset_ = p.error_offset();
    count_ = 0;
  }
  return error_;
}

std::size_t decode_string(std::string_view lit, char* out, std::size_t cap) {
  if (lit.size() < 2) return SIZE_MAX;
  lit = lit.substr(1, lit.size() - 2);
  std::size_t n = 0;
  for (std::size_t i = 0; i < lit.size();) {
    char buf[4];
    std::size_t len = 1;
    if (lit[i] != '\\') {
      buf[0] = lit[i++];
    } else {
      const char e = lit[i + 1];
      i += 2;
      switch (e) {
        case 'b': buf[0] = '\b'; break;
        case 'f': buf[0] = '\f'; break;
        case 'n': buf[0] = '\n'; break;
        case 'r': buf[0] = '\r'; break;
        case 't': buf[0] = '\t'; break;
        case 'u': {
          std::uint32_t cp = 0;
          read_hex4(lit, i, cp);
          i += 4;
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            std::uint32_t lo = 0;
            read_hex4(lit, i + 2, lo);
            i += 6;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          len = put_utf8(cp, buf);
          break;
        }
        default: buf[0] = e; break;  // '"', '\\', '/'
      }
    }
    if (n + len > cap) return SIZE_MAX;
    std::memcpy(out + n, buf, len);
    n += len;
  }
  return n;
}

// ---- Value ------------------------------------------------------------------------------

const Token& Value::token() const {
  return doc_->tokens_[index_];
}

Type Value::type() const {
  return valid() ? token().type : Type::kNull;
}

std::string_view Value::raw() const {
  if (!valid()) return {};
  return doc_->text_.substr(token().start, token().length);
}

std::size_t Value::size() const {
  if (!valid()) return 0;
  const Token& t = token();
  if (t.type == Type::kArray) return t.children;
  if (t.type == Type::kObject) return t.children / 2;
  return 0;
}

Value Value::operator[](std::size_t index) const {
  if (!is_array() || index >= token().children) return {};
  std::uint32_t i = index_ + 1;
  for (std::size_t k = 0; k < index; ++k) i = doc_->tokens_[i].end;
  return Value(doc_, i);
}

Value Value::key_at(std::size_t index) const {
  if (!is_object() || index >= size()) return {};
  std::uint32_t i = index_ + 1;
  for (std::size_t k = 0; k < index; ++k) i = doc_->tokens_[i + 1].end;  // skip key and value
  return Value(doc_, i);
}

Value Value::value_at(std::size_t index) const {
  const Value k = key_at(index);
  return k.valid() ? Value(doc_, k.index_ + 1) : Value();
}

Value Value::operator[](std::string_view key) const {
  const std::size_t n = size();
  if (!is_object()) return {};
  std::uint32_t i = index_ + 1;
  for (std::size_t k = 0; k < n; ++k) {
    if (Value(doc_, i).equals(key)) return Value(doc_, i + 1);
    i = doc_->tokens_[i + 1].end;
  }
  return {};
}

bool Value::get_bool(bool& out) const {
  if (!is_bool()) return false;
  out = type() == Type::kTrue;
  return true;
}

bool Value::get_number(double& out) const {
  if (!is_number()) return false;
  const std::string_view r = raw();
  double v = 0;
  // from_chars: locale-independent, no heap; it rejects the '+' JSON never has anyway.
  const auto res = std::from_chars(r.data(), r.data() + r.size(), v);
  if (res.ec != std::errc() || res.ptr != r.data() + r.size() || !std::isfinite(v)) return false;
  out = v;
  return true;
}

bool Value::get_int(std::int64_t& out) const {
  if (!is_number()) return false;
  const std::string_view r = raw();
  std::int64_t v = 0;
  const auto res = std::from_chars(r.data(), r.data() + r.size(), v);
  if (res.ec != std::errc() || res.ptr != r.data() + r.size()) return false;  // fraction, exponent, range
  out = v;
  return true;
}

bool Value::get_string(char* out, std::size_t cap, std::size_t* length) const {
  if (!is_string() || cap == 0) return false;
  const std::size_t n = decode_string(raw(), out, cap - 1);
  if (n == SIZE_MAX) return false;
  out[n] = '\0';
  if (length != nullptr) *length = n;
  return true;
}

bool Value::equals(std::string_view s) const {
  if (!is_string()) return false;
  const std::string_view r = raw();
  // Fast path: no escapes, compare the raw text.
  if (std::memchr(r.data(), '\\', r.size()) == nullptr) return r.substr(1, r.size() - 2) == s;
  char buf[256];
  const std::size_t n = decode_string(r, buf, sizeof buf);
  return n != SIZE_MAX && std::string_view(buf, n) == s;
}

}  // namespace lmc::json
