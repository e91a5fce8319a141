// The installer console: lines in, commands out; bad input is refused with a line.
#include "app/core/commands.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fakes/fakes.h"

namespace lmc {
namespace {

struct Seen {
  std::vector<std::vector<std::string>> calls;
  static bool handler(void* ctx, int argc, const char* const* argv) {
    auto* s = static_cast<Seen*>(ctx);
    s->calls.emplace_back(argv, argv + argc);
    return argc == 3;
  }
};

TEST(Commands, SplitsLinesAndWords) {
  fake::FakeConsole con;
  Log log(con);
  Commands c(con, log);
  Seen seen;
  c.add("debug", "debug hang <task>", &Seen::handler, &seen);
  con.input("debug  hang lm\r\ndeb");
  c.poll();
  ASSERT_EQ(seen.calls.size(), 1u);
  EXPECT_EQ(seen.calls[0], (std::vector<std::string>{"debug", "hang", "lm"}));
  con.input("ug hang net\n");  // the rest of a line arriving later
  c.poll();
  ASSERT_EQ(seen.calls.size(), 2u);
  EXPECT_EQ(seen.calls[1][2], "net");
}

TEST(Commands, UnknownUsageAndOverlongAreLoggedRefusals) {
  fake::FakeConsole con;
  Log log(con);
  Commands c(con, log);
  Seen seen;
  c.add("debug", "debug hang <task>", &Seen::handler, &seen);
  con.input("frobnicate\n");
  con.input("debug\n");
  con.input(std::string(200, 'a') + " debug hang lm\n");  // must not run the tail as a command
  con.input("a b c d e f g\n");
  c.poll();
  EXPECT_TRUE(con.has("lmc: console unknown cmd=frobnicate\n"));
  EXPECT_TRUE(con.has("lmc: console usage cmd=\"debug hang <task>\"\n"));
  EXPECT_TRUE(con.has("lmc: console rejected reason=line-too-long max=96\n"));
  EXPECT_TRUE(con.has("lmc: console rejected reason=too-many-words max=6\n"));
  EXPECT_EQ(seen.calls.size(), 1u);  // only "debug" (the usage case)
}

}  // namespace
}  // namespace lmc
