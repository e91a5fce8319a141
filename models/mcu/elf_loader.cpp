#include "models/mcu/elf_loader.h"

#include <elf.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "sim/ynode.h"

namespace lmsim::mcu {

std::optional<std::uint32_t> ElfImage::symbol(const std::string& name) const {
  auto it = symbols.find(name);
  if (it == symbols.end()) return std::nullopt;
  return it->second;
}

ElfImage ElfImage::load(const std::string& path) {
  auto fail = [&](const std::string& why) -> void { throw InputError("firmware '" + path + "': " + why); };
  std::error_code ec;  // a directory opens fine but throws on the first read
  if (std::filesystem::is_directory(path, ec)) fail("is a directory, not an ELF file");
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot open the file (missing or unreadable)");
  // Bounded read: a device such as /dev/zero never ends.
  constexpr std::size_t kMaxBytes = 64u << 20;
  std::vector<std::uint8_t> f;
  try {
    char buf[1 << 16];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
      f.insert(f.end(), buf, buf + in.gcount());
      if (f.size() > kMaxBytes) fail("larger than 64 MiB: not a firmware image for a 1 MiB flash");
    }
    if (in.bad()) fail("cannot read the file");
  } catch (const std::ios_base::failure& e) {
    fail(std::string("cannot read the file: ") + e.what());
  }

  auto need = [&](std::uint64_t off, std::uint64_t len, const char* what) {
    if (off + len > f.size() || off + len < off)
      fail(std::string("truncated (") + what + " beyond the end of the file)");
  };
  need(0, sizeof(Elf32_Ehdr), "ELF header");
  Elf32_Ehdr eh;
  std::memcpy(&eh, f.data(), sizeof eh);
  if (std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0) fail("not an ELF file");
  if (eh.e_ident[EI_CLASS] != ELFCLASS32) fail("not a 32-bit ELF (wrong architecture: the MCU is an ARM Cortex-M4)");
  if (eh.e_ident[EI_DATA] != ELFDATA2LSB) fail("not little-endian");
  if (eh.e_machine != EM_ARM) fail("wrong architecture (e_machine " + std::to_string(eh.e_machine) + ", expected ARM)");
  if (eh.e_type != ET_EXEC) fail("not an executable (link it with the board's linker script)");
  if (eh.e_phentsize != sizeof(Elf32_Phdr)) fail("bad program header size");

  ElfImage img;
  img.path = path;
  img.entry = eh.e_entry;
  need(eh.e_phoff, std::uint64_t{eh.e_phnum} * sizeof(Elf32_Phdr), "program headers");
  for (unsigned i = 0; i < eh.e_phnum; ++i) {
    Elf32_Phdr ph;
    std::memcpy(&ph, f.data() + eh.e_phoff + i * sizeof ph, sizeof ph);
    if (ph.p_type != PT_LOAD || ph.p_memsz == 0) continue;
    if (ph.p_filesz > ph.p_memsz) fail("segment " + std::to_string(i) + " has filesz > memsz");
    need(ph.p_offset, ph.p_filesz, "segment data");
    ElfSegment s{ph.p_paddr, ph.p_vaddr, ph.p_filesz, ph.p_memsz, {}};
    s.data.assign(f.begin() + ph.p_offset, f.begin() + ph.p_offset + ph.p_filesz);
    img.segments.push_back(std::move(s));
  }
  if (img.segments.empty()) fail("no loadable segments");

  // Symbols (optional: a stripped image still runs).
  if (eh.e_shoff && eh.e_shentsize == sizeof(Elf32_Shdr)) {
    need(eh.e_shoff, std::uint64_t{eh.e_shnum} * sizeof(Elf32_Shdr), "section headers");
    std::vector<Elf32_Shdr> sh(eh.e_shnum);
    std::memcpy(sh.data(), f.data() + eh.e_shoff, sh.size() * sizeof(Elf32_Shdr));
    for (const auto& s : sh) {
      if (s.sh_type != SHT_SYMTAB || s.sh_link >= sh.size()) continue;
      const auto& strtab = sh[s.sh_link];
      need(s.sh_offset, s.sh_size, "symbol table");
      need(strtab.sh_offset, strtab.sh_size, "string table");
      for (std::uint32_t off = 0; off + sizeof(Elf32_Sym) <= s.sh_size; off += sizeof(Elf32_Sym)) {
        Elf32_Sym sym;
        std::memcpy(&sym, f.data() + s.sh_offset + off, sizeof sym);
        if (sym.st_name == 0 || sym.st_name >= strtab.sh_size) continue;
        const char* nm = reinterpret_cast<const char*>(f.data() + strtab.sh_offset + sym.st_name);
        std::size_t maxlen = strtab.sh_size - sym.st_name;
        std::string name(nm, strnlen(nm, maxlen));
        int type = ELF32_ST_TYPE(sym.st_info);
        if (type != STT_OBJECT && type != STT_FUNC && type != STT_NOTYPE) continue;
        std::uint32_t v = sym.st_value;
        if (type == STT_FUNC) v &= ~1u;
        img.symbols.emplace(std::move(name), v);
      }
    }
  }
  return img;
}

}  // namespace lmsim::mcu
