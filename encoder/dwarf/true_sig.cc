// true_signature (pahole master c4685c3, --compat=pahole-master only): a function whose
// code is at a '.'-named ELF symbol (`foo.isra.0`, `foo.constprop.0`, `foo.llvm.123`) gets
// its FUNC under that name, with the parameters as passed (master_params.cc), instead of
// the FUNC of `foo`.
//
// pahole master sorts its function states by base name and, for each name, emits the
// first state that has such a symbol and no "unexpected register usage" in the states up
// to it -- the first state seeing the whole name's, the later ones only their predecessors'
// (the flags are OR-merged into the first state and the one compared with it). That clone
// FUNC replaces the name's own; none of the other checks (inconsistent prototypes,
// reordered or optimized parameters, several addresses) apply to it.
//
// Here states are claimed in input order under the Sequencer turn (func_encoder.cc), so
// the name's first state is known when it comes but whether the name stays free of
// unexpected registers only at the end: its clone FUNC is written at once, and so is the
// one of the first later state with a clone symbol and a clean prefix. clone_drops, after
// the final dedup, keeps the one pahole master keeps and drops the name's own FUNCs.
#include <unordered_map>

#include "encoder/dwarf/batch_encoder.h"

namespace btfcheck::encode {

bool BatchEncoder::claim_clone(const FuncCand& c) {
  uint8_t& st = sh_.ts[c.elf_idx];
  const bool first = !(st & kTsSeen);
  st |= kTsSeen;
  if (!c.bad_param.empty() || !c.uncertain.empty()) st |= kTsBad;
  if (c.clone.empty()) return false;
  if (!first) {
    if (st & (kTsBad | kTsLater)) return false;
    st |= kTsLater;
  }
  std::string why;
  if (sh_.opts->explain)
    why = "FUNC '" + std::string(c.clone) + "', the ELF symbol at its code's address (CU '" +
          std::string(c.cu_name) + "')" + (c.rewritten.empty() ? "" : "; " + c.rewritten) +
          " (true_signature)";
  sh_.clones.push_back({c.name, c.clone, c.elf_idx, first, std::move(why)});
  return true;
}

std::vector<FuncDrop> clone_drops(const SharedState& sh) {
  // Per name: its first state's clone FUNC and the later one's.
  std::unordered_map<uint32_t, std::pair<const CloneFunc*, const CloneFunc*>> by_name;
  for (const CloneFunc& c : sh.clones) {
    auto& [first, later] = by_name[c.elf_idx];
    (c.first ? first : later) = &c;
  }
  std::vector<FuncDrop> out;
  for (const CloneFunc& c : sh.clones) {   // in turn order: deterministic
    const auto& [first, later] = by_name[c.elf_idx];
    if (&c != (first ? first : later)) continue;   // once per name
    const CloneFunc* kept = first && !(sh.ts[c.elf_idx] & kTsBad) ? first : later;
    const CloneFunc* lost = kept == first ? later : first;
    if (kept) out.push_back({kept->base, FuncDrop::kRenamed, kept->why});
    if (!lost) continue;
    if (kept && kept->clone == lost->clone)   // two FUNCs of one name, unless dedup folded them
      out.push_back({kept->clone, kept == first ? FuncDrop::kKeepFirst : FuncDrop::kKeepLast, {}});
    else
      out.push_back({lost->clone, FuncDrop::kAll, {}});
  }
  return out;
}

}  // namespace btfcheck::encode
