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
// 2. Members in order (pairing.cc; in batches, in parallel within one). A member's node v
//    that is not mapped yet is tried against the kept nodes of earlier members with the
//    same candidate hash (first kept first, at most a few). A try is a pairing walk:
//    pairing v with u forces pairing their i-th edges, recursively, and needs equal labels
//    (compared word for word, names as text) all the way; a strongly connected set of
//    pairs is committed once complete (image[v] = u). Failures are remembered and bounded,
//    so they stay linear. Nodes left unmapped are kept and become candidates.
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
#include "canon/hash.h"
#include "encoder/archive/parallel.h"
#include "encoder/archive/premerge_graph.h"

namespace btfcheck::archive {
namespace {

constexpr uint32_t kNone = UINT32_MAX;

// The key of a struct (union = false) or union name; never 0. Two names sharing a key
// only make speculation more cautious (their labels count as one name's).
uint32_t name_key(bool is_union, std::string_view name) {
  return fold(canon::hash_str(is_union ? 0x75 : 0x73, name)) | 1;
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
      pair_members(g_, opt_.jobs, {out_.model_of, out_.fwd_mapped, spec_used_, out_.stats});
    }
    for (uint32_t v = out_.base_nodes; v < out_.total; ++v)   // premerge off: all kept
      if (out_.model_of[v] == kNone) out_.model_of[v] = v;
    build_model();
  }

 private:
  std::span<const std::shared_ptr<const btf::Btf>> parts_;
  const PremergeOptions& opt_;
  Premerged& out_;
  PremergeGraph g_;
  // Per name key (premerge_graph.h), the one candidate hash of all its definitions (or
  // `mixed`); names not to speculate on; names speculated on.
  struct DefLabel { uint32_t hash; bool mixed; };
  std::unordered_map<uint32_t, DefLabel> def_label_;
  std::unordered_set<uint32_t> bad_;
  std::set<uint64_t> speculated_;
  Buffer<uint8_t> spec_used_;   // own node -> 1 when a walk speculated on its name

  uint32_t own(uint32_t node) const { return g_.own(node); }

  void number() {
    const btf::Btf* base = parts_.empty() ? nullptr : parts_[0]->base();
    out_.base_nodes = base ? base->type_count() : 1;
    uint64_t total = out_.base_nodes;
    for (const auto& p : parts_) {
      out_.offsets.push_back(uint32_t(total));
      total += p->own_count();
    }
    out_.total = uint32_t(total);
    out_.model_of.resize(total);   // the image until build_model
    out_.fwd_mapped.resize(total);
    for (uint32_t i = 0; i < out_.base_nodes; ++i) out_.model_of[i] = i, out_.fwd_mapped[i] = 0;
    g_.parts = parts_;
    g_.ignore_param_names = opt_.ignore_param_names;
    g_.base_nodes = out_.base_nodes;
    g_.offsets = out_.offsets;
    g_.part_of.resize(total - out_.base_nodes);
    parallel_for(parts_.size(), std::max(1u, opt_.jobs), [&](size_t p) {
      const uint32_t first = out_.offsets[p], n = parts_[p]->own_count();
      std::fill_n(out_.model_of.begin() + first, n, kNone);
      std::fill_n(out_.fwd_mapped.begin() + first, n, uint8_t(0));
      std::fill_n(g_.part_of.begin() + own(first), n, uint32_t(p));
    });
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
    btf::for_each_word(t.kind(), t.vlen(), [&](uint32_t k, btf::WordRole r) {
      if (k == 1) return;
      switch (r) {
        case btf::WordRole::Plain: h = canon::mix(h, t.word(k)); break;
        case btf::WordRole::Name:
          if (skip_params && k > 0) break;
          if (const char* name = b.c_str(t.word(k))) h = canon::hash_cstr(h, name);
          else h = canon::hash_str(h, b.str_or_empty(t.word(k)));
          break;
        case btf::WordRole::Ref: break;
      }
    });
    return h;
  }

  // Edges (CSR), label hashes and name keys, each part in parallel into its own slots.
  void index() {
    const size_t owns = g_.part_of.size();
    g_.edge_begin.resize(owns + 1);
    g_.edge_begin[0] = 0;
    g_.hash.resize(owns);
    g_.agg_key.resize(owns);
    g_.fwd.resize(owns);
    const unsigned jobs = std::max(1u, opt_.jobs);
    parallel_for(parts_.size(), jobs, [&](size_t p) {
      const btf::Btf& b = *parts_[p];
      const uint32_t o = own(out_.offsets[p]);
      for (uint32_t k = 0; k < b.own_count(); ++k) {
        const btf::Type t = b.type(b.start_id() + k);
        const uint32_t kind = t.kind(), vlen = t.vlen();
        uint32_t refs = 0;
        btf::for_each_ref_word(kind, vlen, [&](uint32_t) { ++refs; });
        g_.edge_begin[o + k + 1] = refs;
        g_.hash[o + k] = fold(label_hash(t));
        const bool un = kind == uint32_t(btf::Kind::Union), fwd = kind == uint32_t(btf::Kind::Fwd);
        const bool agg = un || fwd || kind == uint32_t(btf::Kind::Struct);
        g_.fwd[o + k] = fwd;
        const std::string_view name = agg ? t.name() : std::string_view();
        g_.agg_key[o + k] = name.empty() ? 0 : name_key(un || (fwd && t.kflag()), name);
      }
    });
    for (size_t i = 0; i < owns; ++i) g_.edge_begin[i + 1] += g_.edge_begin[i];
    g_.edge_to.resize(g_.edge_begin[owns]);
    parallel_for(parts_.size(), jobs, [&](size_t p) {
      const btf::Btf& b = *parts_[p];
      const uint32_t o = own(out_.offsets[p]);
      for (uint32_t k = 0; k < b.own_count(); ++k) {
        const btf::Type t = b.type(b.start_id() + k);
        uint32_t at = g_.edge_begin[o + k];
        btf::for_each_ref_word(t.kind(), t.vlen(), [&](uint32_t w) { g_.edge_to[at++] = target(p, t.word(w)); });
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
    const size_t owns = g_.part_of.size();
    deepen(jobs);
    // Later rounds recompute only the members holding a newly excluded name (a member's
    // hashes depend on its own nodes only).
    for (int round = 1; round < kMaxRounds; ++round) {
      def_label_.clear();
      for (size_t i = 0; i < owns; ++i) {
        if (!g_.agg_key[i] || g_.fwd[i]) continue;
        auto [it, added] = def_label_.try_emplace(g_.agg_key[i], DefLabel{g_.deep[i], false});
        if (!added && it->second.hash != g_.deep[i]) it->second.mixed = true;
      }
      std::unordered_set<uint32_t> fresh;
      for (const auto& [k, d] : def_label_)
        if (d.mixed && bad_.insert(k).second) fresh.insert(k);
      if (fresh.empty()) break;
      std::vector<uint8_t> touched(parts_.size(), 0);
      for (size_t i = 0; i < owns; ++i)
        if (g_.agg_key[i] && fresh.count(g_.agg_key[i])) touched[g_.part_of[i]] = 1;
      deepen(jobs, &touched);
    }
    g_.spec_ok.resize(owns);
    spec_used_.resize(owns);
    parallel_for(parts_.size(), jobs, [&](size_t p) {   // the sets are only read here
      const uint32_t o = own(out_.offsets[p]);
      for (uint32_t k = 0; k < parts_[p]->own_count(); ++k) {
        const uint32_t key = g_.agg_key[o + k];
        g_.spec_ok[o + k] = key && !bad_.count(key) && def_label_.count(key);
        spec_used_[o + k] = 0;
      }
    });
  }

  // Candidate hash: the label and, kDepth edges deep, what the edges lead to; a named
  // struct, union or forward is seen from its referrers by kind and name only (so a
  // FWD and its definition look alike, and cycles stop there) unless its name is excluded
  // from speculation (then a FWD is seen as a FWD and a definition by its own hash).
  // Equal nodes (in the pairing sense) always have equal candidate hashes; it only picks
  // which kept nodes to try and which names to speculate on.
  void deepen(unsigned jobs, const std::vector<uint8_t>* only = nullptr) {
    g_.deep.resize(g_.hash.size());
    parallel_for(parts_.size(), jobs, [&](size_t p) {
      if (!only || (*only)[p]) deepen_part(p);
    });
  }
  void deepen_part(size_t p) {
    constexpr int kDepth = 4;
    const uint32_t o = own(out_.offsets[p]), n = parts_[p]->own_count();
    std::vector<uint32_t> seen(n), next(n);   // a node as its referrers see it
    for (uint32_t k = 0; k < n; ++k) {
      const uint32_t key = g_.agg_key[o + k];
      if (!key) continue;
      if (!bad_.count(key)) seen[k] = fold(canon::mix(0x61, key));
      else if (g_.fwd[o + k]) seen[k] = fold(canon::mix(0x66, key));
    }
    std::copy_n(g_.hash.begin() + o, n, g_.deep.begin() + o);
    for (int round = 0; round < kDepth; ++round) {
      for (uint32_t k = 0; k < n; ++k) {
        uint64_t h = g_.hash[o + k];
        for (uint32_t e = g_.edge_begin[o + k]; e < g_.edge_begin[o + k + 1]; ++e) {
          const uint32_t to = g_.edge_to[e];
          if (to < out_.base_nodes) h = canon::mix(h, to);
          else h = canon::mix(h, seen[own(to) - o] ? seen[own(to) - o] : g_.deep[own(to)]);
        }
        next[k] = fold(h);
      }
      std::copy(next.begin(), next.end(), g_.deep.begin() + o);
    }
  }

  void build_model() {
    // Kept definitions of each speculated name, in key order.
    for (size_t i = 0; i < spec_used_.size(); ++i)
      if (spec_used_[i]) speculated_.insert(g_.agg_key[i]);
    std::map<uint64_t, std::vector<uint32_t>> defs;
    for (uint64_t k : speculated_) defs[k];
    // The image becomes model_of in place, in node order: a kept node (its own image)
    // takes the next model node, a mapped one its image's (smaller, so done already).
    Buffer<uint32_t>& model_of = out_.model_of;
    uint32_t next = out_.base_nodes;
    std::vector<uint32_t> kept_at(parts_.size());   // first model node of each part's kept
    out_.kept.resize(next);
    for (uint32_t i = 0; i < next; ++i) out_.kept[i] = i;
    for (size_t p = 0; p < parts_.size(); ++p) {
      kept_at[p] = next;
      const uint32_t end = out_.offsets[p] + parts_[p]->own_count();
      for (uint32_t v = out_.offsets[p]; v < end; ++v) {
        if (model_of[v] != v) {
          model_of[v] = model_of[model_of[v]];
          continue;
        }
        model_of[v] = next++;
        out_.kept.push_back(v);
        if (!defs.empty() && g_.agg_key[own(v)] && !g_.fwd[own(v)])
          if (auto it = defs.find(g_.agg_key[own(v)]); it != defs.end()) it->second.push_back(model_of[v]);
      }
    }
    out_.stats.kept = next - out_.base_nodes;
    canon::Model& m = out_.model;
    m.nodes.resize(next);
    const btf::Btf* base = parts_.empty() ? nullptr : parts_[0]->base();
    for (uint32_t id = 1; id < out_.base_nodes; ++id) m.nodes[id] = canon::make_node(base->type(id));
    parallel_for(parts_.size(), std::max(1u, opt_.jobs), [&](size_t p) {
      const btf::Btf& b = *parts_[p];
      const uint32_t start = b.start_id(), off = out_.offsets[p];
      // A node of part p is kept iff its model node is the part's next one (a mapped
      // node's is an earlier node's).
      uint32_t slot = kept_at[p];
      for (uint32_t v = off; v < off + b.own_count(); ++v) {
        if (model_of[v] != slot) continue;
        canon::Node& n = m.nodes[slot++];
        n = canon::make_node(b.type(start + (v - off)));
        for (uint32_t& e : n.edges)
          if (e >= start) e = model_of[off + (e - start)];
      }
    });
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
