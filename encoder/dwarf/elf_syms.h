// The ELF facts the encoder needs besides DWARF: which function names have an STT_FUNC
// symbol (FUNCs are emitted only for those, as pahole does), the per-CPU section and its
// object symbols (per-CPU VARs), and every data symbol with its section (global_var).
// Names are string_views into the ELF image, which outlives this table.
#pragma once

#include <gelf.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "btf/error.h"

namespace btfcheck::encode {

struct DataSym {
  uint64_t addr = 0;   // section-relative (ET_REL) or absolute (ET_EXEC/ET_DYN)
  uint64_t size = 0;
  uint32_t shndx = 0;
  std::string_view name;
};

// Where an STT_FUNC symbol points: its section (ET_REL: the value is section-relative) and
// value.
struct FuncAddr {
  uint32_t shndx = 0;
  uint64_t value = 0;
};

struct SectionInfo {
  std::string_view name;
  uint64_t addr = 0, size = 0;
};

struct ElfSymbols {
  bool is_rel = false;
  bool big_endian = false;
  uint16_t machine = 0;   // e_machine
  // Sorted, unique STT_FUNC names (exact names: pahole 1.24 matches them exactly).
  std::vector<std::string_view> funcs;
  // For optimized_func: the part before the first '.' of names that have one, sorted
  // unique, each with the index of its full name in `funcs`.
  std::vector<std::pair<std::string_view, uint32_t>> func_prefixes;
  // The distinct addresses of funcs[i]: func_addrs[func_addr_first[i] .. func_addr_first[i+1]),
  // sorted. Several addresses = same-name static functions of different objects.
  std::vector<uint32_t> func_addr_first;
  std::vector<FuncAddr> func_addrs;
  // Per-CPU: section index (0 = none), its address and size, its objects sorted by addr.
  uint32_t percpu_shndx = 0;
  uint64_t percpu_addr = 0, percpu_size = 0;
  std::vector<DataSym> percpu;
  // Every sized STT_OBJECT symbol outside SHN_UNDEF/ABS/COMMON, sorted by (addr, name).
  std::vector<DataSym> objects;
  std::vector<SectionInfo> sections;  // by section index

  // Index into `funcs` of `name`, or -1.
  int64_t find_func(std::string_view name) const;
  // Number of distinct addresses of funcs[idx].
  size_t func_addr_count(uint32_t idx) const { return func_addr_first[idx + 1] - func_addr_first[idx]; }
  // Is (shndx, value) an address of funcs[idx]? shndx is ignored unless is_rel.
  bool func_at(uint32_t idx, uint32_t shndx, uint64_t value) const;
  // Per-CPU symbol at section-relative `off`, or nullptr.
  const DataSym* find_percpu(uint64_t off) const;
  // Data symbol at `addr` (absolute / section-relative as in the DWARF), or nullptr.
  const DataSym* find_object(uint64_t addr, std::string_view prefer_name) const;
  // ET_REL: data symbol of section `shndx` at `offset`, or nullptr.
  const DataSym* find_object_in(uint32_t shndx, uint64_t offset, std::string_view prefer_name) const;
};

// Reads the symbol table (.symtab, else .dynsym) of `elf`. A file without one gives an
// empty table (no FUNCs or VARs will be encoded).
Result<ElfSymbols> read_elf_symbols(Elf* elf, const std::string& path);

// pahole's btf_name_valid: [A-Za-z_.][A-Za-z0-9_.]*, shorter than KSYM_NAME_LEN (128).
bool btf_name_valid(std::string_view name);

}  // namespace btfcheck::encode
