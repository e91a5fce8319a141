// HTTP/1.1 request parsing against RFC 9112 (message syntax, chunked coding) and RFC 9110.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "app/http/request_parser.h"

namespace lmc::http {
namespace {

struct Parsed {
  ParseState state = ParseState::kNeedMore;
  int status = 0;
  std::string method, path, query, body;
  bool keep_alive = false;
  std::size_t left = 0;  // bytes not consumed (the next pipelined request)
};

// Feeds text in pieces of `step` bytes into a parser with the given limits.
Parsed parse(const std::string& text, std::size_t step = 0, Limits limits = {}) {
  static char storage[16384];
  RequestParser p(storage, sizeof storage, limits);
  Parsed r;
  if (step == 0) step = text.size() ? text.size() : 1;
  std::size_t at = 0;
  while (at < text.size()) {
    const char* d = text.data() + at;
    std::size_t n = std::min(step, text.size() - at);
    const std::size_t before = n;
    r.state = p.feed(d, n);
    at += before - n;
    if (r.state != ParseState::kNeedMore) break;
  }
  r.left = text.size() - at;
  r.state = p.state();
  r.status = p.error_status();
  if (r.state == ParseState::kComplete) {
    const Request& q = p.request();
    r.method = std::string(method_name(q.method));
    r.path = std::string(q.path);
    r.query = std::string(q.query);
    r.body = std::string(q.body);
    r.keep_alive = q.keep_alive;
  }
  return r;
}

TEST(HttpRequestParser, Rfc9110ExampleGet) {
  // RFC 9110 §6.1 / RFC 9112 §2.1 example request.
  const std::string req =
      "GET /hello.txt HTTP/1.1\r\n"
      "User-Agent: curl/7.64.1\r\n"
      "Host: www.example.com\r\n"
      "Accept-Language: en, mi\r\n"
      "\r\n";
  static char storage[4096];
  RequestParser p(storage, sizeof storage);
  const char* d = req.data();
  std::size_t n = req.size();
  ASSERT_EQ(p.feed(d, n), ParseState::kComplete);
  EXPECT_EQ(n, 0U);
  const Request& q = p.request();
  EXPECT_EQ(q.method, Method::kGet);
  EXPECT_EQ(q.target, "/hello.txt");
  EXPECT_EQ(q.version_minor, 1);
  ASSERT_EQ(q.headers.count, 3U);
  EXPECT_EQ(q.headers.get("host"), "www.example.com");  // field names are case-insensitive
  EXPECT_EQ(q.headers.get("Accept-Language"), "en, mi");
  EXPECT_TRUE(q.headers.has_token("accept-language", "MI"));
  EXPECT_TRUE(q.keep_alive);  // HTTP/1.1 default: persistent (RFC 9112 §9.3)
  EXPECT_TRUE(q.body.empty());
}

TEST(HttpRequestParser, EveryReadSplitGivesTheSameRequest) {
  const std::string req =
      "POST /v1/settings?x=1&y HTTP/1.1\r\nHost: lmc\r\nContent-Type: application/json\r\n"
      "Content-Length: 26\r\n\r\n{\"CurrentLimit\": 12.5, \"\"}";
  for (std::size_t step = 1; step <= req.size(); ++step) {
    const Parsed r = parse(req, step);
    ASSERT_EQ(r.state, ParseState::kComplete) << step;
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.path, "/v1/settings");
    EXPECT_EQ(r.query, "x=1&y");
    EXPECT_EQ(r.body, "{\"CurrentLimit\": 12.5, \"\"}");
    EXPECT_EQ(r.left, 0U);
  }
}

TEST(HttpRequestParser, ChunkedBody) {
  // RFC 9112 §7.1: chunk-size in hex, chunk extensions ignored, last-chunk 0, trailer section.
  const std::string req =
      "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "4\r\nWiki\r\n"
      "5;name=value\r\npedia\r\n"
      "E\r\n in\r\n\r\nchunks.\r\n"
      "0\r\nExpires: never\r\n\r\n";
  for (std::size_t step = 1; step <= req.size(); ++step) {
    const Parsed r = parse(req, step);
    ASSERT_EQ(r.state, ParseState::kComplete) << step;
    EXPECT_EQ(r.body, "Wikipedia in\r\n\r\nchunks.");
    EXPECT_EQ(r.left, 0U);
  }
  // Upper-case hex, leading zeros and an empty trailer.
  EXPECT_EQ(
      parse("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n00A\r\n0123456789\r\n0\r\n\r\n").body,
      "0123456789");
}

TEST(HttpRequestParser, KeepAliveAndPipelining) {
  const std::string two =
      "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
      "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc";
  static char storage[4096];
  RequestParser p(storage, sizeof storage);
  const char* d = two.data();
  std::size_t n = two.size();
  ASSERT_EQ(p.feed(d, n), ParseState::kComplete);
  EXPECT_EQ(p.request().path, "/a");
  EXPECT_TRUE(p.request().keep_alive);
  EXPECT_EQ(n, two.size() - 28);  // 17 + 9 + 2 bytes; the second request is left for the next round
  p.next();
  ASSERT_EQ(p.feed(d, n), ParseState::kComplete);
  EXPECT_EQ(p.request().path, "/b");
  EXPECT_EQ(p.request().body, "abc");
  EXPECT_FALSE(p.request().keep_alive);  // Connection: close
  EXPECT_EQ(n, 0U);
  // HTTP/1.0 closes unless it asks for keep-alive.
  EXPECT_FALSE(parse("GET / HTTP/1.0\r\n\r\n").keep_alive);
  EXPECT_TRUE(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").keep_alive);
  // Empty lines before a request are ignored (RFC 9112 §2.2); bare LF line ends accepted.
  EXPECT_EQ(parse("\r\n\r\nGET /x HTTP/1.1\nHost: y\n\n").path, "/x");
}

TEST(HttpRequestParser, StatusCodesForBadRequests) {
  const auto status = [](const std::string& s, Limits l = {}) {
    const Parsed r = parse(s, 0, l);
    EXPECT_EQ(r.state, ParseState::kError) << s;
    return r.status;
  };
  // 400: syntax (RFC 9112 §3, §5).
  EXPECT_EQ(status("GET /\r\nHost: x\r\n\r\n"), 400);            // no version
  EXPECT_EQ(status("GET  / HTTP/1.1\r\nHost: x\r\n\r\n"), 400);  // double space
  EXPECT_EQ(status("GET / HTTP/1.1 \r\nHost: x\r\n\r\n"), 400);
  EXPECT_EQ(status("GET / http/1.1\r\nHost: x\r\n\r\n"), 400);  // version is case-sensitive
  EXPECT_EQ(status("G(T / HTTP/1.1\r\nHost: x\r\n\r\n"), 400);  // not a token
  EXPECT_EQ(status("GET /a b HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
  EXPECT_EQ(status("GET / HTTP/1.1\r\nHost : x\r\n\r\n"), 400);                     // space before colon §5.1
  EXPECT_EQ(status("GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n  folded\r\n\r\n"), 400);  // obs-fold §5.2
  EXPECT_EQ(status("GET / HTTP/1.1\r\nHost: x\r\nX: a\x01"
                   "b\r\n\r\n"),
            400);  // control character
  EXPECT_EQ(status("GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n"), 400);
  EXPECT_EQ(status("GET / HTTP/1.1\r\n\r\n"), 400);                        // no Host §3.2
  EXPECT_EQ(status("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), 400);  // two Hosts
  EXPECT_EQ(status("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n"), 400);
  EXPECT_EQ(status("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\n"), 400);
  EXPECT_EQ(status("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n"), 400);
  EXPECT_EQ(status("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2, 3\r\n\r\n"), 400);
  // TE and CL together: possible request smuggling (RFC 9112 §6.3 rule 3) -> rejected.
  EXPECT_EQ(status("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"), 400);
  EXPECT_EQ(status("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, chunked\r\n\r\n"), 400);
  EXPECT_EQ(status("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZ\r\n"), 400);      // bad size
  EXPECT_EQ(status("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX"), 400);  // no CRLF
  // 413: body larger than the limit, announced or chunked (RFC 9110 §15.5.14).
  Limits small;
  small.max_body = 10;
  EXPECT_EQ(status("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n", small), 413);
  EXPECT_EQ(status("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n"), 413);
  EXPECT_EQ(status("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n5\r\n", small), 413);
  EXPECT_EQ(status("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFFFF\r\n"), 413);
  EXPECT_EQ(parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789", 0, small).body, "0123456789");
  // 414: target longer than the limit (RFC 9110 §15.5.15), even before the line is complete.
  Limits t;
  t.max_target = 16;
  EXPECT_EQ(status("GET /" + std::string(16, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n", t), 414);
  EXPECT_EQ(parse("GET /" + std::string(15, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n", 0, t).state, ParseState::kComplete);
  EXPECT_EQ(status("GET /" + std::string(5000, 'a')), 414);
  // 431: header section too large or too many fields (RFC 6585 §5).
  Limits h;
  h.max_head = 64;
  EXPECT_EQ(status("GET / HTTP/1.1\r\nHost: x\r\nCookie: " + std::string(60, 'c') + "\r\n\r\n", h), 431);
  Limits few;
  few.max_headers = 3;
  EXPECT_EQ(status("GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", few), 431);
  EXPECT_EQ(parse("GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\n\r\n", 0, few).state, ParseState::kComplete);
  // 501: unknown method (RFC 9110 §9.1) or transfer coding (RFC 9112 §6.1).
  EXPECT_EQ(status("BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n"), 501);
  EXPECT_EQ(status("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"), 501);
  // 505: another major version.
  EXPECT_EQ(status("GET / HTTP/2.0\r\nHost: x\r\n\r\n"), 505);
}

TEST(HttpRequestParser, GarbageNeverCompletes) {
  std::string junk;
  for (int i = 0; i < 20000; ++i) junk.push_back(static_cast<char>((i * 7919) & 0xFF));
  const Parsed r = parse(junk, 37);
  EXPECT_EQ(r.state, ParseState::kError);
  EXPECT_GE(r.status, 400);
}

}  // namespace
}  // namespace lmc::http
