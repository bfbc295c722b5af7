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
#include <set>
#include <string_view>
#include <unordered_set>

#include "comparator/diff/diff.h"
#include "comparator/diff/walk.h"

namespace btfcheck::diff {
namespace {

using canon::Graph;
using canon::Kind;
using canon::Node;

// (kind, name) with forwards folded into the kind they declare, FLOAT into INT (one C
// base-type namespace) and ENUM64 into ENUM, so a change of kind pairs as "kind".
std::pair<int, std::string_view> identity(const Graph& g, uint32_t c) {
  const Node& n = canon::rep_node(g, c);
  Kind k = n.kind;
  if (k == Kind::Fwd) k = n.x ? Kind::Union : Kind::Struct;
  if (k == Kind::Float) k = Kind::Int;
  if (k == Kind::Enum64) k = Kind::Enum;
  return {int(k), n.name};
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

using Identity = std::pair<int, std::string_view>;

struct Side {
  const Graph& g;
  std::vector<std::pair<Identity, uint32_t>> ids;   // named tops, sorted by identity
  std::set<std::string> loose;   // lines of decl tags and unreferenced anonymous types
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
      else loose.insert(canon::line(g, c));
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

Report diff(const Graph& a, const Graph& b, const Options& opts) {
  Report r;
  Side sa(a), sb(b);
  std::vector<std::pair<uint32_t, uint32_t>> pairs;
  // Types only one side has; a "copy" is one of a duplicate family whose kind and name
  // the other side has too (e.g. a second same-name static FUNC).
  std::vector<std::pair<uint32_t, bool>> removed, added;
  // Pair classes of each identity.
  // Walk both sorted identity lists together, one identity at a time.
  size_t ia = 0, ib = 0;
  while (ia < sa.ids.size() || ib < sb.ids.size()) {
    const Identity id = ib == sb.ids.size() || (ia < sa.ids.size() && sa.ids[ia].first < sb.ids[ib].first)
                            ? sa.ids[ia].first : sb.ids[ib].first;
    std::vector<uint32_t> va, vb;
    for (; ia < sa.ids.size() && sa.ids[ia].first == id; ++ia) va.push_back(sa.ids[ia].second);
    for (; ib < sb.ids.size() && sb.ids[ib].first == id; ++ib) vb.push_back(sb.ids[ib].second);
    if ((va.empty() && sa.declared.count(id)) || (vb.empty() && sb.declared.count(id)))
      continue;   // declaration on one side, definition on the other: equal under fwd-decl
    if (va.size() == 1 && vb.size() == 1) {
      pairs.push_back({va[0], vb[0]});
      continue;
    }
    // Duplicate family: equal keys first, then the rest in key order.
    std::sort(va.begin(), va.end(), [&](uint32_t x, uint32_t y) { return a.key[x] < a.key[y]; });
    std::sort(vb.begin(), vb.end(), [&](uint32_t x, uint32_t y) { return b.key[x] < b.key[y]; });
    // A family of one on a side has no tag in its key, so equal structure is found by the
    // structural digest first, then by key.
    std::vector<uint8_t> used_a(va.size(), 0), used_b(vb.size(), 0);
    auto match = [&](auto same) {
      for (size_t i = 0; i < va.size(); ++i)
        for (size_t j = 0; j < vb.size() && !used_a[i]; ++j)
          if (!used_b[j] && same(va[i], vb[j]))
            used_a[i] = used_b[j] = 1, pairs.push_back({va[i], vb[j]});
    };
    match([&](uint32_t x, uint32_t y) { return a.digest[x] == b.digest[y]; });
    match([&](uint32_t x, uint32_t y) { return a.key[x] == b.key[y]; });
    std::vector<uint32_t> rest_a, rest_b;
    for (size_t i = 0; i < va.size(); ++i)
      if (!used_a[i]) rest_a.push_back(va[i]);
    for (size_t j = 0; j < vb.size(); ++j)
      if (!used_b[j]) rest_b.push_back(vb[j]);
    size_t k = 0;
    for (; k < rest_a.size() && k < rest_b.size(); ++k) pairs.push_back({rest_a[k], rest_b[k]});
    for (size_t i = k; i < rest_a.size(); ++i) removed.push_back({rest_a[i], !vb.empty()});
    for (size_t i = k; i < rest_b.size(); ++i) added.push_back({rest_b[i], !va.empty()});
  }

  std::vector<uint32_t> changed_b, changed_a;   // leaves, by class
  std::vector<uint32_t> modified_b;             // changed pairs only: seeds of "indirect"
  for (auto [ca, cb] : pairs) {
    // Equal key and digest: equal (the digest hashes the label and every reference's key
    // or anonymous structure, i.e. what the line prints). Otherwise compare the lines.
    if (a.key[ca] == b.key[cb] && (a.digest[ca] == b.digest[cb] || sa.line(ca) == sb.line(cb)))
      continue;
    const size_t before = r.changes.size();
    compare_top(a, b, ca, cb, r.changes);
    if (r.changes.size() > before)
      changed_a.push_back(ca), changed_b.push_back(cb), modified_b.push_back(cb);
  }
  for (auto [c, copy] : removed) {
    Change ch = Change::of(copy ? "copy-removed" : "removed", kind_of(a, c), a.key[c],
                           sa.line(c), "");
    r.changes.push_back(ch);
    changed_a.push_back(c);
  }
  for (auto [c, copy] : added) {
    Change ch = Change::of(copy ? "copy-added" : "added", kind_of(b, c), b.key[c], "",
                           sb.line(c));
    r.changes.push_back(ch);
    changed_b.push_back(c);
  }
  // Loose lines: decl tags, and anonymous types nothing refers to. An anonymous type that
  // the other side has too, only referred to, is not a difference of its own.
  std::unordered_set<std::string_view> ea, eb;   // filled on first need
  auto present = [](const Graph& g, std::unordered_set<std::string_view>& set,
                    const std::string& line) {
    if (line.rfind("anon := ", 0) != 0) return false;
    if (set.empty()) set.insert(g.expr.begin(), g.expr.end());
    return set.count(std::string_view(line).substr(8)) > 0;
  };
  for (const std::string& l : sa.loose)
    if (!sb.loose.count(l) && !present(b, eb, l))
      r.changes.push_back(Change::of("removed", "", l, l, ""));
  for (const std::string& l : sb.loose)
    if (!sa.loose.count(l) && !present(a, ea, l))
      r.changes.push_back(Change::of("added", "", l, "", l));

  // Impacts: named referrers of each changed type (B side; A side for removed types).
  auto ref_a = referrers(a), ref_b = referrers(b);
  std::map<std::string, std::vector<std::string>> impacts;   // changed key -> referrers
  auto collect = [&](const Graph& g, const std::vector<std::vector<uint32_t>>& refs,
                     uint32_t c) {
    auto& dst = impacts[g.key[c]];
    for (uint32_t p : refs[c]) dst.push_back(g.key[p]);
  };
  for (uint32_t c : changed_b) collect(b, ref_b, c);
  for (uint32_t c : changed_a) collect(a, ref_a, c);
  for (auto& [k, v] : impacts) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
  }
  for (Change& ch : r.changes) {
    const std::string top = ch.path.substr(0, ch.path.find_first_of(".[("));
    auto it = impacts.find(ch.path);
    if (it == impacts.end()) it = impacts.find(top);
    if (opts.leaf && it != impacts.end()) ch.impacts = it->second;
  }
  if (!opts.leaf) {
    // Every named type that reaches a changed one, transitively, and is not itself changed.
    std::set<std::string> changed_keys;
    for (const Change& ch : r.changes) changed_keys.insert(ch.path.substr(0, ch.path.find('.')));
    // Added and removed types are not seeds: whatever refers to them changed itself.
    // Seeds in key order, so each referrer names the smallest changed key it reaches,
    // whatever the class numbering.
    std::vector<uint32_t> seeds = modified_b;
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
      r.changes.push_back(
          Change::of("indirect", kind_of(b, c), b.key[c], "", "reaches changed " + via));
  }
  std::stable_sort(r.changes.begin(), r.changes.end(), [](const Change& x, const Change& y) {
    return std::tie(x.path, x.category, x.before, x.after) <
           std::tie(y.path, y.category, y.before, y.after);
  });
  for (const Change& ch : r.changes)
    if (!ch.suppressed) ++r.summary[ch.category];
  return r;
}

}  // namespace btfcheck::diff
