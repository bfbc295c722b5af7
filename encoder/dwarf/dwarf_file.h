// Opening the input for the encoder: one libdw handle per thread (libdw's lazy abbrev and
// string caches are not thread safe), the list of units in DWARF order, and the fixed
// partition of compile units into batches. The partition depends on the input only, never
// on the number of threads, which is what makes the output independent of -j.
#pragma once

#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <libelf.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "btf/error.h"

namespace btfcheck::encode {

// One thread's view of the file. ET_REL objects (kernel modules) go through libdwfl,
// which applies the relocations of the debug sections; other files use dwarf_begin_elf on
// a read-only mmap.
class DwarfFile {
 public:
  static Result<std::unique_ptr<DwarfFile>> open(const std::string& path);
  // Another Dwarf handle on `main`'s ELF image (one mapping of the file for every thread;
  // a mapping per thread would count the shared .debug_str pages once per thread in RSS).
  // Call from one thread: dwarf_begin_elf reads the sections through libelf, which is not
  // thread safe; afterwards each handle is used by one thread only. ET_REL files (libdwfl
  // relocates into the handle) get a private open instead.
  static Result<std::unique_ptr<DwarfFile>> open_sibling(const DwarfFile& main, const std::string& path);
  ~DwarfFile();
  DwarfFile(const DwarfFile&) = delete;
  DwarfFile& operator=(const DwarfFile&) = delete;

  Dwarf* dwarf() const { return dbg_; }
  Elf* elf() const { return elf_; }  // the main ELF (symbols, sections)
  bool relocatable() const { return dwfl_mod_ != nullptr; }
  // ET_REL only: libdwfl lays the sections out at made-up addresses when it relocates the
  // DWARF; this maps such an address back to (section index, offset in the section).
  bool section_offset(uint64_t addr, uint32_t* shndx, uint64_t* offset) const;

 private:
  DwarfFile() = default;
  int fd_ = -1;
  Elf* elf_ = nullptr;
  bool owns_elf_ = true;
  Dwarf* dbg_ = nullptr;  // owned unless dwfl_ is set
  Dwfl* dwfl_ = nullptr;
  Dwfl_Module* dwfl_mod_ = nullptr;
};

struct Unit {
  uint64_t die_off = 0;      // offset of the unit DIE
  uint64_t size = 0;         // bytes of the unit (header included)
  bool debug_types = false;  // a DWARF 4 type unit in .debug_types
};

struct UnitList {
  std::vector<Unit> cus;        // compile (and partial) units, in .debug_info order
  std::vector<Unit> type_units; // .debug_types units and DWARF 5 type units
};

Result<UnitList> list_units(Dwarf* dbg, const std::string& path);

// Consecutive CUs [first, end): a new batch starts once the current one holds at least
// `target_bytes` of DWARF, or when `single` is set (everything in one batch).
struct BatchSpan {
  uint32_t first = 0, end = 0;
};
std::vector<BatchSpan> plan_batches(const UnitList& units, uint64_t target_bytes, bool single);

}  // namespace btfcheck::encode
