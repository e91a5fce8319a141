// Cross-check against nlohmann::json 3.11 (Debian nlohmann-json3-dev), an independent strict
// RFC 8259 parser: seeded random documents and byte-level mutations of them must be accepted
// or rejected alike, and accepted ones must have the same content. Our writer's output must
// parse back to what was written. Tests only: nlohmann needs a heap and exceptions.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "app/http/json.h"
#include "app/http/json_writer.h"

namespace lmc::json {
namespace {

// Rebuilds our parse as an nlohmann value.
nlohmann::json convert(const Value& v) {
  switch (v.type()) {
    case Type::kNull: return nullptr;
    case Type::kTrue: return true;
    case Type::kFalse: return false;
    case Type::kNumber: {
      std::int64_t i = 0;
      if (v.get_int(i)) return i;
      double d = 0;
      if (v.get_number(d)) return d;
      return "<out of range>";
    }
    case Type::kString: {
      static char buf[70000];
      if (!v.get_string(buf, sizeof buf)) return "<string>";
      return std::string(buf);
    }
    case Type::kArray: {
      nlohmann::json a = nlohmann::json::array();
      for (std::size_t i = 0; i < v.size(); ++i) a.push_back(convert(v[i]));
      return a;
    }
    case Type::kObject: {
      nlohmann::json o = nlohmann::json::object();
      for (std::size_t i = 0; i < v.size(); ++i) {
        char key[1024];
        v.key_at(i).get_string(key, sizeof key);
        o[key] = convert(v.value_at(i));  // the last duplicate wins, as in nlohmann
      }
      return o;
    }
  }
  return nullptr;
}

// True when a number in v does not fit a double (nlohmann rejects the text, RFC 8259 §9 lets
// parsers limit the range; ours accepts the text and get_number() refuses the value).
bool has_huge_number(const Value& v) {
  double d = 0;
  if (v.is_number()) return !v.get_number(d);
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (has_huge_number(v.is_array() ? v[i] : v.value_at(i))) return true;
  }
  return false;
}

std::string random_json(std::mt19937& rng, int depth) {
  const int kind = static_cast<int>(rng() % (depth > 4 ? 5 : 7));
  switch (kind) {
    case 0: return "null";
    case 1: return rng() % 2 ? "true" : "false";
    case 2: {
      const char* nums[] = {"0", "-0", "12", "-7.25", "1e3", "2.5E-2", "123456789012", "0.1", "1E+2", "-0.0e0"};
      return nums[rng() % 10];
    }
    case 3:
    case 4: {
      const char* strs[] = {"\"\"",         "\"CurrentLimit\"",   "\"a\\nb\"",       "\"\\u00e9\"",
                            "\"\xC3\xA9\"", "\"\\uD834\\uDD1E\"", "\"\\\\\\/\\\"\"", "\"\xF0\x9F\x94\x8C plug\""};
      return strs[rng() % 8];
    }
    case 5: {
      std::string s = "[";
      for (std::size_t n = rng() % 4, i = 0; i < n; ++i) s += (i ? ", " : "") + random_json(rng, depth + 1);
      return s + "]";
    }
    default: {
      std::string s = "{";
      for (std::size_t n = rng() % 4, i = 0; i < n; ++i) {
        s += (i ? ",\n" : "") + std::string("\"k") + std::to_string(rng() % 5) + "\" : " + random_json(rng, depth + 1);
      }
      return s + "}";
    }
  }
}

TEST(JsonCrossCheck, SameVerdictAndContentAsNlohmann) {
  std::mt19937 rng(8259);
  Limits generous;
  generous.max_depth = 64;
  generous.max_string = 65536;
  static Token tokens[4096];
  Document doc(tokens, 4096, generous);
  const char interesting[] = {',', ']', '}', '[', '{', '"', '\\', '0', '-', '.', 'e', ' ', ':', '\x80', '\xC3', 'u'};
  int accepted = 0;
  int rejected = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string text = random_json(rng, 0);
    // Half are mutated: a byte replaced, inserted or removed.
    if (i % 2) {
      const std::size_t at = rng() % (text.size() + 1);
      const char c = rng() % 2 ? interesting[rng() % sizeof interesting] : static_cast<char>(rng() % 256);
      switch (rng() % 3) {
        case 0:
          if (at < text.size()) text[at] = c;
          break;
        case 1: text.insert(text.begin() + static_cast<std::ptrdiff_t>(at), c); break;
        default:
          if (at < text.size()) text.erase(at, 1);
      }
    }
    const bool ours = doc.parse(text) == Error::kNone;
    // nlohmann's lexer takes a NUL byte as the end of the input ("1\0x" is accepted); in
    // RFC 8259 a NUL is neither whitespace nor allowed unescaped in a string: always an error.
    if (text.find('\0') != std::string::npos) {
      EXPECT_FALSE(ours) << text;
      continue;
    }
    const bool theirs = nlohmann::json::accept(text);
    if (ours && !theirs && has_huge_number(doc.root())) continue;
    ASSERT_EQ(ours, theirs) << "text: " << text << " ours: " << error_text(doc.error());
    if (!ours) {
      ++rejected;
      continue;
    }
    ++accepted;
    EXPECT_EQ(convert(doc.root()), nlohmann::json::parse(text)) << text;
  }
  EXPECT_GT(accepted, 10000);
  EXPECT_GT(rejected, 3000);
}

TEST(JsonCrossCheck, WriterOutputParsesBack) {
  std::mt19937 rng(1);
  static char buf[8192];
  for (int i = 0; i < 2000; ++i) {
    Writer w(buf, sizeof buf);
    nlohmann::json expect = nlohmann::json::object();
    w.begin_object();
    for (int k = 0; k < 8; ++k) {
      std::string key(1, 'k');  // appended: GCC 12 -O3 false -Wrestrict on `"k" + std::string` (GCC bug 105329)
      key.append(std::to_string(k));
      std::string s;
      for (std::size_t n = rng() % 20; n > 0; --n) s.push_back(static_cast<char>(rng() % 128));  // ASCII incl. controls
      const std::int64_t iv = static_cast<std::int64_t>(rng()) - (1LL << 31);
      const double dv = static_cast<double>(static_cast<std::int64_t>(rng() % 2000001) - 1000000) / 1000.0;
      w.key(key + "s").string(s);
      w.key(key + "i").integer(iv);
      w.key(key + "d").number(dv);
      expect[key + "s"] = s;
      expect[key + "i"] = iv;
      expect[key + "d"] = dv;
    }
    w.end_object();
    ASSERT_TRUE(w.ok());
    const auto got = nlohmann::json::parse(std::string(w.text()));
    for (auto it = expect.begin(); it != expect.end(); ++it) {
      if (it.value().is_number_float()) {
        EXPECT_NEAR(got[it.key()].get<double>(), it.value().get<double>(), 1e-9) << w.text();
      } else {
        EXPECT_EQ(got[it.key()], it.value()) << w.text();
      }
    }
  }
}

}  // namespace
}  // namespace lmc::json
