// DWARF type definitions -> RawDef -> fingerprint / Def, for the DWARF cross-check.
//
// Design:
// - One pass over each member's attributes (dwarf_getattrs), no per-attribute lookups:
//   a vmlinux has ~6M member DIEs, read once per unit that repeats the definition.
// - Member bit offsets: DW_AT_data_bit_offset (DWARF 4+), else DW_AT_data_member_location
//   (constant, or a DW_OP_plus_uconst/DW_OP_constu expression) plus the DWARF 2/3
//   DW_AT_bit_offset, which counts from the storage unit's most significant bit (so on a
//   little-endian target bit = 8*storage - bit_offset - bit_size).
// - Enumerator values keep their width and signedness: sdata, udata and data8 are exact;
//   data1-4 are zero-extended when the enum's underlying type is unsigned, and otherwise
//   ambiguous (both readings allowed): gcc writes non-negative values of signed enums with
//   data forms (0x80 as data1), negative ones with sdata.
// - Anonymous aggregates and enums reached through members (through modifiers, arrays and
//   pointers) become nested bodies; their path is the member's name, or
//   "(anon union@BITOFF)" plus "#N" for the N-th such member at the same place of a body.
// - The fingerprint hashes everything to_def() would produce (two independent 64-bit
//   lanes), so equal fingerprints stand for identical definitions.
#include <dwarf.h>

#include <map>

#include "comparator/dwarfcheck/dwarf_types.h"

namespace btfcheck::dwarfcheck::detail {
namespace {

constexpr int kMaxNesting = 32;


struct Attrs {
  const char* name = nullptr;
  Dwarf_Attribute type{}, loc{}, data_bit_offset{}, bit_offset{}, bit_size{}, byte_size{};
  bool has_type = false, has_loc = false, has_dbo = false, has_bo = false, has_bs = false,
       has_bytes = false, declaration = false, external = false;
};

int collect(Dwarf_Attribute* a, void* arg) {
  Attrs& m = *static_cast<Attrs*>(arg);
  switch (dwarf_whatattr(a)) {
    case DW_AT_name: m.name = dwarf_formstring(a); break;
    case DW_AT_type: m.type = *a; m.has_type = true; break;
    case DW_AT_data_member_location: m.loc = *a; m.has_loc = true; break;
    case DW_AT_data_bit_offset: m.data_bit_offset = *a; m.has_dbo = true; break;
    case DW_AT_bit_offset: m.bit_offset = *a; m.has_bo = true; break;
    case DW_AT_bit_size: m.bit_size = *a; m.has_bs = true; break;
    case DW_AT_byte_size: m.byte_size = *a; m.has_bytes = true; break;
    case DW_AT_declaration: m.declaration = true; break;
    case DW_AT_external: m.external = true; break;
    default: break;
  }
  return DWARF_CB_OK;
}

uint64_t udata(Dwarf_Attribute* a, bool has) {
  Dwarf_Word w = 0;
  if (!has || !is_constant_form(dwarf_whatform(a)) || dwarf_formudata(a, &w) != 0) return 0;
  return w;
}

class Hasher {
 public:
  void add(uint64_t v) {
    a_ = mix(a_ ^ v, 0x9e3779b97f4a7c15ull);
    b_ = mix(b_ + v, 0xc2b2ae3d27d4eb4full);
  }
  void add(std::string_view s) {
    add(s.size());
    uint64_t w = 0;
    for (size_t i = 0; i < s.size(); ++i) {
      w = (w << 8) | uint8_t(s[i]);
      if (i % 8 == 7) add(w), w = 0;
    }
    add(w);
  }
  Fingerprint done() const { return {a_, b_}; }

 private:
  static uint64_t mix(uint64_t x, uint64_t k) {
    x *= k;
    x ^= x >> 31;
    x *= 0xbf58476d1ce4e5b9ull;
    return x ^ (x >> 29);
  }
  uint64_t a_ = 1, b_ = 2;
};

}  // namespace

void DieReader::add_enum(Dwarf_Die* die, RawBody& body, RawDef& def) {
  // Unsigned underlying type (through typedefs and modifiers) -> data forms are exact.
  bool is_unsigned = false;
  Dwarf_Die base, cur = *die;
  for (int hop = 0; hop < kMaxNesting && die_type(&cur, &base); ++hop, cur = base) {
    const int tag = dwarf_tag(&base);
    if (tag == DW_TAG_base_type) {
      Dwarf_Attribute a;
      Dwarf_Word enc = 0;
      if (dwarf_attr(&base, DW_AT_encoding, &a) && dwarf_formudata(&a, &enc) == 0)
        is_unsigned = enc == DW_ATE_unsigned || enc == DW_ATE_unsigned_char || enc == DW_ATE_boolean;
      break;
    }
    if (tag != DW_TAG_typedef && tag != DW_TAG_const_type && tag != DW_TAG_volatile_type) break;
  }
  body.first_value = uint32_t(def.values.size());
  Dwarf_Die child;
  if (dwarf_child(die, &child) == 0) {
    do {
      if (dwarf_tag(&child) != DW_TAG_enumerator) continue;
      const char* n = dwarf_diename(&child);
      Enumerator e;
      Dwarf_Attribute a;
      if (dwarf_attr(&child, DW_AT_const_value, &a)) {
        const unsigned form = dwarf_whatform(&a);
        Dwarf_Word u = 0;
        Dwarf_Sword s = 0;
        if (form == DW_FORM_sdata || form == DW_FORM_implicit_const) {
          if (dwarf_formsdata(&a, &s) == 0) e.value.bits = static_cast<uint64_t>(s);
        } else if (dwarf_formudata(&a, &u) == 0) {
          const uint8_t width = form == DW_FORM_data1 ? 8 : form == DW_FORM_data2 ? 16
                                : form == DW_FORM_data4 ? 32 : 64;
          e.value.bits = width < 64 ? u & ((uint64_t(1) << width) - 1) : u;
          if (width < 64 && !is_unsigned) {
            e.value.width = width;
            e.value.ambiguous = true;
          }
        }
      }
      def.values.push_back(e);
      def.value_names.push_back(n ? std::string_view(n) : std::string_view());
    } while (dwarf_siblingof(&child, &child) == 0);
  }
  body.values = uint32_t(def.values.size()) - body.first_value;
}

void DieReader::add_body(Dwarf_Die* die, int32_t parent, std::string_view member,
                         uint64_t member_off, RawDef& def, int depth) {
  if (depth > kMaxNesting) return;
  const int32_t idx = int32_t(def.bodies.size());
  RawBody b;
  b.parent = parent;
  b.member = member;
  b.member_offset = member_off;
  const int tag = dwarf_tag(die);
  b.kind = tag == DW_TAG_union_type ? 'u' : tag == DW_TAG_enumeration_type ? 'e' : 's';
  Attrs self;
  dwarf_getattrs(die, collect, &self, 0);
  b.size = udata(&self.byte_size, self.has_bytes);
  if (b.kind == 'e') {
    add_enum(die, b, def);
    def.bodies.push_back(b);
    return;
  }
  def.bodies.push_back(b);
  struct Nested {
    Dwarf_Die die;
    std::string_view member;
    uint64_t off;
  };
  std::vector<Nested> nested;
  b.first_field = uint32_t(def.fields.size());
  Dwarf_Die child;
  if (dwarf_child(die, &child) == 0) {
    do {
      const int ctag = dwarf_tag(&child);
      if (ctag != DW_TAG_member) {
        if (sink_ && (ctag == DW_TAG_structure_type || ctag == DW_TAG_class_type ||
                      ctag == DW_TAG_union_type || ctag == DW_TAG_enumeration_type ||
                      ctag == DW_TAG_typedef))
          sink_(sink_ctx_, &child);
        continue;
      }
      Attrs m;
      dwarf_getattrs(&child, collect, &m, 0);
      if (m.declaration || m.external) continue;   // C++ static data members
      RawField f;
      f.name = m.name ? std::string_view(m.name) : std::string_view();
      Dwarf_Die t;
      const bool have_type = m.has_type && dwarf_formref_die(&m.type, &t) != nullptr;
      f.type = have_type ? shape(&t) : 0;
      f.bitfield = uint32_t(udata(&m.bit_size, m.has_bs));
      if (m.has_dbo) {
        f.bit_offset = udata(&m.data_bit_offset, true);
      } else {
        uint64_t bytes = 0;
        if (m.has_loc) {
          if (is_constant_form(dwarf_whatform(&m.loc))) {
            bytes = udata(&m.loc, true);
          } else {
            Dwarf_Op* ops = nullptr;
            size_t n = 0;
            if (dwarf_getlocation(&m.loc, &ops, &n) == 0 && n == 1 &&
                (ops[0].atom == DW_OP_plus_uconst || ops[0].atom == DW_OP_constu))
              bytes = ops[0].number;
          }
        }
        f.bit_offset = bytes * 8;
        Dwarf_Sword bo = 0;
        if (m.has_bo && m.has_bs && dwarf_formsdata(&m.bit_offset, &bo) == 0) {
          if (!little_endian_) {
            f.bit_offset += static_cast<uint64_t>(bo);
          } else {
            uint64_t storage = udata(&m.byte_size, m.has_bytes);
            Dwarf_Word sz = 0;
            if (!m.has_bytes && have_type && dwarf_aggregate_size(&t, &sz) == 0) storage = sz;
            f.bit_offset += storage * 8 - static_cast<uint64_t>(bo) - f.bitfield;
          }
        }
      }
      Dwarf_Die anon;
      if (have_type && anonymous_body(&t, &anon)) nested.push_back({anon, f.name, f.bit_offset});
      def.fields.push_back(f);
    } while (dwarf_siblingof(&child, &child) == 0);
  }
  def.bodies[idx].first_field = b.first_field;
  def.bodies[idx].fields = uint32_t(def.fields.size()) - b.first_field;
  for (Nested& n : nested) add_body(&n.die, idx, n.member, n.off, def, depth + 1);
}

bool DieReader::read(Dwarf_Die* die, RawDef& d) {
  d.clear();
  const int tag = dwarf_tag(die);
  const char* name = dwarf_diename(die);
  d.name = name ? std::string_view(name) : std::string_view();
  d.declaration = dwarf_hasattr(die, DW_AT_declaration);
  switch (tag) {
    case DW_TAG_structure_type: case DW_TAG_class_type: case DW_TAG_union_type:
      if (d.name.empty()) return false;
      d.kind = tag == DW_TAG_union_type ? DefKind::Union : DefKind::Struct;
      if (!d.declaration) add_body(die, -1, {}, 0, d, 0);
      return true;
    case DW_TAG_enumeration_type:
      d.kind = DefKind::Enum;
      if (!d.declaration) add_body(die, -1, {}, 0, d, 0);
      if (d.name.empty()) {
        if (d.declaration || d.value_names.empty()) return false;
        d.name = d.value_names.front();
        d.anon_enum = true;
      }
      return true;
    case DW_TAG_typedef: {
      if (d.name.empty()) return false;
      d.kind = DefKind::Typedef;
      d.declaration = false;
      d.target = type_shape(die);
      Dwarf_Die t, anon;
      if (die_type(die, &t) && anonymous_body(&t, &anon)) add_body(&anon, -1, {}, 0, d, 0);
      return true;
    }
    default:
      return false;
  }
}

Fingerprint DieReader::fingerprint(const RawDef& d) const {
  Hasher h;
  h.add(uint64_t(d.kind) | (uint64_t(d.anon_enum) << 8) | (uint64_t(d.declaration) << 9));
  h.add(d.name);
  h.add(d.target);
  for (const RawBody& b : d.bodies) {
    h.add(uint64_t(int64_t(b.parent)));
    h.add(b.member);
    h.add(b.member_offset);
    h.add(uint64_t(uint8_t(b.kind)));
    h.add(b.size);
    h.add(b.fields);
    for (uint32_t i = 0; i < b.fields; ++i) {
      const RawField& f = d.fields[b.first_field + i];
      h.add(f.name);
      h.add(f.bit_offset);
      h.add(f.bitfield);
      h.add(f.type);   // one reader per walk: equal ids <=> equal shape texts
    }
    h.add(b.values);
    for (uint32_t i = 0; i < b.values; ++i) {
      const Value& v = d.values[b.first_value + i].value;
      h.add(d.value_names[b.first_value + i]);
      h.add(v.bits);
      h.add(uint64_t(v.width) | (uint64_t(v.ambiguous) << 8));
    }
  }
  return h.done();
}

Def DieReader::to_def(const RawDef& d) {
  Def out;
  out.kind = d.kind;
  out.name = d.anon_enum ? "(anon:" + std::string(d.name) + ")" : std::string(d.name);
  out.declaration = d.declaration;
  out.target = shape_text(d.target);
  const std::string root = def_key(out.kind, out.name);
  std::map<std::pair<int32_t, std::string>, int> anon_seen;
  for (const RawBody& rb : d.bodies) {
    Body b;
    if (rb.parent < 0) {
      b.path = root;
    } else {
      std::string seg(rb.member);
      if (seg.empty()) {
        seg = std::string("(anon ") + (rb.kind == 'u' ? "union" : rb.kind == 'e' ? "enum" : "struct") +
              "@" + std::to_string(rb.member_offset);
        if (int n = anon_seen[{rb.parent, seg}]++; n > 0) seg += "#" + std::to_string(n + 1);
        seg += ")";
      }
      b.path = out.bodies[size_t(rb.parent)].path + "." + seg;
    }
    b.kind = rb.kind;
    b.size = rb.size;
    for (uint32_t i = 0; i < rb.fields; ++i) {
      const RawField& f = d.fields[rb.first_field + i];
      b.fields.push_back({std::string(f.name), f.bit_offset, f.bitfield, shape_text(f.type)});
    }
    for (uint32_t i = 0; i < rb.values; ++i) {
      Enumerator e = d.values[rb.first_value + i];
      e.name = std::string(d.value_names[rb.first_value + i]);
      b.values.push_back(std::move(e));
    }
    out.bodies.push_back(std::move(b));
  }
  return out;
}

}  // namespace btfcheck::dwarfcheck::detail
