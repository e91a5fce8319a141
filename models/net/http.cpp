#include "models/net/http.h"

#include <http_parser.h>

namespace lmsim::net {

std::string HttpMessage::header(const std::string& name) const {
  for (auto& [k, v] : headers)
    if (header_name_equal(k, name)) return v;
  return {};
}

struct HttpParser::Impl {
  http_parser p;
  http_parser_settings s;
  HttpMessage cur;
  std::string field;
  bool in_value = false;
  HttpParser* owner;
};

namespace {
HttpParser::Impl* impl_of(http_parser* p) {
  return static_cast<HttpParser::Impl*>(p->data);
}
}  // namespace

HttpParser::HttpParser(bool requests) : impl_(std::make_unique<Impl>()) {
  Impl& i = *impl_;
  i.owner = this;
  http_parser_init(&i.p, requests ? HTTP_REQUEST : HTTP_RESPONSE);
  i.p.data = &i;
  http_parser_settings_init(&i.s);
  i.s.on_message_begin = [](http_parser* p) {
    impl_of(p)->cur = {};
    impl_of(p)->field.clear();
    impl_of(p)->in_value = false;
    return 0;
  };
  i.s.on_url = [](http_parser* p, const char* at, size_t n) {
    impl_of(p)->cur.url.append(at, n);
    return 0;
  };
  i.s.on_header_field = [](http_parser* p, const char* at, size_t n) {
    Impl* m = impl_of(p);
    if (m->in_value) {
      m->field.clear();
      m->in_value = false;
    }
    m->field.append(at, n);
    return 0;
  };
  i.s.on_header_value = [](http_parser* p, const char* at, size_t n) {
    Impl* m = impl_of(p);
    if (!m->in_value) {
      m->cur.headers.emplace_back(m->field, std::string());
      m->in_value = true;
    }
    m->cur.headers.back().second.append(at, n);
    return 0;
  };
  i.s.on_body = [](http_parser* p, const char* at, size_t n) {
    impl_of(p)->cur.body.append(at, n);
    return 0;
  };
  i.s.on_message_complete = [](http_parser* p) {
    Impl* m = impl_of(p);
    if (p->type == HTTP_REQUEST) m->cur.method = http_method_str(static_cast<http_method>(p->method));
    m->cur.status = static_cast<int>(p->status_code);
    m->cur.keep_alive = http_should_keep_alive(p) != 0;
    m->owner->done.push_back(std::move(m->cur));
    m->cur = {};
    return 0;
  };
}

HttpParser::~HttpParser() = default;

bool HttpParser::feed(std::string_view bytes) {
  if (!error_.empty()) return false;
  size_t n = http_parser_execute(&impl_->p, &impl_->s, bytes.data(), bytes.size());
  if (impl_->p.http_errno != HPE_OK || n != bytes.size()) {
    error_ = http_errno_description(static_cast<http_errno>(impl_->p.http_errno));
    return false;
  }
  return true;
}

void HttpParser::eof() {
  if (error_.empty()) http_parser_execute(&impl_->p, &impl_->s, nullptr, 0);
}

const char* http_reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 404: return "Not Found";
    case 429: return "Too Many Requests";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Status";
  }
}

std::string http_response(int status, std::string_view body, std::string_view content_type, bool keep_alive,
                          const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string r = "HTTP/1.1 " + std::to_string(status) + " " + http_reason(status) + "\r\n";
  r += "Content-Type: " + std::string(content_type) + "\r\n";
  for (auto& [k, v] : headers) r += k + ": " + v + "\r\n";
  r += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  if (!keep_alive) r += "Connection: close\r\n";
  r += "\r\n";
  r += body;
  return r;
}

std::string http_request(std::string_view method, std::string_view host, std::string_view path, std::string_view body,
                         const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string r = std::string(method) + " " + std::string(path) + " HTTP/1.1\r\nHost: " + std::string(host) + "\r\n";
  for (auto& [k, v] : headers) r += k + ": " + v + "\r\n";
  if (!body.empty() || method == "POST" || method == "PUT")
    r += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  r += "\r\n";
  r += body;
  return r;
}

// ---------------------------------------------------------------------------------------
// HttpServer

class HttpServer::Conn : public TcpPeer {
 public:
  Conn(HttpServer& s, ConnId id) : s_(s), id_(id), parser_(true) {}
  void tcp_data(ConnId, std::string_view bytes, Time t) override {
    if (!parser_.feed(bytes)) {
      s_.host_.tcp_send(id_, http_response(400, "{\"error\":\"bad request\"}", "application/json", false), t);
      s_.host_.tcp_close(id_, t);
      return;
    }
    while (!parser_.done.empty()) {
      HttpMessage req = std::move(parser_.done.front());
      parser_.done.pop_front();
      ++s_.requests_;
      Time at = t + s_.processing_;
      // Answers leave after the processing time; the handler runs at that time.
      s_.sched_.at(at, [srv = &s_, id = id_, req = std::move(req)] {
        auto it = srv->conns_.find(id);
        if (it == srv->conns_.end()) return;
        Time now = Scheduler::now();
        Reply rep = srv->handler_(req, now);
        srv->host_.tcp_send(id, http_response(rep.status, rep.body, rep.content_type, req.keep_alive, rep.headers),
                            now);
        if (!req.keep_alive) srv->host_.tcp_close(id, now);
      });
    }
  }
  void tcp_closed(ConnId, TcpError, Time) override { s_.conns_.erase(id_); }

 private:
  HttpServer& s_;
  ConnId id_;
  HttpParser parser_;
};

HttpServer::HttpServer(Host& host, std::uint16_t port, Scheduler& sched, Handler h, Time processing)
    : host_(host), sched_(sched), handler_(std::move(h)), processing_(processing) {
  host.tcp_listen(port, this);
}

HttpServer::~HttpServer() = default;

void HttpServer::drop_all() {
  conns_.clear();
}

TcpPeer* HttpServer::tcp_accept(ConnId id, Endpoint, Endpoint, Time) {
  auto c = std::make_unique<Conn>(*this, id);
  TcpPeer* p = c.get();
  conns_[id] = std::move(c);
  return p;
}

}  // namespace lmsim::net
