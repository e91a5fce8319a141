// HTTP/1.1 response writer (server side) and response parser (client side), RFC 9112 §4, §6.3, §7.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "app/http/message_writer.h"
#include "app/http/response_parser.h"

namespace lmc::http {
namespace {

TEST(HttpMessageWriter, ContentLengthResponse) {
  char buf[256];
  ResponseWriter w(buf, sizeof buf);
  w.status(200).header("Content-Type", "application/json").body("{\"a\":1}");
  ASSERT_TRUE(w.ok());
  EXPECT_TRUE(w.complete());
  EXPECT_EQ(w.data(), "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}");
}

TEST(HttpMessageWriter, ChunkedResponseAndHead) {
  char buf[256];
  ResponseWriter w(buf, sizeof buf);
  w.status(200).begin_chunked().chunk("Wiki").chunk("").chunk("pedia in\r\n\r\nchunks.").end_chunked();
  ASSERT_TRUE(w.ok());
  // Chunk sizes in hex (RFC 9112 §7.1): 4, and 5 + 1 + 2 + 4 + 7 = 19 = 0x13; empty chunks skipped.
  EXPECT_EQ(
      w.data(),
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n13\r\npedia in\r\n\r\nchunks.\r\n0\r\n\r\n");
  ResponseWriter h(buf, sizeof buf);
  h.set_head_only(true);
  h.status(404).body("not here");
  EXPECT_EQ(h.data(), "HTTP/1.1 404 Not Found\r\nContent-Length: 8\r\n\r\n");
}

TEST(HttpMessageWriter, NeverOverflowsAndRefusesInjection) {
  for (std::size_t cap = 0; cap < 80; ++cap) {
    char buf[100];
    std::memset(buf, '#', sizeof buf);
    ResponseWriter w(buf, cap);
    w.status(500).header("X", "y").body("0123456789");
    // 36 status line + 6 "X: y" + 20 Content-Length + 2 + 10 body = 74 bytes.
    EXPECT_EQ(w.ok(), cap >= 74U) << cap;
    for (std::size_t i = cap; i < sizeof buf; ++i) ASSERT_EQ(buf[i], '#') << cap;
  }
  char buf[128];
  ResponseWriter w(buf, sizeof buf);
  w.status(200).header("Location", "/a\r\nSet-Cookie: x=1");
  EXPECT_FALSE(w.ok());
  ResponseWriter v(buf, sizeof buf);
  v.status(200).header("Bad Name", "1");
  EXPECT_FALSE(v.ok());
}

TEST(HttpMessageWriter, ClientRequest) {
  char buf[256];
  RequestWriter w(buf, sizeof buf);
  w.request(Method::kPost, "/api/chargers/abc/update").header("Host", "api.zaptec.com").body("{}");
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w.data(), "POST /api/chargers/abc/update HTTP/1.1\r\nHost: api.zaptec.com\r\nContent-Length: 2\r\n\r\n{}");
  RequestWriter bad(buf, sizeof buf);
  bad.request(Method::kGet, "/a b");
  EXPECT_FALSE(bad.ok());
}

struct Got {
  ParseState state = ParseState::kNeedMore;
  int status = 0;
  std::string body;
  bool keep_alive = false;
};

Got parse_response(const std::string& text, std::size_t step, Method m = Method::kGet, bool close = false) {
  static char storage[8192];
  ResponseParser p(storage, sizeof storage);
  p.expect(m);
  Got g;
  for (std::size_t at = 0; at < text.size();) {
    const char* d = text.data() + at;
    std::size_t n = std::min(step, text.size() - at);
    const std::size_t before = n;
    g.state = p.feed(d, n);
    at += before - n;
    if (g.state != ParseState::kNeedMore) break;
  }
  if (close) g.state = p.finish();
  if (g.state == ParseState::kComplete) {
    g.status = p.response().status;
    g.body = std::string(p.response().body);
    g.keep_alive = p.response().keep_alive;
  }
  return g;
}

TEST(HttpResponseParser, AllThreeFramings) {
  const std::string cl = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
  const std::string ch = "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhe\r\n3\r\nllo\r\n0\r\n\r\n";
  const std::string eof = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nhello, until close";
  for (std::size_t step = 1; step <= cl.size(); ++step) {
    const Got a = parse_response(cl, step);
    ASSERT_EQ(a.state, ParseState::kComplete);
    EXPECT_EQ(a.body, "hello");
    EXPECT_TRUE(a.keep_alive);
  }
  for (std::size_t step = 1; step <= ch.size(); ++step) {
    const Got b = parse_response(ch, step);
    ASSERT_EQ(b.state, ParseState::kComplete);
    EXPECT_EQ(b.status, 201);
    EXPECT_EQ(b.body, "hello");
  }
  // Close-delimited (RFC 9112 §6.3 rule 8): complete only when the server closes.
  EXPECT_EQ(parse_response(eof, 5).state, ParseState::kNeedMore);
  const Got c = parse_response(eof, 5, Method::kGet, true);
  ASSERT_EQ(c.state, ParseState::kComplete);
  EXPECT_EQ(c.body, "hello, until close");
  EXPECT_FALSE(c.keep_alive);
}

TEST(HttpResponseParser, ResponsesWithoutBody) {
  // HEAD, 204 and 304 have no body whatever the headers say (RFC 9112 §6.3 rule 1).
  EXPECT_EQ(parse_response("HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n", 4, Method::kHead).state,
            ParseState::kComplete);
  EXPECT_EQ(parse_response("HTTP/1.1 204 No Content\r\n\r\n", 4).state, ParseState::kComplete);
  EXPECT_EQ(parse_response("HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n", 4).state, ParseState::kComplete);
  EXPECT_EQ(parse_response("HTTP/1.1 100 Continue\r\n\r\n", 4).status, 100);
}

TEST(HttpResponseParser, RejectsMalformedAndTruncated) {
  EXPECT_EQ(parse_response("HTTP/1.1 2000 OK\r\n\r\n", 3).state, ParseState::kError);
  EXPECT_EQ(parse_response("HTTP/2 200 OK\r\n\r\n", 3).state, ParseState::kError);
  EXPECT_EQ(parse_response("SSH-2.0-OpenSSH\r\n\r\n", 3).state, ParseState::kError);
  EXPECT_EQ(parse_response("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", 3).state, ParseState::kError);
  EXPECT_EQ(parse_response("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc", 3, Method::kGet, true).state,
            ParseState::kError);
  EXPECT_EQ(parse_response("HTTP/1.1 200 OK\r\nContent-Length: 99999\r\n\r\n", 3).state, ParseState::kError);
  // A reason phrase is optional (RFC 9112 §4).
  EXPECT_EQ(parse_response("HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n", 3).status, 200);
  EXPECT_EQ(parse_response("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", 3).status, 200);
}

}  // namespace
}  // namespace lmc::http
