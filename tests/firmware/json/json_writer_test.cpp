// JSON serializer: RFC 8259 §7 escaping, locale-free numbers (expected texts written by hand),
// and never writing past the buffer.
#include <gtest/gtest.h>

#include <clocale>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "app/http/json_writer.h"

namespace lmc::json {
namespace {

std::string number(double v, int decimals = 3) {
  char buf[64];
  Writer w(buf, sizeof buf);
  w.number(v, decimals);
  EXPECT_TRUE(w.ok());
  return std::string(w.text());
}

TEST(JsonWriter, SettingsObject) {
  char buf[128];
  Writer w(buf, sizeof buf);
  w.begin_object()
      .key("ActivePowerActivation")
      .boolean(true)
      .key("CurrentLimit")
      .number(12.5)
      .key("FallbackCurrentLimit")
      .integer(6)
      .key("stations")
      .begin_array()
      .null()
      .string("a")
      .begin_object()
      .end_object()
      .end_array()
      .end_object();
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w.text(),
            R"({"ActivePowerActivation":true,"CurrentLimit":12.5,"FallbackCurrentLimit":6,"stations":[null,"a",{}]})");
  EXPECT_STREQ(buf, w.text().data());  // NUL-terminated
}

TEST(JsonWriter, Escaping) {
  char buf[128];
  Writer w(buf, sizeof buf);
  // §7: quotation mark, reverse solidus and U+0000..U+001F must be escaped.
  w.string(std::string("q\"b\\n\nt\tc\x01z\x1F", 12));
  EXPECT_EQ(w.text(), R"("q\"b\\n\nt\tc\u0001z\u001f")");
  Writer u(buf, sizeof buf);
  u.begin_array().string("\xC3\xA9").string("bad\xFFx").string("\xE2\x82").end_array();  // UTF-8 kept; invalid ->
                                                                                         // U+FFFD
  EXPECT_EQ(u.text(), "[\"\xC3\xA9\",\"bad\\ufffdx\",\"\\ufffd\\ufffd\"]");
}

TEST(JsonWriter, Numbers) {
  EXPECT_EQ(number(0), "0");
  EXPECT_EQ(number(-0.0), "0");
  EXPECT_EQ(number(12.5), "12.5");
  EXPECT_EQ(number(-230.04), "-230.04");
  EXPECT_EQ(number(1.0 / 3.0), "0.333");
  EXPECT_EQ(number(2.0 / 3.0, 2), "0.67");
  EXPECT_EQ(number(0.0004), "0");
  EXPECT_EQ(number(-0.0004), "0");
  EXPECT_EQ(number(0.0005), "0.001");  // round half away from zero
  EXPECT_EQ(number(99.9996), "100");
  EXPECT_EQ(number(16000.0, 0), "16000");
  EXPECT_EQ(number(1e20), "1e20");
  EXPECT_EQ(number(-1.5e300), "-1.5e300");
  EXPECT_EQ(number(123456789012345.0, 3), "1.23456789012345e14");
  EXPECT_EQ(number(std::numeric_limits<double>::quiet_NaN()), "null");  // JSON has no NaN
  EXPECT_EQ(number(std::numeric_limits<double>::infinity()), "null");
  char buf[64];
  Writer w(buf, sizeof buf);
  w.begin_array().integer(INT64_MIN).integer(-1).unsigned_integer(UINT64_MAX).end_array();
  EXPECT_EQ(w.text(), "[-9223372036854775808,-1,18446744073709551615]");
}

TEST(JsonWriter, NumbersIgnoreTheLocale) {
  // A locale with a decimal comma (if installed) must not change the output.
  const char* old = std::setlocale(LC_NUMERIC, nullptr);
  const std::string saved = old ? old : "C";
  if (std::setlocale(LC_NUMERIC, "de_DE.UTF-8") == nullptr) std::setlocale(LC_NUMERIC, "fr_FR.UTF-8");
  EXPECT_EQ(number(12.5), "12.5");
  std::setlocale(LC_NUMERIC, saved.c_str());
}

TEST(JsonWriter, TruncationNeverOverflows) {
  const std::string full = R"({"a":[1,2.5,"xyz\n"],"b":false})";
  for (std::size_t cap = 0; cap <= full.size() + 1; ++cap) {
    char buf[64];
    std::memset(buf, '#', sizeof buf);
    Writer w(buf, cap);
    w.begin_object().key("a").begin_array().integer(1).number(2.5).string("xyz\n").end_array();
    w.key("b").boolean(false).end_object();
    const bool fits = cap >= full.size() + 1;  // + NUL
    EXPECT_EQ(w.truncated(), !fits) << cap;
    EXPECT_EQ(w.ok(), fits) << cap;
    if (fits) {
      EXPECT_EQ(w.text(), full);
    }
    for (std::size_t i = cap; i < sizeof buf; ++i) ASSERT_EQ(buf[i], '#') << cap;
  }
}

TEST(JsonWriter, MisuseIsReported) {
  char buf[64];
  Writer a(buf, sizeof buf);
  a.begin_object().integer(1).end_object();  // value without key
  EXPECT_FALSE(a.ok());
  Writer b(buf, sizeof buf);
  b.begin_array().key("k");  // key in an array
  EXPECT_FALSE(b.ok());
  Writer c(buf, sizeof buf);
  c.begin_object().key("k").end_object();  // key without value
  EXPECT_FALSE(c.ok());
  Writer d(buf, sizeof buf);
  d.begin_array();  // unclosed
  EXPECT_FALSE(d.ok());
  Writer e(buf, sizeof buf);
  e.integer(1).integer(2);  // two top-level values
  EXPECT_FALSE(e.ok());
  Writer f(buf, sizeof buf);
  f.end_array();
  EXPECT_FALSE(f.ok());
  Writer g(buf, sizeof buf);
  EXPECT_FALSE(g.ok());  // nothing written
}

}  // namespace
}  // namespace lmc::json
