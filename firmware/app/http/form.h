// application/x-www-form-urlencoded bodies (the WHATWG URL standard's form encoding: '&'
// separated name=value pairs, '+' for space, %XX bytes): the web UI's login and settings forms.
#pragma once
#include <cstddef>
#include <string_view>

namespace lmc::http {

// Decodes the next pair from body (advancing it) into name/value (NUL-terminated). Returns false
// at the end; sets *bad on a malformed escape or a field longer than its buffer.
bool next_form_field(std::string_view& body, char* name, std::size_t name_cap, char* value, std::size_t value_cap,
                     bool* bad);
// Decodes one component; returns its length, or SIZE_MAX when malformed or too long.
std::size_t form_decode(std::string_view in, char* out, std::size_t cap);

}  // namespace lmc::http
