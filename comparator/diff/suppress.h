// Suppression files: accepted, known differences. A file is a list of blocks:
//
//   # comment
//   [suppress]
//   category = offset|size|...      (exact; optional)
//   kind = struct                   (kind of the named type the path starts at; optional)
//   name = ^sk_buff$                (ECMAScript regex searched in the type's name; optional)
//   path = \.len$                   (regex searched in the change's path; optional)
//   reason = why this is accepted   (free text, required)
//
// A change is suppressed when every key a block gives matches it. Suppressed changes stay
// in JSON output (marked) but do not count: they do not make `diff` exit 1.
#pragma once

#include <regex>
#include <string>
#include <vector>

#include "btf/error.h"
#include "comparator/diff/diff.h"

namespace btfcheck::diff {

struct Suppression {
  std::string category, kind, name_src, path_src, reason;
  std::regex name, path;
  int line = 0;
};

Result<std::vector<Suppression>> parse_suppressions(const std::string& text,
                                                    const std::string& file);
// Marks matching changes suppressed and recomputes the summary.
void apply_suppressions(Report& r, const std::vector<Suppression>& sups);

}  // namespace btfcheck::diff
