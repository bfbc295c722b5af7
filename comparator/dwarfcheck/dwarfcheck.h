// btfcheck::dwarfcheck — cross-check a BTF against the DWARF it was made from
// (`btfcheck verify --dwarf ELF [BTF]`): a structural btfdiff, independent of any encoder.
//
// Types: every struct, union, enum and typedef the DWARF defines (all units, identical
// definitions de-duplicated across CUs) must have a BTF type of the same kind and name that
// agrees with it: size, member names, bit offsets, bitfield sizes, member type shapes,
// enumerator names and full 64-bit values, typedef target shape. Same-named but different
// definitions are legitimate: a DWARF type matches when SOME BTF candidate agrees.
// Functions: every FUNC of the BTF (its own types, for split BTF) must have an ELF function
// symbol of that name, a DWARF subprogram whose entry is at that symbol (its address plus
// the target's entry offset for that kind of function: entry_offset.cc), and the same
// return type, parameter types and varargs as that subprogram. When no subprogram of that
// name starts there (gcc's identical-code folding turns the symbol into a
// thunk to, or an alias of, an identical function; `__attribute__((alias))`) and the name's
// other definitions all have one prototype, the FUNC is compared with that prototype.
// Findings are sorted by (path, rule, BTF type id, DIE offset, expected, found, CU,
// message), so the output is the same bytes on every run.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "btf/btf.h"
#include "btf/error.h"

namespace btfcheck::dwarfcheck {

struct Options {
  bool types = true;   // check the DWARF's structs/unions/enums/typedefs
  bool funcs = true;   // check the BTF's FUNCs against the subprograms at their addresses
  // Compare multi-dimensional arrays by their total element count, on both sides: pahole
  // (up to at least 1.31) encodes `T a[2][3]` as one ARRAY of 6 T ("TODO: Encode one
  // dimension at a time"), which keeps the layout. false: `array(2,array(3,T))` must match.
  bool flat_arrays = true;
};

struct Finding {
  std::string rule;         // stable id, e.g. "dwarf.member-offset" (see rules())
  uint32_t type_id = 0;     // BTF type id (0: no BTF type, e.g. dwarf.missing-type)
  std::string kind;         // BTF kind of type_id ("STRUCT", "FUNC", ...) or ""
  std::string path;         // "struct sk_buff.len", "typedef atomic_t.counter", "func f.param 1"
  std::string cu;           // DWARF unit name (DW_AT_name of the CU) or "" for FUNC-only rules
  std::optional<uint64_t> die;   // DIE offset in .debug_info (or .debug_types)
  std::string expected;     // DWARF's value
  std::string found;        // BTF's value
  std::string message;      // one line of explanation
};

// Where a function's DWARF entry is relative to its symbol, for one class of function
// symbols: the offset used and how it was learned (entry_offset.cc).
struct EntryClass {
  uint64_t symbols = 0;   // distinct function symbol addresses in the class
  int64_t offset = 0;     // a subprogram is at symbol S when its entry is S + offset
  uint64_t samples = 0;   // names learned from: one symbol address, one subprogram with code
  uint64_t agree = 0;     // of those, the names whose entry is at symbol + offset
};

struct EntryOffsets {
  std::string machine;        // the ELF's e_machine ("AArch64", "x86-64", ...)
  std::string table;          // where the ftrace patch sites came from; "" = no table
  uint64_t sites = 0;         // patch sites read
  uint64_t unattributed = 0;  // sites near no function symbol
  EntryClass patchable;       // function symbols with a patch site (ftrace-patchable)
  EntryClass other;           // every other function symbol (all of them without a table)
};

struct Report {
  std::vector<Finding> findings;
  uint64_t units = 0;          // DWARF units read
  uint64_t dwarf_types = 0;    // distinct DWARF type definitions checked
  uint64_t funcs = 0;          // BTF FUNCs checked
  // Of those, FUNCs with a subprogram of their name at their symbol's entry.
  uint64_t funcs_at_entry = 0;
  // Of those, FUNCs whose symbol has no subprogram of that name at its address (a thunk or
  // alias made by gcc -fipa-icf, an alias attribute) matched against the name's one
  // prototype elsewhere.
  uint64_t funcs_by_definition = 0;
  EntryOffsets entry;
  bool clean() const { return findings.empty(); }
};

// Reads the DWARF and the symbol table of `elf_path` (libdwfl, so relocatable objects such
// as kernel modules are relocated) and checks `btf` (which may be split on a base) against
// it. Error (exit 2) when the ELF cannot be read or has no DWARF ("dwarf.no-debug-info").
Result<Report> check(const std::string& elf_path, const btf::Btf& btf, const Options& opts = {});

// The report order (see above); check() returns sorted reports.
void sort_findings(std::vector<Finding>& f);

struct RuleInfo {
  std::string_view id;
  std::string_view summary;
};
std::span<const RuleInfo> rules();
std::string rule_table();     // "  id  summary" lines, for --help
// The policy for DWARF that BTF cannot express, for --help.
std::string policy_text();

// text: one line per finding
//   BTF_FILE: type [ID] KIND: PATH: message: expected E, found F (CU 'x' DIE 0x1f) [rule]
// then "BTF_FILE: N finding(s) against DWARF of ELF (U units, T types, F funcs)" or
// "BTF_FILE: OK against DWARF of ELF (...)". json: one object with the same fields.
std::string format_text(const Report& r, std::string_view btf_file, std::string_view elf_file);
std::string format_json(const Report& r, std::string_view btf_file, std::string_view elf_file);

}  // namespace btfcheck::dwarfcheck
