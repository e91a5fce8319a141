// The shared HTTP text helpers (models/net/http.h) used by the cloud and the Zaptec API, and
// the parser/builder round trip with extra headers.
#include "models/net/http.h"

#include <gtest/gtest.h>

using namespace lmsim::net;

TEST(NetHttp, PathSplittingFormDecodingAndHeaderNames) {
  EXPECT_EQ(split_path("/api/chargers//abc/state?x=1/2"),
            (std::vector<std::string>{"api", "chargers", "abc", "state"}));
  EXPECT_TRUE(split_path("/").empty());
  auto f = parse_form("grant_type=password&username=installer%40example.com&password=a+b%2Bc&flag&bad=%zz%4");
  EXPECT_EQ(f["grant_type"], "password");
  EXPECT_EQ(f["username"], "installer@example.com");
  EXPECT_EQ(f["password"], "a b+c");
  EXPECT_EQ(f.count("flag"), 0u);
  EXPECT_EQ(f["bad"], "%zz%4");  // malformed escapes are kept, never a crash
  HeaderMap h;
  h["Authorization"] = "Bearer x";
  EXPECT_EQ(h.count("authorization"), 1u);
  EXPECT_TRUE(header_name_equal("Retry-After", "retry-after"));
  EXPECT_FALSE(header_name_equal("Retry-After", "Retry-Afte"));
}

TEST(NetHttp, ResponseWithExtraHeadersParsesBack) {
  HttpParser p(false);
  ASSERT_TRUE(p.feed(http_response(429, "{}", "application/json", true, {{"Retry-After", "7"}})));
  ASSERT_EQ(p.done.size(), 1u);
  EXPECT_EQ(p.done[0].status, 429);
  EXPECT_EQ(p.done[0].header("retry-after"), "7");
  EXPECT_EQ(p.done[0].header("CONTENT-TYPE"), "application/json");
  EXPECT_EQ(p.done[0].body, "{}");
  HttpParser bad(true);
  EXPECT_FALSE(bad.feed("NOT HTTP\r\n\r\n"));
  EXPECT_FALSE(bad.error().empty());
}
