// Field-by-field comparison of one matched pair of named types (compare.cc pairs them).
#pragma once

#include <cstdint>
#include <vector>

#include "canon/canon.h"
#include "comparator/diff/diff.h"

namespace btfcheck::diff {

// Appends the changes between class ca of `a` and class cb of `b`, both named and of the
// same identity, with paths starting at a's key.
void compare_top(const canon::Graph& a, const canon::Graph& b, uint32_t ca, uint32_t cb,
                 std::vector<Change>& out);

}  // namespace btfcheck::diff
