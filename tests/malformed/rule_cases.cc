// The per-rule negative images of tests/unit/verify_rule_cases.cc, reused as files.
//
// Design: tests/unit/verify_rule_cases.cc holds, for every verifier rule, a valid builder
// image and the same image with exactly one field corrupted; that one table serves the unit
// test and this generator, so a rule case added there becomes a malformed file here on the
// next build. Each case yields its corrupted image little endian and, when small, re-encoded big endian by
// the test's own to_big_endian. `cli_reports` says whether the default verifier options
// (what `btfcheck verify FILE` uses) report the rule on the expected type id; a case that
// needs other options (e.g. a lowered size cap) is still a malformed file, only the rule
// assertion is skipped for it.
#include "tests/malformed/rule_cases.h"
#include "tests/unit/verify_rule_cases.h"
#include "comparator/verify/releases.h"

namespace btfcheck::malformed {

std::vector<RuleImage> rule_images() {
  using namespace btfcheck::testing;
  std::vector<RuleImage> out;
  const verify::Options next = verify::options_for(*verify::parse_kernel("next"));
  // Whether `verify FILE` reports the rule, else whether `verify --kernel next FILE` does.
  auto judged = [&](const Image& img, const Case& c, const Neg& n, RuleImage& r) {
    r.cli_reports = has(check(img), c.rule, n.type_id);
    if (!r.cli_reports && has(check(img, nullptr, next), c.rule, n.type_id)) {
      r.cli_reports = true;
      r.kernel = "next";
    }
  };
  for (const Case& c : cases()) {
    const Neg n = c.make();
    if (n.target) continue;   // needs a container's target: modern.cc writes those as ELFs
    RuleImage le{c.rule, false, n.bad.bytes, n.type_id};
    judged(n.bad, c, n, le);
    out.push_back(std::move(le));
    if (n.big_endian_too && n.bad.bytes.size() >= 24 && n.bad.bytes.size() < (1u << 20)) {
      Image be = to_big_endian(n.bad);
      RuleImage r{c.rule, true, be.bytes, n.type_id};
      judged(be, c, n, r);
      out.push_back(std::move(r));
    }
  }
  return out;
}

std::vector<std::string> rule_ids() {
  std::vector<std::string> ids;
  for (const verify::RuleInfo& r : verify::rules()) ids.emplace_back(r.id);
  return ids;
}

}  // namespace btfcheck::malformed
