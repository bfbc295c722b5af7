// Bridge to the per-rule negative images of tests/unit/verify_rules_test.cc (rule_cases.cc).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace btfcheck::malformed {

struct RuleImage {
  std::string rule;
  bool big_endian = false;
  std::vector<uint8_t> bytes;
  uint32_t type_id = 0;      // 0: a blob-level violation
  bool cli_reports = false;  // `verify [--kernel K]` reports `rule` on `type_id`
  std::string kernel = "";      // K: "" (the default release) or "next" for rules only it has
};

// Every case of the unit test, little endian, plus big endian when under 1 MiB.
std::vector<RuleImage> rule_images();
// Every rule id the verifier knows (verify::rules()), to check the suite covers them.
std::vector<std::string> rule_ids();

}  // namespace btfcheck::malformed
