#include <gtest/gtest.h>

#include "sim/expr.h"
#include "sim/ynode.h"

using namespace lmsim;

namespace {
struct ExprTest : ::testing::Test {
  Registry reg;
  Signal* i;
  Signal* p;
  Signal* mode;
  Signal* link;
  Signal* tx;
  void SetUp() override {
    reg.set_clock([] { return Time{0}; });
    i = &reg.add_number("site.fuse.L1.current", "A", 10);
    p = &reg.add_number("site.power", "W", 1000);
    mode = &reg.add_enum("site.ripple.mode", {"normal", "reduced", "blocked"});
    link = &reg.add_bool("net.wifi.up", true);
    tx = &reg.add_stream("device.uart0.tx");
  }
  std::string err(const std::string& text) {
    try {
      Expr::compile(text, reg, "x.yaml:3");
    } catch (const InputError& e) {
      return e.what();
    }
    return "";
  }
};
}  // namespace

TEST_F(ExprTest, ComparesWithUnitsAndFollowsSignals) {
  auto e = Expr::compile("site.fuse.L1.current <= 40A && site.power < 11kW", reg, "o");
  EXPECT_TRUE(e.test());
  i->set(41);
  EXPECT_FALSE(e.test());
  i->set(40);
  EXPECT_TRUE(e.test());
  p->set(11000);
  EXPECT_FALSE(e.test());
  EXPECT_EQ(e.reads().size(), 2u);
}

TEST_F(ExprTest, ArithmeticFunctionsEnumsBoolsAndText) {
  EXPECT_TRUE(Expr::compile("abs(site.power - 1kW) < 50W", reg, "o").test());
  EXPECT_TRUE(Expr::compile("site.power / 2 == 500W", reg, "o").test());
  EXPECT_TRUE(Expr::compile("max(site.power, 2kW) == 2000W", reg, "o").test());
  auto m = Expr::compile("site.ripple.mode == blocked || !net.wifi.up", reg, "o");
  EXPECT_FALSE(m.test());
  mode->set_state("blocked");
  EXPECT_TRUE(m.test());
  auto t = Expr::compile("device.uart0.tx contains 'SE123'", reg, "o");
  EXPECT_FALSE(t.test());
  tx->append("serial SE12345678\n");
  EXPECT_TRUE(t.test());
  EXPECT_TRUE(Expr::compile("site.power > 0", reg, "o").test());  // bare 0 fits any unit
}

TEST_F(ExprTest, ErrorsNameOriginAndProblem) {
  EXPECT_NE(err("site.fuse.L1.current <= 40W").find("cannot compare a current (A) and a active power (W)"),
            std::string::npos)
      << err("site.fuse.L1.current <= 40W");
  EXPECT_NE(err("site.fuse.L1.current <= 40").find("write the unit"), std::string::npos);
  EXPECT_NE(err("site.fuse.L1.curent <= 40A").find("did you mean 'site.fuse.L1.current'"), std::string::npos)
      << err("site.fuse.L1.curent <= 40A");
  EXPECT_NE(err("site.ripple.mode == off").find("has no state 'off'"), std::string::npos);
  EXPECT_NE(err("site.ripple.mode < blocked").find("only == and !="), std::string::npos);
  EXPECT_NE(err("(site.power > 0").find("missing ')'"), std::string::npos);
  EXPECT_NE(err("site.power > 0 &&").find("x.yaml:3"), std::string::npos);
  EXPECT_NE(err("site.power * site.power > 0").find("products of units"), std::string::npos);
}

TEST_F(ExprTest, DescribesValuesForMessages) {
  auto e = Expr::compile("site.fuse.L1.current <= 40A", reg, "o");
  i->set(41.5);
  EXPECT_EQ(e.describe_values(), "site.fuse.L1.current = 41.5 A");
}
