// Function entry offsets for func_by_address: where a subprogram's DWARF entry lies
// relative to its ELF symbol on this target.
//
// Design. func_by_address gives a name the prototype of the subprogram "at its symbol".
// On arm64 a kernel built for ftrace (-fpatchable-function-entry=2) starts each traced
// function with two NOPs at the symbol and gcc's DW_AT_low_pc follows them (symbol + 8),
// while notrace functions start at their symbol; on x86-64 gcc and clang put low_pc at
// the symbol whatever comes first. So:
//  - Per function, the ELF says which kind it is: a patch site of its ftrace table in the
//    function's first bytes makes it patchable (patch_sites.cc).
//  - Per kind, the offset is learned from the DWARF: the most common entry - symbol
//    (within +-kMaxOffset; ties to the smaller |offset|, then the smaller) over the
//    top-level subprograms with code of a fixed sample of compile units whose name has one
//    symbol address. The sample is kSampleCus units evenly spread over the file (every unit
//    of a small file), so it depends on the input only and costs a few milliseconds
//    before the parallel walk starts; a whole-file pass would cost ~0.4 s of CPU on a
//    vmlinux. A kind without a sample keeps 0: the entry is the symbol.
// On amd64 both offsets are 0 and matching is the plain address equality it always was.
// The oracle (verify --dwarf) learns its offsets from every subprogram with its own code.
#include <dwarf.h>

#include <map>

#include "encoder/dwarf/die_util.h"
#include "encoder/dwarf/dwarf_file.h"
#include "encoder/dwarf/elf_syms.h"

namespace btfcheck::encode {
namespace {

constexpr uint32_t kSampleCus = 64;
constexpr int64_t kMaxOffset = 64;

struct Tally {
  std::map<int64_t, uint32_t> by_offset;
  uint32_t total = 0;

  void add(int64_t d) {
    if (d < -kMaxOffset || d > kMaxOffset) return;
    ++by_offset[d];
    ++total;
  }
  // (offset, how many agree): the most common, ties to the smaller |offset|, then smaller.
  std::pair<int64_t, uint32_t> best() const {
    std::pair<int64_t, uint32_t> b{0, 0};
    for (const auto& [d, n] : by_offset) {
      const uint64_t ad = d < 0 ? -d : d, ab = b.first < 0 ? -b.first : b.first;
      if (n > b.second || (n == b.second && (ad < ab || (ad == ab && d < b.first)))) b = {d, n};
    }
    return b;
  }
};

bool assembler_unit(Dwarf_Die* cu) {
  uint64_t lang = 0;
  return die_udata(cu, DW_AT_language, &lang) && lang == DW_LANG_Mips_Assembler;
}

std::string one(const char* what, int64_t off, uint32_t agree, uint32_t samples) {
  std::string s = "symbol" + std::string(off < 0 ? "-" : "+") + std::to_string(off < 0 ? -off : off) +
                  " for " + what;
  if (!samples) return s + " (no sampled name: the symbol itself)";
  return s + " (" + std::to_string(agree) + " of " + std::to_string(samples) + " sampled names)";
}

}  // namespace

std::string FuncEntries::describe() const {
  std::string s;
  if (patchable_funcs)
    s = one(("the " + std::to_string(patchable_funcs) + " ftrace-patchable functions").c_str(),
            patchable, patchable_agree, patchable_samples) + ", ";
  s += one(patchable_funcs ? "the others" : "every function", other, other_agree, other_samples);
  s += "; " + std::to_string(sampled_cus) + " CUs sampled; ftrace table: " +
       (table.empty() ? std::string("none") : table);
  return s;
}

void learn_entry_offsets(const DwarfFile& file, const UnitList& units, ElfSymbols& syms) {
  const uint64_t n = units.cus.size();
  const uint64_t take = std::min<uint64_t>(n, kSampleCus);
  Tally tally[2];   // [0] other, [1] patchable
  uint64_t last = UINT64_MAX;
  for (uint64_t k = 0; k < take; ++k) {
    const uint64_t i = k * n / take;
    if (i == last) continue;
    last = i;
    ++syms.entries.sampled_cus;
    Dwarf_Die cu, d;
    if (!dwarf_offdie(file.dwarf(), units.cus[i].die_off, &cu) || assembler_unit(&cu) ||
        dwarf_child(&cu, &d) != 0)
      continue;
    do {
      if (dwarf_tag(&d) != DW_TAG_subprogram || die_flag(&d, DW_AT_declaration)) continue;
      const char* name = dwarf_diename(&d);
      Dwarf_Addr pc = 0;
      if (!name || !die_entry_pc(&d, &pc)) continue;
      const int64_t idx = syms.find_func(name);
      if (idx < 0 || syms.func_addr_count(static_cast<uint32_t>(idx)) != 1) continue;
      const FuncAddr& f = syms.func_addrs[syms.func_addr_first[idx]];
      uint32_t shndx = 0;
      uint64_t at = pc;
      if (file.relocatable() && (!file.section_offset(pc, &shndx, &at) || shndx != f.shndx)) continue;
      tally[f.patchable].add(static_cast<int64_t>(at - f.value));
    } while (dwarf_siblingof(&d, &d) == 0);
  }
  FuncEntries& e = syms.entries;
  std::tie(e.other, e.other_agree) = tally[0].best();
  std::tie(e.patchable, e.patchable_agree) = tally[1].best();
  e.other_samples = tally[0].total;
  e.patchable_samples = tally[1].total;
}

}  // namespace btfcheck::encode
