// Loads a firmware ELF (32-bit little-endian ARM executable): PT_LOAD segments at their
// physical (load) addresses, so that .data lands in flash where the start-up code copies
// it from; the symbol table is kept for tests and the debugger. Any problem with the file
// is an InputError naming it (exit code 2).
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace lmsim::mcu {

struct ElfSegment {
  std::uint32_t paddr, vaddr, filesz, memsz;
  std::vector<std::uint8_t> data;  // filesz bytes; the rest up to memsz is zero
};

struct ElfImage {
  std::string path;
  std::uint32_t entry = 0;
  std::vector<ElfSegment> segments;
  std::unordered_map<std::string, std::uint32_t> symbols;  // name -> value (Thumb bit cleared for code)
  std::optional<std::uint32_t> symbol(const std::string& name) const;

  static ElfImage load(const std::string& path);
};

}  // namespace lmsim::mcu
