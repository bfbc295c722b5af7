// pahole master's parameter analysis (dwarf_loader.c function__analyze_parameter_locations,
// v1.31-38), for --compat=pahole-master. btfcheck's own param_regs check (func_checks.cc)
// asks where each parameter is at the function's entry address; pahole master asks what
// the first location-list entry says, and judges:
//
//  - gcc, or clang with DW_CC_nocall ("signature changed"), in order: a parameter with a
//    location, while argument registers remain, whose first entry names no register is
//    "optimized"; one in another register than the next argument register is "unexpected";
//    a parameter without a location but with DW_AT_const_value (gcc) is "optimized". Each
//    parameter takes one register if it is passed in memory (more than two words), else
//    one per word.
//  - clang otherwise: a parameter in a register outside its window of argument registers
//    is "unexpected"; parameters passed in memory take none.
//  - "unexpected register usage" skips the function, unless a parameter is a struct
//    (typedefs and const stripped; unions do not count).
//  - "optimized parameters" skips it only when the symbol at its address is a `.isra` or
//    `.constprop` clone, or clang changed its signature, and some parameter is optimized or
//    has no location at all (fb8328e).
// Registers: the first entry's DW_OP_regN, DW_OP_bregN with DW_OP_stack_value, the first
// register of an aggregate's pieces, or DW_OP_entry_value(DW_OP_regN) in any entry. The
// ABI tables are pahole's: x86-64 rdi rsi rdx rcx r8 r9, arm/arm64 r0-r7, s390 r2-r6.
// pahole's questionable parts are reproduced, not fixed: a struct parameter exempts every
// other parameter, and a parameter passed in memory still moves the register index on.
// In a module nothing is at its symbol's address to pahole master (see below).
// reordered_params: a clone whose parameters are in another order than the source's is
// skipped ("reordered parameters"), wherever it is. Not modelled: uncertain_parm_loc
// (packed structs past the argument registers).
#include <dwarf.h>

#include <algorithm>
#include <vector>

#include "encoder/dwarf/batch_encoder.h"
#include "encoder/dwarf/die_util.h"

namespace btfcheck::encode {
namespace {

constexpr int kUnknownReg = -1;

struct Abi {
  int nregs = 0;
  int regs[8] = {};
  uint64_t addr_size = 8;
};

Abi abi_of(uint16_t machine) {
  switch (machine) {
    case EM_X86_64: return {6, {5, 4, 1, 2, 8, 9}, 8};
    case EM_AARCH64: return {8, {0, 1, 2, 3, 4, 5, 6, 7}, 8};
    case EM_ARM: return {8, {0, 1, 2, 3, 4, 5, 6, 7}, 4};
    case EM_S390: return {5, {2, 3, 4, 5, 6}, 8};
    case EM_386: return {0, {}, 4};
    default: return {0, {}, 8};
  }
}

// The byte size of a parameter's type as pahole reads it: a pointer is the address size,
// anything else the first DW_AT_byte_size along DW_AT_type.
uint64_t param_byte_size(Dwarf_Die* param, uint64_t addr_size) {
  Dwarf_Attribute a;
  Dwarf_Die t;
  if (!dwarf_attr_integrate(param, DW_AT_type, &a) || !dwarf_formref_die(&a, &t)) return 0;
  for (int guard = 0; guard < 16; ++guard) {
    if (dwarf_tag(&t) == DW_TAG_pointer_type) return addr_size;
    Dwarf_Word size = 0;
    if (die_udata(&t, DW_AT_byte_size, &size)) return size;
    if (!dwarf_attr(&t, DW_AT_type, &a) || !dwarf_formref_die(&a, &t)) return 0;
  }
  return 0;
}

// pahole's param__is_struct: the type, through typedefs and const, is a struct.
bool is_struct_param(Dwarf_Die* param) {
  Dwarf_Attribute a;
  Dwarf_Die t;
  if (!dwarf_attr_integrate(param, DW_AT_type, &a) || !dwarf_formref_die(&a, &t)) return false;
  for (int guard = 0; guard < 16; ++guard) {
    const int tag = dwarf_tag(&t);
    if (tag == DW_TAG_structure_type) return true;
    if (tag != DW_TAG_typedef && tag != DW_TAG_const_type) return false;
    if (!dwarf_attr(&t, DW_AT_type, &a) || !dwarf_formref_die(&a, &t)) return false;
  }
  return false;
}

bool is_reg_op(uint8_t atom) { return atom >= DW_OP_reg0 && atom <= DW_OP_reg31; }

// pahole's parameter__decode_location, reduced to the register (DWARF number) or kUnknownReg.
int decode_register(Dwarf_Attribute* loc, uint64_t byte_size, uint64_t addr_size) {
  Dwarf_Addr base, start, end;
  Dwarf_Op* expr = nullptr;
  size_t len = 0;
  int reg = kUnknownReg;
  auto set = [&](int r) {
    if (reg == kUnknownReg) reg = r;
  };
  int entry = -1;
  for (ptrdiff_t off = 0; (off = dwarf_getlocations(loc, off, &base, &start, &end, &expr, &len)) > 0;) {
    ++entry;
    if (len == 0) continue;
    const bool last_stack_value = expr[len - 1].atom == DW_OP_stack_value;
    const bool any_stack_value = std::any_of(expr + 1, expr + len, [](const Dwarf_Op& o) {
      return o.atom == DW_OP_stack_value;
    });
    if (len == 2 && last_stack_value) len = 1;
    const uint8_t op = expr[0].atom;
    if (len != 1 && byte_size > addr_size) {   // an aggregate's pieces
      if ((op >= DW_OP_lit0 && op <= DW_OP_lit31) || op == DW_OP_constu || op == DW_OP_consts) continue;
      uint64_t piece_off = 0;
      for (size_t i = 0; i < len; ++i) {
        if (expr[i].atom == DW_OP_piece) {
          piece_off = i == 0 ? expr[i].number : piece_off + expr[i].number;
        } else if (is_reg_op(expr[i].atom) && (piece_off < addr_size || reg == kUnknownReg)) {
          set(expr[i].atom - DW_OP_reg0);
        }
      }
      continue;
    }
    if (is_reg_op(op)) {
      if (entry == 0) set(op - DW_OP_reg0);
    } else if (op >= DW_OP_breg0 && op <= DW_OP_breg31) {
      if (entry == 0 && (len == 1 ? last_stack_value : any_stack_value)) set(op - DW_OP_breg0);
    } else if (len == 1 && (op == DW_OP_entry_value || op == DW_OP_GNU_entry_value)) {
      Dwarf_Attribute inner;
      Dwarf_Op* ops = nullptr;
      size_t n = 0;
      if (dwarf_getlocation_attr(loc, expr, &inner) == 0 && dwarf_getlocation(&inner, &ops, &n) == 0 &&
          n == 1 && is_reg_op(ops[0].atom))
        set(ops[0].atom - DW_OP_reg0);
    }
  }
  return reg;
}

std::string param_name(Dwarf_Die* p) {
  const char* n = dwarf_diename(p);
  return n ? n : "?";
}

// Offsets of a subprogram's formal parameters, in order.
std::vector<Dwarf_Off> param_offsets(Dwarf_Die* fn) {
  std::vector<Dwarf_Off> out;
  Dwarf_Die p;
  if (dwarf_haschildren(fn) && dwarf_child(fn, &p) == 0) {
    do {
      if (dwarf_tag(&p) == DW_TAG_formal_parameter) out.push_back(dwarf_dieoffset(&p));
    } while (dwarf_siblingof(&p, &p) == 0);
  }
  return out;
}

}  // namespace

// pahole master's reordered_parm (109e5e4): a concrete subprogram whose parameter i refers
// (DW_AT_abstract_origin) to a parameter at another position of its abstract origin.
std::string BatchEncoder::reordered_params(Dwarf_Die* fn) const {
  Dwarf_Attribute a;
  Dwarf_Die origin;
  if (!dwarf_attr(fn, DW_AT_abstract_origin, &a) || !dwarf_formref_die(&a, &origin)) return {};
  const std::vector<Dwarf_Off> want = param_offsets(&origin);
  Dwarf_Die p;
  if (!dwarf_haschildren(fn) || dwarf_child(fn, &p) != 0) return {};
  size_t i = 0;
  do {
    if (dwarf_tag(&p) != DW_TAG_formal_parameter) continue;
    Dwarf_Die op;
    if (dwarf_attr(&p, DW_AT_abstract_origin, &a) && dwarf_formref_die(&a, &op)) {
      const auto it = std::find(want.begin(), want.end(), dwarf_dieoffset(&op));
      if (it != want.end() && static_cast<size_t>(it - want.begin()) != i)
        return "reordered parameters: '" + param_name(&p) + "' is parameter " + std::to_string(i + 1) +
               " of the code, " + std::to_string(it - want.begin() + 1) + " of the source";
    }
    ++i;
  } while (dwarf_siblingof(&p, &p) == 0);
  return {};
}

BatchEncoder::MasterParams BatchEncoder::master_params(Dwarf_Die* fn, const FuncAddr& at) const {
  MasterParams out;
  const Abi abi = abi_of(sh_.syms->machine);
  Dwarf_Attribute cc_attr;
  Dwarf_Word cc = 0;
  const bool nocall = cu_clang_ && dwarf_attr_integrate(fn, DW_AT_calling_convention, &cc_attr) &&
                      dwarf_formudata(&cc_attr, &cc) == 0 && cc == DW_CC_nocall;
  const bool in_order = !cu_clang_ || nocall;
  bool has_struct = false;
  std::string unexpected, optimized;
  Dwarf_Die p;
  int reg_idx = 0;
  if (dwarf_haschildren(fn) && dwarf_child(fn, &p) == 0) {
    do {
      if (dwarf_tag(&p) != DW_TAG_formal_parameter) continue;
      has_struct = has_struct || is_struct_param(&p);
      const uint64_t size = param_byte_size(&p, abi.addr_size);
      const bool in_memory = size > 2 * abi.addr_size;
      const int slots = size <= abi.addr_size ? 1 : static_cast<int>((size + abi.addr_size - 1) / abi.addr_size);
      Dwarf_Attribute loc;
      const bool has_loc = dwarf_attr(&p, DW_AT_location, &loc) != nullptr;
      const int reg = has_loc ? decode_register(&loc, size, abi.addr_size) : kUnknownReg;
      if (!has_loc && optimized.empty()) optimized = "parameter '" + param_name(&p) + "' has no location";
      if (in_order) {
        const bool regs_available = reg_idx < abi.nregs;
        const int expected = regs_available ? abi.regs[reg_idx] : kUnknownReg;
        if (has_loc && regs_available) {
          if (reg == kUnknownReg) {
            if (optimized.empty())
              optimized = "parameter '" + param_name(&p) + "' is in no register at first";
          } else if (reg != expected && unexpected.empty()) {
            unexpected = "parameter '" + param_name(&p) + "' is in DWARF register " + std::to_string(reg) +
                         ", not " + std::to_string(expected);
          }
        } else if (!has_loc && dwarf_hasattr(&p, DW_AT_const_value) && !cu_clang_ && optimized.empty()) {
          optimized = "parameter '" + param_name(&p) + "' is a constant";
        }
        reg_idx += in_memory ? 1 : slots;
      } else if (!in_memory && reg_idx < abi.nregs) {
        bool in_window = false;
        for (int i = reg_idx; i < reg_idx + slots && i < abi.nregs; ++i) in_window |= abi.regs[i] == reg;
        if (reg != kUnknownReg && !in_window && unexpected.empty())
          unexpected = "parameter '" + param_name(&p) + "' is in DWARF register " + std::to_string(reg) +
                       ", outside its argument registers";
        reg_idx += slots;
      }
    } while (dwarf_siblingof(&p, &p) == 0);
  }
  if (!has_struct && !unexpected.empty()) out.unexpected = "unexpected register usage: " + unexpected;
  // The optimized-parameter skip looks at the symbol at the subprogram's address. pahole
  // master compares DW_AT_low_pc with the symbol values as they are; in a relocatable object
  // (a module) the two never meet, so the skip never applies there (reproduced).
  if (optimized.empty() || sh_.syms->is_rel) return out;
  if (at.clone || nocall)
    out.optimized = "optimized parameters of " +
                    std::string(at.clone ? "a .isra/.constprop clone" : "a DW_CC_nocall function") +
                    ": " + optimized;
  return out;
}

}  // namespace btfcheck::encode
