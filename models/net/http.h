// HTTP/1.1 over the simulated TCP: message parsing with Debian's http-parser (requests and
// responses), message building, and HttpServer, a listening service that answers each
// request through a handler after a processing delay (keep-alive honoured).
//
// The request-text helpers below (path segments, form decoding, case-insensitive header
// names) are inline: the stations area's API models (Zaptec cloud) use them without linking
// the network library, which itself links the stations library.
#pragma once
#include <algorithm>
#include <cctype>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "models/net/lan.h"

namespace lmsim::net {

// Orders header names case-insensitively (HTTP field names are case-insensitive).
struct HeaderNameLess {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
      return std::tolower(static_cast<unsigned char>(x)) < std::tolower(static_cast<unsigned char>(y));
    });
  }
};
using HeaderMap = std::map<std::string, std::string, HeaderNameLess>;
inline bool header_name_equal(std::string_view a, std::string_view b) {
  return !HeaderNameLess{}(a, b) && !HeaderNameLess{}(b, a);
}

// "/api/chargers/abc/state?x=1" -> {"api", "chargers", "abc", "state"} (query dropped).
inline std::vector<std::string> split_path(std::string_view url) {
  std::string_view path = url.substr(0, url.find('?'));
  std::vector<std::string> parts;
  std::size_t i = 0;
  while (i < path.size()) {
    std::size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) parts.emplace_back(path.substr(i, j - i));
    i = j + 1;
  }
  return parts;
}

// application/x-www-form-urlencoded value decoding ('+' = space, %XX); a malformed escape is
// kept as it is.
inline std::string url_decode(std::string_view s) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (std::size_t k = 0; k < s.size(); ++k) {
    if (s[k] == '+') {
      out += ' ';
    } else if (s[k] == '%' && k + 2 < s.size() && hex(s[k + 1]) >= 0 && hex(s[k + 2]) >= 0) {
      out += static_cast<char>(hex(s[k + 1]) * 16 + hex(s[k + 2]));
      k += 2;
    } else {
      out += s[k];
    }
  }
  return out;
}

// "a=1&b=x%40y" -> {a: "1", b: "x@y"}; pairs without '=' are ignored.
inline std::map<std::string, std::string> parse_form(std::string_view body) {
  std::map<std::string, std::string> out;
  std::size_t i = 0;
  while (i < body.size()) {
    std::size_t amp = body.find('&', i);
    if (amp == std::string_view::npos) amp = body.size();
    std::string_view kv = body.substr(i, amp - i);
    std::size_t eq = kv.find('=');
    if (eq != std::string_view::npos) out[url_decode(kv.substr(0, eq))] = url_decode(kv.substr(eq + 1));
    i = amp + 1;
  }
  return out;
}

struct HttpMessage {
  std::string method;  // requests
  std::string url;     // requests: path and query
  int status = 0;      // responses
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool keep_alive = true;
  // Case-insensitive header lookup; empty if absent.
  std::string header(const std::string& name) const;
};

class HttpParser {
 public:
  explicit HttpParser(bool requests);
  ~HttpParser();
  HttpParser(const HttpParser&) = delete;
  HttpParser& operator=(const HttpParser&) = delete;
  // Feeds bytes; complete messages land in `done`. False on a protocol error (see error()).
  bool feed(std::string_view bytes);
  // The connection closed: completes a message delimited by the close (no Content-Length).
  void eof();
  std::deque<HttpMessage> done;
  const std::string& error() const { return error_; }

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  std::string error_;
};

std::string http_response(int status, std::string_view body, std::string_view content_type = "application/json",
                          bool keep_alive = true, const std::vector<std::pair<std::string, std::string>>& headers = {});
std::string http_request(std::string_view method, std::string_view host, std::string_view path,
                         std::string_view body = {},
                         const std::vector<std::pair<std::string, std::string>>& headers = {});
const char* http_reason(int status);

// A listening HTTP service on a host's port.
class HttpServer : public TcpAcceptor {
 public:
  struct Reply {
    int status = 200;
    std::string body;
    std::string content_type = "application/json";
    std::vector<std::pair<std::string, std::string>> headers = {};  // extra ones (Retry-After, ...)
  };
  using Handler = std::function<Reply(const HttpMessage& req, Time t)>;

  HttpServer(Host& host, std::uint16_t port, Scheduler& sched, Handler h, Time processing = 1 * kMs);
  ~HttpServer() override;
  TcpPeer* tcp_accept(ConnId id, Endpoint local, Endpoint remote, Time t) override;
  std::uint64_t requests() const { return requests_; }
  // The host rebooted: every connection's state is gone.
  void drop_all();

 private:
  class Conn;
  Host& host_;
  Scheduler& sched_;
  Handler handler_;
  Time processing_;
  std::map<ConnId, std::unique_ptr<Conn>> conns_;
  std::uint64_t requests_ = 0;
};

}  // namespace lmsim::net
