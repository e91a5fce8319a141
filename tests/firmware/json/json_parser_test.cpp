// JSON parser against RFC 8259: the examples of §13, the grammar's rejections (§2-§8), and the
// UTF-8 well-formedness table of RFC 3629 §4.
#include <gtest/gtest.h>

#include <string>

#include "app/http/json.h"

namespace lmc::json {
namespace {

TEST(JsonParser, Rfc8259Example1) {
  const std::string text = R"({
      "Image": {
          "Width":  800,
          "Height": 600,
          "Title":  "View from 15th Floor",
          "Thumbnail": {
              "Url":    "http://www.example.com/image/481989943",
              "Height": 125,
              "Width":  100
          },
          "Animated" : false,
          "IDs": [116, 943, 234, 38793]
        }
    })";
  StaticDocument<64> doc;
  ASSERT_EQ(doc.parse(text), Error::kNone);
  const Value image = doc.root()["Image"];
  std::int64_t v = 0;
  ASSERT_TRUE(image["Width"].get_int(v));
  EXPECT_EQ(v, 800);
  ASSERT_TRUE(image["Thumbnail"]["Height"].get_int(v));
  EXPECT_EQ(v, 125);
  EXPECT_TRUE(image["Title"].equals("View from 15th Floor"));
  bool animated = true;
  ASSERT_TRUE(image["Animated"].get_bool(animated));
  EXPECT_FALSE(animated);
  ASSERT_EQ(image["IDs"].size(), 4U);
  ASSERT_TRUE(image["IDs"][3].get_int(v));
  EXPECT_EQ(v, 38793);
  EXPECT_FALSE(image["IDs"][4].valid());
  EXPECT_FALSE(image["Missing"].valid());
  EXPECT_FALSE(image["Width"]["x"].valid());  // not an object
  EXPECT_EQ(image.size(), 6U);
  EXPECT_TRUE(image.key_at(5).equals("IDs"));
  EXPECT_TRUE(image.value_at(5).is_array());
  // 1 root + 1 key + Image object + 6 keys + 4 scalars + Thumbnail object + 3 keys + 3 values
  // + IDs array + 4 elements = 25 tokens.
  EXPECT_EQ(doc.token_count(), 25U);
}

TEST(JsonParser, Rfc8259Example2AndScalars) {
  const std::string text = R"([
        {
           "precision": "zip",
           "Latitude":  37.7668,
           "Longitude": -122.3959,
           "Address":   "",
           "City":      "SAN FRANCISCO",
           "State":     "CA",
           "Zip":       "94107",
           "Country":   "US"
        },
        {
           "precision": "zip",
           "Latitude":  37.371991,
           "Longitude": -122.026020,
           "Address":   "",
           "City":      "SUNNYVALE",
           "State":     "CA",
           "Zip":       "94085",
           "Country":   "US"
        }
      ])";
  StaticDocument<64> doc;
  ASSERT_EQ(doc.parse(text), Error::kNone);
  double d = 0;
  ASSERT_TRUE(doc.root()[1]["Longitude"].get_number(d));
  EXPECT_EQ(d, -122.026020);
  std::int64_t i = 0;
  EXPECT_FALSE(doc.root()[1]["Longitude"].get_int(i));  // has a fraction
  char city[32];
  ASSERT_TRUE(doc.root()[0]["City"].get_string(city, sizeof city));
  EXPECT_STREQ(city, "SAN FRANCISCO");
  EXPECT_FALSE(doc.root()[0]["City"].get_string(city, 5));  // does not fit
  EXPECT_TRUE(doc.root()[0]["Address"].equals(""));
  // §13: texts that are only a scalar.
  EXPECT_EQ(doc.parse("\"Hello world!\""), Error::kNone);
  EXPECT_TRUE(doc.root().equals("Hello world!"));
  EXPECT_EQ(doc.parse("42"), Error::kNone);
  EXPECT_EQ(doc.parse(" true "), Error::kNone);
  EXPECT_EQ(doc.parse("null"), Error::kNone);
  EXPECT_TRUE(doc.root().is_null());
}

TEST(JsonParser, TheRestApiBody) {
  // RS-05: POST /v1/settings, all fields optional.
  StaticDocument<16> doc;
  ASSERT_EQ(doc.parse(R"({"CurrentLimit": 12, "ActivePowerActivation": true, "FallbackCurrentLimit": 6.5})"),
            Error::kNone);
  double limit = 0;
  bool on = false;
  ASSERT_TRUE(doc.root()["CurrentLimit"].get_number(limit));
  EXPECT_EQ(limit, 12.0);
  ASSERT_TRUE(doc.root()["ActivePowerActivation"].get_bool(on));
  EXPECT_TRUE(on);
  EXPECT_FALSE(doc.root()["ActivePowerActivation"].get_number(limit));  // wrong type: the caller answers 500
  EXPECT_FALSE(doc.root()["CurrentLimit"].get_bool(on));
  ASSERT_TRUE(doc.root()["FallbackCurrentLimit"].get_number(limit));
  EXPECT_EQ(limit, 6.5);
}

TEST(JsonParser, Escapes) {
  StaticDocument<4> doc;
  // §7: "\u005C" is a reverse solidus; the G clef U+1D11E is "\uD834\uDD1E" = F0 9D 84 9E.
  ASSERT_EQ(doc.parse(R"(["\u005C\"\/\b\f\n\r\t", "\uD834\uDD1E", "\u00e9\u20AC"])"), Error::kNone);
  EXPECT_TRUE(doc.root()[0].equals("\\\"/\b\f\n\r\t"));
  EXPECT_TRUE(doc.root()[1].equals("\xF0\x9D\x84\x9E"));
  EXPECT_TRUE(doc.root()[2].equals("\xC3\xA9\xE2\x82\xAC"));  // e-acute, euro sign
  char buf[8];
  std::size_t n = 0;
  ASSERT_TRUE(doc.root()[1].get_string(buf, sizeof buf, &n));
  EXPECT_EQ(n, 4U);
}

TEST(JsonParser, StrictRejections) {
  const auto error = [](const std::string& text) {
    StaticDocument<32> doc;
    return doc.parse(text);
  };
  EXPECT_EQ(error(""), Error::kEmpty);
  EXPECT_EQ(error("  \n"), Error::kEmpty);
  EXPECT_EQ(error("[1,2,]"), Error::kSyntax);  // trailing commas
  EXPECT_EQ(error("{\"a\":1,}"), Error::kSyntax);
  EXPECT_EQ(error("[,1]"), Error::kSyntax);
  EXPECT_EQ(error("{\"a\" 1}"), Error::kSyntax);
  EXPECT_EQ(error("{a:1}"), Error::kSyntax);
  EXPECT_EQ(error("{'a':1}"), Error::kSyntax);
  EXPECT_EQ(error("[1 2]"), Error::kSyntax);
  EXPECT_EQ(error("[1"), Error::kSyntax);
  EXPECT_EQ(error("\"abc"), Error::kSyntax);
  EXPECT_EQ(error("tru"), Error::kSyntax);
  EXPECT_EQ(error("True"), Error::kSyntax);
  EXPECT_EQ(error("NaN"), Error::kSyntax);
  EXPECT_EQ(error("01"), Error::kNumber);  // leading zero (§6)
  EXPECT_EQ(error("-01"), Error::kNumber);
  EXPECT_EQ(error("1."), Error::kNumber);
  EXPECT_EQ(error(".5"), Error::kSyntax);
  EXPECT_EQ(error("+1"), Error::kSyntax);
  EXPECT_EQ(error("1e"), Error::kNumber);
  EXPECT_EQ(error("-"), Error::kNumber);
  EXPECT_EQ(error("0x10"), Error::kTrailing);
  EXPECT_EQ(error("1 2"), Error::kTrailing);
  EXPECT_EQ(error("{} x"), Error::kTrailing);
  EXPECT_EQ(error(R"("\x")"), Error::kEscape);
  EXPECT_EQ(error(R"("\u12G4")"), Error::kEscape);
  EXPECT_EQ(error(R"("\u12")"), Error::kEscape);
  EXPECT_EQ(error(R"("\uD834")"), Error::kSurrogate);  // lone high surrogate
  EXPECT_EQ(error(R"("\uDD1E")"), Error::kSurrogate);  // lone low surrogate
  EXPECT_EQ(error(R"("\uD834\u0041")"), Error::kSurrogate);
  EXPECT_EQ(error(R"("\uDD1E\uD834")"), Error::kSurrogate);  // reversed
  EXPECT_EQ(error("\"a\tb\""), Error::kControl);             // unescaped control character (§7)
  EXPECT_EQ(error(std::string("\"a\0b\"", 5)), Error::kControl);
  // UTF-8 (RFC 3629 §4): overlong, surrogates, beyond U+10FFFF, stray continuation, truncated.
  EXPECT_EQ(error("\"\xC0\x80\""), Error::kUtf8);
  EXPECT_EQ(error("\"\xE0\x80\xAF\""), Error::kUtf8);
  EXPECT_EQ(error("\"\xED\xA0\x80\""), Error::kUtf8);
  EXPECT_EQ(error("\"\xF4\x90\x80\x80\""), Error::kUtf8);
  EXPECT_EQ(error("\"\xF5\x80\x80\x80\""), Error::kUtf8);
  EXPECT_EQ(error("\"\x80\""), Error::kUtf8);
  EXPECT_EQ(error("\"\xE2\x82\""), Error::kUtf8);
  EXPECT_EQ(error("\"\xFF\""), Error::kUtf8);
  EXPECT_EQ(error("\"\xF4\x8F\xBF\xBF\""), Error::kNone);  // U+10FFFF is fine
  EXPECT_EQ(error("\xEF\xBB\xBF{}"), Error::kSyntax);      // a BOM is not JSON text (§8.1 MUST NOT add)
}

TEST(JsonParser, Limits) {
  Limits l;
  l.max_depth = 3;
  l.max_string = 5;
  Token tokens[8];
  Document doc(tokens, 8, l);
  EXPECT_EQ(doc.parse("[[[1]]]"), Error::kNone);
  EXPECT_EQ(doc.parse("[[[[1]]]]"), Error::kTooDeep);
  EXPECT_EQ(doc.parse("{\"a\":{\"b\":{\"c\":{}}}}"), Error::kTooDeep);
  EXPECT_EQ(doc.parse("\"12345\""), Error::kNone);
  EXPECT_EQ(doc.parse("\"123456\""), Error::kStringTooLong);
  EXPECT_EQ(doc.parse("\"\\u00e9\\u00e9\\u00e9\""), Error::kStringTooLong);  // 6 decoded bytes
  EXPECT_EQ(doc.parse("[1,2,3,4,5,6,7]"), Error::kNone);                     // 8 tokens
  EXPECT_EQ(doc.parse("[1,2,3,4,5,6,7,8]"), Error::kTooManyTokens);
  EXPECT_FALSE(doc.root().valid());  // nothing usable after an error
  EXPECT_EQ(doc.error_offset(), 15U);
  // Deep nesting is refused at the hard cap even with a generous limit (the stack is small).
  Limits deep;
  deep.max_depth = 100000;
  StaticDocument<256> d2(deep);
  EXPECT_EQ(d2.parse(std::string(200, '[') + std::string(200, ']')), Error::kTooDeep);
}

TEST(JsonParser, Numbers) {
  StaticDocument<4> doc;
  double d = 0;
  std::int64_t i = 0;
  ASSERT_EQ(doc.parse("-0"), Error::kNone);
  EXPECT_TRUE(doc.root().get_int(i));
  EXPECT_EQ(i, 0);
  ASSERT_EQ(doc.parse("9223372036854775807"), Error::kNone);
  EXPECT_TRUE(doc.root().get_int(i));
  EXPECT_EQ(i, INT64_MAX);
  ASSERT_EQ(doc.parse("9223372036854775808"), Error::kNone);
  EXPECT_FALSE(doc.root().get_int(i));  // does not fit
  EXPECT_TRUE(doc.root().get_number(d));
  ASSERT_EQ(doc.parse("1E400"), Error::kNone);  // valid JSON, beyond double (§6 allows limits)
  EXPECT_FALSE(doc.root().get_number(d));
  ASSERT_EQ(doc.parse("2.5e-3"), Error::kNone);
  ASSERT_TRUE(doc.root().get_number(d));
  EXPECT_EQ(d, 0.0025);
  EXPECT_FALSE(doc.root().get_int(i));
}

}  // namespace
}  // namespace lmc::json
