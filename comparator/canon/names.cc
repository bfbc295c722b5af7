// Canonical names, digests and reference expressions for the classes of a partition.
//
// Identity: a named class (struct/union/enum/typedef/int/float/fwd/func/var/datasec with a
// name) is known by (kind, name). When several different classes share kind and name,
// each gets the suffix "#" + the first 8 hex digits of its structural digest.
//
// Digest: names are cut points. The local digest of a class hashes its label and, per
// out-edge, either the referenced named class's (kind, name, tag) or, for an anonymous
// class, that class's local digest (recursively; anonymous classes form trees below a
// named one in C, a cycle among anonymous classes hashes as a back-reference marker).
// Tags are 0 except inside a family of same-named different classes, where they are the
// family members' digests from the previous round; rounds repeat (at most 8) until every
// family's digests are distinct. So a digest never depends on ids or order, and it
// changes when the type's own layout or the identity of what it references changes.
//
// Expressions: a reference to a named class prints its key; to an anonymous class, an
// expression built bottom-up: ptr(T), const(T), array(T, N, IDX), fn(T a, ...) -> R,
// struct { a: T @0; } size=N, type_tag("x", T). Anonymous cycles and expressions longer
// than kMaxExpr print as "anon#digest". All walks are iterative.
#include <algorithm>
#include <functional>
#include <cstdio>
#include <map>
#include <unordered_map>

#include "comparator/canon/canon.h"
#include "comparator/canon/names_internal.h"
#include "comparator/canon/rules.h"

namespace btfcheck::canon {
namespace {

uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  h *= 0xff51afd7ed558ccdull;
  return h ^ (h >> 29);
}
uint64_t hash_str(uint64_t h, const std::string& s) {
  uint64_t x = 1469598103934665603ull;   // FNV-1a, then mixed
  for (unsigned char c : s) x = (x ^ c) * 1099511628211ull;
  return mix(mix(h, s.size()), x);
}

uint64_t label_hash(const Node& n) {
  uint64_t h = mix(0x42, uint64_t(n.kind));
  h = hash_str(h, n.name);
  h = mix(mix(mix(mix(h, n.size), uint64_t(n.x)), uint64_t(n.y)), uint64_t(n.z));
  h = mix(h, n.fields.size());
  for (const Field& f : n.fields) h = mix(mix(hash_str(h, f.name), uint64_t(f.a)), uint64_t(f.b));
  return mix(h, n.edges.size());
}

}  // namespace

std::string hex64(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

const Node& rep_node(const Graph& g, uint32_t c) { return g.model.nodes[g.part.rep[c]]; }
uint32_t succ(const Graph& g, uint32_t c, size_t i) { return g.part.cls[rep_node(g, c).edges[i]]; }

void post_order(const Graph& g, std::vector<uint8_t>& state, uint32_t root,
                const std::function<void(uint32_t)>& finish) {
  if (state[root] != 0) return;
  std::vector<std::pair<uint32_t, size_t>> stack{{root, 0}};
  state[root] = 1;
  while (!stack.empty()) {
    auto& [c, i] = stack.back();
    const Node& n = rep_node(g, c);
    if (i < n.edges.size()) {
      const uint32_t s = g.part.cls[n.edges[i++]];
      if (!g.named[s] && state[s] == 0) {
        state[s] = 1;
        stack.push_back({s, 0});
      }
      continue;
    }
    const uint32_t done = c;
    stack.pop_back();
    finish(done);
    state[done] = 2;
  }
}

namespace {

void compute_digests(Graph& g) {
  const uint32_t nc = g.part.count();
  std::vector<uint64_t> key_hash(nc, 0), tag(nc, 0);
  std::map<uint64_t, std::vector<uint32_t>> families;   // key hash -> classes
  for (uint32_t c = 0; c < nc; ++c) {
    if (!g.named[c]) continue;
    const Node& n = rep_node(g, c);
    key_hash[c] = hash_str(mix(7, uint64_t(n.kind)), n.name);
    families[key_hash[c]].push_back(c);
  }
  g.digest.assign(nc, 0);
  for (int round = 0; round < 8; ++round) {
    std::vector<uint8_t> state(nc, 0);
    std::vector<uint64_t>& d = g.digest;
    for (uint32_t root = 0; root < nc; ++root) {
      post_order(g, state, root, [&](uint32_t c) {
        const Node& n = rep_node(g, c);
        uint64_t h = label_hash(n);
        for (size_t i = 0; i < n.edges.size(); ++i) {
          const uint32_t s = succ(g, c, i);
          if (g.named[s]) h = mix(mix(h, key_hash[s]), tag[s]);
          else if (state[s] == 1) h = mix(h, 0xc1c1e);    // anonymous cycle
          else h = mix(h, d[s]);
        }
        d[c] = h;
      });
    }
    bool distinct = true, changed = false;
    for (auto& [k, members] : families) {
      if (members.size() < 2) continue;
      std::vector<uint64_t> ds;
      for (uint32_t c : members) {
        changed |= tag[c] != d[c];
        tag[c] = d[c];
        ds.push_back(d[c]);
      }
      std::sort(ds.begin(), ds.end());
      distinct &= std::adjacent_find(ds.begin(), ds.end()) == ds.end();
    }
    if (distinct || !changed) break;
  }
}

}  // namespace

void compute_keys(Graph& g) {
  const uint32_t nc = g.part.count();
  g.named.assign(nc, 0);
  for (uint32_t c = 0; c < nc; ++c) {
    const Node& n = rep_node(g, c);
    g.named[c] = is_named_kind(n.kind) && !n.name.empty();
  }
  compute_digests(g);
  std::map<std::pair<int, std::string>, std::vector<uint32_t>> families;
  for (uint32_t c = 0; c < nc; ++c)
    if (g.named[c]) families[{int(rep_node(g, c).kind), rep_node(g, c).name}].push_back(c);
  g.key.assign(nc, "");
  for (auto& [kn, members] : families) {
    for (uint32_t c : members) {
      g.key[c] = base_key(rep_node(g, c), g.model.fwd_as_decl);
      if (members.size() > 1) g.key[c] += "#" + hex64(g.digest[c]).substr(0, 8);
    }
  }
}

std::string base_key(const Node& n, bool fwd_as_decl) {
  switch (n.kind) {
    case Kind::Int: case Kind::Float: case Kind::Typedef:
      return n.name;
    case Kind::Fwd:
      return std::string(fwd_as_decl ? "" : "fwd ") + (n.x ? "union " : "struct ") + n.name;
    default:
      return std::string(kind_word(n.kind)) + " " + n.name;
  }
}

}  // namespace btfcheck::canon
