// Helpers shared by the canon stage's files (not part of its public header).
#pragma once

#include <string>
#include <vector>

#include "canon/canon.h"

namespace btfcheck::canon {


// Iterative post-order over `root` and the anonymous classes below it. state: 0 unseen,
// 1 on the walk's stack (a successor in state 1 closes an anonymous cycle), 2 finished.
// `stack` is scratch space, reused across calls.
template <typename Finish>
void post_order(const Graph& g, std::vector<uint8_t>& state, uint32_t root,
                std::vector<std::pair<uint32_t, uint32_t>>& stack, Finish&& finish) {
  if (state[root] != 0) return;
  stack.assign(1, {root, 0});
  state[root] = 1;
  while (!stack.empty()) {
    auto& [c, i] = stack.back();
    const Node& n = rep_node(g, c);
    if (i < n.edges.size()) {
      const uint32_t s = g.part.cls[n.edges[i++]];
      if (!g.named[s] && state[s] == 0) {
        state[s] = 1;
        stack.push_back({s, 0});
      }
      continue;
    }
    const uint32_t done = c;
    stack.pop_back();
    finish(done);
    state[done] = 2;
  }
}

std::string base_key(const Node& n, bool fwd_as_decl);   // "struct foo", "u32", "fwd union bar"
void compute_keys(Graph& g);           // fills named, digest, key
void compute_text(Graph& g);           // fills expr, tops

}  // namespace btfcheck::canon
