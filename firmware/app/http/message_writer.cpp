#include "app/http/message_writer.h"

namespace lmc::http {

namespace {
bool has_line_break(std::string_view s) {
  for (char c : s) {
    if (c == '\r' || c == '\n' || c == '\0') return true;
  }
  return false;
}
}  // namespace

void MessageWriter::put(std::string_view s) {
  if (!ok_) return;
  if (s.size() > cap_ - size_) {
    ok_ = false;
    return;
  }
  for (char c : s) out_[size_++] = c;
}

void MessageWriter::put_uint(std::uint64_t v, int base) {
  char digits[24];
  std::size_t n = 0;
  do {
    const auto d = static_cast<unsigned>(v % static_cast<unsigned>(base));
    digits[n++] = static_cast<char>(d < 10 ? '0' + d : 'a' + d - 10);
    v /= static_cast<unsigned>(base);
  } while (v != 0);
  char text[24];
  for (std::size_t i = 0; i < n; ++i) text[i] = digits[n - 1 - i];
  put(std::string_view(text, n));
}

void MessageWriter::reset() {
  size_ = 0;
  ok_ = true;
  head_only_ = false;
  complete_ = false;
  chunked_ = false;
}

MessageWriter& MessageWriter::status(int code) {
  if (code < 100 || code > 999) ok_ = false;
  put("HTTP/1.1 ");
  put_uint(static_cast<std::uint64_t>(code < 0 ? 0 : code), 10);
  put(" ");
  put(reason_phrase(code));
  put("\r\n");
  return *this;
}

MessageWriter& MessageWriter::request(Method method, std::string_view target) {
  if (method == Method::kUnknown || target.empty() || has_line_break(target) ||
      target.find(' ') != std::string_view::npos)
    ok_ = false;
  put(method_name(method));
  put(" ");
  put(target);
  put(" HTTP/1.1\r\n");
  return *this;
}

MessageWriter& MessageWriter::header(std::string_view name, std::string_view value) {
  for (char c : name) {
    if (!detail::is_tchar(c)) ok_ = false;
  }
  if (name.empty() || has_line_break(value)) ok_ = false;  // no header injection
  put(name);
  put(": ");
  put(value);
  put("\r\n");
  return *this;
}

MessageWriter& MessageWriter::header(std::string_view name, std::uint64_t value) {
  header(name, std::string_view());
  if (!ok_) return *this;
  size_ -= 2;  // reopen the line for the number
  put_uint(value, 10);
  put("\r\n");
  return *this;
}

MessageWriter& MessageWriter::body(std::string_view content) {
  header("Content-Length", static_cast<std::uint64_t>(content.size()));
  put("\r\n");
  if (!head_only_) put(content);
  complete_ = ok_;
  return *this;
}

MessageWriter& MessageWriter::body_follows(std::uint64_t length) {
  header("Content-Length", length);
  put("\r\n");
  complete_ = ok_;
  return *this;
}

MessageWriter& MessageWriter::begin_chunked() {
  header("Transfer-Encoding", "chunked");
  put("\r\n");
  chunked_ = true;
  return *this;
}

MessageWriter& MessageWriter::chunk(std::string_view data) {
  if (!chunked_) ok_ = false;
  if (data.empty() || head_only_) return *this;  // an empty chunk would end the body
  put_uint(data.size(), 16);
  put("\r\n");
  put(data);
  put("\r\n");
  return *this;
}

MessageWriter& MessageWriter::end_chunked() {
  if (!chunked_) ok_ = false;
  if (!head_only_) put("0\r\n\r\n");
  complete_ = ok_;
  return *this;
}

}  // namespace lmc::http
