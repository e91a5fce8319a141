// The provisioning page (docs/firmware.md): header, key=value lines, crc line.
#include "app/store/provisioning.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "app/store/layout.h"
#include "store/torn_flash.h"

using namespace lmc::settings;
using namespace lmc::store;

namespace {

struct Log final : Reporter {
  std::vector<std::string> lines;
  void report(const char* l) override { lines.emplace_back(l); }
  bool has(const std::string& part) const {
    for (const auto& l : lines)
      if (l.find(part) != std::string::npos) return true;
    return false;
  }
  std::string all() const {
    std::string s;
    for (const auto& l : lines) s += l + "\n";
    return s;
  }
};

std::string hex8(std::uint32_t v) {
  char b[9];
  std::snprintf(b, sizeof b, "%08X", v);
  return b;
}

// A page as a flashing tool writes it: the crc line covers every byte before it.
std::string page(const std::string& body) {
  std::string t = "lmc-provision 1\n" + body;
  return t + "crc=" + hex8(crc32(t.data(), t.size())) + "\n";
}

Provision import(const std::string& text, Settings& s, Log* log, int* ok = nullptr, int* bad = nullptr) {
  std::vector<char> p(4096, static_cast<char>(0xFF));
  std::memcpy(p.data(), text.data(), std::min(text.size(), p.size()));
  return import_provisioning_text(p.data(), p.size(), s, log, ok, bad);
}

}  // namespace

// The CRC-32 check value of the IEEE polynomial (reflected 0xEDB88320): "123456789" ->
// 0xCBF43926 (the catalogue value every CRC-32 implementation is checked against).
TEST(Provisioning, Crc32CheckValue) {
  EXPECT_EQ(crc32("123456789", 9), 0xCBF43926u);
  EXPECT_EQ(crc32("56789", 5, crc32("1234", 4)), 0xCBF43926u) << "chained";
  EXPECT_EQ(crc32("", 0), 0u);
}

TEST(Provisioning, ValidPageIsImportedOnceByCrc) {
  auto s = std::make_unique<Settings>();
  Log log;
  std::string t = page(
      "lm.fuse=40 A\n"
      "# a comment\n"
      "\n"
      "ripple.mapping=no\n"
      "station.1.driver=abb_terra_ac\r\n"
      "station.1.ip=192.168.1.60\n"
      "station.2.driver=mennekes_amtron\n"
      "station.2.ip=192.168.1.61\n"
      "station.2.rotation=L2-L3-L1\n"
      "station.2.phases=1\n"
      "feature.modbus_server=true\n");
  int ok = 0, bad = 0;
  ASSERT_EQ(import(t, *s, &log, &ok, &bad), Provision::Imported) << log.all();
  EXPECT_EQ(ok, 9);
  EXPECT_EQ(bad, 0);
  EXPECT_EQ(s->get(Id::LmFuse), 40);
  EXPECT_EQ(s->get(Id::RippleMapping), 1);
  EXPECT_TRUE(s->station_used(0));
  EXPECT_EQ(static_cast<std::uint32_t>(s->station(1, Field::Ip)), 0xC0A8013Du);
  EXPECT_EQ(s->station(1, Field::Phases), 1);
  EXPECT_EQ(s->get(Id::FeatureModbusServer), 1);
  EXPECT_TRUE(log.has("config provisioned crc=")) << log.all();
  // The same page again: nothing to do (its CRC was recorded).
  std::uint32_t g = s->generation();
  EXPECT_EQ(import(t, *s, &log), Provision::Same);
  EXPECT_EQ(s->generation(), g);
  // A changed page is imported again.
  EXPECT_EQ(import(page("lm.fuse=50\n"), *s, &log), Provision::Imported);
  EXPECT_EQ(s->get(Id::LmFuse), 50);
  EXPECT_TRUE(s->station_used(0)) << "lines apply on top of the current config";
}

// Each refused line is reported with its line number (line 1 is the header), key and reason;
// the other lines still apply.
TEST(Provisioning, RejectedLinesAreReportedWithLineNumbers) {
  auto s = std::make_unique<Settings>();
  Log log;
  std::string t = page(
      "station.1.driver=abb_terra_ac\n"  // line 2: before the fuse (CFG-01)
      "lm.fuse=40000\n"                  // line 3: out of range
      "lm.fuse=35\n"                     // line 4
      "colour=blue\n"                    // line 5
      "just some words\n"                // line 6
      "ext.timeout=5 s\n"                // line 7
      "sys.provision_crc=1\n"            // line 8: nobody may write it
      "wifi.ssid=garage\n");             // line 9
  int ok = 0, bad = 0;
  ASSERT_EQ(import(t, *s, &log, &ok, &bad), Provision::Imported);
  EXPECT_EQ(ok, 2);
  EXPECT_EQ(bad, 6);
  EXPECT_TRUE(log.has("config reject line=2 key=station.1.driver reason=fuse_required")) << log.all();
  EXPECT_TRUE(log.has("config reject line=3 key=lm.fuse reason=out_of_range")) << log.all();
  EXPECT_TRUE(log.has("config reject line=5 key=colour reason=unknown_key")) << log.all();
  EXPECT_TRUE(log.has("config reject line=6 key=\"just some words\" reason=no_equals_sign")) << log.all();
  EXPECT_TRUE(log.has("config reject line=7 key=ext.timeout reason=out_of_range")) << log.all();
  EXPECT_TRUE(log.has("config reject line=8 key=sys.provision_crc reason=not_writable")) << log.all();
  EXPECT_EQ(s->get(Id::LmFuse), 35);
  EXPECT_STREQ(s->text(Id::WifiSsid), "garage");
  EXPECT_FALSE(s->station_used(0));
}

TEST(Provisioning, BadPagesAreIgnoredAndReported) {
  auto s = std::make_unique<Settings>();
  Log log;
  EXPECT_EQ(import("", *s, &log), Provision::None) << "erased page";
  EXPECT_TRUE(log.lines.empty());
  std::string good = page("lm.fuse=40\n");
  std::string flipped = good;
  flipped[20] ^= 1;  // one bit of a value
  EXPECT_EQ(import(flipped, *s, &log), Provision::Invalid);
  EXPECT_TRUE(log.has("config provision-invalid reason=bad_crc")) << log.all();
  EXPECT_EQ(import("lmc-provision 2\nlm.fuse=40\ncrc=00000000\n", *s, &log), Provision::Invalid);
  EXPECT_TRUE(log.has("reason=no_header"));
  EXPECT_EQ(import("lmc-provision 1\nlm.fuse=40\n", *s, &log), Provision::Invalid);
  EXPECT_TRUE(log.has("reason=no_crc"));
  EXPECT_FALSE(s->fuse_configured()) << "nothing of an invalid page applies";
}

TEST(Provisioning, GarbagePagesNeverCrash) {
  std::mt19937_64 rng(5);
  for (int i = 0; i < 3000; ++i) {
    std::vector<char> p(4096);
    for (auto& c : p) c = static_cast<char>(rng());
    if (i % 2) {  // a real header and crc around garbage lines
      std::string body;
      for (int k = 0; k < 200; ++k) {
        char c = static_cast<char>(rng() % 96 + 32);
        body += rng() % 20 == 0 ? '\n' : rng() % 30 == 0 ? '=' : c;
      }
      std::string t = page(body + "\n");
      std::memcpy(p.data(), t.data(), t.size());
      p[t.size()] = static_cast<char>(0xFF);
    }
    auto s = std::make_unique<Settings>();
    Log log;
    Provision r = import_provisioning_text(p.data(), p.size(), *s, &log);
    if (i % 2) {
      EXPECT_EQ(r, Provision::Imported);
    }
  }
}

TEST(Provisioning, ReadsPageZeroOfTheFlash) {
  lmc::testing::TornFlash flash;
  std::string t = page("lm.fuse=32\n");
  std::vector<std::uint8_t> w(4096, 0xFF);
  std::memcpy(w.data(), t.data(), t.size());
  ASSERT_TRUE(flash.program(0, w.data(), w.size()));
  auto s = std::make_unique<Settings>();
  EXPECT_EQ(import_provisioning(flash, *s, nullptr), Provision::Imported);
  EXPECT_EQ(s->get(Id::LmFuse), 32);
}
