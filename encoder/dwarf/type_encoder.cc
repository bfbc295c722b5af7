// Type DIEs -> BTF types, one unit at a time (see batch_encoder.h for the design).
//
// What pahole 1.24 does, and so what this file does:
//  - every type DIE of every CU becomes BTF (also types declared inside functions);
//  - base types: DW_ATE_signed/signed_char -> INT SIGNED, boolean -> BOOL, float -> FLOAT
//    (feature float), sizes that are 0, not a power of two or > 16 bytes become
//    "__SANITIZED_FAKE_INT__" of 4 bytes (pahole >= 1.27);
//  - multi-dimensional arrays are one ARRAY with the product of the dimensions; the index
//    type is the CU's "int" (a synthesized 4-byte signed "int" when the CU has none);
//  - struct/union members keep DW_AT_bit_size as bitfield size (libbpf sets kind_flag);
//    declarations become FWD; enums of more than 4 bytes become ENUM64 (feature enum64);
//  - clang's btf_type_tag annotations on a pointer P (source order t1..tn) give
//    PTR -> tn -> ... -> t1 -> pointee; btf_decl_tag annotations give DECL_TAGs on the
//    struct/union (member index), typedef, function (parameter index) and variable;
//  - _Atomic and other qualifiers BTF lacks are transparent; DW_TAG_unspecified_type and
//    pointer-to-member are void.
#include <dwarf.h>

#include <algorithm>
#include <bit>
#include <cstring>

#include "encoder/dwarf/batch_encoder.h"
#include "encoder/dwarf/die_util.h"

namespace btfcheck::encode {
namespace {

constexpr int kMaxDepth = 512;

uint32_t roundup_bytes(uint64_t bits) { return static_cast<uint32_t>((bits + 7) / 8); }

bool is_type_tag(int tag) {
  switch (tag) {
    case DW_TAG_base_type: case DW_TAG_pointer_type: case DW_TAG_reference_type:
    case DW_TAG_rvalue_reference_type: case DW_TAG_const_type: case DW_TAG_volatile_type:
    case DW_TAG_restrict_type: case DW_TAG_atomic_type: case DW_TAG_immutable_type:
    case DW_TAG_typedef: case DW_TAG_structure_type: case DW_TAG_union_type:
    case DW_TAG_class_type: case DW_TAG_enumeration_type: case DW_TAG_array_type:
    case DW_TAG_subroutine_type: case DW_TAG_unspecified_type: case DW_TAG_ptr_to_member_type:
      return true;
    default:
      return false;
  }
}

}  // namespace

uint64_t BatchEncoder::key_of(Dwarf_Die* die) const {
  return dwarf_dieoffset(die) | (in_debug_types_ ? kTypesBit : 0);
}

void BatchEncoder::record(uint64_t key, uint32_t id) {
  if (key >= unit_lo_ && key < unit_hi_) dense_[key - unit_lo_] = id;
  if (in_type_unit_)
    tu_ids_.emplace(key, id);
  else
    ids_.emplace_back(key, id);
}

void BatchEncoder::alias(uint64_t key, uint64_t target_key) {
  aliases_.push_back(target_key);
  record(key, kAliasBit | static_cast<uint32_t>(aliases_.size() - 1));
}

uint64_t BatchEncoder::ref(Dwarf_Die* die, unsigned at, bool integrate) {
  Dwarf_Attribute a;
  if (!(integrate ? dwarf_attr_integrate(die, at, &a) : dwarf_attr(die, at, &a))) return kVoidKey;
  return ref_attr(&a);
}

uint64_t BatchEncoder::ref_attr(Dwarf_Attribute* attr) {
  Dwarf_Attribute& a = *attr;
  // DW_FORM_ref4 into the unit being walked (nearly every reference): its offset is read
  // here, without the DIE libdw would make of it.
  if (a.form == DW_FORM_ref4 && unit_size_ && a.cu == unit_cu_) {
    uint32_t rel;
    std::memcpy(&rel, a.valp, sizeof rel);
    if (swap_) rel = __builtin_bswap32(rel);
    if (rel < unit_size_) return (unit_start_ + rel) | (in_debug_types_ ? kTypesBit : 0);
  }
  Dwarf_Die t;
  if (!dwarf_formref_die(&a, &t)) return kVoidKey;
  uint64_t off = dwarf_dieoffset(&t);
  bool types = in_debug_types_;
  if (dwarf_whatform(&a) == DW_FORM_ref_sig8 || dwarf_whatform(&a) == DW_FORM_ref_addr) {
    Dwarf_Half version = 0;
    uint8_t unit_type = 0;
    types = dwarf_cu_info(t.cu, &version, &unit_type, nullptr, nullptr, nullptr, nullptr,
                          nullptr) == 0 &&
            unit_type == DW_UT_type && version < 5;
  }
  return off | (types ? kTypesBit : 0);
}

uint32_t BatchEncoder::resolve(uint64_t key) const {
  for (int hop = 0; hop < 32; ++hop) {
    if (key == kVoidKey) return 0;
    uint32_t v = 0;
    if (key >= unit_lo_ && key < unit_hi_ && dense_[key - unit_lo_]) {
      v = dense_[key - unit_lo_];
      if (!(v & kAliasBit)) return v;
      key = aliases_[v & ~kAliasBit];
      continue;
    }
    auto it = std::lower_bound(ids_.begin(), ids_.end(), key,
                               [](const std::pair<uint64_t, uint32_t>& e, uint64_t k) {
                                 return e.first < k;
                               });
    if (it != ids_.end() && it->first == key) {
      v = it->second;
    } else {
      auto t = tu_ids_.find(key);
      if (t == tu_ids_.end()) return 0;  // outside this unit and the type units: void
      v = t->second;
    }
    if (!(v & kAliasBit)) return v;
    key = aliases_[v & ~kAliasBit];
  }
  return 0;
}

bool BatchEncoder::encode_unit(Dwarf_Die* unit, const Unit& u, uint32_t cu_index,
                               bool is_type_unit) {
  in_type_unit_ = is_type_unit;
  in_debug_types_ = u.debug_types;
  // Offsets of this unit's DIEs lie in [die_off, die_off + size) (size counts the header
  // too, so this over-covers a little); keys carry the .debug_types bit.
  unit_lo_ = u.die_off | (u.debug_types ? kTypesBit : 0);
  unit_cu_ = unit->cu;
  unit_start_ = u.die_off - dwarf_cuoffset(unit);
  unit_size_ = dwarf_cuoffset(unit) < u.size ? u.size : 0;
  swap_ = sh_.syms->big_endian != (std::endian::native == std::endian::big);
  uint8_t addr_size = 8;
  Dwarf_Die cu_die;
  if (sh_.opts->compat == Compat::PaholeMaster && dwarf_diecu(unit, &cu_die, &addr_size, nullptr))
    packed_.new_unit(addr_size);
  unit_hi_ = unit_lo_ + u.size;
  dense_.assign(u.size, 0);
  cu_index_ = cu_index;
  const char* cu_name = is_type_unit ? nullptr : dwarf_diename(unit);
  cu_name_ = cu_name ? cu_name : "";
  cu_int_ = 0;
  cu_needs_index_ = false;
  patches_.clear();
  const size_t ids_before = ids_.size();
  walk(unit, 0);
  if (res_.failed) return false;
  if (!std::is_sorted(ids_.begin() + ids_before, ids_.end()))
    std::sort(ids_.begin() + ids_before, ids_.end());
  const bool ok = apply_patches();
  unit_lo_ = unit_hi_ = 0;
  unit_size_ = 0;
  return ok;
}

uint32_t BatchEncoder::index_type_for_unit() {
  // pahole (since 1.19) names the index type it adds "int" too; dedup folds it with the
  // real one.
  if (!cu_int_) cu_int_ = w_->add_int(w_->str_copy("int"), 4, BTF_INT_SIGNED);
  return cu_int_;
}

bool BatchEncoder::apply_patches() {
  const uint32_t index_id = cu_needs_index_ ? index_type_for_unit() : 0;
  for (const PendingTag& t : pending_tags_) add_decl_tag(t.value, t.target, t.component);
  pending_tags_.clear();
  for (const Patch& p : patches_)
    w_->set_word(p.word, p.target == kIndexKey ? index_id : resolve(p.target));
  patches_.clear();
  return true;
}

void BatchEncoder::add_decl_tag(const char* value, uint32_t target, int component) {
  w_->add(name(value), BTF_KIND_DECL_TAG, 0, false, target);
  w_->add_decl_tag_tail(component);
}

void BatchEncoder::walk(Dwarf_Die* parent, int depth) {
  if (depth > kMaxDepth) return;
  Dwarf_Die c;
  if (dwarf_child(parent, &c) != 0) return;
  do {
    const int tag = dwarf_tag(&c);
    switch (tag) {
      case DW_TAG_subprogram:
        if (depth == 0 && !in_type_unit_) note_subprogram(&c);
        if (dwarf_haschildren(&c)) walk(&c, depth + 1);
        break;
      case DW_TAG_lexical_block:
      case DW_TAG_inlined_subroutine:
      case DW_TAG_namespace:
        if (dwarf_haschildren(&c)) walk(&c, depth + 1);
        break;
      case DW_TAG_variable:
        if (depth == 0 && !in_type_unit_) note_variable(&c);
        break;
      default:
        if (is_type_tag(tag)) encode_type(&c, tag);
        break;
    }
    if (res_.failed) return;
  } while (dwarf_siblingof(&c, &c) == 0);
}

void BatchEncoder::encode_type(Dwarf_Die* die, int tag) {
  const uint64_t key = key_of(die);
  int id = 0;
  switch (tag) {
    case DW_TAG_base_type:
      id = static_cast<int>(add_base(die));
      break;
    case DW_TAG_pointer_type:
    case DW_TAG_reference_type:
    case DW_TAG_rvalue_reference_type:
      id = static_cast<int>(add_pointer(die));
      break;
    case DW_TAG_const_type:
    case DW_TAG_volatile_type:
    case DW_TAG_restrict_type: {
      const uint32_t kind = tag == DW_TAG_const_type      ? BTF_KIND_CONST
                            : tag == DW_TAG_volatile_type ? BTF_KIND_VOLATILE
                                                          : BTF_KIND_RESTRICT;
      id = static_cast<int>(w_->add(0, kind, 0, false, 0));
      patch_later(w_->last_type_word(), ref(die, DW_AT_type));
      break;
    }
    case DW_TAG_typedef: {
      bool in_section = false;
      const uint32_t name = this->name(die_name(die, &in_section), in_section);
      if (!name) {   // no name, or ""
        alias(key, ref(die, DW_AT_type));
        return;
      }
      id = static_cast<int>(w_->add(name, BTF_KIND_TYPEDEF, 0, false, 0));
      patch_later(w_->last_type_word(), ref(die, DW_AT_type));
      if (feat_.decl_tag && may_have_annotations(die)) add_decl_tags(die, id, -1);
      break;
    }
    case DW_TAG_structure_type:
    case DW_TAG_union_type:
    case DW_TAG_class_type:
      id = static_cast<int>(add_struct(die, tag));
      break;
    case DW_TAG_enumeration_type:
      id = static_cast<int>(add_enum(die));
      break;
    case DW_TAG_array_type:
      id = static_cast<int>(add_array(die));
      break;
    case DW_TAG_subroutine_type:
      id = static_cast<int>(add_proto(die));
      break;
    case DW_TAG_atomic_type:
    case DW_TAG_immutable_type:
      alias(key, ref(die, DW_AT_type));
      return;
    default:  // unspecified_type, ptr_to_member_type: void
      alias(key, kVoidKey);
      return;
  }
  if (id <= 0) {
    fail("encode.btf", "cannot encode this DIE as BTF", dwarf_dieoffset(die));
    return;
  }
  record(key, static_cast<uint32_t>(id));
}

uint32_t BatchEncoder::add_base(Dwarf_Die* die) {
  const char* name = die_name(die);
  uint64_t enc = 0, bytes = 0, bits = 0;
  die_udata(die, DW_AT_encoding, &enc);
  if (!die_udata(die, DW_AT_byte_size, &bytes) && die_udata(die, DW_AT_bit_size, &bits))
    bytes = roundup_bytes(bits);
  if (!name || !*name) name = "__unnamed_base_type__";  // a static string: interned by pointer
  if (enc == DW_ATE_float && feat_.float_kind &&
      (bytes == 2 || bytes == 4 || bytes == 8 || bytes == 12 || bytes == 16))
    return w_->add(this->name(name), BTF_KIND_FLOAT, 0, false, static_cast<uint32_t>(bytes));
  int encoding = 0;
  if (enc == DW_ATE_signed || enc == DW_ATE_signed_char)
    encoding = BTF_INT_SIGNED;
  else if (enc == DW_ATE_boolean)
    encoding = BTF_INT_BOOL;
  if (bytes == 0 || (bytes & (bytes - 1)) || bytes > 16) {
    name = "__SANITIZED_FAKE_INT__";
    bytes = 4;
  }
  const uint32_t id = w_->add_int(this->name(name), static_cast<uint32_t>(bytes), encoding);
  if (!cu_int_ && bytes == 4 && encoding == BTF_INT_SIGNED && std::strcmp(name, "int") == 0)
    cu_int_ = id;
  return id;
}

uint32_t BatchEncoder::add_pointer(Dwarf_Die* die) {
  uint64_t target = ref(die, DW_AT_type);
  uint32_t last_tag = 0;
  if (feat_.type_tag && may_have_annotations(die)) {
    for_each_annotation(die, [&](std::string_view kind, const char* value) {
      if (kind != "btf_type_tag") return;
      const uint32_t t = w_->add(name(value), BTF_KIND_TYPE_TAG, 0, false, last_tag);
      if (!last_tag) patch_later(w_->last_type_word(), target);
      last_tag = t;
    });
  }
  const uint32_t id = w_->add(0, BTF_KIND_PTR, 0, false, last_tag);
  if (!last_tag) patch_later(w_->last_type_word(), target);
  return id;
}

// A data member's attributes, read in one pass over its abbreviation (members are the
// most numerous DIEs: one scan instead of one per attribute).
struct MemberAttrs {
  const char* name = nullptr;
  bool name_in_section = false;   // in .debug_str (any form but DW_FORM_string)
  Dwarf_Attribute type{}, loc{};
  bool has_type = false, has_loc = false, has_dbo = false, has_bit_offset = false;
  bool has_byte_size = false, skip = false, annotated = false;
  uint64_t bit_size = 0, dbo = 0, bit_offset = 0, byte_size = 0;
};

static int member_attr_cb(Dwarf_Attribute* a, void* arg) {
  auto& m = *static_cast<MemberAttrs*>(arg);
  switch (dwarf_whatattr(a)) {
    case DW_AT_name:
      m.name = dwarf_formstring(a);
      m.name_in_section = dwarf_whatform(a) != DW_FORM_string;
      break;
    case DW_AT_type: m.type = *a; m.has_type = true; break;
    case DW_AT_data_member_location: m.loc = *a; m.has_loc = true; break;
    case DW_AT_data_bit_offset: m.has_dbo = dwarf_formudata(a, &m.dbo) == 0; break;
    case DW_AT_bit_size: dwarf_formudata(a, &m.bit_size); break;
    case DW_AT_bit_offset: m.has_bit_offset = dwarf_formudata(a, &m.bit_offset) == 0; break;
    case DW_AT_byte_size: m.has_byte_size = dwarf_formudata(a, &m.byte_size) == 0; break;
    case DW_AT_external: m.skip = true; break;
    case DW_AT_declaration: {
      bool f = false;
      if (dwarf_formflag(a, &f) == 0 && f) m.skip = true;
      break;
    }
    case kAtGnuAnnotation: m.annotated = true; break;
    default: break;
  }
  return DWARF_CB_OK;
}

// Bit offset of a data member, from DW_AT_data_bit_offset, or DW_AT_data_member_location
// plus the DWARF 2-4 DW_AT_bit_offset (counted from the storage unit's most significant
// bit, so little-endian needs storage_bits - bit_offset - bit_size).
static uint64_t member_bit_offset(MemberAttrs& m, bool big_endian) {
  if (m.has_dbo) return m.dbo;
  uint64_t byte_off = 0;
  if (m.has_loc && dwarf_formudata(&m.loc, &byte_off) != 0) {
    Dwarf_Op* ops = nullptr;
    size_t n = 0;
    byte_off = 0;
    if (dwarf_getlocation(&m.loc, &ops, &n) == 0 && n == 1 && ops[0].atom == DW_OP_plus_uconst)
      byte_off = ops[0].number;
  }
  if (!m.has_bit_offset) return byte_off * 8;
  uint64_t storage = m.byte_size;
  if (!m.has_byte_size && m.has_type) {
    Dwarf_Die type;
    Dwarf_Word sz = 0;
    if (dwarf_formref_die(&m.type, &type) && dwarf_aggregate_size(&type, &sz) == 0) storage = sz;
  }
  if (big_endian) return byte_off * 8 + m.bit_offset;
  const uint64_t storage_bits = storage * 8;
  if (storage_bits < m.bit_offset + m.bit_size) return byte_off * 8;
  return byte_off * 8 + storage_bits - m.bit_offset - m.bit_size;
}

uint32_t BatchEncoder::add_struct(Dwarf_Die* die, int tag) {
  bool in_section = false;
  const char* name = die_name(die, &in_section);
  const bool is_union = tag == DW_TAG_union_type;
  if (die_flag(die, DW_AT_declaration)) {
    const uint32_t off = this->name(name, in_section);
    return w_->add(off ? off : this->name("__anon_fwd__"), BTF_KIND_FWD, 0, is_union, 0);
  }
  uint64_t size = 0;
  die_udata(die, DW_AT_byte_size, &size);
  const uint32_t id = w_->add(this->name(name, in_section), is_union ? BTF_KIND_UNION : BTF_KIND_STRUCT,
                              0, false, static_cast<uint32_t>(size));
  const size_t nested_mark = nested_.size();
  bool annotated = false;
  uint32_t slot = 0;
  Dwarf_Die m;
  if (dwarf_haschildren(die) && dwarf_child(die, &m) == 0) {
    do {
      const int mt = dwarf_tag(&m);
      if (mt != DW_TAG_member) {
        if (is_type_tag(mt)) nested_.push_back(dwarf_dieoffset(&m));
        if (mt == kTagLlvmAnnotation) annotated = true;
        continue;
      }
      MemberAttrs ma;
      dwarf_getattrs(&m, member_attr_cb, &ma, 0);
      if (ma.skip) continue;
      const uint64_t bit_size = ma.bit_size;
      const uint64_t off = is_union ? 0 : member_bit_offset(ma, sh_.syms->big_endian);
      if (ma.annotated || dwarf_haschildren(&m)) annotated = true;
      if (bit_size > 255 || (bit_size && off > 0xffffff) || off > 0xffffffffu)
        continue;  // not representable in BTF (libbpf refuses it too): left out
      const uint32_t name_off = this->name(ma.name, ma.name_in_section);
      const size_t at = w_->add_member(name_off, 0, static_cast<uint32_t>(off),
                                       static_cast<uint32_t>(bit_size));
      ++slot;
      patch_later(at + 1, ma.has_type ? ref_attr(&ma.type) : kVoidKey);
    } while (dwarf_siblingof(&m, &m) == 0);
  }
  if (annotated || dwarf_hasattr(die, kAtGnuAnnotation)) {
    if (feat_.decl_tag) {
      int idx = 0;
      if (dwarf_child(die, &m) == 0) {
        do {
          if (dwarf_tag(&m) != DW_TAG_member || dwarf_hasattr(&m, DW_AT_external) ||
              die_flag(&m, DW_AT_declaration))
            continue;
          if (may_have_annotations(&m)) add_decl_tags(&m, id, idx);
          ++idx;
        } while (dwarf_siblingof(&m, &m) == 0);
      }
      add_decl_tags(die, id, -1);
    }
  }
  // Types declared inside the aggregate (C++ or odd C): after it, never in its middle.
  for (size_t i = nested_mark; i < nested_.size(); ++i) {
    Dwarf_Die n;
    const bool ok = in_debug_types_ ? dwarf_offdie_types(dbg_, nested_[i], &n) != nullptr
                                    : dwarf_offdie(dbg_, nested_[i], &n) != nullptr;
    if (ok) encode_type(&n, dwarf_tag(&n));
    if (res_.failed) break;
  }
  nested_.resize(nested_mark);
  return id;
}

uint32_t BatchEncoder::add_enum(Dwarf_Die* die) {
  bool in_section = false;
  const char* name = die_name(die, &in_section);
  uint64_t size = 0;
  if (!die_udata(die, DW_AT_byte_size, &size)) size = 4;
  struct Val {
    const char* name;
    bool in_section, negative;   // negative: a signed form's value below 0
    int64_t v;
    uint32_t off = 0;            // the name's string offset (0: "", no enumerator)
  };
  // Enumerators: read once into a small buffer so the kind (ENUM/ENUM64) and the
  // signedness are known before the first btf__add_*.
  std::vector<Val> vals;
  Dwarf_Die e;
  if (dwarf_haschildren(die) && dwarf_child(die, &e) == 0) {
    do {
      if (dwarf_tag(&e) != DW_TAG_enumerator) continue;
      bool en_section = false;
      const char* en = die_name(&e, &en_section);
      if (!en) continue;
      Dwarf_Attribute a;
      if (!dwarf_attr(&e, DW_AT_const_value, &a)) continue;
      // As pahole: DW_FORM_sdata is signed, every other constant form unsigned (gcc
      // writes 235 as data1 0xeb even when the enum's type is int).
      int64_t s = 0;
      bool negative = false;
      if (dwarf_whatform(&a) == DW_FORM_sdata || dwarf_whatform(&a) == DW_FORM_implicit_const) {
        if (dwarf_formsdata(&a, &s) != 0) continue;
        negative = s < 0;
      } else {
        uint64_t u = 0;
        if (dwarf_formudata(&a, &u) != 0) continue;
        s = static_cast<int64_t>(u);
      }
      vals.push_back({en, en_section, negative, s});
    } while (dwarf_siblingof(&e, &e) == 0);
  }
  // Names in the order they always went into the string section: the enum's, then its
  // enumerators'; an enumerator named "" is left out and does not count for the sign.
  const uint32_t name_off = this->name(name, in_section);
  bool is_signed = false;
  for (Val& v : vals) {
    v.off = this->name(v.name, v.in_section);
    if (v.off && v.negative) is_signed = true;
  }
  uint32_t id;
  if (size > 4 && feat_.enum64) {
    id = w_->add(name_off, BTF_KIND_ENUM64, 0, is_signed, static_cast<uint32_t>(size));
    for (const Val& v : vals)
      if (v.off) w_->add_enum64_value(v.off, static_cast<uint64_t>(v.v));
  } else {
    if (size == 0 || size > 8 || (size & (size - 1))) size = 4;
    id = w_->add(name_off, BTF_KIND_ENUM, 0, false, static_cast<uint32_t>(size));
    for (const Val& v : vals) {
      if (!v.off) continue;
      // Without ENUM64 a value outside 32 bits is truncated (as pahole without enum64).
      int64_t x = v.v;
      if (x < INT32_MIN || x > static_cast<int64_t>(UINT32_MAX))
        x = static_cast<int32_t>(static_cast<uint32_t>(x));
      w_->add_enum_value(v.off, x);
    }
  }
  if (feat_.decl_tag && may_have_annotations(die)) add_decl_tags(die, id, -1);
  return id;
}

uint32_t BatchEncoder::add_array(Dwarf_Die* die) {
  uint32_t nelems = 1;
  Dwarf_Die s;
  if (dwarf_haschildren(die) && dwarf_child(die, &s) == 0) {
    do {
      if (dwarf_tag(&s) != DW_TAG_subrange_type) continue;
      uint64_t n = 0;
      if (!die_udata(&s, DW_AT_count, &n)) {
        Dwarf_Attribute a;
        uint64_t ub = 0;
        if (dwarf_attr(&s, DW_AT_upper_bound, &a) && dwarf_whatform(&a) != DW_FORM_exprloc &&
            dwarf_whatform(&a) != DW_FORM_ref4 && dwarf_formudata(&a, &ub) == 0)
          n = ub + 1;
      }
      nelems *= static_cast<uint32_t>(n);
    } while (dwarf_siblingof(&s, &s) == 0);
  }
  const uint32_t id = w_->add_array(nelems);
  cu_needs_index_ = true;
  patch_later(w_->array_elem_word(), ref(die, DW_AT_type));
  patch_later(w_->array_index_word(), kIndexKey);
  return id;
}

uint32_t BatchEncoder::add_proto(Dwarf_Die* die) {
  const uint32_t id = w_->add(0, BTF_KIND_FUNC_PROTO, 0, false, 0);
  patch_later(w_->last_type_word(), ref(die, DW_AT_type));
  bool varargs = false;
  Dwarf_Die p;
  if (dwarf_haschildren(die) && dwarf_child(die, &p) == 0) {
    do {
      const int t = dwarf_tag(&p);
      if (t == DW_TAG_unspecified_parameters) {
        varargs = true;
        continue;
      }
      if (t != DW_TAG_formal_parameter) continue;
      bool in_section = false;
      const char* pn = die_name(&p, &in_section);
      const size_t at = w_->add_param(name(pn, in_section), 0);
      patch_later(at + 1, ref(&p, DW_AT_type));
    } while (dwarf_siblingof(&p, &p) == 0);
  }
  if (varargs) w_->add_param(0, 0);
  return id;
}

void BatchEncoder::add_decl_tags(Dwarf_Die* die, uint32_t target, int component) {
  // Types' tags are added at the end of the unit, after all its types, as pahole does
  // (same ids); FUNC and VAR tags right away (add_funcs runs after every unit).
  for_each_annotation(die, [&](std::string_view kind, const char* value) {
    if (kind != "btf_decl_tag") return;
    if (defer_tags_)
      pending_tags_.push_back({value, target, component});
    else
      add_decl_tag(value, target, component);
  });
}

}  // namespace btfcheck::encode
