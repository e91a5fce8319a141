// The utility's ripple-control receiver and its wiring to the device's 24 V inputs, checked
// against the vendor's input mapping (behaviours RC-03/RC-04, clemap-public-docs §7).
#include <vector>

#include "plant_test_util.h"

using namespace plant_test;

namespace {

// Records every change of a signal with its time.
struct Recorder : lmsim::ChangeListener {
  std::vector<std::pair<double, double>> changes;  // (s, value)
  void on_change(const lmsim::Signal& s, lmsim::Time t) override {
    changes.emplace_back(lmsim::time_to_seconds(t), s.value());
  }
};

// Stand-ins for the GPIO's input knobs when no device is built.
lmsim::Signal& device_input(lmsim::Site& site, int n) {
  return site.registry().add_bool("device.ripple.in" + std::to_string(n)).as_knob();
}

}  // namespace

TEST(Ripple, DefaultMappingIsZeroVoltsAtRestAnd24VoltsWhileSignalled) {
  // RC-03, the vendor's default "normally closed" mapping: 0 V DC at the input at rest; when the
  // utility signals, its relay closes and 24 V DC appear. Blocked on input 1, reduced on input 2
  // (our default wiring); the receiver reacts 2 s after the utility's telegram.
  auto site = elaborate_plant(R"(
site:
  ripple: {delay: 2s, bounce: {count: 0}}
)");
  auto& in1 = device_input(*site, 1);
  auto& in2 = device_input(*site, 2);
  run_for(1.0);
  EXPECT_FALSE(in1.as_bool());
  EXPECT_FALSE(in2.as_bool());
  site->registry().write("site.ripple.mode", "blocked");
  run_for(1.9);
  EXPECT_FALSE(in1.as_bool()) << "before the receiver's delay";
  run_for(0.2);
  EXPECT_TRUE(in1.as_bool());
  EXPECT_FALSE(in2.as_bool());
  EXPECT_DOUBLE_EQ(lmsim::time_to_seconds(in1.last_change()), 3.0);
  EXPECT_TRUE(site->registry().at("site.ripple.K1.contact").as_bool());
  site->registry().write("site.ripple.mode", "reduced");
  run_for(2.5);
  EXPECT_FALSE(in1.as_bool());
  EXPECT_TRUE(in2.as_bool());
  EXPECT_TRUE(site->registry().at("site.ripple.in2").as_bool());
  site->registry().write("site.ripple.mode", "normal");
  run_for(2.5);
  EXPECT_FALSE(in1.as_bool());
  EXPECT_FALSE(in2.as_bool());
}

TEST(Ripple, NormallyOpenMappingRestsAt24VoltsAndABrokenWireReadsActive) {
  // RC-04: "normally open" mapping: 24 V DC at rest, the utility's relay opens when it signals
  // (0 V = active). A broken wire reads 0 V, i.e. active: fail-safe for the grid.
  auto site = elaborate_plant(R"(
site:
  ripple:
    relays: [{name: K1, input: in1, contact: NC, active: [reduced, blocked]}]
)");
  auto& in1 = device_input(*site, 1);
  run_for(0.5);
  EXPECT_TRUE(in1.as_bool());
  site->registry().write("site.ripple.mode", "blocked");
  run_for(0.5);
  EXPECT_FALSE(in1.as_bool());
  site->registry().write("site.ripple.mode", "normal");
  run_for(0.5);
  EXPECT_TRUE(in1.as_bool());
  site->registry().write("site.ripple.K1.wire_break", "true");
  run_for(0.01);
  EXPECT_FALSE(in1.as_bool());
  EXPECT_TRUE(site->registry().at("site.ripple.K1.contact").as_bool()) << "the contact itself is still closed";
}

TEST(Ripple, ClosingContactBouncesThenSettlesAndGlitchesArePulses) {
  // A closing contact bounces: with count 3 in a 3 ms window the input sees close, 3 x (open,
  // close): 7 edges within 3 ms, ending at 24 V. A glitch of 300 ms is one pulse of that length.
  auto site = elaborate_plant(R"(
site:
  ripple: {bounce: {count: 3, time: 3ms}}
)");
  auto& in1 = device_input(*site, 1);
  Recorder rec;
  in1.add_listener(&rec);
  run_for(1.0);
  site->registry().write("site.ripple.mode", "blocked");
  run_for(0.5);
  ASSERT_EQ(rec.changes.size(), 7u);
  EXPECT_DOUBLE_EQ(rec.changes.front().first, 1.0);
  EXPECT_LE(rec.changes.back().first, 1.003);
  for (std::size_t k = 0; k < rec.changes.size(); ++k) EXPECT_EQ(rec.changes[k].second, k % 2 ? 0.0 : 1.0);
  EXPECT_TRUE(in1.as_bool());
  // Opening does not bounce.
  rec.changes.clear();
  site->registry().write("site.ripple.mode", "normal");
  run_for(0.5);
  ASSERT_EQ(rec.changes.size(), 1u);
  // A spurious 300 ms pulse on K1 (contact open at rest: it closes for 300 ms).
  rec.changes.clear();
  double t0 = now_s();
  site->registry().write("site.ripple.K1.glitch", "300ms");
  run_for(1.0);
  ASSERT_GE(rec.changes.size(), 2u);
  EXPECT_DOUBLE_EQ(rec.changes.front().first, t0);
  EXPECT_NEAR(rec.changes.back().first - t0, 0.3, 1e-9);
  EXPECT_FALSE(in1.as_bool());
  in1.remove_listener(&rec);
}

TEST(Ripple, RandomGlitchesRepeatForASeed) {
  const char* yaml = R"(
site:
  ripple: {bounce: {count: 0}, glitches: {per_hour: 60, length: 20ms}}
)";
  auto site = elaborate_plant(yaml, 5);
  run_for(3600);
  auto n = site->registry().at("site.ripple.in1").change_count();
  // Poisson with mean 60 per hour, two edges per pulse: 2 * (60 +- 4 sigma).
  EXPECT_GT(n, 2u * 30);
  EXPECT_LT(n, 2u * 90);
  EXPECT_FALSE(site->registry().at("site.ripple.in1").as_bool());
}

TEST(Ripple, BadKeysNameTheirLine) {
  for (const char* bad :
       {"site:\n  ripple: {mode: paused}\n", "site:\n  ripple: {relays: [{name: K1, input: in3, active: blocked}]}\n",
        "site:\n  ripple: {relays: [{name: K1, input: in1, contact: XX, active: blocked}]}\n"}) {
    try {
      lmsim::YNode root = lmsim::YNode::load_string(bad, "r.yaml");
      lmsim::Site site(root, "r.yaml", 1);
      lmsim::plant::build(site, root);
      ADD_FAILURE() << "accepted: " << bad;
    } catch (const std::exception& e) {
      EXPECT_NE(std::string(e.what()).find("r.yaml:2"), std::string::npos) << e.what();
    }
  }
}
