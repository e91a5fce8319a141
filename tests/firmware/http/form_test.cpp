// application/x-www-form-urlencoded decoding (WHATWG URL standard, "application/x-www-form-
// urlencoded parsing": split on '&', first '=' splits name and value, '+' is a space, %XX a byte).
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "app/http/form.h"

namespace lmc::http {
namespace {

TEST(HttpForm, DecodesPairsPlusAndPercent) {
  std::string_view body = "user=clemap&password=SE%31234+5678&&empty=&flag";
  char n[16], v[32];
  bool bad = false;
  ASSERT_TRUE(next_form_field(body, n, sizeof n, v, sizeof v, &bad));
  EXPECT_STREQ(n, "user");
  EXPECT_STREQ(v, "clemap");
  ASSERT_TRUE(next_form_field(body, n, sizeof n, v, sizeof v, &bad));
  EXPECT_STREQ(n, "password");
  EXPECT_STREQ(v, "SE1234 5678");                                      // %31 = '1', '+' = space
  ASSERT_TRUE(next_form_field(body, n, sizeof n, v, sizeof v, &bad));  // the empty pair is skipped
  EXPECT_STREQ(n, "empty");
  EXPECT_STREQ(v, "");
  ASSERT_TRUE(next_form_field(body, n, sizeof n, v, sizeof v, &bad));
  EXPECT_STREQ(n, "flag");
  EXPECT_STREQ(v, "");
  EXPECT_FALSE(next_form_field(body, n, sizeof n, v, sizeof v, &bad));
  EXPECT_FALSE(bad);
}

TEST(HttpForm, RefusesBadEscapesNulAndOverlongFields) {
  char out[8];
  EXPECT_EQ(form_decode("%4", out, sizeof out), SIZE_MAX);
  EXPECT_EQ(form_decode("%zz", out, sizeof out), SIZE_MAX);
  EXPECT_EQ(form_decode("a%00b", out, sizeof out), SIZE_MAX);     // no NUL smuggled into C strings
  EXPECT_EQ(form_decode("12345678", out, sizeof out), SIZE_MAX);  // 8 bytes + NUL do not fit
  EXPECT_EQ(form_decode("1234567", out, sizeof out), 7u);
  std::string_view body = "k=%G1";
  char n[4], v[4];
  bool bad = false;
  EXPECT_FALSE(next_form_field(body, n, sizeof n, v, sizeof v, &bad));
  EXPECT_TRUE(bad);
}

}  // namespace
}  // namespace lmc::http
