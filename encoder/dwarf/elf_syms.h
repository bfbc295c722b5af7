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
// value; `patchable` when the ELF's ftrace table has a patch site for it (patch_sites.cc).
struct FuncAddr {
  uint32_t shndx = 0;
  uint64_t value = 0;
  bool patchable = false;
  bool clone = false;   // base-name table: the symbol is a `.isra`/`.constprop` clone
  // Base-name table: the first symbol here (symbol table order) whose name has a '.'
  // (`foo.isra.0`, `foo.llvm.123`): true_signature names the FUNC after it.
  std::string_view dotted;
};

// Where a function's DWARF entry is relative to its symbol (entry_offsets.cc): one offset
// for the ftrace-patchable functions and one for the others, and how they were found.
struct FuncEntries {
  int64_t patchable = 0, other = 0;     // entry = symbol + offset
  uint32_t patchable_agree = 0, patchable_samples = 0;
  uint32_t other_agree = 0, other_samples = 0;
  uint32_t sampled_cus = 0;
  uint64_t sites = 0;        // patch sites read from the ELF
  std::string table;         // where they came from ("" = no ftrace table)
  uint32_t patchable_funcs = 0;   // distinct function addresses with a patch site
  // "symbol+8 for ...": for --stats
  std::string describe() const;
};

// A kfunc of .BTF_ids (kfuncs.cc) and the flags word of its set entry.
struct Kfunc {
  std::string_view name;
  uint32_t flags = 0;
};
constexpr uint32_t kKfFastcall = 1u << 12;   // KF_FASTCALL: DECL_TAG "bpf_fastcall"
// KF_ARENA_RET, KF_ARENA_ARG1, KF_ARENA_ARG2: that pointer is into a BPF arena (attributes).
constexpr uint32_t kKfArenaRet = 1u << 13, kKfArenaArg1 = 1u << 14, kKfArenaArg2 = 1u << 15;

struct SectionInfo {
  std::string_view name;
  uint64_t addr = 0, size = 0;
};

struct ElfSymbols {
  bool is_rel = false;
  bool big_endian = false;
  uint16_t machine = 0;   // e_machine
  // Sorted, unique STT_FUNC names: exact names (pahole 1.24 matches them exactly), or with
  // base_names the text before the first '.' (pahole master's table: `foo.isra.0` is `foo`,
  // names with `.cold` or `.part` after it are no functions at all).
  std::vector<std::string_view> funcs;
  bool base_names = false;
  // For optimized_func: the part before the first '.' of names that have one, sorted
  // unique, each with the index of its full name in `funcs`.
  std::vector<std::pair<std::string_view, uint32_t>> func_prefixes;
  // With base_names: the `.cold`/`.part` symbols pahole master's table leaves out, as
  // (base name, full name), sorted (for --explain only).
  std::vector<std::pair<std::string_view, std::string_view>> func_pieces;
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
  FuncEntries entries;                // offsets start at 0 until learn_entry_offsets()
  std::vector<Kfunc> kfuncs;          // sorted by name, one per name (read_kfuncs)

  // Index into `funcs` of `name`, or -1.
  int64_t find_func(std::string_view name) const;
  // Index into `funcs` of a renamed clone of `name` (`name.isra.0`: func_prefixes), or -1.
  int64_t find_clone(std::string_view name) const;
  // With base_names: the full name of a `.cold`/`.part` symbol of `name`, or "".
  std::string_view find_piece(std::string_view name) const;
  // Number of distinct addresses of funcs[idx].
  size_t func_addr_count(uint32_t idx) const { return func_addr_first[idx + 1] - func_addr_first[idx]; }
  // Several addresses: a FUNC cannot say which it describes. With base_names, as pahole
  // master decides it, the last name in sorted order never is (its table loop sets the flag
  // when it moves on to the next name, and there is none after the last).
  bool ambiguous(uint32_t idx) const {
    return func_addr_count(idx) > 1 && !(base_names && idx + 1 == funcs.size());
  }
  // The symbol of funcs[idx] whose DWARF entry (the symbol plus the entry offset of its kind)
  // is (shndx, value), or nullptr. shndx is ignored unless is_rel.
  const FuncAddr* func_addr_at(uint32_t idx, uint32_t shndx, uint64_t value) const;
  // The symbol of funcs[idx] whose value is `value` itself, with no entry offset (pahole
  // master's comparison of DW_AT_low_pc with st_value), or nullptr.
  const FuncAddr* func_addr_exact(uint32_t idx, uint64_t value) const;
  // The kfunc of this name, or nullptr.
  const Kfunc* find_kfunc(std::string_view name) const;
  // Per-CPU symbol at section-relative `off`, or nullptr.
  const DataSym* find_percpu(uint64_t off) const;
  // Data symbol at `addr` (absolute / section-relative as in the DWARF), or nullptr.
  const DataSym* find_object(uint64_t addr, std::string_view prefer_name) const;
  // ET_REL: data symbol of section `shndx` at `offset`, or nullptr.
  const DataSym* find_object_in(uint32_t shndx, uint64_t offset, std::string_view prefer_name) const;
};

// Reads the symbol table (.symtab, else .dynsym) of `elf`. A file without one gives an
// empty table (no FUNCs or VARs will be encoded).
// `base_names`: key functions by base name as pahole master does (see `funcs`).
Result<ElfSymbols> read_elf_symbols(Elf* elf, const std::string& path, bool base_names = false);

class DwarfFile;
struct UnitList;
// Sets syms.entries' offsets from a fixed sample of `units` (entry_offsets.cc); call after
// read_elf_symbols, before the walk.
void learn_entry_offsets(const DwarfFile& file, const UnitList& units, ElfSymbols& syms);

// Sets FuncAddr::patchable from the ELF's ftrace table (patch_sites.cc); fills
// syms.entries.sites and .table. An unreadable table marks nothing.
void mark_patchable(Elf* elf, ElfSymbols& syms);

// Fills syms.kfuncs from the ELF's .BTF_ids kfunc sets (kfuncs.cc; decl_tag_kfuncs).
void read_kfuncs(Elf* elf, ElfSymbols& syms);

// pahole's btf_name_valid: [A-Za-z_.][A-Za-z0-9_.]*, shorter than KSYM_NAME_LEN (128).
bool btf_name_valid(std::string_view name);

}  // namespace btfcheck::encode
