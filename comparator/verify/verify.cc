// verify(): runs the passes in the kernel's order on one parsed blob and sorts the result.
// See internal.h for the passes and verify.h for the contract.
#include "comparator/verify/verify.h"

#include <algorithm>
#include <tuple>

#include "comparator/verify/internal.h"

namespace btfcheck::verify {

Report verify(const btf::Btf& btf, const Options& given) {
  Report r;
  r.types = btf.own_count();
  r.kernel = given.kernel;
  r.builtin = given.builtin();
  r.target = btf.target();
  // sizeof(void *) is the target's unless the caller fixed it.
  Options opts = given;
  if (!opts.ptr_size) opts.ptr_size = btf.target().ptr_size;
  for (const Error& e : btf::target_conflicts(btf)) r.violations.push_back(from_parse_error(e));
  detail::Sink sink(r.violations);
  detail::check_header(btf, opts, sink);
  detail::check_layout(btf, opts, sink);
  detail::check_metas(btf, opts, sink);
  if (opts.resolve) detail::check_types(btf, opts, sink);
  if (opts.type_tags) detail::check_type_tags(btf, opts, sink);
  sort_violations(r.violations);
  return r;
}

std::optional<Violation> check_distilled_base(const Options& opts) {
  if (opts.distilled_base) return std::nullopt;
  Violation v;
  v.rule = "base.distilled";
  v.message = "the module's BTF is split on a distilled .BTF.base, which Linux " + opts.kernel +
              " does not know (6.11 on): it parses the BTF on vmlinux, where its type ids and "
              "string offsets mean other things";
  return v;
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
  parse_opts.info = opts.info;
  auto parsed = btf::Btf::parse(std::move(blob), std::move(parse_opts));
  if (!parsed) {
    Report r;
    r.kernel = opts.kernel;
    r.builtin = opts.builtin();
    r.violations.push_back(from_parse_error(parsed.error()));
    return r;
  }
  return verify(**parsed, opts);
}

}  // namespace btfcheck::verify
