#include "app/api/http_service.h"

namespace lmc::api {

namespace {
http::Limits limits() {
  http::Limits l;
  l.max_head = 1536;
  l.max_headers = 24;
  l.max_target = 512;
  l.max_body = 1024;
  return l;
}
}  // namespace

HttpService::HttpService(Sockets& sockets, const int* socks, int n, Log& log, const char* area, HttpBuffers& buffers)
    : TcpServer(sockets, socks, n, log, area),
      sockets_(sockets),
      area_(area),
      parser_{http::RequestParser(storage_[0], kRequestSize, limits()),
              http::RequestParser(storage_[1], kRequestSize, limits())},
      buf_(buffers) {
  static_assert(kMaxSlots == 2, "one parser per slot");
  for (int i = 0; i < n && i < kMaxSlots; ++i) socks_[i] = socks[i];
}

HttpService::~HttpService() {
  if (buf_.owner == this) buf_.owner = nullptr;
}

bool HttpService::buffers_busy() const {
  const HttpService* o = buf_.owner;
  if (!o) return false;
  return o->sending_from(buf_.owner_slot, buf_.head, sizeof buf_.head) ||
         o->sending_from(buf_.owner_slot, buf_.body, sizeof buf_.body);
}

Endpoint HttpService::peer(int slot) const {
  return sockets_.peer(socks_[slot]);
}

void HttpService::on_open(int slot, std::uint64_t) {
  parser_[slot].next();
  started_[slot] = false;
}

std::size_t HttpService::on_bytes(int slot, const char* data, std::size_t n, std::uint64_t now_ms) {
  // A reply may be needed at the end of these bytes: wait (bytes stay read ahead or in the
  // socket) until the shared buffers are free.
  if (buffers_busy()) return 0;
  buf_.owner = nullptr;
  http::RequestParser& p = parser_[slot];
  const char* d = data;
  std::size_t left = n;
  const http::ParseState st = p.feed(d, left);
  const std::size_t used = n - left;
  started_[slot] = used > 0 || started_[slot];
  if (st == http::ParseState::kNeedMore) return used;
  started_[slot] = false;
  http::ResponseWriter w(buf_.head, sizeof buf_.head);
  if (st == http::ParseState::kError) {
    log().event(area_, "bad-request").kv("status", p.error_status()).kv("reason", p.error_reason());
    w.status(p.error_status())
        .header("Connection", "close")
        .header("Content-Type", "text/plain")
        .body(http::reason_phrase(p.error_status()));
    if (w.ok()) queue(slot, w.data().data(), w.size());
    buf_.owner = this;
    buf_.owner_slot = slot;
    close_when_sent(slot);
    return n;  // the rest of the stream is not trusted
  }
  const http::Request& req = p.request();
  const bool keep = req.keep_alive;
  const bool head_only = req.method == http::Method::kHead;
  static_ = {};
  handle(slot, req, peer(slot), w, now_ms);
  if (!w.ok() || !w.complete()) {
    w.reset();
    static_ = {};
    w.status(500).header("Connection", "close").body("");
    close_when_sent(slot);
  } else if (!keep) {
    close_when_sent(slot);
  }
  queue(slot, w.data().data(), w.size());
  if (!static_.empty() && w.ok() && !head_only) queue(slot, static_.data(), static_.size());
  static_ = {};
  buf_.owner = this;  // until this slot has sent what points into the buffers
  buf_.owner_slot = slot;
  p.next();
  return used;
}

}  // namespace lmc::api
