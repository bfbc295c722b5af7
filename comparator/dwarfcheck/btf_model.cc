// The BTF side of the DWARF cross-check: the same model (model.h) computed from BTF
// records, with an index from definition key to the BTF ids that carry it.
//
// Design:
// - Every id is range-checked before use (Btf::valid_id); a bad reference reads as the
//   shape "?bad-id N", a kind that cannot stand in a type position as "?KIND", so malformed
//   input produces findings, never a crash. Shapes are cached per id; a reference cycle
//   (which the kernel rejects anyway) is cut where it closes and reads as "…".
// - TYPE_TAGs are transparent (DWARF keeps annotations as children, not in the type chain);
//   INT and FLOAT shapes are their names, so a producer that writes FLOATs as INTs (or the
//   reverse) still matches on name, and the size is checked where it matters (members).
// - Options::flat_arrays: nested ARRAYs (no typedef between) multiply into one dimension,
//   as dwarf_types.cc does for one DW_TAG_array_type.
// - Bitfields: member-level (kflag=1) bitfield size, or the kflag=0 "legacy" encoding where
//   the member's INT carries bits and a bit offset (added to the member's offset).
// - Anonymous aggregates/enums reached through members (modifiers, arrays, pointers) become
//   nested bodies, named exactly as dwarf_types.cc names them.
#include "comparator/dwarfcheck/btf_model.h"

#include "btf/kinds.h"

namespace btfcheck::dwarfcheck::detail {
namespace {

using btf::Kind;

constexpr int kMaxNesting = 32;
const std::string kEllipsis = "\xe2\x80\xa6";

bool is(uint32_t kind, Kind k) { return kind == static_cast<uint32_t>(k); }

// An anonymous enum is named after its first enumerator, as dwarf_types.cc names it.
std::string anon_enum_name(const btf::Btf& btf, const btf::Type& t) {
  return "(anon:" + std::string(btf.str_or_empty(t.word(btf::entry_name_word(t.kind(), 0)))) + ")";
}

}  // namespace

BtfModel::BtfModel(const btf::Btf& btf, bool flat_arrays)
    : btf_(btf), flat_arrays_(flat_arrays), shapes_(btf.type_count()), busy_(btf.type_count()) {
  for (uint32_t id = 1; id < btf.type_count(); ++id) {
    const btf::Type t = btf.type(id);
    const uint32_t k = t.kind();
    const std::string name(t.name());
    if (btf::is_composite(k)) {
      if (!name.empty()) by_key_[def_key(is(k, Kind::Union) ? DefKind::Union : DefKind::Struct, name)].push_back(id);
    } else if (btf::is_any_enum(k)) {
      if (!name.empty()) {
        by_key_[def_key(DefKind::Enum, name)].push_back(id);
      } else if (t.vlen() > 0) {
        by_key_[def_key(DefKind::Enum, anon_enum_name(btf, t))].push_back(id);
      }
    } else if (is(k, Kind::Typedef)) {
      if (!name.empty()) by_key_[def_key(DefKind::Typedef, name)].push_back(id);
    } else if (is(k, Kind::Fwd)) {
      if (!name.empty()) fwds_[def_key(t.kflag() ? DefKind::Union : DefKind::Struct, name)] = true;
    }
  }
}

const std::vector<uint32_t>& BtfModel::candidates(const std::string& key) const {
  static const std::vector<uint32_t> kNone;
  auto it = by_key_.find(key);
  return it == by_key_.end() ? kNone : it->second;
}

bool BtfModel::has_fwd(DefKind kind, const std::string& name) const {
  return fwds_.count(def_key(kind, name)) > 0;
}

std::optional<btf::Type> BtfModel::get(uint32_t id) const {
  if (id == 0 || !btf_.valid_id(id)) return std::nullopt;
  return btf_.type(id);
}

std::string BtfModel::shape(uint32_t id, int depth) {
  if (id == 0) return "void";
  if (!btf_.valid_id(id)) return "?bad-id " + std::to_string(id);
  if (!shapes_[id].empty()) return shapes_[id];
  // A reference cycle (the kernel rejects those) or absurd depth reads as "…". Every
  // result is cached, so malformed input costs at most one computation per id.
  if (depth > kMaxShapeDepth || busy_[id]) return kEllipsis;
  busy_[id] = 1;
  std::string s = compute_shape(id, depth);
  busy_[id] = 0;
  shapes_[id] = s;
  return s;
}

std::string BtfModel::compute_shape(uint32_t id, int depth) {
  const btf::Type t = btf_.type(id);
  const uint32_t k = t.kind();
  const std::string name(t.name());
  switch (static_cast<Kind>(k)) {
    case Kind::Int: case Kind::Float:
      return name.empty() ? "(anon base)" : name;
    case Kind::Ptr: return "ptr(" + shape(t.type(), depth + 1) + ")";
    case Kind::Const: return "const(" + shape(t.type(), depth + 1) + ")";
    case Kind::Volatile: return "volatile(" + shape(t.type(), depth + 1) + ")";
    case Kind::Restrict: return "restrict(" + shape(t.type(), depth + 1) + ")";
    case Kind::TypeTag: return shape(t.type(), depth + 1);
    case Kind::Typedef: return name.empty() ? "(anon typedef)" : name;
    case Kind::Struct: return "struct " + (name.empty() ? std::string("(anon)") : name);
    case Kind::Union: return "union " + (name.empty() ? std::string("(anon)") : name);
    case Kind::Enum: case Kind::Enum64: return "enum " + (name.empty() ? std::string("(anon)") : name);
    case Kind::Fwd: return (t.kflag() ? "union " : "struct ") + (name.empty() ? std::string("(anon)") : name);
    case Kind::Array: {
      auto a = t.array();
      uint64_t n = a.nelems;
      if (flat_arrays_) {
        // An ARRAY of ARRAY (no typedef between) is one multi-dimensional C array.
        for (int hop = 0; hop < kMaxNesting; ++hop) {
          auto e = get(a.type);
          if (!e || !is(e->kind(), Kind::Array)) break;
          a = e->array();
          n *= a.nelems;
        }
      }
      return "array(" + std::to_string(n) + "," + shape(a.type, depth + 1) + ")";
    }
    case Kind::FuncProto: {
      std::string s = "fn(" + shape(t.type(), depth + 1) + ";";
      for (uint32_t i = 0; i < t.vlen(); ++i) {
        const auto p = t.param(i);
        if (i) s += ",";
        s += (i + 1 == t.vlen() && p.type == 0 && p.name_off == 0) ? std::string("...")
                                                                  : shape(p.type, depth + 1);
      }
      return s + ")";
    }
    default:
      return "?" + std::string(t.kind_name());
  }
}

std::optional<uint32_t> BtfModel::anonymous_body(uint32_t id) const {
  for (int i = 0; i < kMaxNesting; ++i) {
    auto t = get(id);
    if (!t) return std::nullopt;
    const uint32_t k = t->kind();
    if (btf::is_modifier(k) || is(k, Kind::Ptr)) {
      id = t->type();
    } else if (is(k, Kind::Array)) {
      id = t->array().type;
    } else if (btf::is_composite(k) || btf::is_any_enum(k)) {
      if (!t->name().empty()) return std::nullopt;
      return id;
    } else {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

void BtfModel::add_body(uint32_t id, const std::string& path, Def& def, int depth) {
  auto t = get(id);
  if (!t || depth > kMaxNesting) return;
  const uint32_t k = t->kind();
  Body b;
  b.path = path;
  b.size = t->size();
  if (btf::is_any_enum(k)) {
    b.kind = 'e';
    for (uint32_t i = 0; i < t->vlen(); ++i) {
      Enumerator e;
      if (is(k, Kind::Enum)) {
        const auto v = t->enumerator(i);
        e.name = btf_.str_or_empty(v.name_off);
        if (t->kflag()) {
          e.value.bits = static_cast<uint64_t>(v.value);
        } else {
          e.value.bits = static_cast<uint64_t>(v.value) & 0xffffffffu;
          e.value.width = 32;
          e.value.ambiguous = true;
        }
      } else {
        e.name = btf_.str_or_empty(t->word(btf::entry_name_word(k, i)));
        e.value.bits = t->enum64_value(i);
      }
      b.values.push_back(std::move(e));
    }
    def.bodies.push_back(std::move(b));
    return;
  }
  b.kind = is(k, Kind::Union) ? 'u' : 's';
  const size_t idx = def.bodies.size();
  def.bodies.emplace_back();
  std::vector<std::pair<uint32_t, std::string>> nested;
  std::map<std::string, int> anon_seen;
  for (uint32_t i = 0; i < t->vlen(); ++i) {
    const auto m = t->member(i);
    Field f;
    f.name = btf_.str_or_empty(m.name_off);
    f.type = shape(m.type);
    f.bit_offset = t->member_bit_offset(i);
    f.bitfield = t->member_bitfield_size(i);
    if (!t->kflag()) {
      // Legacy bitfield: the member's INT (through typedefs and modifiers) has fewer bits
      // than its size or a bit offset of its own.
      uint32_t r = m.type;
      for (int hop = 0; hop < kMaxNesting; ++hop) {
        auto rt = get(r);
        if (!rt) break;
        const uint32_t rk = rt->kind();
        if (btf::is_modifier_or_typedef(rk)) {
          r = rt->type();
          continue;
        }
        if (is(rk, Kind::Int) && (rt->int_offset() != 0 || uint64_t(rt->int_bits()) != uint64_t(rt->size()) * 8)) {
          f.bitfield = rt->int_bits();
          f.bit_offset += rt->int_offset();
        }
        break;
      }
    }
    if (auto anon = anonymous_body(m.type)) {
      std::string sub = f.name;
      if (sub.empty()) {
        const uint32_t ak = btf_.type(*anon).kind();
        const char* word = is(ak, Kind::Union) ? "union" : is(ak, Kind::Struct) ? "struct" : "enum";
        sub = std::string("(anon ") + word + "@" + std::to_string(f.bit_offset);
        if (int n = anon_seen[sub]++; n > 0) sub += "#" + std::to_string(n + 1);
        sub += ")";
      }
      nested.emplace_back(*anon, path + "." + sub);
    }
    b.fields.push_back(std::move(f));
  }
  def.bodies[idx] = std::move(b);
  for (const auto& [nid, npath] : nested) add_body(nid, npath, def, depth + 1);
}

const Def& BtfModel::def(uint32_t id) {
  if (auto it = defs_.find(id); it != defs_.end()) return it->second;
  Def d;
  if (auto t = get(id)) {
    const uint32_t k = t->kind();
    d.name = t->name();
    if (is(k, Kind::Typedef)) {
      d.kind = DefKind::Typedef;
      d.target = shape(t->type());
      if (auto anon = anonymous_body(t->type())) add_body(*anon, def_key(d.kind, d.name), d, 0);
    } else {
      d.kind = is(k, Kind::Union) ? DefKind::Union
               : btf::is_any_enum(k) ? DefKind::Enum
                                     : DefKind::Struct;
      if (d.kind == DefKind::Enum && d.name.empty() && t->vlen() > 0)
        d.name = anon_enum_name(btf_, *t);
      add_body(id, def_key(d.kind, d.name), d, 0);
    }
  }
  return defs_.emplace(id, std::move(d)).first->second;
}

std::vector<uint32_t> BtfModel::own_funcs() const {
  std::vector<uint32_t> out;
  for (uint32_t id = btf_.start_id(); id < btf_.type_count(); ++id)
    if (is(btf_.type(id).kind(), Kind::Func)) out.push_back(id);
  return out;
}

std::optional<FuncSig> BtfModel::signature(uint32_t func_id, std::string& why) {
  auto f = get(func_id);
  if (!f) {
    why = "bad type id";
    return std::nullopt;
  }
  auto p = get(f->type());
  if (!p || !is(p->kind(), Kind::FuncProto)) {
    why = "FUNC type [" + std::to_string(f->type()) + "] is not a FUNC_PROTO";
    return std::nullopt;
  }
  FuncSig s;
  s.ret = shape(p->type());
  for (uint32_t i = 0; i < p->vlen(); ++i) {
    const auto prm = p->param(i);
    if (i + 1 == p->vlen() && prm.type == 0 && prm.name_off == 0) {
      s.varargs = true;
      break;
    }
    s.params.push_back(shape(prm.type));
    s.names.emplace_back(btf_.str_or_empty(prm.name_off));
  }
  return s;
}

}  // namespace btfcheck::dwarfcheck::detail
