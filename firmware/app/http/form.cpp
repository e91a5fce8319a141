#include "app/http/form.h"

#include <cstdint>

namespace lmc::http {

namespace {
int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::size_t form_decode(std::string_view in, char* out, std::size_t cap) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '+') {
      c = ' ';
    } else if (c == '%') {
      if (i + 2 >= in.size()) return SIZE_MAX;
      const int a = hex(in[i + 1]), b = hex(in[i + 2]);
      if (a < 0 || b < 0) return SIZE_MAX;
      c = static_cast<char>(a << 4 | b);
      i += 2;
    }
    if (c == '\0' || n + 1 >= cap) return SIZE_MAX;  // no NUL inside, room for the terminator
    out[n++] = c;
  }
  if (cap == 0) return SIZE_MAX;
  out[n] = '\0';
  return n;
}

bool next_form_field(std::string_view& body, char* name, std::size_t name_cap, char* value, std::size_t value_cap,
                     bool* bad) {
  while (!body.empty()) {
    const std::size_t amp = body.find('&');
    const std::string_view pair = body.substr(0, amp);
    body.remove_prefix(amp == std::string_view::npos ? body.size() : amp + 1);
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    const std::string_view n = pair.substr(0, eq);
    const std::string_view v = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    if (form_decode(n, name, name_cap) == SIZE_MAX || form_decode(v, value, value_cap) == SIZE_MAX) {
      if (bad) *bad = true;
      return false;
    }
    return true;
  }
  return false;
}

}  // namespace lmc::http
