// pahole master's parameter analysis (dwarf_loader.c parameter__decode_location and
// function__analyze_parameter_locations, v1.31-38), for --compat=pahole-master. btfcheck's
// own param_regs check (func_checks.cc) asks where each parameter is at the function's
// entry address; pahole master asks what the location list says, and judges:
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
//    has no location at all (fb8328e). Not with true_signature.
// Registers: the first entry's DW_OP_regN, DW_OP_bregN with DW_OP_stack_value, the first
// register of an aggregate's pieces, or DW_OP_entry_value(DW_OP_regN) in any entry. The
// ABI tables are pahole's: x86-64 rdi rsi rdx rcx r8 r9, arm/arm64 r0-r7, s390 r2-r6
// (s390 passes no aggregate in two registers).
//
// true_signature, for a DW_CC_nocall function (clang's DeadArgumentElimination and
// ArgumentPromotion), the in-order walk follows what was actually passed: a parameter
// whose first entry is a constant takes no register and is dropped; one on the stack
// (DW_OP_fbreg) is fine if passed in memory, else "unexpected"; a location without a
// register is "unexpected"; a parameter without a location is dropped unless the next one
// is in the register after its own. An aggregate split in DW_OP_pieces of which exactly one
// piece's bytes are used (every entry counted) becomes that struct member, one register,
// named `<param>__<member>` -- unless the next parameter is where the whole aggregate
// would leave it. A gcc clone whose parameters are reordered loses those without a
// location or optimized (pahole does that in every mode; only a true_signature FUNC shows it).
//
// Every state is analysed, not only the one at the symbol's address: a `.part` piece, and
// an abstract instance (DW_AT_inline) with the locations of its concrete subprograms
// copied in (abstract_unexpected); "unexpected" in any state skips the name.
//
// pahole's questionable parts are reproduced, not fixed: a struct parameter exempts every
// other parameter, a parameter passed in memory still moves the register index on, and a
// piece-split parameter keeps its `__member` name where the walk never reached it.
// In a module nothing is at its symbol's address to pahole master, so a clone there is
// never seen (DW_CC_nocall needs no address). reordered_params: a clone whose parameters
// are in another order than the source's is skipped ("reordered parameters"), wherever it
// is. Not modelled: uncertain_parm_loc (packed structs past the argument registers).
#include <dwarf.h>

#include <algorithm>
#include <bit>
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
  bool two_regs = true;   // an aggregate of two words takes two registers
};

Abi abi_of(uint16_t machine) {
  switch (machine) {
    case EM_X86_64: return {6, {5, 4, 1, 2, 8, 9}, 8, true};
    case EM_AARCH64: return {8, {0, 1, 2, 3, 4, 5, 6, 7}, 8, true};
    case EM_ARM: return {8, {0, 1, 2, 3, 4, 5, 6, 7}, 4, true};
    case EM_S390: return {5, {2, 3, 4, 5, 6}, 8, false};
    case EM_386: return {0, {}, 4, true};
    default: return {0, {}, 8, true};
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

// pahole's param__is_struct: the type of `typed` (a parameter or a struct member), through
// typedefs and const, is a struct.
bool is_struct_typed(Dwarf_Die* typed) {
  Dwarf_Attribute a;
  Dwarf_Die t;
  if (!dwarf_attr_integrate(typed, DW_AT_type, &a) || !dwarf_formref_die(&a, &t)) return false;
  for (int guard = 0; guard < 16; ++guard) {
    const int tag = dwarf_tag(&t);
    if (tag == DW_TAG_structure_type) return true;
    if (tag != DW_TAG_typedef && tag != DW_TAG_const_type) return false;
    if (!dwarf_attr(&t, DW_AT_type, &a) || !dwarf_formref_die(&a, &t)) return false;
  }
  return false;
}

bool is_reg_op(uint8_t atom) { return atom >= DW_OP_reg0 && atom <= DW_OP_reg31; }
bool is_const_op(uint8_t atom) {
  return (atom >= DW_OP_lit0 && atom <= DW_OP_lit31) || atom == DW_OP_constu || atom == DW_OP_consts;
}

// Why a parameter is optimized or unexpected (for the skip reasons and --explain).
enum class Why : uint8_t {
  kNone, kNoRegister, kConstValue, kConstLocation, kNoLocation, kStack, kWrongReg, kOutsideWindow
};

// One formal parameter as pahole master's dwarf_loader sees it, and what the walk made of it.
struct Param {
  Dwarf_Die die;
  uint64_t size = 0;
  int slots = 1;
  bool in_memory = false, has_loc = false, has_const_value = false;
  bool loc_stack = false, loc_const = false;
  int reg = kUnknownReg, expected = kUnknownReg;
  uint64_t first_fields = 0, second_fields = 0;   // piece byte offsets, per register
  bool has_member = false;                        // the one member used:
  Dwarf_Die member{};
  bool optimized = false, unexpected = false, member_typed = false;
  Why why = Why::kNone;
};

void set_field(uint64_t& fields, uint64_t byte_offset) {
  if (byte_offset < 64) fields |= uint64_t{1} << byte_offset;
}

// A struct member's offset in bytes*8 as pahole's __attr_offset reads it.
bool member_bit_offset(Dwarf_Die* m, uint64_t* bits) {
  Dwarf_Attribute a;
  Dwarf_Word v = 0;
  const bool dbo = dwarf_attr(m, DW_AT_data_bit_offset, &a) != nullptr;
  if (!dbo && !dwarf_attr(m, DW_AT_data_member_location, &a)) return false;
  if (dwarf_formudata(&a, &v) != 0) {
    Dwarf_Op* ops = nullptr;
    size_t n = 0;
    v = dwarf_getlocation(&a, &ops, &n) == 0 && n == 1 && ops[0].atom == DW_OP_plus_uconst ? ops[0].number : 0;
  }
  *bits = dbo ? v : v * 8;
  return true;
}

// pahole's get_member_with_offset: along the parameter's own DW_AT_type to the first type
// with a byte size, which must be a struct; its member at `offset` bytes.
bool member_at(Dwarf_Die* param, uint64_t offset, Dwarf_Die* member) {
  Dwarf_Die cur = *param;
  for (int guard = 0; guard < 16; ++guard) {
    Dwarf_Attribute a;
    Dwarf_Die t;
    if (!dwarf_attr(&cur, DW_AT_type, &a) || !dwarf_formref_die(&a, &t)) return false;
    Dwarf_Word size = 0;
    if (!die_udata(&t, DW_AT_byte_size, &size) || size == 0) {
      cur = t;
      continue;
    }
    if (dwarf_tag(&t) != DW_TAG_structure_type || !dwarf_haschildren(&t) || dwarf_child(&t, member) != 0)
      return false;
    do {
      uint64_t bits = 0;
      if (dwarf_tag(member) == DW_TAG_member && member_bit_offset(member, &bits) && bits == offset * 8)
        return true;
    } while (dwarf_siblingof(member, member) == 0);
    return false;
  }
  return false;
}

// pahole's parameter__decode_location (and __finish_piece_decode).
void decode_location(Dwarf_Attribute* loc, const Abi& abi, Param& p) {
  Dwarf_Addr base, start, end;
  Dwarf_Op* expr = nullptr;
  size_t len = 0;
  auto set = [&](int r) {
    if (p.reg == kUnknownReg) p.reg = r;
  };
  const bool pieces = p.size > abi.addr_size && abi.two_regs;
  int entry = -1;
  for (ptrdiff_t off = 0; (off = dwarf_getlocations(loc, off, &base, &start, &end, &expr, &len)) > 0;) {
    ++entry;
    if (len == 0) continue;
    const bool last_stack_value = expr[len - 1].atom == DW_OP_stack_value;
    if (len == 2 && last_stack_value) len = 1;
    const uint8_t op = expr[0].atom;
    if (len != 1 && is_const_op(op)) {
      p.loc_const |= entry == 0;
    } else if (len != 1 && pieces) {   // an aggregate's pieces, any entry
      uint64_t piece_off = 0;
      for (size_t i = 0; i < len; ++i) {
        if (expr[i].atom == DW_OP_piece) {
          if (i == 0) {
            piece_off = expr[i].number;
            continue;
          }
          if (piece_off < abi.addr_size) set_field(p.first_fields, piece_off);
          else set_field(p.second_fields, piece_off - abi.addr_size);
          piece_off += expr[i].number;
        } else if (is_reg_op(expr[i].atom) && (piece_off < abi.addr_size || p.reg == kUnknownReg)) {
          set(expr[i].atom - DW_OP_reg0);
        }
      }
    } else if (len != 1) {
      const bool stack_value = std::any_of(expr + 1, expr + len, [](const Dwarf_Op& o) {
        return o.atom == DW_OP_stack_value;
      });
      if (entry == 0 && is_reg_op(op)) set(op - DW_OP_reg0);
      if (entry == 0 && op >= DW_OP_breg0 && op <= DW_OP_breg31 && stack_value) set(op - DW_OP_breg0);
    } else if (is_reg_op(op)) {
      if (entry == 0) set(op - DW_OP_reg0);
    } else if (op >= DW_OP_breg0 && op <= DW_OP_breg31) {
      if (entry == 0 && last_stack_value) set(op - DW_OP_breg0);
    } else if (op == DW_OP_fbreg) {
      p.loc_stack |= entry == 0;
    } else if (is_const_op(op)) {
      p.loc_const |= entry == 0;
    } else if (op == DW_OP_entry_value || op == DW_OP_GNU_entry_value) {
      Dwarf_Attribute inner;
      Dwarf_Op* ops = nullptr;
      size_t n = 0;
      if (dwarf_getlocation_attr(loc, expr, &inner) == 0 && dwarf_getlocation(&inner, &ops, &n) == 0 &&
          n == 1 && is_reg_op(ops[0].atom))
        set(ops[0].atom - DW_OP_reg0);
    }
  }
  // One used piece: remember its member (the parameter's own name and type only).
  const uint64_t first = p.first_fields, second = p.second_fields;
  if ((first != 0) == (second != 0) || std::popcount(first) > 1 || std::popcount(second) > 1) return;
  const uint64_t offset = first ? std::countr_zero(first) : abi.addr_size + std::countr_zero(second);
  Dwarf_Die m;
  if (dwarf_hasattr(&p.die, DW_AT_name) && member_at(&p.die, offset, &m) && dwarf_hasattr(&m, DW_AT_name) &&
      dwarf_hasattr(&m, DW_AT_type)) {
    p.has_member = true;
    p.member = m;
  }
}

// pahole's in-order walk (gcc, or clang DW_CC_nocall); `ts`: true_signature's rules.
void walk_in_order(std::vector<Param>& ps, const Abi& abi, bool ts, bool clang) {
  int reg_idx = 0;
  auto next_at = [&](size_t i, int idx) {   // the next parameter is in argument register idx
    return i + 1 < ps.size() && ps[i + 1].reg != kUnknownReg && idx < abi.nregs &&
           ps[i + 1].reg == abi.regs[idx];
  };
  for (size_t i = 0; i < ps.size(); ++i) {
    Param& p = ps[i];
    const bool regs_available = reg_idx < abi.nregs;
    const int expected = regs_available ? abi.regs[reg_idx] : kUnknownReg;
    auto mark = [&](bool unexpected, Why why) {
      (unexpected ? p.unexpected : p.optimized) = true;
      p.why = why;
    };
    bool consumes = true;
    if (p.has_loc) {
      if (ts && p.loc_const) {
        mark(false, Why::kConstLocation);
        consumes = false;
      } else if (!regs_available) {
        consumes = false;
      } else if (ts && p.loc_stack) {
        if (p.in_memory) consumes = false;
        else mark(true, Why::kStack);
      } else if (p.reg == kUnknownReg) {
        mark(ts, Why::kNoRegister);
      } else if (p.reg != expected) {
        mark(true, Why::kWrongReg);
        p.expected = expected;
      } else if (ts && (p.first_fields || p.second_fields)) {
        if ((p.first_fields && p.second_fields) || next_at(i, reg_idx + p.slots)) {
          p.has_member = false;   // the whole aggregate was passed
          reg_idx += p.slots;
          continue;
        }
        if (p.has_member) {
          p.member_typed = true;
          ++reg_idx;
          continue;
        }
      }
    } else if (p.has_const_value && !clang) {
      mark(false, Why::kConstValue);
    } else if (ts) {
      if (regs_available && next_at(i, reg_idx + p.slots)) {
        reg_idx += p.slots;
        continue;
      }
      mark(false, Why::kNoLocation);
      consumes = false;
    }
    if (consumes) reg_idx += p.in_memory ? 1 : p.slots;
  }
}

// pahole's windowed check (clang without DW_CC_nocall).
void walk_windows(std::vector<Param>& ps, const Abi& abi) {
  int reg_idx = 0;
  for (Param& p : ps) {
    if (p.in_memory) continue;
    if (reg_idx >= abi.nregs) break;
    bool in_window = false;
    for (int i = reg_idx; i < reg_idx + p.slots && i < abi.nregs; ++i) in_window |= abi.regs[i] == p.reg;
    if (p.reg != kUnknownReg && !in_window) {
      p.unexpected = true;
      p.why = Why::kOutsideWindow;
    }
    reg_idx += p.slots;
  }
}

std::string param_name(Dwarf_Die* p) {
  const char* n = dwarf_diename(p);
  return n ? n : "?";
}

// What the walk found about p, after its name.
std::string what(const Param& p) {
  switch (p.why) {
    case Why::kNoRegister: return "is in no register at first";
    case Why::kConstValue: return "is a constant";
    case Why::kConstLocation: return "is a constant at first";
    case Why::kNoLocation: return p.has_const_value ? "is a constant, passed in no register" : "has no location";
    case Why::kStack: return "is on the stack but not passed in memory";
    case Why::kWrongReg:
      return "is in DWARF register " + std::to_string(p.reg) + ", not " + std::to_string(p.expected);
    case Why::kOutsideWindow:
      return "is in DWARF register " + std::to_string(p.reg) + ", outside its argument registers";
    case Why::kNone: break;
  }
  return p.has_loc ? "" : "has no location";
}

// pahole's parameter__new for one formal parameter DIE.
Param decode_param(Dwarf_Die* d, const Abi& abi) {
  Param p;
  p.die = *d;
  p.size = param_byte_size(d, abi.addr_size);
  p.in_memory = p.size > (abi.two_regs ? 2 : 1) * abi.addr_size;
  if (abi.two_regs && p.size > abi.addr_size)
    p.slots = static_cast<int>((p.size + abi.addr_size - 1) / abi.addr_size);
  p.has_const_value = dwarf_hasattr(d, DW_AT_const_value);
  Dwarf_Attribute loc;
  p.has_loc = dwarf_attr(d, DW_AT_location, &loc) != nullptr;
  if (p.has_loc) decode_location(&loc, abi, p);
  return p;
}

std::vector<Param> decode_params(Dwarf_Die* fn, const Abi& abi) {
  std::vector<Param> ps;
  Dwarf_Die d;
  if (dwarf_haschildren(fn) && dwarf_child(fn, &d) == 0) {
    do {
      if (dwarf_tag(&d) == DW_TAG_formal_parameter) ps.push_back(decode_param(&d, abi));
    } while (dwarf_siblingof(&d, &d) == 0);
  }
  return ps;
}

// pahole's function-level flag: a parameter is unexpected and none is a struct.
std::string unexpected_text(std::vector<Param>& ps) {
  const Param* unexpected = nullptr;
  for (Param& p : ps) {
    if (is_struct_typed(p.member_typed ? &p.member : &p.die)) return {};
    if (p.unexpected && !unexpected) unexpected = &p;
  }
  if (!unexpected) return {};
  Dwarf_Die d = unexpected->die;
  return "unexpected register usage: parameter '" + param_name(&d) + "' " + what(*unexpected);
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

BatchEncoder::MasterParams BatchEncoder::master_params(Dwarf_Die* fn, const FuncAddr* at,
                                                       bool reordered) const {
  MasterParams out;
  const Abi abi = abi_of(sh_.syms->machine);
  Dwarf_Attribute cc_attr;
  Dwarf_Word cc = 0;
  const bool nocall = cu_clang_ && dwarf_attr_integrate(fn, DW_AT_calling_convention, &cc_attr) &&
                      dwarf_formudata(&cc_attr, &cc) == 0 && cc == DW_CC_nocall;
  const bool ts = feat_.true_signature && nocall;
  std::vector<Param> ps = decode_params(fn, abi);
  if (!cu_clang_ || nocall) walk_in_order(ps, abi, ts, cu_clang_);
  else walk_windows(ps, abi);
  out.unexpected = unexpected_text(ps);
  Param* optimized = nullptr;
  for (Param& p : ps)
    if ((p.optimized || !p.has_loc) && !optimized) optimized = &p;
  // The optimized-parameter skip looks at the symbol at the subprogram's address. pahole
  // master compares DW_AT_low_pc with the symbol values as they are; in a relocatable object
  // (a module) the two never meet, so only DW_CC_nocall counts there (reproduced).
  const bool clone = at && at->clone && !sh_.syms->is_rel;
  if (optimized && !feat_.true_signature && (clone || nocall))
    out.optimized = "optimized parameters of " +
                    std::string(clone ? "a .isra/.constprop clone" : "a DW_CC_nocall function") +
                    ": parameter '" + param_name(&optimized->die) + "' " +
                    (optimized->has_loc ? what(*optimized) : "has no location");
  if (!feat_.true_signature || !(ts || reordered)) return out;
  // What pahole master's btf_encoder__save_func keeps of each parameter.
  std::string why;
  for (Param& p : ps) {
    ParamFate& f = out.fates.emplace_back();
    const std::string name = "'" + param_name(&p.die) + "'";
    if (reordered && (!p.has_loc || p.optimized)) {
      f.drop = true;
      why += (why.empty() ? "" : ", ") + name + " dropped (it " + what(p) + "; the parameters are reordered)";
    } else if (ts && p.optimized) {
      f.drop = true;
      why += (why.empty() ? "" : ", ") + name + " dropped (it " + what(p) + ")";
    } else if (ts && p.has_member) {
      const std::string member = param_name(&p.member);
      f.has_member = true;
      f.member = p.member;
      f.member_type = p.member_typed;
      why += (why.empty() ? "" : ", ") + name + " is '" + param_name(&p.die) + "__" + member + "'" +
             (p.member_typed ? " (only its member '" + member + "' is passed)"
                             : " (one piece used, but the register walk did not reach it: its type is kept)");
    }
  }
  if (why.empty()) out.fates.clear();
  else out.rewritten = "parameters as passed: " + why;
  return out;
}

// An abstract instance (DW_AT_inline, no code) is a state of its own to pahole master, with
// the location facts of the concrete subprograms of its CU that refer to it copied into its
// parameters (ftype__recode_dwarf_types: each fact set there is taken, a register
// overwrites). Its parameters in source order meet the registers the concrete ones kept
// in theirs: a clone whose dropped parameter gcc moved to the end is "unexpected" here.
std::string BatchEncoder::abstract_unexpected(Dwarf_Die* origin, std::span<const uint64_t> concretes) const {
  const Abi abi = abi_of(sh_.syms->machine);
  std::vector<Param> ps = decode_params(origin, abi);
  const std::vector<Dwarf_Off> offs = param_offsets(origin);
  for (uint64_t off : concretes) {
    Dwarf_Die fn, d;
    if (!dwarf_offdie(dbg_, off, &fn) || !dwarf_haschildren(&fn) || dwarf_child(&fn, &d) != 0) continue;
    do {
      Dwarf_Attribute a;
      Dwarf_Die o;
      if (dwarf_tag(&d) != DW_TAG_formal_parameter || !dwarf_attr(&d, DW_AT_abstract_origin, &a) ||
          !dwarf_formref_die(&a, &o))
        continue;
      const auto it = std::find(offs.begin(), offs.end(), dwarf_dieoffset(&o));
      if (it == offs.end()) continue;
      const Param q = decode_param(&d, abi);
      Param& p = ps[it - offs.begin()];
      p.has_loc |= q.has_loc;
      p.has_const_value |= q.has_const_value;
      p.loc_const |= q.loc_const;
      p.loc_stack |= q.loc_stack;
      if (q.reg != kUnknownReg) p.reg = q.reg;
      if (q.size) p.size = q.size;
      p.in_memory |= q.in_memory;
      p.first_fields |= q.first_fields;
      p.second_fields |= q.second_fields;
    } while (dwarf_siblingof(&d, &d) == 0);
  }
  if (cu_clang_) walk_windows(ps, abi);   // an inline instance never "changed its signature"
  else walk_in_order(ps, abi, false, false);
  return unexpected_text(ps);
}

}  // namespace btfcheck::encode
