// Canonical text: reference expressions for every class and one line per top-level class.
//
// Lines, sorted: "KEY := DEFINITION" for every named class, "decl_tag ..." for decl tags,
// "anon := EXPR" for anonymous classes nothing refers to. A definition prints references
// as expressions (names.cc), so anonymous structs, pointers and prototypes appear inline
// where they are used and the text never mentions a type id.
#include <algorithm>

#include "comparator/canon/canon.h"
#include "comparator/canon/names_internal.h"
#include "comparator/canon/rules.h"

namespace btfcheck::canon {
namespace {

constexpr size_t kMaxExpr = 4096;

const char* int_encoding(int64_t e) {
  switch (e) {
    case 0: return "none";
    case 1: return "signed";
    case 2: return "char";
    case 4: return "bool";
    default: return "invalid";
  }
}
const char* linkage(Kind k, int64_t l) {
  if (k == Kind::Func) return l == 0 ? "static" : l == 1 ? "global" : l == 2 ? "extern" : "invalid";
  return l == 0 ? "static" : l == 1 ? "global" : l == 2 ? "extern" : "invalid";
}

std::string num(int64_t v) { return std::to_string(v); }

// The body of a class: everything after "KEY := " for named classes, and the whole
// expression for anonymous ones. `ref(i)` prints the reference of edge i.
template <typename Ref>
std::string body(const Node& n, Ref&& ref, bool anonymous) {
  std::string s;
  switch (n.kind) {
    case Kind::Unkn: return "void";
    case Kind::Int:
      return "int size=" + num(n.size) + " bits=" + num(n.y) +
             (n.z ? " offset=" + num(n.z) : "") + " enc=" + int_encoding(n.x);
    case Kind::Float: return "float size=" + num(n.size);
    case Kind::Ptr: return "ptr(" + ref(0) + ")";
    case Kind::Const: return "const(" + ref(0) + ")";
    case Kind::Volatile: return "volatile(" + ref(0) + ")";
    case Kind::Restrict: return "restrict(" + ref(0) + ")";
    case Kind::TypeTag: return "type_tag(\"" + n.name + "\", " + ref(0) + ")";
    case Kind::Typedef: return "typedef " + ref(0);
    case Kind::Array: return "array(" + ref(0) + ", " + num(int64_t(n.size)) + ", " + ref(1) + ")";
    case Kind::Fwd: return n.x ? "fwd union" : "fwd struct";
    case Kind::Struct: case Kind::Union: {
      s = anonymous ? (n.kind == Kind::Struct ? "struct { " : "union { ")
                    : "size=" + num(n.size) + " { ";
      for (size_t i = 0; i < n.fields.size(); ++i) {
        const Field& f = n.fields[i];
        s += (f.name.empty() ? "(anon)" : f.name) + ": " + ref(i) + " @" + num(f.a);
        if (f.b) s += ":" + num(f.b);
        s += "; ";
      }
      s += "}";
      if (anonymous) s += " size=" + num(n.size);
      return s;
    }
    case Kind::Enum: case Kind::Enum64: {
      s = std::string(anonymous ? kind_word(n.kind) : "") + (anonymous ? " " : "") + "size=" +
          num(n.size) + (n.x ? " signed" : " unsigned") + " { ";
      for (size_t i = 0; i < n.fields.size(); ++i)
        s += n.fields[i].name + " = " +
             (n.x || n.kind == Kind::Enum ? num(n.fields[i].a)
                                          : std::to_string(uint64_t(n.fields[i].a))) + "; ";
      return s + "}";
    }
    case Kind::FuncProto: {
      s = "fn(";
      for (size_t i = 0; i < n.fields.size(); ++i) {
        if (i) s += ", ";
        const bool varargs = i + 1 == n.fields.size() && n.edges[i + 1] == 0 &&
                             n.fields[i].name.empty();
        if (varargs) s += "...";
        else s += ref(i + 1) + (n.fields[i].name.empty() ? "" : " " + n.fields[i].name);
      }
      return s + ") -> " + ref(0);
    }
    case Kind::Func: return std::string("func ") + linkage(n.kind, n.x) + " " + ref(0);
    case Kind::Var: return std::string("var ") + linkage(n.kind, n.x) + " " + ref(0);
    case Kind::Datasec: {
      s = "datasec size=" + num(n.size) + " { ";
      for (size_t i = 0; i < n.fields.size(); ++i)
        s += ref(i) + " @" + num(n.fields[i].a) + "+" + num(n.fields[i].b) + "; ";
      return s + "}";
    }
    case Kind::DeclTag:
      return "decl_tag(\"" + n.name + "\", " + ref(0) +
             (n.x >= 0 ? ", " + num(n.x) : "") + ")";
  }
  return "?";
}

}  // namespace

void compute_text(Graph& g) {
  const uint32_t nc = g.part.count();
  g.expr.assign(nc, "");
  std::vector<uint8_t> state(nc, 0);
  for (uint32_t c = 0; c < nc; ++c) {
    if (g.named[c]) g.expr[c] = g.key[c];
  }
  auto anon_ref = [&](uint32_t s, const std::vector<uint8_t>& st) -> std::string {
    if (g.named[s]) return g.expr[s];
    if (st[s] == 1) return "anon#" + hex64(g.digest[s]).substr(0, 8);
    return g.expr[s];
  };
  for (uint32_t root = 0; root < nc; ++root) {
    post_order(g, state, root, [&](uint32_t c) {
      if (g.named[c]) return;
      const Node& n = rep_node(g, c);
      std::string e = body(n, [&](size_t i) { return anon_ref(succ(g, c, i), state); }, true);
      if (e.size() > kMaxExpr) e = "anon#" + hex64(g.digest[c]).substr(0, 8);
      g.expr[c] = std::move(e);
    });
  }
  // Top-level lines.
  std::vector<uint8_t> referenced(nc, 0);   // some member was referenced in the input
  for (size_t i = 0; i < g.model.nodes.size(); ++i)
    if (g.model.referenced(i)) referenced[g.part.cls[i]] = 1;
  std::vector<std::pair<std::string, uint32_t>> tops;
  for (uint32_t c = 1; c < nc; ++c) {
    const Node& n = rep_node(g, c);
    if (n.kind == Kind::Unkn) continue;
    const bool declaration = n.kind == Kind::Fwd ||
        ((n.kind == Kind::Enum || n.kind == Kind::Enum64) && n.fields.empty());
    if (g.named[c] && declaration && g.model.fwd_as_decl) continue;
    if (g.named[c]) {
      tops.push_back({g.key[c] + " := " +
                          body(n, [&](size_t i) { return g.expr[succ(g, c, i)]; }, false),
                      c});
    } else if (n.kind == Kind::DeclTag) {
      tops.push_back({g.expr[c], c});
    } else if (!referenced[c]) {
      tops.push_back({"anon := " + g.expr[c], c});
    }
  }
  std::sort(tops.begin(), tops.end(), [&](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : g.digest[a.second] < g.digest[b.second];
  });
  g.tops.clear();
  g.lines.clear();
  for (auto& [line, c] : tops) {
    g.tops.push_back(c);
    g.lines.push_back(std::move(line));
  }
}

Graph build(const btf::Btf& btf, const Options& opts) {
  Graph g;
  g.model = build_model(btf);
  apply_rules(g.model, opts.rules);
  g.part = refine(g.model);
  compute_keys(g);
  compute_text(g);
  return g;
}

std::string text(const Graph& g) {
  std::string out;
  for (size_t i = 0; i < g.lines.size(); ++i) {
    if (i && g.lines[i] == g.lines[i - 1]) continue;   // identical anonymous leftovers
    out += g.lines[i];
    out += '\n';
  }
  return out;
}

uint64_t graph_digest(const Graph& g) {
  const std::string t = text(g);
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : t) h = (h ^ c) * 1099511628211ull;
  return h;
}

}  // namespace btfcheck::canon
