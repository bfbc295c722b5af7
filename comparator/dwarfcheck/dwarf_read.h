// Reading the DWARF side of the cross-check (libdw/libdwfl; see dwarf_read.cc).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "btf/error.h"
#include "comparator/dwarfcheck/dwarfcheck.h"
#include "comparator/dwarfcheck/entry_offset.h"
#include "comparator/dwarfcheck/model.h"

namespace btfcheck::dwarfcheck::detail {

struct DwarfDef {
  Def def;
  std::string cu;    // name of the first unit that defines it this way
  uint64_t die = 0;  // its DIE offset there
};

struct DwarfFunc {
  // At a symbol (DwarfData::funcs): that symbol's address. Elsewhere: the entry address,
  // in the symbol table's address space; 0 when it has none.
  uint64_t addr = 0;
  bool has_address = false;
  bool assembler = false;   // from an assembler unit: no prototype information
  std::string name;
  FuncSig sig;
  std::string cu;
  uint64_t die = 0;
};

struct ReadRequest {
  bool types = true;
  bool flat_arrays = true;
  std::set<std::string> func_names;   // BTF FUNC names whose symbols and subprograms we need
};

struct DwarfData {
  std::vector<DwarfDef> defs;                            // distinct, first-appearance order
  std::map<std::string, std::vector<uint64_t>> symbols;  // requested name -> sorted addresses
  // symbol address -> the subprograms whose entry is at that symbol (entry_offset.cc)
  std::map<uint64_t, std::vector<DwarfFunc>> funcs;
  // Other definitions (not declarations) of requested names: elsewhere, inline-only or
  // without any address (gcc's identical-code folding). One per distinct signature.
  std::map<std::string, std::vector<DwarfFunc>> others;
  uint64_t units = 0;
  EntryOffsets entry;   // how entries were matched to symbols
};

Result<DwarfData> read_dwarf(const std::string& elf_path, const ReadRequest& req);

// The subprograms the walk collected, before they are matched to symbols.
struct Collected {
  // Definitions of requested names in walk order; those without code one per signature.
  std::map<std::string, std::vector<DwarfFunc>> named;
  std::vector<DwarfFunc> assembler;     // assembler subprograms of other names, with code
  std::vector<uint64_t> func_symbols;   // every function symbol's address, sorted unique
  uint16_t machine = 0;                 // e_machine
};

// Learns the entry offsets (entry_offset.cc) from `c` and the patch sites, then fills
// data.funcs (subprograms whose entry is at a requested symbol), data.others (the rest,
// one per signature and kind of address) and data.entry (func_entries.cc).
void place_subprograms(Collected c, const PatchTable& table, DwarfData& data);

}  // namespace btfcheck::dwarfcheck::detail
