// Hashing of model nodes, shared by partition refinement (label grouping, signatures) and
// digests, and grouping of equal elements by hash. Deterministic and independent of ids and addresses.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "canon/model.h"

namespace btfcheck::canon {

inline uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  h *= 0xff51afd7ed558ccdull;
  return h ^ (h >> 29);
}

// Strings: FNV-1a over the bytes, then mixed with the length.
constexpr uint64_t kFnvOffset = 1469598103934665603ull, kFnvPrime = 1099511628211ull;

inline uint64_t hash_str(uint64_t h, std::string_view s) {
  uint64_t x = kFnvOffset;
  for (unsigned char c : s) x = (x ^ c) * kFnvPrime;
  return mix(mix(h, s.size()), x);
}

// hash_str of a NUL-terminated string, in one pass.
inline uint64_t hash_cstr(uint64_t h, const char* s) {
  uint64_t x = kFnvOffset;
  size_t n = 0;
  for (; s[n]; ++n) x = (x ^ static_cast<unsigned char>(s[n])) * kFnvPrime;
  return mix(mix(h, n), x);
}

// Everything that makes up a node's identity except where its edges lead.
inline uint64_t label_hash(const Node& n) {
  uint64_t h = mix(0x42, uint64_t(n.kind));
  h = hash_str(h, n.name);
  h = mix(mix(mix(mix(h, n.size), uint64_t(n.x)), uint64_t(n.y)), uint64_t(n.z));
  h = mix(h, n.fields.size());
  for (const Field& f : n.fields) h = mix(mix(hash_str(h, f.name), uint64_t(f.a)), uint64_t(f.b));
  return mix(h, n.edges.size());
}

// first[k] = the smallest k' <= k with eq(k', k), for k = 0..n-1, where hash(k) is equal
// for equal elements. One pass with an open-addressing table of hash -> the distinct
// elements seen with that hash (almost always one), so no sort: linear in n.
template <class Hash, class Eq>
inline std::vector<uint32_t> first_equal(size_t n, Hash hash, Eq eq) {
  std::vector<uint32_t> first(n);
  size_t cap = 16;
  while (cap < 2 * n) cap <<= 1;
  const size_t mask = cap - 1;
  constexpr uint32_t kNone = UINT32_MAX;
  std::vector<uint32_t> head(cap, kNone);   // slot -> newest distinct element of its hash
  std::vector<uint64_t> h(n);
  std::vector<uint32_t> next_rep(n, kNone);   // distinct elements of one hash, chained
  for (size_t k = 0; k < n; ++k) {
    h[k] = hash(k);
    size_t slot = h[k] & mask;
    while (head[slot] != kNone && h[head[slot]] != h[k]) slot = (slot + 1) & mask;
    first[k] = uint32_t(k);
    for (uint32_t r = head[slot]; r != kNone; r = next_rep[r])
      if (eq(r, uint32_t(k))) {
        first[k] = r;
        break;
      }
    if (first[k] == k) next_rep[k] = head[slot], head[slot] = uint32_t(k);
  }
  return first;
}

}  // namespace btfcheck::canon
