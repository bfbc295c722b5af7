// The per-rule negative images (verify_rule_cases.cc): one valid image and one with a
// single field corrupted per verifier rule, shared by verify_rules_test.cc and the
// malformed-input suite's generator.
#pragma once

#include <optional>
#include <vector>

#include "tests/unit/verify_test_util.h"

namespace btfcheck::testing {

struct Neg {
  Image good, bad;
  uint32_t type_id = 0;
  verify::Options opts{};
  // The target a container or --target gives both images (target.* rules); none: their own.
  std::optional<btf::Target> target;
  // Whether the same corruption re-encoded big endian must report the rule too (not for a
  // byte-order rule, whose images are the two encodings).
  bool big_endian_too = true;
};
struct Case {
  const char* rule;
  Neg (*make)();
};

const std::vector<Case>& cases();

// Re-encodes a little-endian image big-endian: header fields and every word of the type
// section as built, strings untouched.
Image to_big_endian(const Image& img);

}  // namespace btfcheck::testing
