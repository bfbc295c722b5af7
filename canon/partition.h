// Partition: which model nodes are structurally equal.
#pragma once

#include <cstdint>
#include <vector>

#include "canon/model.h"

namespace btfcheck::canon {

struct Partition {
  std::vector<uint32_t> cls;     // node -> class
  std::vector<uint32_t> rep;     // class -> representative node (smallest node index)
  std::vector<uint32_t> resolved_fwd;   // node -> definition node for unified forwards, else 0
  std::vector<uint64_t> label;   // node -> label_hash (canon/hash.h)
  uint32_t count() const { return uint32_t(rep.size()); }
};

// The coarsest partition of the model's nodes such that equal nodes have equal labels
// (everything but edges) and their i-th edges lead to equal nodes: a bisimulation, so
// cycles through pointers compare equal when their structure does. Forward declarations
// (FWD, and enums without enumerators) are unified with the definition of the same name
// and kind when all such definitions are equal (libbpf dedup's rule, without its
// first-come greed). Iterative throughout; deterministic for a given model.
Partition refine(Model& model);

}  // namespace btfcheck::canon
