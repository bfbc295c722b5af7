// Sanitize: turn a merged BTF into ordinary BTF the kernel would load (see sanitize.cc).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "btf/btf.h"

namespace btfcheck::archive {

// What the sanitize step dropped or fixed, per reason (names as in --json and the stderr
// summary; sanitize.cc says which verify rule each one answers).
struct SanitizeStats {
  uint32_t datasec_dropped = 0;     // datasec-invalid
  uint32_t var_dropped = 0;         // var-unlisted
  uint32_t func_unnamed = 0;        // func-unnamed
  uint32_t func_arg_name = 0;       // func-arg-name
  uint32_t func_proto = 0;          // func-proto
  uint32_t decl_tag_dropped = 0;    // decl-tag-orphan
  uint32_t anon_orphan = 0;         // anon-orphan
  uint32_t fwd_type = 0;            // fwd-type
  uint32_t int_encoding = 0;        // int-encoding
  uint32_t array_index = 0;         // array-index
  uint32_t fwd_by_value = 0;        // fwd-by-value
  uint32_t kept_referenced = 0;     // dropping candidates kept because a type refers to them
  uint32_t types_added = 0;         // __ARRAY_SIZE_TYPE__ when array-index needed one
  uint32_t dropped() const {
    return datasec_dropped + var_dropped + func_unnamed + func_arg_name + func_proto +
           decl_tag_dropped + anon_orphan;
  }
  uint32_t fixed() const { return fwd_type + int_encoding + array_index + fwd_by_value; }
  // {"datasec-invalid":N,...} and "dropped 12 (...); fixed 3 (...)" (reasons with N > 0).
  std::string json() const;
  std::string summary() const;
};

// Returns the sanitized raw BTF of `merged` (split on its base when it has one). When
// nothing needs a change the bytes are `merged`'s own, unchanged.
std::vector<uint8_t> sanitize(const btf::Btf& merged, SanitizeStats& stats);

}  // namespace btfcheck::archive
