// HTTP Basic authentication (RFC 7617) and the base64 coding it uses (RFC 4648 §4).
#pragma once
#include <cstddef>
#include <string_view>

namespace lmc::http {

// Decodes an Authorization field value "Basic <base64(user:password)>" (scheme
// case-insensitive). user and password point into buf. False for another scheme, bad base64,
// no colon, or a buf too small.
bool parse_basic_auth(std::string_view authorization, char* buf, std::size_t cap, std::string_view& user,
                      std::string_view& password);
// True when the field carries exactly these credentials (comparison time independent of
// where the first difference is).
bool basic_auth_matches(std::string_view authorization, std::string_view user, std::string_view password);

// Strict base64 (padding required, no whitespace); returns the decoded size or SIZE_MAX.
std::size_t base64_decode(std::string_view in, char* out, std::size_t cap);
// Returns the encoded size, or 0 when cap is too small (a NUL is not written).
std::size_t base64_encode(const char* in, std::size_t n, char* out, std::size_t cap);

}  // namespace lmc::http
