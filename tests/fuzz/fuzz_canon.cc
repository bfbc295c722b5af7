// fuzz_canon: libFuzzer target for the canonical graph.
//
// Design: the input is parsed as a raw BTF blob (split_archive's first member when it is
// an archive); when the framing parses, canon::build runs on it twice, strict and with every
// normalization rule ("all": the rules rewrite the model before refinement, so they get
// their own malformed shapes), and each graph is printed (canon::text, which walks every
// class's line) and digested (graph_digest). The input is deliberately NOT verified first:
// canon must cope with anything the parser accepts (loops, dangling ids, absurd sizes),
// since `btfcheck canon/digest/diff` run on unverified files. Determinism is checked on
// the way: building the same bytes twice gives the same digest and text.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "btf/btf.h"
#include "btf/load.h"
#include "canon/canon.h"
#include "canon/rules.h"

namespace {

using btfcheck::btf::Btf;

void canon_all(const Btf& b, const btfcheck::canon::Options& opts, bool twice) {
  const auto g = btfcheck::canon::build(b, opts);
  const std::string text = btfcheck::canon::text(g);
  const uint64_t digest = btfcheck::canon::graph_digest(g);
  if (twice) {
    const auto again = btfcheck::canon::build(b, opts);
    if (btfcheck::canon::graph_digest(again) != digest || btfcheck::canon::text(again) != text)
      __builtin_trap();   // non-deterministic canonical form
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> in(data, size);
  auto members = btfcheck::btf::split_archive(in, "fuzz-input", "");
  if (members && !members->empty() && (*members)[0].size < in.size())
    in = in.subspan((*members)[0].offset, (*members)[0].size);
  auto parsed = Btf::parse(std::vector<uint8_t>(in.begin(), in.end()), {"fuzz-input", "", nullptr});
  if (!parsed) return 0;
  canon_all(**parsed, {}, size < 4096);
  static const auto all = btfcheck::canon::parse_rules("all");
  if (all) canon_all(**parsed, btfcheck::canon::Options{*all}, false);
  return 0;
}
