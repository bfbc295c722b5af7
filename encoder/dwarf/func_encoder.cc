// FUNCs, reproducibly in parallel.
//
// A DWARF subprogram is a FUNC candidate when it is not a declaration, every parameter has
// a name, and its name is exactly the name of an ELF STT_FUNC symbol (pahole's filters).
// Which candidate gives a name its FUNC:
//  - func_by_address (default): the first candidate, in input order, whose code starts at
//    one of the name's symbol addresses -- the prototype of the code a trampoline attaches
//    to (pahole after faaa3f1); assembler units' subprograms, which carry no prototype,
//    do not count as being there. A name none of whose candidates is at its address (gcc's
//    identical-code folding leaves only an address-less definition; a function inlined in
//    the CU that defines it first) takes its first candidate, as pahole 1.24 does.
//  - without it: the first candidate in input order (pahole 1.24: earlier CU, or earlier in
//    the same CU), whatever its address.
// Each batch records its candidates while walking (note_subprogram). When batch k holds
// the Sequencer turn -- all batches < k have claimed theirs -- it claims names in DIE
// order and passes the turn on; only then are the winners' FUNC_PROTO + FUNC added, from
// the same DIEs, so nothing depends on which thread ran which batch. A name first claimed
// without an address and later by the candidate at its address has two FUNCs until the
// final dedup; if their prototypes differ the earlier one is dropped then (FuncDrop,
// func_drop.cc). consistent_func, unambiguous_func and param_regs skip names the way
// later pahole versions do, each with its reason under --explain. true_signature
// (--compat=pahole-master) also writes a clone's FUNC under its ELF name (true_sig.cc),
// with the parameters master_params found passed.
#include <dwarf.h>

#include "encoder/dwarf/batch_encoder.h"
#include "encoder/dwarf/die_util.h"

namespace btfcheck::encode {
namespace {

bool has_code(Dwarf_Die* d) {
  return dwarf_hasattr(d, DW_AT_low_pc) || dwarf_hasattr(d, DW_AT_ranges);
}

}  // namespace

// Why a named definition has no ELF function symbol to be a FUNC of. A renamed clone
// (`foo.isra.0`) or a `.part`/`.cold` piece is named whether or not this DIE has code:
// the other mode (optimized_func, pahole master) decides differently on that name.
void BatchEncoder::explain_no_symbol(Dwarf_Die* die, const char* name) {
  const ElfSymbols& syms = *sh_.syms;
  if (const int64_t clone = syms.find_clone(name); clone >= 0) {
    explain(name, "no ELF function symbol of this exact name, only the renamed clone " +
                      std::string(syms.funcs[clone]) + " (optimized_func matches it; off here)");
  } else if (const std::string_view piece = syms.find_piece(name); !piece.empty()) {
    explain(name, "its only ELF function symbols are pieces such as " + std::string(piece) +
                      ", which pahole master's function table leaves out (--compat=pahole-master)");
  } else if (has_code(die)) {
    explain(name, "has code but no ELF function symbol of this exact name (inlined, or only "
                  "emitted as a renamed clone such as " + std::string(name) +
                  ".isra.0; pahole 1.24 matches exact names)");
  }
}

const FuncAddr* BatchEncoder::symbol_at(Dwarf_Die* die, uint32_t elf_idx) const {
  Dwarf_Addr pc = 0;
  if (!die_entry_pc(die, &pc)) return nullptr;
  uint32_t shndx = 0;
  uint64_t value = pc;
  if (file_.relocatable() && !file_.section_offset(pc, &shndx, &value)) return nullptr;
  return sh_.syms->func_addr_at(elf_idx, shndx, value);
}

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
          explain(name, "a parameter has no name (pahole skips such functions)");
        return;
      }
    } while (dwarf_siblingof(&p, &p) == 0);
  }
  const ElfSymbols& syms = *sh_.syms;
  int64_t idx = syms.find_func(name);
  if (idx < 0 && feat_.optimized_func) idx = syms.find_clone(name);
  if (idx < 0) {
    if (explaining) explain_no_symbol(die, name);
    return;
  }
  FuncCand c{dwarf_dieoffset(die), static_cast<uint32_t>(idx), cu_index_, name, cu_name_,
             false, false, {}, {}, 0, {}, {}, {}, {}, {}, {}};
  const bool master = sh_.opts->compat == Compat::PaholeMaster;
  // pahole master compares DW_AT_low_pc with the symbol values as they are, without the
  // entry offset: where a function's DWARF starts past its symbol (arm64's ftrace-patchable
  // functions start 8 bytes in) it finds no symbol at the address, so its canonical state is
  // the first, its clone symbol goes unnoticed (optimized-parameter rule, true_signature's
  // name), and functions without DW_AT_low_pc (hot/cold split, ranges only) never match.
  // Reproduced; a relocatable object keeps its own rule (master_params, below).
  // An assembler unit's subprogram has no prototype (no parameters, no return type): it
  // never outranks a C definition, even at the symbol's address.
  const FuncAddr* at = nullptr;
  if (!cu_asm_ && (!master || syms.is_rel)) {
    at = symbol_at(die, c.elf_idx);
  } else if (!cu_asm_) {
    Dwarf_Addr low = 0;
    if (dwarf_lowpc(die, &low) == 0 && low) at = syms.func_addr_exact(c.elf_idx, low);
    // --explain only: btfcheck's own rule would have found it at the symbol's entry.
    c.entry_only = !at && explaining && symbol_at(die, c.elf_idx);
  }
  c.at_symbol = at != nullptr;
  // pahole master compares prototypes loosely (const is skipped on either side), and an
  // assembler unit's subprogram (no return type, no parameters) is one more prototype to it:
  // a C function also described by a .S file is "inconsistent" there.
  if (feat_.consistent_func && (!cu_asm_ || master)) c.sig = prototype_text(die, master);
  if (master) {
    c.reordered = reordered_params(die);
    c.uncertain = packed_.uncertain(die);
    Dwarf_Attribute a;
    Dwarf_Die origin;
    if (dwarf_attr(die, DW_AT_abstract_origin, &a) && dwarf_formref_die(&a, &origin))
      c.origin = dwarf_dieoffset(&origin);
  }
  // pahole master analyses every state with code (an abstract one: note_abstract_states).
  if (master && !cu_asm_ && has_code(die)) {
    MasterParams m = master_params(die, at, !c.reordered.empty());
    if (feat_.param_regs) c.bad_param = std::move(m.unexpected);
    if (at) c.optimized = std::move(m.optimized);
    c.fates = std::move(m.fates);
    c.rewritten = std::move(m.rewritten);
    // pahole master compares the symbol values with DW_AT_low_pc as they are: never equal
    // in a relocatable object.
    if (at && feat_.true_signature && !sh_.syms->is_rel) c.clone = at->dotted;
  } else if (feat_.param_regs && c.at_symbol) {
    c.bad_param = check_param_regs(die);
  }
  cands_.push_back(std::move(c));
}

void BatchEncoder::note_abstract_states(size_t first) {
  if (!feat_.param_regs || first == cands_.size()) return;
  // origin DIE -> the concrete subprograms referring to it, in DIE order
  std::vector<std::pair<uint64_t, uint64_t>> refs;
  for (size_t i = first; i < cands_.size(); ++i)
    if (cands_[i].origin) refs.emplace_back(cands_[i].origin, cands_[i].die_off);
  if (refs.empty()) return;
  std::stable_sort(refs.begin(), refs.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<uint64_t> concretes;
  for (size_t i = first; i < cands_.size(); ++i) {
    FuncCand& c = cands_[i];
    auto lo = std::lower_bound(refs.begin(), refs.end(), std::make_pair(c.die_off, uint64_t{0}));
    if (lo == refs.end() || lo->first != c.die_off) continue;
    Dwarf_Die die;
    if (!dwarf_offdie(dbg_, c.die_off, &die) || has_code(&die)) continue;
    concretes.clear();
    for (; lo != refs.end() && lo->first == c.die_off; ++lo) concretes.push_back(lo->second);
    c.bad_param = abstract_unexpected(&die, concretes);
  }
}

// attributes (pahole master's btf__tag_bpf_arena_ptr): a kfunc's arena pointer becomes a
// new PTR to TYPE_TAG "address_space(1)" (kind_flag 1) on the pointee, both added before
// the FUNC_PROTO. `typed` is the return value or parameter DIE; 0 when its type is no
// pointer (pahole fails the whole encoding there; this encoder leaves it untagged and says so).
uint32_t BatchEncoder::arena_ptr(Dwarf_Die* typed, std::string_view fn) {
  Dwarf_Attribute a;
  Dwarf_Die t;
  if (!dwarf_attr_integrate(typed, DW_AT_type, &a) || !dwarf_formref_die(&a, &t) ||
      dwarf_tag(&t) != DW_TAG_pointer_type) {
    if (sh_.opts->explain)
      explain(fn, "without an arena tag: its flagged return value or parameter is no pointer "
                  "(pahole master stops encoding there) (attributes)", "kept");
    return 0;
  }
  const uint32_t tag = w_->add(w_->str("address_space(1)"), BTF_KIND_TYPE_TAG, 0, true,
                               resolve(ref(&t, DW_AT_type)));
  return w_->add(0, BTF_KIND_PTR, 0, false, tag);
}

uint32_t BatchEncoder::add_func(const FuncCand& c, std::string_view as) {
  Dwarf_Die die;
  if (!dwarf_offdie(dbg_, c.die_off, &die)) return 0;
  // A clone's FUNC (true_signature) is pahole master's btf_encoder__add_func: no kfunc tags.
  const Kfunc* kfunc =
      feat_.decl_tag && feat_.decl_tag_kfuncs && as.empty() ? sh_.syms->find_kfunc(c.name) : nullptr;
  const uint32_t arena = feat_.attributes && kfunc ? kfunc->flags & (kKfArenaRet | kKfArenaArg1 | kKfArenaArg2) : 0;
  uint32_t ret = 0, arg[2] = {0, 0};
  Dwarf_Die p;
  if (arena) {
    if (arena & kKfArenaRet) ret = arena_ptr(&die, c.name);
    uint32_t i = 0;
    if (dwarf_haschildren(&die) && dwarf_child(&die, &p) == 0) {
      do {
        if (dwarf_tag(&p) != DW_TAG_formal_parameter || i >= 2) continue;
        if (arena & (i == 0 ? kKfArenaArg1 : kKfArenaArg2)) arg[i] = arena_ptr(&p, c.name);
        ++i;
      } while (dwarf_siblingof(&p, &p) == 0);
    }
  }
  const uint32_t proto =
      w_->add(0, BTF_KIND_FUNC_PROTO, 0, false, ret ? ret : resolve(ref(&die, DW_AT_type, true)));
  bool varargs = false, annotated = false;
  uint32_t index = 0;
  if (dwarf_haschildren(&die) && dwarf_child(&die, &p) == 0) {
    do {
      const int t = dwarf_tag(&p);
      if (t == DW_TAG_unspecified_parameters) varargs = true;
      if (t == kTagLlvmAnnotation) annotated = true;
      if (t != DW_TAG_formal_parameter) continue;
      if (may_have_annotations(&p)) annotated = true;
      const uint32_t tagged = index < 2 ? arg[index] : 0;
      const ParamFate* fate = index < c.fates.size() ? &c.fates[index] : nullptr;
      ++index;
      if (fate && fate->drop) continue;
      uint32_t type = tagged ? tagged : resolve(ref(&p, DW_AT_type, true));
      if (fate && fate->has_member) {   // true_signature: `<param>__<member>`
        Dwarf_Die member = fate->member;
        const std::string renamed = std::string(dwarf_diename(&p)) + "__" + dwarf_diename(&member);
        if (fate->member_type) type = resolve(ref(&member, DW_AT_type));
        w_->add_param(w_->str(renamed.c_str()), type);
        continue;
      }
      w_->add_param(w_->str(dwarf_diename(&p)), type);
    } while (dwarf_siblingof(&p, &p) == 0);
  }
  if (varargs) w_->add_param(0, 0);
  // c.name is the (integrated) DW_AT_name string of libdw: stable, interned by pointer.
  const uint32_t fn = w_->add(w_->str(as.empty() ? c.name.data() : as.data()), BTF_KIND_FUNC,
                              BTF_FUNC_STATIC, false, proto);
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
  // decl_tag_kfuncs: after the DWARF's own tags, as pahole master adds them (an equal
  // source-level btf_decl_tag("bpf_kfunc") folds into this one in dedup).
  if (kfunc) {
    add_decl_tag("bpf_kfunc", fn, -1);
    if (kfunc->flags & kKfFastcall) add_decl_tag("bpf_fastcall", fn, -1);
  }
  return fn;
}

void BatchEncoder::add_funcs() {
  // The ordered step: claim names in batch order (the caller holds the turn).
  const bool explaining = sh_.opts->explain;
  auto cu_text = [](std::string_view cu) { return "CU '" + std::string(cu) + "'"; };
  auto drop_all = [&](const FuncCand& c, std::string why) {
    if (sh_.dropped[c.elf_idx]) return;
    sh_.dropped[c.elf_idx] = 1;
    sh_.drops.push_back({c.name, FuncDrop::kAll, std::move(why)});
  };
  // Candidate index and whether its FUNC is the clone's (true_signature), in claim order.
  std::vector<std::pair<uint32_t, bool>> winners;
  winners.reserve(cands_.size());
  for (uint32_t i = 0; i < cands_.size(); ++i) {
    const FuncCand& c = cands_[i];
    const uint32_t idx = c.elf_idx;
    // true_signature's clone FUNCs come first and skip the checks below (true_sig.cc).
    if (feat_.true_signature && claim_clone(c)) winners.emplace_back(i, true);
    if (feat_.unambiguous_func && sh_.syms->ambiguous(idx)) {
      const std::string why = std::to_string(sh_.syms->func_addr_count(idx)) +
                              " ELF symbols of this name at different addresses: a FUNC cannot "
                              "say which one it describes (unambiguous_func)";
      if (feat_.true_signature) {   // said at the end, unless a clone FUNC took the name
        drop_all(c, why);
        continue;
      }
      if (!sh_.dropped[idx] && explaining) explain(c.name, why);
      sh_.dropped[idx] = 1;
      continue;
    }
    if (!c.reordered.empty() || !c.uncertain.empty()) {   // pahole master: any state of the name
      drop_all(c, (c.uncertain.empty() ? c.reordered : c.uncertain) + " (--compat=pahole-master)");
      continue;
    }
    if (feat_.consistent_func && !c.sig.empty()) {
      auto& [sig, cu] = sh_.first_sig[idx];
      if (sig.empty()) {
        sig = c.sig;
        cu = c.cu_name;
      } else if (sig != c.sig) {
        drop_all(c, "inconsistent prototypes across CUs: '" + sig + "' in " + cu_text(cu) +
                        " vs '" + c.sig + "' in " + cu_text(c.cu_name) + " (consistent_func)");
      }
    }
    if (sh_.dropped[idx]) continue;
    uint8_t& kind = sh_.claim_kind[idx];
    uint32_t& owner = sh_.claimed[idx];
    if (!c.at_symbol && !c.bad_param.empty()) {   // pahole master: any state of the name
      drop_all(c, c.bad_param + " (param_regs)");
      continue;
    }
    if (!feat_.func_by_address || !c.at_symbol) {
      if (kind != kNoClaim) {
        if (explaining)
          explain(c.name, "duplicate: its FUNC comes from " + cu_text(sh_.claim_cu[idx]) +
                              (kind == kClaimAtAddress ? " (the subprogram at the symbol's address)"
                                                       : " (the first CU that defines it)") +
                              (c.entry_only ? "; this subprogram starts at the symbol's entry, but "
                                              "pahole master compares DW_AT_low_pc with the "
                                              "symbol values (symbol_entry)"
                                            : ""));
        continue;
      }
      kind = kClaimNoAddress;
    } else {
      if (kind == kClaimAtAddress) {
        if (explaining)
          explain(c.name, "duplicate: its FUNC comes from " + cu_text(sh_.claim_cu[idx]) +
                              ", the first subprogram at one of the name's symbol addresses");
        continue;
      }
      if (!c.bad_param.empty()) {
        drop_all(c, c.bad_param + " (param_regs)");
        continue;
      }
      if (!c.optimized.empty()) {
        drop_all(c, c.optimized + " (--compat=pahole-master)");
        continue;
      }
      if (kind == kClaimNoAddress)   // the earlier CU's FUNC goes if its prototype differs
        sh_.drops.push_back({c.name, FuncDrop::kSuperseded,
                             cu_text(sh_.claim_cu[idx]) + " (the first CU that defines it, "
                             "pahole 1.24's choice) gave a different prototype; kept the one of " +
                             cu_text(c.cu_name) + ", the subprogram at the symbol's address"});
      kind = kClaimAtAddress;
    }
    owner = c.cu + 1;
    sh_.claim_cu[idx] = c.cu_name;
    winners.emplace_back(i, false);
    // (a clone's rewrite is said with its renaming, true_sig.cc)
    if (explaining && !c.rewritten.empty() && c.clone.empty())
      explain(c.name, c.rewritten + " (true_signature)", "rewritten");
  }
  sh_.seq.done_turn(batch_);
  defer_tags_ = false;
  in_type_unit_ = false;
  in_debug_types_ = false;
  for (const auto& [i, as_clone] : winners)
    add_func(cands_[i], as_clone ? cands_[i].clone : std::string_view{});
}

}  // namespace btfcheck::encode
