// Hashing of model nodes, shared by partition refinement (label grouping, signatures) and
// digests. Deterministic and independent of ids and addresses.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

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

}  // namespace btfcheck::canon
