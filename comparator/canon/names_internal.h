// Helpers shared by the canon stage's files (not part of its public header).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "comparator/canon/canon.h"

namespace btfcheck::canon {


// Iterative post-order over `root` and the anonymous classes below it. state: 0 unseen,
// 1 on the walk's stack (a successor in state 1 closes an anonymous cycle), 2 finished.
void post_order(const Graph& g, std::vector<uint8_t>& state, uint32_t root,
                const std::function<void(uint32_t)>& finish);

std::string base_key(const Node& n, bool fwd_as_decl);   // "struct foo", "u32", "fwd union bar"
void compute_keys(Graph& g);           // fills named, digest, key
void compute_text(Graph& g);           // fills expr, tops, lines

}  // namespace btfcheck::canon
