// The ELF loader rejects bad firmware files with an input error naming the file.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <iterator>

#include "mcu_support.h"
#include "models/mcu/elf_loader.h"
#include "models/models.h"

using namespace lmsim;
using namespace lmsim::mcu;

namespace {
std::string write_temp(const std::string& name, const std::string& bytes) {
  std::string p = ::testing::TempDir() + name;
  std::ofstream(p, std::ios::binary) << bytes;
  return p;
}
std::string load_error(const std::string& path) {
  try {
    ElfImage::load(path);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}
std::string file_bytes(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}
}  // namespace

TEST(ElfLoader, LoadsSegmentsAtLoadAddressesAndSymbols) {
  auto img = ElfImage::load(mcu::testing::firmware_path("t_reset"));
  ASSERT_FALSE(img.segments.empty());
  bool data_in_flash = false;
  for (const auto& s : img.segments)
    if (s.vaddr >= 0x20000000 && s.filesz > 0) data_in_flash = s.paddr < 0x00100000;  // .data: LMA in flash
  EXPECT_TRUE(data_in_flash);
  EXPECT_TRUE(img.symbol("test_result"));
  EXPECT_TRUE(img.symbol("Reset_Handler"));
}

TEST(ElfLoader, MissingTruncatedAndWrongArchitectureAreInputErrors) {
  std::string missing = ::testing::TempDir() + "no_such_firmware.elf";
  EXPECT_NE(load_error(missing).find("no_such_firmware.elf"), std::string::npos);
  EXPECT_NE(load_error(missing).find("cannot open"), std::string::npos);

  std::string good = file_bytes(mcu::testing::firmware_path("t_arith"));
  ASSERT_GT(good.size(), 2000u);
  std::string trunc = write_temp("trunc.elf", good.substr(0, 1500));
  EXPECT_NE(load_error(trunc).find("truncated"), std::string::npos) << load_error(trunc);
  std::string hdr = write_temp("hdr.elf", good.substr(0, 20));
  EXPECT_NE(load_error(hdr).find("truncated"), std::string::npos) << load_error(hdr);

  std::string x86 = good;
  x86[18] = 62;  // e_machine = EM_X86_64 (still 32-bit class: the machine field is checked)
  x86[19] = 0;
  std::string wrong = write_temp("wrong.elf", x86);
  EXPECT_NE(load_error(wrong).find("wrong architecture"), std::string::npos) << load_error(wrong);
  std::string text = write_temp("text.elf", std::string(100, 'x'));
  EXPECT_NE(load_error(text).find("not an ELF"), std::string::npos);
}

TEST(ElfLoader, ScenarioErrorNamesFileAndLine) {
  YNode root = YNode::load_string("device:\n  serial: SE1\n  firmware: /nonexistent/fw.elf\n", "scen.yaml");
  Site site(root, "scen.yaml", 1);
  try {
    mcu::build(site, root);
    FAIL() << "no error";
  } catch (const InputError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("scen.yaml:3"), std::string::npos) << m;
    EXPECT_NE(m.find("/nonexistent/fw.elf"), std::string::npos) << m;
  }
}

TEST(DeviceConfig, UnknownKeyIsReported) {
  YNode root = YNode::load_string("device:\n  firmwre: x.elf\n", "scen.yaml");
  Site site(root, "scen.yaml", 1);
  try {
    mcu::build(site, root);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("firmwre"), std::string::npos) << e.what();
  }
}

TEST(DeviceConfig, NoDeviceSectionBuildsNoDevice) {
  YNode root = YNode::load_string("site: {}\n", "scen.yaml");
  Site site(root, "scen.yaml", 1);
  mcu::build(site, root);
  EXPECT_EQ(site.service<Device>("device"), nullptr);
}
