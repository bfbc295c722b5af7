// The walk behind compare_top: descends both graphs in step from a pair of classes,
// emitting a Change wherever a label field differs, and recursing through anonymous
// classes (aggregates, pointers, modifiers, arrays, prototypes) so that the change is
// placed at its exact path. Named references are compared by key only (their content is
// compared at their own top level). Recursion is bounded by kMaxDepth; deeper anonymous
// nesting (only in synthetic input) is reported as one type change at that depth.
#include <map>

#include "comparator/diff/array_shape.h"
#include "comparator/diff/walk.h"

namespace btfcheck::diff {
namespace {

using canon::Graph;
using canon::Kind;
using canon::Node;

constexpr int kMaxDepth = 64;

struct Walker {
  const Graph& A;
  const Graph& B;
  std::vector<Change>& out;
  std::string top_kind;

  void emit(std::string cat, const std::string& path, std::string before, std::string after,
            std::optional<int64_t> bb = std::nullopt,
            std::optional<int64_t> ab = std::nullopt) {
    Change c = Change::of(std::move(cat), top_kind, path, std::move(before), std::move(after));
    c.before_bits = bb;
    c.after_bits = ab;
    out.push_back(std::move(c));
  }

  static std::string num(int64_t v) { return std::to_string(v); }

  // Strips const/volatile/restrict from the top of a reference.
  static uint32_t unqualified(const Graph& g, uint32_t c) {
    for (int i = 0; i < kMaxDepth && !g.named[c] && btf::is_qualifier(canon::rep_node(g, c).kind);
         ++i)
      c = canon::succ(g, c, 0);
    return c;
  }

  void ref(uint32_t ca, uint32_t cb, const std::string& path, int depth,
           const char* category = "type") {
    const std::string& ea = A.expr[ca];
    const std::string& eb = B.expr[cb];
    if (ea == eb && A.named[ca] == B.named[cb]) return;
    // Not walkable in step: one type change, or "qualifier" when only const/volatile/
    // restrict around the same type differ.
    auto whole = [&] {
      const uint32_t ua = unqualified(A, ca), ub = unqualified(B, cb);
      emit((ua != ca || ub != cb) && A.expr[ua] == B.expr[ub] ? "qualifier" : category, path,
           ea, eb);
    };
    if (A.named[ca] || B.named[cb] || depth > kMaxDepth ||
        canon::rep_node(A, ca).kind != canon::rep_node(B, cb).kind)
      return whole();
    body(ca, cb, path, depth + 1);
  }

  // Walks the references outside the vlen entries (target, return, element, index) in
  // step. A node's edges are its record's references in record order (btf/kinds.h).
  void leading(uint32_t ca, uint32_t cb, Kind k, const std::string& path, int depth) {
    uint32_t e = 0;
    btf::for_each_ref(uint32_t(k), 0, [&](uint32_t, btf::RefRole role, uint32_t) {
      const uint32_t a = canon::succ(A, ca, e), b = canon::succ(B, cb, e);
      ++e;
      switch (role) {
        case btf::RefRole::Element: return ref(a, b, path + "[]", depth);
        case btf::RefRole::Index: return ref(a, b, path + "[index]", depth);
        case btf::RefRole::Return: return ref(a, b, path + ".return", depth, "return");
        default: return ref(a, b, path, depth);
      }
    });
  }
  // The class that vlen entry i (member, parameter, DATASEC entry) of class c refers to.
  static uint32_t entry(const Graph& g, uint32_t c, size_t i) {
    return canon::succ(g, c, btf::leading_refs(uint32_t(canon::rep_node(g, c).kind)) + i);
  }

  // Compares two classes of the same kind.
  void body(uint32_t ca, uint32_t cb, const std::string& path, int depth) {
    const Node& na = canon::rep_node(A, ca);
    const Node& nb = canon::rep_node(B, cb);
    switch (na.kind) {
      case Kind::Struct: case Kind::Union:
        if (na.size != nb.size)
          emit("size", path, num(na.size), num(nb.size), int64_t(na.size) * 8,
               int64_t(nb.size) * 8);
        members(ca, cb, path, depth);
        return;
      case Kind::Enum: case Kind::Enum64:
        enums(na, nb, path);
        return;
      case Kind::Int:
        if (na.size != nb.size || na.y != nb.y)
          emit("size", path, num(na.y), num(nb.y), na.y, nb.y);
        if (na.x != nb.x) emit("encoding", path, num(na.x), num(nb.x));
        if (na.z != nb.z) emit("offset", path, num(na.z), num(nb.z), na.z, nb.z);
        return;
      case Kind::Float:
        if (na.size != nb.size)
          emit("size", path, num(na.size), num(nb.size), int64_t(na.size) * 8,
               int64_t(nb.size) * 8);
        return;
      case Kind::Fwd:
        if (na.x != nb.x) emit("kind", path, na.x ? "union" : "struct", nb.x ? "union" : "struct");
        return;
      case Kind::Array:
        if (A.model.arrays_by_shape && B.model.arrays_by_shape)
          return shaped_array(ca, cb, path, depth);
        if (na.size != nb.size)
          emit("array-length", path, num(na.size), num(nb.size));
        return leading(ca, cb, na.kind, path, depth);
      case Kind::TypeTag:
        if (na.name != nb.name) emit("type", path, A.expr[ca], B.expr[cb]);
        return leading(ca, cb, na.kind, path, depth);
      case Kind::Ptr: case Kind::Const: case Kind::Volatile: case Kind::Restrict:
      case Kind::Typedef:
        return leading(ca, cb, na.kind, path, depth);
      case Kind::Func: case Kind::Var:
        if (na.x != nb.x) emit("linkage", path, num(na.x), num(nb.x));
        return leading(ca, cb, na.kind, path, depth);
      case Kind::FuncProto:
        proto(ca, cb, path, depth);
        return;
      case Kind::Datasec:
        datasec(ca, cb, path);
        return;
      case Kind::DeclTag:
        if (na.name != nb.name || na.x != nb.x) emit("type", path, A.expr[ca], B.expr[cb]);
        return;
      case Kind::Unkn:
        return;
    }
  }

  // array-flatten: arrays compared by shape (array_shape.h). A different nesting is one
  // type change printing both shapes (int[3][4][5] -> int[5][4][3]); otherwise the
  // innermost elements are compared at path[], and the index types per dimension when both
  // have as many dimensions (else the outermost ones).
  void shaped_array(uint32_t ca, uint32_t cb, const std::string& path, int depth) {
    const ArrayShape sa = array_shape(A, ca), sb = array_shape(B, cb);
    switch (match_shapes(sa, sb)) {
      case ShapeMatch::Nesting:
        return emit("type", path, shape_text(A, sa), shape_text(B, sb));
      case ShapeMatch::Length:
        emit("array-length", path, std::to_string(sa.count()), std::to_string(sb.count()));
        break;
      case ShapeMatch::Equal:
        break;
    }
    ref(sa.element, sb.element, path + "[]", depth);
    const size_t levels = sa.dims.size() == sb.dims.size() ? sa.dims.size() : 1;
    std::string level = path;
    for (size_t l = 0; l < levels; ++l, level += "[]")
      ref(sa.index[l], sb.index[l], level + "[index]", depth);
  }

  std::string member_path(const std::string& path, const Graph& g, uint32_t c, size_t i) {
    const Node& n = canon::rep_node(g, c);
    const canon::Field& f = n.fields[i];
    if (!f.name.empty()) return path + "." + f.name;
    const Node& t = canon::rep_node(g, entry(g, c, i));
    return path + ".(anon " + canon::kind_word(t.kind) + "@" + num(f.a) + ")";
  }

  void members(uint32_t ca, uint32_t cb, const std::string& path, int depth) {
    const Node& na = canon::rep_node(A, ca);
    const Node& nb = canon::rep_node(B, cb);
    const size_t n_a = na.fields.size(), n_b = nb.fields.size();
    std::vector<int64_t> match_a(n_a, -1), match_b(n_b, -1);
    std::map<std::string, size_t> by_name;
    std::vector<size_t> anon_b;
    for (size_t j = 0; j < n_b; ++j) {
      if (nb.fields[j].name.empty()) anon_b.push_back(j);
      else by_name.emplace(nb.fields[j].name, j);
    }
    size_t next_anon = 0;
    for (size_t i = 0; i < n_a; ++i) {
      const std::string& name = na.fields[i].name;
      if (name.empty()) {
        if (next_anon < anon_b.size()) match_a[i] = int64_t(anon_b[next_anon++]);
      } else if (auto it = by_name.find(name); it != by_name.end()) {
        match_a[i] = int64_t(it->second);
      }
      if (match_a[i] >= 0) match_b[size_t(match_a[i])] = int64_t(i);
    }
    // Renames: an unmatched pair at the same bit offset.
    for (size_t i = 0; i < n_a; ++i) {
      if (match_a[i] >= 0) continue;
      for (size_t j = 0; j < n_b; ++j)
        if (match_b[j] < 0 && nb.fields[j].a == na.fields[i].a &&
            na.fields[i].name.empty() == nb.fields[j].name.empty()) {
          match_a[i] = int64_t(j);
          match_b[j] = int64_t(i);
          emit("name", member_path(path, A, ca, i), na.fields[i].name, nb.fields[j].name);
          break;
        }
    }
    for (size_t i = 0; i < n_a; ++i) {
      const std::string mp = member_path(path, A, ca, i);
      if (match_a[i] < 0) {
        emit("member", mp, A.expr[entry(A, ca, i)] + " @" + num(na.fields[i].a), "",
             na.fields[i].a, std::nullopt);
        continue;
      }
      const size_t j = size_t(match_a[i]);
      const canon::Field& fa = na.fields[i];
      const canon::Field& fb = nb.fields[j];
      if (fa.a != fb.a) emit("offset", mp, num(fa.a), num(fb.a), fa.a, fb.a);
      if (fa.b != fb.b) emit("bitfield", mp, num(fa.b), num(fb.b), fa.b, fb.b);
      ref(entry(A, ca, i), entry(B, cb, j), mp, depth);
    }
    for (size_t j = 0; j < n_b; ++j)
      if (match_b[j] < 0)
        emit("member", member_path(path, B, cb, j), "",
             B.expr[entry(B, cb, j)] + " @" + num(nb.fields[j].a), std::nullopt,
             nb.fields[j].a);
  }

  void enums(const Node& na, const Node& nb, const std::string& path) {
    if (na.size != nb.size)
      emit("size", path, num(na.size), num(nb.size), int64_t(na.size) * 8,
           int64_t(nb.size) * 8);
    if (na.x != nb.x) emit("signedness", path, na.x ? "signed" : "unsigned",
                           nb.x ? "signed" : "unsigned");
    std::map<std::string, int64_t> vb;
    for (const canon::Field& f : nb.fields) vb.emplace(f.name, f.a);
    std::map<std::string, int64_t> va;
    for (const canon::Field& f : na.fields) {
      va.emplace(f.name, f.a);
      auto it = vb.find(f.name);
      if (it == vb.end()) emit("enumerator", path + "." + f.name, num(f.a), "");
      else if (it->second != f.a) emit("enum-value", path + "." + f.name, num(f.a), num(it->second));
    }
    for (const canon::Field& f : nb.fields)
      if (!va.count(f.name)) emit("enumerator", path + "." + f.name, "", num(f.a));
  }

  void proto(uint32_t ca, uint32_t cb, const std::string& path, int depth) {
    const Node& na = canon::rep_node(A, ca);
    const Node& nb = canon::rep_node(B, cb);
    leading(ca, cb, na.kind, path, depth);   // the return type
    const size_t n = std::min(na.fields.size(), nb.fields.size());
    for (size_t i = 0; i < n; ++i) {
      const std::string pp = path + ".param" + num(int64_t(i));
      if (na.fields[i].name != nb.fields[i].name)
        emit("param-name", pp, na.fields[i].name, nb.fields[i].name);
      ref(entry(A, ca, i), entry(B, cb, i), pp, depth, "param");
    }
    for (size_t i = n; i < na.fields.size(); ++i)
      emit("param", path + ".param" + num(int64_t(i)), A.expr[entry(A, ca, i)], "");
    for (size_t i = n; i < nb.fields.size(); ++i)
      emit("param", path + ".param" + num(int64_t(i)), "", B.expr[entry(B, cb, i)]);
  }

  void datasec(uint32_t ca, uint32_t cb, const std::string& path) {
    const Node& na = canon::rep_node(A, ca);
    const Node& nb = canon::rep_node(B, cb);
    std::map<std::string, const canon::Field*> eb;
    for (size_t j = 0; j < nb.fields.size(); ++j)
      eb.emplace(B.expr[entry(B, cb, j)], &nb.fields[j]);
    std::map<std::string, const canon::Field*> ea;
    if (na.size != nb.size)
      emit("size", path, num(na.size), num(nb.size), int64_t(na.size) * 8, int64_t(nb.size) * 8);
    for (size_t i = 0; i < na.fields.size(); ++i) {
      const std::string& v = A.expr[entry(A, ca, i)];
      ea.emplace(v, &na.fields[i]);
      auto it = eb.find(v);
      const canon::Field& f = na.fields[i];
      if (it == eb.end()) {
        emit("datasec", path + "." + v, num(f.a) + "+" + num(f.b), "");
      } else if (it->second->a != f.a || it->second->b != f.b) {
        emit("datasec", path + "." + v, num(f.a) + "+" + num(f.b),
             num(it->second->a) + "+" + num(it->second->b), f.a * 8, it->second->a * 8);
      }
    }
    for (size_t j = 0; j < nb.fields.size(); ++j) {
      const std::string& v = B.expr[entry(B, cb, j)];
      if (!ea.count(v))
        emit("datasec", path + "." + v, "", num(nb.fields[j].a) + "+" + num(nb.fields[j].b));
    }
  }
};

}  // namespace

void compare_top(const Graph& a, const Graph& b, uint32_t ca, uint32_t cb,
                 std::vector<Change>& out) {
  const Node& na = canon::rep_node(a, ca);
  const Node& nb = canon::rep_node(b, cb);
  Walker w{a, b, out, canon::kind_word(nb.kind)};
  const std::string& path = a.key[ca];
  const auto declaration = canon::is_declaration_only;
  if (declaration(na) != declaration(nb)) {
    w.emit("decl-status", path, declaration(na) ? "declaration" : "definition",
           declaration(nb) ? "declaration" : "definition");
    return;
  }
  if (na.kind != nb.kind) {
    w.emit("kind", path, canon::kind_word(na.kind), canon::kind_word(nb.kind));
    return;
  }
  w.body(ca, cb, path, 0);
}

}  // namespace btfcheck::diff
