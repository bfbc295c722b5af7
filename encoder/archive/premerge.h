// Pre-merge for the canonical archive merge: maps each member's types onto copies already
// seen in earlier members, on the raw records, before any canonical Node is built, so that
// partition refinement runs on the types that are new (a pahole -J archive: ~40k of 1M).
// See premerge.cc for the algorithm and why it leaves the merge's output unchanged.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "btf/btf.h"
#include "canon/model.h"
#include "encoder/archive/parallel.h"

namespace btfcheck::archive {

struct PremergeOptions {
  bool enabled = true;              // false: every type is kept (the merge without it)
  bool ignore_param_names = false;  // rule param-names: prototypes pair regardless of them
  unsigned jobs = 1;                // threads for hashing, pairing, modelling (same result for any)
};

struct PremergeStats {
  uint32_t mapped = 0;        // types mapped onto an earlier copy
  uint32_t kept = 0;          // types modelled (the members' own types minus `mapped`)
  uint64_t pairs = 0;         // pairs visited by the pairing walks
  uint32_t failed_walks = 0;  // root attempts that found a difference
  uint32_t fwd_mapped = 0;    // forwards mapped onto a definition of their name
  uint32_t names_speculated = 0, names_excluded = 0;   // struct/union names (3. in .cc)
};

// Node numbering as canon::MultiModel's: 0 void, [1, base_nodes) the base's types, then
// part p's own type id t at offsets[p] + (t - start_id).
struct Premerged {
  uint32_t base_nodes = 1;
  std::vector<uint32_t> offsets;   // first node of each part
  uint32_t total = 0;              // nodes in all
  // node -> its node in `model`: a kept node's own, a mapped node's image's (the smaller,
  // kept node it was mapped onto). Void and base nodes keep their number.
  Buffer<uint32_t> model_of;
  // model node -> its node (void and the base: themselves; then the kept nodes, ascending).
  std::vector<uint32_t> kept;
  // The model of the kept nodes (void, the base, then each part's kept types in order),
  // every edge led through model_of. Rules and refinement run on it.
  canon::Model model;
  // node -> 1 when it is a forward mapped onto a definition (in the full model, a forward
  // refinement unifies: never the record its class is written from).
  Buffer<uint8_t> fwd_mapped;
  // For each name (struct or union) whose forwards were mapped onto a definition: the model
  // nodes of its kept definitions, which must all end in one class (check_speculation).
  std::vector<std::pair<uint64_t, std::vector<uint32_t>>> speculated;
  PremergeStats stats;
};

// `parts` share one base (or none). Deterministic: depends only on the parts, never on
// `jobs`.
Premerged premerge(std::span<const std::shared_ptr<const btf::Btf>> parts,
                   const PremergeOptions& options);

// The speculated names whose kept definitions `cls` (model node -> class, from refining
// the model) puts in more than one class: then the pre-merge guessed wrong and the merge
// must be redone without it (enabled = false). Empty: the pre-merge was exact.
std::vector<uint64_t> check_speculation(const Premerged& pm, const std::vector<uint32_t>& cls);

}  // namespace btfcheck::archive
