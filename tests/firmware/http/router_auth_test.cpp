// Router (RFC 9110 §15.5.5 404, §15.5.6 405 with Allow) and Basic authentication (RFC 7617,
// base64 of RFC 4648).
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "app/http/basic_auth.h"
#include "app/http/router.h"

namespace lmc::http {
namespace {

struct Calls {
  std::string last;
};

void on_settings(void* ctx, const Request&, const PathParams&, ResponseWriter& out) {
  static_cast<Calls*>(ctx)->last = "settings";
  out.status(200).body("{}");
}
void on_station(void* ctx, const Request&, const PathParams& p, ResponseWriter& out) {
  static_cast<Calls*>(ctx)->last = "station " + std::string(p.get("id")) + " " + std::string(p.get("what"));
  out.status(200).body("s");
}
void on_asset(void* ctx, const Request&, const PathParams& p, ResponseWriter& out) {
  static_cast<Calls*>(ctx)->last = "asset " + std::string(p.get("*"));
  out.status(200).body("a");
}

TEST(HttpRouter, MatchesMethodPathAndParameters) {
  Calls calls;
  const Route routes[] = {
      {Method::kGet, "/v1/settings", on_settings, &calls},
      {Method::kPost, "/v1/settings", on_settings, &calls},
      {Method::kGet, "/v1/stations/:id/:what", on_station, &calls},
      {Method::kGet, "/assets/*", on_asset, &calls},
  };
  const Router router(routes, 4);
  char buf[256];
  const auto run = [&](Method m, const char* path) {
    Request q;
    q.method = m;
    q.path = path;
    ResponseWriter w(buf, sizeof buf);
    router.dispatch(q, w);
    return std::string(w.data());
  };
  EXPECT_EQ(run(Method::kGet, "/v1/settings").substr(0, 15), "HTTP/1.1 200 OK");
  EXPECT_EQ(calls.last, "settings");
  run(Method::kGet, "/v1/stations/3/limit");
  EXPECT_EQ(calls.last, "station 3 limit");
  run(Method::kGet, "/assets/css/site.css");
  EXPECT_EQ(calls.last, "asset css/site.css");
  // HEAD is served by GET, without the body.
  EXPECT_EQ(run(Method::kHead, "/v1/settings"), "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n");
  EXPECT_EQ(run(Method::kDelete, "/v1/settings"),
            "HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, POST\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(run(Method::kGet, "/v1/settings/"), "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(run(Method::kGet, "/v1/stations//limit").substr(9, 3), "404");  // empty parameter
  EXPECT_EQ(run(Method::kGet, "/v1/stations/3").substr(9, 3), "404");
  EXPECT_EQ(run(Method::kGet, "/v1/settingsX").substr(9, 3), "404");
}

TEST(HttpBasicAuth, Rfc7617Example) {
  // RFC 7617 §2: user "Aladdin", password "open sesame".
  const char* field = "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==";
  char buf[64];
  std::string_view user;
  std::string_view pass;
  ASSERT_TRUE(parse_basic_auth(field, buf, sizeof buf, user, pass));
  EXPECT_EQ(user, "Aladdin");
  EXPECT_EQ(pass, "open sesame");
  EXPECT_TRUE(basic_auth_matches(field, "Aladdin", "open sesame"));
  EXPECT_TRUE(basic_auth_matches("basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", "Aladdin", "open sesame"));  // scheme case
  EXPECT_FALSE(basic_auth_matches(field, "Aladdin", "open sesame!"));
  EXPECT_FALSE(basic_auth_matches(field, "aladdin", "open sesame"));
  EXPECT_FALSE(basic_auth_matches("Bearer QWxhZGRpbjpvcGVuIHNlc2FtZQ==", "Aladdin", "open sesame"));
  EXPECT_FALSE(basic_auth_matches("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ", "Aladdin", "open sesame"));  // no padding
  EXPECT_FALSE(basic_auth_matches("Basic QWxhZGRpbg==", "Aladdin", ""));  // "Aladdin": no colon
  EXPECT_FALSE(basic_auth_matches("Basic", "", ""));
  EXPECT_FALSE(basic_auth_matches("", "", ""));
  // The device's UI credentials (RS-02): clemap / serial; the password may contain colons.
  char enc[64];
  const std::string creds = "clemap:LM-0042:x";
  const std::size_t n = base64_encode(creds.data(), creds.size(), enc, sizeof enc);
  ASSERT_GT(n, 0U);
  EXPECT_TRUE(basic_auth_matches("Basic " + std::string(enc, n), "clemap", "LM-0042:x"));
}

TEST(HttpBasicAuth, Base64Rfc4648TestVectors) {
  // RFC 4648 §10.
  const char* vectors[][2] = {{"", ""},
                              {"f", "Zg=="},
                              {"fo", "Zm8="},
                              {"foo", "Zm9v"},
                              {"foob", "Zm9vYg=="},
                              {"fooba", "Zm9vYmE="},
                              {"foobar", "Zm9vYmFy"}};
  for (const auto& v : vectors) {
    char out[16];
    const std::size_t n = base64_encode(v[0], std::strlen(v[0]), out, sizeof out);
    EXPECT_EQ(std::string(out, n), v[1]);
    char back[16];
    const std::size_t m = base64_decode(v[1], back, sizeof back);
    ASSERT_NE(m, SIZE_MAX) << v[1];
    EXPECT_EQ(std::string(back, m), v[0]);
  }
  char out[16];
  EXPECT_EQ(base64_decode("Zg=", out, sizeof out), SIZE_MAX);   // length not a multiple of 4
  EXPECT_EQ(base64_decode("Zh==", out, sizeof out), SIZE_MAX);  // non-canonical (RFC 4648 §3.5)
  EXPECT_EQ(base64_decode("Z===", out, sizeof out), SIZE_MAX);
  EXPECT_EQ(base64_decode("Zg==Zg==", out, sizeof out), SIZE_MAX);  // padding in the middle
  EXPECT_EQ(base64_decode("Zm9v YmFy", out, sizeof out), SIZE_MAX);
  EXPECT_EQ(base64_decode("Zm9vYmFy", out, 5), SIZE_MAX);  // does not fit
}

}  // namespace
}  // namespace lmc::http
