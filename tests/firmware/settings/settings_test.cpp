// The settings schema against shared/reference/behaviours.md (rows and section-B defaults
// cited per test), and the typed access rules (validation, writers, change counter).
#include "app/settings/settings.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>

using namespace lmc::settings;

namespace {

std::unique_ptr<Settings> fresh() {
  return std::make_unique<Settings>();
}

Result set(Settings& s, const std::string& key, const std::string& value, std::uint8_t w = kProvisioning) {
  return s.set_from_text(key.data(), key.size(), value.data(), value.size(), w);
}

std::string fmt(const Settings& s, Id id) {
  char b[80];
  s.format(id, b, sizeof b);
  return b;
}

std::string fmt(const Settings& s, int i, Field f) {
  char b[80];
  s.format_station(i, f, b, sizeof b);
  return b;
}

}  // namespace

// CFG-01 / A08: the main fuse has no default; an unconfigured device manages nothing.
TEST(Settings, MainFuseHasNoDefaultAndLimitsFollowIt) {
  auto s = fresh();
  EXPECT_FALSE(s->fuse_configured());
  EXPECT_EQ(s->phase_limit_da(0), 0);
  EXPECT_EQ(s->margin_da(), 0);
  // CFG-02: margin 5 % of the fuse, at least 1 A; limits = fuse - margin.
  // 40 A: 5 % = 2 A -> 38 A per phase (behaviours.md section C scenario 6: "<= 38 A (40 A - 5 %)").
  ASSERT_EQ(set(*s, "lm.fuse", "40 A"), Result::Ok);
  EXPECT_EQ(s->margin_da(), 20);
  for (int p = 0; p < 3; ++p) EXPECT_EQ(s->phase_limit_da(p), 380);
  // 16 A: 5 % = 0.8 A, below the 1 A floor -> 15 A.
  ASSERT_EQ(set(*s, "lm.fuse", "16"), Result::Ok);
  EXPECT_EQ(s->margin_da(), 10);
  EXPECT_EQ(s->phase_limit_da(1), 150);
  // An explicit per-phase limit wins over the derived one.
  ASSERT_EQ(set(*s, "lm.limit_l2", "12.5 A"), Result::Ok);
  EXPECT_EQ(s->phase_limit_da(1), 125);
  EXPECT_EQ(s->phase_limit_da(0), 150);
  ASSERT_EQ(set(*s, "lm.limit_l2", ""), Result::Ok);  // cleared: derived again
  EXPECT_EQ(s->phase_limit_da(1), 150);
  // CFG-03: max building power is off by default.
  EXPECT_FALSE(s->is_set(Id::LmMaxPower));
}

// Section B defaults: A14 ripple, A19 keep-alive, A32 features, A33 sensor type.
TEST(Settings, DefaultsOfSectionB) {
  auto s = fresh();
  EXPECT_EQ(fmt(*s, Id::RippleMapping), "nc");         // RC-03: normally closed is the default
  EXPECT_EQ(fmt(*s, Id::RippleMode), "blocked");       // A14: Blocked on signal
  EXPECT_EQ(fmt(*s, Id::RippleReducedPower), "4.20");  // A14: 4.2 kW
  EXPECT_EQ(fmt(*s, Id::ExtTimeout), "120");           // EXT-02: FLEX_CONTROL_MESSAGE_TIMEOUT 120 s
  EXPECT_EQ(fmt(*s, Id::ExtActive), "false");
  EXPECT_EQ(fmt(*s, Id::MeterSensor), "ct");  // A33
  for (Id id : {Id::FeatureModbusServer, Id::FeatureModbusWrite, Id::FeatureRestServer, Id::FeatureCascading})
    EXPECT_EQ(s->get(id), 0) << def(id).name;  // CFG-11 / A32: default off
  EXPECT_FALSE(s->get(Id::NetStatic));         // A06: DHCP by default
  EXPECT_STREQ(s->text(Id::WifiSsid), "");
  // A19: FLEX_CONTROL_MESSAGE_TIMEOUT range 10-3600 s.
  EXPECT_EQ(set(*s, "ext.timeout", "9"), Result::OutOfRange);
  EXPECT_EQ(set(*s, "ext.timeout", "3601 s"), Result::OutOfRange);
  EXPECT_EQ(set(*s, "ext.timeout", "3600 s"), Result::Ok);
  EXPECT_EQ(set(*s, "ext.timeout", "10"), Result::Ok);
}

// CFG-04..CFG-08 / A21 station defaults.
TEST(Settings, StationDefaults) {
  auto s = fresh();
  ASSERT_EQ(set(*s, "lm.fuse", "63"), Result::Ok);
  ASSERT_EQ(set(*s, "station.1.driver", "abb_terra_ac"), Result::Ok);
  EXPECT_TRUE(s->station_used(0));
  EXPECT_FALSE(s->station_used(1));
  EXPECT_EQ(s->station(0, Field::Port), 502);          // CFG-04: port 502
  EXPECT_EQ(s->station_unit_id(0), 1);                 // ST-02: ABB unit id 1
  EXPECT_EQ(fmt(*s, 0, Field::Rotation), "L1-L2-L3");  // CFG-05
  EXPECT_EQ(s->station(0, Field::Phases), 3);
  EXPECT_EQ(fmt(*s, 0, Field::MinCurrent), "6.0");       // CFG-06
  EXPECT_EQ(fmt(*s, 0, Field::MaxCurrent), "16.0");      // CFG-06 (evcc E5)
  EXPECT_EQ(fmt(*s, 0, Field::Priority), "normal");      // CFG-07
  EXPECT_EQ(fmt(*s, 0, Field::FallbackCurrent), "6.0");  // CFG-08 / A21
  EXPECT_EQ(s->station(0, Field::Timeout), 90);          // CFG-08 / A21: 90 s
  ASSERT_EQ(set(*s, "station.2.driver", "weidmueller"), Result::Ok);
  EXPECT_EQ(s->station_unit_id(1), 255);  // ST-05: unit 255
  ASSERT_EQ(set(*s, "station.2.unit_id", "7"), Result::Ok);
  EXPECT_EQ(s->station_unit_id(1), 7);
  // Rotation L2-L3-L1: station phase 1 on grid L2, 2 on L3, 3 on L1 (docs/stations.md phases).
  ASSERT_EQ(set(*s, "station.1.rotation", "L2-L3-L1"), Result::Ok);
  EXPECT_EQ(grid_phase(s->station(0, Field::Rotation), 0), 1);
  EXPECT_EQ(grid_phase(s->station(0, Field::Rotation), 1), 2);
  EXPECT_EQ(grid_phase(s->station(0, Field::Rotation), 2), 0);
}

TEST(Settings, StationValidation) {
  auto s = fresh();
  // CFG-01: no station before the fuse rating.
  EXPECT_EQ(set(*s, "station.1.driver", "generic"), Result::FuseRequired);
  ASSERT_EQ(set(*s, "lm.fuse", "40"), Result::Ok);
  ASSERT_EQ(set(*s, "station.1.driver", "generic"), Result::Ok);
  // CFG-06: 6-32 A, max 0 = disabled; never 0 < I < 6 A (LM-04).
  EXPECT_EQ(set(*s, "station.1.max_current", "5.9"), Result::OutOfRange);
  EXPECT_EQ(set(*s, "station.1.max_current", "32.1"), Result::OutOfRange);
  EXPECT_EQ(set(*s, "station.1.max_current", "0"), Result::Ok);
  EXPECT_EQ(set(*s, "station.1.max_current", "10"), Result::Ok);
  EXPECT_EQ(set(*s, "station.1.min_current", "5"), Result::OutOfRange);
  EXPECT_EQ(set(*s, "station.1.min_current", "12"), Result::MinAboveMax);
  EXPECT_EQ(s->station(0, Field::MinCurrent), 60) << "a refused write leaves the value";
  EXPECT_EQ(set(*s, "station.1.phases", "2"), Result::OutOfRange);             // CFG-05: 1 or 3
  EXPECT_EQ(set(*s, "station.51.driver", "abb_terra_ac"), Result::NoStation);  // A35: 50
  EXPECT_EQ(set(*s, "station.0.driver", "abb_terra_ac"), Result::NoStation);
  EXPECT_EQ(set(*s, "station.1.colour", "red"), Result::UnknownKey);
  EXPECT_EQ(set(*s, "station.1.driver", "tesla"), Result::BadValue);
  // NET-04: no duplicate address; ST-15: a second Mennekes connector on port + 1 is fine.
  ASSERT_EQ(set(*s, "station.1.ip", "192.168.1.61"), Result::Ok);
  ASSERT_EQ(set(*s, "station.2.driver", "mennekes_amtron"), Result::Ok);
  EXPECT_EQ(set(*s, "station.2.ip", "192.168.1.61"), Result::DuplicateAddress);
  ASSERT_EQ(set(*s, "station.2.port", "503"), Result::Ok);
  EXPECT_EQ(set(*s, "station.2.ip", "192.168.1.61"), Result::Ok);
  EXPECT_EQ(set(*s, "station.2.ip", "192.168.1.300"), Result::BadValue);
  EXPECT_EQ(fmt(*s, 1, Field::Ip), "192.168.1.61");
  // Names: capacity 24, printable only.
  EXPECT_EQ(set(*s, "station.1.name", std::string(25, 'x')), Result::TooLong);
  EXPECT_EQ(set(*s, "station.1.name", "garage\x01"), Result::BadValue);
  EXPECT_EQ(set(*s, "station.1.name", "Garage left"), Result::Ok);
  EXPECT_STREQ(s->station_name(0), "Garage left");
}

TEST(Settings, ValuesParseWithTheSchemaUnitAndResolution) {
  auto s = fresh();
  EXPECT_EQ(set(*s, "ripple.reduced_power", "4.2kW"), Result::Ok);
  EXPECT_EQ(s->get(Id::RippleReducedPower), 420);
  EXPECT_EQ(set(*s, "ripple.reduced_power", "3.75 kW"), Result::Ok);
  EXPECT_EQ(s->get(Id::RippleReducedPower), 375);
  EXPECT_EQ(set(*s, "ripple.reduced_power", "3.755"), Result::BadValue) << "finer than 0.01 kW";
  EXPECT_EQ(set(*s, "ripple.reduced_power", "4 A"), Result::BadValue) << "wrong unit";
  EXPECT_EQ(set(*s, "lm.fuse", "forty"), Result::BadValue);
  EXPECT_EQ(set(*s, "lm.fuse", ""), Result::BadValue) << "the fuse cannot be cleared";
  EXPECT_EQ(set(*s, "lm.fuse", "99999999999999"), Result::OutOfRange);
  EXPECT_EQ(set(*s, "lm.fuse", "-40"), Result::OutOfRange);
  EXPECT_EQ(set(*s, "ripple.mapping", "NO"), Result::Ok);
  EXPECT_EQ(s->get(Id::RippleMapping), static_cast<std::int32_t>(RippleMapping::NormallyOpen));
  EXPECT_EQ(set(*s, "net.static", "on"), Result::Ok);
  EXPECT_EQ(s->get(Id::NetStatic), 1);
  EXPECT_EQ(set(*s, "net.ip", "10.0.0.5"), Result::Ok);
  EXPECT_EQ(static_cast<std::uint32_t>(s->get(Id::NetIp)), 0x0A000005u);
  EXPECT_EQ(set(*s, "no.such", "1"), Result::UnknownKey);
}

// Who may write what: Modbus/REST share the external-control state (MB-05) but cannot touch
// the fuse; feature flags come from the vendor (CFG-11); nobody writes the provisioning CRC.
TEST(Settings, WritersAreEnforced) {
  auto s = fresh();
  EXPECT_EQ(set(*s, "lm.fuse", "40", kModbus), Result::NotWritable);
  EXPECT_EQ(set(*s, "lm.fuse", "40", kRest), Result::NotWritable);
  EXPECT_EQ(set(*s, "lm.fuse", "40", kInstaller), Result::Ok);
  EXPECT_EQ(set(*s, "ext.current_limit", "12", kRest), Result::Ok);
  EXPECT_EQ(set(*s, "ext.current_limit", "9", kModbus), Result::Ok);
  EXPECT_EQ(set(*s, "feature.rest_server", "true", kInstaller), Result::NotWritable);
  EXPECT_EQ(set(*s, "feature.rest_server", "true", kCloud), Result::Ok);
  EXPECT_EQ(set(*s, "sys.provision_crc", "1", kProvisioning), Result::NotWritable);
  EXPECT_EQ(s->set(Id::ProvisionCrc, 5, kSystem), Result::Ok);
}

// CFG-12: a change is visible to tasks through the change counter; a write of the same value is
// not a change.
TEST(Settings, ChangeCounter) {
  auto s = fresh();
  std::uint32_t g = s->generation();
  ASSERT_EQ(set(*s, "lm.fuse", "40"), Result::Ok);
  EXPECT_GT(s->generation(), g);
  g = s->generation();
  ASSERT_EQ(set(*s, "lm.fuse", "40"), Result::Ok);
  EXPECT_EQ(s->generation(), g);
  EXPECT_EQ(set(*s, "lm.fuse", "0"), Result::OutOfRange);
  EXPECT_EQ(s->generation(), g) << "a refused write changes nothing";
}

// BTN-04: only the Wi-Fi is erased.
TEST(Settings, WifiEraseTouchesOnlyWifi) {
  auto s = fresh();
  ASSERT_EQ(set(*s, "lm.fuse", "40"), Result::Ok);
  ASSERT_EQ(set(*s, "station.1.driver", "abb_terra_ac"), Result::Ok);
  ASSERT_EQ(set(*s, "ripple.mapping", "no"), Result::Ok);
  ASSERT_EQ(set(*s, "cloud.activated", "true", kCloud), Result::Ok);
  auto before = std::make_unique<Settings>(*s);
  ASSERT_EQ(set(*s, "wifi.ssid", "garage"), Result::Ok);
  ASSERT_EQ(set(*s, "wifi.password", "secret12"), Result::Ok);
  EXPECT_FALSE(*s == *before);
  EXPECT_EQ(fmt(*s, Id::WifiPassword), "***") << "secrets are never shown";
  s->erase_wifi();
  EXPECT_TRUE(*s == *before);
}
