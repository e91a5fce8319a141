// An HTTP/1.1 server on TcpServer (REST :7000, web UI :4000): one http::RequestParser per
// connection (keep-alive, pipelining one request at a time), malformed requests answered with
// the parser's status (400, 413, 414, 431, 501, 505) and closed. The service derives and
// answers each complete request into the writer.
// RAM: the reply head and a generated body are built in one HttpBuffers shared by every HTTP
// server (the loop is cooperative and a request is handled to completion). Replies usually
// fit the socket's send buffer at once; when one has to wait for a slow peer, the buffers stay
// with that connection until it has taken the reply (or the send timeout cuts it), and other
// connections' requests wait in their parsers meanwhile.
#pragma once
#include <cstdint>
#include <string_view>

#include "app/api/tcp_server.h"
#include "app/http/message_writer.h"
#include "app/http/request_parser.h"

namespace lmc::api {

class HttpService;

// The reply buffers every HTTP server of the device shares (one set, owned by api::Api).
struct HttpBuffers {
  static constexpr std::size_t kHeadSize = 512;   // status line, our fields (<= ~250 B), a short inline body
  static constexpr std::size_t kBodySize = 6144;  // one generated reply body (50 stations' JSON)
  char head[kHeadSize];
  char body[kBodySize];
  const HttpService* owner = nullptr;  // whose queued reply still points into them
  int owner_slot = 0;
};

class HttpService : public TcpServer {
 public:
  static constexpr std::size_t kRequestSize = 2048;  // head + body of one request
  static constexpr std::size_t kBodySize = HttpBuffers::kBodySize;

  HttpService(Sockets& sockets, const int* socks, int n, Log& log, const char* area, HttpBuffers& buffers);

 protected:
  ~HttpService();
  // Answers one request; `out` is a fresh writer. Add headers, then body().
  virtual void handle(int slot, const http::Request& req, Endpoint peer, http::ResponseWriter& out,
                      std::uint64_t now_ms) = 0;
  Endpoint peer(int slot) const;
  // From handle(): a constant body (a page in flash) follows the head; the handler has written
  // the head with out.body_follows(body.size()).
  void static_body(std::string_view body) { static_ = body; }
  // Where a handler builds a reply body (the shared buffers, free during handle()); it stays
  // valid until sent. Send it with static_body().
  char* body_buffer(int) { return buf_.body; }

 private:
  void on_open(int slot, std::uint64_t now_ms) override;
  std::size_t on_bytes(int slot, const char* data, std::size_t n, std::uint64_t now_ms) override;
  bool in_request(int slot) const override { return started_[slot]; }
  // Another connection's reply still points into the shared buffers.
  bool buffers_busy() const;

  Sockets& sockets_;
  int socks_[kMaxSlots] = {};
  const char* area_;
  char storage_[kMaxSlots][kRequestSize];
  http::RequestParser parser_[kMaxSlots];
  bool started_[kMaxSlots] = {};
  HttpBuffers& buf_;
  std::string_view static_;
};

}  // namespace lmc::api
