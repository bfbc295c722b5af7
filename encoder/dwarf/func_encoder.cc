// FUNCs, the pahole 1.24 way, reproducibly in parallel.
//
// pahole 1.24 (serial) emits a FUNC for a DWARF subprogram of a CU when it is not a
// declaration, every parameter has a name, its name is exactly the name of an ELF STT_FUNC
// symbol, and no earlier subprogram (earlier CU, or earlier in the same CU) already gave
// that name its FUNC. All FUNCs are static; the prototype comes from the DIE (return type
// and parameters through DW_AT_abstract_origin for out-of-line instances).
//
// Here each batch records its candidates while walking (note_subprogram). When batch k
// holds the Sequencer turn -- all batches < k have claimed theirs -- it claims the names no
// earlier batch took, in DIE order, and passes the turn on. Only then are the winners'
// FUNC_PROTO + FUNC added, from the same DIEs, so no prototype of a losing candidate is
// ever written and the result does not depend on which thread ran which batch.
#include <dwarf.h>

#include <algorithm>

#include "encoder/dwarf/batch_encoder.h"
#include "encoder/dwarf/die_util.h"

namespace btfcheck::encode {
namespace {

bool has_code(Dwarf_Die* d) {
  return dwarf_hasattr(d, DW_AT_low_pc) || dwarf_hasattr(d, DW_AT_ranges);
}

}  // namespace

void BatchEncoder::note_subprogram(Dwarf_Die* die) {
  if (die_flag(die, DW_AT_declaration)) return;
  const char* name = dwarf_diename(die);
  if (!name || !*name) return;
  const bool explaining = sh_.opts->explain;
  Dwarf_Die p;
  if (dwarf_haschildren(die) && dwarf_child(die, &p) == 0) {
    do {
      if (dwarf_tag(&p) != DW_TAG_formal_parameter) continue;
      const char* pn = dwarf_diename(&p);
      if (!pn || !*pn) {
        if (explaining && has_code(die))
          explain(name, "a parameter has no name (pahole 1.24 skips such functions)");
        return;
      }
    } while (dwarf_siblingof(&p, &p) == 0);
  }
  const ElfSymbols& syms = *sh_.syms;
  int64_t idx = syms.find_func(name);
  if (idx < 0 && feat_.optimized_func) {
    auto it = std::lower_bound(
        syms.func_prefixes.begin(), syms.func_prefixes.end(), std::string_view(name),
        [](const std::pair<std::string_view, uint32_t>& e, std::string_view k) {
          return e.first < k;
        });
    if (it != syms.func_prefixes.end() && it->first == name) idx = it->second;
  }
  if (idx < 0) {
    if (explaining && has_code(die))
      explain(name, "has code but no ELF function symbol of this exact name (inlined, or only "
                    "emitted as a renamed clone such as " + std::string(name) +
                    ".isra.0; pahole 1.24 matches exact names)");
    return;
  }
  cands_.push_back({dwarf_dieoffset(die), static_cast<uint32_t>(idx), cu_index_, name});
}

uint32_t BatchEncoder::add_func(const FuncCand& c) {
  Dwarf_Die die;
  if (!dwarf_offdie(dbg_, c.die_off, &die)) return 0;
  const uint32_t proto =
      w_->add(0, BTF_KIND_FUNC_PROTO, 0, false, resolve(ref(&die, DW_AT_type, true)));
  bool varargs = false, annotated = false;
  Dwarf_Die p;
  if (dwarf_haschildren(&die) && dwarf_child(&die, &p) == 0) {
    do {
      const int t = dwarf_tag(&p);
      if (t == DW_TAG_unspecified_parameters) varargs = true;
      if (t == kTagLlvmAnnotation) annotated = true;
      if (t != DW_TAG_formal_parameter) continue;
      if (may_have_annotations(&p)) annotated = true;
      w_->add_param(w_->str(dwarf_diename(&p)), resolve(ref(&p, DW_AT_type, true)));
    } while (dwarf_siblingof(&p, &p) == 0);
  }
  if (varargs) w_->add_param(0, 0);
  // c.name is the (integrated) DW_AT_name string of libdw: stable, interned by pointer.
  const uint32_t fn = w_->add(w_->str(c.name.data()), BTF_KIND_FUNC, BTF_FUNC_STATIC, false, proto);
  if (feat_.decl_tag && (annotated || dwarf_hasattr(&die, kAtGnuAnnotation))) {
    int idx = 0;
    if (dwarf_child(&die, &p) == 0) {
      do {
        if (dwarf_tag(&p) != DW_TAG_formal_parameter) continue;
        if (may_have_annotations(&p)) add_decl_tags(&p, fn, idx);
        ++idx;
      } while (dwarf_siblingof(&p, &p) == 0);
    }
    add_decl_tags(&die, fn, -1);
  }
  return fn;
}

void BatchEncoder::add_funcs() {
  // The ordered step: claim names in batch order (the caller holds the turn).
  std::vector<uint32_t> winners;
  winners.reserve(cands_.size());
  for (uint32_t i = 0; i < cands_.size(); ++i) {
    const FuncCand& c = cands_[i];
    uint32_t& owner = sh_.claimed[c.elf_idx];
    if (owner) {
      if (sh_.opts->explain)
        explain(c.name, "duplicate: its FUNC already comes from CU #" + std::to_string(owner - 1) +
                            " (pahole 1.24 keeps the first CU's prototype)");
      continue;
    }
    owner = c.cu + 1;
    winners.push_back(i);
  }
  sh_.seq.done_turn(batch_);
  defer_tags_ = false;
  in_type_unit_ = false;
  in_debug_types_ = false;
  for (uint32_t i : winners)
    if (add_func(cands_[i])) ++res_.funcs;
}

}  // namespace btfcheck::encode
