// Where a function's DWARF entry is relative to its ELF symbol, per target (see
// entry_offset.cc for the design): which function symbols have an ftrace patch area (the
// ELF's ftrace table says so, per function) and, for those and for the others, the offset
// the symbols and the subprograms agree on.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace btfcheck::dwarfcheck::detail {

// A patch site belongs to a function when it lies in the first kPatchWindow bytes from the
// function's symbol (x86 with IBT: after a 4-byte endbr64; arm64: at the symbol), or in the
// kPatchWindow bytes before it (`-fpatchable-function-entry=N,M` with M > 0 puts M NOPs
// before the symbol).
constexpr uint64_t kPatchWindow = 16;
// Offsets are learned from deltas in [-kMaxEntryOffset, kMaxEntryOffset] only: a patch area
// is a few instructions; a larger delta pairs a symbol with some other code (a folded
// function, a same-named copy).
constexpr int64_t kMaxEntryOffset = 64;

// The ftrace table as read from the ELF: patch-site addresses (in the address space of the
// symbols) and a one-line account of where they came from ("" when the ELF has none).
struct PatchTable {
  std::vector<uint64_t> sites;
  std::string source;
};

struct SiteMarks {
  std::vector<uint64_t> patchable;   // sorted unique symbol addresses with a patch area
  uint64_t unattributed = 0;         // sites no function symbol is near
};

// Marks the function symbols the sites belong to (see kPatchWindow). `symbols`: the
// addresses of every function symbol, sorted unique. A site inside a function's first
// bytes belongs to it even when the next function starts within the window.
SiteMarks mark_patchable(const std::vector<uint64_t>& symbols, std::vector<uint64_t> sites);

struct Learned {
  int64_t offset = 0;     // the most common delta, 0 when there is no sample
  uint64_t agree = 0;     // samples with that delta
  uint64_t samples = 0;   // deltas within the window
};

// The most common delta (DWARF entry - symbol) within the window; ties go to the smaller
// |delta|, then to the smaller delta, so the result is a function of the multiset.
Learned learn_offset(const std::vector<int64_t>& deltas);

}  // namespace btfcheck::dwarfcheck::detail
