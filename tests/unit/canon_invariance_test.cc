// Renumbering invariance: permuting type ids, reordering records, reshuffling the string
// table and adding duplicate copies must not change the canonical text, the digests or
// the diff (exit 0), on real kernel BTF and, on every machine, on a synthetic
// vmlinux-shaped BTF (bench/synth_btf.h).
#include <gtest/gtest.h>

#include "bench/synth_btf.h"
#include "btf/btf.h"
#include "canon/canon.h"
#include "comparator/diff/diff.h"
#include "tests/unit/btf_rewrite.h"
#include "tests/unit/test_inputs.h"
#include "tests/unit/require.h"

namespace btfcheck {
namespace {

std::shared_ptr<const btf::Btf> parse(std::vector<uint8_t> bytes) {
  auto r = btf::Btf::parse(std::move(bytes), {});
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().str());
  return r.ok() ? *r : nullptr;
}

void check_invariance(const btf::Btf& original, int seeds) {
  const canon::Graph g0 = canon::build(original);
  const std::string text0 = canon::text(g0);
  ASSERT_GT(text0.size(), 1000u);
  for (int seed = 1; seed <= seeds; ++seed) {
    auto permuted = parse(testing::permute(original, uint64_t(seed), /*dups=*/200));
    ASSERT_TRUE(permuted);
    ASSERT_GT(permuted->type_count(), original.type_count());   // the copies are there
    const canon::Graph g1 = canon::build(*permuted);
    EXPECT_EQ(canon::graph_digest(g0), canon::graph_digest(g1)) << "seed " << seed;
    EXPECT_TRUE(canon::text(g1) == text0) << "seed " << seed;
    const diff::Report r = diff::diff(g0, g1);
    EXPECT_EQ(r.unsuppressed(), 0u) << "seed " << seed << "\n" << diff::render_text(r).substr(0, 2000);
    // Per-type digests, keyed by canonical name.
    std::map<std::string, uint64_t> d0, d1;
    for (uint32_t c : g0.tops) if (g0.named[c]) d0[g0.key[c]] = g0.digest[c];
    for (uint32_t c : g1.tops) if (g1.named[c]) d1[g1.key[c]] = g1.digest[c];
    EXPECT_TRUE(d0 == d1) << "seed " << seed;
  }
}

TEST(CanonInvariance, CloudVmlinux) {
  std::string why;
  auto b = testing::open_real(testing::cloud_vmlinux_path(), why);
  if (!b) BTFCHECK_SKIP("cloud") << why;
  check_invariance(*b, 4);
}

TEST(CanonInvariance, RunningKernel) {
  std::string why;
  auto b = testing::open_real(testing::sysfs_vmlinux_path(), why);
  if (!b) BTFCHECK_SKIP("sysfs") << why;
  check_invariance(*b, 4);
}

// A slice with many duplicate copies has exactly the classes of the slice itself.
void check_duplicates_collapse(const btf::Btf& b) {
  auto sliced = parse(testing::slice(b, 7, 40));
  ASSERT_TRUE(sliced);
  auto dup = parse(testing::permute(*sliced, 99, 400));
  ASSERT_TRUE(dup);
  ASSERT_GT(dup->type_count(), sliced->type_count());
  const canon::Graph a = canon::build(*sliced), c = canon::build(*dup);
  EXPECT_EQ(a.part.count(), c.part.count());
  EXPECT_EQ(canon::text(a), canon::text(c));
}

TEST(CanonInvariance, DuplicatesCollapse) {
  std::string why;
  auto b = testing::open_real(testing::sysfs_vmlinux_path(), why);
  if (!b) b = testing::open_real(testing::cloud_vmlinux_path(), why);
  if (!b) BTFCHECK_SKIP("sysfs|cloud") << why;
  check_duplicates_collapse(*b);
}

// Builder-only: the same properties on ~30k synthetic types (structs with bitfields and
// pointer cycles, unions, enums, ENUM64, typedefs, functions, tags, a DATASEC), two seeds
// of the generator, so they run wherever the unit tests do.
TEST(CanonInvariance, SyntheticKernelShape) {
  for (uint64_t seed : {1, 2}) {
    SCOPED_TRACE("synthetic seed " + std::to_string(seed));
    auto b = parse(bench::make_synthetic_btf({.groups = 3000, .vars = 100, .seed = seed}).bytes);
    ASSERT_TRUE(b);
    check_invariance(*b, 3);
    check_duplicates_collapse(*b);
  }
}

}  // namespace
}  // namespace btfcheck
