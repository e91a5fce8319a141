#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "sim/input_errors.h"
#include "sim/ynode.h"

using namespace lmsim;

static std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(YNode, UnknownKeyNamesFileLineAndField) {
  auto root = YNode::load_string("name: x\nsite:\n  main_fuse:\n    rating: 40A\n    ratting: 50A\n", "s.yaml");
  const YNode& fuse = root["site"]["main_fuse"];
  EXPECT_DOUBLE_EQ(fuse["rating"].quantity("A").value, 40);
  auto msg = error_of([&] { fuse.finish(); });
  EXPECT_NE(msg.find("s.yaml:5"), std::string::npos) << msg;
  EXPECT_NE(msg.find("site.main_fuse.ratting"), std::string::npos) << msg;
  EXPECT_NE(msg.find("unknown key 'ratting'"), std::string::npos) << msg;
}

TEST(YNode, WrongUnitAndWrongTypeAreReported) {
  auto root = YNode::load_string("a: 40V\nb: [1, 2]\nc: abc\n", "t.yaml");
  auto m1 = error_of([&] { root["a"].quantity("A"); });
  EXPECT_NE(m1.find("t.yaml:1: field 'a': expected a current (A), got '40V'"), std::string::npos) << m1;
  auto m2 = error_of([&] { root["b"].scalar(); });
  EXPECT_NE(m2.find("t.yaml:2"), std::string::npos) << m2;
  auto m3 = error_of([&] { root["c"].number(); });
  EXPECT_NE(m3.find("expected a number"), std::string::npos) << m3;
  auto m4 = error_of([&] { root["a"].quantity(""); });
  EXPECT_FALSE(m4.empty());
}

TEST(YNode, DurationsBeyondTheLongestSimulatedTimeAreErrors) {
  auto root = YNode::load_string("a: 100d\nb: 300d\nc: 99999999999h\n", "d.yaml");
  EXPECT_EQ(root["a"].duration(), kMaxTime);
  auto m = error_of([&] { root["b"].duration(); });
  EXPECT_NE(m.find("d.yaml:2: field 'b': a duration cannot exceed 100 days"), std::string::npos) << m;
  EXPECT_FALSE(error_of([&] { root["c"].duration(); }).empty());
}

TEST(YNode, SyntaxErrorsGiveLineAndColumn) {
  auto msg = error_of([] { YNode::load_string("a: 1\nb: [1, 2\nc: 3\n", "bad.yaml"); });
  EXPECT_NE(msg.find("bad.yaml:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("YAML syntax error"), std::string::npos) << msg;
}

TEST(YNode, IncludeMergesAndDefaultsApplyToListItems) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("ynode-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "_base.yaml") << "seed: 5\nsite:\n  main_fuse: {rating: 63A}\n  step: 10ms\n";
  std::ofstream(dir / "s.yaml") << "include: _base.yaml\nsite:\n  main_fuse: {rating: 40A}\n"
                                   "defaults:\n  stations: {model: abb-terra-ac}\n"
                                   "stations:\n  - {name: a}\n  - {name: b, model: generic}\n";
  auto root = YNode::load_file((dir / "s.yaml").string());
  EXPECT_EQ(root["seed"].integer(), 5);
  EXPECT_DOUBLE_EQ(root["site"]["main_fuse"]["rating"].quantity("A").value, 40);
  EXPECT_EQ(root["site"]["step"].duration(), 10 * kMs);
  EXPECT_EQ(root["stations"].items()[0]["model"].scalar(), "abb-terra-ac");
  EXPECT_EQ(root["stations"].items()[1]["model"].scalar(), "generic");
  // The included value keeps its origin for errors.
  auto msg = error_of([&] { root["site"]["step"].quantity("A"); });
  EXPECT_NE(msg.find("_base.yaml:4"), std::string::npos) << msg;
  std::ofstream(dir / "cyc.yaml") << "include: cyc.yaml\n";
  EXPECT_NE(error_of([&] { YNode::load_file((dir / "cyc.yaml").string()); }).find("cycle"), std::string::npos);
  EXPECT_NE(error_of([&] { YNode::load_file((dir / "missing.yaml").string()); }).find("cannot open"),
            std::string::npos);
  // An error inside an included file names its own place and the including line.
  std::ofstream(dir / "_bad.yaml") << "a: 1\nb: [1, 2\n";
  std::ofstream(dir / "inc.yaml") << "seed: 1\ninclude: [_base.yaml, _bad.yaml]\n";
  auto inc = error_of([&] { YNode::load_file((dir / "inc.yaml").string()); });
  EXPECT_NE(inc.find("_bad.yaml:"), std::string::npos) << inc;
  EXPECT_NE(inc.find("(included from " + (dir / "inc.yaml").string() + ":2)"), std::string::npos) << inc;
  fs::remove_all(dir);
}

// Issue 17 item 4: the valid keys are the ones a reader asked for (not those present), with the
// closest one suggested; edit distances checked by hand ("ratng" -> "rating": one insertion).
TEST(YNode, UnknownKeyListsValidKeysAndSuggestsTheClosest) {
  EXPECT_EQ(edit_distance("ratng", "rating"), 1u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  auto root = YNode::load_string("fuse:\n  ratng: 40A\n  curve: C\n", "s.yaml");
  std::string msg;
  {
    InputErrors errors;  // readers' questions are remembered while loading
    const YNode& fuse = root["fuse"];
    fuse.get("rating");  // absent: still a valid key here
    fuse.get("curve");
    fuse.finish();
    ASSERT_EQ(errors.list().size(), 1u);
    msg = errors.list()[0];
  }
  EXPECT_NE(msg.find("s.yaml:2: field 'fuse.ratng': unknown key 'ratng' (did you mean 'rating'?)"), std::string::npos)
      << msg;
  EXPECT_NE(msg.find("valid here: rating, curve"), std::string::npos) << msg;
  // Nothing close: no guess.
  EXPECT_EQ(did_you_mean("zzzzzz", {"rating", "curve"}), "");
}

TEST(YNode, CollectsEveryUnknownKeyWhileInputErrorsIsActive) {
  auto root = YNode::load_string("a: 1\nbb: 2\ncc: 3\n", "c.yaml");
  std::string msg;
  {
    InputErrors errors;
    root.get("a");
    root.finish();  // collected, not thrown
    EXPECT_EQ(errors.list().size(), 2u);
    msg = error_of([&] { errors.throw_if_any(); });
  }
  EXPECT_NE(msg.find("c.yaml:2"), std::string::npos) << msg;
  EXPECT_NE(msg.find("c.yaml:3"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(2 errors)"), std::string::npos) << msg;
  // Without a collector the first one throws, as before.
  EXPECT_NE(error_of([&] { root.finish(); }).find("c.yaml:2"), std::string::npos);
}
