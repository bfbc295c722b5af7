// pahole master's uncertain_parm_loc (see packed_params.h). The integer types and the order
// of the arithmetic are pahole's (struct class_member, struct class), so that its wrap-arounds
// and truncations happen here too.
#include "encoder/dwarf/packed_params.h"

#include <dwarf.h>
#include <elf.h>

#include <algorithm>

#include "encoder/dwarf/die_util.h"

namespace btfcheck::encode {
namespace {

constexpr int kMaxDepth = 32;

bool type_of(Dwarf_Die* d, Dwarf_Die* out) {
  Dwarf_Attribute a;
  return dwarf_attr(d, DW_AT_type, &a) && dwarf_formref_die(&a, out);
}

bool is_modifier(int tag) {
  return tag == DW_TAG_const_type || tag == DW_TAG_volatile_type || tag == DW_TAG_restrict_type ||
         tag == DW_TAG_atomic_type;
}

bool is_struct(int tag) {
  return tag == DW_TAG_structure_type || tag == DW_TAG_interface_type || tag == DW_TAG_class_type;
}

// tag__strip_typedefs_and_modifiers: d's type through typedefs and modifiers; false for none.
bool strip(Dwarf_Die* d, Dwarf_Die* out) {
  if (!type_of(d, out)) return false;
  for (int i = 0; i < kMaxDepth; ++i) {
    const int t = dwarf_tag(out);
    if (t != DW_TAG_typedef && !is_modifier(t)) return true;
    Dwarf_Die next;
    if (!type_of(out, &next)) return false;
    *out = next;
  }
  return false;
}

uint64_t udata(Dwarf_Die* d, unsigned at) {
  uint64_t v = 0;
  return die_udata(d, at, &v) ? v : 0;
}

// __attr_offset: a constant, or a DW_OP_plus_uconst expression.
uint64_t attr_offset(Dwarf_Attribute* a) {
  Dwarf_Word v = 0;
  if (dwarf_formudata(a, &v) == 0) return v;
  Dwarf_Op* ops = nullptr;
  size_t n = 0;
  return dwarf_getlocation(a, &ops, &n) == 0 && n == 1 && ops[0].atom == DW_OP_plus_uconst
             ? ops[0].number
             : 0;
}

// array_type__nr_entries: the product of the dimensions (0 for a flexible one).
uint64_t nr_entries(Dwarf_Die* array) {
  uint64_t n = 1;
  Dwarf_Die s;
  if (!dwarf_haschildren(array) || dwarf_child(array, &s) != 0) return 0;
  do {
    if (dwarf_tag(&s) != DW_TAG_subrange_type) continue;
    uint64_t count = 0, ub = 0;
    if (die_udata(&s, DW_AT_count, &count))
      n *= count;
    else if (die_udata(&s, DW_AT_upper_bound, &ub))
      n *= ub + 1;
    else
      n = 0;
  } while (dwarf_siblingof(&s, &s) == 0);
  return n;
}

}  // namespace

unsigned pahole_register_params(uint16_t machine) {
  switch (machine) {
    case EM_S390: return 5;
    case EM_SPARC: case EM_SPARCV9: case EM_X86_64: return 6;
    case EM_AARCH64: case EM_ARC: case EM_ARM: case EM_MIPS: case EM_PPC: case EM_PPC64:
    case EM_RISCV: return 8;
    default: return 0;
  }
}

// tag__size of a type DIE.
uint64_t PackedInference::size_of(Dwarf_Die* t, int depth) {
  if (depth > kMaxDepth) return 0;
  const int tag = dwarf_tag(t);
  switch (tag) {
    case DW_TAG_pointer_type: case DW_TAG_reference_type: return addr_size_;
    case DW_TAG_base_type: case DW_TAG_enumeration_type: return udata(t, DW_AT_byte_size);
    case DW_TAG_subroutine_type: {
      const uint64_t s = udata(t, DW_AT_byte_size);
      return s ? s : addr_size_;
    }
    default: break;
  }
  Dwarf_Die next;
  uint64_t size = 0;
  if (!type_of(t, &next)) {   // a struct or union ("empty base optimization": 1 byte, no members)
    size = udata(t, DW_AT_byte_size);
    Dwarf_Die c;
    if (size == 1 && !(dwarf_haschildren(t) && dwarf_child(t, &c) == 0)) size = 0;
  } else {
    size = size_of(&next, depth + 1);
  }
  return tag == DW_TAG_array_type ? size * nr_entries(t) : size;
}

// tag__natural_alignment of a stripped type (nullptr: none).
size_t PackedInference::natural_alignment(Dwarf_Die* t, int depth) {
  if (!t || depth > kMaxDepth) return 1;
  size_t a = 1;
  const int tag = dwarf_tag(t);
  if (tag == DW_TAG_pointer_type) {
    a = addr_size_;
  } else if (tag == DW_TAG_base_type || tag == DW_TAG_enumeration_type) {
    a = udata(t, DW_AT_byte_size);
  } else if (is_struct(tag) || tag == DW_TAG_union_type) {
    uint16_t& cached = natural_[dwarf_dieoffset(t)];
    if (cached == 0) {
      // 1 before the members are looked at: the same maximum (pahole's 0 becomes 1 at the
      // end), and a struct that holds itself (malformed DWARF) ends the recursion.
      cached = 1;
      for (Member& m : members(t)) {
        if (m.is_static || !m.has_type) continue;
        const size_t na = natural_alignment(&m.type, depth + 1);
        if (cached < na) cached = static_cast<uint16_t>(na);
      }
    }
    a = cached;
  } else if (tag == DW_TAG_array_type) {
    Dwarf_Die elem;
    if (strip(t, &elem)) a = natural_alignment(&elem, depth + 1);
  }
  return a ? a : 1;
}

// The members as pahole's loader sees them (class_member__new, class_member__cache_byte_size).
std::vector<PackedInference::Member> PackedInference::members(Dwarf_Die* cls) {
  std::vector<Member> out;
  Dwarf_Die d;
  if (!dwarf_haschildren(cls) || dwarf_child(cls, &d) != 0) return out;
  const bool in_union = dwarf_tag(cls) == DW_TAG_union_type;
  do {
    if (dwarf_tag(&d) != DW_TAG_member) continue;
    Member& m = out.emplace_back();
    Dwarf_Attribute a;
    const bool has_bit_offset = dwarf_attr(&d, DW_AT_data_bit_offset, &a) != nullptr;
    if (has_bit_offset) {
      m.bit_offset = static_cast<uint32_t>(attr_offset(&a));
    } else {
      if (dwarf_attr(&d, DW_AT_data_member_location, &a))
        m.byte_offset = static_cast<uint32_t>(attr_offset(&a));
      else
        m.is_static = !in_union;
      m.bit_offset = m.byte_offset * 8;
      m.bitfield_offset = static_cast<int8_t>(udata(&d, DW_AT_bit_offset));
    }
    m.byte_size = udata(&d, DW_AT_byte_size);
    m.bitfield_size = static_cast<uint8_t>(udata(&d, DW_AT_bit_size));
    m.has_type = strip(&d, &m.type);
    if (m.is_static) continue;
    if (m.bitfield_size == 0) {
      Dwarf_Die t;
      if (m.byte_size == 0 && type_of(&d, &t)) m.byte_size = size_of(&t, 0);
      m.bit_size = static_cast<uint32_t>(m.byte_size * 8);
      continue;
    }
    if (m.byte_size == 0 && m.has_type) m.byte_size = size_of(&m.type, 0);
    m.bit_size = static_cast<uint32_t>(m.byte_size * 8);
    if (m.byte_size == 0) {
      m.bitfield_offset = 0;
      continue;
    }
    if (!has_bit_offset) {
      if (little_endian_) m.bitfield_offset = m.bit_size - m.bitfield_offset - m.bitfield_size;
      m.bit_offset = m.byte_offset * 8 + m.bitfield_offset;
    } else {
      m.byte_offset = m.bit_offset / 8;
      m.bitfield_offset = m.bit_offset - m.byte_offset * 8;
    }
    if (m.bitfield_offset < 0) {
      m.bitfield_offset += m.bit_size;
      m.byte_offset -= m.byte_size;
      m.bit_offset = m.byte_offset * 8 + m.bitfield_offset;
    }
    m.bitfield_offset += (m.byte_offset % m.byte_size) * 8;
    m.byte_offset = m.bit_offset / m.bit_size * m.bit_size / 8;
    if (static_cast<uint32_t>(m.bitfield_offset) >= m.bit_size) {   // C: a negative one is huge
      m.bitfield_offset -= m.bit_size;
      m.byte_offset += m.byte_size;
    }
  } while (dwarf_siblingof(&d, &d) == 0);
  return out;
}

// type__check_structs_at_unnatural_alignments: member structs at offsets their natural
// alignment does not divide are packed (and settled) from now on.
void PackedInference::mark_unnatural_members(std::vector<Member>& ms) {
  for (Member& m : ms) {
    if (!m.has_type || !is_struct(dwarf_tag(&m.type))) continue;
    if (m.byte_offset % natural_alignment(&m.type, 0) != 0)
      classes_[dwarf_dieoffset(&m.type)] = {true, true};
  }
}

// class__infer_packed_attributes, with class__find_holes' hole and padding count.
bool PackedInference::infer(Dwarf_Die* cls) {
  const uint64_t key = dwarf_dieoffset(cls);
  if (const auto it = classes_.find(key); it != classes_.end() && it->second.inferred)
    return it->second.packed;
  std::vector<Member> ms = members(cls);
  const uint32_t size = static_cast<uint32_t>(udata(cls, DW_AT_byte_size));
  uint32_t cur_bitfield_end = size * 8, cur_bitfield_size = 0, last_seen_bit = 0;
  bool in_bitfield = false;
  uint8_t nr_holes = 0;
  for (const Member& pos : ms) {
    if (pos.is_static) continue;
    const uint32_t bit_start = pos.bit_offset;
    const uint32_t bit_end = pos.bitfield_size ? bit_start + pos.bitfield_size
                                               : bit_start + static_cast<uint32_t>(pos.byte_size * 8);
    int byte_holes = 0;
    if (in_bitfield) last_seen_bit = std::min(bit_start, cur_bitfield_end);
    if (pos.bitfield_size) {
      const uint32_t aligned_start = pos.byte_offset * 8;
      if (last_seen_bit < aligned_start && aligned_start <= bit_start) {
        byte_holes = static_cast<int>(pos.byte_offset - last_seen_bit / 8);
        last_seen_bit = aligned_start;
      }
    } else {
      byte_holes = static_cast<int>(bit_start / 8 - last_seen_bit / 8);
    }
    last_seen_bit = bit_end;
    if (pos.bitfield_size) {
      in_bitfield = true;
      if (bit_end > cur_bitfield_end || pos.bit_size > cur_bitfield_size) {
        cur_bitfield_size = pos.bit_size;
        cur_bitfield_end = pos.byte_offset * 8 + cur_bitfield_size;
        if (bit_end > cur_bitfield_end) cur_bitfield_end += cur_bitfield_size;
      }
    } else {
      in_bitfield = false;
      cur_bitfield_size = 0;
      cur_bitfield_end = bit_end;
    }
    if (byte_holes > 0) ++nr_holes;
  }
  if (in_bitfield) last_seen_bit = std::min(size * 8, cur_bitfield_end);
  const uint16_t padding = static_cast<uint16_t>(size - last_seen_bit / 8);
  bool packed = false;
  if (padding != 0 || nr_holes != 0) {
    mark_unnatural_members(ms);
  } else {
    size_t max_natural = 1;
    for (Member& pos : ms) {
      if (pos.is_static) continue;
      const size_t na = natural_alignment(pos.has_type ? &pos.type : nullptr, 0);
      if (na == 1) continue;
      max_natural = std::max(max_natural, na);
      if (pos.byte_offset % na != 0) {
        packed = true;
        break;
      }
    }
    if (!packed)
      packed = (max_natural != 1 && udata(cls, DW_AT_alignment) == 1) || size % max_natural != 0;
  }
  classes_[key] = {true, packed};
  return packed;
}

std::string PackedInference::uncertain(Dwarf_Die* fn) {
  // ftype->nr_parms first: most functions have fewer parameters than registers.
  size_t n = 0;
  Dwarf_Die p;
  const bool any = dwarf_haschildren(fn) && dwarf_child(fn, &p) == 0;
  if (any) {
    Dwarf_Die q = p;
    do {
      if (dwarf_tag(&q) == DW_TAG_formal_parameter) ++n;
    } while (dwarf_siblingof(&q, &q) == 0);
  }
  if (n < regs_ || !any) return {};
  size_t i = 0;
  do {
    if (dwarf_tag(&p) != DW_TAG_formal_parameter || i++ < regs_) continue;
    Dwarf_Attribute a;
    Dwarf_Die t;
    if (!dwarf_attr_integrate(&p, DW_AT_type, &a) || !dwarf_formref_die(&a, &t)) continue;
    if (!is_struct(dwarf_tag(&t))) continue;
    const char* name = dwarf_diename(&t);
    if (!name || !*name || !infer(&t)) continue;
    const char* pn = dwarf_diename(&p);
    return "uncertain parameter location: parameter " + std::to_string(i) + " ('" +
           (pn ? pn : "") + "') is struct " + name + " by value, which pahole infers packed";
  } while (dwarf_siblingof(&p, &p) == 0);
  return {};
}

}  // namespace btfcheck::encode
