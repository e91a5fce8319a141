// HTTP/1.1 over the simulated TCP: message parsing with Debian's http-parser (requests and
// responses), message building, and HttpServer, a listening service that answers each
// request through a handler after a processing delay (keep-alive honoured).
#pragma once
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "models/net/lan.h"

namespace lmsim::net {

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
                          bool keep_alive = true);
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
