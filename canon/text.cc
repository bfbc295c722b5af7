// Canonical text: reference expressions for every class and one line per top-level class.
//
// Lines, sorted: "KEY := DEFINITION" for every named class, "decl_tag ..." for decl tags,
// "anon := EXPR" for anonymous classes nothing refers to. A definition prints references
// as expressions (names.cc), so anonymous structs, pointers and prototypes appear inline
// where they are used and the text never mentions a type id.
#include <algorithm>

#include "canon/canon.h"
#include "canon/names_internal.h"
#include "canon/rules.h"

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
// FUNC and VAR linkage share their numbering: 0 static, 1 global, 2 extern.
const char* linkage(int64_t l) {
  return l == 0 ? "static" : l == 1 ? "global" : l == 2 ? "extern" : "invalid";
}


// Appends the body of a class to `s`: everything after "KEY := " for named classes, and
// the whole expression for anonymous ones. `ref(s, i)` appends the reference of edge i.
template <typename Ref>
void body(std::string& s, const Node& n, Ref&& ref, bool anonymous) {
  auto num = [&](int64_t v) { s += std::to_string(v); };
  auto wrap = [&](const char* open, size_t edge) {
    s += open;
    ref(s, edge);
    s += ')';
  };
  switch (n.kind) {
    case Kind::Unkn: s += "void"; return;
    case Kind::Int:
      s += "int size="; num(int64_t(n.size)); s += " bits="; num(n.y);
      if (n.z) s += " offset=", num(n.z);
      s += " enc="; s += int_encoding(n.x);
      return;
    case Kind::Float: s += "float size="; num(int64_t(n.size)); return;
    case Kind::Ptr: wrap("ptr(", 0); return;
    case Kind::Const: wrap("const(", 0); return;
    case Kind::Volatile: wrap("volatile(", 0); return;
    case Kind::Restrict: wrap("restrict(", 0); return;
    case Kind::TypeTag:
      s += n.x ? "type_attr(\"" : "type_tag(\"";
      s += n.name;
      wrap("\", ", 0);
      return;
    case Kind::Typedef: s += "typedef "; ref(s, 0); return;
    case Kind::Array:
      s += "array("; ref(s, 0); s += ", "; num(int64_t(n.size)); s += ", "; ref(s, 1); s += ')';
      return;
    case Kind::Fwd: s += n.x ? "fwd union" : "fwd struct"; return;
    case Kind::Struct: case Kind::Union:
      if (anonymous) s += n.kind == Kind::Struct ? "struct { " : "union { ";
      else s += "size=", num(int64_t(n.size)), s += " { ";
      for (size_t i = 0; i < n.fields.size(); ++i) {
        const Field& f = n.fields[i];
        s += f.name.empty() ? "(anon)" : f.name;
        s += ": ";
        ref(s, i);
        s += " @";
        num(f.a);
        if (f.b) s += ':', num(f.b);
        s += "; ";
      }
      s += '}';
      if (anonymous) s += " size=", num(int64_t(n.size));
      return;
    case Kind::Enum: case Kind::Enum64:
      if (anonymous) s += kind_word(n.kind), s += ' ';
      s += "size="; num(int64_t(n.size)); s += n.x ? " signed { " : " unsigned { ";
      for (const Field& f : n.fields) {
        s += f.name;
        s += " = ";
        s += n.x || n.kind == Kind::Enum ? std::to_string(f.a) : std::to_string(uint64_t(f.a));
        s += "; ";
      }
      s += '}';
      return;
    case Kind::FuncProto:
      s += "fn(";
      for (size_t i = 0; i < n.fields.size(); ++i) {
        if (i) s += ", ";
        const bool varargs = i + 1 == n.fields.size() && n.edges[i + 1] == 0 &&
                             n.fields[i].name.empty();
        if (varargs) {
          s += "...";
          continue;
        }
        ref(s, i + 1);
        if (!n.fields[i].name.empty()) s += ' ', s += n.fields[i].name;
      }
      s += ") -> ";
      ref(s, 0);
      return;
    case Kind::Func: case Kind::Var:
      s += n.kind == Kind::Func ? "func " : "var ";
      s += linkage(n.x);
      s += ' ';
      ref(s, 0);
      return;
    case Kind::Datasec:
      s += "datasec size="; num(int64_t(n.size)); s += " { ";
      for (size_t i = 0; i < n.fields.size(); ++i) {
        ref(s, i);
        s += " @"; num(n.fields[i].a); s += '+'; num(n.fields[i].b); s += "; ";
      }
      s += '}';
      return;
    case Kind::DeclTag:
      s += "decl_tag(\""; s += n.name; s += "\", "; ref(s, 0);
      if (n.x >= 0) s += ", ", num(n.x);
      s += ')';
      return;
  }
  s += '?';
}

}  // namespace

void compute_text(Graph& g) {
  const uint32_t nc = g.part.count();
  g.expr.assign(nc, "");
  std::vector<uint8_t> state(nc, 0);
  std::vector<std::pair<uint32_t, uint32_t>> stack;
  for (uint32_t c = 0; c < nc; ++c)
    if (g.named[c]) g.expr[c] = g.key[c];
  for (uint32_t root = 0; root < nc; ++root) {
    post_order(g, state, root, stack, [&](uint32_t c) {
      if (g.named[c]) return;
      std::string e;
      e.reserve(120);
      body(e, rep_node(g, c), [&](std::string& out, size_t i) {
        const uint32_t s = succ(g, c, i);
        if (!g.named[s] && state[s] == 1) out += "anon#" + hex64(g.digest[s]).substr(0, 8);
        else out += g.expr[s];
      }, true);
      if (e.size() > kMaxExpr) e = "anon#" + hex64(g.digest[c]).substr(0, 8);
      g.expr[c] = std::move(e);
    });
  }
  // Top-level classes (unsorted: sorted_tops() orders them for printing).
  std::vector<uint8_t> referenced(nc, 0);   // some member was referenced in the input
  for (size_t i = 0; i < g.model.nodes.size(); ++i)
    if (g.model.referenced(i)) referenced[g.part.cls[i]] = 1;
  g.tops.clear();
  for (uint32_t c = 1; c < nc; ++c) {
    const Node& n = rep_node(g, c);
    if (n.kind == Kind::Unkn) continue;
    if (g.named[c] && is_declaration_only(n) && g.model.fwd_as_decl) continue;
    if (g.named[c] || n.kind == Kind::DeclTag || !referenced[c]) g.tops.push_back(c);
  }
}

std::vector<uint32_t> sorted_tops(const Graph& g) {
  // By key (named), expression (decl tags), "anon := expr" (the rest), then digest.
  std::vector<std::pair<std::string, uint32_t>> keyed;
  keyed.reserve(g.tops.size());
  for (uint32_t c : g.tops) {
    const bool plain = g.named[c] || rep_node(g, c).kind == Kind::DeclTag;
    keyed.push_back({plain ? std::string() : "anon := " + g.expr[c], c});
  }
  auto key = [&](const std::pair<std::string, uint32_t>& k) -> std::string_view {
    return k.first.empty() ? std::string_view(g.expr[k.second]) : std::string_view(k.first);
  };
  std::sort(keyed.begin(), keyed.end(), [&](const auto& a, const auto& b) {
    const int cmp = key(a).compare(key(b));
    return cmp != 0 ? cmp < 0 : g.digest[a.second] < g.digest[b.second];
  });
  std::vector<uint32_t> out;
  out.reserve(keyed.size());
  for (auto& k : keyed) out.push_back(k.second);
  return out;
}

std::string line(const Graph& g, uint32_t c) {
  const Node& n = rep_node(g, c);
  if (!g.named[c]) return n.kind == Kind::DeclTag ? g.expr[c] : "anon := " + g.expr[c];
  std::string s = g.key[c] + " := ";
  body(s, n, [&](std::string& out, size_t i) { out += g.expr[succ(g, c, i)]; }, false);
  return s;
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
  std::string out, prev;
  for (uint32_t c : sorted_tops(g)) {
    std::string l = line(g, c);
    if (l == prev) continue;   // identical anonymous leftovers
    out += l;
    out += '\n';
    prev = std::move(l);
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
