// VARs: per-CPU variables by default (pahole 1.24), every global variable with global_var.
//
// A CU-level DW_TAG_variable that is a definition (not DW_AT_declaration) and whose
// location is an address (DW_OP_addr, or DW_OP_addrx for DWARF 5) is looked up in the ELF
// symbol table: with `var`, a symbol of the per-CPU section at that section offset makes a
// VAR named after the symbol, with the DWARF type, linkage global when DW_AT_external,
// and a DATASEC entry (section offset, symbol size). Zero-sized types are skipped, as
// pahole does. The DATASECs are written by pipeline.cc after the final dedup, from the
// VarRec list, entries sorted by offset.
#include <dwarf.h>

#include "encoder/dwarf/batch_encoder.h"
#include "encoder/dwarf/die_util.h"

namespace btfcheck::encode {
namespace {

bool var_address(Dwarf_Die* die, uint64_t* addr) {
  Dwarf_Attribute loc;
  if (!dwarf_attr(die, DW_AT_location, &loc)) return false;
  Dwarf_Op* ops = nullptr;
  size_t n = 0;
  if (dwarf_getlocation(&loc, &ops, &n) != 0 || n == 0) return false;
  if (ops[0].atom == DW_OP_addr) {
    *addr = ops[0].number;
    return true;
  }
  if (ops[0].atom == DW_OP_addrx || ops[0].atom == DW_OP_GNU_addr_index) {
    Dwarf_Attribute a;
    Dwarf_Addr v = 0;
    if (dwarf_getlocation_attr(&loc, &ops[0], &a) == 0 && dwarf_formaddr(&a, &v) == 0) {
      *addr = v;
      return true;
    }
  }
  return false;
}

}  // namespace

void BatchEncoder::note_variable(Dwarf_Die* die) {
  if (!feat_.var && !feat_.global_var) return;
  if (die_flag(die, DW_AT_declaration)) return;
  uint64_t addr = 0;
  if (!var_address(die, &addr)) return;
  // In a linked image (vmlinux) address 0 is where the relocations of discarded
  // definitions point; pahole 1.24 takes no variable at 0 there (fixed_percpu_data, the
  // one real per-CPU variable at offset 0, is left out too). Modules keep offset 0.
  // pahole master (9810758, v1.30) keeps it when an STT_OBJECT of its name is there.
  if (addr == 0 && !sh_.syms->is_rel) {
    const char* n = dwarf_diename(die);
    const bool named_here = n && sh_.syms->find_percpu(0) && sh_.syms->find_percpu(0)->name == n;
    if (!(named_here && sh_.opts->compat == Compat::PaholeMaster)) {
      if (named_here && sh_.opts->explain)
        explain(n, "per-CPU variable at address 0 of vmlinux (pahole 1.24 skips address 0; "
                   "--compat=pahole-master keeps it, as its symbol is there)");
      return;
    }
  }
  const ElfSymbols& syms = *sh_.syms;
  const DataSym* sym = nullptr;
  uint64_t offset = 0;
  uint32_t shndx = 0;
  // Section of the address: ET_REL through libdwfl's layout, else from the ELF.
  uint32_t rel_shndx = 0;
  uint64_t rel_off = 0;
  const bool rel_ok = syms.is_rel && file_.section_offset(addr, &rel_shndx, &rel_off);
  if (feat_.var && syms.percpu_shndx) {
    const bool in_percpu = syms.is_rel ? rel_ok && rel_shndx == syms.percpu_shndx : true;
    const uint64_t off = syms.is_rel ? rel_off : addr - syms.percpu_addr;
    sym = in_percpu ? syms.find_percpu(off) : nullptr;
    if (sym) {
      offset = off;
      shndx = syms.percpu_shndx;
    }
  }
  const char* dwarf_name = dwarf_diename(die);
  if (!sym && feat_.global_var) {
    if (syms.is_rel) {
      sym = rel_ok ? syms.find_object_in(rel_shndx, rel_off, dwarf_name ? dwarf_name : "") : nullptr;
      if (sym) {
        shndx = rel_shndx;
        offset = rel_off;
      }
    } else {
      sym = syms.find_object(addr, dwarf_name ? dwarf_name : "");
      if (sym && sym->shndx < syms.sections.size()) {
        shndx = sym->shndx;
        offset = addr - syms.sections[shndx].addr;
      } else {
        sym = nullptr;
      }
    }
  }
  if (!sym) return;
  const std::string_view name = sym->name;
  // Many DIEs of discarded variables sit at address 0 (their relocation resolved to 0):
  // pahole keeps a per-CPU match only when the DWARF name is the symbol's name.
  if (dwarf_name && name != dwarf_name) {
    if (sh_.opts->explain)
      explain(dwarf_name, "its address is that of the symbol " + std::string(name) +
                              " (a discarded definition at address 0?)");
    return;
  }

  Dwarf_Attribute ta;
  Dwarf_Die type;
  if (!dwarf_attr_integrate(die, DW_AT_type, &ta) || !dwarf_formref_die(&ta, &type)) {
    if (sh_.opts->explain) explain(name, "variable without a type (void)");
    return;
  }
  Dwarf_Word size = 0;
  if (dwarf_aggregate_size(&type, &size) != 0 || size == 0) {
    if (sh_.opts->explain) explain(name, "zero-sized variable (pahole skips it)");
    return;
  }
  const int linkage =
      die_flag_integrate(die, DW_AT_external) ? BTF_VAR_GLOBAL_ALLOCATED : BTF_VAR_STATIC;
  // sym->name points into the ELF string table (NUL-terminated, stable): interned by pointer.
  const uint32_t id = w_->add(w_->str(name.data()), BTF_KIND_VAR, 0, false, 0);
  patch_later(w_->last_type_word(), ref(die, DW_AT_type, true));
  w_->add_var_tail(static_cast<uint32_t>(linkage));
  if (feat_.decl_tag && may_have_annotations(die)) {
    defer_tags_ = false;
    add_decl_tags(die, id, -1);
    defer_tags_ = true;
  }
  res_.vars.push_back({shndx, offset, sym->size, name});
}

}  // namespace btfcheck::encode
