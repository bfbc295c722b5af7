// Structural comparison of two canonical graphs.
//
// Named types are matched by identity (kind, name); a forward declaration matches the
// struct/union of its name (a change of declaration status). Several different types of
// one identity (a duplicate family) are paired by equal digest first, then in key order.
// A matched pair whose canonical lines are equal is equal (equal digests are taken to mean
// equal lines: a 64-bit hash of exactly what the line prints): lines print references by
// name, and every named type is compared on its own, so deep equality is the equality of
// all lines. A pair that differs is walked field by field: members by name (anonymous
// members in order, then renames at equal offsets), enumerators by name, parameters by
// position, DATASEC entries by variable, descending into anonymous aggregates, pointers,
// arrays and prototypes so a change is reported at the exact path where it happens
// ("struct sk_buff.(anon union@0).len"). Changes found are leaves; impacts are the named
// types that refer to a changed one (directly or through anonymous types); without leaf
// mode each such referrer also gets an "indirect" change. Output order: sorted.
#include <algorithm>
#include <compare>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <thread>
#include <type_traits>
#include <unordered_set>

#include "canon/hash.h"
#include "comparator/diff/array_shape.h"
#include "comparator/diff/diff.h"
#include "comparator/diff/walk.h"

namespace btfcheck::diff {
namespace {

using canon::Graph;
using canon::Kind;
using canon::Node;

// (kind, name) with forwards folded into the kind they declare, FLOAT into INT (one C
// base-type namespace) and ENUM64 into ENUM, so a change of kind pairs as "kind". Ordered by
// a hash of both first (any order both sides share will do for pairing: the report is
// sorted at the end), so sorting 100k identities rarely compares a name.
struct Identity {
  uint64_t hash;
  int kind;
  std::string_view name;
  auto operator<=>(const Identity&) const = default;
};

Identity identity(const Graph& g, uint32_t c) {
  const Node& n = canon::rep_node(g, c);
  Kind k = n.kind;
  if (k == Kind::Fwd) k = n.x ? Kind::Union : Kind::Struct;
  if (k == Kind::Float) k = Kind::Int;
  if (k == Kind::Enum64) k = Kind::Enum;
  return {canon::hash_str(uint64_t(k), n.name), int(k), n.name};
}

// For every named class, the named classes whose definition refers to it (directly or
// through anonymous classes), in class order.
std::vector<std::vector<uint32_t>> referrers(const Graph& g) {
  const uint32_t nc = g.part.count();
  std::vector<std::vector<uint32_t>> out(nc);
  std::vector<uint32_t> seen(nc, UINT32_MAX), stack;
  for (uint32_t root = 0; root < nc; ++root) {
    if (!g.named[root]) continue;
    stack.assign(1, root);
    seen[root] = root;
    while (!stack.empty()) {
      const uint32_t c = stack.back();
      stack.pop_back();
      for (size_t i = 0; i < canon::rep_node(g, c).edges.size(); ++i) {
        const uint32_t s = canon::succ(g, c, i);
        if (seen[s] == root) continue;
        seen[s] = root;
        if (g.named[s]) out[s].push_back(root);
        else stack.push_back(s);
      }
    }
  }
  return out;   // unsorted: callers sort the few lists they print
}

struct Side {
  const Graph& g;
  std::vector<std::pair<Identity, uint32_t>> ids;   // named tops, sorted by identity
  // Lines of decl tags and unreferenced anonymous types, with their class.
  std::map<std::string, uint32_t> loose;
  // Identities that exist only as declarations (FWD, enum without enumerators) and got no
  // line because of the fwd-decl rule: the other side's definition is not "added".
  std::set<Identity> declared;
  explicit Side(const Graph& graph) : g(graph) {
    if (g.model.fwd_as_decl)
      for (uint32_t c = 0; c < g.part.count(); ++c) {
        const Node& n = canon::rep_node(g, c);
        if (g.named[c] && canon::is_declaration_only(n))
          declared.insert(identity(g, c));
      }
    for (uint32_t c : g.tops) {
      if (g.named[c]) ids.push_back({identity(g, c), c});
      else loose.emplace(canon::line(g, c), c);
    }
    std::sort(ids.begin(), ids.end());
  }
  std::string line(uint32_t c) const { return canon::line(g, c); }
};

std::string kind_of(const Graph& g, uint32_t c) {
  return canon::kind_word(canon::rep_node(g, c).kind);
}

}  // namespace

size_t Report::unsuppressed() const {
  size_t n = 0;
  for (const Change& c : changes) n += !c.suppressed;
  return n;
}

namespace {

// Step 1: matched pairs, and the types only one side has. A "copy" is one of a duplicate
// family whose kind and name the other side has too (e.g. a second same-name static FUNC).
struct Pairing {
  std::vector<std::pair<uint32_t, uint32_t>> pairs;
  std::vector<std::pair<uint32_t, bool>> removed, added;   // class, is a copy
};

// A duplicate family (several classes of one identity on a side): equal structure first
// (the structural digest: a family of one on a side has no tag in its key), then equal
// keys, then the rest in key order; what is left over is removed or added.
void pair_family(const Graph& a, const Graph& b, std::vector<uint32_t> va,
                 std::vector<uint32_t> vb, Pairing& out) {
  std::sort(va.begin(), va.end(), [&](uint32_t x, uint32_t y) { return a.key[x] < a.key[y]; });
  std::sort(vb.begin(), vb.end(), [&](uint32_t x, uint32_t y) { return b.key[x] < b.key[y]; });
  std::vector<uint8_t> used_a(va.size(), 0), used_b(vb.size(), 0);
  // Each unused member of A, in order, pairs with the first unused member of B with an
  // equal value (a lookup, not a scan: families can have 100k members).
  auto match = [&](const auto& value_a, const auto& value_b) {
    std::multimap<std::decay_t<decltype(value_b[0])>, size_t> free_b;   // equal: j order
    for (size_t j = 0; j < vb.size(); ++j)
      if (!used_b[j]) free_b.emplace(value_b[vb[j]], j);
    for (size_t i = 0; i < va.size(); ++i) {
      if (used_a[i]) continue;
      auto it = free_b.lower_bound(value_a[va[i]]);
      if (it == free_b.end() || it->first != value_a[va[i]]) continue;
      used_a[i] = used_b[it->second] = 1;
      out.pairs.push_back({va[i], vb[it->second]});
      free_b.erase(it);
    }
  };
  match(a.digest, b.digest);
  match(a.key, b.key);
  std::vector<uint32_t> rest_a, rest_b;
  for (size_t i = 0; i < va.size(); ++i)
    if (!used_a[i]) rest_a.push_back(va[i]);
  for (size_t j = 0; j < vb.size(); ++j)
    if (!used_b[j]) rest_b.push_back(vb[j]);
  size_t k = 0;
  for (; k < rest_a.size() && k < rest_b.size(); ++k) out.pairs.push_back({rest_a[k], rest_b[k]});
  for (size_t i = k; i < rest_a.size(); ++i) out.removed.push_back({rest_a[i], !vb.empty()});
  for (size_t i = k; i < rest_b.size(); ++i) out.added.push_back({rest_b[i], !va.empty()});
}

// Walks both sorted identity lists together, one identity at a time.
Pairing pair_identities(const Side& sa, const Side& sb) {
  Pairing out;
  size_t ia = 0, ib = 0;
  while (ia < sa.ids.size() || ib < sb.ids.size()) {
    const Identity id = ib == sb.ids.size() || (ia < sa.ids.size() && sa.ids[ia].first < sb.ids[ib].first)
                            ? sa.ids[ia].first : sb.ids[ib].first;
    std::vector<uint32_t> va, vb;
    for (; ia < sa.ids.size() && sa.ids[ia].first == id; ++ia) va.push_back(sa.ids[ia].second);
    for (; ib < sb.ids.size() && sb.ids[ib].first == id; ++ib) vb.push_back(sb.ids[ib].second);
    if ((va.empty() && sa.declared.count(id)) || (vb.empty() && sb.declared.count(id)))
      continue;   // declaration on one side, definition on the other: equal under fwd-decl
    if (va.size() == 1 && vb.size() == 1) out.pairs.push_back({va[0], vb[0]});
    else pair_family(sa.g, sb.g, std::move(va), std::move(vb), out);
  }
  return out;
}

// Classes with a change of their own (the leaves), by side; modified_b holds the changed
// pairs only (the seeds of "indirect").
struct Changed {
  std::vector<uint32_t> a, b, modified_b;
};

// Step 2: changed pairs walked field by field, removed and added types.
Changed compare_pairs(const Side& sa, const Side& sb, const Pairing& p, std::vector<Change>& out) {
  const Graph &a = sa.g, &b = sb.g;
  Changed ch;
  for (auto [ca, cb] : p.pairs) {
    // Equal key and digest: equal (the digest hashes the label and every reference's key
    // or anonymous structure, i.e. what the line prints). Otherwise compare the lines.
    if (a.key[ca] == b.key[cb] && (a.digest[ca] == b.digest[cb] || sa.line(ca) == sb.line(cb)))
      continue;
    const size_t before = out.size();
    compare_top(a, b, ca, cb, out);
    if (out.size() > before) ch.a.push_back(ca), ch.b.push_back(cb), ch.modified_b.push_back(cb);
  }
  for (auto [c, copy] : p.removed) {
    out.push_back(Change::of(copy ? "copy-removed" : "removed", kind_of(a, c), a.key[c], sa.line(c), ""));
    ch.a.push_back(c);
  }
  for (auto [c, copy] : p.added) {
    out.push_back(Change::of(copy ? "copy-added" : "added", kind_of(b, c), b.key[c], "", sb.line(c)));
    ch.b.push_back(c);
  }
  return ch;
}

// Step 3: loose lines (decl tags, and anonymous types nothing refers to). An anonymous type
// that the other side has too, only referred to, is not a difference of its own.
void compare_loose(const Side& sa, const Side& sb, std::vector<Change>& out) {
  const Graph &a = sa.g, &b = sb.g;
  std::unordered_set<std::string_view> ea, eb;   // filled on first need
  auto present = [](const Graph& g, std::unordered_set<std::string_view>& set,
                    const std::string& line) {
    if (line.rfind("anon := ", 0) != 0) return false;
    if (set.empty()) set.insert(g.expr.begin(), g.expr.end());
    return set.count(std::string_view(line).substr(8)) > 0;
  };
  // Under array-flatten, an anonymous array (or pointer to one) matches one of the other
  // side's shape.
  std::optional<ShapeIndex> shapes_a, shapes_b;   // built on first need
  auto shaped = [](const Graph& g, uint32_t c, const Graph& other,
                   std::optional<ShapeIndex>& index) {
    if (!g.model.arrays_by_shape || !other.model.arrays_by_shape) return false;
    const auto w = wrapped_shape(g, c);
    if (!w) return false;
    if (!index) index.emplace(other);
    return index->contains(g, *w);
  };
  for (const auto& [l, c] : sa.loose)
    if (!sb.loose.count(l) && !present(b, eb, l) && !shaped(a, c, b, shapes_b))
      out.push_back(Change::of("removed", "", l, l, ""));
  for (const auto& [l, c] : sb.loose)
    if (!sa.loose.count(l) && !present(a, ea, l) && !shaped(b, c, a, shapes_a))
      out.push_back(Change::of("added", "", l, "", l));
}

// Step 4 (leaf mode): the named referrers of each changed type (B side; A side for removed
// types), on the change at that type or its member.
void add_impacts(const Graph& a, const Graph& b, const std::vector<std::vector<uint32_t>>& ref_a,
                 const std::vector<std::vector<uint32_t>>& ref_b, const Changed& ch,
                 std::vector<Change>& out) {
  std::map<std::string, std::vector<std::string>> impacts;   // changed key -> referrers
  auto collect = [&](const Graph& g, const std::vector<std::vector<uint32_t>>& refs, uint32_t c) {
    auto& dst = impacts[g.key[c]];
    for (uint32_t p : refs[c]) dst.push_back(g.key[p]);
  };
  for (uint32_t c : ch.b) collect(b, ref_b, c);
  for (uint32_t c : ch.a) collect(a, ref_a, c);
  for (auto& [k, v] : impacts) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
  }
  for (Change& c : out) {
    const std::string top = c.path.substr(0, c.path.find_first_of(".[("));
    auto it = impacts.find(c.path);
    if (it == impacts.end()) it = impacts.find(top);
    if (it != impacts.end()) c.impacts = it->second;
  }
}

// Step 4 (full mode): every named type that reaches a changed one, transitively, and is not
// itself changed, gets an "indirect" change. Added and removed types are not seeds:
// whatever refers to them changed itself. Seeds in key order, so each referrer names the
// smallest changed key it reaches, whatever the class numbering.
void add_indirect(const Graph& b, const std::vector<std::vector<uint32_t>>& ref_b,
                  std::vector<uint32_t> seeds, std::vector<Change>& out) {
  std::set<std::string> changed_keys;
  for (const Change& c : out) changed_keys.insert(c.path.substr(0, c.path.find('.')));
  std::sort(seeds.begin(), seeds.end(), [&](uint32_t x, uint32_t y) { return b.key[x] < b.key[y]; });
  std::map<uint32_t, std::string> reached;   // class in B -> the changed key it reaches
  for (uint32_t seed : seeds) {
    std::vector<uint32_t> work{seed};
    while (!work.empty()) {
      const uint32_t c = work.back();
      work.pop_back();
      for (uint32_t p : ref_b[c])
        if (!reached.count(p) && !changed_keys.count(b.key[p])) {
          reached[p] = b.key[seed];
          work.push_back(p);
        }
    }
  }
  for (auto& [c, via] : reached)
    out.push_back(Change::of("indirect", kind_of(b, c), b.key[c], "", "reaches changed " + via));
}

}  // namespace

Report diff(const Graph& a, const Graph& b, const Options& opts) {
  Report r;
  // The sides are independent: B's index and referrers on a second thread (each is
  // deterministic on its own, so the report does not depend on scheduling).
  std::optional<Side> side_b;
  std::vector<std::vector<uint32_t>> ref_a, ref_b;
  std::thread other([&] {
    side_b.emplace(b);
    ref_b = referrers(b);
  });
  const Side sa(a);
  if (opts.leaf) ref_a = referrers(a);
  other.join();
  const Side& sb = *side_b;
  const Pairing pairing = pair_identities(sa, sb);
  const Changed changed = compare_pairs(sa, sb, pairing, r.changes);
  compare_loose(sa, sb, r.changes);
  if (opts.leaf) add_impacts(a, b, ref_a, ref_b, changed, r.changes);
  else add_indirect(b, ref_b, changed.modified_b, r.changes);
  std::stable_sort(r.changes.begin(), r.changes.end(), [](const Change& x, const Change& y) {
    return std::tie(x.path, x.category, x.before, x.after) <
           std::tie(y.path, y.category, y.before, y.after);
  });
  for (const Change& ch : r.changes)
    if (!ch.suppressed) ++r.summary[ch.category];
  return r;
}

}  // namespace btfcheck::diff
