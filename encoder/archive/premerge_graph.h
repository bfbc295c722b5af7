// The pre-merge's view of an archive (internal): premerge.cc builds it (1. and 3. there),
// pairing.cc walks it (2.). Nodes are numbered as in premerge.h; "own" nodes are the
// members' types, own(node) = node - base_nodes indexes the per-node arrays.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "btf/btf.h"
#include "btf/kinds.h"
#include "encoder/archive/parallel.h"
#include "encoder/archive/premerge.h"

namespace btfcheck::archive {

struct PremergeGraph {
  std::span<const std::shared_ptr<const btf::Btf>> parts;
  bool ignore_param_names = false;   // rule param-names: FUNC_PROTO parameter names unlabelled
  uint32_t base_nodes = 1;
  std::vector<uint32_t> offsets;     // first node of each part
  Buffer<uint32_t> part_of;                // own node -> part
  Buffer<uint32_t> edge_begin, edge_to;    // own node -> its edges (node numbers)
  // Hashes are 32 bits: they only filter and pick candidates (labels are then compared in
  // full), and two names sharing a key only make speculation more cautious.
  Buffer<uint32_t> hash;                   // own node -> label hash
  Buffer<uint32_t> deep;                   // own node -> candidate hash
  // own node -> name key of a named STRUCT, UNION or FWD (0 for others); 1 for a FWD;
  // 1 when its name may be speculated on (3. in premerge.cc).
  Buffer<uint32_t> agg_key;
  Buffer<uint8_t> fwd, spec_ok;

  uint32_t own(uint32_t node) const { return node - base_nodes; }
  btf::Type type(uint32_t node) const {
    const uint32_t p = part_of[own(node)];
    const btf::Btf& b = *parts[p];
    return b.type(b.start_id() + (node - offsets[p]));
  }
  // Equal labels: every record word but type ids, names by their text (premerge.cc, 1.).
  bool same_label(uint32_t v, uint32_t u) const;
};

// Pairs every member's nodes with kept nodes of earlier members (2. in premerge.cc).
// Fills image (a kept node: itself) and fwd_mapped, and spec_used (own node -> 1 when a
// walk speculated on its name); adds to stats' mapped, pairs, failed_walks, fwd_mapped.
// Members go in batches of a fixed schedule, each member of a batch paired against the
// kept nodes of earlier batches in parallel, then what is left of each in member order
// against the batch's own: the result depends on the parts only, never on `jobs`.
struct PairingOut {
  Buffer<uint32_t>& image;
  Buffer<uint8_t>& fwd_mapped;
  Buffer<uint8_t>& spec_used;
  PremergeStats& stats;
};
void pair_members(const PremergeGraph& g, unsigned jobs, PairingOut out);

// A 64-bit hash folded to the 32 bits kept per node.
inline uint32_t fold(uint64_t h) { return uint32_t(h ^ (h >> 32)); }

}  // namespace btfcheck::archive
