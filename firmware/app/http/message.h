// HTTP/1.1 message syntax shared by the server and the client (RFC 9110, RFC 9112): methods,
// header fields, limits, status reason phrases. Fixed capacities, no heap; every string_view
// points into the storage the caller gave the parser.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace lmc::http {

enum class Method : std::uint8_t { kUnknown, kGet, kHead, kPost, kPut, kDelete, kOptions, kPatch };
std::string_view method_name(Method m);
// kUnknown for a method token this device does not implement (the server answers 501).
Method parse_method(std::string_view token);

inline constexpr std::size_t kMaxHeaders = 32;  // capacity of Headers

struct Header {
  std::string_view name;
  std::string_view value;  // without leading/trailing whitespace
};

struct Headers {
  Header items[kMaxHeaders];
  std::size_t count = 0;

  // The first field of that name (case-insensitive), or an empty view; has() tells them apart.
  std::string_view get(std::string_view name) const;
  bool has(std::string_view name) const;
  // True when a comma-separated list field contains token (case-insensitive), e.g.
  // has_token("Connection", "close").
  bool has_token(std::string_view name, std::string_view token) const;
};

// Limits of one message; exceeding one is an error status, never a truncation.
struct Limits {
  std::size_t max_head = 4096;    // start line + header section, bytes -> 431 (414 in the request line)
  std::size_t max_headers = 32;   // header fields (<= kMaxHeaders) -> 431
  std::size_t max_target = 1024;  // request-target, bytes -> 414
  std::size_t max_body = 8192;    // decoded body, bytes -> 413
};

// State of an incremental parser after feed().
enum class ParseState : std::uint8_t { kNeedMore, kComplete, kError };

bool iequals(std::string_view a, std::string_view b);
// "OK", "Not Found", ...; "Unknown" for codes this firmware never sends.
std::string_view reason_phrase(int status);

namespace detail {
// Shared by the request and response parsers.
bool is_tchar(char c);
// Where the header section ending in buf[0..size) ends (one past its empty line), searching
// from scan; 0 when not yet complete. scan is advanced for the next call.
std::size_t find_head_end(const char* buf, std::size_t size, std::size_t& scan);
// Splits the next line (CRLF or LF) off text; false when none.
bool next_line(std::string_view& text, std::string_view& line);
// Parses the field lines of a header section (each ends in CRLF or LF; the empty line
// excluded). Returns 0 or the status to answer: 400 bad syntax, 431 too many fields.
int parse_fields(std::string_view lines, Headers& out, std::size_t max_fields);
// Content-Length: "n" or a list of identical "n, n"; false when malformed.
bool parse_content_length(std::string_view value, std::uint64_t& out);
// Every Content-Length field of h (RFC 9112 §6.3): 0 none, 1 found (length set), -1 malformed
// or conflicting (reason set).
int content_length(const Headers& h, std::uint64_t& length, const char*& reason);

// Collects a header section from partial reads (shared by both parsers). Appends bytes from
// data to buf[0..size), at most max_head in all. kDone: the empty line arrived, size is now the
// head's length and the bytes after it are given back to data/n (body or next message).
// kFull: max_head bytes and no end yet. scan: where the search for the end resumes.
enum class HeadRead : std::uint8_t { kNeedMore, kDone, kFull };
HeadRead read_head(char* buf, std::size_t max_head, std::size_t& size, std::size_t& scan, const char*& data,
                   std::size_t& n);
}  // namespace detail

}  // namespace lmc::http
