// Checks on FUNC candidates that later pahole versions make before emitting a function:
//
// prototype_text (consistent_func): a structural text of a subprogram's prototype for
// comparing same-name functions across CUs -- named types by kind and name, anonymous ones
// by kind and size, pointers, modifiers and arrays by what they wrap (depth-bounded), the
// parameter list with varargs. Two CUs' prototypes are "inconsistent" when the texts
// differ (pahole's funcs__match compares parameter count and types the same way).
// Subprograms of assembler units carry no prototype and are not compared.
//
// check_param_regs (param_regs, x86-64 only): at the function's entry every integer or
// pointer parameter must be in the register the SysV calling convention assigns to it
// (rdi, rsi, rdx, rcx, r8, r9, in order; aggregates of up to 16 bytes take one or two
// registers, larger ones and floating-point ones none). A parameter whose location at the
// entry address is some other register means the compiler changed the function's ABI (it
// is not safe to attach a trampoline with the DWARF prototype): pahole 1.25's
// "unexpected register" skip. Parameters without a location (optimized out), or on the
// stack, or described by DW_OP_entry_value, are accepted, as pahole >= 1.28 does -- unless
// gcc marked the function DW_CC_nocall (it changed the calling convention) and a parameter
// is optimized out: then the prototype is not the ABI either (pahole after fb8328e).

#include <dwarf.h>

#include <cstdio>

#include "encoder/dwarf/batch_encoder.h"
#include "encoder/dwarf/die_util.h"

namespace btfcheck::encode {
namespace {

void describe(Dwarf_Die* die, std::string& out, int depth, bool skip_const) {
  Dwarf_Attribute a;
  Dwarf_Die t;
  if (!dwarf_attr_integrate(die, DW_AT_type, &a) || !dwarf_formref_die(&a, &t)) {
    out += "void";
    return;
  }
  if (depth > 8) {
    out += "...";
    return;
  }
  const int tag = dwarf_tag(&t);
  const char* name = dwarf_diename(&t);
  auto named = [&](const char* kind) {
    out += kind;
    if (name) {
      out += name;
    } else {
      Dwarf_Word size = 0;
      out += "{";
      if (die_udata(&t, DW_AT_byte_size, &size)) out += std::to_string(size);
      out += "}";
    }
  };
  switch (tag) {
    case DW_TAG_base_type: named(""); return;
    case DW_TAG_structure_type: named("struct "); return;
    case DW_TAG_union_type: named("union "); return;
    case DW_TAG_enumeration_type: named("enum "); return;
    case DW_TAG_typedef: named("typedef "); return;
    case DW_TAG_pointer_type: out += "*"; break;
    case DW_TAG_const_type:
      if (!skip_const) out += "const ";
      break;
    case DW_TAG_volatile_type: out += "volatile "; break;
    case DW_TAG_restrict_type: out += "restrict "; break;
    case DW_TAG_array_type: out += "[]"; break;
    case DW_TAG_subroutine_type: out += "fn "; break;
    case DW_TAG_unspecified_type: named("unspecified "); return;
    default: out += "tag" + std::to_string(tag) + " "; break;
  }
  describe(&t, out, depth + 1, skip_const);
}

// SysV x86-64 argument registers, as DWARF register numbers: rdi rsi rdx rcx r8 r9.
constexpr int kArgRegs[] = {5, 4, 1, 2, 8, 9};
constexpr const char* kArgRegNames[] = {"rdi", "rsi", "rdx", "rcx", "r8", "r9"};
constexpr const char* kDwarfRegNames[] = {"rax", "rdx", "rcx", "rbx", "rsi", "rdi", "rbp", "rsp",
                                          "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};

// How many integer registers a parameter of this type takes (0: memory or SSE), and
// whether it is a scalar whose register can be checked.
int int_regs(Dwarf_Die* param, bool* scalar) {
  *scalar = false;
  Dwarf_Attribute a;
  Dwarf_Die t;
  if (!dwarf_attr_integrate(param, DW_AT_type, &a) || !dwarf_formref_die(&a, &t)) return 1;
  for (int guard = 0; guard < 16; ++guard) {
    const int tag = dwarf_tag(&t);
    if (tag != DW_TAG_typedef && tag != DW_TAG_const_type && tag != DW_TAG_volatile_type &&
        tag != DW_TAG_restrict_type)
      break;
    if (!dwarf_attr(&t, DW_AT_type, &a) || !dwarf_formref_die(&a, &t)) return 1;
  }
  Dwarf_Word size = 0;
  const int tag = dwarf_tag(&t);
  const bool sized = die_udata(&t, DW_AT_byte_size, &size);
  if (tag == DW_TAG_base_type) {
    Dwarf_Word enc = 0;
    die_udata(&t, DW_AT_encoding, &enc);
    if (enc == DW_ATE_float || enc == DW_ATE_complex_float || size > 8) return 0;
    *scalar = true;
    return 1;
  }
  if (tag == DW_TAG_pointer_type || tag == DW_TAG_enumeration_type) {
    *scalar = true;
    return 1;
  }
  if (tag == DW_TAG_structure_type || tag == DW_TAG_union_type) {
    if (!sized || size > 16) return 0;   // memory (unless all SSE, not modelled: stop checks)
    return size > 8 ? 2 : 1;
  }
  return 1;
}

}  // namespace

std::string BatchEncoder::prototype_text(Dwarf_Die* fn, bool skip_const) {
  std::string out;
  describe(fn, out, 0, skip_const);
  out += "(";
  bool first = true;
  Dwarf_Die p;
  if (dwarf_haschildren(fn) && dwarf_child(fn, &p) == 0) {
    do {
      const int tag = dwarf_tag(&p);
      if (tag != DW_TAG_formal_parameter && tag != DW_TAG_unspecified_parameters) continue;
      if (!first) out += ", ";
      first = false;
      if (tag == DW_TAG_unspecified_parameters) out += "...";
      else describe(&p, out, 0, skip_const);
    } while (dwarf_siblingof(&p, &p) == 0);
  }
  out += ")";
  return out;
}

std::string BatchEncoder::check_param_regs(Dwarf_Die* fn) const {
  Dwarf_Die p;
  if (!dwarf_haschildren(fn) || dwarf_child(fn, &p) != 0) return {};
  // gcc marks a function whose calling convention it changed (all callers known) with
  // DW_CC_nocall; with a parameter optimized out, the DWARF prototype is not the ABI.
  uint64_t cc = 0;
  if (die_udata(fn, DW_AT_calling_convention, &cc) && cc == DW_CC_nocall) {
    Dwarf_Die q = p;
    do {
      Dwarf_Attribute loc;
      if (dwarf_tag(&q) == DW_TAG_formal_parameter && !dwarf_attr_integrate(&q, DW_AT_location, &loc) &&
          !dwarf_attr_integrate(&q, DW_AT_const_value, &loc)) {
        const char* qn = dwarf_diename(&q);
        return "parameter '" + std::string(qn ? qn : "?") + "' is optimized out of a function "
               "whose calling convention gcc changed (DW_CC_nocall)";
      }
    } while (dwarf_siblingof(&q, &q) == 0);
  }
  if (sh_.syms->machine != EM_X86_64) return {};
  Dwarf_Addr entry = 0;
  if (!die_entry_pc(fn, &entry)) return {};
  int slot = 0, index = 0;
  do {
    if (dwarf_tag(&p) != DW_TAG_formal_parameter) continue;
    ++index;
    bool scalar = false;
    const int regs = int_regs(&p, &scalar);
    if (regs == 0 && !scalar) continue;
    if (slot + regs > 6) break;   // the rest are on the stack
    const int expected = kArgRegs[slot];
    const char* expected_name = kArgRegNames[slot];
    slot += regs;
    if (!scalar) continue;
    Dwarf_Attribute loc;
    if (!dwarf_attr_integrate(&p, DW_AT_location, &loc)) continue;   // optimized out
    Dwarf_Op* expr = nullptr;
    size_t len = 0;
    if (dwarf_getlocation_addr(&loc, entry, &expr, &len, 1) != 1 || len == 0) continue;
    int reg = -1;
    if (expr[0].atom >= DW_OP_reg0 && expr[0].atom <= DW_OP_reg31) reg = expr[0].atom - DW_OP_reg0;
    else if (expr[0].atom == DW_OP_regx) reg = static_cast<int>(expr[0].number);
    if (reg < 0 || reg == expected) continue;
    const char* pn = dwarf_diename(&p);
    const std::string got = reg < 16 ? kDwarfRegNames[reg] : "DWARF register " + std::to_string(reg);
    return "parameter '" + std::string(pn ? pn : "?") + "' (#" + std::to_string(index) +
           ") is in " + got + " at the function's entry, the calling convention puts it in " +
           expected_name;
  } while (dwarf_siblingof(&p, &p) == 0);
  return {};
}

}  // namespace btfcheck::encode
