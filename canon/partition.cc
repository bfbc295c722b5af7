// Partition refinement (Moore's algorithm with a dirty worklist).
//
// 1. Labels: every node's identity without its edges (kind, name, sizes, encodings, field
//    names/offsets/values) is interned (a hash table, no sort); equal labels start in one
//    class.
// 2. Rounds: a node is "dirty" when one of its successors changed class in the previous
//    round (initially: every node with edges). Dirty nodes are grouped by (class, classes
//    of their successors). A class whose members all land in one group is unchanged;
//    otherwise the non-dirty remainder keeps the class id (or, with no remainder, the
//    group holding the smallest node does), other groups get fresh ids, and the
//    predecessors of every node that moved are dirty next round. No class ever merges, so
//    this ends when a round moves nothing; the result is the coarsest stable partition,
//    i.e. maximal bisimulation under the labels. Each round is linear in the dirty nodes'
//    edges; a typical BTF converges in a few rounds because names split it finely first.
// 3. Forwards: a FWD (or an enum with no enumerators) stands for the definition of its name
//    and kind when all such definitions end in one class. Deciding that first and refining
//    after would never settle definitions that differ only through forwards of each other
//    (gcc's per-object BTF is full of them), so it is optimistic: every forward whose
//    definitions share one label starts resolved (edges into it lead to a definition);
//    refinement runs; a resolved forward whose definitions were split is withdrawn
//    (ambiguous) and refinement runs again from the labels, until none is withdrawn. The
//    result is the coarsest bisimulation in which every resolved forward's definitions are
//    one class, i.e. a forward is unified exactly when that is unambiguous after
//    minimization. Ambiguous forwards (different definitions of the name) stay apart.
//
// Determinism: nodes are visited in index order and ids are handed out in that order, so
// the same model always gives the same partition. Class ids are internal; everything
// printed is keyed by canonical names (names.h), never by class id.
#include "canon/partition.h"
#include "canon/hash.h"

#include <algorithm>
#include <map>
#include <utility>
#include <string>

namespace btfcheck::canon {
namespace {

bool same_label(const Node& a, const Node& b) {
  if (a.kind != b.kind || a.size != b.size || a.x != b.x || a.y != b.y || a.z != b.z ||
      a.name != b.name || a.fields.size() != b.fields.size() ||
      a.edges.size() != b.edges.size())
    return false;
  for (size_t i = 0; i < a.fields.size(); ++i)
    if (a.fields[i].a != b.fields[i].a || a.fields[i].b != b.fields[i].b ||
        a.fields[i].name != b.fields[i].name)
      return false;
  return true;
}

struct Refiner {
  const Model& m;
  const std::vector<uint32_t>& to;          // edge target -> where it leads (forwards
                                            // resolved to a definition, else itself)
  std::vector<uint32_t> cls, size;
  std::vector<uint64_t> label;              // node -> label_hash (init_labels)
  std::vector<uint32_t> pred_start, pred;   // CSR of predecessors

  Refiner(const Model& model, const std::vector<uint32_t>& redirect) : m(model), to(redirect) {}

  void init_labels() {
    const size_t n = m.nodes.size();
    // Group by label; class ids are handed out in order of each class's smallest node.
    label.resize(n);
    for (size_t i = 0; i < n; ++i) label[i] = label_hash(m.nodes[i]);
    const std::vector<uint32_t> first_of = first_equal(
        n, [&](size_t i) { return label[i]; },
        [&](uint32_t u, uint32_t v) { return same_label(m.nodes[u], m.nodes[v]); });
    std::vector<uint32_t> id_of(n, UINT32_MAX);
    cls.assign(n, 0);
    uint32_t next = 0;
    for (size_t i = 0; i < n; ++i) {
      const uint32_t f = first_of[i];
      if (id_of[f] == UINT32_MAX) id_of[f] = next++;
      cls[i] = id_of[f];
    }
    size.assign(next, 0);
    for (uint32_t c : cls) ++size[c];
  }

  // Predecessors through `to` (after the label classes are set).
  void init_preds() {
    const size_t n = m.nodes.size();
    pred_start.assign(n + 1, 0);
    for (const Node& nd : m.nodes)
      for (uint32_t e : nd.edges) ++pred_start[to[e] + 1];
    for (size_t i = 0; i < n; ++i) pred_start[i + 1] += pred_start[i];
    pred.resize(pred_start[n]);
    std::vector<uint32_t> fill(pred_start.begin(), pred_start.end() - 1);
    for (size_t i = 0; i < n; ++i)
      for (uint32_t e : m.nodes[i].edges) pred[fill[to[e]]++] = uint32_t(i);
  }

  bool same_succ(uint32_t a, uint32_t b) const {
    const auto& ea = m.nodes[a].edges;
    const auto& eb = m.nodes[b].edges;
    for (size_t i = 0; i < ea.size(); ++i)
      if (cls[to[ea[i]]] != cls[to[eb[i]]]) return false;
    return true;
  }

  void run() {
    const size_t n = m.nodes.size();
    std::vector<uint32_t> dirty;
    std::vector<uint8_t> is_dirty(n, 0);
    for (uint32_t i = 0; i < n; ++i)
      if (!m.nodes[i].edges.empty()) dirty.push_back(i), is_dirty[i] = 1;

    struct Group { uint32_t first, count; uint32_t new_cls; };
    while (!dirty.empty()) {
      std::sort(dirty.begin(), dirty.end());
      // Group dirty nodes by (class, successor classes). Groups are numbered in order of
      // their first node.
      const std::vector<uint32_t> leader = first_equal(
          dirty.size(),
          [&](size_t k) {
            const uint32_t v = dirty[k];
            uint64_t h = mix(0, cls[v]);
            for (uint32_t e : m.nodes[v].edges) h = mix(h, cls[to[e]]);
            return h;
          },
          [&](uint32_t r, uint32_t k) {
            return cls[dirty[r]] == cls[dirty[k]] && same_succ(dirty[r], dirty[k]);
          });
      std::vector<Group> groups;
      std::vector<uint32_t> group_of(dirty.size());
      std::vector<uint32_t> group_at(dirty.size(), UINT32_MAX);
      for (size_t k = 0; k < dirty.size(); ++k) {   // dirty is sorted: first-node order
        const uint32_t l = leader[k];
        if (group_at[l] == UINT32_MAX) {
          group_at[l] = uint32_t(groups.size());
          groups.push_back({dirty[k], 0, 0});
        }
        group_of[k] = group_at[l];
        ++groups[group_at[l]].count;
      }
      // Decide which groups move: per old class, its dirty groups and the remainder. A
      // class split into groups keeps its id for the remainder, or with none for its first
      // group; every other group gets a fresh id (ids are internal: compact() renumbers).
      std::vector<uint32_t> in_groups(size.size(), 0), n_groups(size.size(), 0);
      for (const Group& g : groups) in_groups[cls[g.first]] += g.count, ++n_groups[cls[g.first]];
      std::vector<uint8_t> moves(groups.size(), 0), kept(size.size(), 0);
      for (uint32_t gi = 0; gi < groups.size(); ++gi) {
        const uint32_t c = cls[groups[gi].first];
        const bool remainder = in_groups[c] < size[c];
        if (!remainder && n_groups[c] == 1) continue;   // all of c in one group: unchanged
        if (!remainder && !kept[c]) {                   // first group keeps the id
          kept[c] = 1;
          continue;
        }
        moves[gi] = 1;
        groups[gi].new_cls = uint32_t(size.size());
        size.push_back(0);
      }
      // Apply moves, collect next round's dirty nodes.
      std::vector<uint32_t> next;
      for (uint32_t v : dirty) is_dirty[v] = 0;
      for (size_t k = 0; k < dirty.size(); ++k) {
        const Group& g = groups[group_of[k]];
        if (!moves[group_of[k]]) continue;
        const uint32_t v = dirty[k];
        --size[cls[v]];
        cls[v] = g.new_cls;
        ++size[g.new_cls];
        for (uint32_t p = pred_start[v]; p < pred_start[v + 1]; ++p)
          if (!is_dirty[pred[p]]) is_dirty[pred[p]] = 1, next.push_back(pred[p]);
      }
      dirty.swap(next);
    }
  }
};

// Final compact numbering: classes in order of their smallest node; the representative is
// the smallest node that is not a unified forward (skip[i] != 0).
Partition compact(const std::vector<uint32_t>& raw, const std::vector<uint32_t>* skip) {
  Partition p;
  p.cls.resize(raw.size());
  uint32_t max_raw = 0;
  for (uint32_t r : raw) max_raw = std::max(max_raw, r);
  std::vector<uint32_t> renum(size_t(max_raw) + 1, UINT32_MAX);
  for (uint32_t i = 0; i < raw.size(); ++i) {
    if (skip && (*skip)[i]) continue;
    uint32_t& id = renum[raw[i]];
    if (id == UINT32_MAX) id = uint32_t(p.rep.size()), p.rep.push_back(i);
    p.cls[i] = id;
  }
  if (skip)
    for (uint32_t i = 0; i < raw.size(); ++i)
      if ((*skip)[i]) p.cls[i] = p.cls[(*skip)[i]];
  return p;
}

bool is_forward(const Node& n) { return is_declaration_only(n) && !n.name.empty(); }

}  // namespace

Partition refine(Model& model) {
  const uint32_t n = uint32_t(model.nodes.size());
  // Definitions by (kind, name), and for every forward the definitions it may stand for.
  std::map<std::pair<int, std::string>, std::vector<uint32_t>> defs;
  for (uint32_t i = 1; i < n; ++i) {
    const Node& nd = model.nodes[i];
    if (nd.name.empty() || is_forward(nd)) continue;
    if (btf::is_composite(nd.kind) || btf::is_any_enum(nd.kind))
      defs[{int(nd.kind), nd.name}].push_back(i);
  }
  std::vector<const std::vector<uint32_t>*> cands(n, nullptr);   // per forward, definitions
  std::vector<std::vector<uint32_t>> enum_cands;                 // enum forwards: both kinds
  enum_cands.reserve(n);
  for (uint32_t i = 1; i < n; ++i) {
    const Node& f = model.nodes[i];
    if (!is_forward(f)) continue;
    if (f.kind == Kind::Fwd) {
      auto it = defs.find({int(f.x ? Kind::Union : Kind::Struct), f.name});
      if (it != defs.end()) cands[i] = &it->second;
    } else {
      std::vector<uint32_t> c;
      for (Kind k : {Kind::Enum, Kind::Enum64})
        if (auto it = defs.find({int(k), f.name}); it != defs.end())
          c.insert(c.end(), it->second.begin(), it->second.end());
      if (!c.empty()) enum_cands.push_back(std::move(c)), cands[i] = &enum_cands.back();
    }
  }
  std::vector<uint32_t> to(n);
  for (uint32_t i = 0; i < n; ++i) to[i] = i;
  std::vector<uint32_t> resolved(n, 0);
  auto all_in_one = [&](const std::vector<uint32_t>& ds, const std::vector<uint32_t>& cls) {
    for (uint32_t d : ds)
      if (cls[d] != cls[ds[0]]) return false;
    return true;
  };
  // Optimistic start: a forward stands for its definition when all definitions of its
  // name carry one label (refinement only ever splits, so others can never unify).
  // Labels do not depend on where edges lead: computed once, every round starts from them.
  Refiner labels(model, to);
  labels.init_labels();
  for (uint32_t i = 1; i < n; ++i)
    if (cands[i] && all_in_one(*cands[i], labels.cls)) resolved[i] = to[i] = (*cands[i])[0];
  // Refine; a resolved forward whose definitions ended in different classes is ambiguous
  // after all: withdraw it and refine again. Resolutions only shrink, so this ends.
  for (;;) {
    Refiner r(model, to);
    r.cls = labels.cls;
    r.size = labels.size;
    r.init_preds();
    r.run();
    bool withdrawn = false;
    for (uint32_t i = 1; i < n; ++i)
      if (resolved[i] && !all_in_one(*cands[i], r.cls)) {
        resolved[i] = 0;
        to[i] = i;
        withdrawn = true;
      }
    if (withdrawn) continue;
    Partition p = compact(r.cls, &resolved);
    p.resolved_fwd = std::move(resolved);
    p.label = std::move(labels.label);
    return p;
  }
}

}  // namespace btfcheck::canon
