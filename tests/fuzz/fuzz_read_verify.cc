// fuzz_read_verify: libFuzzer target for the whole read path.
//
// Design: the bytes go, unchanged, to every entry point that sees untrusted BTF:
//   1. Btf::parse on the whole input (as a raw .btf file would be read) and, when the
//      framing parses, verify::verify with the default (strictest) options and with the
//      vmlinux/module options (Options::kernel_builtin()); the default report is rendered
//      by both reporters (text and JSON: names and messages carry arbitrary input bytes),
//      and the blob's bytes are charged by size::breakdown (which walks references and
//      name offsets of unverified records) and rendered;
//   2. split_archive on the same bytes (as a linker-concatenated .BTF section) and each
//      member through parse + verify;
//   3. when the archive has two or more members, member 1 parsed as split BTF on member 0
//      and verified, so the split-aware id and string-offset arithmetic is exercised.
// Nothing here may crash, hang or trip ASan/UBSan; the results themselves are only touched
// so that no report field is left unread. The number of archive members
// fed to the verifier is capped to keep each execution cheap.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "btf/btf.h"
#include "btf/load.h"
#include "comparator/size/size.h"
#include "comparator/verify/verify.h"

namespace {

using btfcheck::btf::Btf;
using btfcheck::btf::ParseOptions;

constexpr size_t kMaxMembers = 4;

// Touches every field of a report so that a bad string or index is read by the sanitizers.
size_t consume(const btfcheck::verify::Report& r) {
  size_t n = r.types;
  for (const auto& v : r.violations)
    n += v.rule.size() + v.kind.size() + v.name.size() + v.message.size() + v.type_id +
         size_t(v.offset) + v.member.value_or(0);
  return n;
}

std::shared_ptr<const Btf> parse_and_verify(std::span<const uint8_t> bytes,
                                            std::shared_ptr<const Btf> base,
                                            const std::string& section) {
  auto parsed = Btf::parse(std::vector<uint8_t>(bytes.begin(), bytes.end()),
                           ParseOptions{"fuzz-input", section, std::move(base)});
  if (!parsed) {
    auto v = btfcheck::verify::from_parse_error(parsed.error());
    volatile size_t sink = v.rule.size() + v.message.size() + parsed.error().str().size();
    (void)sink;
    return nullptr;
  }
  const auto report = btfcheck::verify::verify(**parsed);
  size_t n = consume(report);
  n += consume(btfcheck::verify::verify(**parsed, btfcheck::verify::Options::kernel_builtin()));
  n += btfcheck::verify::format_text(report, "fuzz-input", section).size();
  n += btfcheck::verify::format_json(report, "fuzz-input", section).size();
  const auto sizes = btfcheck::size::breakdown(**parsed);
  const auto cmp = btfcheck::size::compare(sizes, &sizes);
  n += btfcheck::size::render_text(cmp, btfcheck::size::By::Both, 5, "a", "b").size();
  n += btfcheck::size::render_json(cmp, btfcheck::size::By::Both).size();
  volatile size_t sink = n;
  (void)sink;
  return *parsed;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> in(data, size);
  parse_and_verify(in, nullptr, "");

  auto members = btfcheck::btf::split_archive(in, "fuzz-input", ".BTF");
  // A single member spanning the whole input was already covered by step 1.
  if (!members || (members->size() == 1 && (*members)[0].size == in.size())) return 0;
  std::shared_ptr<const Btf> first;
  for (size_t i = 0; i < members->size() && i < kMaxMembers; ++i) {
    const auto& m = (*members)[i];
    if (m.offset > in.size() || m.size > in.size() - m.offset) __builtin_trap();  // contract
    auto part = in.subspan(m.offset, m.size);
    auto b = parse_and_verify(part, nullptr, ".BTF#" + std::to_string(i));
    if (i == 0) first = b;
    if (i == 1 && first) parse_and_verify(part, first, ".BTF#1 (split on #0)");
  }
  return 0;
}
