// verify(): runs the passes in the kernel's order on one parsed blob and sorts the result.
// See internal.h for the passes and verify.h for the contract.
#include "comparator/verify/verify.h"

#include <algorithm>
#include <tuple>

#include "comparator/verify/internal.h"

namespace btfcheck::verify {

Report verify(const btf::Btf& btf, const Options& opts) {
  Report r;
  r.types = btf.own_count();
  detail::Sink sink(r.violations);
  detail::check_header(btf, opts, sink);
  detail::check_metas(btf, opts, sink);
  if (opts.resolve) detail::check_types(btf, opts, sink);
  if (opts.type_tags) detail::check_type_tags(btf, opts, sink);
  sort_violations(r.violations);
  return r;
}

void sort_violations(std::vector<Violation>& v) {
  std::stable_sort(v.begin(), v.end(), [](const Violation& a, const Violation& b) {
    return std::tie(a.offset, a.rule, a.type_id, a.member, a.message) <
           std::tie(b.offset, b.rule, b.type_id, b.member, b.message);
  });
}

Violation from_parse_error(const Error& e) {
  Violation v;
  v.rule = e.rule;
  v.type_id = e.type_id.value_or(0);
  v.offset = e.offset.value_or(0);
  v.member = e.member;
  v.message = e.message;
  return v;
}

Report verify_bytes(std::vector<uint8_t> blob, btf::ParseOptions parse_opts, const Options& opts) {
  auto parsed = btf::Btf::parse(std::move(blob), std::move(parse_opts));
  if (!parsed) {
    Report r;
    r.violations.push_back(from_parse_error(parsed.error()));
    return r;
  }
  return verify(**parsed, opts);
}

}  // namespace btfcheck::verify
