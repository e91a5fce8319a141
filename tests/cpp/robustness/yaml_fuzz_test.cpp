// Seeded mutations of every scenario file through the YAML layer (YNode) and every scalar
// accessor: each document either loads or throws InputError naming the origin; every scalar read
// as a number/quantity/duration/boolean either converts or throws InputError naming its line.
// (Elaboration of mutated scenarios is fuzzed through the CLI in tests/python/robustness:
// SystemC elaborates once per process.)
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "sim/ynode.h"

using namespace lmsim;

namespace {

std::vector<std::string> scenario_texts() {
  std::vector<std::string> out;
  for (auto& e : std::filesystem::recursive_directory_iterator(LMSIM_SCENARIO_DIR))
    if (e.path().extension() == ".yaml") {
      std::ifstream f(e.path());
      std::stringstream ss;
      ss << f.rdbuf();
      out.push_back(ss.str());
    }
  return out;
}

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> v;
  std::stringstream ss(s);
  for (std::string l; std::getline(ss, l);) v.push_back(l);
  return v;
}

std::string mutate(const std::string& text, std::mt19937& rng) {
  static const char* kBad[] = {
      "",      "~",   "-1",  "1e999", ".nan", "-.inf",   "abc",      "[",   "{a: 1",
      "*x",    "&y",  "!!",  "'",     "\"",   "80 kA",   "1e-999 s", "-0s", "99999999999999999999",
      "0x1p4", "1_0", ": :", "- -",   "\t",   "%YAML 9", "---",      "...", "@"};
  auto lines = lines_of(text);
  if (lines.empty()) lines.push_back("");
  const std::size_t i = rng() % lines.size();
  switch (rng() % 7) {
    case 0: lines.erase(lines.begin() + static_cast<long>(i)); break;
    case 1: lines.insert(lines.begin() + static_cast<long>(i), lines[i]); break;
    case 2: {
      auto c = lines[i].find(": ");
      if (c != std::string::npos) lines[i] = lines[i].substr(0, c + 2) + kBad[rng() % std::size(kBad)];
      break;
    }
    case 3: std::swap(lines[i], lines[rng() % lines.size()]); break;
    case 4:
      for (int k = rng() % 5 + 1; k > 0; --k)
        if (!lines[i].empty()) lines[i][rng() % lines[i].size()] = static_cast<char>(rng());
      break;
    case 5: lines[i] = std::string(rng() % 8, ' ') + lines[i]; break;
    default: lines.resize(i); break;
  }
  std::string out;
  for (auto& l : lines) out += l + "\n";
  return out;
}

// Reads every scalar with every accessor; returns how many conversions failed.
int read_all(const YNode& n) {
  int fails = 0;
  if (n.is_scalar()) {
    auto attempt = [&](auto&& f) {
      try {
        f();
      } catch (const InputError& e) {
        ++fails;
        EXPECT_NE(std::string(e.what()).find("fuzz.yaml:"), std::string::npos) << e.what();
      }
    };
    attempt([&] { (void)n.number(); });
    attempt([&] { (void)n.integer(); });
    attempt([&] { (void)n.boolean(); });
    attempt([&] { (void)n.duration(); });
    attempt([&] { (void)n.quantity("A"); });
    attempt([&] { (void)n.quantity(""); });
  } else if (n.is_seq()) {
    for (auto& c : n.items()) fails += read_all(c);
  } else if (n.is_map()) {
    for (auto& [k, v] : n.entries()) fails += read_all(v);
  }
  return fails;
}

}  // namespace

TEST(RobustYaml, MutatedScenariosLoadOrNameTheirOrigin) {
  const auto texts = scenario_texts();
  ASSERT_GE(texts.size(), 5u);
  std::mt19937 rng(99);
  int loaded = 0, rejected = 0, conversions_failed = 0;
  for (int i = 0; i < 2000; ++i) {
    std::string t = texts[static_cast<std::size_t>(i) % texts.size()];
    for (int k = rng() % 3 + 1; k > 0; --k) t = mutate(t, rng);
    try {
      YNode n = YNode::load_string(t, "fuzz.yaml");
      ++loaded;
      conversions_failed += read_all(n);
    } catch (const InputError& e) {
      ++rejected;
      EXPECT_EQ(std::string(e.what()).rfind("fuzz.yaml", 0), 0u) << e.what();
    }
  }
  EXPECT_GT(loaded, 200);
  EXPECT_GT(rejected, 100);
  EXPECT_GT(conversions_failed, 1000);
}

TEST(RobustYaml, RecursiveAndExplodingAliasesAreInputErrors) {
  // A self-referencing alias was a stack overflow (SIGSEGV); nested aliases expand exponentially.
  const char* docs[] = {
      "a: &a [*a]\n",
      "a: &a {b: *a}\n",
      "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
      "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
      "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\nh: [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n",
  };
  for (const char* d : docs) {
    try {
      YNode::load_string(d, "alias.yaml");
      ADD_FAILURE() << "accepted: " << d;
    } catch (const InputError& e) {
      EXPECT_EQ(std::string(e.what()).rfind("alias.yaml:", 0), 0u) << e.what();
    }
  }
  // Legitimate aliases still work.
  YNode ok = YNode::load_string("a: &a {x: 1}\nb: *a\n", "ok.yaml");
  EXPECT_EQ(ok["b"]["x"].number(), 1);
}
