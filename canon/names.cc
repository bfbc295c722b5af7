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
#include <span>
#include <tuple>
#include <unordered_map>
#include <cstdio>
#include <map>
#include <unordered_map>

#include "canon/canon.h"
#include "canon/hash.h"
#include "canon/names_internal.h"
#include "canon/rules.h"

namespace btfcheck::canon {
std::string hex64(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

const Node& rep_node(const Graph& g, uint32_t c) { return g.model.nodes[g.part.rep[c]]; }
uint32_t succ(const Graph& g, uint32_t c, size_t i) { return g.part.cls[rep_node(g, c).edges[i]]; }

namespace {

// Digests, and the tag of each class: the value references to it were hashed with in
// the final round (0 outside duplicate families; the key suffix of family members).
void compute_digests(Graph& g, std::vector<uint64_t>& tag, std::vector<uint64_t>& key_hash) {
  const uint32_t nc = g.part.count();
  std::vector<uint64_t> label(nc, 0);
  key_hash.assign(nc, 0);
  std::unordered_map<uint64_t, uint32_t> family_size;   // key hash -> classes
  for (uint32_t c = 0; c < nc; ++c) {
    const Node& n = rep_node(g, c);
    label[c] = g.part.label[g.part.rep[c]];
    if (!g.named[c]) continue;
    key_hash[c] = hash_str(mix(7, uint64_t(n.kind)), n.name);
    ++family_size[key_hash[c]];
  }
  std::vector<uint32_t> members;   // classes in a family of two or more
  for (uint32_t c = 0; c < nc; ++c)
    if (g.named[c] && family_size[key_hash[c]] > 1) members.push_back(c);
  tag.assign(nc, 0);
  g.digest.assign(nc, 0);
  std::vector<uint64_t>& d = g.digest;
  // Round 0 walks everything and records the finish order, the anonymous back edges, and
  // which classes depend on a family member's tag (directly or through anonymous
  // successors). Later rounds replay the order for those classes only.
  std::vector<uint8_t> state(nc, 0), dep(nc, 0), is_member(nc, 0);
  for (uint32_t c : members) is_member[c] = 1;
  std::vector<uint32_t> order;
  order.reserve(nc);
  std::vector<std::pair<uint32_t, uint32_t>> back_edges;   // (class, edge index)
  std::vector<std::pair<uint32_t, uint32_t>> stack;
  auto digest_of = [&](uint32_t c, bool record) {
    const Node& n = rep_node(g, c);
    uint64_t h = label[c];
    for (uint32_t i = 0; i < n.edges.size(); ++i) {
      const uint32_t s = g.part.cls[n.edges[i]];
      if (g.named[s]) {
        h = mix(mix(h, key_hash[s]), tag[s]);
        if (record && is_member[s]) dep[c] = 1;
      } else if (record ? state[s] == 1
                        : std::binary_search(back_edges.begin(), back_edges.end(),
                                             std::make_pair(c, i))) {
        h = mix(h, 0xc1c1e);   // anonymous cycle
        if (record) back_edges.push_back({c, i});
      } else {
        h = mix(h, d[s]);
        if (record) dep[c] |= dep[s];
      }
    }
    d[c] = h;
  };
  for (uint32_t root = 0; root < nc; ++root)
    post_order(g, state, root, stack, [&](uint32_t c) {
      digest_of(c, true);
      order.push_back(c);
    });
  std::sort(back_edges.begin(), back_edges.end());
  std::vector<uint32_t> replay;
  for (uint32_t c : order)
    if (dep[c]) replay.push_back(c);
  for (int round = 1; round < 8; ++round) {
    bool changed = false;
    for (uint32_t c : members) changed |= tag[c] != d[c];
    if (!changed) break;
    for (uint32_t c : members) tag[c] = d[c];
    for (uint32_t c : replay) digest_of(c, false);
  }
}

}  // namespace

void compute_keys(Graph& g) {
  const uint32_t nc = g.part.count();
  g.named.assign(nc, 0);
  for (uint32_t c = 0; c < nc; ++c) {
    const Node& n = rep_node(g, c);
    g.named[c] = btf::name_role(n.kind) == btf::NameRole::Type && !n.name.empty();
  }
  std::vector<uint64_t> tag, key_hash;
  compute_digests(g, tag, key_hash);
  // Families: named classes grouped by (kind, name).
  std::vector<uint32_t> named;
  for (uint32_t c = 0; c < nc; ++c)
    if (g.named[c]) named.push_back(c);
  auto kn = [&](uint32_t c) {
    const Node& n = rep_node(g, c);
    return std::make_pair(int(n.kind), std::string_view(n.name));
  };
  // Grouping only (each family is keyed on its own, so family order does not matter).
  const std::vector<uint32_t> first = first_equal(
      named.size(), [&](size_t i) { return key_hash[named[i]]; },
      [&](uint32_t i, uint32_t j) { return kn(named[i]) == kn(named[j]); });
  // Members of each family, contiguous (family f: by_family[start[f] .. start[f + 1])).
  std::vector<uint32_t> family_of(named.size()), start(1, 0);
  for (size_t i = 0; i < named.size(); ++i) {
    if (first[i] == i) family_of[i] = uint32_t(start.size() - 1), start.push_back(0);
    else family_of[i] = family_of[first[i]];
    ++start[family_of[i] + 1];
  }
  for (size_t f = 1; f < start.size(); ++f) start[f] += start[f - 1];
  std::vector<uint32_t> by_family(named.size()), fill(start.begin(), start.end() - 1);
  for (size_t i = 0; i < named.size(); ++i) by_family[fill[family_of[i]]++] = named[i];
  g.key.assign(nc, "");
  for (size_t f = 0; f + 1 < start.size(); ++f) {
    const std::span<uint32_t> members(by_family.data() + start[f], start[f + 1] - start[f]);
    // Family members are told apart by their tag; equal tags (only when bounded hashing
    // cannot separate them) get an ordinal in digest order as well.
    std::sort(members.begin(), members.end(), [&](uint32_t x, uint32_t y) {
      return std::tie(tag[x], g.digest[x]) < std::tie(tag[y], g.digest[y]);
    });
    for (size_t i = 0; i < members.size(); ++i) {
      const uint32_t c = members[i];
      g.key[c] = base_key(rep_node(g, c), g.model.fwd_as_decl);
      if (members.size() == 1) continue;
      g.key[c] += "#" + hex64(tag[c]).substr(0, 8);
      const bool tie = (i > 0 && tag[members[i - 1]] == tag[c]) ||
                       (i + 1 < members.size() && tag[members[i + 1]] == tag[c]);
      if (tie) g.key[c] += "." + std::to_string(i);
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
