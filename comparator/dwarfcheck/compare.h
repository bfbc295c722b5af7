// Comparing DWARF definitions and subprograms with BTF (see compare.cc).
#pragma once

#include <vector>

#include "comparator/dwarfcheck/btf_model.h"
#include "comparator/dwarfcheck/dwarf_read.h"
#include "comparator/dwarfcheck/dwarfcheck.h"

namespace btfcheck::dwarfcheck::detail {

// Findings for one DWARF definition: none when some BTF candidate agrees with it.
std::vector<Finding> check_def(const DwarfDef& d, BtfModel& btf);

// How a FUNC found its DWARF: a subprogram of its name at its symbol's entry, its name's
// one prototype elsewhere (no subprogram at the entry), or neither.
enum class FuncMatch : uint8_t { None, AtEntry, ByDefinition };

// Findings for one BTF FUNC against the symbols and subprograms read from the ELF.
std::vector<Finding> check_func(uint32_t func_id, BtfModel& btf, const DwarfData& dwarf,
                                FuncMatch* match);

}  // namespace btfcheck::dwarfcheck::detail
