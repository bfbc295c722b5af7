// Reading the DWARF side of the cross-check (libdw/libdwfl; see dwarf_read.cc).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "btf/error.h"
#include "comparator/dwarfcheck/model.h"

namespace btfcheck::dwarfcheck::detail {

struct DwarfDef {
  Def def;
  std::string cu;    // name of the first unit that defines it this way
  uint64_t die = 0;  // its DIE offset there
};

struct DwarfFunc {
  uint64_t addr = 0;   // entry address (as the symbol table sees it); 0 when it has none
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
  std::map<uint64_t, std::vector<DwarfFunc>> funcs;      // symbol address -> subprograms
  // Other definitions (not declarations) of requested names: elsewhere, inline-only or
  // without any address (gcc's identical-code folding). One per distinct signature.
  std::map<std::string, std::vector<DwarfFunc>> others;
  uint64_t units = 0;
};

Result<DwarfData> read_dwarf(const std::string& elf_path, const ReadRequest& req);

}  // namespace btfcheck::dwarfcheck::detail
