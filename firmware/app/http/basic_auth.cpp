#include "app/http/basic_auth.h"

#include <cstdint>

#include "app/http/message.h"

namespace lmc::http {

namespace {
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
int sextet(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}
}  // namespace

std::size_t base64_decode(std::string_view in, char* out, std::size_t cap) {
  constexpr std::size_t kBad = SIZE_MAX;
  if (in.size() % 4 != 0) return kBad;
  std::size_t n = 0;
  for (std::size_t i = 0; i < in.size(); i += 4) {
    const bool last = i + 4 == in.size();
    int v[4];
    std::size_t pad = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      const char c = in[i + k];
      if (c == '=' && last && k >= 2) {
        ++pad;
        v[k] = 0;
        continue;
      }
      if (pad > 0) return kBad;  // data after padding
      v[k] = sextet(c);
      if (v[k] < 0) return kBad;
    }
    const std::uint32_t w = (static_cast<std::uint32_t>(v[0]) << 18) | (static_cast<std::uint32_t>(v[1]) << 12) |
                            (static_cast<std::uint32_t>(v[2]) << 6) | static_cast<std::uint32_t>(v[3]);
    // Non-canonical encodings (bits set under the padding) are rejected (RFC 4648 §3.5).
    if ((pad == 1 && (w & 0xFF) != 0) || (pad == 2 && (w & 0xFFFF) != 0)) return kBad;
    const std::size_t bytes = 3 - pad;
    if (n + bytes > cap) return kBad;
    out[n++] = static_cast<char>(w >> 16);
    if (bytes > 1) out[n++] = static_cast<char>((w >> 8) & 0xFF);
    if (bytes > 2) out[n++] = static_cast<char>(w & 0xFF);
  }
  return n;
}

std::size_t base64_encode(const char* in, std::size_t n, char* out, std::size_t cap) {
  const std::size_t size = (n + 2) / 3 * 4;
  if (size > cap) return 0;
  std::size_t o = 0;
  for (std::size_t i = 0; i < n; i += 3) {
    std::uint32_t w = static_cast<std::uint32_t>(static_cast<unsigned char>(in[i])) << 16;
    if (i + 1 < n) w |= static_cast<std::uint32_t>(static_cast<unsigned char>(in[i + 1])) << 8;
    if (i + 2 < n) w |= static_cast<std::uint32_t>(static_cast<unsigned char>(in[i + 2]));
    out[o++] = kAlphabet[(w >> 18) & 63];
    out[o++] = kAlphabet[(w >> 12) & 63];
    out[o++] = i + 1 < n ? kAlphabet[(w >> 6) & 63] : '=';
    out[o++] = i + 2 < n ? kAlphabet[w & 63] : '=';
  }
  return size;
}

bool parse_basic_auth(std::string_view authorization, char* buf, std::size_t cap, std::string_view& user,
                      std::string_view& password) {
  // credentials = auth-scheme 1*SP token68 (RFC 9110 §11.4); the scheme is case-insensitive.
  const std::size_t sp = authorization.find(' ');
  if (sp == std::string_view::npos || !iequals(authorization.substr(0, sp), "Basic")) return false;
  std::string_view token = authorization.substr(sp);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  const std::size_t n = base64_decode(token, buf, cap);
  if (n == SIZE_MAX || n == 0) return false;
  const std::string_view pair(buf, n);
  const std::size_t colon = pair.find(':');  // the user-id cannot contain a colon (RFC 7617 §2)
  if (colon == std::string_view::npos) return false;
  for (char c : pair) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return false;  // no control characters
  }
  user = pair.substr(0, colon);
  password = pair.substr(colon + 1);
  return true;
}

bool basic_auth_matches(std::string_view authorization, std::string_view user, std::string_view password) {
  char buf[192];
  std::string_view u;
  std::string_view p;
  if (!parse_basic_auth(authorization, buf, sizeof buf, u, p)) return false;
  // Accumulate every difference instead of returning at the first one.
  unsigned diff = (u.size() != user.size() ? 1U : 0U) | (p.size() != password.size() ? 1U : 0U);
  for (std::size_t i = 0; i < u.size() && i < user.size(); ++i) diff |= static_cast<unsigned>(u[i] ^ user[i]);
  for (std::size_t i = 0; i < p.size() && i < password.size(); ++i) diff |= static_cast<unsigned>(p[i] ^ password[i]);
  return diff == 0;
}

}  // namespace lmc::http
