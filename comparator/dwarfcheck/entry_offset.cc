// Function entries per target: which subprogram is "at" a function symbol.
//
// Design. The cross-check pairs a BTF FUNC with the DWARF subprogram whose code starts at
// the FUNC's symbol. That start is not the symbol on every target: a kernel compiled for
// ftrace with `-fpatchable-function-entry=2` (arm64) begins each traced function with two
// NOPs at the symbol, and gcc's DW_AT_low_pc points after them (symbol + 8); functions
// built without the patch area (notrace, files that drop the ftrace flags) start at the
// symbol; clang and gcc on x86-64 put low_pc at the symbol even when a patch area or an
// endbr64 comes first. So one global offset is wrong and a per-machine constant is a guess.
//  1. Exact per function where the ELF tells: the ftrace table (a vmlinux's
//     __start_mcount_loc..__stop_mcount_loc, filled from the file or from its relocations;
//     a module's or a program's __patchable_function_entries / __mcount_loc relocations)
//     lists every patch site. A function symbol with a site in its first bytes (or just
//     before it) has a patch area; every other function symbol has none.
//  2. Per class, the offset is learned: the most common (entry - symbol) among names with
//     one symbol address and one subprogram with code, within a small window. A class
//     without a sample gets 0 (the entry is the symbol), which is also the whole answer for
//     an ELF without an ftrace table.
// Matching is then exact: a subprogram is at symbol S when its entry is S + the offset of
// S's class. Amd64 learns 0 for both classes, so its matching is what it was without
// offsets. The encoder (encoder/dwarf) decides the same question with its own code.
#include "comparator/dwarfcheck/entry_offset.h"

#include <algorithm>
#include <map>

namespace btfcheck::dwarfcheck::detail {

SiteMarks mark_patchable(const std::vector<uint64_t>& symbols, std::vector<uint64_t> sites) {
  SiteMarks out;
  std::sort(sites.begin(), sites.end());
  sites.erase(std::unique(sites.begin(), sites.end()), sites.end());
  for (uint64_t p : sites) {
    auto next = std::upper_bound(symbols.begin(), symbols.end(), p);   // first symbol > p
    if (next != symbols.begin() && p - *(next - 1) < kPatchWindow)
      out.patchable.push_back(*(next - 1));
    else if (next != symbols.end() && *next - p <= kPatchWindow)
      out.patchable.push_back(*next);
    else
      ++out.unattributed;
  }
  std::sort(out.patchable.begin(), out.patchable.end());
  out.patchable.erase(std::unique(out.patchable.begin(), out.patchable.end()), out.patchable.end());
  return out;
}

Learned learn_offset(const std::vector<int64_t>& deltas) {
  std::map<int64_t, uint64_t> count;
  Learned out;
  for (int64_t d : deltas)
    if (d >= -kMaxEntryOffset && d <= kMaxEntryOffset) {
      ++count[d];
      ++out.samples;
    }
  auto better = [](int64_t a, uint64_t na, int64_t b, uint64_t nb) {
    if (na != nb) return na > nb;
    const int64_t aa = a < 0 ? -a : a, ab = b < 0 ? -b : b;
    return aa != ab ? aa < ab : a < b;
  };
  for (const auto& [d, n] : count)
    if (out.agree == 0 || better(d, n, out.offset, out.agree)) {
      out.offset = d;
      out.agree = n;
    }
  return out;
}

}  // namespace btfcheck::dwarfcheck::detail
