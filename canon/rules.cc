// Normalization rules. Each rewrites the model in place before refinement, so the same
// equality, text and diff machinery sees both producers' output in one spelling. They run
// in the order of the table below; rules that add nodes append them (refinement merges
// them with equal existing nodes).
#include "canon/rules.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

namespace btfcheck::canon {
namespace {

// "long unsigned int" -> "unsigned long", "short int" -> "short", "char" stays. Only a
// valid C combination of specifiers is respelled ("long long long", "short long", "signed
// unsigned int", "" stay as they are, so they never equal a real type's name).
std::string canonical_int_name(const std::string& name) {
  std::istringstream in(name);
  std::string w;
  int unsig = 0, sig = 0, lng = 0, shrt = 0, chr = 0, in_t = 0, other = 0;
  std::string rest;
  while (in >> w) {
    if (w == "unsigned") ++unsig;
    else if (w == "signed") ++sig;
    else if (w == "long") ++lng;
    else if (w == "short") ++shrt;
    else if (w == "char") ++chr;
    else if (w == "int") ++in_t;
    else ++other, rest = w;
  }
  const int sizes = (shrt > 0) + (lng > 0) + (chr > 0) + (other > 0);   // at most one
  if (unsig + sig > 1 || lng > 2 || shrt > 1 || chr > 1 || in_t > 1 || other > 1 ||
      sizes > 1 || (in_t && (chr || other)) || unsig + sig + lng + shrt + chr + in_t + other == 0)
    return name;
  std::string base = other ? rest : chr ? "char" : shrt ? "short" : lng == 2 ? "long long"
                                  : lng == 1 ? "long" : "int";
  if (unsig) return "unsigned " + base;
  if (sig && chr) return "signed char";
  return base;
}

bool is_float_name(const std::string& n) {
  return n == "float" || n == "double" || n == "long double" || n.rfind("_Float", 0) == 0 ||
         n == "__float128";
}

// Node i is the target of some edge.
std::vector<uint8_t> referenced(const Model& m) {
  std::vector<uint8_t> used(m.nodes.size(), 0);
  for (const Node& n : m.nodes)
    for (uint32_t e : n.edges) used[e] = 1;
  return used;
}

uint32_t add_node(Model& m, Node n) {
  m.nodes.push_back(std::move(n));
  return uint32_t(m.nodes.size() - 1);
}

void int_names(Model& m) {
  for (Node& n : m.nodes)
    if (n.kind == Kind::Int) n.name = canonical_int_name(n.name);
}

void char_encoding(Model& m) {
  for (Node& n : m.nodes)
    if (n.kind == Kind::Int && n.size == 1 && n.y == 8) n.x &= ~int64_t(3);   // signed, char
}

void array_index(Model& m) {
  for (Node& n : m.nodes)
    if (n.kind == Kind::Array) n.edges[1] = 0;
  // clang's artificial index type, when nothing else refers to it, becomes void.
  const std::vector<uint8_t> used = referenced(m);
  for (size_t i = 1; i < m.nodes.size(); ++i)
    if (m.nodes[i].kind == Kind::Int && m.nodes[i].name == "__ARRAY_SIZE_TYPE__" && !used[i])
      m.nodes[i] = Node{};
}

void float_int(Model& m) {
  for (Node& n : m.nodes)
    if (n.kind == Kind::Int && is_float_name(n.name)) {
      n.kind = Kind::Float;
      n.x = n.y = n.z = 0;
    }
}

void enum_sign(Model& m) {
  for (Node& n : m.nodes) {
    if (!btf::is_any_enum(n.kind)) continue;
    n.x = 0;
    if (n.kind == Kind::Enum)
      for (Field& f : n.fields) f.a = int64_t(int32_t(uint32_t(f.a)));
  }
}

void enum64(Model& m) {
  for (Node& n : m.nodes)
    if (n.kind == Kind::Enum64) n.kind = Kind::Enum;
}

void func_linkage(Model& m) {
  for (Node& n : m.nodes)
    if (n.kind == Kind::Func) n.x = 0;
}

// Legacy (kind_flag 0) bitfields keep width and bit offset in a dedicated INT; move them
// to the member and point it at the plain INT of that size and encoding. A dedicated INT
// that nothing refers to afterwards goes (the member-level encoding has none).
void bitfields(Model& m) {
  std::map<std::tuple<std::string, uint64_t, int64_t>, uint32_t> plain;
  std::set<uint32_t> dedicated;
  const size_t n0 = m.nodes.size();
  for (size_t i = 0; i < n0; ++i) {
    if (!btf::is_composite(m.nodes[i].kind)) continue;
    for (size_t k = 0; k < m.nodes[i].edges.size(); ++k) {
      const Node& t = m.nodes[m.nodes[i].edges[k]];
      if (t.kind != Kind::Int || m.nodes[i].fields[k].b != 0) continue;
      if (t.z == 0 && uint64_t(t.y) == t.size * 8) continue;   // regular int
      const auto key = std::make_tuple(t.name, t.size, t.x);
      auto it = plain.find(key);
      if (it == plain.end()) {
        Node p = t;
        p.y = int64_t(t.size * 8);
        p.z = 0;
        it = plain.emplace(key, add_node(m, p)).first;
      }
      Node& s = m.nodes[i];
      dedicated.insert(s.edges[k]);
      s.fields[k].a += m.nodes[s.edges[k]].z;
      s.fields[k].b = m.nodes[s.edges[k]].y;
      s.edges[k] = it->second;
    }
  }
  const std::vector<uint8_t> used = referenced(m);
  for (uint32_t d : dedicated)
    if (!used[d]) m.nodes[d] = Node{};
}

void fwd_decl(Model& m) { m.fwd_as_decl = true; }

// gcc 12 -gbtf emits an incomplete enum as FWD with kind_flag 0 (a struct forward): a FWD
// whose name no definition of its own kind has, but a definition of one other aggregate
// kind does, becomes a forward of that kind (an enum forward: ENUM without enumerators).
void fwd_kind(Model& m) {
  std::map<std::string, int> kinds;   // name -> bit 0 struct, 1 union, 2 enum (definitions)
  for (const Node& n : m.nodes) {
    if (n.name.empty()) continue;
    if (n.kind == Kind::Struct) kinds[n.name] |= 1;
    else if (n.kind == Kind::Union) kinds[n.name] |= 2;
    else if (btf::is_any_enum(n.kind) && !n.fields.empty()) kinds[n.name] |= 4;
  }
  for (Node& n : m.nodes) {
    if (n.kind != Kind::Fwd || n.name.empty()) continue;
    auto it = kinds.find(n.name);
    if (it == kinds.end() || (it->second & (n.x ? 2 : 1))) continue;   // own kind defined
    if (it->second == 4) {
      n.kind = Kind::Enum;
      n.x = 0;
      n.size = 4;
    } else if (it->second == (n.x ? 1 : 2)) {
      n.x = !n.x;
    }
  }
}

// Chains of modifiers and type tags: rebuilt as tags (sorted by name) then const,
// volatile, restrict, each once, so the order of tags and qualifiers no longer differs.
void type_tag_order(Model& m) {
  const size_t n0 = m.nodes.size();
  std::map<std::pair<std::vector<std::pair<std::string, int64_t>>, std::pair<int, uint32_t>>, uint32_t> built;
  for (size_t i = 0; i < n0; ++i) {
    for (size_t k = 0; k < m.nodes[i].edges.size(); ++k) {
      const uint32_t head = m.nodes[i].edges[k];
      if (btf::is_modifier(m.nodes[i].kind) || !btf::is_modifier(m.nodes[head].kind)) continue;
      std::vector<std::pair<std::string, int64_t>> tags;   // name, kind_flag
      int quals = 0;   // bit 0 const, 1 volatile, 2 restrict
      uint32_t t = head;
      bool has_tag = false;
      for (size_t guard = 0; btf::is_modifier(m.nodes[t].kind) && guard < 64; ++guard) {
        const Node& q = m.nodes[t];
        if (q.kind == Kind::TypeTag) tags.emplace_back(q.name, q.x), has_tag = true;
        else quals |= q.kind == Kind::Const ? 1 : q.kind == Kind::Volatile ? 2 : 4;
        t = q.edges[0];
      }
      (void)has_tag;
      std::sort(tags.begin(), tags.end());
      const auto key = std::make_pair(tags, std::make_pair(quals, t));
      auto it = built.find(key);
      if (it == built.end()) {
        uint32_t cur = t;
        const Kind order[] = {Kind::Restrict, Kind::Volatile, Kind::Const};
        const int bit[] = {4, 2, 1};
        for (int q = 0; q < 3; ++q)
          if (quals & bit[q]) {
            Node nn;
            nn.kind = order[q];
            nn.edges = {cur};
            cur = add_node(m, nn);
          }
        for (auto r = tags.rbegin(); r != tags.rend(); ++r) {
          Node nn;
          nn.kind = Kind::TypeTag;
          nn.name = r->first;
          nn.x = r->second;
          nn.edges = {cur};
          cur = add_node(m, nn);
        }
        it = built.emplace(key, cur).first;
      }
      m.nodes[i].edges[k] = it->second;
    }
  }
}

// Compilers leave DATASEC offsets (and often sizes) for libbpf to fill: drop them, and
// order entries by the variable's name.
void datasec_offsets(Model& m) {
  for (Node& n : m.nodes) {
    if (n.kind != Kind::Datasec) continue;
    n.size = 0;
    std::vector<std::pair<std::string, uint32_t>> entries;
    for (uint32_t e : n.edges) entries.push_back({m.nodes[e].name, e});
    std::sort(entries.begin(), entries.end());
    for (size_t k = 0; k < entries.size(); ++k) {
      n.fields[k] = Field{};
      n.edges[k] = entries[k].second;
    }
  }
}

// A qualifier on an array applies to its elements (C11 6.7.3p9); gcc repeats it on both
// the array and the element: const(array(T)) -> array(const(T)).
void array_qualifiers(Model& m) {
  const size_t n0 = m.nodes.size();
  for (size_t i = 0; i < n0; ++i) {
    const Kind k = m.nodes[i].kind;
    if (!btf::is_qualifier(k)) continue;
    uint32_t arr = m.nodes[i].edges[0];
    for (int guard = 0; guard < 64 && m.nodes[arr].kind == Kind::Typedef; ++guard)
      arr = m.nodes[arr].edges[0];
    if (m.nodes[arr].kind != Kind::Array) continue;
    // Nested arrays down to the innermost element; the qualifier goes there.
    std::vector<uint32_t> chain{arr};
    while (chain.size() < 64 && m.nodes[m.nodes[chain.back()].edges[0]].kind == Kind::Array)
      chain.push_back(m.nodes[chain.back()].edges[0]);
    uint32_t elem = m.nodes[chain.back()].edges[0];
    bool has = false;   // already qualified the same way in the element's modifier chain?
    for (uint32_t e = elem, guard = 0; guard < 64 && btf::is_modifier(m.nodes[e].kind); ++guard) {
      has |= m.nodes[e].kind == k;
      e = m.nodes[e].edges[0];
    }
    if (!has) {
      Node q;
      q.kind = k;
      q.edges = {elem};
      elem = add_node(m, q);
    }
    // Rebuild the inner arrays around the qualified element, then turn node i into the
    // outermost one.
    for (size_t c = chain.size(); c-- > 1;) {
      Node a = m.nodes[chain[c]];
      a.edges[0] = elem;
      elem = add_node(m, a);
    }
    const Node outer = m.nodes[arr];
    Node& n = m.nodes[i];
    n.kind = Kind::Array;
    n.name.clear();
    n.size = outer.size;
    n.edges = {elem, outer.edges[1]};
  }
}

// Named INT and FLOAT types nothing refers to: gcc emits every base type a translation unit
// mentions, compilers for BPF only the used ones.
// (References are counted after the rules before this one, so an index type that
// array-index dropped counts as unused.)
void unused_base_types(Model& m) {
  const std::vector<uint8_t> used = referenced(m);
  for (size_t i = 1; i < m.nodes.size(); ++i)
    if ((m.nodes[i].kind == Kind::Int || m.nodes[i].kind == Kind::Float) && !used[i])
      m.nodes[i] = Node{};
}

// pahole flattens int a[2][3] into array(int, 6); compilers nest array(array(int, 3), 2).
// No rewrite can make both equal to a compiler's nesting while keeping a nesting in
// another order apart (gcc 12 emits array(array(int, 2), 3)): the diff compares arrays by
// shape instead (comparator/diff/array_shape.h).
void array_flatten(Model& m) { m.arrays_by_shape = true; }

void param_names(Model& m) {
  for (Node& n : m.nodes)
    if (n.kind == Kind::FuncProto)
      for (Field& f : n.fields) f.name.clear();
}

struct Rule {
  RuleInfo info;
  void (*apply)(Model&);
};

const std::vector<Rule>& table() {
  static const std::vector<Rule> kTable = {
      {{"int-names", "integer names in one spelling: 'long unsigned int' = 'unsigned long' (gcc vs clang)"}, int_names},
      {{"char-encoding", "ignore SIGNED/CHAR encoding bits of 8-bit ints (pahole < 1.24 encoded char unsigned)"}, char_encoding},
      {{"float-int", "FLOAT and INT-encoded floating types are the same (old producers lacked FLOAT)"}, float_int},
      {{"bitfields", "legacy kind_flag=0 bitfields (width in a dedicated INT) = member-level bitfields"}, bitfields},
      {{"array-qualifiers", "a qualifier on an array is one on its elements (gcc puts it on both)"}, array_qualifiers},
      {{"array-flatten", "a one-dimensional array (pahole flattens) equals a nested one of as many elements; nested arrays (also through array typedefs) must agree dimension by dimension"}, array_flatten},
      {{"array-index", "ignore the array index type (int, __ARRAY_SIZE_TYPE__, unsigned long)"}, array_index},
      {{"enum-sign", "ignore the enum signedness flag (kind_flag), compare values as signed"}, enum_sign},
      {{"enum64", "ENUM64 and ENUM are one kind (producers without ENUM64 support)"}, enum64},
      {{"func-linkage", "ignore FUNC linkage (pahole emits static, compilers global/extern)"}, func_linkage},
      {{"type-tag-order", "type tags (sorted) then const, volatile, restrict: one order for a modifier chain (clang vs pahole vs gcc)"}, type_tag_order},
      {{"datasec-offsets", "ignore DATASEC size and entry offsets/sizes, left 0 by compilers for libbpf to fill"}, datasec_offsets},
      {{"fwd-kind", "a FWD whose name only a definition of another kind has stands for it (gcc 12 emits incomplete enums as struct FWDs)"}, fwd_kind},
      {{"fwd-decl", "a forward declaration equals the definition of its name (clang emits FWD behind pointers)"}, fwd_decl},
      {{"unused-base-types", "ignore INT/FLOAT types nothing refers to (gcc emits every base type it saw)"}, unused_base_types},
      {{"param-names", "ignore parameter names in prototypes"}, param_names},
  };
  return kTable;
}

const std::map<std::string, std::vector<std::string>>& presets() {
  static const std::map<std::string, std::vector<std::string>> kPresets = {
      {"cross-producer",
       {"int-names", "char-encoding", "float-int", "bitfields", "array-flatten", "array-index",
        "enum-sign", "enum64", "func-linkage", "type-tag-order", "datasec-offsets", "fwd-kind", "fwd-decl",
        "array-qualifiers", "unused-base-types"}},
      {"all", {}},   // filled from the table below
  };
  return kPresets;
}

}  // namespace

const std::vector<RuleInfo>& all_rules() {
  static const std::vector<RuleInfo> kInfos = [] {
    std::vector<RuleInfo> v;
    for (const Rule& r : table()) v.push_back(r.info);
    v.push_back({"cross-producer", "preset: every rule above except param-names"});
    v.push_back({"all", "preset: every rule"});
    return v;
  }();
  return kInfos;
}

Result<std::vector<std::string>> parse_rules(const std::string& comma_list) {
  std::set<std::string> chosen;
  size_t pos = 0;
  while (pos <= comma_list.size()) {
    size_t c = comma_list.find(',', pos);
    if (c == std::string::npos) c = comma_list.size();
    const std::string name = comma_list.substr(pos, c - pos);
    pos = c + 1;
    if (name.empty() || name == "strict" || name == "none") continue;
    if (name == "all") {
      for (const Rule& r : table()) chosen.insert(r.info.name);
      continue;
    }
    if (auto p = presets().find(name); p != presets().end()) {
      chosen.insert(p->second.begin(), p->second.end());
      continue;
    }
    bool known = false;
    for (const Rule& r : table()) known |= name == r.info.name;
    if (!known) {
      Error e;
      e.rule = "usage.rule";
      e.message = "unknown normalization rule '" + name + "' (see `btfcheck diff --help`)";
      return e;
    }
    chosen.insert(name);
  }
  std::vector<std::string> out;
  for (const Rule& r : table())   // table order
    if (chosen.count(r.info.name)) out.push_back(r.info.name);
  return out;
}

void apply_rules(Model& m, const std::vector<std::string>& rules) {
  for (const Rule& r : table())
    if (std::find(rules.begin(), rules.end(), r.info.name) != rules.end()) r.apply(m);
}

}  // namespace btfcheck::canon
