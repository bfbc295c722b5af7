// The pre-merge's pairing walk (2. and 3. in premerge.cc; premerge_graph.h).
//
// A try pairs a member's node v with a kept node u of an earlier member: pairing them
// forces pairing their i-th edges, recursively; a pair needs equal labels, a base or void
// edge needs the very same node on the other side, and a member node is paired with one
// kept node only. A forced pair of two named STRUCT/UNION/FWD of one name and kind whose
// name may be speculated on is accepted without walking further (a FWD in it is mapped
// onto the other side). The walk is Tarjan's SCC algorithm over pairs: when a strongly
// connected set of pairs completes, every edge out of it leads to a pair already mapped, so
// it is committed (image[v] = u). When a pair fails, every pair still on the Tarjan stack
// forces it, so those pairs are remembered as failed for this member and never walked
// again; a conflict (a node forced onto two different kept nodes, possible when earlier
// members left two equal kept copies) remembers only the root. Each node gives up after
// kMaxFailures failed pairs and each member after a work budget linear in its size.
//
// Batches: members [b, e) are first each paired, in parallel, against the kept nodes of
// members before b (frozen while the batch runs: a walk reads only those and writes only
// its own member's slots); then, in member order, each member's nodes still unmapped are
// tried against the kept nodes of the batch's earlier members and what is left is kept.
// Batch sizes double from 1 up to kMaxBatch, whatever `jobs` is.
#include <algorithm>
#include <span>
#include <unordered_set>

#include "encoder/archive/parallel.h"
#include "encoder/archive/premerge_graph.h"

namespace btfcheck::archive {
namespace {

constexpr uint32_t kNone = UINT32_MAX;
constexpr size_t kMaxCandidates = 8;   // kept copies tried per root
constexpr uint8_t kMaxFailures = 8;    // failed pairs per node before it stays kept
constexpr size_t kMaxBatch = 64;       // members per batch

// Candidate hash -> the first kMaxCandidates kept nodes with it, in node order (later ones
// are never tried). Open addressing on the hash (well mixed bits), each hash's nodes in
// a block of its own: a lookup per root is one probe into a small table, no node chasing.
class KeptIndex {
 public:
  std::span<const uint32_t> find(uint32_t h) const {
    if (slots_.empty()) return {};
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.count == 0) return {};
      if (s.hash == h) return {pool_.data() + s.block, s.count};
    }
  }
  void add(uint32_t h, uint32_t node) {
    if (2 * (used_ + 1) > slots_.size()) grow();
    size_t i = h & mask_;
    while (slots_[i].count != 0 && slots_[i].hash != h) i = (i + 1) & mask_;
    Slot& s = slots_[i];
    if (s.count == 0) {
      s.hash = h;
      s.block = uint32_t(pool_.size());
      pool_.resize(pool_.size() + kMaxCandidates);
      ++used_;
    }
    if (s.count < kMaxCandidates) pool_[s.block + s.count++] = node;
  }
  // f(hash, node) for every entry, each hash's nodes in order.
  template <typename F>
  void for_each(F&& f) const {
    for (const Slot& s : slots_)
      for (uint32_t k = 0; k < s.count; ++k) f(s.hash, pool_[s.block + k]);
  }
  bool empty() const { return used_ == 0; }

 private:
  struct Slot {
    uint32_t hash = 0;
    uint32_t block = 0;   // first of its kMaxCandidates entries in pool_
    uint32_t count = 0;   // 0: empty slot
  };
  void grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(std::max<size_t>(64, 2 * old.size()), Slot{});
    mask_ = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.count == 0) continue;
      size_t i = s.hash & mask_;
      while (slots_[i].count != 0) i = (i + 1) & mask_;
      slots_[i] = s;
    }
  }
  std::vector<Slot> slots_;
  std::vector<uint32_t> pool_;
  size_t mask_ = 0, used_ = 0;
};

class Walker {
 public:
  Walker(const PremergeGraph& g, PairingOut out) : g_(g), out_(out) {}

  // Tries member p's unmapped nodes against `kept`; maps what pairs. The walk state is
  // set up at the first node with a candidate (most members have none left to try
  // against the batch's own kept nodes).
  void pair(size_t p, const KeptIndex& kept) {
    const uint32_t count = g_.parts[p]->own_count();
    first_ = g_.offsets[p];
    bool ready = false;
    failed_.clear();
    work_ = 0;
    const uint64_t budget = 16 * uint64_t(count) + 4096;
    for (uint32_t v = first_; v < first_ + count && work_ <= budget; ++v) {
      if (out_.image[v] != kNone) continue;
      const std::span<const uint32_t> candidates = kept.find(g_.deep[g_.own(v)]);
      if (!candidates.empty() && !ready) local_.assign(count, Local{}), ready = true;
      for (const uint32_t u : candidates) {
        if (local(v).failures >= kMaxFailures) break;
        if (was_failed(v, u) || !g_.same_label(v, u)) continue;
        if (walk(v, u)) break;
        ++failed_walks;
      }
    }
    pairs += work_;
  }

  uint64_t pairs = 0;
  uint32_t failed_walks = 0, fwd_mapped = 0;

 private:
  struct Local {   // walk state of one node of the current member
    uint32_t pair = kNone, index = 0, low = 0;
    uint8_t failures = 0;
  };
  struct Frame { uint32_t v, next; };

  const PremergeGraph& g_;
  PairingOut out_;
  uint32_t first_ = 0;
  std::vector<Local> local_;
  std::unordered_set<uint64_t> failed_;
  std::vector<uint32_t> stack_;
  std::vector<Frame> frames_;
  uint64_t work_ = 0;

  Local& local(uint32_t node) { return local_[node - first_]; }
  static uint64_t key(uint32_t v, uint32_t u) { return uint64_t(v) << 32 | u; }
  bool was_failed(uint32_t v, uint32_t u) const { return !failed_.empty() && failed_.count(key(v, u)); }
  bool is_fwd(uint32_t node) const { return g_.fwd[g_.own(node)]; }

  // Are a and b named aggregates of one name and kind that may be speculated on? Then they
  // stand for one type if the check confirms it. `mine` (this member's node, of the same
  // name) records that the name was speculated on.
  bool speculate(uint32_t mine, uint32_t a, uint32_t b) {
    if (!g_.spec_ok[g_.own(a)] || g_.agg_key[g_.own(a)] != g_.agg_key[g_.own(b)]) return false;
    const btf::Type ta = g_.type(a), tb = g_.type(b);
    if (!btf::same_str(ta.btf(), ta.name_off(), tb.btf(), tb.name_off())) return false;
    out_.spec_used[g_.own(mine)] = 1;
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
    Buffer<uint32_t>& image = out_.image;
    visit(v0, u0, counter);
    while (!frames_.empty()) {
      const uint32_t v = frames_.back().v;
      const uint32_t u = local(v).pair;
      const uint32_t k = frames_.back().next;
      if (g_.edge_begin[g_.own(v)] + k < g_.edge_begin[g_.own(v) + 1]) {
        ++frames_.back().next;
        const uint32_t ev = g_.edge_to[g_.edge_begin[g_.own(v)] + k];
        const uint32_t eu = image[g_.edge_to[g_.edge_begin[g_.own(u)] + k]];
        if (ev < g_.base_nodes) {
          if (eu != ev) goto fail;
          continue;
        }
        if (eu < g_.base_nodes) goto fail;
        if (image[ev] != kNone) {   // committed earlier
          if (image[ev] != eu && !speculate(ev, image[ev], eu)) goto fail;
          continue;
        }
        if (speculate(ev, ev, eu)) {   // the check decides; a forward is mapped, never a definition
          if (is_fwd(ev)) {
            image[ev] = eu;
            if (!is_fwd(eu)) out_.fwd_mapped[ev] = 1, ++fwd_mapped;
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
        if (e.failures >= kMaxFailures || was_failed(ev, eu) || !g_.same_label(ev, eu)) goto fail;
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
          image[w] = local(w).pair;
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
};

}  // namespace

bool PremergeGraph::same_label(uint32_t v, uint32_t u) const {
  if (hash[own(v)] != hash[own(u)]) return false;
  const btf::Type a = type(v), b = type(u);
  if (a.info() != b.info()) return false;
  const bool skip_params = ignore_param_names && a.kind() == uint32_t(btf::Kind::FuncProto);
  bool same = true;
  btf::for_each_word(a.kind(), a.vlen(), [&](uint32_t k, btf::WordRole r) {
    if (!same) return;
    switch (r) {
      case btf::WordRole::Plain: same = a.word(k) == b.word(k); break;
      case btf::WordRole::Name:
        if (!(skip_params && k > 0)) same = btf::same_str(a.btf(), a.word(k), b.btf(), b.word(k));
        break;
      case btf::WordRole::Ref: break;
    }
  });
  return same;
}

void pair_members(const PremergeGraph& g, unsigned jobs, PairingOut out) {
  KeptIndex kept;
  const size_t n = g.parts.size();
  auto add_stats = [&](const Walker& w) {
    out.stats.pairs += w.pairs;
    out.stats.failed_walks += w.failed_walks;
    out.stats.fwd_mapped += w.fwd_mapped;
  };
  for (size_t begin = 0; begin < n;) {
    const size_t end = std::min(n, begin + std::clamp<size_t>(begin, 1, kMaxBatch));
    if (!kept.empty()) {
      std::vector<Walker> walkers(end - begin, Walker(g, out));
      parallel_for(end - begin, std::max(1u, jobs), [&](size_t k) { walkers[k].pair(begin + k, kept); });
      for (const Walker& w : walkers) add_stats(w);
    }
    KeptIndex fresh;   // kept nodes of this batch
    Walker w(g, out);
    for (size_t p = begin; p < end; ++p) {
      if (!fresh.empty()) w.pair(p, fresh);
      const uint32_t first = g.offsets[p], last = first + g.parts[p]->own_count();
      for (uint32_t v = first; v < last; ++v) {
        if (out.image[v] != kNone) {
          ++out.stats.mapped;
          continue;
        }
        out.image[v] = v;
        fresh.add(g.deep[g.own(v)], v);
      }
    }
    add_stats(w);
    // After the older ones: each hash's nodes stay in node order.
    fresh.for_each([&](uint32_t h, uint32_t v) { kept.add(h, v); });
    begin = end;
  }
}

}  // namespace btfcheck::archive
