// Normalization rules: named rewrites of the model, each explaining one known difference
// between BTF producers (see README "Normalization rules"). Default: none (strict).
#pragma once

#include <string>
#include <vector>

#include "btf/error.h"
#include "canon/model.h"

namespace btfcheck::canon {

struct RuleInfo {
  const char* name;
  const char* rationale;   // one line, shown in --help and README
};
const std::vector<RuleInfo>& all_rules();

// Expands presets ("cross-producer") and validates names; Error rule "usage.rule".
Result<std::vector<std::string>> parse_rules(const std::string& comma_list);

// Applies the rules, in the fixed order of all_rules(), to the model.
void apply_rules(Model& m, const std::vector<std::string>& rules);

}  // namespace btfcheck::canon
