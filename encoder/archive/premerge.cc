// Pre-merge: map each archive member's types onto copies already kept from earlier members.
//
// Members of an archive repeat each other: a pahole -J archive of 811 objects has 1.06M
// types and 40k distinct ones. Refinement over all of them is the merge's cost, so before
// any canonical Node is built, each member's raw records are paired with earlier copies:
//
// 1. Per node (in parallel per member): its out-edges in the merge's node numbering (CSR),
//    a hash of its label (every record word except type ids; names by their text; under
//    rule param-names, FUNC_PROTO parameter names are left out) and a candidate hash (the
//    label and, 4 edges deep, what the edges lead to; see deepen()).
// 2. Members in order. A member's node v that is not mapped yet is tried against the kept
//    nodes of earlier members with the same candidate hash (first kept first, at most
//    kMaxCandidates). A try is a pairing walk: pairing v with u forces pairing their i-th
//    edges, recursively; a pair needs equal labels (compared word for word, names as text),
//    a base or void edge needs the very same node on the other side, and a member node is
//    paired with one kept node only. Named structs/unions/FWDs: see 3. The walk is Tarjan's
//    SCC algorithm over pairs: when a strongly connected set of pairs completes, every edge
//    out of it leads to a pair already mapped, so it is committed (image[v] = u). When a
//    pair fails, every pair still on the Tarjan stack forces it (each reaches the walk's
//    top), so those pairs are remembered as failed for this member and never walked again;
//    a conflict (a node forced onto two different kept nodes, possible when earlier members
//    left two equal kept copies) remembers only the root. Each node gives up after
//    kMaxFailures failed pairs and each member after a work budget linear in its size, so
//    failures stay linear. Nodes left unmapped are kept and become candidates.
// 3. Names. Per-object BTF declares a struct in one object and defines it in another, so
//    strict pairing alone keeps a copy of everything above each such FWD (600k of the 1M
//    types of a pahole -J archive). So a walk that forces a pair of two named STRUCT/UNION/
//    FWD of one name and kind accepts it without walking further, *speculating* that the
//    name is one type (all its definitions end in one class, so refinement resolves its
//    forwards); a FWD in such a pair is mapped onto the other side (a definition is never
//    mapped: it stays for refinement, or is mapped by a walk of its own). Names are
//    speculated on only when all their definitions in the archive have one candidate hash,
//    where the candidate hash sees excluded names by structure (a greatest fixpoint,
//    classify_names). check_speculation() tells the caller, after refining, whether a
//    speculated name's kept definitions split; then the caller redoes the merge without
//    the pre-merge (merge_canonical.cc), so the output never depends on a wrong guess.
// 4. The model is built for the kept nodes only, every edge led through image.
//
// Why the merge's output is unchanged: the committed pairs form a consistent pairing of
// equal labels whose edges are paired, i.e. a bisimulation, so paired nodes are equal in
// the full model's coarsest bisimulation under any forward resolution (paired forwards have
// the same name and kind, hence the same candidates and the same resolution); the rules
// allowed for merging rewrite paired nodes alike. Refining the quotient (the kept nodes)
// and pulling the classes back through image gives the full model's partition. With
// speculated names: refinement's set of resolved names only shrinks and a larger set
// gives a coarser partition, so its result is the greatest consistent set; when the
// speculated names' definitions stay in one class (the check), the quotient's result is a
// consistent set for the full model containing them, and the full model's greatest one
// pulled to the quotient is consistent there, so the two are the same; a speculated pair
// is then in one class, like a committed one. A mapped node is
// always later than its image, so each class's first node, the record it is written from
// (a mapped FWD is flagged: never a record) and the emitted order are those of the merge
// without pre-merge; the FUNC prototype with most parameter names (param-names) is
// chosen over all nodes by the caller.
#include "encoder/archive/premerge.h"

#include <algorithm>
#include <map>
#include <set>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "btf/kinds.h"
#include "comparator/canon/hash.h"
#include "encoder/archive/parallel.h"

namespace btfcheck::archive {
namespace {

constexpr uint32_t kNone = UINT32_MAX;
constexpr size_t kMaxCandidates = 8;   // kept copies tried per root
constexpr uint8_t kMaxFailures = 8;    // failed pairs per node before it stays kept

enum Role : uint8_t { kPlain, kRef, kName };

// f(k, role) for every word k of record t, in order.
template <typename F>
void for_each_role(const btf::Type& t, F&& f) {
  const btf::KindLayout& l = btf::kind_layout(t.kind());
  f(0u, kName);
  f(1u, kPlain);
  f(2u, l.size_type_is_ref ? kRef : kPlain);
  uint32_t k = 3;
  for (int i = 0; i < l.fixed_words; ++i, ++k) f(k, i == l.fixed_ref[0] || i == l.fixed_ref[1] ? kRef : kPlain);
  const uint32_t vlen = t.vlen();
  for (uint32_t e = 0; e < vlen; ++e)
    for (int j = 0; j < l.vlen_words; ++j, ++k) f(k, j == l.vlen_ref ? kRef : j == l.vlen_name ? kName : kPlain);
}

uint64_t hash_text(uint64_t h, std::string_view s) {
  uint64_t x = 1469598103934665603ull;   // FNV-1a, then mixed
  for (unsigned char c : s) x = (x ^ c) * 1099511628211ull;
  return canon::mix(canon::mix(h, s.size()), x);
}

// The key of a struct (union = false) or union name; never 0. Two names sharing a key
// only make speculation more cautious (their labels count as one name's).
uint64_t name_key(bool is_union, std::string_view name) {
  return hash_text(is_union ? 0x75 : 0x73, name) | 1;
}

class Premerger {
 public:
  Premerger(std::span<const std::shared_ptr<const btf::Btf>> parts, const PremergeOptions& o,
            Premerged& out)
      : parts_(parts), opt_(o), out_(out) {}

  void run() {
    number();
    if (opt_.enabled) {
      index();
      for (size_t p = 0; p < parts_.size(); ++p) pair_member(p);
    }
    for (uint32_t v = out_.base_nodes; v < out_.total; ++v)
      if (out_.image[v] == kNone) out_.image[v] = v;
    build_model();
  }

 private:
  struct Local {   // walk state of one node of the current member
    uint32_t pair = kNone, index = 0, low = 0;
    uint8_t failures = 0;
  };
  struct Frame { uint32_t v, next; };

  std::span<const std::shared_ptr<const btf::Btf>> parts_;
  const PremergeOptions& opt_;
  Premerged& out_;
  std::vector<uint32_t> part_of_;                // own node -> part
  std::vector<uint32_t> edge_begin_, edge_to_;   // own node -> its edges (node numbers)
  std::vector<uint64_t> hash_;                   // own node -> label hash
  std::vector<uint64_t> deep_;                   // own node -> candidate hash (see deepen)
  std::unordered_map<uint64_t, std::vector<uint32_t>> kept_;   // candidate hash -> kept nodes
  // Aggregates: own node -> name key of a named STRUCT, UNION or FWD (0 for others); per
  // key, the one candidate hash of all its definitions (or `mixed`); keys speculated on.
  struct DefLabel { uint64_t hash; bool mixed; };
  std::vector<uint64_t> agg_key_;
  std::vector<uint8_t> fwd_;            // own node -> 1 for a FWD
  std::unordered_map<uint64_t, DefLabel> def_label_;
  std::unordered_set<uint64_t> bad_;   // names not to speculate on
  std::set<uint64_t> speculated_;
  // own node -> 1 when its name may be speculated on (agg key, not bad_, has a definition;
  // fixed once classify_names is done); 1 when a walk speculated on it.
  std::vector<uint8_t> spec_ok_, spec_used_;
  // Current member.
  uint32_t first_ = 0;
  std::vector<Local> local_;
  std::unordered_set<uint64_t> failed_;
  std::vector<uint32_t> stack_;
  std::vector<Frame> frames_;
  uint64_t work_ = 0;

  uint32_t own(uint32_t node) const { return node - out_.base_nodes; }
  btf::Type type(uint32_t node) const {
    const btf::Btf& b = *parts_[part_of_[own(node)]];
    return b.type(b.start_id() + (node - out_.offsets[part_of_[own(node)]]));
  }
  Local& local(uint32_t node) { return local_[node - first_]; }
  static uint64_t key(uint32_t v, uint32_t u) { return uint64_t(v) << 32 | u; }

  void number() {
    const btf::Btf* base = parts_.empty() ? nullptr : parts_[0]->base();
    out_.base_nodes = base ? base->type_count() : 1;
    uint64_t total = out_.base_nodes;
    for (const auto& p : parts_) {
      out_.offsets.push_back(uint32_t(total));
      total += p->own_count();
    }
    out_.total = uint32_t(total);
    out_.image.assign(total, kNone);
    out_.fwd_mapped.assign(total, 0);
    for (uint32_t i = 0; i < out_.base_nodes; ++i) out_.image[i] = i;
    part_of_.resize(total - out_.base_nodes);
    for (size_t p = 0; p < parts_.size(); ++p)
      std::fill_n(part_of_.begin() + own(out_.offsets[p]), parts_[p]->own_count(), uint32_t(p));
  }

  // Edge target of a reference word of part p: own type, void/base, or void when invalid.
  uint32_t target(size_t p, uint32_t id) const {
    const btf::Btf& b = *parts_[p];
    if (id < b.start_id()) return id;
    return b.valid_id(id) ? out_.offsets[p] + (id - b.start_id()) : 0;
  }

  uint64_t label_hash(const btf::Type& t) const {
    const btf::Btf& b = t.btf();
    const bool skip_params = opt_.ignore_param_names && t.kind() == uint32_t(btf::Kind::FuncProto);
    uint64_t h = canon::mix(0x51, t.info());
    for_each_role(t, [&](uint32_t k, Role r) {
      if (k == 1) return;
      switch (r) {
        case kPlain: h = canon::mix(h, t.word(k)); break;
        case kName:
          if (!(skip_params && k > 0)) h = hash_text(h, b.str_or_empty(t.word(k)));
          break;
        case kRef: break;
      }
    });
    return h;
  }

  bool same_label(uint32_t v, uint32_t u) const {
    if (hash_[own(v)] != hash_[own(u)]) return false;
    const btf::Type a = type(v), b = type(u);
    if (a.info() != b.info()) return false;
    const bool skip_params = opt_.ignore_param_names && a.kind() == uint32_t(btf::Kind::FuncProto);
    bool same = true;
    for_each_role(a, [&](uint32_t k, Role r) {
      if (!same) return;
      switch (r) {
        case kPlain: same = a.word(k) == b.word(k); break;
        case kName:
          if (!(skip_params && k > 0)) same = a.btf().str_or_empty(a.word(k)) == b.btf().str_or_empty(b.word(k));
          break;
        case kRef: break;
      }
    });
    return same;
  }

  // Edges (CSR) and label hashes, each part in parallel into its own slots.
  void index() {
    const size_t owns = part_of_.size();
    edge_begin_.assign(owns + 1, 0);
    hash_.resize(owns);
    const unsigned jobs = std::max(1u, opt_.jobs);
    parallel_for(parts_.size(), jobs, [&](size_t p) {
      const btf::Btf& b = *parts_[p];
      const uint32_t o = own(out_.offsets[p]);
      for (uint32_t k = 0; k < b.own_count(); ++k) {
        const btf::Type t = b.type(b.start_id() + k);
        uint32_t refs = 0;
        btf::for_each_ref_word(t.kind(), t.vlen(), [&](uint32_t) { ++refs; });
        edge_begin_[o + k + 1] = refs;
        hash_[o + k] = label_hash(t);
      }
    });
    for (size_t i = 0; i < owns; ++i) edge_begin_[i + 1] += edge_begin_[i];
    // Which names' definitions all share one label (in node order: deterministic).
    agg_key_.assign(owns, 0);
    fwd_.assign(owns, 0);
    parallel_for(parts_.size(), jobs, [&](size_t p) {
      const btf::Btf& b = *parts_[p];
      const uint32_t o = own(out_.offsets[p]);
      for (uint32_t k = 0; k < b.own_count(); ++k) {
        const btf::Type t = b.type(b.start_id() + k);
        const bool su = t.kind() == uint32_t(btf::Kind::Struct), un = t.kind() == uint32_t(btf::Kind::Union);
        const bool fwd = t.kind() == uint32_t(btf::Kind::Fwd);
        fwd_[o + k] = fwd;
        if ((su || un || fwd) && !t.name().empty()) agg_key_[o + k] = name_key(un || (fwd && t.kflag()), t.name());
      }
    });
    edge_to_.resize(edge_begin_[owns]);
    parallel_for(parts_.size(), jobs, [&](size_t p) {
      const btf::Btf& b = *parts_[p];
      const uint32_t o = own(out_.offsets[p]);
      for (uint32_t k = 0; k < b.own_count(); ++k) {
        const btf::Type t = b.type(b.start_id() + k);
        uint32_t at = edge_begin_[o + k];
        btf::for_each_ref_word(t.kind(), t.vlen(), [&](uint32_t w) { edge_to_[at++] = target(p, t.word(w)); });
      }
    });
    classify_names(jobs);
  }

  // Which names may be speculated on (3. above): those with a definition, all of whose
  // definitions have one candidate hash, where the candidate hash sees a name that may not
  // be speculated on by its structure instead of its name (a greatest fixpoint: excluding a
  // name can only split the hashes of what refers to it; at most kMaxRounds, the check
  // catches whatever is left).
  void classify_names(unsigned jobs) {
    constexpr int kMaxRounds = 24;
    const size_t owns = part_of_.size();
    deepen(jobs);
    // Later rounds recompute only the members holding a newly excluded name (a member's
    // hashes depend on its own nodes only).
    for (int round = 1; round < kMaxRounds; ++round) {
      def_label_.clear();
      for (size_t i = 0; i < owns; ++i) {
        if (!agg_key_[i] || fwd_[i]) continue;
        auto [it, added] = def_label_.try_emplace(agg_key_[i], DefLabel{deep_[i], false});
        if (!added && it->second.hash != deep_[i]) it->second.mixed = true;
      }
      std::unordered_set<uint64_t> fresh;
      for (const auto& [k, d] : def_label_)
        if (d.mixed && bad_.insert(k).second) fresh.insert(k);
      if (fresh.empty()) break;
      std::vector<uint8_t> touched(parts_.size(), 0);
      for (size_t i = 0; i < owns; ++i)
        if (agg_key_[i] && fresh.count(agg_key_[i])) touched[part_of_[i]] = 1;
      deepen(jobs, &touched);
    }
    spec_ok_.assign(owns, 0);
    spec_used_.assign(owns, 0);
    parallel_for(parts_.size(), jobs, [&](size_t p) {   // the sets are only read here
      const uint32_t o = own(out_.offsets[p]);
      for (uint32_t k = 0; k < parts_[p]->own_count(); ++k)
        if (const uint64_t key = agg_key_[o + k]; key && !bad_.count(key) && def_label_.count(key))
          spec_ok_[o + k] = 1;
    });
  }

  // Candidate hash: the label and, kDepth edges deep, what the edges lead to; a named
  // struct, union or forward is seen from its referrers by kind and name only (so a
  // FWD and its definition look alike, and cycles stop there) unless its name is excluded
  // from speculation (then a FWD is seen as a FWD and a definition by its own hash).
  // Equal nodes (in the pairing sense) always have equal candidate hashes; it only picks
  // which kept nodes to try and which names to speculate on.
  void deepen(unsigned jobs, const std::vector<uint8_t>* only = nullptr) {
    deep_.resize(hash_.size());
    parallel_for(parts_.size(), jobs, [&](size_t p) {
      if (!only || (*only)[p]) deepen_part(p);
    });
  }
  void deepen_part(size_t p) {
    constexpr int kDepth = 4;
    const uint32_t o = own(out_.offsets[p]), n = parts_[p]->own_count();
    std::vector<uint64_t> seen(n), next(n);   // a node as its referrers see it
    for (uint32_t k = 0; k < n; ++k) {
      const uint64_t key = agg_key_[o + k];
      if (!key) continue;
      if (!bad_.count(key)) seen[k] = canon::mix(0x61, key);
      else if (fwd_[o + k]) seen[k] = canon::mix(0x66, key);
    }
    std::copy_n(hash_.begin() + o, n, deep_.begin() + o);
    for (int round = 0; round < kDepth; ++round) {
      for (uint32_t k = 0; k < n; ++k) {
        uint64_t h = hash_[o + k];
        for (uint32_t e = edge_begin_[o + k]; e < edge_begin_[o + k + 1]; ++e) {
          const uint32_t to = edge_to_[e];
          if (to < out_.base_nodes) h = canon::mix(h, to);
          else h = canon::mix(h, seen[own(to) - o] ? seen[own(to) - o] : deep_[own(to)]);
        }
        next[k] = h;
      }
      std::copy(next.begin(), next.end(), deep_.begin() + o);
    }
  }

  void pair_member(size_t p) {
    const uint32_t count = parts_[p]->own_count();
    first_ = out_.offsets[p];
    local_.assign(count, Local{});
    failed_.clear();
    work_ = 0;
    const uint64_t budget = 16 * uint64_t(count) + 4096;
    for (uint32_t v = first_; v < first_ + count && work_ <= budget; ++v) {
      if (out_.image[v] != kNone) continue;
      const auto it = kept_.find(deep_[own(v)]);
      if (it == kept_.end()) continue;
      const size_t tries = std::min(it->second.size(), kMaxCandidates);
      for (size_t c = 0; c < tries && local(v).failures < kMaxFailures; ++c) {
        const uint32_t u = it->second[c];
        if (failed_.count(key(v, u)) || !same_label(v, u)) continue;
        if (walk(v, u)) break;
        ++out_.stats.failed_walks;
      }
    }
    for (uint32_t v = first_; v < first_ + count; ++v) {
      if (out_.image[v] != kNone) {
        ++out_.stats.mapped;
        continue;
      }
      out_.image[v] = v;
      kept_[deep_[own(v)]].push_back(v);
    }
    out_.stats.pairs += work_;
  }

  bool is_fwd(size_t own_index) const { return fwd_[own_index]; }

  // Are a and b named aggregates (STRUCT/UNION/FWD) of one name and kind that may be
  // speculated on (3. above)? Then they stand for one type if the check confirms it.
  bool speculate(uint32_t a, uint32_t b) {
    if (!spec_ok_[own(a)] || agg_key_[own(a)] != agg_key_[own(b)]) return false;
    if (type(a).name() != type(b).name()) return false;
    spec_used_[own(a)] = 1;
    return true;
  }

  void visit(uint32_t v, uint32_t u, uint32_t& counter) {
    Local& l = local(v);
    l.pair = u;
    l.index = l.low = counter++;
    stack_.push_back(v);
    frames_.push_back({v, 0});
    ++work_;
  }

  // Pairs v (current member, labels already equal) with kept node u; true when committed.
  bool walk(uint32_t v0, uint32_t u0) {
    stack_.clear();
    frames_.clear();
    uint32_t counter = 0;
    bool inherent = true;   // false: a conflict inside this walk, not a difference
    visit(v0, u0, counter);
    while (!frames_.empty()) {
      const uint32_t v = frames_.back().v;
      const uint32_t u = local(v).pair;
      const uint32_t k = frames_.back().next;
      if (edge_begin_[own(v)] + k < edge_begin_[own(v) + 1]) {
        ++frames_.back().next;
        const uint32_t ev = edge_to_[edge_begin_[own(v)] + k];
        const uint32_t eu = out_.image[edge_to_[edge_begin_[own(u)] + k]];
        if (ev < out_.base_nodes) {
          if (eu != ev) goto fail;
          continue;
        }
        if (eu < out_.base_nodes) goto fail;
        if (out_.image[ev] != kNone) {   // committed earlier
          if (out_.image[ev] != eu && !speculate(out_.image[ev], eu)) goto fail;
          continue;
        }
        if (speculate(ev, eu)) {   // the check decides; a forward is mapped, never a definition
          if (is_fwd(own(ev))) {
            out_.image[ev] = eu;
            if (!is_fwd(own(eu))) out_.fwd_mapped[ev] = 1, ++out_.stats.fwd_mapped;
          }
          continue;
        }
        Local& e = local(ev);
        if (e.pair != kNone) {   // on the Tarjan stack of this walk
          if (e.pair != eu) {
            inherent = false;
            goto fail;
          }
          local(v).low = std::min(local(v).low, e.index);
          continue;
        }
        if (e.failures >= kMaxFailures || failed_.count(key(ev, eu)) || !same_label(ev, eu)) goto fail;
        visit(ev, eu, counter);
        continue;
      }
      frames_.pop_back();
      Local& l = local(v);
      if (l.low == l.index) {   // an SCC of pairs is complete: commit it
        uint32_t w;
        do {
          w = stack_.back();
          stack_.pop_back();
          out_.image[w] = local(w).pair;
          local(w).pair = kNone;
        } while (w != v);
      }
      if (!frames_.empty()) {
        Local& parent = local(frames_.back().v);
        parent.low = std::min(parent.low, l.low);
      }
    }
    return true;
  fail:
    for (uint32_t w : stack_) {
      Local& l = local(w);
      if (inherent) failed_.insert(key(w, l.pair));
      if (l.failures < kMaxFailures) ++l.failures;
      l.pair = kNone;
    }
    if (!inherent) failed_.insert(key(v0, u0));
    return false;
  }

  void build_model() {
    out_.reduced.assign(out_.total, kNone);
    uint32_t next = 0;
    for (; next < out_.base_nodes; ++next) out_.reduced[next] = next;
    std::vector<uint32_t> kept_at(parts_.size());   // first model node of each part's kept
    for (size_t p = 0; p < parts_.size(); ++p) {
      kept_at[p] = next;
      const uint32_t end = out_.offsets[p] + parts_[p]->own_count();
      for (uint32_t v = out_.offsets[p]; v < end; ++v)
        if (out_.image[v] == v) out_.reduced[v] = next++;
    }
    out_.stats.kept = next - out_.base_nodes;
    canon::Model& m = out_.model;
    m.nodes.resize(next);
    const btf::Btf* base = parts_.empty() ? nullptr : parts_[0]->base();
    for (uint32_t id = 1; id < out_.base_nodes; ++id) m.nodes[id] = canon::make_node(base->type(id));
    parallel_for(parts_.size(), std::max(1u, opt_.jobs), [&](size_t p) {
      const btf::Btf& b = *parts_[p];
      const uint32_t start = b.start_id(), off = out_.offsets[p];
      canon::Node* slot = m.nodes.data() + kept_at[p];
      for (uint32_t v = off; v < off + b.own_count(); ++v) {
        if (out_.image[v] != v) continue;
        canon::Node& n = *slot++;
        n = canon::make_node(b.type(start + (v - off)));
        for (uint32_t& e : n.edges)
          if (e >= start) e = out_.reduced[out_.image[off + (e - start)]];
      }
    });
    // Kept definitions of each speculated name, in key order.
    for (size_t i = 0; i < spec_used_.size(); ++i)
      if (spec_used_[i]) speculated_.insert(agg_key_[i]);
    std::map<uint64_t, std::vector<uint32_t>> defs;
    for (uint64_t k : speculated_) defs[k];
    for (uint32_t v = out_.base_nodes; v < out_.total && !defs.empty(); ++v)
      if (out_.image[v] == v && agg_key_[own(v)] && !is_fwd(own(v)))
        if (auto it = defs.find(agg_key_[own(v)]); it != defs.end()) it->second.push_back(out_.reduced[v]);
    out_.speculated.assign(defs.begin(), defs.end());
    out_.stats.names_speculated = uint32_t(speculated_.size());
    out_.stats.names_excluded = uint32_t(bad_.size());
    m.input_referenced.assign(m.nodes.size(), 0);
    for (const canon::Node& n : m.nodes)
      for (uint32_t e : n.edges) m.input_referenced[e] = 1;
  }
};

}  // namespace

Premerged premerge(std::span<const std::shared_ptr<const btf::Btf>> parts,
                   const PremergeOptions& options) {
  Premerged out;
  Premerger(parts, options, out).run();
  return out;
}

}  // namespace btfcheck::archive

namespace btfcheck::archive {

std::vector<uint64_t> check_speculation(const Premerged& pm, const std::vector<uint32_t>& cls) {
  std::vector<uint64_t> split;
  for (const auto& [key, defs] : pm.speculated)
    for (uint32_t d : defs)
      if (cls[d] != cls[defs[0]]) {
        split.push_back(key);
        break;
      }
  return split;
}

}  // namespace btfcheck::archive
