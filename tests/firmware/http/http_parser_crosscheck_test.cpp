// Cross-check against libhttp-parser 2.9 (Debian libhttp-parser-dev, nodejs's original
// parser), an independent implementation: seeded random well-formed requests and responses
// (methods, targets, headers, Content-Length and chunked bodies, keep-alive variants) split at
// random points must be read identically by both. Tests only: http-parser is not our firmware's.
#include <gtest/gtest.h>
#include <http_parser.h>

#include <random>
#include <string>
#include <vector>

#include "app/http/message_writer.h"
#include "app/http/request_parser.h"
#include "app/http/response_parser.h"

namespace lmc::http {
namespace {

struct Ref {
  std::string url, body;
  int method = -1;
  int status = 0;
  bool keep_alive = false;
  bool complete = false;
};

int on_url(http_parser* p, const char* at, std::size_t n) {
  static_cast<Ref*>(p->data)->url.append(at, n);
  return 0;
}
int on_body(http_parser* p, const char* at, std::size_t n) {
  static_cast<Ref*>(p->data)->body.append(at, n);
  return 0;
}
int on_complete(http_parser* p) {
  Ref* r = static_cast<Ref*>(p->data);
  r->complete = true;
  r->method = static_cast<int>(p->method);
  r->status = static_cast<int>(p->status_code);
  r->keep_alive = http_should_keep_alive(p) != 0;
  http_parser_pause(p, 1);  // one message at a time
  return 0;
}

Ref reference(const std::string& text, http_parser_type type, bool eof = false) {
  http_parser_settings s;
  http_parser_settings_init(&s);
  s.on_url = on_url;
  s.on_body = on_body;
  s.on_message_complete = on_complete;
  http_parser p;
  http_parser_init(&p, type);
  Ref r;
  p.data = &r;
  http_parser_execute(&p, &s, text.data(), text.size());
  if (eof && !r.complete) http_parser_execute(&p, &s, nullptr, 0);
  return r;
}

std::string chunked(const std::string& body, std::mt19937& rng) {
  std::string out;
  std::size_t at = 0;
  while (at < body.size()) {
    const std::size_t n = std::min<std::size_t>(1 + rng() % 40, body.size() - at);
    char size[16];
    std::snprintf(size, sizeof size, rng() % 2 ? "%zx" : "%zX", n);
    out += size;
    if (rng() % 4 == 0) out += ";ext=1";
    out += "\r\n" + body.substr(at, n) + "\r\n";
    at += n;
  }
  return out + "0\r\n\r\n";
}

std::string random_text(std::mt19937& rng, std::size_t max) {
  std::string s;
  const std::size_t n = rng() % max;
  for (std::size_t i = 0; i < n; ++i) s.push_back(static_cast<char>(rng() % 256));
  return s;
}

TEST(HttpCrossCheck, RequestsReadLikeHttpParser) {
  std::mt19937 rng(20261207);
  const char* methods[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"};
  const int ref_methods[] = {HTTP_GET, HTTP_HEAD, HTTP_POST, HTTP_PUT, HTTP_DELETE, HTTP_OPTIONS, HTTP_PATCH};
  static char storage[16384];
  for (int i = 0; i < 2000; ++i) {
    const int m = static_cast<int>(rng() % 7);
    std::string target = "/v1";
    for (std::size_t k = rng() % 4; k > 0; --k) target += "/seg" + std::to_string(rng() % 100);
    if (rng() % 2) target += "?a=" + std::to_string(rng()) + "&b=%20x";
    const bool http10 = rng() % 8 == 0;
    std::string req = std::string(methods[m]) + " " + target + (http10 ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n");
    req += "Host: 127.0.0.1:7000\r\n";
    for (std::size_t k = rng() % 6; k > 0; --k)
      req += "X-H" + std::to_string(k) + ": v" + std::to_string(rng()) + "\r\n";
    const int conn = static_cast<int>(rng() % 3);
    if (conn == 1) req += "Connection: close\r\n";
    if (conn == 2) req += "Connection: keep-alive\r\n";
    const std::string body = random_text(rng, 300);
    if (!http10 && rng() % 2) {
      req += "Transfer-Encoding: chunked\r\n\r\n" + chunked(body, rng);
    } else {
      req += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    }

    const Ref ref = reference(req, HTTP_REQUEST);
    ASSERT_TRUE(ref.complete) << req;
    RequestParser p(storage, sizeof storage);
    std::size_t at = 0;
    ParseState st = ParseState::kNeedMore;
    while (at < req.size() && st == ParseState::kNeedMore) {
      const char* d = req.data() + at;
      std::size_t n = std::min<std::size_t>(1 + rng() % 64, req.size() - at);
      const std::size_t before = n;
      st = p.feed(d, n);
      at += before - n;
    }
    ASSERT_EQ(st, ParseState::kComplete) << req << " -> " << p.error_status() << " " << p.error_reason();
    EXPECT_EQ(at, req.size());
    const Request& q = p.request();
    EXPECT_EQ(ref_methods[m], ref.method);
    EXPECT_EQ(std::string(method_name(q.method)), methods[m]);
    EXPECT_EQ(std::string(q.target), ref.url);
    EXPECT_EQ(std::string(q.body), ref.body);
    EXPECT_EQ(q.keep_alive, ref.keep_alive) << req;
  }
}

TEST(HttpCrossCheck, ResponsesWrittenByUsReadByHttpParserAndBack) {
  std::mt19937 rng(7000);
  static char out[8192];
  static char storage[8192];
  const int codes[] = {200, 201, 400, 401, 404, 405, 413, 500, 503};
  for (int i = 0; i < 1000; ++i) {
    const int code = codes[rng() % 9];
    const std::string body = random_text(rng, 500);
    ResponseWriter w(out, sizeof out);
    w.status(code).header("Content-Type", "application/json");
    const bool use_chunks = rng() % 2;
    if (rng() % 3 == 0) w.header("Connection", "close");
    if (use_chunks) {
      w.begin_chunked();
      for (std::size_t at = 0; at < body.size();) {
        const std::size_t n = std::min<std::size_t>(1 + rng() % 100, body.size() - at);
        w.chunk(std::string_view(body).substr(at, n));
        at += n;
      }
      w.end_chunked();
    } else {
      w.body(body);
    }
    ASSERT_TRUE(w.ok());
    const std::string text(w.data());
    const Ref ref = reference(text, HTTP_RESPONSE);
    ASSERT_TRUE(ref.complete);
    EXPECT_EQ(ref.status, code);
    EXPECT_EQ(ref.body, body);

    ResponseParser p(storage, sizeof storage);
    const char* d = text.data();
    std::size_t n = text.size();
    ASSERT_EQ(p.feed(d, n), ParseState::kComplete) << p.error_reason();
    EXPECT_EQ(n, 0U);
    EXPECT_EQ(p.response().status, code);
    EXPECT_EQ(std::string(p.response().body), body);
    EXPECT_EQ(p.response().keep_alive, ref.keep_alive);
  }
}

}  // namespace
}  // namespace lmc::http
