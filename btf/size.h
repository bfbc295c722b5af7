// The byte size of a type, following what has its target's size: the one walk behind the
// archive sanitizer's DATASEC check, the C dump guard's padding estimate and the fixups'
// kconfig externs. It is libbpf's btf__resolve_size: through modifiers, TYPEDEF, VAR and
// DECL_TAG; an ARRAY is nelems times its element; a pointer is 8 bytes (BPF). nullopt for
// void, a kind without a size, an invalid id, a chain deeper than 32 (MAX_RESOLVE_DEPTH) or
// a size past UINT32_MAX. (The verifier answers the same question from its resolve pass's
// results, as the kernel does: comparator/verify/resolve.cc.)
#pragma once

#include <cstdint>
#include <optional>

#include "btf/btf.h"
#include "btf/records.h"

namespace btfcheck::btf {

// `types`: valid(id) says whether id is a type (not void) and word(id, w) reads its words.
template <typename Types>
std::optional<uint64_t> resolve_size(const Types& types, uint32_t id) {
  constexpr int kMaxResolveDepth = 32;
  constexpr uint64_t kPtrSize = 8, kMax = UINT32_MAX;
  uint64_t nelems = 1;
  for (int depth = 0; depth < kMaxResolveDepth; ++depth) {
    if (!types.valid(id)) return std::nullopt;
    const uint32_t k = info_kind(types.word(id, 1));
    if (has_size_word(k)) {
      const uint64_t size = types.word(id, 2);
      if (nelems && size > kMax / nelems) return std::nullopt;
      return nelems * size;
    }
    if (k == uint32_t(Kind::Ptr)) return nelems * kPtrSize;
    if (k == uint32_t(Kind::Array)) {   // words 3, 4, 5: type, index_type, nelems
      const uint64_t n = types.word(id, 5);
      if (nelems && n > kMax / nelems) return std::nullopt;
      nelems *= n;
      id = types.word(id, 3);
    } else if (is_modifier_or_typedef(k) || k == uint32_t(Kind::Var) ||
               k == uint32_t(Kind::DeclTag)) {
      id = types.word(id, 2);
    } else {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

std::optional<uint64_t> resolve_size(const Btf& b, uint32_t id);
inline std::optional<uint64_t> resolve_size(const Records& r, uint32_t id) {
  return resolve_size<Records>(r, id);
}

}  // namespace btfcheck::btf
