// Reading the ftrace patch sites of an ELF for the DWARF cross-check (see ftrace_table.cc).
// Written for the oracle, sharing no code with the encoder's reader.
#pragma once

#include <elfutils/libdwfl.h>
#include <gelf.h>

#include "comparator/dwarfcheck/entry_offset.h"

namespace btfcheck::dwarfcheck::detail {

// The patch sites of `mod`'s ELF, as addresses in libdwfl's address space for `mod` (the
// one dwfl_module_getsym_info reports symbols in; `ebias` is dwfl_module_getelf's bias).
// No table, or one that cannot be read, gives no sites: the offsets are then learned for
// all functions as one class.
PatchTable read_patch_table(Dwfl_Module* mod, Elf* elf, GElf_Addr ebias);

}  // namespace btfcheck::dwarfcheck::detail
