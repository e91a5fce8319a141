// bench/run firmware: the product firmware lmc.elf.
//   firmware.idle_day_s   wall seconds for 24 simulated hours of a configured controller with
//                         no stations (bench/firmware-idle-day.yaml through the CLI; goal <= 20)
//   firmware.flash_kib    flash the image occupies (PT_LOAD file bytes; budget 512 KiB)
//   firmware.netc_idle_day_s  the same day on Wi-Fi with the cloud host on the internet
//                         (bench/firmware-netc-idle-day.yaml; goal <= 30): the network
//                         manager, NTP and the sockets must sleep, not poll. Each day figure is
//                         followed by its CPU seconds (`..._cpu_s`): the machine may be loaded.
//   firmware.ram_kib      RAM it reserves: .data, .bss, .noinit, TLS and the stack, not the
//                         unused heap region (budget 128 KiB)
#include <elf.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lmsim_child.h"

namespace {

bool run_lmsim(std::vector<std::string> args, const std::string& result, double* wall, std::string* verdict,
               double* cpu = nullptr) {
  bench::ChildRun c = bench::run_child(std::move(args), result);
  *wall = c.wall;
  if (cpu) *cpu = c.cpu;
  if (!c.ok) return false;
  *verdict = c.result.value("verdict", std::string("?"));
  return true;
}

struct Footprint {
  double flash = 0, ram = 0;
};

// ELF32 little-endian (the cross build's output): flash = PT_LOAD file bytes below SRAM; RAM =
// allocated sections in SRAM except the heap region (no heap after start-up).
bool footprint(const std::string& path, Footprint* out) {
  std::ifstream f(path, std::ios::binary);
  std::vector<char> b((std::istreambuf_iterator<char>(f)), {});
  if (b.size() < sizeof(Elf32_Ehdr)) return false;
  Elf32_Ehdr eh;
  std::memcpy(&eh, b.data(), sizeof eh);
  if (std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS32) return false;
  constexpr std::uint32_t kSram = 0x20000000;
  for (unsigned i = 0; i < eh.e_phnum; ++i) {
    Elf32_Phdr ph;
    std::size_t off = eh.e_phoff + i * sizeof ph;
    if (off + sizeof ph > b.size()) return false;
    std::memcpy(&ph, b.data() + off, sizeof ph);
    if (ph.p_type == PT_LOAD && ph.p_paddr < kSram) out->flash += ph.p_filesz;
  }
  Elf32_Shdr strtab;
  std::size_t so = eh.e_shoff + eh.e_shstrndx * sizeof strtab;
  if (so + sizeof strtab > b.size()) return false;
  std::memcpy(&strtab, b.data() + so, sizeof strtab);
  for (unsigned i = 0; i < eh.e_shnum; ++i) {
    Elf32_Shdr sh;
    std::size_t off = eh.e_shoff + i * sizeof sh;
    if (off + sizeof sh > b.size()) return false;
    std::memcpy(&sh, b.data() + off, sizeof sh);
    const char* name = b.data() + strtab.sh_offset + sh.sh_name;
    if ((sh.sh_flags & SHF_ALLOC) && sh.sh_addr >= kSram && std::strcmp(name, ".heap") != 0 &&
        std::strcmp(name, ".tbss_space") != 0)
      out->ram += sh.sh_size;
  }
  out->flash /= 1024;
  out->ram /= 1024;
  return true;
}

}  // namespace

int main() {
  namespace fs = std::filesystem;
  const std::string lmsim = LMSIM_BIN;
  const std::string scenario = std::string(LMSIM_SOURCE_DIR) + "/bench/firmware-idle-day.yaml";
  const std::string elf = std::string(LMSIM_FIRMWARE_DIR) + "/lmc.elf";
  fs::path tmp = fs::temp_directory_path() / ("lmsim-bench-fw-" + std::to_string(getpid()));
  fs::create_directories(tmp);
  const std::string result = (tmp / "r.json").string();
  double wall = 0;
  std::string verdict;
  double cpu = 0;
  bool ok = run_lmsim({lmsim, "run", scenario, "--result", result}, result, &wall, &verdict, &cpu);
  const std::string net_scenario = std::string(LMSIM_SOURCE_DIR) + "/bench/firmware-netc-idle-day.yaml";
  double net_wall = 0, net_cpu = 0;
  std::string net_verdict;
  bool net_ok = run_lmsim({lmsim, "run", net_scenario, "--result", result}, result, &net_wall, &net_verdict, &net_cpu);
  fs::remove_all(tmp);
  Footprint fp;
  if (!footprint(elf, &fp)) {
    std::fprintf(stderr, "bench_firmware: cannot read %s\n", elf.c_str());
    return 1;
  }
  if (!ok) return 1;
  if (verdict != "pass")
    std::fprintf(stderr, "bench_firmware: the idle-day scenario did not pass (%s)\n", verdict.c_str());
  std::printf("firmware.idle_day_s %.2f s\n", wall);
  std::printf("firmware.idle_day_cpu_s %.2f s\n", cpu);
  if (net_ok) {
    if (net_verdict != "pass")
      std::fprintf(stderr, "bench_firmware: the network idle-day scenario did not pass (%s)\n", net_verdict.c_str());
    std::printf("firmware.netc_idle_day_s %.2f s\n", net_wall);
    std::printf("firmware.netc_idle_day_cpu_s %.2f s\n", net_cpu);
  }
  std::printf("firmware.flash_kib %.1f KiB\n", fp.flash);
  std::printf("firmware.ram_kib %.1f KiB\n", fp.ram);
  return verdict == "pass" && net_ok && net_verdict == "pass" ? 0 : 1;
}
