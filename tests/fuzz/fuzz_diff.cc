// fuzz_diff: libFuzzer target for the structural diff and its three reporters.
//
// Design: one fuzz input holds two BTF blobs. If the input is a BTF archive of two or more
// members (what the committed seeds are, and what mutations of them stay), A and B are the
// first two members; otherwise the input is cut in half. Each half that parses is
// canonicalized (strict), and A is diffed against B in both modes (full and --leaf), and B
// against A; every report goes through the text, JSON and markdown reporters. A blob diffed
// with itself must come out equal (no change), or the diff is wrong. Unverified input on
// purpose, as for fuzz_canon.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "btf/btf.h"
#include "btf/load.h"
#include "canon/canon.h"
#include "comparator/diff/diff.h"

namespace {

using btfcheck::btf::Btf;

std::shared_ptr<const Btf> parse(std::span<const uint8_t> bytes, const char* name) {
  auto b = Btf::parse(std::vector<uint8_t>(bytes.begin(), bytes.end()), {name, "", nullptr});
  return b ? *b : nullptr;
}

size_t render(const btfcheck::diff::Report& r) {
  return btfcheck::diff::render_text(r).size() + btfcheck::diff::render_json(r, "a", "b").size() +
         btfcheck::diff::render_markdown(r, "a", "b").size() + r.unsuppressed();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> in(data, size);
  std::span<const uint8_t> a_bytes = in.first(size / 2), b_bytes = in.subspan(size / 2);
  auto members = btfcheck::btf::split_archive(in, "fuzz-input", "");
  if (members && members->size() >= 2) {
    a_bytes = in.subspan((*members)[0].offset, (*members)[0].size);
    b_bytes = in.subspan((*members)[1].offset, (*members)[1].size);
  }
  auto a = parse(a_bytes, "a"), b = parse(b_bytes, "b");
  if (!a || !b) return 0;
  const auto ga = btfcheck::canon::build(*a), gb = btfcheck::canon::build(*b);
  size_t n = 0;
  for (bool leaf : {false, true}) {
    btfcheck::diff::Options o;
    o.leaf = leaf;
    n += render(btfcheck::diff::diff(ga, gb, o));
    n += render(btfcheck::diff::diff(gb, ga, o));
  }
  if (!btfcheck::diff::diff(ga, ga).changes.empty()) __builtin_trap();   // A differs from A
  volatile size_t sink = n;
  (void)sink;
  return 0;
}
