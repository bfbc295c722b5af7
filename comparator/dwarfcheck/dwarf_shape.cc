// DWARF type DIEs -> shapes (model.h), and subprogram signatures, for the DWARF cross-check.
//
// Design: every question is answered from the DIE alone, without any producer's model of
// it, so the checker shares no code (and no bugs) with an encoder.
// - Shapes are computed recursively, interned as nodes and cached per unit by DIE offset.
//   Cycles (malformed input only) are cut where they close; the depth limit
//   (kMaxShapeDepth) bounds the rest. Real types reach neither, so a cached shape equals
//   a recomputed one and output never depends on the walk order.
// - Modifiers BTF cannot express (atomic, immutable, packed, shared) are transparent;
//   references are pointers; unspecified_type (asm functions' return) is void.
// - Array bounds: DW_AT_count, else upper - lower + 1 (lower defaults to 0); no bound, a
//   non-constant bound (VLA) or upper = -1 (gcc's zero-length arrays) give 0, as BTF has it.
//   With Options::flat_arrays the dimensions of one DW_TAG_array_type multiply into one.
// - Signatures take their parameters from the most abstract DIE of the abstract_origin /
//   specification chain that lists any (the source-level prototype).
#include <dwarf.h>

#include <cstdio>
#include <vector>

#include "comparator/dwarfcheck/dwarf_types.h"

namespace btfcheck::dwarfcheck::detail {
namespace {

constexpr int kMaxNesting = 32;
const std::string kEllipsis = "\xe2\x80\xa6";


std::string name_of(Dwarf_Die* die) {
  const char* n = dwarf_diename(die);
  return n ? std::string(n) : std::string();
}

// Element count of one DW_TAG_subrange_type (0 when unknown, flexible or zero-length).
uint64_t subrange_count(Dwarf_Die* sub) {
  Dwarf_Attribute a;
  Dwarf_Word u = 0;
  if (dwarf_attr(sub, DW_AT_count, &a))
    return is_constant_form(dwarf_whatform(&a)) && dwarf_formudata(&a, &u) == 0 ? u : 0;
  if (!dwarf_attr(sub, DW_AT_upper_bound, &a) || !is_constant_form(dwarf_whatform(&a)) ||
      dwarf_formudata(&a, &u) != 0)
    return 0;
  const int64_t upper = static_cast<int64_t>(u);
  int64_t lower = 0;
  Dwarf_Sword l = 0;
  if (dwarf_attr(sub, DW_AT_lower_bound, &a) && is_constant_form(dwarf_whatform(&a)) &&
      dwarf_formsdata(&a, &l) == 0)
    lower = l;
  if (upper < lower) return 0;
  return static_cast<uint64_t>(upper - lower) + 1;
}

}  // namespace

bool die_type(Dwarf_Die* die, Dwarf_Die* out) {
  Dwarf_Attribute a;
  if (!dwarf_attr_integrate(die, DW_AT_type, &a)) return false;
  return dwarf_formref_die(&a, out) != nullptr;
}

bool anonymous_body(Dwarf_Die* type, Dwarf_Die* out) {
  Dwarf_Die cur = *type;
  for (int i = 0; i < kMaxNesting; ++i) {
    switch (dwarf_tag(&cur)) {
      case DW_TAG_const_type: case DW_TAG_volatile_type: case DW_TAG_restrict_type:
      case DW_TAG_atomic_type: case DW_TAG_immutable_type: case DW_TAG_packed_type:
      case DW_TAG_shared_type: case DW_TAG_array_type: case DW_TAG_pointer_type: {
        Dwarf_Die next;
        if (!die_type(&cur, &next)) return false;
        cur = next;
        break;
      }
      case DW_TAG_structure_type: case DW_TAG_class_type: case DW_TAG_union_type:
      case DW_TAG_enumeration_type:
        if (dwarf_diename(&cur) || dwarf_hasattr(&cur, DW_AT_declaration)) return false;
        *out = cur;
        return true;
      default:
        return false;
    }
  }
  return false;
}

uint32_t DieReader::node(Op op, std::string_view name, uint64_t n, std::vector<uint32_t> kids) {
  uint64_t h = (uint64_t(op) + 1) * 0x9e3779b97f4a7c15ull ^ n;
  for (uint32_t k : kids) h = (h ^ k) * 0x100000001b3ull;
  h ^= std::hash<std::string_view>()(name);
  h ^= h >> 29;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 32;
  // Open addressing, linear probing; slots hold id + 1 (0 = empty), load factor <= 1/2.
  if (slots_.size() < 2 * (nodes_.size() + 1)) {
    std::vector<uint32_t> old(std::max<size_t>(1024, slots_.size() * 2), 0);
    old.swap(slots_);
    for (uint32_t i = 0; i < nodes_.size(); ++i) {
      size_t j = hashes_[i] & (slots_.size() - 1);
      while (slots_[j]) j = (j + 1) & (slots_.size() - 1);
      slots_[j] = i + 1;
    }
  }
  size_t j = h & (slots_.size() - 1);
  for (; slots_[j]; j = (j + 1) & (slots_.size() - 1)) {
    const uint32_t cand = slots_[j] - 1;
    const Node& nd = nodes_[cand];
    if (hashes_[cand] == h && nd.op == op && nd.n == n && nd.kids == kids && nd.name == name)
      return cand;
  }
  const uint32_t id = uint32_t(nodes_.size());
  slots_[j] = id + 1;
  hashes_.push_back(h);
  nodes_.push_back({op, name, n, std::move(kids)});
  texts_.emplace_back();
  return id;
}

const std::string& DieReader::shape_text(uint32_t id) {
  if (id >= nodes_.size()) id = 0;
  if (!texts_[id].empty()) return texts_[id];
  const Node nd = nodes_[id];   // copy: building kids' texts may grow the vectors
  auto kid = [&](size_t i) -> std::string {
    return i < nd.kids.size() ? shape_text(nd.kids[i]) : std::string("void");
  };
  auto anon = [&](const char* word) {
    return std::string(word) + " " + (nd.name.empty() ? std::string("(anon)") : std::string(nd.name));
  };
  std::string t;
  switch (nd.op) {
    case kVoid: t = "void"; break;
    case kName: t = std::string(nd.name); break;
    case kPtr: t = "ptr(" + kid(0) + ")"; break;
    case kConst: t = "const(" + kid(0) + ")"; break;
    case kVolatile: t = "volatile(" + kid(0) + ")"; break;
    case kRestrict: t = "restrict(" + kid(0) + ")"; break;
    case kStruct: t = anon("struct"); break;
    case kUnion: t = anon("union"); break;
    case kEnum: t = anon("enum"); break;
    case kArray: t = "array(" + std::to_string(nd.n) + "," + kid(0) + ")"; break;
    case kFn: case kFnVarargs: {
      t = "fn(" + kid(0) + ";";
      for (size_t i = 1; i < nd.kids.size(); ++i) t += (i > 1 ? "," : "") + kid(i);
      if (nd.op == kFnVarargs) t += nd.kids.size() > 1 ? ",..." : "...";
      t += ")";
      break;
    }
    case kTruncated: t = kEllipsis; break;
  }
  texts_[id] = std::move(t);
  return texts_[id];
}

uint32_t DieReader::type_shape(Dwarf_Die* die, int depth) {
  Dwarf_Die t;
  if (!die_type(die, &t)) return 0;
  return shape(&t, depth);
}

uint32_t DieReader::shape(Dwarf_Die* die, int depth) {
  if (depth > kMaxShapeDepth) return node(kTruncated, {}, 0, {});
  const bool cacheable = die->cu == cu_;
  const uint64_t off = dwarf_dieoffset(die);
  if (cacheable) {
    if (auto it = cache_.find(off); it != cache_.end()) return it->second;
  }
  // A type cycle (only in malformed input: C types only recur through named aggregates,
  // which end a shape) is cut where it closes; every result of this unit is cached, so
  // malformed input costs at most one computation per DIE.
  // (Tracked from depth 8 on: shallower levels are bounded by the depth anyway, and most
  // shapes never get there, so the common case pays no set operation.)
  const bool tracked = depth >= 8;
  if (tracked && !busy_.insert(off).second) return node(kTruncated, {}, 0, {});
  const uint32_t id = compute_shape(die, depth);
  if (tracked) busy_.erase(off);
  if (cacheable) cache_.emplace(off, id);
  return id;
}

uint32_t DieReader::compute_shape(Dwarf_Die* die, int depth) {
  const int tag = dwarf_tag(die);
  auto inner = [&](Dwarf_Die* d) { return type_shape(d, depth + 1); };
  auto named = [&](Op op, const char* fallback) {
    const char* n = dwarf_diename(die);
    if (n) return node(op, n, 0, {});
    if (!fallback) return node(op, {}, 0, {});
    return node(op, fallback, 0, {});
  };
  switch (tag) {
    case DW_TAG_base_type: return named(kName, "(anon base)");
    case DW_TAG_unspecified_type: return 0;
    case DW_TAG_pointer_type: case DW_TAG_reference_type: case DW_TAG_rvalue_reference_type:
      return node(kPtr, {}, 0, {inner(die)});
    case DW_TAG_const_type: return node(kConst, {}, 0, {inner(die)});
    case DW_TAG_volatile_type: return node(kVolatile, {}, 0, {inner(die)});
    case DW_TAG_restrict_type: return node(kRestrict, {}, 0, {inner(die)});
    case DW_TAG_atomic_type: case DW_TAG_immutable_type: case DW_TAG_packed_type:
    case DW_TAG_shared_type:
      return inner(die);   // BTF has no such modifier: transparent
    case DW_TAG_typedef: return named(kName, "(anon typedef)");
    case DW_TAG_structure_type: case DW_TAG_class_type: return named(kStruct, nullptr);
    case DW_TAG_union_type: return named(kUnion, nullptr);
    case DW_TAG_enumeration_type: return named(kEnum, nullptr);
    case DW_TAG_array_type: {
      std::vector<uint64_t> dims;
      Dwarf_Die child;
      if (dwarf_child(die, &child) == 0) {
        do {
          const int ct = dwarf_tag(&child);
          if (ct == DW_TAG_subrange_type) dims.push_back(subrange_count(&child));
          else if (ct == DW_TAG_enumeration_type) dims.push_back(0);
        } while (dwarf_siblingof(&child, &child) == 0 && dims.size() < 64);
      }
      if (dims.empty()) dims.push_back(0);
      if (flat_arrays_) {
        uint64_t total = 1;
        for (uint64_t d : dims) total *= d;
        dims.assign(1, total);
      }
      uint32_t id = inner(die);
      for (size_t i = dims.size(); i-- > 0;) id = node(kArray, {}, dims[i], {id});
      return id;
    }
    case DW_TAG_subroutine_type: {
      std::vector<uint32_t> kids{inner(die)};
      bool varargs = false;
      Dwarf_Die child;
      if (dwarf_child(die, &child) == 0) {
        do {
          const int ct = dwarf_tag(&child);
          if (ct == DW_TAG_formal_parameter) kids.push_back(inner(&child));
          else if (ct == DW_TAG_unspecified_parameters) varargs = true;
        } while (dwarf_siblingof(&child, &child) == 0);
      }
      return node(varargs ? kFnVarargs : kFn, {}, 0, std::move(kids));
    }
    default: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "?tag 0x%x", tag);
      owned_names_.emplace_back(buf);
      return node(kName, owned_names_.back(), 0, {});
    }
  }
}

FuncSig DieReader::signature(Dwarf_Die* die) {
  FuncSig s;
  s.ret = shape_text(type_shape(die));
  auto has_params = [](Dwarf_Die* d) {
    Dwarf_Die c;
    if (dwarf_child(d, &c) != 0) return false;
    do {
      const int t = dwarf_tag(&c);
      if (t == DW_TAG_formal_parameter || t == DW_TAG_unspecified_parameters) return true;
    } while (dwarf_siblingof(&c, &c) == 0);
    return false;
  };
  Dwarf_Die params = *die, cur = *die;
  for (int i = 0; i < 8; ++i) {
    if (has_params(&cur)) params = cur;
    Dwarf_Attribute a;
    Dwarf_Die next;
    if (!(dwarf_attr(&cur, DW_AT_abstract_origin, &a) || dwarf_attr(&cur, DW_AT_specification, &a)) ||
        !dwarf_formref_die(&a, &next))
      break;
    cur = next;
  }
  Dwarf_Die child;
  if (dwarf_child(&params, &child) == 0) {
    do {
      const int t = dwarf_tag(&child);
      if (t == DW_TAG_formal_parameter) {
        s.params.push_back(shape_text(type_shape(&child)));
        s.names.push_back(name_of(&child));
      } else if (t == DW_TAG_unspecified_parameters) {
        s.varargs = true;
      }
    } while (dwarf_siblingof(&child, &child) == 0);
  }
  return s;
}

}  // namespace btfcheck::dwarfcheck::detail
