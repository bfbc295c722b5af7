// ElfFacts: the few facts of a relocatable ELF object that libbpf's load-time BTF fixups
// read — section names, sizes and flags, and the symbol table (name, value, binding, type,
// visibility, section index) — copied out of libelf once, in file order. Nothing else in
// the fixup stage touches libelf; the rest works on these plain vectors.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "btf/error.h"

namespace btfcheck::fixup {

struct ElfSection {
  uint32_t index = 0;        // ELF section index (section 0 is not listed)
  std::string name;
  uint32_t type = 0;         // SHT_*
  uint64_t flags = 0;        // SHF_*
  uint64_t size = 0;         // sh_size (also for SHT_NOBITS, as libelf's d_size)
};

struct ElfSymbol {
  uint32_t index = 0;        // index in .symtab
  std::string name;          // "" when st_name is 0
  bool name_ok = true;       // false when st_name points outside the string table
  uint64_t value = 0;
  uint64_t size = 0;
  uint8_t bind = 0;          // STB_*
  uint8_t type = 0;          // STT_*
  uint8_t visibility = 0;    // STV_*
  uint16_t shndx = 0;        // SHN_UNDEF, a section index, or a reserved index
};

struct ElfFacts {
  std::string path;
  uint16_t machine = 0;      // EM_*
  bool big_endian = false;
  std::vector<ElfSection> sections;   // in section-header order
  std::vector<ElfSymbol> symbols;     // in .symtab order, index 0 included
  bool has_symtab = false;

  // First section with this name (libbpf's elf_sec_by_name), or nullptr.
  const ElfSection* section(const std::string& name) const;
  const ElfSection* section_by_index(uint32_t index) const;
};

// Reads an ELF object through libelf. Errors: "fixup.elf-open", "fixup.elf-malformed"
// (not an ELF, unreadable headers), "fixup.elf-symtab" (more than one SHT_SYMTAB, as libbpf
// refuses). A missing symbol table is not an error here (has_symtab = false).
Result<ElfFacts> read_elf_facts(const std::string& path);

}  // namespace btfcheck::fixup
