// Comparing DWARF definitions and subprograms with BTF (see compare.cc).
#pragma once

#include <vector>

#include "comparator/dwarfcheck/btf_model.h"
#include "comparator/dwarfcheck/dwarf_read.h"
#include "comparator/dwarfcheck/dwarfcheck.h"

namespace btfcheck::dwarfcheck::detail {

// Findings for one DWARF definition: none when some BTF candidate agrees with it.
std::vector<Finding> check_def(const DwarfDef& d, BtfModel& btf);

// Findings for one BTF FUNC against the symbols and subprograms read from the ELF.
// `by_definition` is set when the FUNC was matched against its name's one address-less
// definition (no subprogram at the symbol's address).
std::vector<Finding> check_func(uint32_t func_id, BtfModel& btf, const DwarfData& dwarf,
                                bool* by_definition);

}  // namespace btfcheck::dwarfcheck::detail
